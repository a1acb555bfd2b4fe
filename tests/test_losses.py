"""Losses: gradients against central differences and the complex step, reductions, stability,
target preparation and error paths."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import matrices

import purenn as pn
from purenn.losses import LOSSES, log_softmax

# Central differences in each entry of P with step h ≈ ∛ε (balancing truncation h²·|L‴|/6
# against round-off ε·|L|/h).
FD_STEP = 6e-6
# Round-off ≈ ε·|L|/h ≈ 4e-11·|L|; truncation ≈ 6e-12·|L‴|.  For P in [−3, 3] (mse, sse,
# cross_entropy) |L‴| ≤ ~1; for bce with P in [0.05, 0.95], |∂³L/∂P³| ≤ 2/0.05³ = 1.6e4 gives
# ≤ 1e-7.  1e-6 × (1 + |L| + |g|) has a margin of 10, yet a gradient off by 1% of
# (1 + |g|) (negative controls) misses by far more.
FD_TOL = 1e-6

# The complex step has no cancellation: a few ulps of |g|, plus a few ε absolute where a
# gradient entry is a difference of near-equal terms (softmax(P) − T).
COMPLEX_STEP = 1e-30
CS_REL_TOL = 1e-12
CS_ABS_TOL = 1e-15

VALUES = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)
PROBABILITIES = st.floats(min_value=0.05, max_value=0.95)
UNIT = st.floats(min_value=0.0, max_value=1.0)


@st.composite
def cases(draw, name):
    """(P, T) suited to the loss: any values for squared errors, probabilities for bce, logits
    and one-hot or probability rows for cross_entropy."""
    rows = draw(st.integers(1, 4))
    columns = draw(st.integers(2 if name == "cross_entropy" else 1, 4))
    if name == "bce":
        return draw(matrices(rows, columns, PROBABILITIES)), draw(matrices(rows, columns, UNIT))
    output = draw(matrices(rows, columns, VALUES))
    if name != "cross_entropy":
        return output, draw(matrices(rows, columns, VALUES))
    if draw(st.booleans()):
        labels = draw(st.lists(st.integers(0, columns - 1), min_size=rows, max_size=rows))
        return output, pn.one_hot(labels, columns)
    weights = draw(matrices(rows, columns, st.floats(0.01, 1.0)))
    return output, [[w / sum(row) for w in row] for row in weights]


def central_difference_gradient(loss, output, target):
    numeric = []
    for i, row in enumerate(output):
        numeric_row = []
        for j, original in enumerate(row):
            plus = [r[:] for r in output]
            minus = [r[:] for r in output]
            plus[i][j] = original + FD_STEP
            minus[i][j] = original - FD_STEP
            numeric_row.append(
                (loss.value(plus, target) - loss.value(minus, target)) / (2 * FD_STEP)
            )
        numeric.append(numeric_row)
    return numeric


def gradient_mismatches(loss, output, target, gradient):
    value = loss.value(output, target)
    numeric = central_difference_gradient(loss, output, target)
    return [
        (i, j, g, n)
        for i, (g_row, n_row) in enumerate(zip(gradient, numeric))
        for j, (g, n) in enumerate(zip(g_row, n_row))
        if abs(g - n) > FD_TOL * (1 + abs(value) + abs(g))
    ]


NAMES = ["sse", "mse", "bce", "cross_entropy"]


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_gradient_matches_central_differences(name, data):
    loss = LOSSES.resolve(name)
    output, target = data.draw(cases(name))
    gradient = loss.gradient(output, target)
    assert [len(row) for row in gradient] == [len(row) for row in output]
    assert gradient_mismatches(loss, output, target, gradient) == []


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_negative_control_a_gradient_off_by_one_percent_fails(name, data):
    loss = LOSSES.resolve(name)
    output, target = data.draw(cases(name))
    gradient = loss.gradient(output, target)
    gradient[0][0] += 0.01 * (1 + abs(gradient[0][0]))
    assert gradient_mismatches(loss, output, target, gradient)


WRONG_REDUCTIONS = {
    # A gradient that forgets the loss's own reduction: the classic mean-vs-sum bug.
    "mse": lambda p, t: LOSSES.resolve("sse").gradient(p, t),
    "cross_entropy": lambda p, t: [
        [g * len(p) for g in row] for row in LOSSES.resolve("cross_entropy").gradient(p, t)
    ],
    "bce": lambda p, t: [
        [g * len(p) * len(p[0]) for g in row] for row in LOSSES.resolve("bce").gradient(p, t)
    ],
}


@pytest.mark.parametrize("name", sorted(WRONG_REDUCTIONS))
def test_negative_control_a_gradient_without_the_mean_fails(name):
    output = [[0.2, 0.7], [0.9, 0.4]]
    target = [[1.0, 0.0], [0.0, 1.0]]
    loss = LOSSES.resolve(name)
    assert gradient_mismatches(loss, output, target, loss.gradient(output, target)) == []
    assert gradient_mismatches(loss, output, target, WRONG_REDUCTIONS[name](output, target))


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_gradient_matches_the_complex_step(name, data):
    loss = LOSSES.resolve(name)
    output, target = data.draw(cases(name))
    gradient = loss.gradient(output, target)
    for i, row in enumerate(output):
        for j, _ in enumerate(row):
            stepped = [[complex(v) for v in r] for r in output]
            stepped[i][j] += complex(0.0, COMPLEX_STEP)
            numeric = loss.value(stepped, target).imag / COMPLEX_STEP
            assert abs(gradient[i][j] - numeric) <= CS_ABS_TOL + CS_REL_TOL * abs(numeric)


# -- values and reductions --------------------------------------------------------------------


@given(st.data())
def test_mse_is_sse_divided_by_the_number_of_entries(data):
    output = data.draw(matrices(elements=VALUES))
    target = data.draw(matrices(len(output), len(output[0]), VALUES))
    entries = len(output) * len(output[0])
    squares = [(p - t) ** 2 for pr, tr in zip(output, target) for p, t in zip(pr, tr)]
    mse, sse = LOSSES["mse"], LOSSES["sse"]
    assert mse.value(output, target) == pytest.approx(math.fsum(squares) / entries)
    assert mse.value(output, target) == sse.value(output, target) / entries


def test_reductions_are_declared():
    assert {name: LOSSES[name].reduction for name in NAMES} == {
        "sse": "sum", "mse": "mean", "bce": "mean", "cross_entropy": "mean"
    }


def test_bce_known_values():
    # −ln 0.5 = ln 2 for either target; mean over entries.
    assert LOSSES.resolve("bce").value([[0.5, 0.5]], [[1.0, 0.0]]) == pytest.approx(math.log(2.0))
    # T = 0.8, P = 0.8: the entropy −(0.8 ln 0.8 + 0.2 ln 0.2).
    expected = -(0.8 * math.log(0.8) + 0.2 * math.log(0.2))
    assert LOSSES.resolve("bce").value([[0.8]], [[0.8]]) == pytest.approx(expected)


def test_bce_is_finite_at_probabilities_exactly_0_and_1():
    bce = LOSSES.resolve("bce")
    # A wrong certain prediction costs the clamp, 100; a right one costs 0.
    assert bce.value([[0.0]], [[1.0]]) == 100.0
    assert bce.value([[1.0]], [[0.0]]) == 100.0
    assert bce.value([[0.0, 1.0]], [[0.0, 1.0]]) == 0.0
    # Each entry: half the target trusts the certain prediction (0), half pays the clamp (50).
    assert bce.value([[0.0, 1.0]], [[0.5, 0.5]]) == 50.0
    for output in ([[0.0, 1.0]], [[1.0, 0.0]], [[1e-300, 1.0 - 1e-16]]):
        for target in ([[0.0, 1.0]], [[1.0, 0.0]], [[0.3, 0.7]]):
            assert math.isfinite(bce.value(output, target))
            assert all(math.isfinite(g) for g in bce.gradient(output, target)[0])


@pytest.mark.parametrize("activation", ["identity", "relu", "tanh", "softplus"])
def test_bce_refuses_a_network_whose_outputs_are_not_probabilities(activation):
    # Checked once, when the network is built, from the last layer's declared output range.
    with pytest.raises(pn.ConfigurationError, match=r"bce loss needs outputs in \[0, 1\].*sigmoid"):
        pn.Network([pn.Dense(2, 1, activation=activation)], loss="bce")


@pytest.mark.parametrize("activation", ["sigmoid", "softmax"])
def test_bce_accepts_a_network_whose_outputs_are_probabilities(activation):
    network = pn.Network([pn.Dense(2, 2, activation=activation)], loss="bce")
    assert network.loss_function.name == "bce"


def test_bce_of_a_nan_output_is_nan_not_the_clamp():
    # A diverged output must read as divergence, not as a clamped log of −100.
    bce = LOSSES.resolve("bce")
    assert math.isnan(bce.value([[math.nan]], [[1.0]]))
    assert math.isnan(bce.gradient([[math.nan]], [[1.0]])[0][0])


def test_cross_entropy_known_values():
    ce = LOSSES.resolve("cross_entropy")
    assert ce.value([[0.0, 0.0]], [[1.0, 0.0]]) == pytest.approx(math.log(2.0))
    # Logits ln 1, ln 3: softmax = (1/4, 3/4); two samples, mean of −ln(3/4) and −ln(1/4).
    logits = [[0.0, math.log(3.0)], [0.0, math.log(3.0)]]
    expected = (-math.log(0.75) - math.log(0.25)) / 2
    assert ce.value(logits, [[0.0, 1.0], [1.0, 0.0]]) == pytest.approx(expected)
    # (softmax − T)/n: ((1/4, 3/4) − (0, 1))/2 and ((1/4, 3/4) − (1, 0))/2.
    gradient = ce.gradient(logits, [[0.0, 1.0], [1.0, 0.0]])
    assert gradient[0] == pytest.approx([0.125, -0.125])
    assert gradient[1] == pytest.approx([-0.375, 0.375])


def test_cross_entropy_is_finite_for_huge_logits():
    ce = LOSSES.resolve("cross_entropy")
    assert ce.value([[1e300, -1e300]], [[1.0, 0.0]]) == 0.0
    assert ce.value([[1e300, -1e300]], [[0.0, 1.0]]) == pytest.approx(2e300)
    assert ce.value([[1e300, 1e300, 1e300]], [[0.0, 0.0, 1.0]]) == pytest.approx(math.log(3.0))
    assert ce.gradient([[1e300, -1e300]], [[0.0, 1.0]]) == [[1.0, -1.0]]


@given(st.lists(VALUES, min_size=1, max_size=6))
def test_log_softmax_is_log_of_softmax(row):
    expected = [math.log(p) for p in pn.activations.softmax(row)]
    assert log_softmax(row) == pytest.approx(expected, rel=1e-12, abs=1e-14)


# -- targets through the network --------------------------------------------------------------


def classifier(loss="cross_entropy", activation="identity", outputs=3):
    return pn.Network([pn.Dense(2, outputs, activation=activation)], loss=loss, seed=1)


X = [[0.5, -1.0], [1.0, 2.0], [-0.3, 0.1], [0.0, 0.7]]


def test_cross_entropy_with_indices_equals_one_hot():
    network = classifier()
    labels = [2, 0, 1, 2]
    assert network.loss(X, labels) == network.loss(X, pn.one_hot(labels, 3))
    loss_i, grads_i = network.gradients(X, labels)
    loss_h, grads_h = network.gradients(X, pn.one_hot(labels, 3))
    assert (loss_i, grads_i) == (loss_h, grads_h)


def test_bce_accepts_binary_labels_for_one_output():
    network = classifier("bce", "sigmoid", outputs=1)
    assert network.loss(X, [0, 1, 1, 0]) == network.loss(X, [[0.0], [1.0], [1.0], [0.0]])


# (loss, target, error, message): a target of the wrong shape is a ShapeError, a target whose
# values its loss cannot take is a DataError.
BAD_TARGETS = [
    ("cross_entropy", [[1.0, 0.0]] * 4, pn.ShapeError, r"2 but the network gives 4×3"),
    ("cross_entropy", [0, 1, 3, 2], pn.DataError, r"class index 3 .* 3 outputs"),
    ("cross_entropy", [0, 1, 2], pn.ShapeError, r"3 class indices but X has 4 rows"),
    ("cross_entropy", [0.0, 1.0, 2.0, 1.0], pn.ShapeError, r"class indices must be ints"),
    ("cross_entropy", [-1, 0, 1, 2], pn.ShapeError, r"class indices must be ints"),
    ("cross_entropy", [[0.5, 0.6, 0.0]] * 4, pn.DataError, r"row 0 sums to"),
    ("cross_entropy", [[2.0, -1.0, 0.0]] * 4, pn.DataError, r"not a probability"),
    ("bce", [[1.5, 0.0, 0.0]] * 4, pn.DataError, r"Y\[0\]\[0\] = 1.5 is not a probability"),
    ("bce", [[-0.5, 0.0, 0.0]] * 4, pn.DataError, r"not a probability"),
    ("mse", [[1.0, 0.0]] * 4, pn.ShapeError, r"4×2 but the network gives 4×3"),
]


@pytest.mark.parametrize(("name", "target", "error", "message"), BAD_TARGETS)
@pytest.mark.parametrize("method", ["loss", "gradients", "fit"])
def test_bad_targets_raise_an_error_naming_the_function(name, target, error, message, method):
    network = classifier(name, "sigmoid" if name == "bce" else "identity")
    with pytest.raises(error, match=message) as info:
        getattr(network, method)(X, target)
    assert str(info.value).startswith(f"{method}:")


def test_bce_labels_need_one_output_and_zero_or_one():
    with pytest.raises(pn.DataError, match="ints 0 or 1"):
        classifier("bce", "sigmoid", outputs=1).loss(X, [0, 2, 1, 0])
    with pytest.raises(pn.ShapeError):
        classifier("bce", "sigmoid", outputs=3).loss(X, [0, 1, 1, 0])


def test_unknown_loss_lists_the_known_names():
    with pytest.raises(pn.ConfigurationError) as info:
        classifier("hinge")
    for name in NAMES:
        assert name in str(info.value)
