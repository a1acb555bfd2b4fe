"""Dropout against PyTorch's ``F.dropout`` in float64 (skipped without torch), with a shared mask:
torch draws its mask, purenn is handed the same one (as draws of its generator: a kept entry
draws a u ≥ p, a dropped one a u < p), and the outputs and input gradients must agree.  A dropout
that forgets to rescale disagrees, although the gradient checker cannot see it (it is
consistent with itself)."""

from budget import examples
from dropout_cases import DropoutNotRescaled, Replayed
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import require
from strategies import matrices

import purenn as pn

torch = require("torch")
functional = torch.nn.functional

NONZERO = st.floats(0.1, 2.0) | st.floats(-2.0, -0.1)


def torch_dropout(x, rate, seed, upstream):
    """(Y, ∂L/∂X, which entries torch kept) of F.dropout in training mode, L = Σ upstream ⊙ Y."""
    torch.manual_seed(seed)
    inputs = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    output = functional.dropout(inputs, rate, training=True)
    (output * torch.tensor(upstream, dtype=torch.float64)).sum().backward()
    kept = [[value != 0.0 for value in row] for row in output.tolist()]  # x has no zeros
    return output.tolist(), inputs.grad.tolist(), kept


def as_draws(kept, rate):
    """Generator draws that make purenn keep exactly the entries torch kept."""
    return [(1.0 + rate) / 2 if keep else rate / 2 for row in kept for keep in row]


def ours(layer_class, x, rate, kept, upstream):
    layer = layer_class(rate)
    layer.initialize(Replayed(as_draws(kept, rate)))
    return layer.forward(x), layer.backward(upstream)


@settings(max_examples=examples(30))
@given(rate=st.sampled_from([0.1, 0.3, 0.5, 0.8]), x=matrices(elements=NONZERO),
       seed=st.integers(0, 1000), data=st.data())
def test_outputs_and_gradients_match_f_dropout_with_the_same_mask(rate, x, seed, data):
    upstream = data.draw(matrices(len(x), len(x[0])))
    output, grad, kept = torch_dropout(x, rate, seed, upstream)
    assert ours(pn.Dropout, x, rate, kept, upstream) == (output, grad)


def test_evaluation_matches_f_dropout_off():
    x = [[1.0, -2.0, 3.0]]
    layer = pn.Dropout(0.5)
    layer.training = False
    inputs = torch.tensor(x, dtype=torch.float64)
    assert layer.forward(x) == functional.dropout(inputs, 0.5, training=False).tolist()


def test_negative_control_dropout_not_rescaled_disagrees_with_torch_but_passes_gradcheck():
    x = [[0.5, -1.0, 1.5, 2.0], [-0.25, 0.75, 1.0, -2.0]]
    upstream = [[1.0, 1.0, 1.0, 1.0], [1.0, -1.0, 0.5, 2.0]]
    output, grad, kept = torch_dropout(x, 0.5, 3, upstream)
    assert any(keep for row in kept for keep in row)
    assert ours(DropoutNotRescaled, x, 0.5, kept, upstream) != (output, grad)
    # Forward and backward agree with each other, so only an oracle catches the missing scale.
    network = pn.Network([pn.Dense(4, 3, "tanh"), DropoutNotRescaled(0.5), pn.Dense(3, 1)],
                         seed=1)
    assert pn.gradcheck(network, x, [[1.0], [0.0]], "complex").ok
