"""Causal multi-head self-attention (Vaswani et al. 2017; GPT's masked attention).

For a sample X (T × C) and H heads of d = C/H channels each:

    Q = X·W_q,  K = X·W_k,  V = X·W_v                      (T × C each; W are C × C)
    S_h[t, s] = Q_h[t]·K_h[s] / √d      for s ≤ t          (the causal mask: s > t is never formed)
    A_h[t] = softmax(S_h[t, 0..t])
    O_h[t] = Σ_{s ≤ t} A_h[t, s] V_h[s]                    (O = the heads side by side, T × C)
    Y = O·W_o

so position t sees only positions 0 … t, and what follows it (padding included) cannot change it.
Gradients, given ∂L/∂Y:

    ∂L/∂W_o = Oᵀ·∂L/∂Y,  ∂L/∂O = ∂L/∂Y·W_oᵀ
    ∂L/∂A_h[t, s] = ∂L/∂O_h[t]·V_h[s],  ∂L/∂V_h[s] = Σ_{t ≥ s} A_h[t, s] ∂L/∂O_h[t]
    ∂L/∂S_h[t, s] = A_h[t, s](∂L/∂A_h[t, s] − Σ_r A_h[t, r] ∂L/∂A_h[t, r])   (softmax)
    ∂L/∂Q_h[t] = Σ_s ∂L/∂S_h[t, s] K_h[s] / √d,  ∂L/∂K_h[s] = Σ_t ∂L/∂S_h[t, s] Q_h[t] / √d
    ∂L/∂W_q = Xᵀ·∂L/∂Q (and K, V alike),  ∂L/∂X = ∂L/∂Q·W_qᵀ + ∂L/∂K·W_kᵀ + ∂L/∂V·W_vᵀ
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn import kernels
from purenn.activations import softmax
from purenn.arguments import check_entries, check_int, check_real
from purenn.errors import ConfigurationError, StateError
from purenn.layers.base import Layer, Parameter, register_layer
from purenn.layers.embedding import MICROGPT_STD, gaussian_rows
from purenn.layers.positionwise import check_sequence_shape, positions, sequences

if TYPE_CHECKING:
    import random
    from typing import Any

    from purenn.kernels import Matrix
    from purenn.layers.base import SampleShape

__all__ = ["CausalSelfAttention"]

_NAMES = ("query", "key", "value", "output")


@register_layer
class CausalSelfAttention(Layer):
    """Causal multi-head self-attention without biases (microgpt's): the formulas are in the
    module docstring.  (T, C) in and out; ``n_head`` must divide C.

    The weights are C × C in purenn's orientation (X·W, as Dense: one row per input channel),
    the transpose of microgpt's and PyTorch's (rows = outputs).  ``initialize`` draws each
    N(0, init_std²), microgpt's rows (outputs) first, and stores the transpose.

    >>> layer = CausalSelfAttention(2, n_head=1)
    >>> for parameter in layer.named_parameters():
    ...     parameter[1].value = [[1.0, 0.0], [0.0, 1.0]]
    >>> layer.forward([[1.0, 2.0, 3.0, 4.0]])[0][:2]  # position 0 sees only itself
    [1.0, 2.0]
    """

    def __init__(self, dim: int, n_head: int, *, init_std: float = MICROGPT_STD) -> None:
        self.dim = check_int(dim, "dim", "CausalSelfAttention", 1)
        self.n_head = check_int(n_head, "n_head", "CausalSelfAttention", 1)
        if self.dim % self.n_head:
            raise ConfigurationError(
                f"CausalSelfAttention: n_head {self.n_head} must divide dim {self.dim}"
            )
        self.init_std = check_real(init_std, "init_std", "CausalSelfAttention", low=0.0)
        check_entries(self.dim * self.dim, "each weight matrix", "CausalSelfAttention")
        self.weights = {name: Parameter(name, kernels.zeros(self.dim, self.dim)) for name in _NAMES}
        self.cache: tuple[Any, ...] | None = None

    def declared_input_shape(self) -> SampleShape | None:
        """None: it learns T from the layer below.

        >>> print(CausalSelfAttention(16, n_head=4).declared_input_shape())
        None
        """
        return None

    def build(self, input_shape: SampleShape) -> SampleShape:
        """(T, C) → (T, C).

        >>> CausalSelfAttention(16, n_head=4).build((8, 16))
        (8, 16)
        """
        shape = check_sequence_shape(self, input_shape, self.dim)
        return self.record_shapes(shape, shape)

    def initialize(self, rng: random.Random) -> None:
        """Each W ← (N(0, init_std²) drawn as microgpt's C × C, rows = outputs)ᵀ, q, k, v, o.

        >>> import random
        >>> layer = CausalSelfAttention(2, n_head=1)
        >>> layer.initialize(random.Random(0))
        >>> drawn = gaussian_rows(random.Random(0), 2, 2, 0.08)  # W_q as microgpt draws it
        >>> layer.weights["query"].value == [[drawn[0][0], drawn[1][0]], [drawn[0][1], drawn[1][1]]]
        True
        """
        for name in _NAMES:
            drawn = gaussian_rows(rng, self.dim, self.dim, self.init_std)
            self.weights[name].value = kernels.transpose(drawn)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """[("query", W_q), ("key", W_k), ("value", W_v), ("output", W_o)].

        >>> [name for name, _ in CausalSelfAttention(4, n_head=2).named_parameters()]
        ['query', 'key', 'value', 'output']
        """
        return [(name, self.weights[name]) for name in _NAMES]

    def forward(self, x: Matrix) -> Matrix:
        """Y = O·W_o, O the causal heads; caches X, Q, K, V, every A_h and O.

        >>> layer = CausalSelfAttention(2, n_head=1)
        >>> layer.weights["value"].value = [[1.0, 0.0], [0.0, 1.0]]
        >>> layer.weights["output"].value = [[1.0, 0.0], [0.0, 1.0]]
        >>> layer.forward([[2.0, 0.0, 4.0, 2.0]])  # W_q = W_k = 0: mean of V up to t
        [[2.0, 0.0, 3.0, 1.0]]

        Each head of each sample is a few matrix products: S_h = Q_h·K_hᵀ/√d in full, then
        the softmax of each row t over s ≤ t only; A_h is stored lower-triangular (exact zeros
        above the diagonal), so O_h = A_h·V_h adds only +0.0 for the masked entries and gives
        the bits of the causal sum."""
        w = [parameter.value for parameter in self.weights.values()]
        flat = positions(x, self.dim)
        q, k, v = (kernels.matmul(flat, w[index]) for index in range(3))
        steps = len(flat) // len(x)
        root = self._root
        out: Matrix = []
        attention = []
        for first in range(0, len(flat), steps):
            heads = []
            for lo, hi in self._heads():
                q_head, k_head, v_head = (_columns(m, first, steps, lo, hi) for m in (q, k, v))
                scores = kernels.matmul_nt(q_head, k_head)
                weights = [
                    softmax([value / root for value in row[:t + 1]]) + [0.0] * (steps - t - 1)
                    for t, row in enumerate(scores)
                ]
                attention.append(weights)
                heads.append(kernels.matmul(weights, v_head))
            out += [[value for head in heads for value in head[t]] for t in range(steps)]
        self.cache = (flat, q, k, v, attention, out, steps, len(x))
        return sequences(kernels.matmul(out, w[3]), len(x))

    @property
    def _root(self) -> float:
        """√d, d = C / H the channels of a head."""
        return math.sqrt(self.dim // self.n_head)

    def _heads(self) -> list[tuple[int, int]]:
        """(first, last + 1) channel of each head."""
        head = self.dim // self.n_head
        return [(lo, lo + head) for lo in range(0, self.dim, head)]

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """The chain rule of the module docstring, from ∂L/∂Y back to ∂L/∂X.

        >>> layer = CausalSelfAttention(2, n_head=1)
        >>> layer.weights["value"].value = [[1.0, 0.0], [0.0, 1.0]]
        >>> layer.weights["output"].value = [[1.0, 0.0], [0.0, 1.0]]
        >>> _ = layer.forward([[2.0, 0.0, 4.0, 2.0]])  # O = [[2, 0], [3, 1]]
        >>> layer.backward([[0.0, 0.0, 1.0, 1.0]])  # position 1 averaged positions 0 and 1
        [[0.5, 0.5, 0.5, 0.5]]
        >>> layer.backward([[1.0, 1.0, 0.0, 0.0]])  # position 0 saw only itself
        [[1.0, 1.0, 0.0, 0.0]]
        >>> layer.weights["output"].grad  # Oᵀ·∂L/∂Y
        [[2.0, 2.0], [0.0, 0.0]]
        """
        if self.cache is None:
            raise StateError("CausalSelfAttention.backward: called before forward")
        flat, q, k, v, attention, out, steps, batch = self.cache
        w = {name: parameter.value for name, parameter in self.weights.items()}
        grad_y = positions(grad_output, self.dim)
        self.weights["output"].grad = kernels.matmul_tn(out, grad_y)
        grad_out = kernels.matmul_nt(grad_y, w["output"])
        grads: list[Matrix] = [[], [], []]  # ∂L/∂Q, ∂L/∂K, ∂L/∂V, built sample by sample
        root = self._root
        cell = 0
        for first in range(0, len(flat), steps):
            parts: list[list[Matrix]] = [[], [], []]
            for lo, hi in self._heads():
                weights = attention[cell]
                cell += 1
                q_head, k_head, v_head, o_grad = (
                    _columns(m, first, steps, lo, hi) for m in (q, k, v, grad_out))
                grad_a = kernels.matmul_nt(o_grad, v_head)
                grad_s = [
                    [a * (g - total) / root for a, g in zip(a_row, g_row)]
                    for a_row, g_row in zip(weights, grad_a)
                    for total in (sum(a * g for a, g in zip(a_row, g_row)),)
                ]
                parts[0].append(kernels.matmul(grad_s, k_head))
                parts[1].append(kernels.matmul_tn(grad_s, q_head))
                parts[2].append(kernels.matmul_tn(weights, o_grad))
            for index in range(3):
                grads[index] += [[value for head in parts[index] for value in head[t]]
                                 for t in range(steps)]
        for name, grad in zip(_NAMES[:3], grads):
            self.weights[name].grad = kernels.matmul_tn(flat, grad)
        if not need_input_grad:
            return None
        grad_x = kernels.matmul_nt(grads[0], w["query"])
        for name, grad in (("key", grads[1]), ("value", grads[2])):
            grad_x = kernels.add(grad_x, kernels.matmul_nt(grad, w[name]))
        return sequences(grad_x, batch)

    def config(self) -> dict[str, Any]:
        """{"dim", "n_head", "init_std"}.

        >>> CausalSelfAttention(16, n_head=4).config()
        {'dim': 16, 'n_head': 4, 'init_std': 0.08}
        """
        return {"dim": self.dim, "n_head": self.n_head, "init_std": self.init_std}

    def __repr__(self) -> str:
        return f"CausalSelfAttention({self.dim}, n_head={self.n_head})"


def _columns(matrix: Matrix, first: int, steps: int, lo: int, hi: int) -> Matrix:
    """Rows first … first + steps − 1 of ``matrix``, columns lo … hi − 1: one head of one
    sample."""
    return [row[lo:hi] for row in matrix[first:first + steps]]
