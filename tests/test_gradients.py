"""Backpropagation against central finite differences, for hypothesis-generated networks.

Every entry of every parameter's gradient is compared with (L(θ + h) − L(θ − h)) / 2h.
"""

import pytest
from hypothesis import given
from strategies import networks_with_data

import purenn as pn
from purenn.activations import Elementwise, sigmoid, sigmoid_derivative

# The step that balances truncation error (∝ h²) against round-off (∝ ε/h): h ≈ ∛ε ≈ 6e-6.
FD_STEP = 6e-6

# Round-off in the numerical derivative is about ε·|L|/h ≈ 4e-11·|L| per evaluation, amplified
# by cancellation inside the loss (squares of large outputs whose difference is small).  Over 2000
# generated networks the worst |analytic − numeric| was 7.5e-9 × (1 + |L|); 1e-7 × (1 + |L|)
# leaves a margin of 13, yet a wrong gradient misses by O(|gradient|), orders above it.
FD_ABS_TOL = 1e-7
# Truncation error is about h²/6 · |f'''| ≈ 6e-12 × |f'''| relative; 1e-6 relative to the larger
# of the two values allows for |f'''| up to ~1e5, far more than modest sigmoid/tanh nets reach.
FD_REL_TOL = 1e-6


def central_difference_gradients(network, x, y, step=FD_STEP):
    """Numerical ∂L/∂θ for every entry of every parameter, restoring each entry afterwards."""
    numeric = []
    for parameter in network.parameters():
        grad = []
        for row in parameter.value:
            grad_row = []
            for j, original in enumerate(row):
                try:
                    row[j] = original + step
                    plus = network.loss(x, y)
                    row[j] = original - step
                    minus = network.loss(x, y)
                finally:
                    row[j] = original
                grad_row.append((plus - minus) / (2 * step))
            grad.append(grad_row)
        numeric.append(grad)
    return numeric


def gradient_mismatches(network, x, y, analytic):
    """The entries where ``analytic`` disagrees with central differences beyond tolerance."""
    loss = network.loss(x, y)
    numeric = central_difference_gradients(network, x, y)
    failures = []
    for parameter, a_matrix, n_matrix in zip(network.parameters(), analytic, numeric):
        for i, (a_row, n_row) in enumerate(zip(a_matrix, n_matrix)):
            for j, (a, n) in enumerate(zip(a_row, n_row)):
                if abs(a - n) > FD_ABS_TOL * (1 + abs(loss)) + FD_REL_TOL * max(abs(a), abs(n)):
                    failures.append((parameter.name, i, j, a, n))
    return failures


@given(networks_with_data())
def test_backprop_matches_central_differences(case):
    network, x, y = case
    loss, grads = network.gradients(x, y)
    assert loss == network.loss(x, y)
    assert [len(g) for g in grads] == [p.shape[0] for p in network.parameters()]
    assert [len(g[0]) for g in grads] == [p.shape[1] for p in network.parameters()]
    assert gradient_mismatches(network, x, y, grads) == []


@given(networks_with_data())
def test_gradients_leave_parameters_unchanged(case):
    network, x, y = case
    before = [[row[:] for row in p.value] for p in network.parameters()]
    network.gradients(x, y)
    central_difference_gradients(network, x, y)
    assert [p.value for p in network.parameters()] == before


def wrong_sigmoid_network(wrong_derivative):
    """The seed network shape, its hidden sigmoid given a deliberately wrong derivative."""
    broken = Elementwise("broken_sigmoid", sigmoid, wrong_derivative)
    network = pn.Network(
        [pn.Dense(3, 4, activation=broken), pn.Dense(4, 1, activation="sigmoid")], seed=3
    )
    for parameter in network.parameters():  # nonzero biases, so every gradient entry matters
        parameter.value = [[0.1 * (i + 1) - 0.05 * j for j in range(len(row))]
                           for i, row in enumerate(parameter.value)]
    return network


SEED_X = [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]
SEED_Y = [[0.0], [1.0], [1.0], [0.0]]

WRONG_DERIVATIVES = {
    "sign flipped": lambda z, a: -sigmoid_derivative(z, a),
    "evaluated at the activation": lambda z, a: sigmoid_derivative(a, sigmoid(a)),
    "off by a factor 2": lambda z, a: 2 * sigmoid_derivative(z, a),
}


def test_negative_control_the_correct_derivative_passes():
    network = wrong_sigmoid_network(sigmoid_derivative)
    _, grads = network.gradients(SEED_X, SEED_Y)
    assert gradient_mismatches(network, SEED_X, SEED_Y, grads) == []


@pytest.mark.parametrize("bug", WRONG_DERIVATIVES)
def test_negative_control_a_wrong_derivative_fails(bug):
    network = wrong_sigmoid_network(WRONG_DERIVATIVES[bug])
    _, grads = network.gradients(SEED_X, SEED_Y)
    failures = gradient_mismatches(network, SEED_X, SEED_Y, grads)
    assert failures, f"a derivative {bug} went unnoticed"
    assert {name for name, *_ in failures} >= {"layers[0].weights", "layers[0].bias"}


@given(networks_with_data(max_layers=2))
def test_negative_control_a_perturbed_gradient_fails(case):
    network, x, y = case
    _, grads = network.gradients(x, y)
    grads[0][0][0] += 1e-3 * (1 + abs(grads[0][0][0]) + network.loss(x, y))
    assert gradient_mismatches(network, x, y, grads)
