"""Backpropagation against central finite differences, for hypothesis-generated networks.

Every entry of every parameter's gradient is compared with (L(θ + h) − L(θ − h)) / 2h.
"""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import loss_setup, networks_with_data

import purenn as pn
from purenn import kernels
from purenn.activations import Elementwise, Softmax, sigmoid, sigmoid_derivative

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


# -- the new activations and losses, through whole networks -----------------------------------

SMOOTH_NEW = ("identity", "sigmoid", "tanh", "softplus", "gelu")
KINKED = ("relu", "leaky_relu", "elu")

# Perturbing one parameter by FD_STEP moves a first-layer pre-activation by at most
# FD_STEP·max(1, |x|) ≤ 2·FD_STEP, and a second-layer one by at most
# width·max|W|·max|f′|·2·FD_STEP ≤ 5·2·1·2·FD_STEP = 20·FD_STEP = 1.2e-4 (MODEST values, width ≤ 5).
# A margin of 1e-3 from every kink, with at most 2 layers, keeps both central-difference points
# on the same side of it, with a factor 8 to spare.
KINK_MARGIN = 1e-3


def pre_activations(network, x):
    """Z of every layer for the batch X, recomputed from the public parameters."""
    result = []
    a = x
    for layer in network.layers:
        z = kernels.matmul(a, layer.weights.value)
        if layer.bias is not None:
            z = kernels.add_row(z, layer.bias.value[0])
        result.append((layer.activation, z))
        a = layer.activation.forward(z)
    return result


def clear_of_kinks(network, x):
    return all(
        abs(value - kink) > KINK_MARGIN
        for activation, z in pre_activations(network, x)
        for kink in getattr(activation, "kinks", ())
        for row in z
        for value in row
    )


@given(networks_with_data(activations=SMOOTH_NEW))
def test_backprop_through_smooth_new_activations(case):
    network, x, y = case
    _, grads = network.gradients(x, y)
    assert gradient_mismatches(network, x, y, grads) == []


@given(networks_with_data(activations=(*KINKED, "identity"), max_layers=2))
def test_backprop_through_kinked_activations_away_from_kinks(case):
    network, x, y = case
    assume(clear_of_kinks(network, x))
    _, grads = network.gradients(x, y)
    assert gradient_mismatches(network, x, y, grads) == []


LOSS_CASES = {
    "mse": networks_with_data(activations=SMOOTH_NEW, loss="mse"),
    "bce": networks_with_data(
        activations=SMOOTH_NEW, loss="bce", output_activations=("sigmoid",)
    ),
    "cross_entropy": networks_with_data(
        activations=SMOOTH_NEW, loss="cross_entropy", output_activations=("identity",)
    ),
    "softmax output with mse": networks_with_data(
        activations=SMOOTH_NEW, loss="mse", output_activations=("softmax",)
    ),
}


@pytest.mark.parametrize("name", sorted(LOSS_CASES))
@given(data=st.data())
def test_backprop_through_each_loss(name, data):
    network, x, y = data.draw(LOSS_CASES[name])
    # bce on saturated probabilities is ill-conditioned (see strategies.py); not a wrong gradient.
    assume(loss_setup(network.loss_function.name).conditioned(network.predict(x)))
    _, grads = network.gradients(x, y)
    assert gradient_mismatches(network, x, y, grads) == []


@pytest.mark.parametrize("name", sorted(LOSS_CASES))
@given(data=st.data())
def test_negative_control_a_perturbed_gradient_fails_for_each_loss(name, data):
    network, x, y = data.draw(LOSS_CASES[name])
    loss, grads = network.gradients(x, y)
    grads[0][0][0] += 1e-3 * (1 + abs(grads[0][0][0]) + loss)
    assert gradient_mismatches(network, x, y, grads)


def test_negative_control_a_diagonal_softmax_backward_fails_in_a_network():
    class DiagonalSoftmax(Softmax):
        def backward(self, z, a, grad_a):
            return [[g * p * (1 - p) for g, p in zip(g_row, a_row)]
                    for g_row, a_row in zip(grad_a, a)]

    x, y = [[0.5, -1.0], [1.0, 0.3]], [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    for softmax, should_pass in ((Softmax(), True), (DiagonalSoftmax(), False)):
        network = pn.Network([pn.Dense(2, 3, activation=softmax)], loss="mse", seed=2)
        _, grads = network.gradients(x, y)
        assert (gradient_mismatches(network, x, y, grads) == []) is should_pass
