"""Backprop against the gradient checker, over random architectures × every activation × every
loss that is registered when the tests are collected (so activations and losses added later are
covered without touching this file; how each loss is paired with an output layer and targets is
the LOSS_SETUPS table in strategies.py)."""

import itertools
import math

import pytest
from hypothesis import assume, example, given, settings
from strategies import NetworkSpec, build_network, loss_setup, network_specs

import purenn as pn
from purenn.activations import ACTIVATIONS, Elementwise
from purenn.losses import LOSSES

ACTIVATION_NAMES = sorted(ACTIVATIONS)
LOSS_NAMES = sorted(LOSSES)
CASES = list(itertools.product(ACTIVATION_NAMES, LOSS_NAMES))

# First, a bound only a plainly wrong gradient breaks: relative error (|a − n| over
# max(|a|, |n|, 1e-2)) of 1e-2, a thousand times every method's default tolerance; if this fails
# the fine assertion below would only bury the message.
COARSE_REL_ERR = 1e-2

# Many parametrized cases share the suite's time budget; 50 examples per (activation, loss) pair
# times 4..36 pairs still checks hundreds to ~2000 networks per method.  (24 000 networks per
# method passed with the "dev" profile and 3000 examples per case while these were tuned.)
EXAMPLES_PER_CASE = 50

ALL_ZERO = NetworkSpec(  # every pre-activation exactly 0: relu sits on its kink
    widths=[2, 3, 2],
    biases=[True, True],
    values=[[[0.0] * 3] * 2, [[0.0] * 3], [[0.0] * 2] * 3, [[0.0] * 2]],
    x=[[0.5, -1.0], [1.5, 0.25]],
    u=[[0.2, 0.7], [0.9, 0.1]],
)
SATURATED = NetworkSpec(  # first layer pre-activations ±40..±80: sigmoid and tanh are flat
    widths=[2, 2, 1],
    biases=[True, False],
    # small output weights keep the output moderate even after an unbounded hidden activation:
    # a saturated *output* would make bce on probabilities ill-conditioned (log(1 − σ(z)) loses
    # ε/(1 − σ(z)) relative), a property of that loss, not of the checker
    values=[[[1.0, -1.0], [1.0, 1.0]], [[40.0, 0.0]], [[0.01], [-0.02]]],
    x=[[20.0, -20.0], [-40.0, 40.0]],
    u=[[0.3], [0.8]],
)
SINGLE_NEURON = NetworkSpec(
    widths=[1, 1], biases=[True], values=[[[0.7]], [[-0.3]]], x=[[0.5]], u=[[0.4]]
)


# How close to a kink a pre-activation must be for the complex step's O(h²) = O(1e-60) shift of
# real parts to move it across: 1e-50 leaves ten orders of magnitude for the products of the
# forward pass, and is still 290 orders below any value a real network holds.
COMPLEX_STEP_KINK_REACH = 1e-50


def nearest_kink_distance(network, x):
    """min |z − kink| over every pre-activation of every kinked layer, for inputs x."""
    network.predict(x)
    distances = [math.inf]
    for layer in network.layers:
        for kink in layer.activation.kinks:
            distances.extend(abs(z - kink) for row in layer.cache[1] for z in row)
    return min(distances)


def coarse_then_fine(result):
    assert result.max_rel_err <= COARSE_REL_ERR, f"gradient plainly wrong:\n{result}"
    assert result.ok, f"gradient wrong beyond the method's tolerance:\n{result}"


@pytest.mark.parametrize(("activation", "loss"), CASES)
@settings(max_examples=EXAMPLES_PER_CASE)
@given(spec=network_specs())
@example(spec=ALL_ZERO)
@example(spec=SATURATED)
@example(spec=SINGLE_NEURON)
def test_complex_step_agrees_with_backprop_to_its_tight_tolerance(activation, loss, spec):
    network, x, y = build_network(spec, activation, loss)
    assume(loss_setup(loss).conditioned(network.predict(x)))
    result = pn.gradcheck(network, x, y, "complex")
    if result.n_skipped:
        # The complex step moves real parts only by O(h²) (Re e^{ih} = 1 − h²/2 ≈ 1 − 5e-61),
        # so it changes a branch only where a pre-activation lies within ~1e-60 of a kink;
        # hypothesis does generate such subnormal-scale values, and skipping them is right.
        assert nearest_kink_distance(network, x) < COMPLEX_STEP_KINK_REACH, str(result)
    coarse_then_fine(result)


@pytest.mark.parametrize(("activation", "loss"), CASES)
@settings(max_examples=EXAMPLES_PER_CASE)
@given(spec=network_specs())
@example(spec=ALL_ZERO)
@example(spec=SATURATED)
@example(spec=SINGLE_NEURON)
def test_central_differences_agree_with_backprop_at_the_default_tolerance(activation, loss, spec):
    network, x, y = build_network(spec, activation, loss)
    assume(loss_setup(loss).conditioned(network.predict(x)))
    result = pn.gradcheck(network, x, y, "central")
    assert result.n_checked + result.n_skipped == sum(
        rows * columns for rows, columns in (p.shape for p in network.parameters())
    )
    coarse_then_fine(result)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_relu_like_kinks_at_the_origin_are_declared(activation):
    # Undeclared kinks make central differences fail near them; catch that at its source: any
    # elementwise activation whose derivative jumps at a point of the grid must list it.
    function = ACTIVATIONS[activation]
    if not isinstance(function, Elementwise):
        pytest.skip("not elementwise: kinks would show in the gradient checks instead")
    delta = 1e-9
    for point in (k / 4 for k in range(-12, 13)):
        left, right = point - delta, point + delta
        jump = abs(
            function.derivative(right, function.function(right))
            - function.derivative(left, function.function(left))
        )
        if jump > 1e-6:
            assert point in function.kinks, f"{activation}′ jumps by {jump:g} at {point}"


def test_the_all_zero_example_puts_relu_on_its_kink():
    # The ALL_ZERO example is meant to exercise kink skipping; make sure it does.
    network, x, y = build_network(ALL_ZERO, "relu", "sse")
    central = pn.gradcheck(network, x, y, "central")
    assert central.n_skipped > 0, str(central)
    assert central.ok, str(central)


def test_the_saturated_example_saturates():
    network, x, y = build_network(SATURATED, "sigmoid", "sse")
    network.forward(x)
    first = network.layers[0].cache[1]
    assert min(abs(z) for row in first for z in row) >= 40
    assert math.isfinite(network.loss(x, y))
