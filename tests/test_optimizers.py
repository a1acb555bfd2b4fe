"""Optimizers against their published update equations, and gradient clipping by value.

Each optimizer is run for a few steps on a quadratic whose gradient is known in closed form,
and compared with (a) numbers derived by hand in the comments and (b) an independent scalar
transcription of the torch.optim documentation's pseudo-code, written here one entry at a time.
"""

import copy
import math
import pickle

import pytest

import purenn as pn
from purenn.layers import Parameter
from purenn.optimizers import AdamState

# The scalar transcriptions below perform the same float operations as the optimizers, in the
# same order, per entry; they may differ only by the order of one or two additions (~1 ulp per
# step), so a handful of steps stays far inside 1e-12 relative.
TRAJECTORY_TOL = 1e-12
# Hand-derived numbers are written with the rounding of a hand calculation (Adam's ε = 1e-8 is
# dropped in the comments), so they agree to ~1e-8, not to the last bit.
HAND_TOL = 1e-7

# A diagonal quadratic L(θ) = Σ ½ aᵢ θᵢ² − cᵢ θᵢ, so ∂L/∂θᵢ = aᵢ θᵢ − cᵢ.
CURVATURE = [[1.0, 3.0], [0.5, 2.0]]
PULL = [[0.5, -1.0], [0.0, 0.25]]
START = [[1.0, -2.0], [0.75, 0.3]]


def quadratic_gradient(theta):
    return [
        [a * t - c for a, t, c in zip(a_row, t_row, c_row)]
        for a_row, t_row, c_row in zip(CURVATURE, theta, PULL)
    ]


def run(optimizer, steps, start=START):
    parameter = Parameter("theta", [row[:] for row in start])
    trajectory = []
    for _ in range(steps):
        optimizer.step([parameter], [quadratic_gradient(parameter.value)])
        trajectory.append([row[:] for row in parameter.value])
    return trajectory


def flat(matrix):
    return [v for row in matrix for v in row]


def assert_close(ours, theirs, tol):
    """Two trajectories (lists of matrices) agree entry by entry, step by step."""
    assert len(ours) == len(theirs)
    for our_step, their_step in zip(ours, theirs):
        for a, b in zip(flat(our_step), flat(their_step)):
            assert abs(a - b) <= tol * max(1.0, abs(b)), (a, b)


# -- independent transcriptions of torch.optim's documented algorithms, one scalar at a time --


def sgd_reference(theta0, gradient_of, lr, momentum, nesterov, weight_decay, steps):
    theta, buffer, out = theta0, None, []
    for _ in range(steps):
        g = gradient_of(theta)
        if weight_decay != 0:
            g = g + weight_decay * theta
        if momentum != 0:
            buffer = g if buffer is None else momentum * buffer + g  # dampening τ = 0
            g = g + momentum * buffer if nesterov else buffer
        theta = theta - lr * g
        out.append(theta)
    return out


def adam_reference(theta0, gradient_of, lr, beta1, beta2, eps, weight_decay, steps):
    theta, m, v, out = theta0, 0.0, 0.0, []
    for t in range(1, steps + 1):
        g = gradient_of(theta)
        if weight_decay != 0:
            g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        theta = theta - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(theta)
    return out


def reference_trajectory(reference, steps, **hyper):
    """Run the scalar reference on every entry of START independently (the quadratic is
    separable), then reassemble the matrices step by step."""
    per_entry = {}
    for i, row in enumerate(START):
        for j, theta0 in enumerate(row):
            a, c = CURVATURE[i][j], PULL[i][j]
            per_entry[i, j] = reference(theta0, lambda t, a=a, c=c: a * t - c, steps=steps, **hyper)
    return [
        [[per_entry[i, j][k] for j in range(len(START[0]))] for i in range(len(START))]
        for k in range(steps)
    ]


SGD_SETTINGS = [
    {"lr": 0.1, "momentum": 0.0, "nesterov": False, "weight_decay": 0.0},
    {"lr": 0.1, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.0},
    {"lr": 0.1, "momentum": 0.0, "nesterov": False, "weight_decay": 0.3},
    {"lr": 0.07, "momentum": 0.5, "nesterov": True, "weight_decay": 0.2},
]


@pytest.mark.parametrize("hyper", SGD_SETTINGS)
def test_sgd_follows_the_torch_update_equations(hyper):
    ours = run(pn.SGD(**hyper), steps=6)
    assert_close(ours, reference_trajectory(sgd_reference, 6, **hyper), TRAJECTORY_TOL)


ADAM_SETTINGS = [
    {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    {"lr": 0.1, "beta1": 0.8, "beta2": 0.99, "eps": 1e-3, "weight_decay": 0.0},
    {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.1},
]


@pytest.mark.parametrize("hyper", ADAM_SETTINGS)
def test_adam_follows_the_torch_update_equations(hyper):
    optimizer = pn.Adam(
        lr=hyper["lr"],
        betas=(hyper["beta1"], hyper["beta2"]),
        eps=hyper["eps"],
        weight_decay=hyper["weight_decay"],
    )
    ours = run(optimizer, steps=6)
    assert_close(ours, reference_trajectory(adam_reference, 6, **hyper), TRAJECTORY_TOL)


def _scalar(optimizer, steps):
    """θ₀ = 1 on L(θ) = θ²/2, so g = θ; the values of θ after each step."""
    parameter = Parameter("theta", [[1.0]])
    out = []
    for _ in range(steps):
        optimizer.step([parameter], [[[parameter.value[0][0]]]])
        out.append(parameter.value[0][0])
    return out


def test_sgd_momentum_by_hand():
    # L = θ²/2, g = θ, θ₀ = 1, η = 0.1, μ = 0.9:
    # 1: g = 1,    b = 1 (first step),          θ = 1 − 0.1·1       = 0.9
    # 2: g = 0.9,  b = 0.9·1 + 0.9 = 1.8,        θ = 0.9 − 0.1·1.8   = 0.72
    # 3: g = 0.72, b = 0.9·1.8 + 0.72 = 2.34,    θ = 0.72 − 0.1·2.34 = 0.486
    ours = _scalar(pn.SGD(lr=0.1, momentum=0.9), 3)
    assert ours == pytest.approx([0.9, 0.72, 0.486], abs=HAND_TOL)


def test_sgd_nesterov_by_hand():
    # Same problem with Nesterov: g ← g + μb.
    # 1: g = 1,    b = 1,                        g' = 1 + 0.9·1 = 1.9,        θ = 1 − 0.19 = 0.81
    # 2: g = 0.81, b = 0.9·1 + 0.81 = 1.71,      g' = 0.81 + 0.9·1.71 = 2.349, θ = 0.81 − 0.2349
    ours = _scalar(pn.SGD(lr=0.1, momentum=0.9, nesterov=True), 2)
    assert ours == pytest.approx([0.81, 0.5751], abs=HAND_TOL)


def test_sgd_weight_decay_by_hand():
    # λ = 0.5: g = θ + 0.5θ = 1.5θ, so θ ← θ − 0.1·1.5θ = 0.85θ: 0.85, 0.7225.
    ours = _scalar(pn.SGD(lr=0.1, weight_decay=0.5), 2)
    assert ours == pytest.approx([0.85, 0.7225], abs=HAND_TOL)


def test_adam_by_hand():
    # η = 0.1, β = (0.9, 0.999), L = θ²/2, θ₀ = 1 (ε dropped):
    # 1: m = 0.1, v = 0.001, m̂ = 1, v̂ = 1: θ = 1 − 0.1·1/1 = 0.9 (Adam's first step is ±η)
    # 2: g = 0.9, m = 0.09 + 0.09 = 0.18, v = 0.000999 + 0.00081 = 0.001809,
    #    m̂ = 0.18/0.19 = 0.9473684, v̂ = 0.001809/0.001999 = 0.9049525, √v̂ = 0.9512900,
    #    θ = 0.9 − 0.1·0.9473684/0.9512900 = 0.9 − 0.0995877 = 0.8004123
    ours = _scalar(pn.Adam(lr=0.1), 2)
    assert ours == pytest.approx([0.9, 0.8004123], abs=HAND_TOL)


def test_a_wrong_update_rule_fails_the_same_check():
    """Negative control: momentum with dampening (1 − μ)g is not torch's default and must fail."""

    def dampened(theta0, gradient_of, lr, momentum, nesterov, weight_decay, steps):
        theta, buffer, out = theta0, None, []
        for _ in range(steps):
            g = gradient_of(theta)
            buffer = g if buffer is None else momentum * buffer + (1 - momentum) * g
            theta = theta - lr * buffer
            out.append(theta)
        return out

    hyper = SGD_SETTINGS[1]
    ours = run(pn.SGD(**hyper), steps=6)
    with pytest.raises(AssertionError):
        assert_close(ours, reference_trajectory(dampened, 6, **hyper), TRAJECTORY_TOL)


def test_state_is_kept_per_parameter():
    """Two parameters stepped together follow the same paths as each stepped alone."""
    together = pn.Adam(lr=0.1)
    first, second = Parameter("a", [[1.0]]), Parameter("b", [[-3.0, 2.0]])
    for _ in range(4):
        together.step(
            [first, second],
            [[[first.value[0][0]]], [[2 * v for v in second.value[0]]]],
        )
    solo = Parameter("b", [[-3.0, 2.0]])
    optimizer = pn.Adam(lr=0.1)
    for _ in range(4):
        optimizer.step([solo], [[[2 * v for v in solo.value[0]]]])
    assert second.value == solo.value
    assert first.value[0][0] == _scalar(pn.Adam(lr=0.1), 4)[-1]


def test_updates_happen_in_place_and_reset_forgets_momentum():
    parameter = Parameter("theta", [[1.0, 2.0]])
    matrix = parameter.value
    optimizer = pn.SGD(lr=0.1, momentum=0.9)
    optimizer.step([parameter], [[[1.0, 1.0]]])
    assert parameter.value is matrix  # a reference to the value sees every update
    optimizer.reset()
    before = matrix[0][:]
    optimizer.step([parameter], [[[1.0, 1.0]]])  # b = g again after reset: a plain step
    assert matrix[0] == [v - 0.1 for v in before]


def test_lr_can_be_reassigned_and_is_checked():
    optimizer = pn.Adam()
    optimizer.lr = 0.5
    assert optimizer.lr == 0.5
    with pytest.raises(pn.ConfigurationError, match="Adam"):
        optimizer.lr = -1.0


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: pn.SGD(lr=-0.1), "-0.1"),
        (lambda: pn.SGD(lr=float("nan")), "nan"),
        (lambda: pn.SGD(lr="fast"), "fast"),
        (lambda: pn.SGD(momentum=1.0), "momentum"),
        (lambda: pn.SGD(momentum=-0.5), "momentum"),
        (lambda: pn.SGD(nesterov=True), "nesterov"),
        (lambda: pn.SGD(momentum=0.9, nesterov="yes"), "nesterov"),
        (lambda: pn.SGD(weight_decay=-1.0), "weight_decay"),
        (lambda: pn.Adam(lr=-1e-3), "-0.001"),
        (lambda: pn.Adam(betas=(0.9, 1.0)), "betas"),
        (lambda: pn.Adam(betas=(-0.1, 0.999)), "betas"),
        (lambda: pn.Adam(betas=0.9), "betas"),
        (lambda: pn.Adam(eps=0.0), "eps"),
        (lambda: pn.Adam(eps=-1e-8), "eps"),
        (lambda: pn.Adam(weight_decay=float("inf")), "weight_decay"),
    ],
)
def test_bad_hyper_parameters_are_configuration_errors(build, fragment):
    with pytest.raises(pn.ConfigurationError) as caught:
        build()
    message = str(caught.value)
    assert fragment in message
    assert message.startswith(("SGD", "Adam"))


def test_step_rejects_misaligned_gradients():
    parameter = Parameter("theta", [[1.0, 2.0]])
    for optimizer in (pn.SGD(lr=0.1), pn.Adam()):
        with pytest.raises(pn.ShapeError, match="2 gradients for 1 parameters"):
            optimizer.step([parameter], [[[1.0, 1.0]], [[1.0]]])
        with pytest.raises(pn.ShapeError, match="theta"):
            optimizer.step([parameter], [[[1.0]]])


# -- gradient clipping -------------------------------------------------------------------------


def test_clip_grad_norm_scales_to_the_global_norm():
    # The global norm of (3, 0 | 0, 4) is √(9 + 16) = 5; max_norm 1 scales by 1/(5 + 1e-6).
    gradients = [[[3.0, 0.0]], [[0.0], [4.0]]]
    total = pn.clip_grad_norm(gradients, 1.0)
    assert total == 5.0
    factor = 1.0 / (5.0 + 1e-6)
    assert gradients == [[[3.0 * factor, 0.0]], [[0.0], [4.0 * factor]]]
    clipped = math.sqrt(sum(v * v for g in gradients for row in g for v in row))
    assert clipped == pytest.approx(1.0, abs=1e-6)


def test_clip_grad_norm_leaves_small_gradients_alone():
    gradients = [[[0.3, -0.4]]]  # norm 0.5 < 2
    assert pn.clip_grad_norm(gradients, 2.0) == pytest.approx(0.5)
    assert gradients == [[[0.3, -0.4]]]


@pytest.mark.parametrize("max_norm", [0, -1.0, float("nan"), float("inf"), "1", True])
def test_clip_grad_norm_rejects_bad_max_norm(max_norm):
    with pytest.raises(pn.ConfigurationError, match="clip_grad_norm"):
        pn.clip_grad_norm([[[1.0]]], max_norm)


@pytest.mark.parametrize("gradients", [[[1.0]], [[[1.0], [1.0, 2.0]]], "g", [[["x"]]]])
def test_clip_grad_norm_rejects_non_matrices(gradients):
    with pytest.raises(pn.ShapeError, match="clip_grad_norm"):
        pn.clip_grad_norm(gradients, 1.0)


# -- all or nothing ---------------------------------------------------------------------------


def _state_bits(optimizer):
    """Everything an optimizer remembers, as comparable plain data."""
    bits = {}
    for parameter, state in optimizer.state.items():
        if isinstance(state, AdamState):
            state = (state.step, state.m, state.v)
        bits[parameter.name] = copy.deepcopy(state)
    return bits


@pytest.mark.parametrize(
    "optimizer",
    [pn.SGD(lr=1.0), pn.SGD(lr=1.0, momentum=0.9), pn.SGD(lr=1.0, momentum=0.5, nesterov=True),
     pn.Adam(lr=1.0)],
    ids=repr,
)
def test_an_update_that_would_overflow_changes_neither_weights_nor_state(optimizer):
    # Weights near LARGEST_WEIGHT (≈1.34e154, where a square overflows): beyond it is divergence.
    kept, doomed = Parameter("kept", [[1.0, -2.0]]), Parameter("doomed", [[1.3e154, 0.5]])
    optimizer.step([kept, doomed], [[[0.5, 0.5]], [[0.25, 0.25]]])  # one good step: state exists
    weights = (copy.deepcopy(kept.value), copy.deepcopy(doomed.value))
    state = _state_bits(optimizer)
    # Adam's step is lr·m̂/√v̂, at most ~lr: an lr of the limit's size moves "kept" by ~1e154,
    # within it, and "doomed" (m̂/√v̂ ≈ 0.2 here) past it.
    optimizer.lr = 1e154 if isinstance(optimizer, pn.Adam) else 1.0
    with pytest.raises(pn.DivergenceError, match="doomed or its optimizer state non-finite"):
        optimizer.step([kept, doomed], [[[0.5, 0.5]], [[-1e154, 0.0]]])
    assert (kept.value, doomed.value) == weights  # "kept" was not half-updated either
    assert _state_bits(optimizer) == state


def test_the_same_update_goes_through_when_it_stays_within_the_limit():
    # Negative control for the test above: the step it refuses is refused for its size alone.
    parameter = Parameter("p", [[1e153, 0.5]])
    pn.SGD(lr=1.0).step([parameter], [[[-1e153, 0.0]]])
    assert parameter.value == [[2e153, 0.5]]


@pytest.mark.parametrize("gradient", [1e160, 1e200, 1e300], ids=["1e160", "1e200", "1e300"])
def test_an_adam_moment_that_would_overflow_is_divergence_and_keeps_the_state(gradient):
    parameter, adam = Parameter("w", [[1.0, 2.0]]), pn.Adam(lr=0.01)
    adam.step([parameter], [[[0.5, -0.5]]])
    weights, state = copy.deepcopy(parameter.value), _state_bits(adam)
    with pytest.raises(pn.DivergenceError, match="w or its optimizer state non-finite"):
        adam.step([parameter], [[[gradient, 0.0]]])  # g² overflows v: the weight would freeze
    assert parameter.value == weights and _state_bits(adam) == state
    adam.step([parameter], [[[1e150, 0.0]]])  # control: g² ≈ 1e300 still fits, and is taken
    assert parameter.value != weights and all_finite_state(adam)


def all_finite_state(adam):
    return all(math.isfinite(value) for state in adam.state.values()
               for matrix in (state.m, state.v) for row in matrix for value in row)


@pytest.mark.parametrize(
    "make", [lambda: pn.SGD(lr=0.1, momentum=0.9), lambda: pn.Adam(lr=0.1)], ids=["sgd", "adam"]
)
def test_optimizer_state_follows_its_parameters_through_deepcopy_and_pickle(make):
    network = pn.Network([pn.Dense(2, 3, "tanh"), pn.Dense(3, 1)], seed=4)
    optimizer = make()
    x, y = [[0.0, 1.0], [1.0, -1.0], [0.5, 0.5]], [[1.0], [0.0], [0.5]]
    network.fit(x, y, epochs=3, optimizer=optimizer)
    copies = [copy.deepcopy((network, optimizer)), pickle.loads(pickle.dumps((network, optimizer)))]
    network.fit(x, y, epochs=3, optimizer=optimizer)
    for twin, twin_optimizer in copies:
        assert set(twin_optimizer.state) == set(twin.parameters())  # keyed by the copies
        twin.fit(x, y, epochs=3, optimizer=twin_optimizer)
        assert [p.value for p in twin.parameters()] == [p.value for p in network.parameters()]


def test_clipping_works_where_the_squares_overflow():
    # (3e200)² overflows a float; the norm, 5e200, does not, and clipping must still happen.
    gradients = [[[3e200, 4e200]], [[0.0]]]
    assert pn.clip_grad_norm(gradients, 1.0) == pytest.approx(5e200, rel=1e-15, abs=0)
    assert gradients[0][0] == pytest.approx([0.6, 0.8], rel=1e-12, abs=0)  # direction 3 : 4 kept


def test_the_norm_of_tiny_gradients_is_not_lost_to_underflow():
    # (3e-200)² underflows to 0; the norm is still 5e-200 (below max_norm: nothing clipped).
    gradients = [[[3e-200, 4e-200]]]
    assert pn.clip_grad_norm(gradients, 1.0) == pytest.approx(5e-200, rel=1e-15, abs=0)
    assert gradients == [[[3e-200, 4e-200]]]
