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
        """None: it learns its input shape from the layer below."""
        return None

    def build(self, input_shape: SampleShape) -> SampleShape:
        """Build the inner layers in order on ``input_shape``; their output must be that shape."""
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
        """Each inner layer's, in order."""
        for layer in self.layers:
            layer.initialize(rng)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """("layers.j.name", θ) for each inner layer j's parameters, in order."""
        return [(f"layers.{j}.{name}", parameter) for j, layer in enumerate(self.layers)
                for name, parameter in layer.named_parameters()]

    def named_buffers(self) -> list[tuple[str, Buffer]]:
        """("layers.j.name", buffer) for each inner layer's buffers."""
        return [(f"layers.{j}.{name}", buffer) for j, layer in enumerate(self.layers)
                for name, buffer in layer.named_buffers()]

    def check_training_batch(self, rows: int) -> None:
        """Each inner layer's check."""
        for layer in self.layers:
            layer.check_training_batch(rows)

    def forward(self, x: Matrix) -> Matrix:
        """y = x + f(x)."""
        y = x
        for layer in self.layers:
            layer.training = self.training
            y = layer.forward(y)
        return [[a + b for a, b in zip(row, f_row)] for row, f_row in zip(x, y)]

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """∂L/∂x = ∂L/∂y + f's backward of ∂L/∂y."""
        grad = grad_output
        for index in range(len(self.layers) - 1, -1, -1):
            result = self.layers[index].backward(grad, need_input_grad or index > 0)
            if result is None:
                return None
            grad = result
        return [[a + b for a, b in zip(row, f_row)] for row, f_row in zip(grad_output, grad)]

    def branch_signature(self) -> tuple[Hashable, ...]:
        """The inner layers' signatures, in order."""
        return tuple(part for layer in self.layers for part in layer.branch_signature())

    def config(self) -> dict[str, Any]:
        """{"layers": the inner layers}."""
        return {"layers": self.layers}

    def __repr__(self) -> str:
        return f"Residual([{', '.join(repr(layer) for layer in self.layers)}])"
