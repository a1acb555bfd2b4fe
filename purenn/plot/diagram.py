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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from purenn.arguments import check_int, shown
from purenn.errors import ConfigurationError, ShapeError
from purenn.layers import Dense, Layer
from purenn.network import Network
from purenn.plot import axes, colors
from purenn.plot.axes import TICK_FONT, LegendEntry, legend
from purenn.plot.checks import finite_matrix, optional_names, optional_text, short
from purenn.plot.raster import raster
from purenn.plot.svg import Drawing, element, escape, text, text_width

if TYPE_CHECKING:
    from typing import Any, Sequence

    from purenn.kernels import Matrix
    from purenn.plot.svg import Attribute, PathArgument

__all__ = ["architecture"]

_WHERE = "architecture"
_TOP = 92
_HEATMAP_CELLS = 48
_NODE_GAP = 150
_INPUT_FILL = "#edf2f7"


@dataclass
class _Column:
    """The units between two layers: where they are drawn and how they are filled."""

    units: int
    header: tuple[str, str]
    fills: list[str]
    labels: list[str] = field(default_factory=list)
    labels_left: bool = False
    bar_fill: str = "#ffffff"
    as_bar: bool = False
    x: float = 0.0


@dataclass
class _Link:
    """What stands for one layer between its input and output columns."""

    layer: Layer
    weights: Matrix | None
    kind: str  # "edges", "heatmap" or "box"
    width: float = float(_NODE_GAP)


def _checked_weights(layer: Dense, index: int) -> tuple[Matrix, list[float] | None]:
    """W (n_in × n_out) and b (n_out values, or None), finite and of the layer's shape."""
    name = f"layers[{index}]"
    weights = finite_matrix(layer.weights.value, _WHERE, f"{name}.weights")
    expected = [(weights, "weights", layer.n_in)]
    bias = None
    if layer.bias is not None:
        bias_matrix = finite_matrix(layer.bias.value, _WHERE, f"{name}.bias")
        expected.append((bias_matrix, "bias", 1))
        bias = bias_matrix[0]
    for matrix, label, rows in expected:
        if (len(matrix), len(matrix[0])) != (rows, layer.n_out):
            raise ShapeError(
                f"{_WHERE}: {name}.{label} is {len(matrix)}×{len(matrix[0])} but {layer!r} "
                f"needs {rows}×{layer.n_out}"
            )
    return weights, bias


def _largest(values: Sequence[float]) -> float:
    return max((abs(value) for value in values), default=0.0)


def _columns(network: Network, max_nodes: int) -> tuple[list[_Column], list[_Link]]:
    """The columns (inputs first) and the link of every layer, before layout."""
    n_in = network.layers[0].n_in
    names = [f"x{i + 1}" for i in range(n_in)]
    inputs = _Column(
        n_in, ("input", f"{n_in} units"), [_INPUT_FILL] * n_in, names, True, _INPUT_FILL
    )
    columns, links = [inputs], []
    for index, layer in enumerate(network.layers):
        units = check_int(getattr(layer, "n_out", None), f"layers[{index}].n_out", _WHERE, 1)
        if isinstance(layer, Dense):
            weights, bias = _checked_weights(layer, index)
            scale = _largest(bias or [])
            fills = [colors.signed(b, scale) for b in bias] if bias else ["#ffffff"] * units
            header = ("Dense", f"{units} · {layer.activation.name}")
            links.append(_Link(layer, weights, "edges"))
        else:
            fills, header = ["#ffffff"] * units, (type(layer).__name__, f"{units} units")
            links.append(_Link(layer, None, "box"))
        columns.append(_Column(units, header, fills))
    columns[-1].labels = [f"ŷ{i + 1}" for i in range(columns[-1].units)]
    for column in columns:
        column.as_bar = column.units > max_nodes
    return columns, links


def _choose_links(
    columns: list[_Column], links: list[_Link], max_edges: int, height: float
) -> None:
    """Edges where they stay readable, otherwise a heat map; sets each link's width."""
    for link, left, right in zip(links, columns, columns[1:]):
        if link.kind == "box":
            link.width = max(_NODE_GAP, max(map(len, _box_lines(link.layer))) * 7.2 + 60)
            continue
        crowded = left.units * right.units > max_edges
        if crowded or left.as_bar or right.as_bar:
            link.kind = "heatmap"
            _, cols, cell = _heatmap_geometry(left.units, right.units, height)
            link.width = max(_NODE_GAP, cols * cell + 90)


def _heatmap_geometry(n_in: int, n_out: int, height: float) -> tuple[int, int, float]:
    """(rows drawn, columns drawn, cell size in pixels) of W's heat map."""
    rows = math.ceil(n_in / math.ceil(n_in / _HEATMAP_CELLS))
    cols = math.ceil(n_out / math.ceil(n_out / _HEATMAP_CELLS))
    cell = min(12.0, height / rows, 220.0 / cols)
    return rows, cols, cell


def _box_lines(layer: Layer) -> list[str]:
    """repr(layer) cut after commas into lines of at most 28 characters (at most 6 lines)."""
    lines: list[str] = []
    for piece in repr(layer).replace(", ", ",\n").split("\n"):
        if lines and len(lines[-1]) + 1 + len(piece) <= 28:
            lines[-1] += " " + piece
        else:
            lines.append(piece if len(piece) <= 28 else piece[:27] + "…")
    return lines if len(lines) <= 6 else [*lines[:5], "…"]


@dataclass(frozen=True)
class _Layout:
    """Vertical geometry shared by all columns."""

    spacing: float
    height: float

    @property
    def middle(self) -> float:
        """The row of the columns' centre."""
        return _TOP + self.height / 2

    @property
    def radius(self) -> float:
        """The radius of a unit's circle."""
        return min(13.0, 0.36 * self.spacing)

    def unit_y(self, column: _Column, index: int) -> float:
        """The row of unit ``index`` of ``column``."""
        return self.middle + (index - (column.units - 1) / 2) * self.spacing

    def extent(self, column: _Column) -> tuple[float, float]:
        """(top, bottom) of what the column draws."""
        if column.as_bar:
            return _TOP, _TOP + self.height
        half = (column.units - 1) / 2 * self.spacing + self.radius
        return self.middle - half, self.middle + half


def _layout(columns: list[_Column]) -> _Layout:
    tallest = max([column.units for column in columns if not column.as_bar], default=1)
    spacing = min(40.0, 420.0 / tallest)
    return _Layout(spacing, max(200.0, tallest * spacing))


def _draw_column(column: _Column, layout: _Layout) -> list[str]:
    parts = [
        text(
            column.x,
            _TOP - 34,
            column.header[0],
            {"font-weight": "600", "fill": colors.TEXT, "text-anchor": "middle"},
        ),
        text(
            column.x,
            _TOP - 18,
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


def _bar(column: _Column, layout: _Layout) -> str:
    box: dict[str, Attribute] = {
        "x": column.x - 13,
        "y": _TOP,
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


def _unit_labels(column: _Column, layout: _Layout) -> list[str]:
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


def _draw_edges(weights: Matrix, left: _Column, right: _Column, layout: _Layout) -> list[str]:
    """One line per weight, weakest first so the strong ones lie on top."""
    largest = _largest([w for row in weights for w in row])
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


def _pooled(weights: Matrix, rows: int, cols: int) -> Matrix:
    """W cut into rows × cols blocks, each represented by its entry of largest |w|."""
    n_in, n_out = len(weights), len(weights[0])
    row_step, col_step = math.ceil(n_in / rows), math.ceil(n_out / cols)
    return [
        [
            max(
                (
                    weights[j][k]
                    for j in range(r * row_step, min(n_in, (r + 1) * row_step))
                    for k in range(c * col_step, min(n_out, (c + 1) * col_step))
                ),
                key=abs,
            )
            for c in range(cols)
        ]
        for r in range(rows)
    ]


def _draw_heatmap(weights: Matrix, left: _Column, right: _Column, layout: _Layout) -> list[str]:
    """W as coloured cells between the columns, with light bands joining it to both."""
    rows, cols, cell = _heatmap_geometry(left.units, right.units, layout.height)
    shown = _pooled(weights, rows, cols)
    largest = _largest([w for row in shown for w in row]) or 1.0
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
    left: _Column, right: _Column, layout: _Layout, target: tuple[float, float, float, float]
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


def _draw_box(layer: Layer, left: _Column, right: _Column, layout: _Layout) -> list[str]:
    """A rounded box holding repr(layer), joined to both columns by light bands."""
    lines = _box_lines(layer)
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


def _draw_link(link: _Link, left: _Column, right: _Column, layout: _Layout) -> list[str]:
    if link.weights is None:
        return _draw_box(link.layer, left, right, layout)
    if link.kind == "heatmap":
        parts = _draw_heatmap(link.weights, left, right, layout)
    else:
        parts = _draw_edges(link.weights, left, right, layout)
    return parts + _caption(link.weights, link.kind, (left.x + right.x) / 2, layout)


def _caption(weights: Matrix, kind: str, x: float, layout: _Layout) -> list[str]:
    """The size and largest |w| of W under its link; how it was pooled, if it was."""
    n_in, n_out = len(weights), len(weights[0])
    largest = _largest([w for row in weights for w in row])
    lines = [f"W {n_in}×{n_out} · max |w| {largest:.3g}"]
    if kind == "heatmap":
        rows, cols, _ = _heatmap_geometry(n_in, n_out, layout.height)
        if (rows, cols) != (n_in, n_out):
            lines.append(f"{rows}×{cols} blocks, largest |w| of each")
    style: dict[str, Attribute] = {
        "font-size": TICK_FONT,
        "fill": colors.MUTED,
        "text-anchor": "middle",
        "class": "caption",
    }
    y = _TOP + layout.height + 24
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


def _place(columns: list[_Column], links: list[_Link]) -> float:
    """Set every column's x; return the drawing's width (room for the unit labels too)."""
    first, last = columns[0], columns[-1]
    x = max(60.0, text_width(first.header[1], TICK_FONT) / 2 + 20, _label_room(first))
    for column, link in zip(columns, [*links, None]):
        column.x = x
        if link is not None:
            x += link.width
    return x + max(60.0, text_width(last.header[1], TICK_FONT) / 2 + 20, _label_room(last))


def _label_room(column: _Column) -> float:
    """The pixels beside a column that its unit labels take (they are drawn up to 16 units)."""
    if not column.labels or column.units > 16:
        return 0.0
    return max(text_width(label, TICK_FONT) for label in column.labels) + 30


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

    >>> net = Network([Dense(3, 4, "sigmoid"), Dense(4, 1, "sigmoid")], seed=1)
    >>> svg = architecture(net)
    >>> svg.count('class="node"'), svg.count('class="edge"')
    (8, 16)
    """
    if not isinstance(network, Network):
        raise ConfigurationError(f"{_WHERE}: network must be a Network, got {shown(network)}")
    check_int(max_nodes, "max_nodes", _WHERE, 1)
    check_int(max_edges, "max_edges", _WHERE, 1)
    heading = optional_text(title, _WHERE, "title")
    columns, links = _columns(network, max_nodes)
    for column, names in ((columns[0], input_names), (columns[-1], output_names)):
        given = optional_names(names, column.units, _WHERE, "input_names or output_names")
        column.labels = column.labels if given is None else [short(n) for n in given]
    layout = _layout(columns)
    _choose_links(columns, links, max_edges, layout.height)
    width = max(_place(columns, links), _KEY_WIDTH + 40)
    bottom = _TOP + layout.height + 64
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
    return drawing.finish(path, _WHERE)
