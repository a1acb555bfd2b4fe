"""Layers in sequence: each built on the shape the layer below gives.

A network builds its layers in order when it is made (``build_layers``), so a layer that does
not fit the one below is refused then, naming both layers and both shapes, not at the first
batch.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn.errors import ConfigurationError, ShapeError
from purenn.matrix import format_shape

if TYPE_CHECKING:
    from typing import Sequence

    from purenn.layers.base import Layer, SampleShape
    from purenn.losses import Loss

__all__ = ["build_layers", "layer_table", "check_output_range"]


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


def layer_table(input_shape: SampleShape, layers: Sequence[Layer]) -> str:
    """The table ``Network.summary`` prints: each layer with the shape of its output and its
    number of parameters, then the total.

    >>> from purenn import Dense
    >>> print(layer_table((2,), [Dense(2, 1)]).splitlines()[2])
    input                           2           0
    """
    rows = [("input", format_shape(input_shape), 0)]
    for index, layer in enumerate(layers):
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


def check_output_range(last: Layer, loss: Loss) -> None:
    """A loss that needs outputs in an interval (bce: probabilities) gets a last layer whose
    outputs are known to lie in it; checked once, when the network is made, rather than on every
    batch.

    >>> from purenn import Dense
    >>> from purenn.losses import LOSSES
    >>> check_output_range(Dense(2, 1, "sigmoid"), LOSSES["bce"])
    """
    low, high = loss.output_range
    given_low, given_high = last.output_range()
    if given_low < low or given_high > high:
        raise ConfigurationError(
            f"Network: the {loss.name} loss needs outputs in [{low:g}, {high:g}], but the last "
            f"layer {last!r} gives outputs in [{given_low:g}, {given_high:g}]"
            + (" (end with a sigmoid layer)" if (low, high) == (0.0, 1.0) else "")
        )

