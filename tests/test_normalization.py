"""Normalization: what adapt learns (against statistics.pstdev), constant and NaN columns, the
layer contract (config rebuilds it, buffers never trained, refused buffers on load), gradients
through it by central differences and the complex step with a negative control, and every
format purenn writes itself (JSON file, checkpoint, state_dict, npz, standalone Python, bit for
bit).  The oracle comparisons (PyTorch, ONNX Runtime, MicroPython) are in
test_normalization_oracles.py."""

import json
import math
import random
import statistics
import warnings
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from persist_helpers import bits

import purenn as pn
from purenn.formats.standalone import python_source
from purenn.layers.normalization import ConstantFeatureWarning

# Below about √(the smallest normal float), squared deviations underflow to 0: such a column is
# as constant as a float can tell, and adapt takes its σ as 1.
UNDERFLOWING_DEVIATION = 1.5e-154
# adapt's two-pass mean and deviation against statistics' exact (Fraction-based) ones: a few
# roundings of the data's own scale.
STATISTICS_REL_TOL = 1e-12
METHODS = ["central", "complex"]
COARSE_REL_ERR = 1e-2  # the wrong backward is off by a factor σ², far beyond this


def scaled_rows(rows=12, seed=0, scales=(1e-3, 1.0, 1e4)):
    """Rows whose columns live on very different scales, as raw CSV features do."""
    rng = random.Random(seed)
    return [[rng.gauss(5.0 * scale, scale) for scale in scales] for _ in range(rows)]


def adapted(x):
    layer = pn.Normalization(len(x[0]))
    layer.adapt(x)
    return layer


# -- adapt --------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=3), min_size=2,
                max_size=20))
def test_adapt_learns_each_columns_mean_and_population_deviation(rows):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantFeatureWarning)  # drawn constant columns
        layer = adapted(rows)
    for j, column in enumerate(zip(*rows)):
        exact = [Fraction(value) for value in column]  # statistics' float paths of 3.8 can fail
        mean, deviation = float(statistics.mean(exact)), float(statistics.pstdev(exact))
        scale = max(abs(value) for value in column) or 1.0
        assert math.isclose(layer.mean.value[0][j], mean, rel_tol=STATISTICS_REL_TOL,
                            abs_tol=STATISTICS_REL_TOL * scale)
        if j in layer.constant:  # σ taken as 1: a constant column, or one whose squares
            assert deviation < UNDERFLOWING_DEVIATION  # underflow to 0 (σ ≈ 1e-296)
            expected = 1.0
        else:
            expected = deviation
        assert math.isclose(layer.std.value[0][j], expected, rel_tol=STATISTICS_REL_TOL,
                            abs_tol=STATISTICS_REL_TOL * scale)


def test_standardised_training_columns_have_mean_0_and_deviation_1():
    x = scaled_rows()
    out = adapted(x).forward(x)
    for column in zip(*out):
        assert abs(statistics.fmean(column)) < 1e-12
        assert math.isclose(statistics.pstdev(column), 1.0, rel_tol=1e-12)


def test_a_constant_column_warns_by_name_and_becomes_zero():
    x = [[1.0, 0.1, 5.0], [2.0, 0.1, 6.0], [4.0, 0.1, 9.0]]
    layer = pn.Normalization(3)
    with pytest.warns(ConstantFeatureWarning, match=r"column 1 is constant \(0\.1 in every row"):
        layer.adapt(x)
    assert layer.constant == [1]
    assert layer.std.value[0][1] == 1.0
    assert [row[1] for row in layer.forward(x)] == [0.0, 0.0, 0.0]


def test_varied_columns_give_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert adapted(scaled_rows()).constant == []


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_column_with_nan_or_infinity_is_refused_by_column_and_row(bad):
    x = [[1.0, 2.0], [3.0, bad], [5.0, 6.0]]
    layer = pn.Normalization(2)
    with pytest.raises(pn.DataError, match=r"Normalization\.adapt: column 1 holds .* \(row 1\)"):
        layer.adapt(x)
    assert layer.mean.value == [[0.0, 0.0]] and layer.std.value == [[1.0, 1.0]]


@pytest.mark.parametrize("x, error", [
    ([[1.0, 2.0, 3.0]], pn.ShapeError),
    ([], pn.ShapeError),
    ("abc", pn.ShapeError),
])
def test_adapt_refuses_data_that_is_not_the_layers_features(x, error):
    with pytest.raises(error, match=r"Normalization\.adapt"):
        pn.Normalization(2).adapt(x)


@pytest.mark.parametrize("n", [0, -1, 2.5, "3", True])
def test_the_number_of_features_is_checked(n):
    with pytest.raises(pn.ConfigurationError, match="Normalization"):
        pn.Normalization(n)


# -- the contract -------------------------------------------------------------------------------


def test_config_rebuilds_the_layer_and_a_network_builds_it():
    layer = pn.Normalization(4)
    again = type(layer)(**layer.config())
    assert repr(again) == repr(layer) == "Normalization(4)"
    network = pn.Network([pn.Normalization(4), pn.Dense(4, 2)])
    assert network.input_shape == (4,) and network.layers[0].output_shape == (4,)
    assert "layers[0] Normalization(4)" in network.summary()


def test_buffers_are_state_never_parameters_and_training_leaves_them():
    x = scaled_rows()
    y = [[row[0] * 1e3 + row[2] * 1e-4] for row in x]
    network = pn.Network([adapted(x), pn.Dense(3, 4, "tanh"), pn.Dense(4, 1)], loss="mse")
    before = network.layers[0].mean.value[0][:], network.layers[0].std.value[0][:]
    assert all(p.name.startswith(("layers[1]", "layers[2]")) for p in network.parameters())
    assert [b.name for b in network.buffers()] == ["layers[0].mean", "layers[0].std"]
    network.fit(x, y, epochs=3, batch_size=4, optimizer=pn.Adam(0.01))
    assert (network.layers[0].mean.value[0], network.layers[0].std.value[0]) == before


def test_a_network_made_after_adapt_keeps_what_adapt_learnt():
    layer = adapted(scaled_rows())
    learnt = [row[:] for row in layer.std.value]
    pn.Network([layer, pn.Dense(3, 1)], seed=3)
    assert layer.std.value == learnt


def test_load_state_dict_refuses_a_deviation_that_is_not_positive():
    network = pn.Network([pn.Normalization(2), pn.Dense(2, 1)], seed=0)
    state = network.state_dict()
    state["layers.0.std"] = [[1.0, 0.0]]
    with pytest.raises(pn.DataError, match=r"layers\.0: Normalization\(2\): std\[1\] is 0\.0"):
        network.load_state_dict(state)
    assert network.layers[0].std.value == [[1.0, 1.0]]


def test_backward_needs_nothing_from_forward():
    # A fixed linear map: its backward is ∂L/∂Y/σ whether or not forward ran (the contract's
    # rule for layers such as Flatten and AvgPool2D), so a fresh layer gives ∂L/∂Y itself.
    assert pn.Normalization(2).backward([[1.0, -2.0]]) == [[1.0, -2.0]]


# -- gradients ------------------------------------------------------------------------------------


class WrongNormalization(pn.Normalization):
    """The classic slip: the factor σ on the wrong side (multiplying the upstream gradient by σ
    where the layer divides, dividing where it multiplies)."""

    def backward(self, grad_output, need_input_grad=True):
        std = self.std.value[0]
        if self.invert:
            return [[g / s for g, s in zip(row, std)] for row in grad_output]
        return [[g * s for g, s in zip(row, std)] for row in grad_output]


def gradient_network(layer_class, seed, invert=False):
    """Dense → Normalization → Dense: the first Dense's gradient flows through the layer's
    backward, so checking it checks ∂L/∂X of Normalization."""
    rng = random.Random(seed)
    norm = layer_class(3, invert=invert)
    norm.mean.value = [[rng.uniform(-1.0, 1.0) for _ in range(3)]]
    norm.std.value = [[rng.uniform(0.2, 3.0) for _ in range(3)]]
    network = pn.Network([pn.Dense(2, 3, "tanh"), norm, pn.Dense(3, 2, "sigmoid")], loss="mse",
                         seed=seed)
    x = [[rng.uniform(-2.0, 2.0) for _ in range(2)] for _ in range(4)]
    y = [[rng.uniform(0.0, 1.0) for _ in range(2)] for _ in range(4)]
    return network, x, y


@pytest.mark.parametrize("invert", [False, True], ids=["standardise", "invert"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", range(3))
def test_the_gradient_through_normalization_checks(method, seed, invert):
    network, x, y = gradient_network(pn.Normalization, seed, invert)
    result = pn.gradcheck(network, x, y, method)
    assert result.ok, str(result)


@pytest.mark.parametrize("invert", [False, True], ids=["standardise", "invert"])
@pytest.mark.parametrize("method", METHODS)
def test_negative_control_a_wrong_backward_fails_the_check(method, invert):
    network, x, y = gradient_network(WrongNormalization, 0, invert)
    result = pn.gradcheck(network, x, y, method)
    assert not result.ok and result.max_rel_err > COARSE_REL_ERR


# -- purenn's own formats -------------------------------------------------------------------------


def trained_network():
    x = scaled_rows(rows=20, seed=2)
    labels = [int(row[0] * 1e3 > 5.0) + int(row[2] > 5e4) for row in x]
    network = pn.Network([adapted(x), pn.Dense(3, 5, "tanh"), pn.Dense(5, 3)],
                         loss="cross_entropy", seed=1)
    network.fit(x, labels, epochs=5, batch_size=5, optimizer=pn.Adam(0.05))
    return network, x


def test_json_file_and_checkpoint_keep_the_statistics(tmp_path):
    network, x = trained_network()
    pn.save(network, tmp_path / "m.json")
    plain = json.loads((tmp_path / "m.json").read_text())
    assert {"type": "Normalization", "num_features": 3, "invert": False} in plain["layers"]
    assert bits(pn.load(tmp_path / "m.json").predict(x)) == bits(network.predict(x))
    adam = pn.Adam(0.05)
    network.fit(x, network.predict_classes(x), epochs=1, optimizer=adam)
    pn.save(network, tmp_path / "c.json", optimizer=adam)
    resumed, optimizer = pn.load_checkpoint(tmp_path / "c.json")
    assert bits(resumed.state_dict()) == bits(network.state_dict())
    labels = network.predict_classes(x)
    network.fit(x, labels, epochs=1, optimizer=adam, shuffle=False)
    resumed.fit(x, labels, epochs=1, optimizer=optimizer, shuffle=False)
    assert bits(resumed.predict(x)) == bits(network.predict(x))


def test_npz_round_trip_keeps_the_statistics_as_vectors(tmp_path):
    network, x = trained_network()
    pn.export_npz(network, tmp_path / "m.npz")
    fresh = pn.Network([pn.Normalization(3), pn.Dense(3, 5, "tanh"), pn.Dense(5, 3)],
                       loss="cross_entropy")
    pn.import_npz(fresh, tmp_path / "m.npz")
    assert bits(fresh.predict(x)) == bits(network.predict(x))


def regression_network():
    """Normalization → Dense → Dense → Normalization(invert=True): a standardised target."""
    x = scaled_rows(rows=20, seed=4)
    y = [[1e3 * row[0] + 1e-3 * row[2] + 150.0] for row in x]
    back = pn.Normalization(1, invert=True)
    back.adapt(y)
    network = pn.Network([adapted(x), pn.Dense(3, 4, "tanh"), pn.Dense(4, 1), back], loss="mse",
                         seed=2)
    network.fit(x, y, epochs=5, batch_size=5, optimizer=pn.Adam(0.05))
    return network, x


def test_an_inverted_layer_restores_the_units_and_travels_in_every_format(tmp_path):
    network, x = regression_network()
    out = network.layers[-1]
    assert repr(out) == "Normalization(1, invert=True)"
    pn.save(network, tmp_path / "r.json")
    assert bits(pn.load(tmp_path / "r.json").predict(x)) == bits(network.predict(x))
    namespace = {}
    exec(python_source(network), namespace)
    assert bits(namespace["predict"](x)) == bits(network.predict(x))
    assert "predict_proba" not in namespace  # a regression has no classes


def test_invert_undoes_standardising():
    x = scaled_rows()
    forward, back = adapted(x), pn.Normalization(3, invert=True)
    back.adapt(x)
    for row, again in zip(x, back.forward(forward.forward(x))):
        assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12 * abs(b)) for a, b in
                   zip(row, again))


def test_standalone_file_predicts_from_raw_rows_bit_for_bit_with_labels_and_probabilities():
    network, x = trained_network()
    namespace = {}
    exec(python_source(network, ["low", "mid", "high"]), namespace)
    assert bits(namespace["predict"](x)) == bits(network.predict(x))
    assert bits(namespace["predict_proba"](x)) == bits(network.predict_proba(x))
    names = ["low", "mid", "high"]
    assert namespace["predict_labels"](x) == [names[c] for c in network.predict_classes(x)]
