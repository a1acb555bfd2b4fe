"""Hypothesis strategies for image layers: convolution and pooling geometries that fit their
images, small enough that a full gradient check takes milliseconds."""

from typing import Any, Dict, List, NamedTuple, Tuple

from hypothesis import strategies as st
from strategies import MODEST

Matrix = List[List[float]]
Pair = Tuple[int, int]

# Pixels drawn from a few values make equal neighbours (ties for max pooling) common.
TIED = st.sampled_from([0.0, 0.5, 1.0])


class ConvCase(NamedTuple):
    """A Conv2D's keyword arguments, the shape (C, H, W) of its images, and a batch X."""

    kwargs: Dict[str, Any]
    shape: Tuple[int, int, int]
    x: Matrix


def pairs(low: int, high: int) -> st.SearchStrategy[Pair]:
    """(h, w) with each side in [low, high]: square and non-square alike."""
    return st.tuples(st.integers(low, high), st.integers(low, high))


def images(draw: st.DrawFn, shape: Tuple[int, int, int], batch: int, tied: bool) -> Matrix:
    """``batch`` rows of C·H·W pixels, from MODEST or (``tied``) from three values."""
    size = shape[0] * shape[1] * shape[2]
    values = TIED if tied else MODEST
    return draw(st.lists(st.lists(values, min_size=size, max_size=size),
                         min_size=batch, max_size=batch))


@st.composite
def conv_cases(draw: st.DrawFn, max_channels: int = 3, max_side: int = 5) -> ConvCase:
    """A Conv2D with 1..max_channels input and output channels, kernels 1..3 per side, strides
    1..2, padding 0..1, on images of up to max_side per side that the window fits once padded,
    and a batch of 1..2 images."""
    kernel, stride, padding = draw(pairs(1, 3)), draw(pairs(1, 2)), draw(pairs(0, 1))
    height = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), max_side))
    width = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), max_side))
    channels = draw(st.integers(1, max_channels))
    kwargs = {
        "in_channels": channels,
        "out_channels": draw(st.integers(1, max_channels)),
        "kernel_size": kernel,
        "stride": stride,
        "padding": padding,
    }
    shape = (channels, height, width)
    return ConvCase(kwargs, shape, images(draw, shape, draw(st.integers(1, 2)), False))


class PoolCase(NamedTuple):
    """A pooling layer's window and stride, the shape (C, H, W) of its images, and a batch."""

    pool_size: Pair
    stride: Pair
    shape: Tuple[int, int, int]
    x: Matrix


@st.composite
def pool_cases(draw: st.DrawFn, tied: bool = False) -> PoolCase:
    """Windows of 1..3 per side, strides 1..3 (overlapping, adjacent, or with gaps), images of
    1..2 channels at least as large as the window, so that windows often do not tile them."""
    pool, stride = draw(pairs(1, 3)), draw(pairs(1, 3))
    shape = (draw(st.integers(1, 2)), draw(st.integers(pool[0], 5)),
             draw(st.integers(pool[1], 5)))
    return PoolCase(pool, stride, shape, images(draw, shape, draw(st.integers(1, 2)), tied))
