"""microgpt's GPT as a purenn Network, built from its sizes or from microgpt's own parameters.

The architecture (Karpathy's microgpt, 2026; GPT-2 with RMSNorm for LayerNorm, ReLU for GeLU,
no biases, no final norm)::

    x = RMSNorm(wte[token] + wpe[position])
    n_layer times:  x = x + Attention(RMSNorm(x));  x = x + W₂·ReLU(W₁·RMSNorm(x))
    logits = lm_head · x

microgpt keeps each matrix as a list of rows, one row per output (``linear(x, w)`` computes
w·x); purenn's per-position layers compute x·W with one row per input, so ``from_microgpt`` and
``to_microgpt`` transpose every matrix but the two embedding tables.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from purenn.arguments import check_int, shown
from purenn.errors import ConfigurationError, ShapeError
from purenn.initializers import Normal
from purenn.layers import (
    CausalSelfAttention,
    Embedding,
    Layer,
    PositionEmbedding,
    Residual,
    RMSNorm,
    SequenceDense,
)
from purenn.layers.embedding import MICROGPT_STD, gaussian_rows
from purenn.matrix import as_float_matrix, format_shape
from purenn.network import Network

if TYPE_CHECKING:
    from typing import Any, Mapping, Sequence

    from purenn.kernels import Matrix

__all__ = ["gpt", "microgpt_state_dict", "from_microgpt", "to_microgpt", "microgpt_names"]

RMS_EPS = 1e-5
"""microgpt's RMSNorm ε."""

_BLOCK_KEYS = ("attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2")


def _block(n_embd: int, n_head: int, std: float) -> list[Layer]:
    """One transformer block: the attention and the MLP, each pre-norm inside a residual."""
    init = Normal(0.0, std)
    return [
        Residual([RMSNorm(n_embd, RMS_EPS), CausalSelfAttention(n_embd, n_head, init_std=std)]),
        Residual([
            RMSNorm(n_embd, RMS_EPS),
            SequenceDense(n_embd, 4 * n_embd, "relu", bias=False, init=init),
            SequenceDense(4 * n_embd, n_embd, bias=False, init=init),
        ]),
    ]


def gpt(
    vocab_size: int, block_size: int = 16, n_embd: int = 16, n_head: int = 4, n_layer: int = 1,
    *, seed: int | None = None, init_std: float = MICROGPT_STD,
) -> Network:
    """microgpt's architecture from its sizes (microgpt's defaults: 16, 16, 4 heads, 1 layer),
    its weights drawn N(0, init_std²) from the network's generator (layer by layer, not in
    microgpt's order: ``from_microgpt(microgpt_state_dict(...))`` draws that).

    >>> net = gpt(27, seed=0)
    >>> sum(p.shape[0] * p.shape[1] for p in net.parameters())  # microgpt's "num params"
    4192
    """
    where = "gpt"
    for label, value in (("vocab_size", vocab_size), ("block_size", block_size),
                         ("n_embd", n_embd), ("n_head", n_head), ("n_layer", n_layer)):
        check_int(value, label, where, 1)
    layers: list[Layer] = [
        Embedding(vocab_size, n_embd, block_size, init_std=init_std),
        PositionEmbedding(block_size, n_embd, init_std=init_std),
        RMSNorm(n_embd, RMS_EPS),
    ]
    for _ in range(n_layer):
        layers += _block(n_embd, n_head, init_std)
    layers.append(SequenceDense(n_embd, vocab_size, bias=False, init=Normal(0.0, init_std)))
    return Network(layers, loss="sequence_cross_entropy", seed=seed)


def microgpt_names(n_layer: int) -> list[str]:
    """microgpt's state_dict keys in its order: wte, wpe, lm_head, then layer{i}.attn_wq …
    layer{i}.mlp_fc2 for each layer.

    >>> microgpt_names(1)[:4]
    ['wte', 'wpe', 'lm_head', 'layer0.attn_wq']
    """
    return ["wte", "wpe", "lm_head"] + [
        f"layer{i}.{key}" for i in range(n_layer) for key in _BLOCK_KEYS
    ]


def microgpt_state_dict(
    rng: random.Random, vocab_size: int, block_size: int = 16, n_embd: int = 16,
    n_layer: int = 1, std: float = MICROGPT_STD,
) -> dict[str, Matrix]:
    """microgpt's initial parameters, drawn as microgpt draws them: ``rng.gauss(0, std)`` for
    each matrix in ``microgpt_names`` order, row by row, each row one output.  With
    ``random.Random(42)`` that has shuffled the documents, these are microgpt's own numbers.

    >>> state = microgpt_state_dict(random.Random(0), 27)
    >>> len(state["wte"]), len(state["wte"][0]), len(state["layer0.mlp_fc1"])
    (27, 16, 64)
    """
    shapes = {"wte": (vocab_size, n_embd), "wpe": (block_size, n_embd),
              "lm_head": (vocab_size, n_embd)}
    for i in range(n_layer):
        for key in _BLOCK_KEYS:
            rows = 4 * n_embd if key == "mlp_fc1" else n_embd
            shapes[f"layer{i}.{key}"] = (rows, 4 * n_embd if key == "mlp_fc2" else n_embd)
    return {
        name: gaussian_rows(rng, rows, columns, std) for name, (rows, columns) in shapes.items()
    }


def _transposed(matrix: Matrix) -> Matrix:
    return [list(column) for column in zip(*matrix)]


def _n_layer(state: Mapping[str, Any]) -> int:
    """The number of blocks the keys name; ShapeError when a key is missing or unknown."""
    if not (hasattr(state, "keys") and hasattr(state, "__getitem__")):
        raise ConfigurationError(f"from_microgpt: state_dict must be a dict, got {shown(state)}")
    n_layer = sum(1 for key in state if str(key).endswith(".attn_wq"))
    expected, given = microgpt_names(n_layer), list(state)
    if sorted(map(str, given)) != sorted(expected):
        missing = [key for key in expected if key not in state]
        unknown = [shown(key, 30) for key in given if key not in expected]
        raise ShapeError(
            f"from_microgpt: state_dict keys missing {', '.join(missing) or 'none'}; "
            f"unknown {', '.join(unknown) or 'none'}"
        )
    return n_layer


def from_microgpt(state_dict: Mapping[str, Any], n_head: int) -> Network:
    """A Network computing microgpt's model with microgpt's parameters ``state_dict`` (key →
    list of rows of floats, rows being outputs: wte V × C, wpe block × C, lm_head V × C,
    attn_w* C × C, mlp_fc1 4C × C, mlp_fc2 C × 4C); the sizes are read from the shapes.

    ``net.gradients(X, Y)`` on one name then gives microgpt's loss and, through
    ``to_microgpt(net, gradients)``, its gradients.

    >>> state = microgpt_state_dict(random.Random(0), 27)
    >>> to_microgpt(from_microgpt(state, n_head=4)) == state
    True
    """
    n_layer = _n_layer(state_dict)
    matrices = {key: as_float_matrix(state_dict[key], "from_microgpt", key)
                for key in microgpt_names(n_layer)}
    vocab_size, n_embd = len(matrices["wte"]), len(matrices["wte"][0])
    block_size = len(matrices["wpe"])
    net = gpt(vocab_size, block_size, n_embd, check_int(n_head, "n_head", "from_microgpt", 1),
              n_layer, seed=0)
    for parameter, name in zip(net.parameters(), _order(n_layer)):
        value = matrices[name] if name in ("wte", "wpe") else _transposed(matrices[name])
        if (len(value), len(value[0])) != parameter.shape:
            given = (len(matrices[name]), len(matrices[name][0]))
            raise ShapeError(
                f"from_microgpt: {name} is {format_shape(given)}, "
                f"which does not fit wte {format_shape((vocab_size, n_embd))} and wpe "
                f"{format_shape((block_size, n_embd))}"
            )
        parameter.value = value
    return net


def _order(n_layer: int) -> list[str]:
    """microgpt's names in the order of the network's ``parameters()``."""
    return ["wte", "wpe"] + [
        f"layer{i}.{key}" for i in range(n_layer) for key in _BLOCK_KEYS
    ] + ["lm_head"]


def to_microgpt(net: Network, values: Sequence[Matrix] | None = None) -> dict[str, Matrix]:
    """The parameters of a network made by ``gpt`` or ``from_microgpt`` (or ``values``, one
    matrix per parameter in ``parameters()`` order, such as the gradients of
    ``net.gradients``) as microgpt's state_dict: its keys, its order, rows being outputs.

    >>> net = gpt(5, block_size=4, n_embd=4, n_head=2, seed=0)
    >>> list(to_microgpt(net))[:3], len(to_microgpt(net)["lm_head"])
    (['wte', 'wpe', 'lm_head'], 5)
    """
    matrices = [p.value for p in net.parameters()] if values is None else list(values)
    n_layer = (len(matrices) - 3) // len(_BLOCK_KEYS)
    by_name = dict(zip(_order(n_layer), matrices))
    return {
        name: [row[:] for row in by_name[name]] if name in ("wte", "wpe")
        else _transposed(by_name[name])
        for name in microgpt_names(n_layer)
    }
