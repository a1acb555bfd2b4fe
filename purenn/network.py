"""The network: layers in sequence, a loss, a seeded generator, and the public surface.

Read it from ``backprop`` down: it runs forward through every layer, the loss, then backward
through the layers in reverse (the chain rule).  ``gradients`` is that pass on checked data;
``train_step`` is that pass, then the optimizer's update; ``fit`` checks its data and options
and hands the epochs to ``purenn.training.train``, which calls ``train_step`` once per batch.
Inputs are checked here, once, at the public boundary; below this everything is trusted.

``fit(..., compile=True)`` and ``predict(..., compile=True)`` hand the same work to
``purenn.compiled`` (generated code, the same bits, faster), which is imported then and only
then: the code above is what runs by default.

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
from purenn.errors import ConfigurationError, ShapeError
from purenn.fit_options import FitOptions
from purenn.inference import Inference, compiled_package
from purenn.layers import Buffer, Layer, Parameter
from purenn.layers.chain import build_layers, check_output_range, layer_table
from purenn.losses import LOSSES, Loss
from purenn.matrix import as_float_matrix, format_shape
from purenn.optimizers import clip_checked_gradients
from purenn.state import load_state, named_state, state_items
from purenn.training import (
    History,
    batch_slices,
    non_finite_loss,
    split_validation,
    train,
)

if TYPE_CHECKING:
    from typing import Any, Mapping, Sequence

    from purenn.kernels import Matrix
    from purenn.optimizers import Optimizer

__all__ = ["Network"]

class Network(Inference):
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

    >>> import purenn as pn
    >>> net = pn.Network([pn.Dense(3, 4, "sigmoid"), pn.Dense(4, 1, "sigmoid")], loss="sse", seed=1)
    >>> net
    Network([Dense(3, 4, activation='sigmoid'), Dense(4, 1, activation='sigmoid')], loss='sse')
    >>> net.input_shape, net.output_shape, len(net.parameters())
    ((3,), (1,), 4)
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
        check_output_range(self.layers[-1], self.loss_function)
        self.rng = random.Random(check_seed(seed, "Network"))
        for index, layer in enumerate(self.layers):
            layer.initialize(self.rng)
            for local_name, held in named_state(layer):
                held.name = f"layers[{index}].{local_name}"
        self.training = True
        self.train(self.training)

    @property
    def n_in(self) -> int:
        """Number of inputs per sample.

        >>> import purenn as pn
        >>> pn.Network([pn.Dense(3, 4), pn.Dense(4, 2)]).n_in
        3
        """
        return self.layers[0].n_in

    @property
    def n_out(self) -> int:
        """Number of outputs per sample.

        >>> import purenn as pn
        >>> pn.Network([pn.Dense(3, 4), pn.Dense(4, 2)]).n_out
        2
        """
        return self.layers[-1].n_out

    def parameters(self) -> list[Parameter]:
        """Every trainable parameter, layer by layer (weights before bias).

        >>> import purenn as pn
        >>> pn.Network([pn.Dense(3, 4), pn.Dense(4, 1, bias=False)]).parameters()
        [<Parameter layers[0].weights 3×4>, <Parameter layers[0].bias 1×4>,
         <Parameter layers[1].weights 4×1>]
        """
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
        on the network (the gradient checker) that then calls ``backprop`` or ``forward``.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(2, 1)])
        >>> net.check_data([[1, 2]], [[3]], "mine")
        ([[1.0, 2.0]], [[3.0]])
        """
        inputs = self._check_inputs(x, where)
        targets = self.loss_function.prepare_target(y, len(inputs), self.n_out, where)
        return inputs, targets

    # -- the passes, on checked data ----------------------------------------------------------

    def forward(self, x: Matrix) -> Matrix:
        """The output for an already-checked batch X, every layer caching for ``backward``.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(2, 1, bias=False)])
        >>> net.layers[0].weights.value = [[1.0], [1.0]]
        >>> net.forward([[1.0, 2.0]])
        [[3.0]]
        """
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output: Matrix) -> None:
        """The chain rule from ∂L/∂(output) down through every layer, storing parameter grads.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(2, 1, bias=False)])
        >>> net.layers[0].weights.value = [[1.0], [1.0]]
        >>> _ = net.forward([[1.0, 2.0]])
        >>> net.backward([[1.0]])                     # ∂L/∂(output) = 1
        >>> net.layers[0].weights.grad
        [[1.0], [2.0]]
        """
        for index in range(len(self.layers) - 1, -1, -1):
            result = self.layers[index].backward(grad_output, need_input_grad=index > 0)
            if result is not None:
                grad_output = result

    def backprop(self, x: Matrix, y: Matrix) -> tuple[float, Matrix]:
        """(L, output) for an already-checked batch: forward through every layer, the loss, and
        the chain rule back through every layer, which leaves ∂L/∂θ in each parameter's grad.
        The one pass that both ``gradients`` and ``train_step`` run.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(1, 1, bias=False)], loss="sse", seed=0)
        >>> net.parameters()[0].value = [[1.0]]
        >>> net.backprop([[2.0]], [[3.0]]), net.parameters()[0].grad  # L = (2w − 3)², ∂L/∂w
        ((1.0, [[2.0]]), [[-4.0]])
        """
        output = self.forward(x)
        loss, gradient = self.loss_function.value_and_gradient(output, y)
        self.backward(gradient)
        return loss, output

    def train_step(
        self, x: Matrix, y: Matrix, optimizer: Optimizer, clip_norm: float | None = None
    ) -> tuple[float, Matrix]:
        """One step of training on a checked batch: ``backprop`` (which leaves ∂L/∂θ in every
        parameter's grad), then, if the loss is finite, the optimizer's update θ ← θ − η·∂L/∂θ
        (for SGD), the gradients first rescaled to a global L2 norm of at most ``clip_norm``.
        Returns (L, output); X is n × n_in, Y as the loss takes it.

        Raises DivergenceError, changing no weight, when L is NaN or ±inf, or when the update
        would make a weight so (the optimizer's all-or-nothing update).

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(1, 1, bias=False)], loss="sse", seed=0)
        >>> net.parameters()[0].value = [[1.0]]
        >>> net.train_step([[2.0]], [[3.0]], pn.SGD(lr=0.1)), net.parameters()[0].value
        ((1.0, [[2.0]]), [[1.4]])
        """
        loss, output = self.backprop(x, y)
        if not math.isfinite(loss):
            raise non_finite_loss(loss)
        parameters = self.parameters()
        gradients: list[Matrix] = [parameter.grad for parameter in parameters]  # type: ignore[misc]
        if clip_norm is not None:
            clip_checked_gradients(gradients, clip_norm)
        optimizer.update(parameters, gradients)
        return loss, output

    # -- the public surface -------------------------------------------------------------------

    def gradients(self, x: Any, y: Any) -> tuple[float, list[Matrix]]:
        """(L, [∂L/∂θ for θ in parameters()]) at the current parameters, by backpropagation,
        in the current mode.  In training mode (the default) this is the pass a training step
        takes: it draws dropout masks from the generator and updates BatchNorm's running
        statistics, as one step of ``fit`` does before the optimizer moves.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(1, 1)], loss="sse")
        >>> net.layers[0].weights.value = [[1.0]]
        >>> net.gradients([[1]], [[0]])               # L = 1; ∂L/∂w = 2·1·1, ∂L/∂b = 2·1
        (1.0, [[[2.0]], [[2.0]]])
        """
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

        Each step is ``train_step``: the gradient of the loss on a batch, then the optimizer's
        update.  With no options this is the seed's full-batch gradient descent
        θ ← θ − η ∂L/∂θ, η = ``learning_rate`` (default 0.01; the seed uses 1.0).  The keyword
        ``options`` are the fields of ``purenn.fit_options.FitOptions``, documented there:
        optimizer, batch_size, shuffle, schedule, clip_norm, validation_data,
        validation_split, metrics, early_stopping, callback, verbose, compile.

        ``compile=True`` runs generated code (``purenn.compiled``): the same bits, faster.
        ``history.compiled`` says what ran, and where it could not be exact (a layer or
        optimizer it does not write out, a method you replaced), why it ran the reference step.

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
        settings = FitOptions.from_keywords(
            epochs=epochs, learning_rate=learning_rate, **options
        )
        inputs, targets = self.check_data(x, y, "fit")
        data, validation = self._validation(inputs, targets, settings)
        self._check_batches(len(data[0]), settings.batch_size)
        if settings.compile:
            return compiled_package().fit(self, data, validation, settings)  # type: ignore[no-any-return]
        optimizer, clip_norm = settings.optimizer_in_use, settings.clip_norm

        def step(x_batch: Matrix, y_batch: Matrix) -> tuple[float, Matrix]:
            return self.train_step(x_batch, y_batch, optimizer, clip_norm)

        return train(self, data, validation, settings, step, self.rng)

    def _check_batches(self, rows: int, size: int | None) -> None:
        """ShapeError naming fit, before the first epoch, for a batch a layer cannot train on."""
        for start, stop in batch_slices(rows, size):
            # Name batch_size when the one row too few is the remainder it leaves at the end.
            last = size is not None and stop - start not in (size, rows)
            where = f"fit (batch_size={size} leaves {stop - start} of {rows} rows)"
            self.check_training_batch(stop - start, where if last else "fit")

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
        return layer_table(self.input_shape, self.layers)

    def __repr__(self) -> str:
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"Network([{layers}], loss={self.loss_function.name!r})"

    # -- the numbers as plain data ------------------------------------------------------------
    # File formats (purenn.formats) build on these two methods; the network knows no format.

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
        return {key: [row[:] for row in held.value] for key, held in state_items(self.layers)}

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
        load_state(self.layers, state, "load_state_dict")
