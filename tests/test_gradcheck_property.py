"""Backprop against the gradient checker, over random architectures × every activation × every
loss that is registered when the tests are collected (so activations and losses added later are
covered without touching this file; how each loss is paired with an output layer and targets is
the LOSS_SETUPS table in strategies.py)."""

import itertools
import math
from typing import NamedTuple

import pytest
from budget import examples
from hypothesis import assume, example, given, settings
from strategies import NetworkSpec, build_network, loss_setup, network_specs

import purenn as pn
from purenn.activations import ACTIVATIONS, Elementwise
from purenn.losses import LOSSES

ACTIVATION_NAMES = sorted(ACTIVATIONS)
# The losses of rows of outputs (sequence_cross_entropy takes sequences: test_sequence_layers).
LOSS_NAMES = sorted(name for name in LOSSES if name != "sequence_cross_entropy")
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


class MethodCase(NamedTuple):
    """What one method of the checker is held to on the generated networks: its pass rule, and
    how close to a kink some pre-activation must lie for it to be allowed to skip an entry."""

    method: str
    rtol: float
    atol: float
    kink_reach: float


METHOD_CASES = [
    # Exact to rounding, so the tightest rule.  It moves real parts only by O(h²)
    # (Re e^{ih} = 1 − h²/2 ≈ 1 − 5e-61), so it changes a branch only where a pre-activation lies
    # within ~1e-60 of a kink (hypothesis does generate such subnormal-scale values); 1e-50
    # leaves ten orders of magnitude for the products of the forward pass.
    MethodCase("complex", rtol=1e-9, atol=1e-11, kink_reach=1e-50),
    # The default rule of central differences.  A step moves θ by ≤ 6e-6·max(1, |θ|) ≤ 1.2e-5
    # here (|θ|, |x| ≤ 2), the pre-activations of θ's layer by that times an input (≤ ~20 after
    # a layer of ≤ 4 inputs, |w| ≤ 2), and each layer above multiplies the change by ≤ ~10
    # (≤ 4 inputs × |w| ≤ 2 × |f′| ≤ 1.2): at most ~3e-3 in all.  A skip with every
    # pre-activation 1e-2 or further from a kink would be the checker's bug.
    MethodCase("central", rtol=1e-5, atol=1e-7, kink_reach=1e-2),
]


def nearest_kink_distance(network, x):
    """min |z − kink| over every pre-activation of every kinked layer, for inputs x (inf for a
    network without kinks)."""
    network.predict(x)
    distances = [math.inf]
    for layer in network.layers:
        for kink in layer.activation.kinks:
            distances.extend(abs(z - kink) for row in layer.cache[1] for z in row)
    return min(distances)


def coarse_then_fine(result):
    assert result.max_rel_err <= COARSE_REL_ERR, f"gradient plainly wrong:\n{result}"
    assert result.ok, f"gradient wrong beyond the method's tolerance:\n{result}"


@pytest.mark.parametrize("case", METHOD_CASES, ids=lambda case: case.method)
@pytest.mark.parametrize(("activation", "loss"), CASES)
@settings(max_examples=examples(EXAMPLES_PER_CASE))
@given(spec=network_specs())
@example(spec=ALL_ZERO)
@example(spec=SATURATED)
@example(spec=SINGLE_NEURON)
def test_numerical_derivatives_agree_with_backprop(case, activation, loss, spec):
    network, x, y = build_network(spec, activation, loss)
    assume(loss_setup(loss).conditioned(network.predict(x)))
    result = pn.gradcheck(network, x, y, case.method, rtol=case.rtol, atol=case.atol)
    assert result.n_checked + result.n_skipped == sum(
        rows * columns for rows, columns in (p.shape for p in network.parameters())
    )
    if result.n_skipped:
        assert nearest_kink_distance(network, x) < case.kink_reach, str(result)
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
