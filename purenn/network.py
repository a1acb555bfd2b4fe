"""The network: layers in sequence, a loss, a seeded generator, and the public surface.

Read it from ``backprop`` down: it runs forward through every layer, the loss, then backward
through the layers in reverse (the chain rule).  ``gradients`` is that pass on checked data;
``fit`` checks its data and options and hands the epochs to ``purenn.training.train``, which
calls ``backprop`` per batch and lets the optimizer step.  Inputs are checked here, once, at the
public boundary; below this everything is trusted.

Modes.  A network is in training mode (as it starts, and as PyTorch's modules start) or in
evaluation mode; ``train()`` and ``eval()`` switch it, and every layer, for good.  The passes
on checked data (``forward``, ``backward``, ``backprop``) and ``gradients`` run in the current
mode; so does ``purenn.gradient_checking``.  The verbs choose their own mode for their duration and
then put the user's back: ``fit`` trains in training mode and validates in evaluation mode;
``predict``, ``predict_classes``, ``loss`` and ``evaluate`` run in evaluation mode.  Only
Dropout and BatchNorm behave differently in the two modes.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

from purenn.arguments import check_flag, check_seed, shown
from purenn.errors import ConfigurationError, DataError, ShapeError
from purenn.layers import Buffer, Layer, Parameter
from purenn.losses import LOSSES, Loss
from purenn.matrix import as_float_matrix, format_shape
from purenn.metrics import evaluate_metrics, get_metrics, predicted_classes
from purenn.straightline import straight_line_step
from purenn.training import (
    FitOptions,
    History,
    batch_slices,
    in_mode,
    split_validation,
    train,
)

if TYPE_CHECKING:
    from typing import Any, ClassVar, Mapping, Sequence

    from purenn.kernels import Matrix
    from purenn.layers import SampleShape, Stored
    from purenn.optimizers import Optimizer
    from purenn.straightline import StraightLineStep

__all__ = ["Network", "build_layers"]

# The methods a written-out step stands in for: a subclass overriding one gets the plain step.
_PASSES = ("forward", "backward", "backprop", "parameters")


class Network:
    """A feed-forward network: ``layers`` applied in order, trained against ``loss``.

    ``loss`` is a registered name (e.g. "sse") or a Loss.  ``seed`` seeds the network's own
    ``random.Random``, which draws the initial weights (layer by layer, in order), the
    shuffling order and the dropout masks, so a seed fixes a run completely; None seeds from
    the operating system.

    Modes: ``training`` is True in training mode (the start) and False in evaluation mode;
    ``train()`` and ``eval()`` switch (see the module docstring for who uses which mode).

    Shapes: the first layer knows the shape of a sample, ``input_shape``: (n_in,) for a Dense
    layer, and for an image layer the (C, H, W) it was told, e.g.
    ``Conv2D(1, 8, 3, input_shape=(1, 8, 8))``.  Every later layer learns its input shape from
    the layer below when the network is made (``build_layers``), and a layer that cannot take
    it is refused then, naming both layers and both shapes.  Samples still travel as rows: an
    image is a row of C·H·W numbers, channel-major, so data, ``predict`` and every loss keep
    their nested-list form.  ``summary()`` prints the shapes.
    """

    def __init__(
        self, layers: Sequence[Layer], loss: str | Loss = "sse", seed: int | None = None
    ) -> None:
        if not isinstance(layers, (list, tuple)):
            raise ConfigurationError(
                f"Network: layers must be a list of layers, got {shown(layers)}"
            )
        self.layers: list[Layer] = list(layers)
        if not self.layers:
            raise ConfigurationError("Network: needs at least one layer")
        for index, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise ConfigurationError(f"Network: layers[{index}] is not a Layer: {shown(layer)}")
            # One object in two places would keep one cache (one dropout mask) for both passes.
            first = next(i for i, other in enumerate(self.layers) if other is layer)
            if first != index:
                raise ConfigurationError(
                    f"Network: layers[{index}] is the same {layer!r} object as layers[{first}]: "
                    "make a new layer for each place"
                )
        self.input_shape, self.output_shape = build_layers(self.layers)
        self.loss_function = LOSSES.resolve(loss, "Network")
        _check_output_range(self.layers[-1], self.loss_function)
        self.rng = random.Random(check_seed(seed, "Network"))
        for index, layer in enumerate(self.layers):
            layer.initialize(self.rng)
            for local_name, held in _named_state(layer):
                held.name = f"layers[{index}].{local_name}"
        self.training = True
        self.train(self.training)

    @property
    def n_in(self) -> int:
        """Number of inputs per sample."""
        return self.layers[0].n_in

    @property
    def n_out(self) -> int:
        """Number of outputs per sample."""
        return self.layers[-1].n_out

    def parameters(self) -> list[Parameter]:
        """Every trainable parameter, layer by layer (weights before bias)."""
        return [parameter for layer in self.layers for _, parameter in layer.named_parameters()]

    def buffers(self) -> list[Buffer]:
        """Every buffer, layer by layer: the state layers update themselves in training mode
        (BatchNorm's running statistics), never trained, always saved.

        >>> import purenn as pn
        >>> pn.Network([pn.Dense(2, 3), pn.BatchNorm(3)]).buffers()  # doctest: +ELLIPSIS
        [<Buffer layers[1].running_mean 1×3>, <Buffer layers[1].running_var 1×3>, ...]
        """
        return [buffer for layer in self.layers for _, buffer in layer.named_buffers()]

    # -- modes --------------------------------------------------------------------------------

    def train(self, mode: bool = True) -> Network:
        """Put the network and every layer in training mode (``mode`` True: dropout drops,
        BatchNorm normalises by the batch and updates its running statistics) or evaluation
        mode (False); return the network, as PyTorch's ``Module.train`` does.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(2, 2), pn.Dropout(0.5)], seed=0)
        >>> net.train(False).training, net.layers[1].training, net.train().training
        (False, False, True)
        """
        self.training = check_flag(mode, "mode", "Network.train")
        for layer in self.layers:
            layer.training = self.training
        return self

    def eval(self) -> Network:
        """``train(False)``: evaluation mode (dropout is the identity, BatchNorm uses its
        running statistics); return the network.

        >>> import purenn as pn
        >>> pn.Network([pn.Dense(2, 2)]).eval().training
        False
        """
        return self.train(False)

    def check_training_batch(self, rows: int, where: str) -> None:
        """ShapeError naming ``where`` and the layer if a layer cannot run a training-mode pass
        on a batch of ``rows`` rows (BatchNorm of vectors needs two rows).

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(2, 2), pn.BatchNorm(2)])
        >>> net.check_training_batch(1, "fit")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        purenn.errors.ShapeError: fit: layers[1] BatchNorm(2): in training mode it needs more ...
        """
        for index, layer in enumerate(self.layers):
            try:
                layer.check_training_batch(rows)
            except ShapeError as error:
                raise ShapeError(f"{where}: layers[{index}] {error}") from None

    # -- checking at the boundary -------------------------------------------------------------

    def _check_inputs(self, x: Any, where: str) -> Matrix:
        matrix = as_float_matrix(x, where, "X")
        if len(matrix[0]) != self.n_in:
            samples = ""
            if len(self.input_shape) > 1:
                samples = (
                    f" (samples of shape {format_shape(self.input_shape)} for layers[0] "
                    f"{self.layers[0]!r}, each one row, channel-major)"
                )
            raise ShapeError(
                f"{where}: X is {format_shape((len(matrix), len(matrix[0])))} but the network "
                f"takes {self.n_in} inputs per row{samples}"
            )
        self.layers[0].check_input(matrix, where)
        return matrix

    def check_data(self, x: Any, y: Any, where: str) -> tuple[Matrix, Matrix]:
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

    def straight_line_step(
        self, optimizer: Optimizer, clip_norm: float | None
    ) -> StraightLineStep | None:
        """``backprop`` and the optimizer's update written out as one straight-line step for
        fit (``purenn.straightline``): the same bits, faster on a small network; None where it
        cannot be written out, and for a subclass that overrides a pass the step would skip.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(3, 4, "sigmoid"), pn.Dense(4, 1, "sigmoid")], loss="sse")
        >>> previous = pn.straightline.use_straight_lines(True)  # as by default, except on PyPy
        >>> net.straight_line_step(pn.SGD(lr=1.0), None) is not None
        True
        >>> _ = pn.straightline.use_straight_lines(*previous)
        """
        if any(getattr(type(self), name) is not getattr(Network, name) for name in _PASSES):
            return None
        return straight_line_step(self.layers, self.loss_function, optimizer, clip_norm)

    def backprop(self, x: Matrix, y: Matrix) -> tuple[float, Matrix]:
        """(L, output) for an already-checked batch: forward through every layer, the loss, and
        the chain rule back through every layer, which leaves ∂L/∂θ in each parameter's grad.
        The one pass that both ``gradients`` and the training loop run."""
        output = self.forward(x)
        loss, gradient = self.loss_function.value_and_gradient(output, y)
        self.backward(gradient)
        return loss, output

    # -- the public surface -------------------------------------------------------------------

    def predict(self, x: Any) -> Matrix:
        """The network's output for X (samples × n_in): a nested list, one row per sample.
        Runs in evaluation mode (and leaves the mode as it was)."""
        inputs = self._check_inputs(x, "predict")
        with in_mode(self, False):
            return self.forward(inputs)

    def loss(self, x: Any, y: Any) -> float:
        """The loss L(predict(X), Y) as a number, in evaluation mode, as ``predict``."""
        inputs, targets = self.check_data(x, y, "loss")
        with in_mode(self, False):
            return self.loss_function.value(self.forward(inputs), targets)

    def gradients(self, x: Any, y: Any) -> tuple[float, list[Matrix]]:
        """(L, [∂L/∂θ for θ in parameters()]) at the current parameters, by backpropagation,
        in the current mode.  In training mode (the default) this is the pass a training step
        takes: it draws dropout masks from the generator and updates BatchNorm's running
        statistics, as one step of ``fit`` does before the optimizer moves."""
        inputs, targets = self.check_data(x, y, "gradients")
        if self.training:
            self.check_training_batch(len(inputs), "gradients")
        loss, _ = self.backprop(inputs, targets)
        return loss, [parameter.grad for parameter in self.parameters()]  # type: ignore[misc]

    def fit(
        self, x: Any, y: Any, epochs: int = 1, learning_rate: float | None = None,
        **options: Any,
    ) -> History:
        """Train for ``epochs`` passes over (X, Y); return the History.

        Each step computes the gradient of the loss on a batch and lets the optimizer subtract
        it.  With no options this is the seed's full-batch gradient descent θ ← θ − η ∂L/∂θ,
        η = ``learning_rate`` (default 0.01; the seed uses 1.0).  The keyword ``options`` are
        the fields of ``purenn.training.FitOptions``, documented there: optimizer, batch_size,
        shuffle, schedule, clip_norm, validation_data, validation_split, metrics,
        early_stopping, callback, verbose.

        The batches run in training mode and the validation data in evaluation mode; fit
        leaves the network in the mode it was in.

        Raises ConfigurationError or ShapeError (naming fit) for bad arguments (a batch that
        a layer cannot train on, such as one row for BatchNorm, before the first epoch), and
        DivergenceError when the loss or the weights would become NaN or infinite: the message
        names the epoch and batch, and the network keeps the last finite weights.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(2, 1, "sigmoid")], loss="sse", seed=0)
        >>> history = net.fit([[0, 1], [1, 0]], [[1], [0]], epochs=100, learning_rate=1.0)
        >>> history.loss[0] > history.loss[-1]
        True
        """
        settings = FitOptions(epochs=epochs, learning_rate=learning_rate, **options)
        inputs, targets = self.check_data(x, y, "fit")
        data, validation = self._validation(inputs, targets, settings)
        rows, size = len(data[0]), settings.batch_size
        for start, stop in batch_slices(rows, size):
            # Name batch_size when the one row too few is the remainder it leaves at the end.
            last = size is not None and stop - start not in (size, rows)
            where = f"fit (batch_size={size} leaves {stop - start} of {rows} rows)"
            self.check_training_batch(stop - start, where if last else "fit")
        return train(self, data, validation, settings)

    def _validation(
        self, x: Matrix, y: Matrix, settings: FitOptions
    ) -> tuple[tuple[Matrix, Matrix], tuple[Matrix, Matrix] | None]:
        """(training data, validation data or None) from fit's two ways of asking for it."""
        if settings.validation_split is not None:
            return split_validation(x, y, settings.validation_split, "fit")
        pair = settings.validation_data
        if pair is None:
            return (x, y), None
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ConfigurationError(
                f"fit: validation_data must be a pair (X_val, Y_val), got {shown(pair)}"
            )
        return (x, y), self.check_data(pair[0], pair[1], "fit (validation_data)")

    def predict_classes(self, x: Any) -> list[int]:
        """The class of each row of X: argmax of the outputs, or for a single output column
        (sigmoid-style) 1 if the output > 0.5 else 0.  n × n_in → n ints.
        """
        return predicted_classes(self.predict(x), self.loss_function)

    def evaluate(self, x: Any, y: Any, metrics: Sequence[str] = ()) -> dict[str, float]:
        """{"loss": L(predict(X), Y), metric: value, ...} on (X, Y), for the loss and each
        metric named in ``metrics`` (e.g. ["accuracy"]); in evaluation mode, as ``predict``.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(2, 2)], loss="cross_entropy", seed=0)
        >>> sorted(net.evaluate([[0, 1], [1, 0]], [0, 1], metrics=["accuracy"]))
        ['accuracy', 'loss']
        """
        inputs, targets = self.check_data(x, y, "evaluate")
        chosen = get_metrics(metrics, "evaluate")
        with in_mode(self, False):
            output = self.forward(inputs)
        values = {"loss": self.loss_function.value(output, targets)}
        values.update(evaluate_metrics(chosen, output, targets, self.loss_function))
        return values

    def summary(self) -> str:
        """A table of the layers, as Keras's ``summary()`` prints it: each layer with the shape
        of its output (C×H×W for images) and its number of parameters, then the total.

        >>> import purenn as pn
        >>> print(pn.Network([pn.Dense(3, 4, "sigmoid"), pn.Dense(4, 1, "sigmoid")]).summary())
        layer                                        output shape  parameters
        ---------------------------------------------------------------------
        input                                                   3           0
        layers[0] Dense(3, 4, activation='sigmoid')             4          16
        layers[1] Dense(4, 1, activation='sigmoid')             1           5
        ---------------------------------------------------------------------
        total                                                              21
        """
        rows = [("input", format_shape(self.input_shape), 0)]
        for index, layer in enumerate(self.layers):
            count = sum(math.prod(parameter.shape) for _, parameter in layer.named_parameters())
            shape = format_shape(layer.output_shape or ())
            rows.append((f"layers[{index}] {layer!r}", shape, count))
        name_width = max(len("layer"), *(len(name) for name, _, _ in rows))
        shape_width = max(len("output shape"), *(len(shape) for _, shape, _ in rows))
        header = f"{'layer':<{name_width}}  {'output shape':>{shape_width}}  parameters"
        rule = "-" * len(header)
        lines = [header, rule]
        lines += [f"{name:<{name_width}}  {shape:>{shape_width}}  {count:>10}"
                  for name, shape, count in rows]
        total = sum(count for _, _, count in rows)
        lines += [rule, f"{'total':<{name_width}}  {'':>{shape_width}}  {total:>10}"]
        return "\n".join(lines)

    def __repr__(self) -> str:
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"Network([{layers}], loss={self.loss_function.name!r})"

    # -- the numbers as plain data ------------------------------------------------------------
    # File formats (purenn.formats) build on these two methods; the network knows no format.

    # state_dict keys are PyTorch's (torch.nn.Module.state_dict), "layers.0.weight", so code
    # written for PyTorch finds its way; purenn's Dense "weights" and BatchNorm's γ and β are
    # "weight" and "bias" there.
    STATE_NAMES: ClassVar[Mapping[str, str]] = {
        "weights": "weight", "gamma": "weight", "beta": "bias",
    }

    def _state_items(self) -> list[tuple[str, Stored]]:
        """(key, parameter or buffer) of every state entry: per layer, its parameters, then
        its buffers, as PyTorch orders a state dict."""
        return [
            (f"layers.{index}.{self.STATE_NAMES.get(name, name)}", held)
            for index, layer in enumerate(self.layers)
            for name, held in _named_state(layer)
        ]

    def state_dict(self) -> dict[str, Matrix]:
        """Every parameter's and buffer's values, copied, by PyTorch-style name, layer by layer
        (parameters in ``parameters()`` order, then the layer's buffers):
        {"layers.0.weight": W (n_in × n_out), "layers.0.bias": b (1 × n_out), …,
        "layers.1.running_mean": (1 × C), …}.

        The names are those of a PyTorch module holding its layers in ``self.layers``; the
        values keep purenn's orientation (W is n_in × n_out, the transpose of ``nn.Linear``'s
        weight: ``purenn.formats.export_npz`` writes PyTorch's).  Buffers (BatchNorm's running
        statistics and its count of batches, 1 × 1) are state, as in PyTorch: never trained,
        always saved.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(2, 1, bias=False)], seed=0)
        >>> net.state_dict()
        {'layers.0.weight': [[0.9741721072087512], [0.7296052302240599]]}
        >>> net = pn.Network([pn.Dense(2, 2), pn.BatchNorm(2)])
        >>> [key for key in net.state_dict() if key.startswith("layers.1")]  # γ, β, buffers
        ... # doctest: +NORMALIZE_WHITESPACE
        ['layers.1.weight', 'layers.1.bias', 'layers.1.running_mean', 'layers.1.running_var',
         'layers.1.num_batches_tracked']
        """
        return {key: [row[:] for row in held.value] for key, held in self._state_items()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter and buffer from ``state``, a dict shaped like ``state_dict()``'s
        (numbers may be ints; they are copied as floats).  All or nothing: ``state`` is checked
        whole before any value changes, each layer's buffers by the layer itself
        (``Layer.check_buffers``: BatchNorm refuses a negative running variance).

        Raises ShapeError when a name is missing or unexpected or a matrix has the wrong shape,
        and DataError for a NaN or infinite value or buffers a layer refuses; the message names
        the entry.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(2, 1)], seed=0)
        >>> net.load_state_dict({"layers.0.weight": [[1], [2]], "layers.0.bias": [[0.5]]})
        >>> net.predict([[1, 1]])
        [[3.5]]
        """
        items = self._state_items()
        # A mapping as dict() tells one: keys() and indexing (collections.abc costs import time).
        if not (hasattr(state, "keys") and hasattr(state, "__getitem__")):
            raise ShapeError(f"load_state_dict: state must be a dict, got {shown(state)}")
        expected = [key for key, _ in items]
        missing = [key for key in expected if key not in state]
        unexpected = [repr(key) for key in state if key not in expected]
        if missing or unexpected:
            raise ShapeError(
                f"load_state_dict: missing {', '.join(missing) or 'nothing'}; unexpected "
                f"{', '.join(unexpected) or 'nothing'} (this network has {', '.join(expected)})"
            )
        values = [self._state_value(state[key], key, held.shape) for key, held in items]
        loaded = {id(held): value for (_, held), value in zip(items, values)}
        for index, layer in enumerate(self.layers):
            buffers = {name: loaded[id(buffer)] for name, buffer in layer.named_buffers()}
            try:
                layer.check_buffers(buffers)
            except DataError as error:
                raise DataError(f"load_state_dict: layers.{index}: {error}") from None
        for (_, held), value in zip(items, values):
            held.value[:] = value

    @staticmethod
    def _state_value(value: Any, key: str, expected: tuple[int, int]) -> Matrix:
        """``value`` as a float matrix of shape ``expected`` (as_float_matrix refuses NaN and
        ±inf with a DataError)."""
        matrix = as_float_matrix(value, "load_state_dict", key)
        if (len(matrix), len(matrix[0])) != expected:
            raise ShapeError(
                f"load_state_dict: {key} is {format_shape((len(matrix), len(matrix[0])))} but "
                f"the network's is {format_shape(expected)}"
            )
        return matrix


def _named_state(layer: Layer) -> list[tuple[str, Stored]]:
    """The layer's (local name, parameter or buffer) pairs: its parameters, then its buffers."""
    named: list[tuple[str, Stored]] = [*layer.named_parameters(), *layer.named_buffers()]
    return named


def build_layers(layers: Sequence[Layer]) -> tuple[SampleShape, SampleShape]:
    """(input shape, output shape) of the network: each layer built in order on the output
    shape of the one below, the first on the input shape it declares.

    Raises ConfigurationError when the first layer does not know its input shape, or when a
    layer cannot take what the layer below gives: the message names both layers (index and
    repr) and both shapes.

    >>> from purenn import Conv2D, Dense, Flatten
    >>> build_layers([Conv2D(1, 2, 3, input_shape=(1, 5, 5)), Flatten(), Dense(18, 2)])
    ((1, 5, 5), (2,))
    """
    first = layers[0]
    input_shape = first.declared_input_shape()
    if input_shape is None:
        raise ConfigurationError(
            f"Network: layers[0] {first!r} does not know the shape of its input: "
            "give the first layer input_shape=(C, H, W)"
        )
    try:
        shape = first.build(input_shape)
    except ShapeError as error:
        raise ConfigurationError(f"Network: layers[0] {error}") from None
    for index in range(1, len(layers)):
        try:
            shape = layers[index].build(shape)
        except ShapeError as error:
            raise ConfigurationError(
                f"Network: layers[{index - 1}] gives {_described(shape)} but layers[{index}] "
                f"{error}; layers[{index - 1}] is {layers[index - 1]!r}"
            ) from None
    return input_shape, shape


def _described(shape: SampleShape) -> str:
    """"3 outputs" for a vector, "output shape 8×6×6" for anything else."""
    if len(shape) == 1:
        return f"{shape[0]} output{'s' if shape[0] != 1 else ''}"
    return f"output shape {format_shape(shape)}"


def _check_output_range(last: Layer, loss: Loss) -> None:
    """A loss that needs outputs in an interval (bce: probabilities) gets a last layer whose
    outputs are known to lie in it; checked once here rather than on every batch."""
    low, high = loss.output_range
    given_low, given_high = last.output_range()
    if given_low < low or given_high > high:
        raise ConfigurationError(
            f"Network: the {loss.name} loss needs outputs in [{low:g}, {high:g}], but the last "
            f"layer {last!r} gives outputs in [{given_low:g}, {given_high:g}]"
            + (" (end with a sigmoid layer)" if (low, high) == (0.0, 1.0) else "")
        )

