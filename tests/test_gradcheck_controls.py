"""Negative controls: each injected bug must be caught THROUGH gradcheck, and the same network
without the bug must pass the same check (so the failure is the bug's, not the setup's)."""

import warnings

import pytest

import purenn as pn
from purenn import kernels
from purenn.activations import (
    Elementwise,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    tanh_derivative,
)
from purenn.datasets import seed_data
from purenn.losses import SumSquaredError
from purenn.scalar import tanh

X, Y = seed_data()
# Every method's gradient check must catch every bug below.
METHODS = ["central", "richardson", "complex"]


def set_distinct_values(network):
    """Nonzero, distinct biases and weights (so no gradient entry is trivially 0)."""
    for parameter in network.parameters():
        parameter.value = [
            [0.3 * (i + 1) - 0.17 * j + 0.05 * (i * j % 3) for j in range(len(row))]
            for i, row in enumerate(parameter.value)
        ]
    return network


def hidden_activation_network(hidden, loss="sse", dense=pn.Dense):
    return set_distinct_values(
        pn.Network([dense(3, 4, activation=hidden), dense(4, 1, activation="sigmoid")],
                   loss=loss, seed=3)
    )


def assert_caught(network, method, x=X, y=Y):
    result = pn.gradcheck(network, x, y, method)
    assert not result.ok, f"the bug went unnoticed by {method}:\n{result}"
    assert not result
    assert result.worst is not None and not result.worst.ok
    return result


def assert_passes(network, method, x=X, y=Y):
    result = pn.gradcheck(network, x, y, method)
    assert result.ok, str(result)


@pytest.mark.parametrize("method", METHODS)
def test_sign_flip_in_a_derivative_is_caught(method):
    flipped = Elementwise("flipped_sigmoid", sigmoid, lambda z, a: -sigmoid_derivative(z, a))
    correct = Elementwise("sigmoid_copy", sigmoid, sigmoid_derivative)
    assert_passes(hidden_activation_network(correct), method)
    result = assert_caught(hidden_activation_network(flipped), method)
    assert {entry.parameter for entry in result.failures} >= {"layers[0].weights"}


class HalvedSquaredError(SumSquaredError):
    """The sum of squares with its gradient missing the factor 2 (the bug)."""

    name = "sse_missing_factor_2"

    def gradient(self, output, target):
        return [[p - t for p, t in zip(pr, tr)] for pr, tr in zip(output, target)]


@pytest.mark.parametrize("method", METHODS)
def test_loss_gradient_missing_its_factor_2_is_caught(method):
    assert_passes(hidden_activation_network("sigmoid", loss=SumSquaredError()), method)
    result = assert_caught(hidden_activation_network("sigmoid", loss=HalvedSquaredError()), method)
    # every parameter's gradient is halved, so every parameter fails
    assert all(not row.ok for row in result.parameters)


@pytest.mark.parametrize("method", METHODS)
def test_derivative_evaluated_at_the_activation_instead_of_the_pre_activation_is_caught(method):
    # tanh′ written as 1 − tanh²(·) but handed a = tanh(z) instead of z
    wrong = Elementwise("tanh_of_a", tanh, lambda z, a: tanh_derivative(a, tanh(a)))
    right = Elementwise("tanh_copy", tanh, tanh_derivative)
    assert_passes(hidden_activation_network(right), method)
    assert_caught(hidden_activation_network(wrong), method)


class FirstRowBiasDense(pn.Dense):
    """Dense whose bias gradient takes the first sample's δ instead of summing over the batch."""

    def backward(self, grad_output, need_input_grad=True):
        result = super().backward(grad_output, need_input_grad)
        if self.bias is not None:
            _, z, a = self.cache
            delta = self.activation.backward(z, a, grad_output)
            self.bias.grad = [list(delta[0])]
        return result


class MeanBiasDense(pn.Dense):
    """Dense whose bias gradient averages δ over the batch instead of summing it."""

    def backward(self, grad_output, need_input_grad=True):
        result = super().backward(grad_output, need_input_grad)
        if self.bias is not None:
            self.bias.grad = [kernels.scale(self.bias.grad, 1.0 / len(grad_output))[0]]
        return result


@pytest.mark.parametrize("broken", [FirstRowBiasDense, MeanBiasDense])
@pytest.mark.parametrize("method", METHODS)
def test_bias_gradient_not_summed_over_the_batch_is_caught(method, broken):
    assert len(X) > 1  # a batch of one would hide the bug
    assert_passes(hidden_activation_network("tanh"), method)
    result = assert_caught(hidden_activation_network("tanh", dense=broken), method)
    assert {entry.parameter for entry in result.failures} <= {"layers[0].bias", "layers[1].bias"}


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
