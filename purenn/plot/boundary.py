"""The decision boundary of a classifier on 2-D data: class regions, with the data on top.

The plane around the data is cut into square cells; the network classifies every cell's centre
(one ``predict_classes`` call for the whole grid) and the cell is shaded, lightly, in the colour
of its class.  The data points are drawn over the regions in the full colour of their label, and
a point the network gets wrong is ringed in black, so errors stand out.  The axes have equal
units (a circle in the data looks round) and the title line reports the accuracy on the points.

For 2-D inputs only: a network with more inputs has no plane to shade.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from purenn.arguments import check_int, shown
from purenn.encoding import is_label_list
from purenn.errors import ConfigurationError, ShapeError
from purenn.network import Network
from purenn.plot import colors
from purenn.plot.axes import (
    LABEL_FONT,
    Axes,
    Box,
    LegendEntry,
    legend,
    legend_width,
    tick_label_width,
    title_room,
    title_text,
)
from purenn.plot.checks import finite_matrix, optional_names, optional_text
from purenn.plot.raster import raster
from purenn.plot.scales import LinearScale
from purenn.plot.svg import Drawing, element, text

if TYPE_CHECKING:
    from typing import Any, Sequence

    from purenn.kernels import Matrix
    from purenn.plot.svg import Attribute, PathArgument

__all__ = ["decision_boundary"]

_WHERE = "decision_boundary"
_SIDE = 440.0
_TOP = 62.0
_REGION_LIGHTNESS = 0.7


def _check_inputs(network: Any, x: Any, labels: Any) -> tuple[Matrix, list[int]]:
    if not isinstance(network, Network):
        raise ConfigurationError(f"{_WHERE}: network must be a Network, got {shown(network)}")
    points = finite_matrix(x, _WHERE, "X")
    if len(points[0]) != 2:
        raise ShapeError(
            f"{_WHERE}: X is {len(points)}×{len(points[0])}, but a decision boundary is drawn "
            "in the plane: X must be n×2"
        )
    if network.n_in != 2:
        raise ShapeError(f"{_WHERE}: the network takes {network.n_in} inputs; it must take 2")
    if not is_label_list(labels):
        raise ConfigurationError(
            f"{_WHERE}: labels must be a list of class indices (ints ≥ 0), got {shown(labels)}"
        )
    if len(labels) != len(points):
        raise ShapeError(f"{_WHERE}: X has {len(points)} rows but labels has {len(labels)}")
    return points, list(labels)


def _ranges(points: Matrix) -> tuple[tuple[float, float], tuple[float, float]]:
    """The data's x and y ranges, padded on each side by 5% of the longer span, the shorter
    widened to at least half the longer (the picture is never a sliver), a single point to
    a window 1 wide; clamped to the finite floats."""
    ranges = [
        (min(point[axis] for point in points), max(point[axis] for point in points))
        for axis in (0, 1)
    ]
    # Half spans throughout: a full span of data near ±1e308 overflows.
    half_spans = [high / 2 - low / 2 for low, high in ranges]
    longest = max(max(half_spans), 0.5)
    padded = []
    for (low, high), half in zip(ranges, half_spans):
        extra = max(0.1 * longest, longest / 2 - half)
        padded.append(
            (max(low - extra, -sys.float_info.max), min(high + extra, sys.float_info.max))
        )
    return padded[0], padded[1]


def _box(x_scale: LinearScale, y_scale: LinearScale, left: float) -> Box:
    """A box with equal units on both axes, its longer side _SIDE pixels."""
    x_half = x_scale.ticks.high / 2 - x_scale.ticks.low / 2
    y_half = y_scale.ticks.high / 2 - y_scale.ticks.low / 2
    unit = _SIDE / max(x_half, y_half)
    return Box(left, _TOP, x_half * unit, y_half * unit)


def _centre(low: float, high: float, fraction: float) -> float:
    """low + fraction·(high − low), computed in halves so that it cannot overflow."""
    return 2 * (low / 2 + (high / 2 - low / 2) * fraction)


def _grid_centres(
    box: Box, x_scale: LinearScale, y_scale: LinearScale, resolution: int
) -> tuple[int, int, Matrix]:
    """(rows, columns, centres): square cells, ``resolution`` along the longer side, their
    centres row by row from the top."""
    cell = max(box.width, box.height) / resolution
    columns, rows = max(1, round(box.width / cell)), max(1, round(box.height / cell))
    x_low, x_high = x_scale.ticks.low, x_scale.ticks.high
    y_low, y_high = y_scale.ticks.low, y_scale.ticks.high
    centres = [
        [_centre(x_low, x_high, (c + 0.5) / columns), _centre(y_high, y_low, (r + 0.5) / rows)]
        for r in range(rows)
        for c in range(columns)
    ]
    return rows, columns, centres


def _regions(
    network: Network, box: Box, scales: tuple[LinearScale, LinearScale], resolution: int
) -> str:
    rows, columns, centres = _grid_centres(box, scales[0], scales[1], resolution)
    classes = network.predict_classes(centres)
    shades = [
        colors.lighten(colors.category(k), _REGION_LIGHTNESS) for k in range(max(classes) + 1)
    ]
    grid = [[shades[classes[r * columns + c]] for c in range(columns)] for r in range(rows)]
    return raster(grid, box.left, box.top, box.width / columns, box.height / rows, "regions")


def _points(axes: Axes, points: Matrix, labels: Sequence[int], predicted: Sequence[int]) -> str:
    circles = []
    for (x, y), label, guess in zip(points, labels, predicted):
        px, py = axes.point(x, y)
        ring: dict[str, Attribute] = (
            {"stroke": colors.TEXT, "stroke-width": 1.8} if guess != label else {}
        )
        circles.append(
            element(
                "circle",
                {
                    "cx": px,
                    "cy": py,
                    "r": 4,
                    "fill": colors.category(label),
                    "class": "point",
                    **ring,
                },
            )
        )
    return element("g", {"stroke": "#ffffff", "stroke-width": 0.8}, "".join(circles))


def _entries(names: Sequence[str], misclassified: int) -> list[LegendEntry]:
    entries = [LegendEntry(name, colors.category(k), swatch=True) for k, name in enumerate(names)]
    if misclassified:
        entries.append(LegendEntry("misclassified", colors.TEXT, ring=True))
    return entries


def decision_boundary(
    network: Network,
    X: Any,  # noqa: N803
    labels: Sequence[int],
    path: PathArgument = None,
    *,
    resolution: int = 100,
    title: Any = None,
    class_names: Any = None,
    feature_names: Any = None,
) -> str:
    """An SVG of a 2-input classifier's class regions with the labelled points on top; the
    legend names the classes by ``class_names`` ("class 0", … without), the axes the two
    features by ``feature_names`` (x₁, x₂ without).

    X is n×2 (finite), ``labels`` n class indices.  The plane around the data (padded by 5%,
    equal units on both axes) is cut into square cells, ``resolution`` (≥ 2) along the longer
    side; each cell is shaded by ``network.predict_classes`` of its centre.  Every point is one
    circle, coloured by its label and ringed when the network's class differs.  The subtitle
    gives the accuracy on the points.  Returns the SVG text and writes it to ``path`` unless
    that is None.

    Raises ShapeError when X is not n×2, the network does not take 2 inputs, or labels and X
    differ in length; ConfigurationError for NaN or ±inf, labels that are not ints ≥ 0, or a
    bad resolution.

    >>> from purenn.layers import Dense
    >>> net = Network([Dense(2, 2)], loss="cross_entropy", seed=0)
    >>> svg = decision_boundary(net, [[0, 0], [1, 1], [0, 1]], [0, 1, 1], resolution=10)
    >>> svg.count('class="point"')
    3
    """
    points, checked_labels = _check_inputs(network, X, labels)
    check_int(resolution, "resolution", _WHERE, 2)
    heading = optional_text(title, _WHERE, "title") or "Decision boundary"
    (x_low, x_high), (y_low, y_high) = _ranges(points)
    x_scale = LinearScale(x_low, x_high, tight=True)
    y_scale = LinearScale(y_low, y_high, tight=True)
    box = _box(x_scale, y_scale, tick_label_width(y_scale) + 44)
    x_name, y_name = optional_names(feature_names, 2, _WHERE, "feature_names") or ["x₁", "x₂"]
    axes = Axes(box, x_scale, y_scale, x_name, y_name, grid=False)
    predicted = network.predict_classes(points)
    wrong = sum(guess != label for guess, label in zip(predicted, checked_labels))
    n_classes = max(max(checked_labels), max(predicted), network.n_out - 1) + 1
    names = optional_names(class_names, n_classes, _WHERE, "class_names")
    entries = _entries(names or [f"class {k}" for k in range(n_classes)], wrong)
    width = max(box.right + legend_width(entries) + 40, title_room(heading))
    drawing = Drawing(width, box.bottom + 56, heading)
    drawing.add(title_text(heading, box.left + box.width / 2, 26, width))
    accuracy = 100.0 * (len(points) - wrong) / len(points)
    drawing.add(
        text(
            box.left + box.width / 2,
            46,
            f"accuracy {accuracy:.1f}% on these {len(points)} points",
            {"font-size": LABEL_FONT, "fill": colors.MUTED, "text-anchor": "middle"},
        )
    )
    drawing.add(_regions(network, box, (x_scale, y_scale), resolution))
    drawing.add(*axes.draw())
    drawing.add(_points(axes, points, checked_labels, predicted))
    drawing.add(*legend(entries, box.right + 20, box.top))
    return drawing.finish(path, _WHERE)
