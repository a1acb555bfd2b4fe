"""Sliding windows over images as index tables: im2col gathers them, col2im adds gradients back.

Images travel through purenn as rows of a matrix, one row per image: an image of C channels,
H rows and W columns is a row of C·H·W numbers, channel-major then row-major, so pixel (c, i, j)
sits at index c·H·W + i·W + j.

A window of kh × kw cells slides over each image, padded by ph rows of zeros above and below and
pw columns left and right, moving by sh rows and sw columns at a time.  Output position
(oi, oj) sees the cells (oi·sh + ki − ph, oj·sw + kj − pw) for 0 ≤ ki < kh, 0 ≤ kj < kw, and
there are

    OH = ⌊(H + 2ph − kh) / sh⌋ + 1  rows and  OW = ⌊(W + 2pw − kw) / sw⌋ + 1  columns

of them.  The floor is PyTorch's rule: when the windows do not tile the padded image, the
rows and columns that the last window cannot reach are left out (and get a zero gradient).

im2col, for a 1-channel 3×3 image and a 2×2 window with stride 1 (OH = OW = 2, P = 4 output
positions, K = 4 cells per window): each output position becomes one row of the receptive-field
matrix, holding the pixels its window covers, so that a convolution is one matrix product::

    image        windows                   receptive-field matrix (P × K)
    a b c        p0: a b   p1: b c         p0: a b d e
    d e f            d e       e f         p1: b c e f
    g h i        p2: d e   p3: e f         p2: d e g h
                     g h       h i         p3: e f h i

With C channels a row holds the window's cells of every channel, channel by channel (K = C·kh·kw),
the order in which PyTorch flattens a kernel of shape (C, kh, kw).  col2im runs the other way
for the backward pass: every entry of a P × K gradient matrix is added back onto the pixel it
was gathered from, so a pixel seen by several windows (e above, seen by all four) collects the
sum of their gradients.  Padding cells gather a zero and their gradients are dropped.

The geometry is fixed once a layer knows its input shape, so it is computed once: ``Windows``
holds, for each output position, the input indices its window reads (the table) and, for each
input, the positions in the flattened receptive-field matrix that read it.  A forward pass is then
only look-ups (``operator.itemgetter``, whose loop runs in C), and col2im is a sum of look-ups
per pixel rather than a loop of scattered additions.  Look-ups and sums are complex-safe.
"""

from __future__ import annotations

import operator
from itertools import chain
from typing import TYPE_CHECKING

from purenn.arguments import check_int, shown
from purenn.errors import ConfigurationError, ShapeError
from purenn.matrix import format_shape

if TYPE_CHECKING:
    from typing import Any, Callable, Sequence, Tuple

    from purenn.kernels import Matrix

    Pair = Tuple[int, int]
    ImageShape = Tuple[int, int, int]
    Gather = Callable[[Sequence[float]], Tuple[float, ...]]

__all__ = [
    "pair",
    "format_pair",
    "output_size",
    "window_fits",
    "plane_windows",
    "convolution_table",
    "pooling_table",
    "gatherer",
    "readers_of_each_input",
    "Windows",
]


def pair(value: Any, label: str, where: str, minimum: int) -> Pair:
    """(h, w) from an int n (meaning (n, n)) or a pair of ints, each ≥ ``minimum``; otherwise
    ConfigurationError "<where>: <label> must be an int ≥ <minimum> or a pair (h, w) of them".

    >>> pair(3, "kernel_size", "Conv2D", 1), pair((2, 5), "kernel_size", "Conv2D", 1)
    ((3, 3), (2, 5))
    >>> pair(0, "stride", "Conv2D", 1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: Conv2D: stride must be an int ≥ 1 or a pair (h, w) ..., got 0
    """
    is_pair = isinstance(value, (tuple, list)) and len(value) == 2
    height, width = value if is_pair else (value, value)
    try:
        return check_int(height, label, where, minimum), check_int(width, label, where, minimum)
    except ConfigurationError:
        raise ConfigurationError(
            f"{where}: {label} must be an int ≥ {minimum} or a pair (h, w) of them, "
            f"got {shown(value)}"
        ) from None


def format_pair(value: Pair) -> str:
    """"3" for (3, 3), "(2, 5)" otherwise: how a layer's repr shows a size.

    >>> format_pair((3, 3)), format_pair((2, 5))
    ('3', '(2, 5)')
    """
    return str(value[0]) if value[0] == value[1] else f"({value[0]}, {value[1]})"


def output_size(height: int, width: int, kernel: Pair, stride: Pair, padding: Pair) -> Pair:
    """(OH, OW) = (⌊(H + 2ph − kh)/sh⌋ + 1, ⌊(W + 2pw − kw)/sw⌋ + 1): how many window
    positions fit; the caller makes sure the padded image is at least as large as the window.

    >>> output_size(8, 8, (3, 3), (1, 1), (1, 1)), output_size(5, 5, (2, 2), (2, 2), (0, 0))
    ((8, 8), (2, 2))
    """
    rows = (height + 2 * padding[0] - kernel[0]) // stride[0] + 1
    columns = (width + 2 * padding[1] - kernel[1]) // stride[1] + 1
    return rows, columns


def window_fits(
    layer: object, shape: tuple[int, ...], kernel: Pair, padding: Pair
) -> ImageShape:
    """``shape`` as (C, H, W), once it is known to be an image in which a kh × kw window fits
    after padding; otherwise ShapeError naming the layer (its repr) and the shapes.

    >>> window_fits("Conv2D(1, 4, 5)", (1, 4, 4), (5, 5), (0, 0))
    Traceback (most recent call last):
    ...
    purenn.errors.ShapeError: 'Conv2D(1, 4, 5)': its window 5×5 is larger than the image 1×4×4
    """
    if len(shape) != 3:
        raise ShapeError(f"{layer!r} takes images C×H×W, not {format_shape(shape)}")
    channels, height, width = shape
    padded_height, padded_width = height + 2 * padding[0], width + 2 * padding[1]
    if padded_height < kernel[0] or padded_width < kernel[1]:
        padded = f" padded to {padded_height}×{padded_width}" if padding != (0, 0) else ""
        raise ShapeError(
            f"{layer!r}: its window {format_shape(kernel)} is larger than the image "
            f"{format_shape(shape)}{padded}"
        )
    return channels, height, width


def plane_windows(
    height: int, width: int, kernel: Pair, stride: Pair, padding: Pair
) -> list[list[int]]:
    """For each output position (oi, oj), row-major, the indices i·W + j of the kh·kw cells its
    window covers in one H × W plane, row-major, with −1 for a cell in the padding.

    >>> plane_windows(3, 3, (2, 2), (1, 1), (0, 0))
    [[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]
    >>> plane_windows(2, 2, (2, 2), (2, 2), (1, 1))
    [[-1, -1, -1, 0], [-1, -1, 1, -1], [-1, 2, -1, -1], [3, -1, -1, -1]]
    """
    out_rows, out_columns = output_size(height, width, kernel, stride, padding)
    windows: list[list[int]] = []
    for oi in range(out_rows):
        rows = [oi * stride[0] + ki - padding[0] for ki in range(kernel[0])]
        for oj in range(out_columns):
            columns = [oj * stride[1] + kj - padding[1] for kj in range(kernel[1])]
            windows.append([
                i * width + j if 0 <= i < height and 0 <= j < width else -1
                for i in rows
                for j in columns
            ])
    return windows


def convolution_table(
    shape: ImageShape, kernel: Pair, stride: Pair, padding: Pair
) -> list[list[int]]:
    """For each output position p (row-major), the C·kh·kw input indices of its receptive field,
    channel by channel: c·H·W + i·W + j, or C·H·W (one past the image, where im2col keeps a
    zero) for a padding cell.  Row p of the receptive-field matrix is the image at these indices.

    >>> convolution_table((2, 2, 2), (1, 2), (1, 1), (0, 0))
    [[0, 1, 4, 5], [2, 3, 6, 7]]
    """
    channels, height, width = shape
    plane = height * width
    pad = channels * plane
    return [
        [c * plane + cell if cell >= 0 else pad for c in range(channels) for cell in window]
        for window in plane_windows(height, width, kernel, stride, padding)
    ]


def pooling_table(shape: ImageShape, kernel: Pair, stride: Pair) -> list[list[int]]:
    """For each output (c, oi, oj), channel-major then row-major, the input indices of its
    window within channel c: a pooling window never mixes channels, and has no padding.

    >>> pooling_table((2, 2, 3), (2, 2), (1, 1))
    [[0, 1, 3, 4], [1, 2, 4, 5], [6, 7, 9, 10], [7, 8, 10, 11]]
    """
    channels, height, width = shape
    windows = plane_windows(height, width, kernel, stride, (0, 0))
    plane = height * width
    return [
        [c * plane + cell for cell in window] for c in range(channels) for window in windows
    ]


def gatherer(indices: Sequence[int]) -> Gather:
    """The function row ↦ (row[i] for i in indices) as a tuple, by ``operator.itemgetter``.

    >>> gatherer([2, 0])([10.0, 11.0, 12.0]), gatherer([1])([10.0, 11.0]), gatherer([])([1.0])
    ((12.0, 10.0), (11.0,), ())
    """
    if len(indices) >= 2:
        return operator.itemgetter(*indices)
    # itemgetter of one index returns the bare item, of none it is an error: keep tuples.
    return _FewItems(tuple(indices))


class _FewItems:
    """row ↦ (row[i] for i in indices) for fewer than two indices, where itemgetter would not
    return a tuple; a class rather than a closure so that a layer holding one pickles."""

    def __init__(self, indices: tuple[int, ...]) -> None:
        self.indices = indices

    def __call__(self, row: Sequence[float]) -> tuple[float, ...]:
        return tuple(row[i] for i in self.indices)


def readers_of_each_input(table: Sequence[Sequence[int]], size: int) -> list[list[int]]:
    """For each input index i < size, the flat positions q = p·K + k of the table (row p,
    entry k) that read it: where col2im finds the gradients that belong to input i.
    Entries ≥ size (the padding) are read by nobody's gradient.

    >>> readers_of_each_input([[0, 1], [1, 2]], 3)
    [[0], [1, 2], [3]]
    """
    readers: list[list[int]] = [[] for _ in range(size)]
    for q, index in enumerate(chain.from_iterable(table)):
        if index < size:
            readers[index].append(q)
    return readers


class Windows:
    """The windows of one layer over one image of ``size`` inputs, compiled for speed.

    ``table[p]`` lists the input indices row p of the receptive-field matrix reads (index
    ``size`` is a padding cell, which reads 0); ``readers[i]`` lists the flat positions of that
    matrix that read input i.  ``im2col`` and ``col2im`` are each other's transpose:
    ⟨im2col(x), G⟩ = ⟨x, col2im(G)⟩ for every image x and every P × K matrix G.

    >>> windows = Windows(convolution_table((1, 3, 3), (2, 2), (1, 1), (0, 0)), 9)
    >>> windows.im2col([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])[0]
    [1.0, 2.0, 4.0, 5.0]
    >>> windows.col2im([[1.0, 1.0, 1.0, 1.0]] * 4)
    [1.0, 2.0, 1.0, 2.0, 4.0, 2.0, 1.0, 2.0, 1.0]
    """

    def __init__(self, table: list[list[int]], size: int) -> None:
        self.table = table
        self.size = size
        self.readers = readers_of_each_input(table, size)
        self.gathers = [gatherer(window) for window in table]
        self.sums = [gatherer(positions) for positions in self.readers]

    def im2col(self, image: Sequence[float]) -> Matrix:
        """The receptive-field matrix of one image (a row of ``size`` numbers): P × K, row p
        the inputs that output position p sees, zeros for padding cells."""
        padded = [*image, 0.0]
        return [list(gather(padded)) for gather in self.gathers]

    def col2im(self, columns: Matrix) -> list[float]:
        """The transpose of im2col: dX_i = Σ G_pk over the (p, k) with table[p][k] = i, for a
        P × K matrix G (∂L/∂cols); a list of ``size`` numbers (padding gradients dropped)."""
        flat = list(chain.from_iterable(columns))
        return [sum(add(flat), 0.0) for add in self.sums]
