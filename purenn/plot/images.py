"""A grid of small images: digits, or the learned filters of a convolutional layer.

Each image is a row of C·H·W numbers, channel-major then row-major (value (c, i, j) at index
c·H·W + i·W + j), with the shape given as (C, H, W), or (H, W) for one channel.  One mapping from
values to colours serves all the images, so their brightness compares:

- one channel, all values ≥ 0 or all ≤ 0: grey, from white at the smallest value to black at the
  largest (ink on paper: digits look written);
- one channel with both signs (filters, weights): white at 0, blue for positive and red for
  negative, full at the largest |value| (the architecture picture's colours);
- three channels: red, green and blue, each from the smallest value (0) to the largest (255);
- any other number of channels: each channel is its own tile, side by side, mapped as one channel.

Colours are 8-bit, so an image is drawn with at most 256 distinct greys, one path per grey.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from purenn.arguments import check_int, is_real, shown
from purenn.errors import ConfigurationError, ShapeError
from purenn.plot import colors
from purenn.plot.axes import LABEL_FONT, TICK_FONT, title_room, title_text
from purenn.plot.checks import finite_matrix, optional_text
from purenn.plot.raster import raster
from purenn.plot.svg import Drawing, element, text

if TYPE_CHECKING:
    from typing import Any, Callable, Sequence

    from purenn.kernels import Matrix
    from purenn.plot.raster import Grid
    from purenn.plot.svg import Attribute, PathArgument

__all__ = ["image_grid", "channel_colors"]

_WHERE = "image_grid"
_TOP = 64.0
_GAP = 14.0
_TILE_GAP = 3.0
_TARGET_SIZE = 64


def _check_shape(image_shape: Any) -> tuple[int, int, int]:
    """(C, H, W) from (C, H, W) or (H, W), every entry an int ≥ 1."""
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) not in (2, 3):
        raise ConfigurationError(
            f"{_WHERE}: image_shape must be (C, H, W) or (H, W), got {shown(image_shape)}"
        )
    sizes = [check_int(size, "image_shape", _WHERE, 1) for size in image_shape]
    return (1, sizes[0], sizes[1]) if len(sizes) == 2 else (sizes[0], sizes[1], sizes[2])


def _check_labels(labels: Any, count: int) -> list[str] | None:
    if labels is None:
        return None
    if not isinstance(labels, (list, tuple)):
        raise ConfigurationError(f"{_WHERE}: labels must be a list or None, got {shown(labels)}")
    if len(labels) != count:
        raise ShapeError(f"{_WHERE}: images has {count} rows but labels has {len(labels)}")
    for index, label in enumerate(labels):
        if not isinstance(label, str) and not (is_real(label) or isinstance(label, bool)):
            raise ConfigurationError(
                f"{_WHERE}: labels[{index}] must be a str or a number, got {shown(label)}"
            )
    return [str(label) for label in labels]


def channel_colors(values: Sequence[float], channels: int) -> Callable[[Sequence[float]], str]:
    """The colour of one pixel, given its ``channels`` values, for images whose values are
    ``values`` (all of them): the mapping the module docstring describes for C = 1 and C = 3.

    >>> to_color = channel_colors([0.0, 16.0], 1)
    >>> to_color([0.0]), to_color([8.0]), to_color([16.0])
    ('#ffffff', '#808080', '#000000')
    >>> channel_colors([-1.0, 0.5], 1)([-1.0])
    '#c53030'
    """
    low, high = min(values), max(values)
    if channels == 3:
        span = high - low or 1.0
        return lambda pixel: colors.rgb(*(255.0 * (v - low) / span for v in pixel))
    if low < 0.0 < high:
        largest = max(-low, high)
        return lambda pixel: colors.signed(pixel[0], largest)
    span = high - low or 1.0
    return lambda pixel: colors.gray((pixel[0] - low) / span)


def _tiles(
    image: Sequence[float], shape: tuple[int, int, int], to_color: Callable[[Sequence[float]], str]
) -> list[Grid]:
    """The image as colour grids: one for RGB or a single channel, else one per channel."""
    channels, height, width = shape
    plane = height * width
    if channels == 3:
        return [
            [
                [
                    to_color([image[c * plane + i * width + j] for c in range(3)])
                    for j in range(width)
                ]
                for i in range(height)
            ]
        ]
    return [
        [
            [to_color([image[c * plane + i * width + j]]) for j in range(width)]
            for i in range(height)
        ]
        for c in range(channels)
    ]


def _scale_note(values: Sequence[float], channels: int) -> str:
    low, high = min(values), max(values)
    if channels == 3:
        return f"red, green, blue from {low:.3g} (0) to {high:.3g} (full)"
    if low < 0.0 < high:
        largest = max(-low, high)
        return f"blue +{largest:.3g} · white 0 · red −{largest:.3g}"
    return f"white {low:.3g} … black {high:.3g}"


@dataclass(frozen=True)
class _Layout:
    """Where the images go: ``per_row`` images across, pixels ``cell`` screen pixels wide."""

    shape: tuple[int, int, int]
    per_row: int
    captioned: bool
    minimum_width: float

    @property
    def cell(self) -> float:
        """s = round(64 / max(H, W)), clamped to 1…12."""
        return float(max(1, min(12, round(_TARGET_SIZE / max(self.shape[1:])))))

    @property
    def tiles_across(self) -> int:
        """Tiles per image: one for one channel or RGB, else one per channel."""
        return 1 if self.shape[0] in (1, 3) else self.shape[0]

    @property
    def tile_size(self) -> tuple[float, float]:
        """(width, height) of one tile in pixels."""
        return self.shape[2] * self.cell, self.shape[1] * self.cell

    @property
    def slot_size(self) -> tuple[float, float]:
        """(width, height) of one image with its tiles and caption."""
        tile_width, tile_height = self.tile_size
        width = self.tiles_across * tile_width + (self.tiles_across - 1) * _TILE_GAP
        return width, tile_height + (18.0 if self.captioned else 0.0)

    @property
    def canvas_width(self) -> float:
        """The drawing's width: the grid and a margin, at least 240 and minimum_width pixels."""
        grid_width = self.per_row * (self.slot_size[0] + _GAP) - _GAP
        return max(grid_width + 40, 240.0, self.minimum_width)

    def origin(self, index: int) -> tuple[float, float]:
        """Top-left corner of image ``index``."""
        slot_width, slot_height = self.slot_size
        grid_width = self.per_row * (slot_width + _GAP) - _GAP
        left = (self.canvas_width - grid_width) / 2
        row, column = divmod(index, self.per_row)
        return left + column * (slot_width + _GAP), _TOP + row * (slot_height + _GAP)


def _draw_image(tiles: list[Grid], layout: _Layout, index: int, caption: str | None) -> str:
    x, y = layout.origin(index)
    tile_width, tile_height = layout.tile_size
    parts = []
    for tile_index, tile in enumerate(tiles):
        tile_x = x + tile_index * (tile_width + _TILE_GAP)
        parts.append(raster(tile, tile_x, y, layout.cell, layout.cell, "pixels"))
        frame: dict[str, Attribute] = {
            "x": tile_x,
            "y": y,
            "width": tile_width,
            "height": tile_height,
            "fill": "none",
            "stroke": colors.GRID,
            "stroke-width": 1,
        }
        parts.append(element("rect", frame))
    if caption is not None:
        style: dict[str, Attribute] = {
            "font-size": LABEL_FONT,
            "fill": colors.TEXT,
            "text-anchor": "middle",
        }
        parts.append(text(x + layout.slot_size[0] / 2, y + tile_height + 14, caption, style))
    return element("g", {"class": "image"}, "".join(parts))


def _check_images(images: Any, shape: tuple[int, int, int], image_shape: Any) -> Matrix:
    rows = finite_matrix(images, _WHERE, "images")
    channels, height, width = shape
    if len(rows[0]) != channels * height * width:
        raise ShapeError(
            f"{_WHERE}: images has rows of {len(rows[0])} values but image_shape "
            f"{tuple(image_shape)} needs {channels * height * width}"
        )
    return rows


def image_grid(
    images: Matrix,
    image_shape: Sequence[int],
    path: PathArgument = None,
    *,
    labels: Sequence[Any] | None = None,
    columns: int | None = None,
    title: Any = None,
) -> str:
    """An SVG grid of images, ``columns`` per row (default ⌈√n⌉), each captioned by its label.

    ``images`` is n rows of C·H·W finite values (channel-major, then row-major); image_shape is
    (C, H, W) or (H, W).  Every pixel is a cell of s × s screen pixels, s = round(64/max(H, W))
    clamped to 1…12, coloured as the module docstring says; each image is one group of class
    "image".  ``labels`` (n strings or numbers) are written under the images.  ``title``
    defaults to "n images, H×W" (or "C×H×W").  Returns the SVG text and writes it to ``path``
    unless that is None.

    Raises ShapeError when a row's length is not C·H·W or labels differ in number from the
    images; ConfigurationError for NaN or ±inf, a bad image_shape, labels or columns.

    >>> svg = image_grid([[0, 1, 1, 0], [1, 0, 0, 1]], (2, 2), labels=["a", "b"])
    >>> svg.count('class="image"'), svg.count("<path")
    (2, 4)
    """
    shape = _check_shape(image_shape)
    rows = _check_images(images, shape, image_shape)
    captions = _check_labels(labels, len(rows))
    per_row = math.ceil(math.sqrt(len(rows))) if columns is None else columns
    check_int(per_row, "columns", _WHERE, 1)
    channels, height, width = shape
    sizes = f"{height}×{width}" if channels == 1 else f"{channels}×{height}×{width}"
    heading = optional_text(title, _WHERE, "title") or f"{len(rows)} images, {sizes}"
    layout = _Layout(shape, per_row, captions is not None, title_room(heading))
    values = [value for row in rows for value in row]
    to_color = channel_colors(values, channels)
    lines = math.ceil(len(rows) / layout.per_row)
    canvas_width = layout.canvas_width
    drawing = Drawing(canvas_width, _TOP + lines * (layout.slot_size[1] + _GAP) + 10, heading)
    drawing.add(title_text(heading, canvas_width / 2, 28, canvas_width))
    note_style: dict[str, Attribute] = {
        "font-size": TICK_FONT,
        "fill": colors.MUTED,
        "text-anchor": "middle",
    }
    drawing.add(text(canvas_width / 2, 48, _scale_note(values, channels), note_style))
    for index, image in enumerate(rows):
        caption = captions[index] if captions is not None else None
        drawing.add(_draw_image(_tiles(image, shape, to_color), layout, index, caption))
    return drawing.finish(path, _WHERE)
