"""The network: layers in sequence, a loss, a seeded generator, and the training loop.

Read it from ``fit`` down: each epoch runs ``gradients`` (forward through every layer, the loss,
then backward through the layers in reverse: the chain rule) and hands the gradients to the
optimizer.  Inputs are checked here, once, at the public boundary; below this everything is
trusted.
"""

import random
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

from purenn.errors import ConfigurationError, ShapeError
from purenn.kernels import Matrix
from purenn.layers import Layer, Parameter
from purenn.losses import Loss, get_loss
from purenn.matrix import as_float_matrix, format_shape
from purenn.optimizers import SGD, Optimizer
from purenn.training import History, batch_slices, shuffled_indices, take_rows

__all__ = ["Network"]

EpochCallback = Callable[[int, History], None]


def _check_count(value: Any, label: str, where: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigurationError(f"{where}: {label} must be an int ≥ {minimum}, got {value!r}")
    return value


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

    def _check_data(self, x: Any, y: Any, where: str) -> Tuple[Matrix, Matrix]:
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

    def _loss_and_gradients(self, x: Matrix, y: Matrix) -> Tuple[float, List[Matrix]]:
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
        inputs, targets = self._check_data(x, y, "loss")
        return self.loss_function.value(self.forward(inputs), targets)

    def gradients(self, x: Any, y: Any) -> Tuple[float, List[Matrix]]:
        """(L, [∂L/∂θ for θ in parameters()]) at the current parameters, by backpropagation."""
        inputs, targets = self._check_data(x, y, "gradients")
        return self._loss_and_gradients(inputs, targets)

    def fit(
        self,
        x: Any,
        y: Any,
        epochs: int = 1,
        learning_rate: float = 0.01,
        *,
        batch_size: Optional[int] = None,
        shuffle: bool = True,
        optimizer: Optional[Optimizer] = None,
        callback: Optional[EpochCallback] = None,
    ) -> History:
        """Train for ``epochs`` passes over (X, Y); return the History.

        Each step computes the gradient of the loss on a batch and lets the optimizer subtract
        it; ``optimizer`` defaults to plain gradient descent with ``learning_rate`` (the seed
        uses 1.0).  ``batch_size=None`` trains on the full batch, as the seed does; otherwise the
        rows are reshuffled each epoch from the network's generator when ``shuffle`` is true.
        ``callback(epoch, history)`` runs after every epoch (epochs count from 1).
        """
        inputs, targets = self._check_data(x, y, "fit")
        _check_count(epochs, "epochs", "fit", 0)
        if batch_size is not None:
            _check_count(batch_size, "batch_size", "fit", 1)
        step = optimizer if optimizer is not None else SGD(lr=learning_rate)
        history = History()
        for epoch in range(1, epochs + 1):
            history.loss.append(self._train_epoch(inputs, targets, step, batch_size, shuffle))
            if callback is not None:
                callback(epoch, history)
        return history

    def _train_epoch(
        self, x: Matrix, y: Matrix, optimizer: Optimizer, batch_size: Optional[int], shuffle: bool
    ) -> float:
        n = len(x)
        if batch_size is not None and batch_size < n and shuffle:
            order = shuffled_indices(n, self.rng)
            x, y = take_rows(x, order), take_rows(y, order)
        parameters = self.parameters()
        total = 0.0
        for start, stop in batch_slices(n, batch_size):
            loss, grads = self._loss_and_gradients(x[start:stop], y[start:stop])
            optimizer.step(parameters, grads)
            total += loss if self.loss_function.reduction == "sum" else loss * (stop - start)
        return total if self.loss_function.reduction == "sum" else total / n

    def __repr__(self) -> str:
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"Network([{layers}], loss={self.loss_function.name!r})"
