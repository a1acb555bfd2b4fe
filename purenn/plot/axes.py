"""The frame of a chart: a plot box, two scales, grid, ticks, axis labels, legend and title.

``Axes`` turns data coordinates into pixels (``point``) and draws everything around the data
(``draw``): light grid lines at major ticks, tick marks, tick labels, and the axis labels.
``legend`` draws a key of coloured samples; ``title`` the heading.  Every element carries a
``class`` attribute ("tick-label", "axis-label", "legend", "title") so tests and style sheets can
find it.  The charts (``purenn.plot.lines`` and the picture modules) decide where boxes go.

Only what the pictures need: no rotated tick labels, no automatic legend placement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from purenn.plot import colors
from purenn.plot.svg import element, text, text_width
from purenn.plot.ticks import Tick

if TYPE_CHECKING:
    from typing import Sequence

    from purenn.plot.scales import Scale
    from purenn.plot.svg import Attribute

__all__ = [
    "TICK_FONT",
    "LABEL_FONT",
    "TITLE_FONT",
    "Box",
    "Axes",
    "LegendEntry",
    "legend",
    "legend_width",
    "tick_label_width",
    "title_room",
    "title_text",
]

TICK_FONT = 11
LABEL_FONT = 13
TITLE_FONT = 16
_TICK_LENGTH = 5


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels: ``left``, ``top``, ``width``, ``height`` (y grows downwards).

    >>> box = Box(50, 10, 200, 100)
    >>> box.right, box.bottom
    (250, 110)
    """

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        """left + width.

        >>> Box(50, 10, 200, 100).right
        250
        """
        return self.left + self.width

    @property
    def bottom(self) -> float:
        """top + height.

        >>> Box(50, 10, 200, 100).bottom
        110
        """
        return self.top + self.height


def tick_label_width(scale: Scale) -> float:
    """The estimated width in pixels of the widest labelled tick of ``scale``.

    >>> from purenn.plot.scales import LinearScale
    >>> tick_label_width(LinearScale(0, 1500))
    26.4
    """
    widths = [
        text_width(tick.label, TICK_FONT) + text_width(tick.superscript, 0.75 * TICK_FONT)
        for tick in scale.ticks.ticks
    ]
    return max(widths, default=0.0)


class Axes:
    """A plot ``box`` with an ``x`` and a ``y`` scale, and the labels of both axes.

    A data point (x, y) sits at pixel (left + width·fx(x), bottom − height·fy(y)), where fx, fy
    are the scales' fractions.  ``x_tick_labels`` false leaves the x tick labels out (for stacked
    panels that share the x axis of the one below); ``grid`` false leaves out the grid lines
    (for pictures that fill the box, such as class regions).

    >>> from purenn.plot.scales import LinearScale
    >>> axes = Axes(Box(50, 10, 200, 100), LinearScale(0, 10), LinearScale(0, 1), "x", "y")
    >>> axes.point(5, 0.5)
    (150.0, 60.0)
    >>> sum('class="tick-label"' in part for part in axes.draw())
    12
    """

    def __init__(
        self,
        box: Box,
        x: Scale,
        y: Scale,
        x_label: str,
        y_label: str,
        x_tick_labels: bool = True,
        grid: bool = True,
    ) -> None:
        self.box = box
        self.x = x
        self.y = y
        self.x_label = x_label
        self.y_label = y_label
        self.x_tick_labels = x_tick_labels
        self.grid = grid

    def x_pixel(self, position: float) -> float:
        """The pixel column of an x position already in the scale's coordinate (a tick's).

        >>> from purenn.plot.scales import LinearScale
        >>> Axes(Box(50, 10, 200, 100), LinearScale(0, 10), LinearScale(0, 1), "x", "y").x_pixel(5)
        150.0
        """
        return self.box.left + self.box.width * self.x.tick_fraction(position)

    def y_pixel(self, position: float) -> float:
        """The pixel row of a y position already in the scale's coordinate (a tick's).

        >>> from purenn.plot.scales import LinearScale
        >>> axes = Axes(Box(50, 10, 200, 100), LinearScale(0, 10), LinearScale(0, 1), "x", "y")
        >>> axes.y_pixel(0.5)
        60.0
        """
        return self.box.bottom - self.box.height * self.y.tick_fraction(position)

    def point(self, x: float, y: float) -> tuple[float, float]:
        """The pixel of the data point (x, y)."""
        return (
            self.box.left + self.box.width * self.x.fraction(x),
            self.box.bottom - self.box.height * self.y.fraction(y),
        )

    def draw(self) -> list[str]:
        """Grid lines, axis lines, tick marks and labels, and the two axis labels."""
        parts = self._grid() if self.grid else []
        box = self.box
        axis_style: dict[str, Attribute] = {"stroke": colors.MUTED, "stroke-width": 1}
        parts.append(
            element(
                "line",
                {"x1": box.left, "y1": box.bottom, "x2": box.right, "y2": box.bottom, **axis_style},
            )
        )
        parts.append(
            element(
                "line",
                {"x1": box.left, "y1": box.top, "x2": box.left, "y2": box.bottom, **axis_style},
            )
        )
        for tick in self.x.ticks.ticks:
            parts.extend(self._x_tick(tick))
        for tick in self.y.ticks.ticks:
            parts.extend(self._y_tick(tick))
        for fraction in self.x.breaks:
            parts.extend(_break_mark(box.left + box.width * fraction, box.bottom))
        parts.extend(self._axis_labels())
        return parts

    def _grid(self) -> list[str]:
        box = self.box
        lines = []
        for tick in self.x.ticks.ticks:
            x = self.x_pixel(tick.position)
            lines.append(_grid_line(x, box.top, x, box.bottom, tick.major))
        for tick in self.y.ticks.ticks:
            y = self.y_pixel(tick.position)
            lines.append(_grid_line(box.left, y, box.right, y, tick.major))
        return lines

    def _x_tick(self, tick: Tick) -> list[str]:
        x = self.x_pixel(tick.position)
        length = _TICK_LENGTH if tick.major else _TICK_LENGTH / 2
        parts = [_tick_mark(x, self.box.bottom, x, self.box.bottom + length)]
        if tick.label and self.x_tick_labels:
            parts.append(_tick_label(x, self.box.bottom + 18, tick, "middle"))
        return parts

    def _y_tick(self, tick: Tick) -> list[str]:
        y = self.y_pixel(tick.position)
        length = _TICK_LENGTH if tick.major else _TICK_LENGTH / 2
        parts = [_tick_mark(self.box.left - length, y, self.box.left, y)]
        if tick.label:
            parts.append(_tick_label(self.box.left - 8, y + 4, tick, "end"))
        return parts

    def _axis_labels(self) -> list[str]:
        box = self.box
        style: dict[str, Attribute] = {
            "class": "axis-label",
            "font-size": LABEL_FONT,
            "fill": colors.TEXT,
            "text-anchor": "middle",
        }
        parts = []
        if self.x_tick_labels:
            parts.append(text(box.left + box.width / 2, box.bottom + 38, self.x_label, style))
        x = box.left - tick_label_width(self.y) - 20
        y = box.top + box.height / 2
        rotation = {"transform": f"rotate(-90 {x:.2f} {y:.2f})"}
        parts.append(text(x, y, self.y_label, {**style, **rotation}))
        return parts


def _break_mark(x: float, y: float) -> list[str]:
    """Two slanted strokes across the axis line at (x, y): the axis is broken there."""
    gap = element("rect", {"x": x - 5, "y": y - 6, "width": 10, "height": 12, "fill": "#ffffff"})
    strokes = "".join(
        element("line", {"x1": x + dx - 3, "y1": y + 6, "x2": x + dx + 3, "y2": y - 6})
        for dx in (-3, 3)
    )
    group = element(
        "g", {"stroke": colors.MUTED, "stroke-width": 1.2, "class": "axis-break"}, strokes
    )
    return [gap, group]


def _grid_line(x1: float, y1: float, x2: float, y2: float, major: bool) -> str:
    color = colors.GRID if major else "#f1f4f8"
    return element(
        "line",
        {
            "x1": x1,
            "y1": y1,
            "x2": x2,
            "y2": y2,
            "stroke": color,
            "stroke-width": 1,
            "class": "grid",
        },
    )


def _tick_mark(x1: float, y1: float, x2: float, y2: float) -> str:
    return element(
        "line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": colors.MUTED, "stroke-width": 1}
    )


def _tick_label(x: float, y: float, tick: Tick, anchor: str) -> str:
    style: dict[str, Attribute] = {
        "class": "tick-label",
        "font-size": TICK_FONT,
        "fill": colors.MUTED,
        "text-anchor": anchor,
    }
    return text(x, y, tick.label, style, tick.superscript)


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: a ``label`` next to a sample of a line in ``color`` (``dashed``
    or solid), or with ``swatch`` a filled square, or with ``ring`` a white circle ringed in
    ``color``.

    >>> LegendEntry("val_loss", "#dd6b20", dashed=True).dashed
    True
    """

    label: str
    color: str
    dashed: bool = False
    swatch: bool = False
    ring: bool = False


_SAMPLE = 22
_ROW = 20


def legend_width(entries: Sequence[LegendEntry]) -> float:
    """The width in pixels that ``legend`` needs for ``entries``.

    >>> legend_width([LegendEntry("loss", "#000000")])
    61.2
    """
    return (
        _SAMPLE + 8 + max((text_width(entry.label, LABEL_FONT) for entry in entries), default=0.0)
    )


def legend(entries: Sequence[LegendEntry], left: float, top: float) -> list[str]:
    """A key with one row per entry, ``_ROW`` = 20 pixels apart, its top-left at (left, top).

    >>> len(legend([LegendEntry("loss", "#2b6cb0"), LegendEntry("val", "#dd6b20", True)], 0, 0))
    1
    """
    rows = []
    for index, entry in enumerate(entries):
        y = top + _ROW * index + _ROW / 2
        rows.append(_sample(entry, left, y))
        rows.append(
            text(
                left + _SAMPLE + 8,
                y + 4.5,
                entry.label,
                {"font-size": LABEL_FONT, "fill": colors.TEXT},
            )
        )
    return [element("g", {"class": "legend"}, "".join(rows))]


def _sample(entry: LegendEntry, left: float, y: float) -> str:
    if entry.ring:
        return element(
            "circle",
            {
                "cx": left + 11,
                "cy": y,
                "r": 5,
                "fill": "#ffffff",
                "stroke": entry.color,
                "stroke-width": 1.8,
            },
        )
    if entry.swatch:
        return element(
            "rect",
            {
                "x": left + 5,
                "y": y - 6,
                "width": 12,
                "height": 12,
                "fill": entry.color,
                "stroke": colors.MUTED,
                "stroke-width": 0.5,
            },
        )
    style: dict[str, Attribute] = {"stroke": entry.color, "stroke-width": 2.5}
    if entry.dashed:
        style["stroke-dasharray"] = "6 3"
    return element("line", {"x1": left, "y1": y, "x2": left + _SAMPLE, "y2": y, **style})


def title_room(content: str) -> float:
    """The canvas width a title needs: its estimated width in bold (1.1 × the regular
    estimate) and 16 pixels on each side.

    >>> round(title_room("Loss"), 2)
    74.24
    """
    return 1.1 * text_width(content, TITLE_FONT) + 32


def title_text(content: str, x: float, y: float, canvas_width: float) -> str:
    """The heading ``content``, centred at x but moved inwards where it would cross the edge
    of a canvas ``canvas_width`` wide (y is the baseline).

    >>> title_text("Loss", 100, 20, 300)
    '<text x="100" y="20" class="title" font-size="16" font-weight="600" fill="#1a202c" \
text-anchor="middle">Loss</text>'
    """
    half = title_room(content) / 2
    x = max(half, min(x, canvas_width - half))
    style: dict[str, Attribute] = {
        "class": "title",
        "font-size": TITLE_FONT,
        "font-weight": "600",
        "fill": colors.TEXT,
        "text-anchor": "middle",
    }
    return text(x, y, content, style)
