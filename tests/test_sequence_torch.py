"""The sequence layers and loss against PyTorch float64: the same network written with torch's
operations (nn.functional.embedding, layer_norm, a masked softmax, cross_entropy with
ignore_index), the same weights; loss and every gradient within TORCH_TOL."""

import math

import pytest
from sequence_cases import X, Y, every_layer_net, perturb_gains
from torch_helpers import TORCH_TOL, torch

F = torch.nn.functional


def _tensor(matrix):
    return torch.tensor(matrix, dtype=torch.float64, requires_grad=True)


def _rms(x, gain, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * gain


def _attention(x, wq, wk, wv, wo, n_head, scaled=True):
    batch, steps, width = x.shape
    head = width // n_head

    def split(m):
        return (x @ m).view(batch, steps, n_head, head).transpose(1, 2)

    q, k, v = split(wq), split(wk), split(wv)
    scores = q @ k.transpose(-1, -2) / (math.sqrt(head) if scaled else 1.0)
    mask = torch.triu(torch.ones(steps, steps, dtype=torch.bool), diagonal=1)
    weights = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1)
    return (weights @ v).transpose(1, 2).reshape(batch, steps, width) @ wo


def torch_loss(net, scaled=True):
    """The loss of ``net`` on (X, Y) computed by torch, and the leaf tensors in the order of
    ``net.parameters()``."""
    leaves = [_tensor(p.value) for p in net.parameters()]
    (wte, wpe, gain, ln_w, ln_b, wq, wk, wv, wo, fc1, b1, fc2, b2, head) = leaves
    ids = torch.tensor(X)
    x = F.embedding(ids, wte) + wpe[: ids.shape[1]]
    x = _rms(x, gain[0], net.layers[2].eps)
    inner = F.layer_norm(x, (x.shape[-1],), ln_w[0], ln_b[0], net.layers[3].layers[0].eps)
    x = x + _attention(inner, wq, wk, wv, wo, net.layers[3].layers[1].n_head, scaled)
    inner = _rms(x, 1.0, net.layers[4].layers[0].eps)
    x = x + (torch.relu(inner @ fc1 + b1[0]) @ fc2 + b2[0])
    logits = x @ head
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.tensor(Y).reshape(-1),
                           ignore_index=-100)
    loss.backward()
    return loss, leaves


def _worst(ours, leaves):
    return max(abs(a - b) for grad, leaf in zip(ours, leaves)
               for row_a, row_b in zip(grad, leaf.grad.tolist()) for a, b in zip(row_a, row_b))


def test_loss_and_every_gradient_match_torch_float64():
    net = every_layer_net()
    perturb_gains(net)
    loss, gradients = net.gradients(X, Y)
    expected, leaves = torch_loss(net)
    assert abs(loss - expected.item()) <= TORCH_TOL
    assert _worst(gradients, leaves) <= TORCH_TOL


def test_negative_control_attention_without_its_scale_disagrees():
    net = every_layer_net()
    loss, gradients = net.gradients(X, Y)
    expected, leaves = torch_loss(net, scaled=False)
    assert abs(loss - expected.item()) > 1e-6 or _worst(gradients, leaves) > 1e-6


@pytest.mark.parametrize("padded", [True, False])
def test_ignore_index_matches_torch(padded):
    net = every_layer_net()
    targets = [[0, 1, -100, 4], [3, -100, -100, -100]] if padded else [[0, 1, 2, 4], [3, 4, 1, 0]]
    logits = net.predict(X)
    ours = net.loss_function.value(logits, targets)
    theirs = F.cross_entropy(torch.tensor(logits, dtype=torch.float64).reshape(-1, 5),
                             torch.tensor(targets).reshape(-1), ignore_index=-100)
    assert abs(ours - theirs.item()) <= TORCH_TOL
