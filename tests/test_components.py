"""The foundation's activations, loss and initializers, one by one."""

import cmath
import math
import random

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import purenn as pn
from purenn import scalar
from purenn.activations import ACTIVATIONS, relu, relu_derivative, sigmoid, sigmoid_derivative
from purenn.initializers import INITIALIZERS, Uniform, xavier_uniform
from purenn.losses import LOSSES

# Central differences at h = 6e-6 on functions of size O(1) are accurate to ~1e-10 (see
# tests/test_gradients.py); 1e-8 absolute leaves two orders of margin.
SCALAR_FD_STEP = 6e-6
SCALAR_FD_TOL = 1e-8


def central(f, x, h=SCALAR_FD_STEP):
    return (f(x + h) - f(x - h)) / (2 * h)


@given(st.floats(-30, 30))
def test_sigmoid_derivative_matches_central_differences(z):
    a = sigmoid(z)
    assert abs(sigmoid_derivative(z, a) - central(sigmoid, z)) <= SCALAR_FD_TOL


@given(st.floats(-30, 30))
def test_sigmoid_is_symmetric_and_in_the_unit_interval(z):
    assert 0.0 <= sigmoid(z) <= 1.0
    assert sigmoid(z) + sigmoid(-z) == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize("z", [1e300, -1e300, 710.0, -710.0, 0.0, -0.0, 1e-300])
def test_sigmoid_never_overflows(z):
    value = sigmoid(z)
    assert math.isfinite(value)
    expected = 1.0 / (1.0 + math.exp(-z)) if abs(z) < 700 else float(z > 0)
    assert value == pytest.approx(expected, abs=1e-15)


@given(st.floats(-5, 5).filter(lambda z: abs(z) > 2 * SCALAR_FD_STEP))
def test_relu_derivative_matches_central_differences_away_from_the_kink(z):
    assert relu_derivative(z, relu(z)) == central(relu, z) or abs(
        relu_derivative(z, relu(z)) - central(relu, z)) <= SCALAR_FD_TOL


def test_relu_derivative_is_zero_at_the_kink():
    assert relu(0.0) == 0.0 and relu_derivative(0.0, 0.0) == 0.0


@given(st.floats(-10, 10))
def test_tanh_activation_derivative(z):
    tanh = ACTIVATIONS.resolve("tanh")
    a = tanh.forward([[z]])
    grad = tanh.backward([[z]], a, [[1.0]])[0][0]
    assert abs(grad - central(math.tanh, z)) <= SCALAR_FD_TOL


@given(st.floats(-3, 3))
def test_the_complex_step_flows_through_sigmoid(z):
    # Im σ(z + ih)/h = σ'(z) up to O(h²): no subtraction, so no round-off at all.
    h = 1e-30
    assert sigmoid(complex(z, h)).imag / h == pytest.approx(
        sigmoid_derivative(z, sigmoid(z)), rel=1e-13, abs=1e-300)


def test_scalar_functions_dispatch_on_type():
    assert type(scalar.exp(1.0)) is float and type(scalar.exp(1j)) is complex
    for name in ("exp", "log", "log1p", "tanh", "sqrt"):
        function = getattr(scalar, name)
        assert function(0.5) == getattr(math, name)(0.5)
        assert function(complex(0.5, 1e-30)).imag != 0.0


@given(st.lists(st.floats(-3, 3), min_size=2, max_size=6))
def test_sse_value_and_gradient(values):
    sse = LOSSES.resolve("sse")
    half = len(values) // 2
    output, target = [values[:half]], [values[half:2 * half]]
    assert sse.value(output, target) == pytest.approx(
        sum((t - p) ** 2 for p, t in zip(output[0], target[0])), rel=1e-12, abs=1e-300)
    gradient = sse.gradient(output, target)[0]
    for j in range(half):
        def along_j(v, j=j):
            shifted = output[0][:]
            shifted[j] = v
            return sse.value([shifted], target)
        assert abs(gradient[j] - central(along_j, output[0][j])) <= SCALAR_FD_TOL * 10


def test_uniform_initializer_draws_from_the_unit_interval_row_by_row():
    rng, twin = random.Random(3), random.Random(3)
    weights = INITIALIZERS.resolve("uniform")(rng, 2, 3)
    assert weights == [[twin.random() for _ in range(3)] for _ in range(2)]


def test_custom_uniform_range_and_xavier_limit():
    weights = Uniform(-2.0, -1.0)(random.Random(0), 50, 4)
    assert all(-2.0 <= w < -1.0 for row in weights for w in row)
    limit = math.sqrt(6.0 / (50 + 4))
    drawn = xavier_uniform(random.Random(0), 50, 4)
    assert all(-limit <= w < limit for row in drawn for w in row)
    assert max(abs(w) for row in drawn for w in row) > 0.8 * limit  # uses the whole range


def test_a_callable_is_accepted_as_an_initializer():
    network = pn.Network([pn.Dense(2, 2, init=lambda rng, n, m: [[1.0] * m for _ in range(n)])])
    assert network.parameters()[0].value == [[1.0, 1.0], [1.0, 1.0]]


@given(st.floats(-30, 30).filter(lambda x: x != 0.0) | st.floats(-1e-20, 1e-20).filter(bool))
@example(-1.0)
@example(-0.5)
@example(0.5000001)
def test_complex_expm1_and_log1p_keep_tiny_real_parts(x):
    # cmath.exp(z) − 1 and cmath.log(1 + z) round the real part of a tiny z to 0, which would
    # flip a branch (z.real > 0) in the layer above; purenn's versions keep it to the last bits.
    h = 1e-30
    expm1, log1p = scalar.expm1(complex(x, h)), scalar.log1p(complex(x, h))
    assert expm1.real == pytest.approx(math.expm1(x), rel=1e-15)
    assert expm1.imag == pytest.approx(math.exp(x) * h, rel=1e-15)
    if x > -1:
        assert log1p.real == pytest.approx(math.log1p(x), rel=1e-15)
        assert log1p.imag == pytest.approx(h / (1 + x), rel=1e-15)
    else:  # ln(1 + z) with 1 + x ≤ 0: the modulus and the argument of a point left of 0
        assert log1p.real == pytest.approx(math.log(math.hypot(1 + x, h)), rel=1e-15)
        assert log1p.imag == pytest.approx(math.atan2(h, 1 + x), rel=1e-15)


def test_the_naive_complex_forms_lose_the_real_part_the_fixed_ones_keep():
    z = complex(1e-20, 1e-30)
    assert (cmath.exp(z) - 1).real == 0.0 and (cmath.log(1 + z)).real != 1e-20
    assert scalar.expm1(z).real == 1e-20 and scalar.log1p(z).real == 1e-20
