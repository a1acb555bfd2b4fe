"""Flatten: the layer between images and Dense layers, which changes a shape and nothing else.

A sample already travels as one row of numbers, so an image (C, H, W) is a row of C·H·W numbers,
channel-major, before and after: Flatten's forward and backward passes hand their batch on
unchanged.  What changes is what the network knows: the layer below gives images, the layer
above (a Dense) takes vectors of n = C·H·W numbers.  Writing it out keeps every shape in a
network explicit, and ``Network.summary()`` shows where images become vectors.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn.layers.base import Layer, check_declared, register_layer, sample_shape

if TYPE_CHECKING:
    from typing import Any

    from purenn.kernels import Matrix
    from purenn.layers.base import SampleShape

__all__ = ["Flatten"]


@register_layer
class Flatten(Layer):
    """Samples of any shape (C, H, W) become vectors (C·H·W,); the rows pass unchanged.
    ``input_shape`` tells a first layer its input shape.

    >>> layer = Flatten()
    >>> layer.build((8, 4, 4))
    (128,)
    >>> layer.forward([[1.0, 2.0]]), layer.backward([[3.0, 4.0]])
    ([[1.0, 2.0]], [[3.0, 4.0]])
    """

    def __init__(self, *, input_shape: SampleShape | None = None) -> None:
        self.declared = None if input_shape is None else sample_shape(input_shape, "Flatten")
        if self.declared is not None:
            self.build(self.declared)

    def declared_input_shape(self) -> SampleShape | None:
        """The ``input_shape`` the layer was given, or None.

        >>> Flatten().declared_input_shape(), Flatten(input_shape=(2, 3, 3)).declared_input_shape()
        (None, (2, 3, 3))
        """
        return self.declared

    def build(self, input_shape: SampleShape) -> SampleShape:
        """(∏ input_shape,): the number of values per sample.

        >>> Flatten().build((2, 3, 3))
        (18,)
        """
        shape = check_declared(self, input_shape)
        return self.record_shapes(shape, (math.prod(shape),))

    def config(self) -> dict[str, Any]:
        """{"input_shape": the declared input shape or None}.

        >>> Flatten().config()
        {'input_shape': None}
        """
        return {"input_shape": self.declared}

    def forward(self, x: Matrix) -> Matrix:
        """X itself: each row is already the flattened sample (nothing to cache).

        >>> Flatten().forward([[1.0, 2.0, 3.0, 4.0]])            # the rows already are flat
        [[1.0, 2.0, 3.0, 4.0]]
        """
        return x

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """∂L/∂X = ∂L/∂Y, the same rows (None if not needed): it needs nothing from forward.

        >>> Flatten().backward([[1.0, 2.0]])
        [[1.0, 2.0]]
        """
        return grad_output if need_input_grad else None

    def __repr__(self) -> str:
        declared = "" if self.declared is None else f"input_shape={self.declared!r}"
        return f"Flatten({declared})"
