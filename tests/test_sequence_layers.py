"""The sequence layers and the sequence loss: gradients against central differences and the
complex step, the causal mask, padding, the loss against a scalar re-derivation, and hostile
input.  PyTorch float64 comparisons are in test_sequence_torch.py."""

import math
import re

import pytest
from sequence_cases import BLOCK, VOCAB, X, Y, every_layer_net, perturb_gains

import purenn as pn
from purenn.layers import RMSNorm

# The scalar re-derivation adds the same numbers in another order: a few ulps of a loss ≈ 2.
SCALAR_TOL = 1e-13


@pytest.mark.parametrize("method", ["central", "complex"])
def test_every_layer_passes_the_gradient_check(method):
    net = every_layer_net()
    perturb_gains(net)
    result = pn.gradcheck(net, X, Y, method)
    assert result.ok, result.report()
    total = sum(len(p.value) * len(p.value[0]) for p in net.parameters())
    assert result.n_checked + result.n_skipped == total
    assert result.n_skipped <= total // 10  # the ReLU's kinks are rare at a generic point


def test_relu_kinks_are_skipped_not_failed():
    # Zero the MLP's input weights' first column so that every pre-activation there is exactly
    # 0, a ReLU kink: the checker must skip those entries, not count them as failures.
    net = every_layer_net()
    mlp = net.layers[4].layers[1].dense
    for row in mlp.weights.value:
        row[0] = 0.0
    mlp.bias.value[0][0] = 0.0
    result = pn.gradcheck(net, X, Y)
    assert result.ok, result.report()
    assert result.n_skipped > 0


class _ForgetfulRMSNorm(RMSNorm):
    """A planted bug: RMSNorm's backward without the term through the scale s."""

    def backward(self, grad_output, need_input_grad=True):
        _, scales, batch = self.cache
        rows = pn.layers.positionwise.positions(grad_output, self.dim)
        return pn.layers.positionwise.sequences(
            [[s * d for d in row] for row, s in zip(rows, scales)], batch)


def test_negative_control_a_wrong_backward_fails_both_methods():
    net = every_layer_net()
    net.layers[2] = _ForgetfulRMSNorm(4)
    for method in ("central", "complex"):
        assert not pn.gradcheck(net, X, Y, method).ok


def test_causal_later_tokens_do_not_change_earlier_outputs():
    net = every_layer_net()
    width = VOCAB
    first = net.predict([[4, 0, 1, 2]])[0]
    second = net.predict([[4, 0, 3, 3]])[0]
    assert first[:2 * width] == second[:2 * width]  # positions 0 and 1: bit for bit
    assert first[2 * width:] != second[2 * width:]  # negative control: position 2 did change


def test_padding_never_reaches_the_loss():
    # The same sequence padded with different ids, and cut to its real length, gives the same
    # loss and gradients bit for bit.
    net = every_layer_net()
    results = [net.gradients([[4, 3, *pad]], [[3, 4, -100, -100]]) for pad in ([0, 0], [2, 1])]
    assert results[0] == results[1]
    trimmed = net.backprop([[4.0, 3.0]], [[3.0, 4.0]])[0]
    assert trimmed == results[0][0]


def _scalar_loss(logits_rows, targets):
    """−(1/N) Σ ln(e^{z_y} / Σ_k e^{z_k}) written out from the definition, one position at a
    time (no shift: the logits here are small)."""
    total, count = 0.0, 0
    for row, target_row in zip(logits_rows, targets):
        vocab = len(row) // len(target_row)
        for t, target in enumerate(target_row):
            if target == -100:
                continue
            z = row[t * vocab:(t + 1) * vocab]
            total += -math.log(math.exp(z[target]) / sum(math.exp(v) for v in z))
            count += 1
    return total / count


def test_loss_matches_a_scalar_re_derivation():
    net = every_layer_net()
    logits = net.predict(X)
    loss = pn.SequenceCrossEntropy().value(logits, Y)
    assert abs(loss - _scalar_loss(logits, Y)) <= SCALAR_TOL
    assert net.loss(X, Y) == loss
    # Negative control: the mean over all T positions instead of the taken ones differs.
    assert abs(loss - _scalar_loss(logits, [[0, 1, 2, 4], [3, 4, 0, 0]])) > 1e-3


def test_loss_is_pytorch_mean_over_positions_taken_across_the_batch():
    loss = pn.SequenceCrossEntropy()
    logits = [[0.0] * 2 * 2, [0.0, math.log(3.0)] * 2]  # T = 2, V = 2
    # Three positions taken: ln 2, ln 4/3 (target 1 of [0, ln 3]), ln 4.
    value = loss.value(logits, [[0, -100], [1, 0]])
    assert abs(value - (math.log(2) + math.log(4 / 3) + math.log(4)) / 3) <= SCALAR_TOL


@pytest.mark.parametrize("x, message", [
    ([[4, 0, 1, 2.5]], "X[0][3] is 2.5, not a token id"),
    ([[4, 0, 1, 5]], "X[0][3] is 5.0, not a token id (an integer in 0..4)"),
    ([[4, 0, 1, -1]], "not a token id"),
])
def test_hostile_ids_are_refused(x, message):
    net = every_layer_net()
    with pytest.raises(pn.DataError, match=re.escape(message)):
        net.gradients(x, [[0, 1, 2, 3]])


def test_a_sequence_longer_than_the_block_is_refused():
    net = every_layer_net()
    with pytest.raises(pn.ShapeError, match=f"takes {BLOCK} inputs per row"):
        net.predict([[4, 0, 1, 2, 3]])


@pytest.mark.parametrize("y, error, message", [
    ([[0, 1, 2, 5]], pn.DataError, r"Y\[0\]\[3\] is 5.0, not a token id in 0..4"),
    ([[0, 1, 2, -1]], pn.DataError, "nor -100"),
    ([[0, 1, 2, 0.5]], pn.DataError, "is 0.5"),
    ([[-100] * 4], pn.DataError, "no position takes a loss"),
    ([[0, 1, 2]], pn.ShapeError, "one row of T target ids"),
])
def test_hostile_targets_are_refused(y, error, message):
    net = every_layer_net()
    with pytest.raises(error, match=message):
        net.gradients([[4, 0, 1, 2]], y)


@pytest.mark.parametrize("make, message", [
    (lambda: pn.CausalSelfAttention(6, 4), "n_head 4 must divide dim 6"),
    (lambda: pn.Embedding(0, 4, block_size=2), "vocab_size must be an int ≥ 1"),
    (lambda: pn.RMSNorm(4, eps=0.0), "eps must be"),
    (lambda: pn.Residual([]), "non-empty list of layers"),
    (lambda: pn.Residual(["dense"]), "layers\\[0\\] is not a Layer"),
])
def test_hostile_configurations_are_refused(make, message):
    with pytest.raises(pn.ConfigurationError, match=message):
        make()


def test_shapes_that_do_not_fit_are_refused_when_the_network_is_made():
    with pytest.raises(pn.ConfigurationError, match=r"takes sequences of shape \(T, 8\)"):
        pn.Network([pn.Embedding(5, 4, block_size=3), pn.CausalSelfAttention(8, 2)])
    with pytest.raises(pn.ConfigurationError, match="x \\+ f\\(x\\) needs the same shape"):
        pn.Network([pn.Embedding(5, 4, block_size=3), pn.Residual([pn.SequenceDense(4, 2)])])
