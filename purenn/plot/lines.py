"""Line charts: named series of (x, y) points in one or more stacked panels sharing an x axis.

The loss curves and the gradient-check sweep are both line charts; this module lays them out.
Each panel has its own y scale (linear or log) and a legend to its right; the panels share one x
scale, and only the bottom one labels it.  A series is one ``<polyline>`` with one point per
data point (and a ``<title>`` naming it, which browsers show on hover), plus a circle per point
when there are few enough points to see them.

On a log scale, values ≤ 0 cannot be placed: they are drawn on the bottom edge of the panel and
a note under the chart says how many were; a panel with no positive value at all is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from purenn.errors import ConfigurationError
from purenn.plot import colors
from purenn.plot.axes import (
    TICK_FONT,
    Axes,
    Box,
    LegendEntry,
    legend,
    legend_width,
    tick_label_width,
    title_room,
    title_text,
)
from purenn.plot.scales import LinearScale, LogScale
from purenn.plot.svg import Drawing, element, escape, number, text

if TYPE_CHECKING:
    from typing import Sequence

    from purenn.plot.scales import Scale
    from purenn.plot.svg import Attribute

__all__ = ["MARKER_LIMIT", "Series", "Guide", "Panel", "make_scale", "draw_series", "line_chart"]

MARKER_LIMIT = 40
_WIDTH = 640
_TOP = 46
_GAP = 22
_BOTTOM = 54


@dataclass(frozen=True)
class Series:
    """A named line: ``points`` (x, y) in drawing order, its ``color``, solid or ``dashed``.

    >>> Series("loss", [(1, 0.5), (2, 0.25)], "#2b6cb0").points[-1]
    (2, 0.25)
    """

    label: str
    points: Sequence[tuple[float, float]]
    color: str
    dashed: bool = False


@dataclass(frozen=True)
class Guide:
    """A dotted vertical line at data x = ``x``, labelled at its top (e.g. "√ε").

    >>> Guide(6e-6, "∛ε").label
    '∛ε'
    """

    x: float
    label: str


@dataclass
class Panel:
    """One plot box of a chart: its series, y-axis label, y scale kind, height in pixels,
    vertical guides, and for a log y axis the range to show when no value is positive (None:
    such a panel is refused).

    >>> Panel([Series("loss", [(1, 0.5)], "#2b6cb0")], "loss", log_y=True).height
    300.0
    """

    series: Sequence[Series]
    y_label: str
    log_y: bool = False
    height: float = 300.0
    guides: Sequence[Guide] = field(default_factory=tuple)
    empty_log_range: tuple[float, float] | None = None


def make_scale(
    values: Sequence[float],
    log: bool,
    where: str,
    name: str,
    integer: bool = False,
    compress_below: float | None = None,
    empty_log_range: tuple[float, float] | None = None,
) -> Scale:
    """A LogScale over the positive ``values`` when ``log`` (compressing the range below
    ``compress_below``, if given), else a LinearScale over all (with integer steps when
    ``integer``).  A log scale with no positive value spans ``empty_log_range`` when given,
    else raises ConfigurationError naming ``where``.

    >>> make_scale([0.0, 0.5, 2.0], True, "demo", "loss").ticks.low
    -1.0
    """
    if not log:
        return LinearScale(min(values), max(values), integer=integer)
    positive = [value for value in values if value > 0.0]
    if not positive and empty_log_range is not None:
        return LogScale(*empty_log_range)
    if not positive:
        raise ConfigurationError(
            f"{where}: a log scale needs a positive value, and every value of {name} is ≤ 0"
        )
    return LogScale(min(positive), max(positive), compress_below)


def draw_series(axes: Axes, series: Series, markers: bool) -> list[str]:
    """The series as a polyline (one point per data point) and, with ``markers``, a circle on
    each point.

    >>> axes = Axes(Box(0, 0, 100, 100), LinearScale(0, 1), LinearScale(0, 1), "x", "y")
    >>> draw_series(axes, Series("s", [(0, 0), (1, 1)], "#000000"), False)[0][:60]
    '<polyline points="0,100 100,0" fill="none" stroke="#000000" '
    """
    pixels = [axes.point(x, y) for x, y in series.points]
    style: dict[str, Attribute] = {
        "fill": "none",
        "stroke": series.color,
        "stroke-width": 2.2,
        "stroke-linejoin": "round",
        "stroke-linecap": "round",
        "class": "series",
    }
    if series.dashed:
        style["stroke-dasharray"] = "7 4"
    # A tenth of a pixel is finer than any screen shows; long histories stay small files.
    coordinates = " ".join(f"{number(x, 1)},{number(y, 1)}" for x, y in pixels)
    parts = [
        element(
            "polyline", {"points": coordinates, **style}, element("title", {}, escape(series.label))
        )
    ]
    if markers:
        circles = "".join(element("circle", {"cx": x, "cy": y, "r": 3.2}) for x, y in pixels)
        parts.append(
            element(
                "g",
                {"class": "markers", "fill": series.color, "stroke": "#ffffff", "stroke-width": 1},
                circles,
            )
        )
    return parts


def _x_values(panels: Sequence[Panel]) -> list[float]:
    return [x for panel in panels for series in panel.series for x, _ in series.points]


def _y_values(panel: Panel) -> list[float]:
    return [y for series in panel.series for _, y in series.points]


def _entries(panel: Panel) -> list[LegendEntry]:
    return [LegendEntry(series.label, series.color, series.dashed) for series in panel.series]


def _guide(axes: Axes, guide: Guide) -> list[str]:
    x, _ = axes.point(guide.x, 1.0)
    box = axes.box
    line = element(
        "line",
        {
            "x1": x,
            "y1": box.top,
            "x2": x,
            "y2": box.bottom,
            "stroke": colors.MUTED,
            "stroke-width": 1,
            "stroke-dasharray": "2 3",
            "class": "guide",
        },
    )
    label = text(
        x + 4,
        box.top + 13,
        guide.label,
        {"font-size": TICK_FONT, "fill": colors.MUTED, "class": "guide-label"},
    )
    return [line, label]


def line_chart(
    panels: Sequence[Panel],
    x_label: str,
    heading: str,
    where: str,
    *,
    log_x: bool = False,
    integer_x: bool = False,
    compress_x_below: float | None = None,
) -> Drawing:
    """The panels stacked top to bottom under ``heading``, sharing an x scale (log₁₀ with
    ``log_x``, integer steps with ``integer_x``, broken below ``compress_x_below`` as
    LogScale's compress_below) labelled ``x_label`` on the bottom panel.

    Every series must hold at least one point; ``where`` names the public function in errors.

    >>> panel = Panel([Series("loss", [(1, 0.5), (2, 0.25)], "#2b6cb0")], "loss")
    >>> svg = line_chart([panel], "epoch", "Loss", "demo").finish()
    >>> svg.count("<polyline"), svg.count('class="axis-label"')
    (1, 2)
    """
    x_scale = make_scale(_x_values(panels), log_x, where, x_label, integer_x, compress_x_below)
    y_scales = [
        make_scale(
            _y_values(panel),
            panel.log_y,
            where,
            panel.y_label,
            empty_log_range=panel.empty_log_range,
        )
        for panel in panels
    ]
    left = max(tick_label_width(scale) for scale in y_scales) + 44
    right = max(legend_width(_entries(panel)) for panel in panels) + 36
    notes = _clamp_notes(panels, y_scales)
    height = _TOP + sum(panel.height for panel in panels) + _GAP * (len(panels) - 1) + _BOTTOM
    width = max(_WIDTH + right, title_room(heading))
    drawing = Drawing(width, height + 18 * len(notes), heading)
    drawing.add(title_text(heading, (left + _WIDTH - 20) / 2, 28, width))
    top = float(_TOP)
    for index, (panel, y_scale) in enumerate(zip(panels, y_scales)):
        box = Box(left, top, _WIDTH - 20 - left, panel.height)
        last = index == len(panels) - 1
        axes = Axes(box, x_scale, y_scale, x_label, panel.y_label, x_tick_labels=last)
        drawing.add(*_draw_panel(axes, panel))
        top += panel.height + _GAP
    style: dict[str, Attribute] = {
        "font-size": TICK_FONT,
        "fill": colors.MUTED,
        "class": "note",
        "font-style": "italic",
    }
    for line, note in enumerate(notes):
        drawing.add(text(left, height + 18 * line, note, style))
    return drawing


def _draw_panel(axes: Axes, panel: Panel) -> list[str]:
    """The frame, guides, series (with markers when every series is short) and legend."""
    parts = axes.draw()
    for guide in panel.guides:
        parts.extend(_guide(axes, guide))
    markers = max(len(series.points) for series in panel.series) <= MARKER_LIMIT
    for series in panel.series:
        parts.extend(draw_series(axes, series, markers))
    parts.extend(legend(_entries(panel), axes.box.right + 20, axes.box.top))
    return parts


def _clamp_notes(panels: Sequence[Panel], scales: Sequence[Scale]) -> list[str]:
    """One sentence per panel whose log scale had to put values ≤ 0 on its floor."""
    notes = []
    for panel, scale in zip(panels, scales):
        clamped = sum(scale.clamps(y) for y in _y_values(panel))
        if clamped:
            values = "value" if clamped == 1 else "values"
            notes.append(
                f"{clamped} {values} ≤ 0 of {panel.y_label} drawn on the bottom edge "
                "(a log scale cannot show them)"
            )
    return notes
