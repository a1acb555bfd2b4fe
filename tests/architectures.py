"""Whole architectures drawn by hypothesis: every layer type purenn's formats know (Conv2D,
MaxPool2D, AvgPool2D, BatchNorm over images and vectors, Flatten, Dropout, Dense), small enough
that a network trains in milliseconds, with data to train it on."""

from typing import Any, List, Tuple

from hypothesis import strategies as st

import purenn as pn

Matrix = List[List[float]]

ROWS = 4  # a batch of 4, trained in batches of 2: BatchNorm needs more than one row per batch
VALUES = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False, allow_infinity=False)
ACTIVATIONS = ["identity", "tanh", "relu", "sigmoid"]


def _image_layers(draw: Any, shape: Tuple[int, int, int]) -> Tuple[List[pn.Layer], int]:
    """Image layers for inputs of ``shape``, the first declaring it; (layers, flat size)."""
    channels, height, width = shape
    layers: List[pn.Layer] = []
    declared: Any = shape
    if draw(st.booleans()):
        kernel = draw(st.integers(1, min(3, height, width)))
        out = draw(st.integers(1, 3))
        stride, padding = draw(st.integers(1, 2)), draw(st.integers(0, 1))
        layers.append(pn.Conv2D(channels, out, kernel, stride, padding,
                                draw(st.sampled_from(ACTIVATIONS)), bias=draw(st.booleans()),
                                input_shape=declared))
        declared = None
        channels = out
        height = (height + 2 * padding - kernel) // stride + 1
        width = (width + 2 * padding - kernel) // stride + 1
        if draw(st.booleans()):
            layers.append(pn.BatchNorm(channels, input_shape=None))
    if draw(st.booleans()) and min(height, width) >= 2:
        pool = draw(st.sampled_from([pn.MaxPool2D, pn.AvgPool2D]))
        size = draw(st.integers(1, 2))
        layers.append(pool(size, input_shape=declared))
        declared = None
        height, width = (height - size) // size + 1, (width - size) // size + 1
    layers.append(pn.Flatten(input_shape=declared))
    return layers, channels * height * width


@st.composite
def trainable_networks(draw: Any) -> Tuple[pn.Network, Matrix, Matrix]:
    """(network, X, Y): a network of images or vectors using any of the layer types, and a
    batch of ROWS samples with regression targets for it."""
    images = draw(st.booleans())
    if images:
        shape = (draw(st.integers(1, 2)), draw(st.integers(2, 4)), draw(st.integers(2, 4)))
        layers, width = _image_layers(draw, shape)
        n_in = shape[0] * shape[1] * shape[2]
    else:
        layers, width = [], draw(st.integers(1, 3))
        n_in = width
    if draw(st.booleans()):
        first = None if layers else (width,)  # a first layer declares its input
        layers.append(pn.Dropout(draw(st.sampled_from([0.0, 0.25, 0.5])), input_shape=first))
    hidden = draw(st.integers(1, 3))
    layers.append(pn.Dense(width, hidden, draw(st.sampled_from(ACTIVATIONS)),
                           bias=draw(st.booleans())))
    if draw(st.booleans()):
        layers.append(pn.BatchNorm(hidden))
    outputs = draw(st.integers(1, 2))
    layers.append(pn.Dense(hidden, outputs))
    network = pn.Network(layers, loss="mse", seed=draw(st.integers(0, 2**32)))
    x = draw(st.lists(st.lists(VALUES, min_size=n_in, max_size=n_in), min_size=ROWS,
                      max_size=ROWS))
    y = draw(st.lists(st.lists(VALUES, min_size=outputs, max_size=outputs), min_size=ROWS,
                      max_size=ROWS))
    return network, x, y


OPTIMIZERS = {
    "sgd": lambda: pn.SGD(lr=0.05),
    "momentum": lambda: pn.SGD(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "adam": lambda: pn.Adam(lr=0.01, weight_decay=0.01),
}
