"""What a file may make purenn build: the index tables of image layers, bounded before any is built.

A file holds a network's weights, but the image layers (Conv2D, MaxPool2D, AvgPool2D) also
compile index tables from their input shape (``purenn.layers.im2col``): for each output
position the C·kh·kw inputs its window reads, and for each input the positions that read it.
Their size follows from sizes a file merely declares: a 389-byte file whose Conv2D takes
1000×1000 images would make millions of entries (gigabytes, half a minute) before anything else
failed.  So before a network is built from a file, ``check_window_tables`` walks its layers'
shapes with arithmetic alone and refuses, with ModelFormatError, a network whose tables would
together hold more than ``MAX_WINDOW_ENTRIES`` entries.

The limit is far above any network pure Python trains in reasonable time (a 3×3 convolution
of 16 channels over 64×64 images needs ~560,000); a caller who needs more raises it::

    purenn.formats.limits.MAX_WINDOW_ENTRIES = 10**8
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.errors import PurennError
from purenn.formats.checks import fail
from purenn.layers.conv import Conv2D
from purenn.layers.im2col import output_size, window_fits
from purenn.layers.pooling import Pool2D

if TYPE_CHECKING:
    from typing import Any, Sequence, Tuple

    SampleShape = Tuple[int, ...]

__all__ = ["MAX_WINDOW_ENTRIES", "window_entries", "check_window_tables"]

MAX_WINDOW_ENTRIES = 10**6
"""The most index-table entries the image layers of a network read from a file may hold
together (each entry is a pointer in a list, ~8 bytes, plus its share of look-up objects:
building 10⁶ takes about a second and ~150 MB).  Read when a file is loaded: set it higher
to load a larger network."""


def window_entries(
    cls: type, config: dict[str, Any], shape: SampleShape
) -> tuple[int, SampleShape]:
    """(entries of the index tables, output shape) of an image layer of class ``cls`` with
    arguments ``config`` on inputs of ``shape`` (C, H, W): P·K table entries (P output
    positions, K inputs per window) plus C·H·W reader lists.  ShapeError if the window does
    not fit.

    >>> window_entries(Conv2D, {"in_channels": 1, "out_channels": 4, "kernel_size": (3, 3),
    ...     "stride": (1, 1), "padding": (0, 0)}, (1, 5, 5))
    (106, (4, 3, 3))
    """
    if issubclass(cls, Conv2D):
        kernel, padding = config["kernel_size"], config["padding"]
    else:
        kernel, padding = config["pool_size"], (0, 0)
    channels, height, width = window_fits(cls.__name__, shape, kernel, padding)
    rows, columns = output_size(height, width, kernel, config["stride"], padding)
    window = kernel[0] * kernel[1]
    size = channels * height * width
    if issubclass(cls, Conv2D):
        entries = rows * columns * channels * window
        return entries + size, (config["out_channels"], rows, columns)
    return channels * rows * columns * window + size, (channels, rows, columns)


def _output_shape(cls: type, config: dict[str, Any], shape: SampleShape) -> SampleShape:
    """The output shape of a layer without index tables, from a copy built without its input
    shape (cheap: its parameters are as large as the file's stored state) and then built."""
    arguments = {key: value for key, value in config.items() if key != "input_shape"}
    return tuple(cls(**arguments).build(shape))


def check_window_tables(layers: Sequence[tuple[type, dict[str, Any]]], where: str) -> None:
    """ModelFormatError naming ``where`` if the image layers of ``layers`` (``read_layer``'s
    (class, config) pairs) would together compile more than MAX_WINDOW_ENTRIES
    table entries.  A layer that cannot take its input is left for the network to report.

    >>> big = (Conv2D, {"in_channels": 1, "out_channels": 1, "kernel_size": (3, 3),
    ...     "stride": (1, 1), "padding": (0, 0), "input_shape": (1, 2000, 2000)})
    >>> check_window_tables([big], "load: m.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.ModelFormatError: load: m.json: layers[0] (Conv2D) on inputs 1×2000×2000 ...
    """
    if not layers:
        return
    shape = layers[0][1].get("input_shape")
    total = 0
    for index, (cls, config) in enumerate(layers):
        if shape is None:
            return  # vectors from a first Dense: no image layer can follow
        entries, output = _entries_and_output(cls, config, shape)
        if output is None:
            return  # the shapes do not chain: building the network reports it
        total += entries
        if total > MAX_WINDOW_ENTRIES:
            fail(where, f"layers[{index}] ({cls.__name__}) on inputs "
                        f"{'×'.join(map(str, shape))} would bring the index tables of the image "
                        f"layers to {total} entries; at most {MAX_WINDOW_ENTRIES} are built from "
                        "a file (purenn.formats.limits.MAX_WINDOW_ENTRIES)")
        shape = output


def _entries_and_output(
    cls: type, config: dict[str, Any], shape: SampleShape
) -> tuple[int, SampleShape | None]:
    """(table entries, output shape) of one layer, or (0, None) if it cannot take ``shape``."""
    try:
        if issubclass(cls, (Conv2D, Pool2D)):
            return window_entries(cls, config, shape)
        return 0, _output_shape(cls, config, shape)
    except PurennError:
        return 0, None
