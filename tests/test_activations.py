"""Activations: derivatives against central differences and the complex step, softmax's
Jacobian-vector product, stability at extreme inputs, and the registry."""

import cmath
import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import purenn as pn
from purenn.activations import ACTIVATIONS, ELU, Elementwise, LeakyReLU, Softmax

# Every elementwise activation: the registered ones plus non-default slope/alpha, whose ELU has
# a genuine kink at 0 (f′ jumps from α to 1).
ELEMENTWISE = {name: a for name, a in ACTIVATIONS.items() if isinstance(a, Elementwise)}
ELEMENTWISE["leaky_relu(0.2)"] = LeakyReLU(slope=0.2)
ELEMENTWISE["elu(0.5)"] = ELU(alpha=0.5)
NAMES = sorted(ELEMENTWISE)

# Central differences f′ ≈ (f(x + h) − f(x − h)) / 2h with h = FD_STEP·max(1, |x|): the step
# that balances truncation (h²/6·|f‴|) against round-off (ε·|f|/h) is about ∛ε ≈ 6e-6.
FD_STEP = 6e-6
# Round-off ≈ ε·|f|/h ≈ 4e-11·|f|; truncation ≈ 6e-12·|f‴|·max(1, |x|)², with |f‴| ≤ 1 for all of
# these.  For |x| ≤ 8 both stay below 3e-9; 1e-8 × (1 + |f|) keeps a margin of 3, while a
# derivative that is off by 1e-6 anywhere (negative control below) is caught everywhere.
FD_TOL = 1e-8

# The complex step Im f(x + ih)/h has no subtractive cancellation, so it agrees with an exact
# derivative to a few ulps: 1e-13 relative.  The derivatives computed from a = f(z) (1 − a² for
# tanh, a(1 − a) for sigmoid) cancel when a is within ε of ±1 or 0, leaving an absolute error of
# a few ε; 4ε ≈ 9e-16 absolute covers that.
COMPLEX_STEP = 1e-30
CS_REL_TOL = 1e-13
CS_ABS_TOL = 4 * 2.220446049250313e-16

MODERATE = st.floats(min_value=-8.0, max_value=8.0, allow_nan=False)
WIDE = st.floats(min_value=-50.0, max_value=50.0, allow_nan=False)
EXTREMES = [1e300, -1e300, 1e-300, -1e-300, 0.0, -0.0, 1e154, -1e154, 709.0, -746.0]


def central_difference(function, x):
    step = FD_STEP * max(1.0, abs(x))
    return (function(x + step) - function(x - step)) / (2 * step), step


def derivative_mismatch(activation, derivative, x):
    """|f′(x) − central difference| beyond FD_TOL, for a derivative(z, a)."""
    numeric, _ = central_difference(activation.function, x)
    analytic = derivative(x, activation.function(x))
    return abs(analytic - numeric) > FD_TOL * (1 + abs(activation.function(x)))


def near_kink(activation, x):
    step = FD_STEP * max(1.0, abs(x))
    return any(abs(x - kink) <= 2 * step for kink in activation.kinks)


@pytest.mark.parametrize("name", NAMES)
@given(x=MODERATE)
def test_derivative_matches_central_differences(name, x):
    activation = ELEMENTWISE[name]
    assume(not near_kink(activation, x))
    assert not derivative_mismatch(activation, activation.derivative, x)


@pytest.mark.parametrize("name", NAMES)
@given(x=MODERATE)
def test_negative_control_a_derivative_off_by_1e_6_fails(name, x):
    activation = ELEMENTWISE[name]
    assume(not near_kink(activation, x))
    correct = activation.derivative
    assert derivative_mismatch(activation, lambda z, a: correct(z, a) + 1e-6, x)


@pytest.mark.parametrize("name", NAMES)
def test_negative_control_a_derivative_at_the_wrong_point_fails(name):
    activation = ELEMENTWISE[name]
    correct = activation.derivative

    def shifted(z, a):
        return correct(z + 0.5, activation.function(z + 0.5))

    # On [−3, 3] every one of these functions has f′ varying, so a shift of 0.5 must show.
    points = [x / 4 for x in range(-12, 13) if not near_kink(activation, x / 4)]
    assert any(derivative_mismatch(activation, shifted, x) for x in points)


def complex_step(function, x):
    return function(complex(x, COMPLEX_STEP)).imag / COMPLEX_STEP


@pytest.mark.parametrize("name", NAMES)
@given(x=WIDE)
def test_complex_step_matches_derivative(name, x):
    activation = ELEMENTWISE[name]
    analytic = activation.derivative(x, activation.function(x))
    numeric = complex_step(activation.function, x)
    assert abs(analytic - numeric) <= CS_ABS_TOL + CS_REL_TOL * abs(analytic)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("x", EXTREMES)
def test_finite_and_exception_free_at_extremes(name, x):
    activation = ELEMENTWISE[name]
    a = activation.function(x)
    assert math.isfinite(a)
    assert math.isfinite(activation.derivative(x, a))
    value = activation.function(complex(x, COMPLEX_STEP))
    assert cmath.isfinite(value)
    # The step perturbs the real part at second order, by about h² = 1e-60.
    assert value.real == pytest.approx(a, rel=1e-15, abs=1e-50)


LIMITS = {
    # name: (f(1e300), f(−1e300)): the asymptotes, reasoned from each definition.
    "sigmoid": (1.0, 0.0),
    "tanh": (1.0, -1.0),
    "relu": (1e300, 0.0),
    "leaky_relu": (1e300, -1e298),
    "leaky_relu(0.2)": (1e300, -2e299),
    "elu": (1e300, -1.0),
    "elu(0.5)": (1e300, -0.5),
    "softplus": (1e300, 0.0),  # ln(1 + eˣ) = x + ln(1 + e⁻ˣ) → x; → eˣ → 0
    "gelu": (1e300, 0.0),  # x·Φ(x) with Φ → 1 and Φ → 0 faster than 1/|x|
}


@pytest.mark.parametrize("name", NAMES)
def test_limits_at_plus_and_minus_1e300(name):
    activation = ELEMENTWISE[name]
    high, low = LIMITS[name]
    assert activation.function(1e300) == pytest.approx(high, rel=1e-15)
    assert activation.function(-1e300) == pytest.approx(low, rel=1e-15)


KNOWN_VALUES = [
    # Independent values: ln 2, e⁻¹ − 1, Φ(1) = 0.8413447460685429 (normal tables) and
    # Φ(−1) = 1 − Φ(1); tiny inputs where each function is linear to first order.
    ("softplus", 0.0, math.log(2.0)),
    ("softplus", 1e-300, math.log(2.0)),
    ("elu", -1.0, math.exp(-1.0) - 1.0),
    ("elu(0.5)", -1.0, 0.5 * (math.exp(-1.0) - 1.0)),
    ("elu", 1e-300, 1e-300),
    ("elu", -1e-300, -1e-300),
    ("gelu", 1.0, 0.8413447460685429),
    ("gelu", -1.0, -(1.0 - 0.8413447460685429)),
    ("gelu", 1e-300, 0.5e-300),
    ("gelu", 0.0, 0.0),
    ("leaky_relu", -2.0, -0.02),
    ("leaky_relu(0.2)", -2.0, -0.4),
    ("leaky_relu", 3.0, 3.0),
    ("relu", -1e-300, 0.0),
]


@pytest.mark.parametrize(("name", "x", "expected"), KNOWN_VALUES)
def test_known_values(name, x, expected):
    assert ELEMENTWISE[name].function(x) == pytest.approx(expected, rel=1e-14, abs=0.0)


def test_gelu_keeps_its_left_tail():
    # Φ(−10) = 7.6198530241605e-24 (normal tables); the form (1 + erf(x/√2))/2 would give 0.
    assert ELEMENTWISE["gelu"].function(-10.0) == pytest.approx(-10 * 7.6198530241605e-24, 1e-9)


def test_kink_conventions_and_kink_attribute():
    relu, leaky = ACTIVATIONS.resolve("relu"), ACTIVATIONS.resolve("leaky_relu")
    assert relu.derivative(0.0, 0.0) == 0.0  # PyTorch's subgradient at the kink
    assert leaky.derivative(0.0, 0.0) == 0.01
    assert relu.kinks == (0.0,)
    assert leaky.kinks == (0.0,)
    # α = 1: f′ is continuous but f″ jumps, so central differences straddling 0 err by h/4.
    assert ACTIVATIONS.resolve("elu").kinks == (0.0,)
    assert ELU(alpha=0.5).kinks == (0.0,)
    step = FD_STEP
    elu = ACTIVATIONS.resolve("elu")
    straddling = (elu.function(step) - elu.function(-step)) / (2 * step)
    assert abs(straddling - 1.0) == pytest.approx(step / 4, rel=1e-3)
    for name in ("identity", "sigmoid", "tanh", "softplus", "gelu", "softmax"):
        assert getattr(ACTIVATIONS.resolve(name), "kinks", ()) == ()


# -- softmax ---------------------------------------------------------------------------------

ROWS = st.lists(st.floats(min_value=-5.0, max_value=5.0, allow_nan=False), min_size=1, max_size=6)
HUGE_ROWS = st.lists(
    st.floats(min_value=-1e300, max_value=1e300, allow_nan=False), min_size=1, max_size=6
)
SOFTMAX = Softmax()


@given(st.lists(HUGE_ROWS.filter(bool), min_size=1, max_size=3).filter(
    lambda rows: len({len(r) for r in rows}) == 1
))
def test_softmax_rows_are_probabilities_even_for_huge_logits(z):
    for row in SOFTMAX.forward(z):
        assert all(0.0 <= p <= 1.0 for p in row)
        # The largest term is e⁰ = 1 and the sum has at most 6 terms: rounding ≤ 6ε.
        assert abs(sum(row) - 1.0) <= 6 * 2.3e-16


def test_softmax_extreme_values():
    assert pn.activations.softmax([1e300, 0.0, -1e300]) == [1.0, 0.0, 0.0]
    assert pn.activations.softmax([1e300, 1e300]) == [0.5, 0.5]
    assert pn.activations.softmax([-1e300, -1e300, -1e300]) == pytest.approx([1 / 3] * 3)
    assert pn.activations.softmax([0.0, math.log(3.0)]) == pytest.approx([0.25, 0.75])


@given(ROWS, st.floats(min_value=-100.0, max_value=100.0))
def test_softmax_is_shift_invariant(row, c):
    shifted = pn.activations.softmax([z + c for z in row])
    # Adding c rounds each logit by up to ε·|c| ≈ 2e-14, which moves each probability by at
    # most that much relative.
    assert shifted == pytest.approx(pn.activations.softmax(row), rel=1e-12, abs=1e-15)


def softmax_jvp_numeric(row, grad):
    """∂/∂z_k of ⟨grad, softmax(z)⟩ by central differences, for every k."""
    result = []
    for k in range(len(row)):
        def inner(value, k=k):
            z = row[:]
            z[k] = value
            return sum(g * a for g, a in zip(grad, pn.activations.softmax(z)))

        result.append(central_difference(inner, row[k])[0])
    return result


def jvp_mismatches(backward_row, numeric):
    # ⟨g, softmax⟩ is bounded by max|g| ≤ 5, so FD_TOL·(1 + 5) bounds round-off as above.
    return [k for k, (b, n) in enumerate(zip(backward_row, numeric)) if abs(b - n) > 6 * FD_TOL]


@given(st.data())
def test_softmax_backward_is_the_jacobian_vector_product(data):
    row = data.draw(ROWS)
    grad = data.draw(st.lists(st.floats(-5.0, 5.0), min_size=len(row), max_size=len(row)))
    a = SOFTMAX.forward([row])
    backward = SOFTMAX.backward([row], a, [grad])[0]
    assert jvp_mismatches(backward, softmax_jvp_numeric(row, grad)) == []


@given(st.data())
def test_softmax_backward_matches_the_complex_step(data):
    row = data.draw(ROWS)
    grad = data.draw(st.lists(st.floats(-5.0, 5.0), min_size=len(row), max_size=len(row)))
    backward = SOFTMAX.backward([row], SOFTMAX.forward([row]), [grad])[0]
    for k, b in enumerate(backward):
        z = [complex(v) for v in row]
        z[k] += complex(0.0, COMPLEX_STEP)
        value = sum(g * a for g, a in zip(grad, pn.activations.softmax(z)))
        numeric = value.imag / COMPLEX_STEP
        assert abs(b - numeric) <= 10 * CS_ABS_TOL + CS_REL_TOL * abs(b)


def test_negative_control_the_diagonal_softmax_backward_fails():
    row, grad = [0.5, -1.0, 2.0], [1.0, -2.0, 0.5]
    a = SOFTMAX.forward([row])[0]
    diagonal_only = [g * p * (1 - p) for g, p in zip(grad, a)]
    numeric = softmax_jvp_numeric(row, grad)
    assert jvp_mismatches(SOFTMAX.backward([row], [a], [grad])[0], numeric) == []
    assert jvp_mismatches(diagonal_only, numeric)


def test_softmax_backward_rows_sum_to_zero():
    # Σ_j ∂A_j/∂Z_k = ∂(Σ_j A_j)/∂Z_k = ∂1/∂Z_k = 0, so Σ_k δ_k = ⟨g, Σ_k ∂A/∂Z_k⟩ = 0.
    z = [[0.3, -0.2, 1.5, 0.0], [2.0, 2.0, -1.0, 0.5]]
    a = SOFTMAX.forward(z)
    delta = SOFTMAX.backward(z, a, [[1.0, 2.0, 3.0, 4.0], [-1.0, 0.0, 1.0, 0.5]])
    assert [sum(row) for row in delta] == pytest.approx([0.0, 0.0], abs=1e-15)


# -- registry and configuration ---------------------------------------------------------------


def test_every_issue_activation_is_registered_by_name():
    names = {"identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu",
             "softmax"}
    assert names <= set(ACTIVATIONS)
    for name in names:
        assert pn.Dense(2, 3, activation=name).activation.name == name


def test_activation_objects_are_accepted_by_dense():
    layer = pn.Dense(2, 3, activation=LeakyReLU(slope=0.3))
    assert layer.activation.function(-1.0) == pytest.approx(-0.3)
    assert "leaky_relu(slope=0.3)" in repr(layer)


def test_unknown_activation_lists_the_known_names():
    with pytest.raises(pn.ConfigurationError) as info:
        pn.Dense(2, 3, activation="swish")
    message = str(info.value)
    assert "swish" in message
    for name in ACTIVATIONS:
        assert name in message


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "0.1", None, True])
def test_bad_slope_and_alpha_raise(bad):
    with pytest.raises(pn.ConfigurationError, match="LeakyReLU"):
        LeakyReLU(slope=bad)
    with pytest.raises(pn.ConfigurationError, match="ELU"):
        ELU(alpha=bad)
