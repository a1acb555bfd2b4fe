"""Residual: a layer that holds layers and adds its input to their output, y = x + f(x)
(He et al. 2016; each block of a transformer is two of them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ConfigurationError, ShapeError
from purenn.layers.base import Layer, register_layer
from purenn.matrix import format_shape

if TYPE_CHECKING:
    import random
    from typing import Any, Hashable, Sequence

    from purenn.kernels import Matrix
    from purenn.layers.base import Buffer, Parameter, SampleShape

__all__ = ["Residual"]


@register_layer
class Residual(Layer):
    """y = x + f(x), f = ``layers`` applied in order; f must give the shape it takes.

    Gradient: ∂L/∂x = ∂L/∂y + (∂L/∂y back through f's layers); the parameters of f get their
    gradients from that inner pass.  Its parameters are named "layers.j.<name>" after the inner
    layer j that holds them.  The inner layers follow the residual's mode (``training``).

    >>> import purenn as pn
    >>> block = Residual([pn.SequenceDense(2, 2, bias=False)])
    >>> block.layers[0].dense.weights.value = [[2.0, 0.0], [0.0, 2.0]]
    >>> _ = block.build((1, 2))
    >>> block.forward([[1.0, 1.0]])  # x + 2x
    [[3.0, 3.0]]
    """

    def __init__(self, layers: Sequence[Layer]) -> None:
        if not isinstance(layers, (list, tuple)) or not layers:
            raise ConfigurationError(
                f"Residual: layers must be a non-empty list of layers, got {shown(layers)}"
            )
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ConfigurationError(
                    f"Residual: layers[{index}] is not a Layer: {shown(layer)}"
                )
        self.layers: list[Layer] = list(layers)

    def declared_input_shape(self) -> SampleShape | None:
        """None: it learns its input shape from the layer below.

        >>> import purenn as pn
        >>> print(Residual([pn.RMSNorm(4)]).declared_input_shape())
        None
        """
        return None

    def build(self, input_shape: SampleShape) -> SampleShape:
        """Build the inner layers in order on ``input_shape``; their output must be that shape.

        >>> import purenn as pn
        >>> Residual([pn.RMSNorm(4), pn.SequenceDense(4, 4)]).build((8, 4))
        (8, 4)
        >>> Residual([pn.Flatten()]).build((8, 4))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        purenn.errors.ShapeError: Residual([Flatten()]): its layers give 32 for 8×4; x + f(x) ...
        """
        shape = tuple(input_shape)
        for index, layer in enumerate(self.layers):
            try:
                shape = layer.build(shape)
            except ShapeError as error:
                raise ShapeError(f"{self!r}: its layers[{index}] {error}") from None
        if shape != tuple(input_shape):
            raise ShapeError(
                f"{self!r}: its layers give {format_shape(shape)} for "
                f"{format_shape(tuple(input_shape))}; x + f(x) needs the same shape"
            )
        return self.record_shapes(tuple(input_shape), tuple(input_shape))

    def initialize(self, rng: random.Random) -> None:
        """Each inner layer's, in order.

        >>> import random
        >>> import purenn as pn
        >>> block = Residual([pn.LayerNorm(2)])
        >>> block.layers[0].weight.value = [[5.0, 5.0]]
        >>> block.initialize(random.Random(0))
        >>> block.layers[0].weight.value  # LayerNorm's γ ← 1
        [[1.0, 1.0]]
        """
        for layer in self.layers:
            layer.initialize(rng)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """("layers.j.name", θ) for each inner layer j's parameters, in order.

        >>> import purenn as pn
        >>> block = Residual([pn.LayerNorm(2), pn.SequenceDense(2, 2)])
        >>> [name for name, _ in block.named_parameters()]
        ['layers.0.weight', 'layers.0.bias', 'layers.1.weights', 'layers.1.bias']
        """
        return [(f"layers.{j}.{name}", parameter) for j, layer in enumerate(self.layers)
                for name, parameter in layer.named_parameters()]

    def named_buffers(self) -> list[tuple[str, Buffer]]:
        """("layers.j.name", buffer) for each inner layer's buffers.

        >>> import purenn as pn
        >>> [name for name, _ in Residual([pn.BatchNorm(2)]).named_buffers()]
        ['layers.0.running_mean', 'layers.0.running_var', 'layers.0.num_batches_tracked']
        """
        return [(f"layers.{j}.{name}", buffer) for j, layer in enumerate(self.layers)
                for name, buffer in layer.named_buffers()]

    def check_training_batch(self, rows: int) -> None:
        """Each inner layer's check.

        >>> import purenn as pn
        >>> block = Residual([pn.BatchNorm(2)])
        >>> _ = block.build((2,))
        >>> block.check_training_batch(2)  # two rows: BatchNorm can normalise
        >>> block.check_training_batch(1)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        purenn.errors.ShapeError: BatchNorm(2): in training mode it needs more than one value ...
        """
        for layer in self.layers:
            layer.check_training_batch(rows)

    def forward(self, x: Matrix) -> Matrix:
        """y = x + f(x).

        >>> import purenn as pn
        >>> block = Residual([pn.SequenceDense(1, 1, "relu", bias=False)])
        >>> block.layers[0].dense.weights.value = [[1.0]]
        >>> block.forward([[2.0, -3.0]])  # x + relu(x) at each position
        [[4.0, -3.0]]
        """
        y = x
        for layer in self.layers:
            layer.training = self.training
            y = layer.forward(y)
        return [[a + b for a, b in zip(row, f_row)] for row, f_row in zip(x, y)]

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """∂L/∂x = ∂L/∂y + f's backward of ∂L/∂y.

        >>> import purenn as pn
        >>> block = Residual([pn.SequenceDense(1, 1, bias=False)])
        >>> block.layers[0].dense.weights.value = [[3.0]]
        >>> _ = block.forward([[1.0, 2.0]])
        >>> block.backward([[1.0, 1.0]])  # ∂L/∂y + 3·∂L/∂y
        [[4.0, 4.0]]
        >>> block.layers[0].dense.weights.grad  # Σ_t x_t·∂L/∂y_t
        [[3.0]]
        """
        grad = grad_output
        for index in range(len(self.layers) - 1, -1, -1):
            result = self.layers[index].backward(grad, need_input_grad or index > 0)
            if result is None:
                return None
            grad = result
        return [[a + b for a, b in zip(row, f_row)] for row, f_row in zip(grad_output, grad)]

    def branch_signature(self) -> tuple[Hashable, ...]:
        """The inner layers' signatures, in order.

        >>> import purenn as pn
        >>> block = Residual([pn.SequenceDense(1, 1, "relu", bias=False)])
        >>> block.layers[0].dense.weights.value = [[1.0]]
        >>> _ = block.forward([[2.0, -3.0]])
        >>> block.branch_signature()  # the inner relu's: z = 2 > 0, z = -3 < 0
        (True, False)
        """
        return tuple(part for layer in self.layers for part in layer.branch_signature())

    def config(self) -> dict[str, Any]:
        """{"layers": the inner layers}.

        >>> import purenn as pn
        >>> Residual([pn.RMSNorm(2)]).config()
        {'layers': [RMSNorm(2, eps=1e-05)]}
        """
        return {"layers": self.layers}

    def __repr__(self) -> str:
        return f"Residual([{', '.join(repr(layer) for layer in self.layers)}])"
