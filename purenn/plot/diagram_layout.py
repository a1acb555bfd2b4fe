"""Where the architecture diagram puts things, before anything is drawn.

The diagram (``purenn.plot.diagram``) is a row of columns: column 0 holds the network's inputs,
column i + 1 the outputs of layer i, and between two columns a link stands for the layer.  This
module decides what each column and link is and where it goes:

- a column is a circle per unit, or one bar when it has more than ``max_nodes`` units;
- a Dense layer's link is an edge per weight, or a heat map of W when it has more than
  ``max_edges`` weights or joins a bar (a side longer than HEATMAP_CELLS pooled in blocks);
- any other layer's link is a box holding its repr (``box_lines``);

and ``Layout`` holds the vertical geometry every column shares.  The weights are checked here,
once: finite, and of the shapes their layer says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from purenn.arguments import check_int
from purenn.errors import ShapeError
from purenn.layers import Dense, Layer
from purenn.network import Network
from purenn.plot import colors
from purenn.plot.axes import TICK_FONT
from purenn.plot.checks import finite_matrix
from purenn.plot.svg import text_width

if TYPE_CHECKING:
    from typing import Sequence

    from purenn.kernels import Matrix

__all__ = [
    "WHERE",
    "TOP",
    "HEATMAP_CELLS",
    "NODE_GAP",
    "Column",
    "Link",
    "Layout",
    "checked_weights",
    "largest_magnitude",
    "plan_columns",
    "choose_links",
    "heatmap_geometry",
    "pooled",
    "box_lines",
    "layout_of",
    "place_columns",
]

WHERE = "architecture"
"""The function whose errors the checks here name."""
TOP = 92
"""The row, in pixels, where the columns begin (the title and headers are above it)."""
HEATMAP_CELLS = 48
"""The most cells a heat map draws along a side; a longer side is pooled in blocks."""
NODE_GAP = 150
"""The narrowest link, in pixels, between two columns."""
INPUT_FILL = "#edf2f7"


@dataclass
class Column:
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
class Link:
    """What stands for one layer between its input and output columns."""

    layer: Layer
    weights: Matrix | None
    kind: str  # "edges", "heatmap" or "box"
    width: float = float(NODE_GAP)


def checked_weights(layer: Dense, index: int) -> tuple[Matrix, list[float] | None]:
    """W (n_in × n_out) and b (n_out values, or None), finite and of the layer's shape;
    ConfigurationError for a NaN or ±inf, ShapeError for a shape the layer no longer has.

    >>> layer = Dense(2, 1)
    >>> layer.weights.value = [[0.5], [-1.0]]
    >>> checked_weights(layer, 0)
    ([[0.5], [-1.0]], [0.0])
    """
    name = f"layers[{index}]"
    weights = finite_matrix(layer.weights.value, WHERE, f"{name}.weights")
    expected = [(weights, "weights", layer.n_in)]
    bias = None
    if layer.bias is not None:
        bias_matrix = finite_matrix(layer.bias.value, WHERE, f"{name}.bias")
        expected.append((bias_matrix, "bias", 1))
        bias = bias_matrix[0]
    for matrix, label, rows in expected:
        if (len(matrix), len(matrix[0])) != (rows, layer.n_out):
            raise ShapeError(
                f"{WHERE}: {name}.{label} is {len(matrix)}×{len(matrix[0])} but {layer!r} "
                f"needs {rows}×{layer.n_out}"
            )
    return weights, bias


def largest_magnitude(values: Sequence[float]) -> float:
    """max |v| over ``values``, 0 for none: what a layer's shades are relative to.

    >>> largest_magnitude([0.5, -2.0, 1.0]), largest_magnitude([])
    (2.0, 0.0)
    """
    return max((abs(value) for value in values), default=0.0)


def plan_columns(network: Network, max_nodes: int) -> tuple[list[Column], list[Link]]:
    """The columns (inputs first) and the link of every layer, before layout.

    >>> from purenn.layers import Flatten
    >>> columns, links = plan_columns(Network([Dense(3, 2), Flatten()]), max_nodes=2)
    >>> [(c.header[0], c.as_bar) for c in columns], [link.kind for link in links]
    ([('input', True), ('Dense', False), ('Flatten', False)], ['edges', 'box'])
    """
    n_in = network.layers[0].n_in
    names = [f"x{i + 1}" for i in range(n_in)]
    inputs = Column(
        n_in, ("input", f"{n_in} units"), [INPUT_FILL] * n_in, names, True, INPUT_FILL
    )
    columns, links = [inputs], []
    for index, layer in enumerate(network.layers):
        units = check_int(getattr(layer, "n_out", None), f"layers[{index}].n_out", WHERE, 1)
        if isinstance(layer, Dense):
            weights, bias = checked_weights(layer, index)
            scale = largest_magnitude(bias or [])
            fills = [colors.signed(b, scale) for b in bias] if bias else ["#ffffff"] * units
            header = ("Dense", f"{units} · {layer.activation.name}")
            links.append(Link(layer, weights, "edges"))
        else:
            fills, header = ["#ffffff"] * units, (type(layer).__name__, f"{units} units")
            links.append(Link(layer, None, "box"))
        columns.append(Column(units, header, fills))
    columns[-1].labels = [f"ŷ{i + 1}" for i in range(columns[-1].units)]
    for column in columns:
        column.as_bar = column.units > max_nodes
    return columns, links


def choose_links(
    columns: list[Column], links: list[Link], max_edges: int, height: float
) -> None:
    """Edges where they stay readable, otherwise a heat map; sets each link's width.

    >>> columns, links = plan_columns(Network([Dense(20, 20)]), max_nodes=32)
    >>> choose_links(columns, links, max_edges=256, height=400.0)
    >>> links[0].kind
    'heatmap'
    """
    for link, left, right in zip(links, columns, columns[1:]):
        if link.kind == "box":
            link.width = max(NODE_GAP, max(map(len, box_lines(link.layer))) * 7.2 + 60)
            continue
        crowded = left.units * right.units > max_edges
        if crowded or left.as_bar or right.as_bar:
            link.kind = "heatmap"
            _, cols, cell = heatmap_geometry(left.units, right.units, height)
            link.width = max(NODE_GAP, cols * cell + 90)


def heatmap_geometry(n_in: int, n_out: int, height: float) -> tuple[int, int, float]:
    """(rows drawn, columns drawn, cell size in pixels) of W's heat map: at most HEATMAP_CELLS
    a side, cells of at most 12 pixels.

    >>> heatmap_geometry(100, 10, 300.0)
    (34, 10, 8.823529411764707)
    """
    rows = math.ceil(n_in / math.ceil(n_in / HEATMAP_CELLS))
    cols = math.ceil(n_out / math.ceil(n_out / HEATMAP_CELLS))
    cell = min(12.0, height / rows, 220.0 / cols)
    return rows, cols, cell


def pooled(weights: Matrix, rows: int, cols: int) -> Matrix:
    """W cut into rows × cols blocks, each represented by its entry of largest |w|.

    >>> pooled([[1.0, -3.0], [2.0, 0.5]], 1, 2)
    [[2.0, -3.0]]
    """
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


def box_lines(layer: Layer) -> list[str]:
    """repr(layer) cut after commas into lines of at most 28 characters (at most 6 lines).

    >>> box_lines(Dense(2, 1, "tanh", bias=False))
    ['Dense(2, 1,', "activation='tanh',", 'bias=False)']
    """
    lines: list[str] = []
    for piece in repr(layer).replace(", ", ",\n").split("\n"):
        if lines and len(lines[-1]) + 1 + len(piece) <= 28:
            lines[-1] += " " + piece
        else:
            lines.append(piece if len(piece) <= 28 else piece[:27] + "…")
    return lines if len(lines) <= 6 else [*lines[:5], "…"]


@dataclass(frozen=True)
class Layout:
    """Vertical geometry shared by all columns."""

    spacing: float
    height: float

    @property
    def middle(self) -> float:
        """The row of the columns' centre."""
        return TOP + self.height / 2

    @property
    def radius(self) -> float:
        """The radius of a unit's circle."""
        return min(13.0, 0.36 * self.spacing)

    def unit_y(self, column: Column, index: int) -> float:
        """The row of unit ``index`` of ``column``."""
        return self.middle + (index - (column.units - 1) / 2) * self.spacing

    def extent(self, column: Column) -> tuple[float, float]:
        """(top, bottom) of what the column draws."""
        if column.as_bar:
            return TOP, TOP + self.height
        half = (column.units - 1) / 2 * self.spacing + self.radius
        return self.middle - half, self.middle + half


def layout_of(columns: list[Column]) -> Layout:
    """The geometry that fits the tallest column of circles: a unit every 40 pixels, closer
    when more than 10 units would pass 420 pixels; at least 200 pixels high.

    >>> layout_of(plan_columns(Network([Dense(3, 21)]), max_nodes=32)[0])
    Layout(spacing=20.0, height=420.0)
    """
    tallest = max([column.units for column in columns if not column.as_bar], default=1)
    spacing = min(40.0, 420.0 / tallest)
    return Layout(spacing, max(200.0, tallest * spacing))


def place_columns(columns: list[Column], links: list[Link]) -> float:
    """Set every column's x; return the drawing's width (room for the unit labels too).

    >>> columns, links = plan_columns(Network([Dense(3, 2)]), max_nodes=32)
    >>> place_columns(columns, links), [column.x for column in columns]
    (270.0, [60.0, 210.0])
    """
    first, last = columns[0], columns[-1]
    x = max(60.0, text_width(first.header[1], TICK_FONT) / 2 + 20, _label_room(first))
    for column, link in zip(columns, [*links, None]):
        column.x = x
        if link is not None:
            x += link.width
    return x + max(60.0, text_width(last.header[1], TICK_FONT) / 2 + 20, _label_room(last))


def _label_room(column: Column) -> float:
    """The pixels beside a column that its unit labels take (they are drawn up to 16 units)."""
    if not column.labels or column.units > 16:
        return 0.0
    return max(text_width(label, TICK_FONT) for label in column.labels) + 30
