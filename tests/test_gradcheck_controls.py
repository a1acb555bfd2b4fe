"""Negative controls: each bug of purenn.gradient_checking.planted must be caught THROUGH
gradcheck, by every method, and the same network without the bug must pass the same check (so
the failure is the bug's, not the setup's). One more bug is not in that table because it needs a
network that sits on a kink: a relu derivative that disagrees with the forward pass at 0, which
only the complex step can see."""

import warnings

import pytest

import purenn as pn
from purenn import cli, kernels
from purenn.activations import Elementwise, relu, relu_derivative
from purenn.datasets import seed_data
from purenn.gradient_checking.planted import PLANTED_BUGS, plant_bug

X, Y = seed_data()
# Every method's gradient check must catch every bug below.
METHODS = ["central", "richardson", "complex"]

WEIGHTS = {"layers[0].weights", "layers[1].weights"}
BIASES = {"layers[0].bias", "layers[1].bias"}

# The rows of control_network()'s check that each planted bug must fail, and no others.
FAILING_ROWS = {
    # layer 0's δ is negated: its own gradients, nothing above it
    "sign_flip": {"layers[0].weights", "layers[0].bias"},
    # ∂L/∂P starts backpropagation, so every gradient is halved
    "missing_factor_2": WEIGHTS | BIASES,
    "derivative_at_activation": {"layers[0].weights", "layers[0].bias"},
    # the weights' gradients Xᵀ·δ are untouched
    "bias_not_summed": BIASES,
    "bias_averaged": BIASES,
}

# Where plant_bug says each bug went in control_network().
PLACES = {
    "sign_flip": "layers[0] (tanh)",
    "missing_factor_2": "the sse loss",
    "derivative_at_activation": "layers[0] (tanh)",
    "bias_not_summed": "layers[0], layers[1]",
    "bias_averaged": "layers[0], layers[1]",
}


def control_network():
    """3-4-1, tanh then sigmoid, biases, SSE, with nonzero, distinct weights and biases (so no
    gradient entry is trivially 0), checked on the seed data's batch of 4 (a batch of one
    would hide the bias bugs)."""
    network = pn.Network([pn.Dense(3, 4, activation="tanh"),
                          pn.Dense(4, 1, activation="sigmoid")], loss="sse", seed=3)
    for parameter in network.parameters():
        parameter.value = [
            [0.3 * (i + 1) - 0.17 * j + 0.05 * (i * j % 3) for j in range(len(row))]
            for i, row in enumerate(parameter.value)
        ]
    return network


def assert_caught(network, method, x=X, y=Y):
    result = pn.gradcheck(network, x, y, method)
    assert not result.ok, f"the bug went unnoticed by {method}:\n{result}"
    assert not result
    assert result.worst is not None and not result.worst.ok
    return result


def assert_passes(network, method, x=X, y=Y):
    result = pn.gradcheck(network, x, y, method)
    assert result.ok, str(result)


def test_every_planted_bug_has_its_expectations():
    assert set(FAILING_ROWS) == set(PLANTED_BUGS) == set(PLACES)
    assert len(X) > 1


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("bug", list(PLANTED_BUGS))
def test_each_planted_bug_is_caught(bug, method):
    assert_passes(control_network(), method)
    network = control_network()
    assert plant_bug(network, bug) == PLACES[bug]
    result = assert_caught(network, method)
    assert {row.name for row in result.parameters if not row.ok} == FAILING_ROWS[bug], str(result)


def outside_view(network):
    """What a planted bug must not change: outputs, loss, parameters' names and values."""
    parameters = [(p.name, p.value) for p in network.parameters()]
    return network.predict(X), network.loss(X, Y), parameters


@pytest.mark.parametrize("bug", list(PLANTED_BUGS))
def test_a_planted_bug_leaves_the_forward_pass_and_the_loss_alone(bug):
    # The check differentiates the loss, so the bug must be in a gradient only.
    network = control_network()
    before = outside_view(network)
    plant_bug(network, bug)
    assert outside_view(network) == before


def test_the_loss_gradient_missing_its_factor_2_is_exactly_half():
    network = control_network()
    _, right = network.gradients(X, Y)
    plant_bug(network, "missing_factor_2")
    _, halved = network.gradients(X, Y)
    assert halved == [kernels.scale(matrix, 0.5) for matrix in right]


@pytest.mark.parametrize(
    ("network", "bug", "words"),
    [
        (control_network(), "off_by_one", "known planted bugs: bias_averaged, bias_not_summed"),
        (cli.seed_network(1), "bias_not_summed", "needs a layer with a bias"),
        (pn.Network([pn.Dense(3, 2, "softmax")], loss="sse", seed=0),
         "derivative_at_activation", "needs a Dense layer with an elementwise activation"),
        ("not a network", "sign_flip", "net must be a Network"),
    ],
)
def test_plant_bug_rejects_what_it_cannot_plant(network, bug, words):
    with pytest.raises(pn.ConfigurationError, match="plant_bug") as raised:
        plant_bug(network, bug)
    assert words in str(raised.value)


# -- the kink: a bug only the complex step can see ----------------------------------------------


def relu_at_kink_network(derivative):
    """Hidden relu layer whose pre-activations are all exactly 0 (zero weights and bias), under
    an output layer with nonzero weights, so ∂L/∂Z of the hidden layer is nonzero."""
    hidden = Elementwise("relu_under_test", relu, derivative, kinks=(0.0,))
    network = pn.Network([pn.Dense(3, 4, activation=hidden), pn.Dense(4, 1)], seed=5)
    network.layers[0].weights.value = kernels.zeros(3, 4)
    network.layers[0].bias.value = kernels.zeros(1, 4)
    network.layers[1].weights.value = [[0.5], [-0.25], [1.0], [0.75]]
    network.layers[1].bias.value = [[0.1]]
    return network


def relu_derivative_one_at_zero(z, a):
    """1 for z ≥ 0: disagrees with the forward, which takes the 0 branch at z = 0."""
    return 1.0 if z.real >= 0.0 else 0.0


def test_relu_derivative_disagreeing_with_the_forward_at_0_is_caught_by_the_complex_step():
    # The forward relu(0 + ih) = 0 (branch on z.real > 0): the complex step reads derivative 0
    # at the kink, exactly what the forward computes, and the buggy derivative says 1.
    assert_passes(relu_at_kink_network(relu_derivative), "complex")
    with pytest.warns(pn.ComplexStepWarning):
        result = assert_caught(relu_at_kink_network(relu_derivative_one_at_zero), "complex")
    assert {entry.parameter for entry in result.failures} == {
        "layers[0].weights",
        "layers[0].bias",
    }
    assert result.n_skipped == 0


def test_central_differences_cannot_judge_the_relu_kink_and_say_so():
    # Why the complex step is needed above: every step ±h moves a hidden pre-activation off 0,
    # so central differences straddle the kink; the checker skips those entries instead of
    # reporting the garbage (0.5-ish) difference quotient as a verdict.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = pn.gradcheck(relu_at_kink_network(relu_derivative_one_at_zero), X, Y, "central")
    assert result.n_skipped == 3 * 4 + 4
    hidden_rows = [row for row in result.parameters if row.name.startswith("layers[0]")]
    assert all(row.n_checked == 0 and row.verdict == "not checked" for row in hidden_rows)
