"""Backprop against PyTorch's float64 autograd on the same random networks (skipped without torch,
failed without it where PURENN_REQUIRE lists torch: see oracles.py).

The networks come from the same specs as test_gradcheck_property.py.  Activations and losses
that torch has are mapped below; parameterised ones (leaky_relu's slope, elu's α) are read off
purenn's own function, and each loss has PyTorch's reduction (sse is torch's sum; mse, bce and
cross_entropy are torch's "mean"), so the values must agree too.  Names with no torch
counterpart are skipped.
"""

import itertools
import math

import pytest
from budget import examples
from hypothesis import example, given, settings
from oracles import require
from strategies import NetworkSpec, build_network, network_specs

import purenn as pn
from purenn.activations import ACTIVATIONS, Elementwise, sigmoid, sigmoid_derivative
from purenn.losses import LOSSES

torch = require("torch")
functional = torch.nn.functional

# Both sides compute the same float64 functions in a different order of operations (and torch
# may use other formulas, e.g. for sigmoid): rounding differences of a few ulps per operation
# over a few layers.  1e-10 relative to max(1, |g|) allows ~1e5 ulps of accumulated difference;
# a real mismatch (a wrong formula) is O(|g|).
TORCH_TOL = 1e-10
# The loss values must agree as well: the same rounding argument.
VALUE_TOL = 1e-10


def elementwise(name):
    """The purenn scalar function of a registered elementwise activation, for probing."""
    return ACTIVATIONS[name].function


def torch_activation(name):
    """The torch function for a purenn activation name, or None if torch has none."""
    if name == "identity":
        return lambda z: z
    if name in ("sigmoid", "tanh", "relu"):
        return getattr(torch, name)
    if name == "leaky_relu":
        slope = -elementwise(name)(-1.0)
        return lambda z: functional.leaky_relu(z, negative_slope=slope)
    if name == "elu":
        alpha = -elementwise(name)(-50.0)
        return lambda z: functional.elu(z, alpha=alpha)
    if name == "softplus":
        return functional.softplus
    if name == "gelu":
        # exact (erf) or tanh approximation: whichever purenn's value at 1 matches
        exact = 0.5 * (1.0 + math.erf(1.0 / math.sqrt(2.0)))
        approximate = "none" if abs(elementwise(name)(1.0) - exact) < 1e-12 else "tanh"
        return lambda z: functional.gelu(z, approximate=approximate)
    if name == "softmax":
        return lambda z: torch.softmax(z, dim=1)
    return None


def torch_loss(name):
    """The loss as a torch function of (P, T), with the reduction PyTorch (and purenn's
    documentation) gives it: sse sums, mse and bce average over every entry, cross_entropy
    averages over the rows."""
    if name == "sse":
        return lambda p, t: ((p - t) ** 2).sum()
    if name == "mse":
        return lambda p, t: functional.mse_loss(p, t, reduction="mean")
    if name == "bce":
        return lambda p, t: functional.binary_cross_entropy(p, t, reduction="mean")
    if name == "cross_entropy":
        return lambda p, t: functional.cross_entropy(p, t, reduction="mean")
    return None


def as_target_tensor(name, y, rows, outputs):
    if name == "cross_entropy" and y and not isinstance(y[0], list):
        y = [[1.0 if k == label else 0.0 for k in range(outputs)] for label in y]
    return torch.tensor(y, dtype=torch.float64)


def torch_gradients(network, x, y, loss_name):
    """(loss value, gradients) of the same network by torch autograd in float64."""
    tensors = [
        torch.tensor(p.value, dtype=torch.float64, requires_grad=True)
        for p in network.parameters()
    ]
    remaining = iter(tensors)
    a = torch.tensor(x, dtype=torch.float64)
    for layer in network.layers:
        z = a @ next(remaining)
        if layer.bias is not None:
            z = z + next(remaining)
        a = torch_activation(layer.activation.name)(z)
    target = as_target_tensor(loss_name, y, len(x), network.n_out)
    loss = torch_loss(loss_name)(a, target)
    value = network.loss(x, y)
    assert abs(loss.item() - value) <= VALUE_TOL * max(1.0, abs(value)), (loss.item(), value)
    loss.backward()
    return [t.grad.tolist() for t in tensors]


CASES = [
    (activation, loss)
    for activation, loss in itertools.product(sorted(ACTIVATIONS), sorted(LOSSES))
    if torch_activation(activation) is not None and torch_loss(loss) is not None
]


@pytest.mark.parametrize(("activation", "loss"), CASES)
@settings(max_examples=examples(25))
@given(spec=network_specs())
@example(
    spec=NetworkSpec([2, 3, 2], [True, False], [[[0.5, -1.0, 0.25], [1.5, 0.0, -0.5]],
                     [[0.1, 0.2, -0.3]], [[1.0, -1.0], [0.5, 0.5], [-2.0, 0.0]]],
                     [[1.0, 2.0], [-0.5, 0.0]], [[0.2, 0.9], [0.6, 0.3]])
)
def test_backprop_matches_torch_autograd(activation, loss, spec):
    network, x, y = build_network(spec, activation, loss)
    assert mismatches(network, x, y, loss) == []


def mismatches(network, x, y, loss):
    """The entries where purenn's backprop and torch's autograd disagree beyond TORCH_TOL."""
    ours = network.gradients(x, y)[1]
    theirs = torch_gradients(network, x, y, loss)
    found = []
    for parameter, mine, reference in zip(network.parameters(), ours, theirs):
        for i, (row, reference_row) in enumerate(zip(mine, reference)):
            for j, (g, r) in enumerate(zip(row, reference_row)):
                if not abs(g - r) <= TORCH_TOL * max(1.0, abs(r)):
                    found.append(f"{parameter.name}[{i}, {j}]: purenn {g!r}, torch {r!r}")
    return found


def test_negative_control_a_wrong_derivative_disagrees_with_torch():
    # Named "sigmoid", so torch runs the true sigmoid; its derivative is off by a factor 1.001.
    wrong = Elementwise("sigmoid", sigmoid, lambda z, a: 1.001 * sigmoid_derivative(z, a))
    network = pn.Network([pn.Dense(2, 3, wrong), pn.Dense(3, 1)], seed=2)
    x, y = [[0.5, -1.0], [1.0, 2.0]], [[0.3], [-0.2]]
    assert mismatches(network, x, y, "sse")
    network.layers[0].activation = ACTIVATIONS["sigmoid"]
    assert mismatches(network, x, y, "sse") == []
