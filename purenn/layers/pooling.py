"""Pooling: MaxPool2D and AvgPool2D, each window of each channel reduced to one number.

A window of ph × pw cells slides over every channel of an image (C, H, W) by (sh, sw), the
stride, which defaults to the window's size (windows side by side, not overlapping).  Output
(c, oi, oj) reduces the cells (c, oi·sh + ki, oj·sw + kj), 0 ≤ ki < ph, 0 ≤ kj < pw, and there
are OH = ⌊(H − ph)/sh⌋ + 1 rows and OW = ⌊(W − pw)/sw⌋ + 1 columns of windows.  When the
windows do not tile the image, the floor leaves out the last rows and columns that no window
reaches, as PyTorch does (its default ``ceil_mode=False``): a 5 × 5 image pooled by 2 gives
2 × 2, its last row and column reach no output and get a zero gradient.  There is no padding.

    max:      Y[c, o] = max over window o of X           ∂L/∂X[i] = Σ_{o : i wins o} ∂L/∂Y[c, o]
    average:  Y[c, o] = Σ over window o of X / (ph·pw)   ∂L/∂X[i] = Σ_{o ∋ i} ∂L/∂Y[c, o] / (ph·pw)

Max pooling's tie rule: the first maximum of the window in row-major order wins and takes the
whole gradient (PyTorch's CPU rule).  The maximum is not differentiable where a tie changes
hands, a kink like relu's 0: ``MaxPool2D.branch_signature`` reports every window's winner, so
the gradient checker skips a step that changes one, ties included.  Windows are compared by
their real parts, so the complex step passes through.  The windows are the index tables of
``purenn.layers.im2col``; pooling has no parameters.
"""

from __future__ import annotations

import operator
from itertools import chain
from typing import TYPE_CHECKING

from purenn.arguments import check_entries
from purenn.errors import StateError
from purenn.layers.base import Layer, check_built, check_declared, register_layer, sample_shape
from purenn.layers.im2col import Windows, format_pair, output_size, pair, pooling_table, window_fits
from purenn.matrix import format_shape

if TYPE_CHECKING:
    from typing import Any, Hashable

    from purenn.kernels import Matrix
    from purenn.layers.base import SampleShape
    from purenn.layers.im2col import Pair

__all__ = ["Pool2D", "MaxPool2D", "AvgPool2D"]

_real_part = operator.attrgetter("real")


class Pool2D(Layer):
    """What MaxPool2D and AvgPool2D share: the window (``pool_size``, an int or (h, w)), the
    ``stride`` (default: the window's size), the shapes (C, H, W) → (C, OH, OW) and the
    windows' index tables.  ``input_shape=(C, H, W)`` tells a first layer its input shape.

    >>> pool = MaxPool2D(2, input_shape=(3, 4, 4))          # a Pool2D: window 2×2, stride 2
    >>> pool.stride, pool.build((3, 4, 4))
    ((2, 2), (3, 2, 2))
    """

    windows: Windows  # compiled by build

    def __init__(
        self,
        pool_size: int | Pair,
        stride: int | Pair | None = None,
        *,
        input_shape: SampleShape | None = None,
    ) -> None:
        where = type(self).__name__
        self.pool_size = pair(pool_size, "pool_size", where, 1)
        self.stride = self.pool_size if stride is None else pair(stride, "stride", where, 1)
        self.declared = None if input_shape is None else sample_shape(input_shape, where)
        if self.declared is not None:
            self.build(self.declared)

    def declared_input_shape(self) -> SampleShape | None:
        """The ``input_shape`` the layer was given, or None.

        >>> AvgPool2D(2).declared_input_shape() is None
        True
        >>> AvgPool2D(2, input_shape=(1, 4, 4)).declared_input_shape()
        (1, 4, 4)
        """
        return self.declared

    def build(self, input_shape: SampleShape) -> SampleShape:
        """(C, OH, OW) for images (C, H, W), OH = ⌊(H − ph)/sh⌋ + 1 (the floor: windows that
        would overhang are left out); compiles the windows.  ShapeError, naming the layer and
        the shapes, if the input is not an image at least as large as the window.

        >>> MaxPool2D(2).build((8, 5, 5))
        (8, 2, 2)
        """
        shape = check_declared(self, input_shape)
        channels, height, width = window_fits(self, shape, self.pool_size, (0, 0))
        rows, columns = output_size(height, width, self.pool_size, self.stride, (0, 0))
        check_entries(channels * rows * columns * self.pool_size[0] * self.pool_size[1],
                      f"the windows of {self!r} on {format_shape(shape)}", type(self).__name__)
        table = pooling_table((channels, height, width), self.pool_size, self.stride)
        self.windows = Windows(table, channels * height * width)
        return self.record_shapes(shape, (channels, rows, columns))

    def config(self) -> dict[str, Any]:
        """{"pool_size", "stride", "input_shape"}, sizes as (h, w) pairs.

        >>> MaxPool2D(2).config()
        {'pool_size': (2, 2), 'stride': (2, 2), 'input_shape': None}
        """
        return {"pool_size": self.pool_size, "stride": self.stride, "input_shape": self.declared}

    def __repr__(self) -> str:
        arguments = [format_pair(self.pool_size)]
        if self.stride != self.pool_size:
            arguments.append(f"stride={format_pair(self.stride)}")
        if self.declared is not None:
            arguments.append(f"input_shape={self.declared!r}")
        return f"{type(self).__name__}({', '.join(arguments)})"


@register_layer
class MaxPool2D(Pool2D):
    """Y[c, o] = the largest X in window o of channel c (compared by real part); the first
    maximum in row-major order wins a tie and takes the gradient:
    ∂L/∂X[i] = Σ over the windows o that i wins of ∂L/∂Y[o] (overlapping windows can share a
    winner).  After a forward pass ``cache`` holds each image's winners, one input index per
    output.

    >>> layer = MaxPool2D(2, input_shape=(1, 2, 4))
    >>> layer.forward([[1.0, 5.0, 2.0, 2.0,
    ...                 3.0, 4.0, 0.0, 2.0]])
    [[5.0, 2.0]]
    >>> layer.cache                     # 5.0 at index 1; the tie of 2.0s goes to the first, 2
    [[1, 2]]
    >>> layer.backward([[10.0, 20.0]])
    [[0.0, 10.0, 20.0, 0.0, 0.0, 0.0, 0.0, 0.0]]
    """

    cache: list[list[int]] | None = None

    def forward(self, x: Matrix) -> Matrix:
        """Each window's maximum, channel-major; caches the index of each winner.

        >>> MaxPool2D(2, input_shape=(1, 2, 2)).forward([[1.0, 3.0, 2.0, 0.0]])
        [[3.0]]
        """
        check_built(self)
        outputs, winners = [], []
        for image in x:
            windows = [gather(image) for gather in self.windows.gathers]
            # max returns the first of equal maxima, and index finds that first one again.
            largest = [max(window, key=_real_part) for window in windows]
            outputs.append(largest)
            winners.append([cells[window.index(value)] for cells, window, value
                            in zip(self.windows.table, windows, largest)])
        self.cache = winners
        return outputs

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """∂L/∂X[i] = Σ_{o : i won window o} ∂L/∂Y[o]; zero for inputs that won nothing.

        >>> pool = MaxPool2D(2, input_shape=(1, 2, 2))
        >>> _ = pool.forward([[1.0, 3.0, 2.0, 0.0]])
        >>> pool.backward([[1.0]])                               # all to the winner
        [[0.0, 1.0, 0.0, 0.0]]
        """
        if self.cache is None:
            raise StateError("MaxPool2D.backward: called before forward (nothing cached)")
        if not need_input_grad:
            return None
        result = []
        for grads, sources in zip(grad_output, self.cache):
            grad_input = [0.0] * self.n_in
            for grad, source in zip(grads, sources):
                grad_input[source] += grad
            result.append(grad_input)
        return result

    def branch_signature(self) -> tuple[Hashable, ...]:
        """The winner of every window of every image in the last forward pass: a step that
        changes one (a tie broken the other way) ran through another smooth piece.

        >>> pool = MaxPool2D(2, input_shape=(1, 2, 2))
        >>> _ = pool.forward([[1.0, 3.0, 2.0, 0.0]])
        >>> pool.branch_signature()                              # window 0 is won by cell 1
        (1,)
        """
        return () if self.cache is None else tuple(chain.from_iterable(self.cache))


@register_layer
class AvgPool2D(Pool2D):
    """Y[c, o] = (1/(ph·pw)) Σ of window o of channel c; ∂L/∂X[i] = Σ over the windows o that
    contain i of ∂L/∂Y[o]/(ph·pw) (im2col's col2im).  Smooth and linear: backward needs
    nothing from the forward pass.

    >>> layer = AvgPool2D(2, input_shape=(1, 2, 4))
    >>> layer.forward([[1.0, 5.0, 2.0, 2.0,
    ...                 3.0, 4.0, 0.0, 2.0]])
    [[3.25, 1.5]]
    >>> layer.backward([[4.0, 8.0]])
    [[1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0]]
    """

    def forward(self, x: Matrix) -> Matrix:
        """Each window's mean, channel-major (nothing to cache).

        >>> AvgPool2D(2, input_shape=(1, 2, 2)).forward([[1.0, 3.0, 2.0, 0.0]])
        [[1.5]]
        """
        check_built(self)
        count = self.pool_size[0] * self.pool_size[1]
        return [[sum(gather(image)) / count for gather in self.windows.gathers] for image in x]

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """∂L/∂X = col2im(G) with G[o] = ∂L/∂Y[o]/(ph·pw) repeated over the window's cells:
        it needs nothing from forward, only the windows.

        >>> pool = AvgPool2D(2, input_shape=(1, 2, 2))
        >>> pool.backward([[1.0]])                               # a quarter to each cell
        [[0.25, 0.25, 0.25, 0.25]]
        """
        check_built(self)
        if not need_input_grad:
            return None
        count = self.pool_size[0] * self.pool_size[1]
        return [
            self.windows.col2im([[grad / count] * count for grad in grads])
            for grads in grad_output
        ]
