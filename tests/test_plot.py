"""purenn.plot: every picture parses as SVG and holds what it draws.

Each picture is read back with xml.etree: one polyline point per epoch or step, one circle per
unit and per data point, one edge per weight coloured by its sign, the class-region and image
cells decoded from their paths and compared cell by cell.  Bad input must raise purenn's errors
naming the function and the argument.  Rendering in a browser is tests/test_plot_render.py.
"""

import doctest
import importlib
import inspect
import math
import pathlib
import pkgutil
import re
import xml.etree.ElementTree as ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

import purenn as pn
import purenn.plot
from purenn.cli import seed_network
from purenn.errors import ConfigurationError, DataError, ShapeError
from purenn.gradient_checking import step_sweep
from purenn.layers import Dense, Layer
from purenn.network import Network
from purenn.plot import architecture, colors, decision_boundary, image_grid, loss_curve, sweep
from purenn.training import History

NS = "{http://www.w3.org/2000/svg}"
RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\d+z")
HUGE = st.floats(min_value=-1e308, max_value=1e308, allow_nan=False)
NUMERIC_ATTRIBUTES = ("x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height")


# -- reading pictures back -----------------------------------------------------------------------


def parse(svg):
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def by_class(root, name):
    return [element for element in root.iter() if element.get("class") == name]


def text_of(element):
    return "".join(element.itertext())


def texts(root, name):
    return [text_of(element) for element in by_class(root, name)]


def polyline_points(polyline):
    return [tuple(map(float, pair.split(","))) for pair in polyline.get("points").split()]


def series_named(root, label):
    (found,) = [p for p in by_class(root, "series") if text_of(p) == label]
    return found


def canvas(root):
    return float(root.get("width")), float(root.get("height"))


def assert_geometry_is_finite_and_on_the_canvas(root):
    width, height = canvas(root)
    for element in root.iter():
        for name in NUMERIC_ATTRIBUTES:
            if element.get(name) is not None:
                assert math.isfinite(float(element.get(name))), (element.tag, name)
    for polyline in root.iter(f"{NS}polyline"):
        for x, y in polyline_points(polyline):
            assert 0 <= x <= width and 0 <= y <= height


def cells_of(group, rows, columns):
    """The colours a raster group paints: rows × columns, None where unpainted."""
    grid = [[None] * columns for _ in range(rows)]
    for path in group.iter(f"{NS}path"):
        for match in RUN.finditer(path.get("d")):
            column, row, length = map(int, match.groups())
            for c in range(column, column + length):
                assert grid[row][c] is None, "a cell painted twice"
                grid[row][c] = path.get("fill")
    return grid


def raster_size(group):
    """(rows, columns) of a raster group, from the extent of its runs."""
    runs = [tuple(map(int, m.groups())) for p in group.iter(f"{NS}path")
            for m in RUN.finditer(p.get("d"))]
    return max(r for _, r, _ in runs) + 1, max(c + n for c, _, n in runs)


def history_of(loss, val_loss=(), **metrics):
    history = History()
    history.loss = list(loss)
    history.val_loss = list(val_loss)
    history.metrics = {name: list(values) for name, values in metrics.items()}
    return history


def raw_history(**fields):
    """A History with attributes set as given, unchecked: for what a caller might break."""
    history = History()
    for name, value in fields.items():
        setattr(history, name, value)
    return history


def trained_seed():
    x, y = pn.datasets.seed_data()
    net = Network([Dense(3, 4, "sigmoid", bias=False, init="uniform"),
                   Dense(4, 1, "sigmoid", bias=False, init="uniform")], loss="sse", seed=1)
    history = net.fit(x, y, epochs=200, learning_rate=1.0)
    return net, history


# -- every picture: self-contained, documented ---------------------------------------------------


class Box(Layer):
    """A layer the diagram does not know: it must still draw."""

    def __init__(self, n_in, n_out):
        self.n_in, self.n_out = n_in, n_out

    def forward(self, x):
        return [row[: self.n_out] for row in x]

    def __repr__(self):
        return f"Box<{self.n_in} → {self.n_out} & more>"


def all_pictures():
    net, history = trained_seed()
    two_d = Network([Dense(2, 3, "tanh"), Dense(3, 2)], loss="cross_entropy", seed=0)
    return {
        "loss_curve": loss_curve(history, log_scale=True),
        "architecture": architecture(net),
        "architecture_box": architecture(Network([Dense(2, 40), Box(40, 5), Dense(5, 1)])),
        "decision_boundary": decision_boundary(two_d, [[0, 0], [1, 2], [2, 1]], [0, 1, 1],
                                               resolution=12),
        "sweep": sweep({"central": [(1e-2, 1e-6), (1e-5, 1e-11)], "complex": [(1e-300, 0.0)]}),
        "image_grid": image_grid([[0, 1, 2, 3]], (2, 2), labels=["<digit>"]),
    }


PICTURES = all_pictures()


def assert_self_contained(svg):
    root = parse(svg)
    width, height = canvas(root)
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert width > 0 and height > 0
    for element in root.iter():
        assert element.tag.startswith(NS), element.tag
        assert element.tag[len(NS):] not in ("script", "foreignObject", "image", "style", "a")
        for attribute in element.attrib:
            assert not attribute.startswith("on") and "href" not in attribute
    assert "url(" not in svg and "@import" not in svg and "http" not in svg.replace(NS[1:-1], "")
    assert_geometry_is_finite_and_on_the_canvas(root)
    assert text_of(root.find(f"{NS}title"))


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_every_picture_is_a_self_contained_svg(name):
    assert_self_contained(PICTURES[name])


def test_the_pictures_of_the_docs_exist_are_small_and_self_contained():
    docs = pathlib.Path(__file__).resolve().parent.parent / "docs"
    linked = re.findall(r"\]\(([\w.]+\.svg)\)", (docs / "pictures.md").read_text("utf-8"))
    assert len(linked) == 4
    for name in linked:
        svg = (docs / name).read_text(encoding="utf-8")
        assert len(svg.encode("utf-8")) < 50_000, name
        assert_self_contained(svg)


PLOT_MODULES = [
    importlib.import_module(f"purenn.plot.{info.name}")
    for info in pkgutil.iter_modules(purenn.plot.__path__)
]


@pytest.mark.parametrize("module", PLOT_MODULES, ids=lambda module: module.__name__)
def test_the_examples_in_the_docstrings_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("module", PLOT_MODULES, ids=lambda module: module.__name__)
def test_every_public_function_shows_an_example(module):
    for name in module.__all__:
        function = getattr(module, name)
        if inspect.isfunction(function):
            assert ">>>" in (function.__doc__ or ""), f"{module.__name__}.{name}"


def test_a_path_receives_exactly_the_returned_text(tmp_path):
    target = tmp_path / "loss.svg"
    returned = loss_curve(history_of([3, 2, 1]), target)
    assert target.read_text(encoding="utf-8") == returned
    assert sweep({"central": [(0.1, 0.2)]}, str(tmp_path / "s.svg")).startswith("<svg")


@pytest.mark.parametrize("draw", [
    lambda path: loss_curve(history_of([1.0]), path),
    lambda path: sweep({"central": [(0.1, 0.2)]}, path),
    lambda path: image_grid([[0.0]], (1, 1), path),
])
def test_a_path_of_the_wrong_kind_is_refused(draw):
    with pytest.raises(ConfigurationError, match="path must be a str"):
        draw(42)


# -- loss curves ---------------------------------------------------------------------------------


histories = st.integers(1, 40).flatmap(
    lambda n: st.tuples(
        st.lists(HUGE, min_size=n, max_size=n),
        st.one_of(st.just([]), st.lists(HUGE, min_size=n, max_size=n)),
    )
)


@given(histories, st.booleans())
def test_loss_curves_have_one_point_per_epoch_in_the_order_of_the_values(data, log_scale):
    loss, val_loss = data
    history = history_of(loss, val_loss)
    if log_scale and not any(value > 0 for value in loss + val_loss):
        with pytest.raises(ConfigurationError, match="loss_curve: a log scale needs"):
            loss_curve(history, log_scale=log_scale)
        return
    root = parse(loss_curve(history, log_scale=log_scale))
    assert_geometry_is_finite_and_on_the_canvas(root)
    drawn = [("training loss", loss)] + ([("validation loss", val_loss)] if val_loss else [])
    assert len(by_class(root, "series")) == len(drawn)
    all_values = loss + val_loss
    floor_y = None
    for label, values in drawn:
        points = polyline_points(series_named(root, label))
        assert len(points) == len(values)
        assert [x for x, _ in points] == sorted(x for x, _ in points)
        for (_, y1), v1 in zip(points, values):
            for (_, y2), v2 in zip(points, values):
                if v1 < v2:
                    assert y1 >= y2
            if log_scale and v1 <= 0:
                floor_y = y1 if floor_y is None else floor_y
                assert y1 == floor_y == max(y for _, y in points)
    clamped = sum(value <= 0 for value in all_values) if log_scale else 0
    notes = texts(root, "note")
    assert (clamped > 0) == bool(notes)
    if clamped:
        assert notes[0].startswith(f"{clamped} value")


@given(st.floats(min_value=5e-324, max_value=1e-300), st.integers(1, 5))
def test_a_log_scale_shows_losses_near_zero(tiny, epochs):
    history = history_of([tiny * (k + 1) for k in range(epochs)])
    root = parse(loss_curve(history, log_scale=True))
    assert len(polyline_points(series_named(root, "training loss"))) == epochs
    assert any(label.startswith("10") for label in texts(root, "tick-label"))


def test_a_perfect_fit_on_a_log_scale_is_drawn_on_the_floor_with_a_note():
    root = parse(loss_curve(history_of([1.0, 0.1, 0.0, 0.0]), log_scale=True))
    points = polyline_points(series_named(root, "training loss"))
    assert points[2][1] == points[3][1] == max(y for _, y in points)
    assert texts(root, "note") == [
        "2 values ≤ 0 of loss drawn on the bottom edge (a log scale cannot show them)"
    ]


def test_constant_and_single_epoch_histories_draw_a_visible_point():
    for loss in ([0.5], [0.5] * 7, [0.0]):
        root = parse(loss_curve(history_of(loss)))
        assert len(root.findall(f".//{NS}circle")) == len(loss)


def test_a_loss_curve_has_axis_labels_legend_and_title():
    root = parse(loss_curve(history_of([2, 1], [3, 2]), title="Run <1> & co"))
    assert texts(root, "axis-label") == ["epoch", "loss"]
    assert texts(root, "title") == ["Run <1> & co"]
    assert text_of(by_class(root, "legend")[0]) == "training lossvalidation loss"
    default = parse(loss_curve(history_of([2, 1], [3, 2])))
    assert texts(default, "title") == ["Training and validation loss"]


def test_metrics_get_panels_of_their_own_with_their_validation_partner():
    history = history_of([3, 2, 1], [4, 3, 2], accuracy=[0.5, 0.7, 0.9],
                         val_accuracy=[0.4, 0.6, 0.8])
    history.lr = [0.1, 0.05, 0.01]
    root = parse(loss_curve(history, metrics=["accuracy", "lr"]))
    labels = [text_of(series) for series in by_class(root, "series")]
    assert labels == ["training loss", "validation loss", "accuracy", "val_accuracy", "lr"]
    assert texts(root, "axis-label") == ["loss", "accuracy", "epoch", "learning rate"]
    for label in labels:
        assert len(polyline_points(series_named(root, label))) == 3


def test_a_real_history_draws_every_epoch():
    _, history = trained_seed()
    root = parse(loss_curve(history))
    assert len(polyline_points(series_named(root, "training loss"))) == history.epochs == 200


@pytest.mark.parametrize("history, options, error, message", [
    (History(), {}, ShapeError, "loss_curve: history has no epochs"),
    (history_of([1, 2], [1]), {}, ShapeError, "history.val_loss has 1 values but"),
    (history_of([1, float("nan")]), {}, DataError, r"history.loss\[1\] is nan"),
    (history_of([1], [math.inf]), {}, DataError, r"history.val_loss\[0\] is inf"),
    (history_of([1, 2], accuracy=[1]), {"metrics": ["accuracy"]}, ShapeError,
     "history.accuracy has 1 values"),
    (history_of([1]), {"metrics": ["acc"]}, ConfigurationError, "has no metric 'acc'"),
    (history_of([1]), {"metrics": "lr"}, ConfigurationError, "metrics must be a list"),
    (history_of([0.0, -1.0]), {"log_scale": True}, ConfigurationError, "every value of loss"),
    (history_of([1]), {"log_scale": "yes"}, ConfigurationError, "log_scale must be True"),
    (history_of([1]), {"title": 3}, ConfigurationError, "title must be a str"),
    (history_of(["1"]), {}, ConfigurationError, r"history.loss\[0\] is not a number"),
    (raw_history(loss="123"), {}, ConfigurationError, "history.loss must be a list of numbers"),
    ([1.0, 2.0], {}, ConfigurationError, "history must be a History"),
])
def test_loss_curve_refuses_bad_input_by_name(history, options, error, message):
    with pytest.raises(error, match=message):
        loss_curve(history, **options)


# -- the gradient-check sweep --------------------------------------------------------------------


sweeps = st.dictionaries(
    st.sampled_from(["forward", "central", "richardson", "complex"]),
    st.lists(st.tuples(st.floats(1e-300, 1.0), st.floats(0, 1e10)), min_size=1, max_size=20),
    min_size=1,
)


@given(sweeps)
def test_a_sweep_draws_one_line_per_method_with_one_point_per_step(results):
    root = parse(sweep(results))
    assert_geometry_is_finite_and_on_the_canvas(root)
    for method, rows in results.items():
        points = polyline_points(series_named(root, method))
        assert len(points) == len(rows)
        assert [x for x, _ in points] == sorted(x for x, _ in points)
    assert len(root.findall(f".//{NS}circle")) == sum(map(len, results.values()))
    assert texts(root, "axis-label") == ["step h", "max |backprop − numerical|"]


def test_the_real_sweep_breaks_its_axis_to_keep_the_u_curves_readable():
    x, y = pn.datasets.seed_data()
    results = step_sweep(seed_network(1), x, y)
    root = parse(sweep(results))
    assert len(by_class(root, "axis-break")) == 1
    assert texts(root, "guide-label") == ["√ε", "∛ε"]
    central = polyline_points(series_named(root, "central"))
    lowest = max(range(len(central)), key=lambda i: central[i][1])  # pixel y grows downwards
    assert 0 < lowest < len(central) - 1, "the central-difference error must dip, then rise"
    narrow = parse(sweep({"central": results["central"]}))
    assert by_class(narrow, "axis-break") == []


def test_a_zero_error_sits_on_the_floor_with_a_note():
    root = parse(sweep({"complex": [(1e-3, 1e-12), (1e-5, 0.0)]}))
    assert texts(root, "note")[0].startswith("1 value ≤ 0")


@pytest.mark.parametrize("results, error, message", [
    ({}, ShapeError, "sweep: results is empty"),
    ({"central": []}, ShapeError, r"results\['central'\] is empty"),
    ({"central": [(0.0, 1.0)]}, ConfigurationError, "h must be finite and > 0"),
    ({"central": [(1e-3, math.nan)]}, ConfigurationError, "errors must be finite and ≥ 0"),
    ({"central": [(1e-3, -1.0)]}, ConfigurationError, "errors must be finite and ≥ 0"),
    ({"central": [(1e-3,)]}, ConfigurationError, r"results\['central'\]\[0\] must be a pair"),
    ({"central": 3}, ConfigurationError, "must be a list of"),
    ([(1e-3, 1.0)], ConfigurationError, "results must be a dict"),
])
def test_sweep_refuses_bad_input_by_name(results, error, message):
    with pytest.raises(error, match=message):
        sweep(results)


# -- the architecture ----------------------------------------------------------------------------


def edge_index(edge):
    return tuple(map(int, re.match(r"w\[(\d+)\]\[(\d+)\]", text_of(edge)).groups()))


def test_the_seed_network_has_a_node_per_unit_and_an_edge_per_weight_coloured_by_sign():
    net, _ = trained_seed()
    root = parse(architecture(net))
    assert len(by_class(root, "node")) == 3 + 4 + 1
    edges = by_class(root, "edge")
    assert len(edges) == 12 + 4
    first, second = edges[:12], edges[12:]
    for layer, group in ((net.layers[0], first), (net.layers[1], second)):
        weights = layer.weights.value
        largest = max(abs(w) for row in weights for w in row)
        for edge in group:
            j, k = edge_index(edge)
            w = weights[j][k]
            assert edge.get("stroke") == (colors.POSITIVE if w >= 0 else colors.NEGATIVE)
            expected_width = 0.5 + 4.5 * abs(w) / largest
            assert abs(float(edge.get("stroke-width")) - expected_width) <= 0.005
    assert texts(root, "title") == ["Network 3–4–1"]


dense_stacks = st.lists(st.integers(1, 6), min_size=2, max_size=4)


@given(dense_stacks, st.booleans())
def test_small_networks_draw_every_unit_and_every_weight(sizes, bias):
    layers = [Dense(a, b, "tanh", bias=bias) for a, b in zip(sizes, sizes[1:])]
    root = parse(architecture(Network(layers, seed=0)))
    assert len(by_class(root, "node")) == sum(sizes)
    assert len(by_class(root, "edge")) == sum(a * b for a, b in zip(sizes, sizes[1:]))
    assert_geometry_is_finite_and_on_the_canvas(root)


def test_biases_fill_their_units_and_no_bias_leaves_them_white():
    net = Network([Dense(2, 3)], seed=0)
    net.layers[0].bias.value = [[1.0, -2.0, 0.0]]
    fills = [node.get("fill") for node in by_class(parse(architecture(net)), "node")]
    assert fills[2:] == [colors.signed(1.0, 2.0), colors.NEGATIVE, "#ffffff"]
    plain = Network([Dense(2, 3, bias=False)], seed=0)
    assert [n.get("fill") for n in by_class(parse(architecture(plain)), "node")][2:] == [
        "#ffffff"] * 3


def test_a_wide_layer_becomes_a_bar_and_its_weights_a_heat_map_of_the_right_signs():
    net = Network([Dense(3, 40, "relu"), Dense(40, 2)], seed=0)
    root = parse(architecture(net))
    assert len(by_class(root, "bar")) == 1
    assert "40 units" in texts(root, "bar")[0]
    heatmaps = by_class(root, "heatmap")
    assert len(heatmaps) == 2 and by_class(root, "edge") == []
    for layer, heatmap in zip(net.layers, heatmaps):
        weights = layer.weights.value
        largest = max(abs(w) for row in weights for w in row)
        assert raster_size(heatmap) == (layer.n_in, layer.n_out)
        cells = cells_of(heatmap, layer.n_in, layer.n_out)
        for row, colour_row in zip(weights, cells):
            for w, colour in zip(row, colour_row):
                red, blue = int(colour[1:3], 16), int(colour[5:7], 16)
                if abs(w) > largest / 32:
                    assert (blue > red) == (w > 0)
                else:
                    assert colour == "#ffffff"


def test_a_very_wide_layer_is_pooled_into_blocks_keeping_its_strongest_weight():
    net = Network([Dense(100, 60)], seed=0)
    strongest = (37, 11)
    net.layers[0].weights.value[strongest[0]][strongest[1]] = -50.0
    root = parse(architecture(net))
    (heatmap,) = by_class(root, "heatmap")
    rows, columns = math.ceil(100 / math.ceil(100 / 48)), math.ceil(60 / math.ceil(60 / 48))
    assert raster_size(heatmap) == (rows, columns)
    cells = cells_of(heatmap, rows, columns)
    assert all(colour is not None for row in cells for colour in row)
    block = (strongest[0] // 3, strongest[1] // 2)
    assert cells[block[0]][block[1]] == colors.NEGATIVE
    assert f"{rows}×{columns} blocks, largest |w| of each" in texts(root, "caption")


def test_a_layer_it_does_not_know_is_a_labelled_box():
    root = parse(PICTURES["architecture_box"])
    (box,) = by_class(root, "layer-box")
    assert text_of(box) == "Box<40 → 5 & more>"
    assert len(by_class(root, "bar")) == 1  # the 40 outputs of Dense(2, 40)
    assert len(by_class(root, "node")) == 2 + 5 + 1


@pytest.mark.parametrize("change, options, error, message", [
    (lambda net: net.layers[0].weights.value[1].__setitem__(2, math.nan), {}, DataError,
     r"architecture: layers\[0\].weights\[1\]\[2\] is nan"),
    (lambda net: net.layers[0].bias.value[0].__setitem__(0, -math.inf), {}, DataError,
     r"architecture: layers\[0\].bias\[0\]\[0\] is -inf"),
    (lambda net: None, {"max_nodes": 0}, ConfigurationError,
     "architecture: max_nodes must be an int ≥ 1"),
    (lambda net: None, {"max_edges": 2.5}, ConfigurationError,
     "architecture: max_edges must be an int"),
    (lambda net: None, {"title": ["x"]}, ConfigurationError, "architecture: title must be a str"),
])
def test_architecture_refuses_bad_input_by_name(change, options, error, message):
    net = Network([Dense(2, 3)], seed=0)
    change(net)
    with pytest.raises(error, match=message):
        architecture(net, **options)
    with pytest.raises(ConfigurationError, match="network must be a Network"):
        architecture([Dense(2, 3)])


def test_architecture_refuses_parameters_reshaped_behind_the_layers_back():
    # Assigning a new value of another shape is refused at once (test_hostile.py); changing the
    # list in place is not checked, and the picture refuses what that made.
    net = Network([Dense(2, 3)], seed=0)
    net.layers[0].weights.value[:] = [[1.0, 2.0]]
    with pytest.raises(ShapeError, match=r"architecture: layers\[0\].weights is 1×2 but Dense"):
        architecture(net)
    net = Network([Dense(2, 3)], seed=0)
    net.layers[0].bias.value[0][:] = [1.0]
    with pytest.raises(ShapeError, match=r"layers\[0\].bias is 1×1 .* needs 1×3"):
        architecture(net)
    net = Network([Dense(2, 3), Box(3, 2)], seed=0)
    net.layers[1].n_out = 0
    with pytest.raises(ConfigurationError, match=r"layers\[1\].n_out must be an int ≥ 1"):
        architecture(net)


# -- the decision boundary -----------------------------------------------------------------------


def sign_classifier():
    """Class 0 where x₁ > 0, class 1 where x₁ < 0: scores (x₁, −x₁)."""
    net = Network([Dense(2, 2)], loss="cross_entropy", seed=0)
    net.layers[0].weights.value = [[1.0, -1.0], [0.0, 0.0]]
    return net


def test_regions_follow_the_network_and_points_their_labels():
    x = [[-1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, -1.0], [0.5, 0.5]]
    labels = [1, 0, 1, 0, 1]
    net = sign_classifier()
    root = parse(decision_boundary(net, x, labels, resolution=20))
    points = by_class(root, "point")
    assert [p.get("fill") for p in points] == [colors.category(k) for k in labels]
    predicted = net.predict_classes(x)
    ringed = [p.get("stroke") is not None for p in points]
    assert ringed == [guess != label for guess, label in zip(predicted, labels)]
    (regions,) = by_class(root, "regions")
    rows, columns = raster_size(regions)
    assert max(rows, columns) == 20
    cells = cells_of(regions, rows, columns)
    shade = [colors.lighten(colors.category(k), 0.7) for k in (0, 1)]
    flips = [c for c in range(1, columns) if cells[0][c] != cells[0][c - 1]]
    assert len(flips) == 1 and all(row == cells[0] for row in cells)
    assert cells[0][0] == shade[1] and cells[0][-1] == shade[0]
    # the flip sits where x₁ = 0: the pixel column of the points (0, ±1)
    transform = [float(v) for v in re.findall(r"[-\d.]+", regions.get("transform"))]
    left, cell = transform[0], transform[2]
    zero = float(points[2].get("cx"))
    assert abs(left + flips[0] * cell - zero) <= cell


def test_the_accuracy_line_counts_the_points_the_network_gets_right():
    x = [[-1.0, 0.0], [1.0, 0.0], [2.0, 1.0], [-2.0, 1.0]]
    root = parse(decision_boundary(sign_classifier(), x, [1, 0, 1, 1], resolution=5))
    assert "accuracy 75.0% on these 4 points" in [text_of(e) for e in root.iter(f"{NS}text")]


clouds = st.integers(1, 25).flatmap(
    lambda n: st.tuples(
        st.lists(st.tuples(HUGE, HUGE).map(list), min_size=n, max_size=n),
        st.lists(st.integers(0, 3), min_size=n, max_size=n),
    )
)


@given(clouds)
def test_every_data_point_is_drawn_over_a_fully_shaded_plane(data):
    x, labels = data
    net = Network([Dense(2, 4, "tanh"), Dense(4, 3)], loss="cross_entropy", seed=0)
    root = parse(decision_boundary(net, x, labels, resolution=8))
    assert len(by_class(root, "point")) == len(x)
    (regions,) = by_class(root, "regions")
    rows, columns = raster_size(regions)
    assert all(c is not None for row in cells_of(regions, rows, columns) for c in row)
    assert_geometry_is_finite_and_on_the_canvas(root)


def test_runs_of_one_class_are_merged_so_the_file_stays_small():
    x, labels = pn.datasets.two_moons(60, seed=0)
    svg = decision_boundary(sign_classifier(), x, labels, resolution=100)
    (regions,) = by_class(parse(svg), "regions")
    rows, columns = raster_size(regions)
    runs = RUN.findall(ElementTree.tostring(regions, encoding="unicode"))
    assert len(runs) == 2 * rows < rows * columns / 10  # one run per class per row
    assert len(svg) < 20_000


def test_a_single_sigmoid_output_is_a_two_class_boundary():
    net = Network([Dense(2, 1, "sigmoid")], loss="bce", seed=0)
    root = parse(decision_boundary(net, [[0, 0], [1, 1]], [0, 1], resolution=6))
    assert len(by_class(root, "point")) == 2
    assert text_of(by_class(root, "legend")[0]).startswith("class 0class 1")


@pytest.mark.parametrize("network, x, labels, options, error, message", [
    (sign_classifier(), [[0, 0, 0]], [0], {}, ShapeError, "X is 1×3, but"),
    (Network([Dense(3, 2)]), [[0, 0]], [0], {}, ShapeError, "the network takes 3 inputs"),
    (sign_classifier(), [[0, 0], [1, 1]], [0], {}, ShapeError, "X has 2 rows but labels has 1"),
    (sign_classifier(), [[0, 0]], [0.5], {}, ConfigurationError, "labels must be a list of"),
    (sign_classifier(), [[0, math.nan]], [0], {}, DataError, r"X\[0\]\[1\] is nan"),
    (sign_classifier(), [], [], {}, ShapeError, "X must be a non-empty list"),
    (sign_classifier(), [[0, 0]], [0], {"resolution": 1}, ConfigurationError,
     "resolution must be an int ≥ 2"),
    ("net", [[0, 0]], [0], {}, ConfigurationError, "network must be a Network"),
])
def test_decision_boundary_refuses_bad_input_by_name(network, x, labels, options, error, message):
    with pytest.raises(error, match=f"decision_boundary: .*{message}"):
        decision_boundary(network, x, labels, **options)


# -- image grids ---------------------------------------------------------------------------------


def expected_gray(value, low, high):
    level = round(255 * (1 - (value - low) / (high - low))) if high > low else 255
    return f"#{level:02x}{level:02x}{level:02x}"


def pixel_groups(root):
    return [by_class(image, "pixels") for image in by_class(root, "image")]


image_sets = st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4)).flatmap(
    lambda shape: st.tuples(
        st.just(shape),
        st.lists(st.lists(st.floats(0, 16), min_size=shape[0] * shape[1] * shape[2],
                          max_size=shape[0] * shape[1] * shape[2]), min_size=1, max_size=7),
    )
)


@given(image_sets)
def test_every_pixel_of_every_image_has_its_grey(data):
    (channels, height, width), images = data
    if channels == 3:
        channels = 2  # RGB has a test of its own
        images = [row[: 2 * height * width] for row in images]
    root = parse(image_grid(images, (channels, height, width)))
    low, high = min(min(row) for row in images), max(max(row) for row in images)
    groups = pixel_groups(root)
    assert len(groups) == len(images)
    for image, tiles in zip(images, groups):
        assert len(tiles) == channels
        for c, tile in enumerate(tiles):
            cells = cells_of(tile, height, width)
            for i in range(height):
                for j in range(width):
                    value = image[c * height * width + i * width + j]
                    assert cells[i][j] == expected_gray(value, low, high)


def test_one_channel_images_are_read_row_major():
    root = parse(image_grid([[0, 1, 2, 3, 4, 5]], (2, 3)))
    (tile,) = pixel_groups(root)[0]
    cells = cells_of(tile, 2, 3)
    order = [cells[i][j] for i in range(2) for j in range(3)]
    assert order == [expected_gray(v, 0, 5) for v in range(6)]


def test_three_channels_are_red_green_and_blue():
    red, green, blue = [1.0, 0.0, 0.0, 0.5], [0.0, 1.0, 0.0, 0.5], [0.0, 0.0, 1.0, 0.5]
    image = [*red, *green, *blue]
    (tile,) = pixel_groups(parse(image_grid([image], (3, 2, 2))))[0]
    assert cells_of(tile, 2, 2) == [["#ff0000", "#00ff00"], ["#0000ff", "#808080"]]


def test_filters_with_both_signs_use_the_signed_colours():
    (tile,) = pixel_groups(parse(image_grid([[-2.0, 0.0, 1.0, 2.0]], (2, 2))))[0]
    assert cells_of(tile, 2, 2) == [[colors.NEGATIVE, "#ffffff"],
                                    [colors.signed(1.0, 2.0), colors.POSITIVE]]


def test_labels_are_written_under_their_images_and_escaped():
    root = parse(image_grid([[0.0, 1.0]] * 3, (1, 2), labels=["<a&b>", 7, "x"], columns=2))
    captions = [text_of(image.find(f"{NS}text")) for image in by_class(root, "image")]
    assert captions == ["<a&b>", "7", "x"]


@pytest.mark.parametrize("images, shape, options, error, message", [
    ([[0.0] * 63], (8, 8), {}, ShapeError, r"rows of 63 values but image_shape \(8, 8\) needs 64"),
    ([[0.0] * 4], (0, 2), {}, ConfigurationError, "image_shape must be an int ≥ 1"),
    ([[0.0] * 4], (4,), {}, ConfigurationError, r"image_shape must be \(C, H, W\) or \(H, W\)"),
    ([[0.0] * 4], (2, 2), {"labels": ["a", "b"]}, ShapeError, "1 rows but labels has 2"),
    ([[0.0] * 4], (2, 2), {"labels": [None]}, ConfigurationError, r"labels\[0\] must be a str"),
    ([[0.0] * 4], (2, 2), {"labels": "a"}, ConfigurationError, "labels must be a list or None"),
    ([[0.0, math.inf, 0.0, 0.0]], (2, 2), {}, DataError, r"images\[0\]\[1\] is inf"),
    ([[0.0] * 4], (2, 2), {"columns": 0}, ConfigurationError, "columns must be an int ≥ 1"),
    ([], (2, 2), {}, ShapeError, "images must be a non-empty list"),
    ([[0.0, 1.0], [0.0]], (1, 2), {}, ShapeError, "images is ragged"),
])
def test_image_grid_refuses_bad_input_by_name(images, shape, options, error, message):
    with pytest.raises(error, match=f"image_grid: .*{message}"):
        image_grid(images, shape, **options)


# -- names the command line knows, and the confusion matrix (issue 22) -------------------------


def test_the_architecture_names_its_inputs_and_outputs():
    network = pn.Network([pn.Normalization(2), pn.Dense(2, 3)], loss="cross_entropy", seed=0)
    svg = pn.plot.architecture(network, input_names=["petal length (cm)", "width"],
                               output_names=["setosa", "versicolor", "virginica"])
    for label in ("petal length …", ">width<", ">virginica<", "Normalization(2)"):
        assert label in svg
    with pytest.raises(pn.ConfigurationError, match="input_names or output_names must be a list"):
        pn.plot.architecture(network, input_names=["only one"])


def test_the_boundary_names_classes_in_its_legend_and_features_on_its_axes():
    points, labels = pn.datasets.two_moons(40, seed=0)
    network = pn.Network([pn.Dense(2, 2)], loss="cross_entropy", seed=0)
    svg = pn.plot.decision_boundary(network, points, labels, resolution=10,
                                    class_names=["upper", "lower"],
                                    feature_names=["length", "width"])
    assert all(f">{name}<" in svg for name in ("upper", "lower", "length", "width"))
    assert "class 0" not in svg
    with pytest.raises(pn.ConfigurationError, match="class_names must be a list of at least 2"):
        pn.plot.decision_boundary(network, points, labels, class_names=["upper"])


def test_the_confusion_matrix_writes_every_count_and_shades_rows():
    svg = pn.plot.confusion_matrix([[5, 1], [0, 4]], ["cat", "dog"], title="pets")
    assert [f">{n}</text>" in svg for n in (5, 1, 0, 4)] == [True] * 4
    assert ">pets<" in svg and ">predicted<" in svg and ">true<" in svg
    # The diagonal's darkest cell is the full row: 4 of 4.
    assert f'fill="{pn.plot.colors.POSITIVE}"' in svg


@pytest.mark.parametrize(("confusion", "names", "error"), [
    ([[1, 2]], ["a", "b"], pn.ShapeError),
    ([[1, -2], [0, 1]], ["a", "b"], pn.ConfigurationError),
    ([[1.5, 2], [0, 1]], ["a", "b"], pn.ConfigurationError),
    ([[1]], [1], pn.ConfigurationError),
])
def test_the_confusion_matrix_refuses_what_it_cannot_draw(confusion, names, error):
    with pytest.raises(error, match="confusion_matrix"):
        pn.plot.confusion_matrix(confusion, names)
