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
from purenn.layers.base import Layer, Parameter
from purenn.layers.embedding import MICROGPT_STD, gaussian_rows
from purenn.layers.positionwise import check_sequence_shape, positions, sequences

if TYPE_CHECKING:
    import random
    from typing import Any

    from purenn.kernels import Matrix
    from purenn.layers.base import SampleShape

__all__ = ["CausalSelfAttention"]

_NAMES = ("query", "key", "value", "output")


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
        """None: it learns T from the layer below."""
        return None

    def build(self, input_shape: SampleShape) -> SampleShape:
        """(T, C) → (T, C)."""
        shape = check_sequence_shape(self, input_shape, self.dim)
        return self.record_shapes(shape, shape)

    def initialize(self, rng: random.Random) -> None:
        """Each W ← (N(0, init_std²) drawn as microgpt's C × C, rows = outputs)ᵀ, q, k, v, o."""
        for name in _NAMES:
            drawn = gaussian_rows(rng, self.dim, self.dim, self.init_std)
            self.weights[name].value = kernels.transpose(drawn)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """[("query", W_q), ("key", W_k), ("value", W_v), ("output", W_o)]."""
        return [(name, self.weights[name]) for name in _NAMES]

    def forward(self, x: Matrix) -> Matrix:
        """Y = O·W_o, O the causal heads; caches X, Q, K, V, every A_h[t] and O."""
        w = {name: parameter.value for name, parameter in self.weights.items()}
        flat = positions(x, self.dim)
        q, k, v = (kernels.matmul(flat, w[name]) for name in _NAMES[:3])
        steps = len(flat) // len(x)
        head = self.dim // self.n_head
        root = math.sqrt(head)
        attention: list[list[float]] = []
        out = []
        for index, q_row in enumerate(q):
            first = index - index % steps  # the sample's position 0
            o_row = []
            for lo in range(0, self.dim, head):
                hi = lo + head
                q_head = q_row[lo:hi]
                logits = [kernels.dot(q_head, k[s][lo:hi]) / root for s in range(first, index + 1)]
                weights = softmax(logits)
                attention.append(weights)
                for j in range(lo, hi):
                    o_row.append(sum(a * v[first + s][j] for s, a in enumerate(weights)))
            out.append(o_row)
        self.cache = (flat, q, k, v, attention, out, steps, len(x))
        return sequences(kernels.matmul(out, w["output"]), len(x))

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """The chain rule of the module docstring, from ∂L/∂Y back to ∂L/∂X."""
        if self.cache is None:
            raise StateError("CausalSelfAttention.backward: called before forward")
        flat, q, k, v, attention, out, steps, batch = self.cache
        w = {name: parameter.value for name, parameter in self.weights.items()}
        grad_y = positions(grad_output, self.dim)
        self.weights["output"].grad = kernels.matmul_tn(out, grad_y)
        grad_out = kernels.matmul_nt(grad_y, w["output"])
        grad_q, grad_k, grad_v = (kernels.zeros(len(flat), self.dim) for _ in range(3))
        head = self.dim // self.n_head
        root = math.sqrt(head)
        cell = 0
        for index, o_grad in enumerate(grad_out):
            first = index - index % steps
            for lo in range(0, self.dim, head):
                hi = lo + head
                weights = attention[cell]
                cell += 1
                self._head_backward(
                    index, first, lo, hi, weights, o_grad, (q, k, v), (grad_q, grad_k, grad_v),
                    root,
                )
        for name, grad in zip(_NAMES[:3], (grad_q, grad_k, grad_v)):
            self.weights[name].grad = kernels.matmul_tn(flat, grad)
        if not need_input_grad:
            return None
        grad_x = kernels.matmul_nt(grad_q, w["query"])
        for name, grad in (("key", grad_k), ("value", grad_v)):
            grad_x = kernels.add(grad_x, kernels.matmul_nt(grad, w[name]))
        return sequences(grad_x, batch)

    @staticmethod
    def _head_backward(
        index: int, first: int, lo: int, hi: int, weights: list[float], o_grad: list[float],
        qkv: tuple[Matrix, Matrix, Matrix], grads: tuple[Matrix, Matrix, Matrix], root: float,
    ) -> None:
        """Add one head's, one position's share to ∂L/∂Q, ∂L/∂K and ∂L/∂V (in place)."""
        q, k, v = qkv
        grad_q, grad_k, grad_v = grads
        o_head = o_grad[lo:hi]
        grad_a = [kernels.dot(o_head, v[first + s][lo:hi]) for s in range(len(weights))]
        total = sum(a * g for a, g in zip(weights, grad_a))
        q_row, q_grad = q[index], grad_q[index]
        for s, (a, g) in enumerate(zip(weights, grad_a)):
            source = first + s
            grad_logit = a * (g - total) / root
            k_row, k_grad, v_grad = k[source], grad_k[source], grad_v[source]
            for j, o in zip(range(lo, hi), o_head):
                v_grad[j] += a * o
                q_grad[j] += grad_logit * k_row[j]
                k_grad[j] += grad_logit * q_row[j]

    def config(self) -> dict[str, Any]:
        """{"dim", "n_head", "init_std"}."""
        return {"dim": self.dim, "n_head": self.n_head, "init_std": self.init_std}

    def __repr__(self) -> str:
        return f"CausalSelfAttention({self.dim}, n_head={self.n_head})"
