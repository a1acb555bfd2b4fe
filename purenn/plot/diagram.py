"""The architecture of a network as a picture: a column of units per layer, weights between.

Column 0 holds the inputs, column i + 1 the outputs of layer i.  Between two columns a Dense
layer draws one edge per weight, blue for w > 0 and red for w < 0, wider and darker as |w|
grows (relative to the largest |w| of that layer); its units are filled by their bias the same
way (white without a bias).  This is the trained network drawn like the tutorial's diagram.

Wide layers get a readable summary instead of thousands of edges:

- a column of more than ``max_nodes`` units is drawn as one bar labelled with its size;
- a Dense layer with more than ``max_edges`` weights, or next to a bar, is drawn as a heat map
  of its weight matrix W (n_in rows × n_out columns, as stored), coloured like the edges; a
  side longer than 48 is pooled in blocks, each block showing its entry of largest |w|, so a
  single strong weight is never averaged away.

Any other layer (a future convolution or pooling layer) is a labelled box holding its repr.
What goes where is decided in ``purenn.plot.diagram_layout``; this module draws it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.arguments import check_int, shown
from purenn.errors import ConfigurationError
from purenn.layers import Layer
from purenn.network import Network
from purenn.plot import axes, colors
from purenn.plot.axes import TICK_FONT, LegendEntry, legend
from purenn.plot.checks import optional_names, optional_text, short
from purenn.plot.diagram_layout import (
    TOP,
    WHERE,
    Column,
    Layout,
    Link,
    box_lines,
    choose_links,
    heatmap_geometry,
    largest_magnitude,
    layout_of,
    place_columns,
    plan_columns,
    pooled,
)
from purenn.plot.raster import raster
from purenn.plot.svg import Drawing, element, escape, text

if TYPE_CHECKING:
    from typing import Any

    from purenn.kernels import Matrix
    from purenn.plot.svg import Attribute, PathArgument

__all__ = ["architecture"]


def _draw_column(column: Column, layout: Layout) -> list[str]:
    parts = [
        text(
            column.x,
            TOP - 34,
            column.header[0],
            {"font-weight": "600", "fill": colors.TEXT, "text-anchor": "middle"},
        ),
        text(
            column.x,
            TOP - 18,
            column.header[1],
            {"font-size": TICK_FONT, "fill": colors.MUTED, "text-anchor": "middle"},
        ),
    ]
    if column.as_bar:
        parts.append(_bar(column, layout))
        return parts
    for index in range(column.units):
        y = layout.unit_y(column, index)
        circle: dict[str, Attribute] = {
            "cx": column.x,
            "cy": y,
            "r": layout.radius,
            "fill": column.fills[index],
            "stroke": colors.MUTED,
            "stroke-width": 1.2,
            "class": "node",
        }
        parts.append(element("circle", circle))
    if column.labels and column.units <= 16:
        parts.extend(_unit_labels(column, layout))
    return parts


def _bar(column: Column, layout: Layout) -> str:
    box: dict[str, Attribute] = {
        "x": column.x - 13,
        "y": TOP,
        "width": 26,
        "height": layout.height,
        "rx": 6,
        "fill": column.bar_fill,
        "stroke": colors.MUTED,
        "stroke-width": 1.2,
    }
    y = layout.middle
    label = text(
        column.x + 4,
        y,
        f"{column.units} units",
        {
            "font-size": TICK_FONT,
            "fill": colors.TEXT,
            "text-anchor": "middle",
            "transform": f"rotate(-90 {column.x + 4:.2f} {y:.2f})",
        },
    )
    return element("g", {"class": "bar"}, element("rect", box) + label)


def _unit_labels(column: Column, layout: Layout) -> list[str]:
    left = column.labels_left
    offset = -(layout.radius + 6) if left else layout.radius + 6
    anchor = "end" if left else "start"
    style: dict[str, Attribute] = {
        "font-size": TICK_FONT,
        "fill": colors.MUTED,
        "text-anchor": anchor,
    }
    return [
        text(column.x + offset, layout.unit_y(column, index) + 4, label, style)
        for index, label in enumerate(column.labels)
    ]


def _draw_edges(weights: Matrix, left: Column, right: Column, layout: Layout) -> list[str]:
    """One line per weight, weakest first so the strong ones lie on top."""
    largest = largest_magnitude([w for row in weights for w in row])
    pairs = sorted(
        ((j, k) for j in range(left.units) for k in range(right.units)),
        key=lambda pair: abs(weights[pair[0]][pair[1]]),
    )
    lines = []
    for j, k in pairs:
        w = weights[j][k]
        strength = abs(w) / largest if largest > 0 else 0.0
        line: dict[str, Attribute] = {
            "x1": left.x + layout.radius,
            "y1": layout.unit_y(left, j),
            "x2": right.x - layout.radius,
            "y2": layout.unit_y(right, k),
            "stroke": colors.POSITIVE if w >= 0 else colors.NEGATIVE,
            "stroke-width": 0.5 + 4.5 * strength,
            "stroke-opacity": 0.25 + 0.75 * strength,
            "class": "edge",
        }
        lines.append(element("line", line, element("title", {}, escape(f"w[{j}][{k}] = {w:.4g}"))))
    return lines


def _draw_heatmap(weights: Matrix, left: Column, right: Column, layout: Layout) -> list[str]:
    """W as coloured cells between the columns, with light bands joining it to both."""
    rows, cols, cell = heatmap_geometry(left.units, right.units, layout.height)
    shown = pooled(weights, rows, cols)
    largest = largest_magnitude([w for row in shown for w in row]) or 1.0
    x0 = (left.x + right.x) / 2 - cols * cell / 2
    y0 = layout.middle - rows * cell / 2
    parts = _bands(left, right, layout, (x0, y0, x0 + cols * cell, y0 + rows * cell))
    # Shades in 16 steps per sign: the eye cannot tell more apart, and equal colours share a path.
    grid = [[colors.signed(round(16 * w / largest) / 16, 1.0) for w in row] for row in shown]
    parts.append(raster(grid, x0, y0, cell, cell, "heatmap"))
    parts.append(
        element(
            "rect",
            {
                "x": x0,
                "y": y0,
                "width": cols * cell,
                "height": rows * cell,
                "fill": "none",
                "stroke": colors.MUTED,
                "stroke-width": 1,
            },
        )
    )
    return parts


def _bands(
    left: Column, right: Column, layout: Layout, target: tuple[float, float, float, float]
) -> list[str]:
    """Light quadrilaterals from each column's extent to the target box (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = target
    (left_top, left_bottom), (right_top, right_bottom) = layout.extent(left), layout.extent(right)
    outer = [(left.x, left_top), (x0, y0), (x0, y1), (left.x, left_bottom)]
    inner = [(x1, y0), (right.x, right_top), (right.x, right_bottom), (x1, y1)]
    return [
        element(
            "polygon",
            {
                "points": " ".join(f"{x:.2f},{y:.2f}" for x, y in corners),
                "fill": "#edf2f7",
                "stroke": "none",
            },
        )
        for corners in (outer, inner)
    ]


def _draw_box(layer: Layer, left: Column, right: Column, layout: Layout) -> list[str]:
    """A rounded box holding repr(layer), joined to both columns by light bands."""
    lines = box_lines(layer)
    width = max(map(len, lines)) * 7.2 + 24
    height = 18 * len(lines) + 16
    x0, y0 = (left.x + right.x) / 2 - width / 2, layout.middle - height / 2
    parts = _bands(left, right, layout, (x0, y0, x0 + width, y0 + height))
    body = [
        element(
            "rect",
            {
                "x": x0,
                "y": y0,
                "width": width,
                "height": height,
                "rx": 8,
                "fill": "#ffffff",
                "stroke": colors.MUTED,
                "stroke-width": 1.2,
            },
        )
    ]
    for number, line in enumerate(lines):
        body.append(
            text(
                x0 + width / 2,
                y0 + 22 + 18 * number,
                line,
                {
                    "fill": colors.TEXT,
                    "text-anchor": "middle",
                    "font-family": "DejaVu Sans Mono, Menlo, Consolas, monospace",
                },
            )
        )
    parts.append(element("g", {"class": "layer-box"}, "".join(body)))
    return parts


def _draw_link(link: Link, left: Column, right: Column, layout: Layout) -> list[str]:
    if link.weights is None:
        return _draw_box(link.layer, left, right, layout)
    if link.kind == "heatmap":
        parts = _draw_heatmap(link.weights, left, right, layout)
    else:
        parts = _draw_edges(link.weights, left, right, layout)
    return parts + _caption(link.weights, link.kind, (left.x + right.x) / 2, layout)


def _caption(weights: Matrix, kind: str, x: float, layout: Layout) -> list[str]:
    """The size and largest |w| of W under its link; how it was pooled, if it was."""
    n_in, n_out = len(weights), len(weights[0])
    largest = largest_magnitude([w for row in weights for w in row])
    lines = [f"W {n_in}×{n_out} · max |w| {largest:.3g}"]
    if kind == "heatmap":
        rows, cols, _ = heatmap_geometry(n_in, n_out, layout.height)
        if (rows, cols) != (n_in, n_out):
            lines.append(f"{rows}×{cols} blocks, largest |w| of each")
    style: dict[str, Attribute] = {
        "font-size": TICK_FONT,
        "fill": colors.MUTED,
        "text-anchor": "middle",
        "class": "caption",
    }
    y = TOP + layout.height + 24
    return [text(x, y + 15 * number, line, style) for number, line in enumerate(lines)]


_KEY_NOTES = (
    "line width and shade ∝ |w| ÷ the layer's largest |w|",
    "unit fill: its bias, shaded the same way (white: no bias)",
)
_KEY_WIDTH = 400.0


def _key(x: float, y: float) -> list[str]:
    """What the colours and widths mean: two samples side by side, two lines of notes."""
    parts = [
        *legend([LegendEntry("w > 0", colors.POSITIVE)], x, y),
        *legend([LegendEntry("w < 0", colors.NEGATIVE)], x + 100, y),
    ]
    style: dict[str, Attribute] = {"font-size": TICK_FONT, "fill": colors.MUTED}
    for number, note in enumerate(_KEY_NOTES):
        parts.append(text(x, y + 38 + 16 * number, note, style))
    return parts


def architecture(
    network: Network,
    path: PathArgument = None,
    *,
    max_nodes: int = 32,
    max_edges: int = 256,
    title: Any = None,
    input_names: Any = None,
    output_names: Any = None,
) -> str:
    """An SVG diagram of ``network``: one column of units per layer, its weights between.
    ``input_names`` and ``output_names`` label the first and last columns (features, classes)
    instead of x1 … and ŷ1 ….

    Columns: the n_in inputs, then each layer's n_out outputs, one circle per unit while a
    column has at most ``max_nodes`` units, else a bar.  A Dense layer of n_in × n_out weights
    draws n_in·n_out edges (colour: sign of w; width and shade ∝ |w|/max |w| of the layer)
    when n_in·n_out ≤ ``max_edges`` and both its columns are circles, else a heat map of W.
    Other layers draw a box holding their repr.  ``title`` defaults to "Network 3–4–1" (the
    column sizes).  Returns the SVG text and writes it to ``path`` unless that is None.

    Raises ConfigurationError for something that is not a Network, bad limits, a layer without
    a positive n_out, or a weight or bias that is NaN or ±inf; ShapeError for weights or a
    bias whose shape no longer matches its layer.

    >>> from purenn import Dense
    >>> net = Network([Dense(3, 4, "sigmoid"), Dense(4, 1, "sigmoid")], seed=1)
    >>> svg = architecture(net)
    >>> svg.count('class="node"'), svg.count('class="edge"')
    (8, 16)
    """
    if not isinstance(network, Network):
        raise ConfigurationError(f"{WHERE}: network must be a Network, got {shown(network)}")
    check_int(max_nodes, "max_nodes", WHERE, 1)
    check_int(max_edges, "max_edges", WHERE, 1)
    heading = optional_text(title, WHERE, "title")
    columns, links = plan_columns(network, max_nodes)
    for column, names in ((columns[0], input_names), (columns[-1], output_names)):
        given = optional_names(names, column.units, WHERE, "input_names or output_names")
        column.labels = column.labels if given is None else [short(n) for n in given]
    layout = layout_of(columns)
    choose_links(columns, links, max_edges, layout.height)
    width = max(place_columns(columns, links), _KEY_WIDTH + 40)
    bottom = TOP + layout.height + 64
    sizes = "–".join(str(column.units) for column in columns)
    heading = heading or f"Network {sizes}"
    width = max(width, axes.title_room(heading))
    drawing = Drawing(width, bottom + 70, heading)
    drawing.add(axes.title_text(heading, width / 2, 30, width))
    for link, left, right in zip(links, columns, columns[1:]):
        drawing.add(*_draw_link(link, left, right, layout))
    for column in columns:
        drawing.add(*_draw_column(column, layout))
    drawing.add(*_key(20, bottom))
    return drawing.finish(path, WHERE)
