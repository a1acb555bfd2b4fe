"""The network: layers in sequence, a loss, a seeded generator, and the public surface.

Read it from ``gradients`` down: ``backprop`` runs forward through every layer, the
loss, then backward through the layers in reverse (the chain rule).  ``fit`` checks its
arguments and hands the epochs to ``purenn.training.train``, which repeats that computation per
batch and lets the optimizer step.  Inputs are checked here, once, at the public boundary; below
this everything is trusted.
"""

import random
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from purenn.callbacks import EarlyStopping
from purenn.errors import ConfigurationError, ShapeError
from purenn.kernels import Matrix
from purenn.layers import Layer, Parameter
from purenn.losses import Loss, get_loss
from purenn.matrix import as_float_matrix, format_shape
from purenn.metrics import evaluate_metrics, get_metrics, predicted_classes
from purenn.optimizers import Optimizer
from purenn.schedules import Schedule
from purenn.training import EpochCallback, History, fit_options, split_validation, train

__all__ = ["Network"]

class Network:
    """A feed-forward network: ``layers`` applied in order, trained against ``loss``.

    ``loss`` is a registered name (e.g. "sse") or a Loss.  ``seed`` seeds the network's own
    ``random.Random``, which draws the initial weights (layer by layer, in order) and the
    shuffling order, so a seed fixes a run completely; None seeds from the operating system.
    """

    def __init__(
        self, layers: Sequence[Layer], loss: Union[str, Loss] = "sse", seed: Optional[int] = None
    ) -> None:
        self.layers = list(layers)
        if not self.layers:
            raise ConfigurationError("Network: needs at least one layer")
        for index, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise ConfigurationError(f"Network: layers[{index}] is not a Layer: {layer!r}")
        for index, (below, above) in enumerate(zip(self.layers, self.layers[1:])):
            if below.n_out != above.n_in:
                raise ConfigurationError(
                    f"Network: layers[{index}] gives {below.n_out} outputs but "
                    f"layers[{index + 1}] takes {above.n_in} inputs"
                )
        self.loss_function = get_loss(loss)
        self.rng = random.Random(seed)
        self.metric_names: List[str] = []
        for index, layer in enumerate(self.layers):
            layer.initialize(self.rng)
            for local_name, parameter in layer.named_parameters():
                parameter.name = f"layers[{index}].{local_name}"

    @property
    def n_in(self) -> int:
        """Number of inputs per sample."""
        return self.layers[0].n_in

    @property
    def n_out(self) -> int:
        """Number of outputs per sample."""
        return self.layers[-1].n_out

    def parameters(self) -> List[Parameter]:
        """Every trainable parameter, layer by layer (weights before bias)."""
        return [parameter for layer in self.layers for _, parameter in layer.named_parameters()]

    # -- checking at the boundary -------------------------------------------------------------

    def _check_inputs(self, x: Any, where: str) -> Matrix:
        matrix = as_float_matrix(x, where, "X")
        if len(matrix[0]) != self.n_in:
            raise ShapeError(
                f"{where}: X is {format_shape((len(matrix), len(matrix[0])))} but the network "
                f"takes {self.n_in} inputs per row"
            )
        return matrix

    def check_data(self, x: Any, y: Any, where: str) -> Tuple[Matrix, Matrix]:
        """(X, Y) checked and converted as every public method does: X to a float matrix of
        n_in columns, Y by the loss's ``prepare_target``; errors name ``where``.  For code built
        on the network (the gradient checker) that then calls ``backprop`` or ``forward``."""
        inputs = self._check_inputs(x, where)
        targets = self.loss_function.prepare_target(y, len(inputs), self.n_out, where)
        return inputs, targets

    # -- the passes, on checked data ----------------------------------------------------------

    def forward(self, x: Matrix) -> Matrix:
        """The output for an already-checked batch X, every layer caching for ``backward``."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output: Matrix) -> None:
        """The chain rule from ∂L/∂(output) down through every layer, storing parameter grads."""
        for index in range(len(self.layers) - 1, -1, -1):
            result = self.layers[index].backward(grad_output, need_input_grad=index > 0)
            if result is not None:
                grad_output = result

    def backprop(self, x: Matrix, y: Matrix) -> Tuple[float, List[Matrix]]:
        """(L, [∂L/∂θ for θ in parameters()]) on already-checked data: forward, the loss, and
        the chain rule back through every layer.  ``gradients`` is this with checking."""
        output = self.forward(x)
        loss = self.loss_function.value(output, y)
        self.backward(self.loss_function.gradient(output, y))
        return loss, [parameter.grad for parameter in self.parameters()]  # type: ignore[misc]

    # -- the public surface -------------------------------------------------------------------

    def predict(self, x: Any) -> Matrix:
        """The network's output for X (samples × n_in): a nested list, one row per sample."""
        return self.forward(self._check_inputs(x, "predict"))

    def loss(self, x: Any, y: Any) -> float:
        """The loss L(predict(X), Y) as a number."""
        inputs, targets = self.check_data(x, y, "loss")
        return self.loss_function.value(self.forward(inputs), targets)

    def gradients(self, x: Any, y: Any) -> Tuple[float, List[Matrix]]:
        """(L, [∂L/∂θ for θ in parameters()]) at the current parameters, by backpropagation."""
        inputs, targets = self.check_data(x, y, "gradients")
        return self.backprop(inputs, targets)

    def fit(
        self,
        x: Any,
        y: Any,
        epochs: int = 1,
        learning_rate: Optional[float] = None,
        *,
        batch_size: Optional[int] = None,
        shuffle: bool = True,
        optimizer: Optional[Optimizer] = None,
        schedule: Optional[Schedule] = None,
        clip_norm: Optional[float] = None,
        validation_data: Optional[Tuple[Any, Any]] = None,
        validation_split: Optional[float] = None,
        metrics: Sequence[str] = (),
        early_stopping: Optional[EarlyStopping] = None,
        callback: Optional[EpochCallback] = None,
        verbose: bool = False,
    ) -> History:
        """Train for ``epochs`` passes over (X, Y); return the History.

        Each step computes the gradient of the loss on a batch and lets the optimizer subtract
        it.  ``optimizer`` defaults to plain gradient descent θ ← θ − η ∂L/∂θ with
        η = ``learning_rate`` (default 0.01; the seed uses 1.0); give one or the other.
        ``batch_size=None`` trains on the full batch, as the seed does; otherwise the rows are
        reshuffled each epoch from the network's generator when ``shuffle`` is true.
        ``schedule`` sets the optimizer's learning rate at the start of each epoch;
        ``clip_norm`` rescales each batch's gradients to that global L2 norm at most.
        ``validation_data=(X_val, Y_val)``, or ``validation_split`` = the fraction of the rows
        held out from the end (before shuffling), is evaluated after each epoch.  ``metrics``
        names what to record besides the loss (e.g. ["accuracy"]).  ``early_stopping`` is an
        EarlyStopping.  ``callback(epoch, history)`` runs after every epoch (epochs count from
        1) and stops training by returning True.  ``verbose`` writes a progress line to stderr.

        Raises ConfigurationError or ShapeError (naming fit) for bad arguments, and
        DivergenceError when the loss or the weights become NaN or infinite: the message names
        the epoch and batch, and the network keeps the last finite weights.
        """
        inputs, targets = self.check_data(x, y, "fit")
        options = fit_options(
            epochs,
            learning_rate,
            optimizer,
            batch_size=batch_size,
            shuffle=shuffle,
            schedule=schedule,
            clip_norm=clip_norm,
            metrics=metrics,
            early_stopping=early_stopping,
            callback=callback,
            verbose=verbose,
        )
        train_data, validation = self._validation(
            inputs, targets, validation_data, validation_split
        )
        self.metric_names = [name for name, _ in options.metrics]
        return train(self, train_data[0], train_data[1], validation, options)

    def _validation(
        self, x: Matrix, y: Matrix, validation_data: Any, validation_split: Any
    ) -> Tuple[Tuple[Matrix, Matrix], Optional[Tuple[Matrix, Matrix]]]:
        """(training data, validation data or None) from fit's two ways of asking for it."""
        if validation_data is not None and validation_split is not None:
            raise ConfigurationError("fit: give validation_data or validation_split, not both")
        if validation_split is not None:
            return split_validation(x, y, validation_split, "fit")
        if validation_data is None:
            return (x, y), None
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ConfigurationError(
                f"fit: validation_data must be a pair (X_val, Y_val), got {validation_data!r:.60}"
            )
        x_val, y_val = validation_data
        return (x, y), self.check_data(x_val, y_val, "fit (validation_data)")

    def predict_classes(self, x: Any) -> List[int]:
        """The class of each row of X: argmax of the outputs, or for a single output column
        (sigmoid-style) 1 if the output > 0.5 else 0.  n × n_in → n ints.
        """
        return predicted_classes(self.predict(x), self.loss_function)

    def evaluate(self, x: Any, y: Any, metrics: Optional[Sequence[str]] = None) -> Dict[str, float]:
        """{"loss": L(predict(X), Y), metric: value, ...} on (X, Y).

        ``metrics`` defaults to those the latest ``fit`` recorded (none before any fit).
        """
        inputs, targets = self.check_data(x, y, "evaluate")
        chosen = get_metrics(self.metric_names if metrics is None else metrics, "evaluate")
        output = self.forward(inputs)
        values = {"loss": self.loss_function.value(output, targets)}
        values.update(evaluate_metrics(chosen, output, targets, self.loss_function))
        return values

    def __repr__(self) -> str:
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"Network([{layers}], loss={self.loss_function.name!r})"
