"""Embeddings: token ids to vectors (Embedding), and a learned vector per position
(PositionEmbedding), the first two steps of a GPT.

A sample is one row of T token ids in (the network's input shape is (block_size,)); each layer
gives (T, C), a row of T·C numbers, position-major (``purenn.layers.positionwise``).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from purenn import kernels
from purenn.arguments import check_entries, check_int, check_real, shown
from purenn.errors import DataError, ShapeError, StateError
from purenn.layers.base import Layer, Parameter, register_layer
from purenn.layers.positionwise import check_sequence_shape

if TYPE_CHECKING:
    from typing import Any

    from purenn.kernels import Matrix
    from purenn.layers.base import SampleShape

__all__ = ["Embedding", "PositionEmbedding", "gaussian_rows"]

MICROGPT_STD = 0.08
"""The standard deviation microgpt draws every weight with (``random.gauss(0, 0.08)``)."""


def gaussian_rows(rng: random.Random, rows: int, columns: int, std: float) -> Matrix:
    """A rows × columns matrix of ``rng.gauss(0, std)`` drawn row by row, as microgpt draws its
    matrices (so the same generator gives microgpt's numbers).

    >>> gaussian_rows(random.Random(0), 1, 2, 1.0) == [[random.Random(0).gauss(0, 1.0),
    ...     (lambda r: (r.gauss(0, 1.0), r.gauss(0, 1.0))[1])(random.Random(0))]]
    True
    """
    return [[rng.gauss(0.0, std) for _ in range(columns)] for _ in range(rows)]


@register_layer
class Embedding(Layer):
    """Token embedding: Y_t = E[x_t], row x_t of the table E (vocab_size × embed_dim), for each of
    the T ids x_t of a sample (PyTorch's ``nn.Embedding``, microgpt's ``wte``).

    (T,) ids in, (T, C) out.  Gradient: ∂L/∂E[i] = Σ_{b,t: x_bt = i} ∂L/∂Y_bt (a row used twice
    adds both); the ids are not differentiable, so ∂L/∂X is zero.  A network checks its ids once
    (``check_input``): integers in 0 … vocab_size − 1.  E is drawn N(0, init_std²) row by row.

    >>> layer = Embedding(3, 2, block_size=4)
    >>> layer.weight.value = [[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]]
    >>> layer.forward([[2.0, 1.0]])  # a sequence of T = 2 ids
    [[3.0, 4.0, 1.0, 2.0]]
    """

    def __init__(
        self, vocab_size: int, embed_dim: int, block_size: int, *,
        init_std: float = MICROGPT_STD,
    ) -> None:
        self.vocab_size = check_int(vocab_size, "vocab_size", "Embedding", 1)
        self.embed_dim = check_int(embed_dim, "embed_dim", "Embedding", 1)
        self.block_size = check_int(block_size, "block_size", "Embedding", 1)
        self.init_std = check_real(init_std, "init_std", "Embedding", low=0.0)
        check_entries(self.vocab_size * self.embed_dim, "the table", "Embedding")
        self.weight = Parameter("weight", kernels.zeros(self.vocab_size, self.embed_dim))
        self.n_in, self.n_out = self.block_size, self.block_size * self.embed_dim
        self.ids: list[list[int]] | None = None

    def declared_input_shape(self) -> SampleShape | None:
        """(block_size,): a row of token ids.

        >>> Embedding(27, 16, block_size=8).declared_input_shape()
        (8,)
        """
        return (self.block_size,)

    def build(self, input_shape: SampleShape) -> SampleShape:
        """(block_size,) → (block_size, embed_dim).

        >>> Embedding(27, 16, block_size=8).build((8,))
        (8, 16)
        """
        super().build(input_shape)
        return self.record_shapes((self.block_size,), (self.block_size, self.embed_dim))

    def initialize(self, rng: random.Random) -> None:
        """E_ij ~ N(0, init_std²), drawn row by row.

        >>> layer = Embedding(27, 16, block_size=8)
        >>> layer.initialize(random.Random(0))
        >>> len(layer.weight.value), len(layer.weight.value[0])
        (27, 16)
        >>> layer.weight.value[0][0] == random.Random(0).gauss(0.0, 0.08)  # microgpt's first draw
        True
        """
        self.weight.value = gaussian_rows(rng, self.vocab_size, self.embed_dim, self.init_std)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """[("weight", E)].

        >>> [(name, p.value) for name, p in Embedding(2, 1, block_size=1).named_parameters()]
        [('weight', [[0.0], [0.0]])]
        """
        return [("weight", self.weight)]

    def check_input(self, x: Matrix, where: str) -> None:
        """DataError naming ``where`` unless every entry of X is a token id: an integer in
        0 … vocab_size − 1.

        >>> Embedding(3, 2, block_size=2).check_input([[0.0, 2.5]], "fit")
        Traceback (most recent call last):
        ...
        purenn.errors.DataError: fit: X[0][1] is 2.5, not a token id (an integer in 0..2)
        """
        for i, row in enumerate(x):
            for t, value in enumerate(row):
                if not (value == int(value) and 0 <= value < self.vocab_size):
                    raise DataError(
                        f"{where}: X[{i}][{t}] is {shown(value)}, not a token id "
                        f"(an integer in 0..{self.vocab_size - 1})"
                    )

    def forward(self, x: Matrix) -> Matrix:
        """Y_bt = E[x_bt]; caches the ids.

        >>> layer = Embedding(3, 1, block_size=3)
        >>> layer.weight.value = [[0.5], [1.5], [2.5]]
        >>> layer.forward([[2.0, 0.0, 2.0], [1.0, 1.0, 0.0]])  # row x_bt of E for each id
        [[2.5, 0.5, 2.5], [1.5, 1.5, 0.5]]
        """
        table = self.weight.value
        self.ids = [[int(value.real) for value in row] for row in x]
        return [[value for token in row for value in table[token]] for row in self.ids]

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """∂L/∂E[i] = Σ_{b,t: x_bt = i} ∂L/∂Y_bt; ∂L/∂X = 0.

        >>> layer = Embedding(3, 1, block_size=3)
        >>> _ = layer.forward([[2.0, 0.0, 2.0]])
        >>> layer.backward([[1.0, 10.0, 100.0]])  # the ids are not differentiable
        [[0.0, 0.0, 0.0]]
        >>> layer.weight.grad  # row 2 used twice: 1 + 100
        [[10.0], [0.0], [101.0]]
        """
        if self.ids is None:
            raise StateError("Embedding.backward: called before forward (nothing cached)")
        width = self.embed_dim
        grad = kernels.zeros(self.vocab_size, width)
        for ids, grad_row in zip(self.ids, grad_output):
            for t, token in enumerate(ids):
                target, start = grad[token], t * width
                for j in range(width):
                    target[j] += grad_row[start + j]
        self.weight.grad = grad
        if not need_input_grad:
            return None
        return [[0.0] * len(ids) for ids in self.ids]

    def config(self) -> dict[str, Any]:
        """{"vocab_size", "embed_dim", "block_size", "init_std"}.

        >>> Embedding(27, 16, block_size=8).config()
        {'vocab_size': 27, 'embed_dim': 16, 'block_size': 8, 'init_std': 0.08}
        """
        return {"vocab_size": self.vocab_size, "embed_dim": self.embed_dim,
                "block_size": self.block_size, "init_std": self.init_std}

    def __repr__(self) -> str:
        return f"Embedding({self.vocab_size}, {self.embed_dim}, block_size={self.block_size})"


@register_layer
class PositionEmbedding(Layer):
    """A learned vector per position added to the input: Y_t = X_t + P[t], P block_size ×
    embed_dim (GPT's position embedding, microgpt's ``wpe``).

    (T, C) in and out, T ≤ block_size.  Gradients: ∂L/∂P[t] = Σ_b ∂L/∂Y_bt (zero for positions
    the batch does not reach); ∂L/∂X = ∂L/∂Y.  P is drawn N(0, init_std²) row by row.

    >>> layer = PositionEmbedding(3, 2)
    >>> layer.weight.value = [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]
    >>> layer.forward([[0.5, 0.5, 0.0, 0.0]])  # two positions
    [[1.5, 1.5, 2.0, 2.0]]
    """

    def __init__(
        self, block_size: int, embed_dim: int, *, init_std: float = MICROGPT_STD
    ) -> None:
        self.block_size = check_int(block_size, "block_size", "PositionEmbedding", 1)
        self.embed_dim = check_int(embed_dim, "embed_dim", "PositionEmbedding", 1)
        self.init_std = check_real(init_std, "init_std", "PositionEmbedding", low=0.0)
        check_entries(self.block_size * self.embed_dim, "the table", "PositionEmbedding")
        self.weight = Parameter("weight", kernels.zeros(self.block_size, self.embed_dim))
        self.batch: int | None = None

    def declared_input_shape(self) -> SampleShape | None:
        """None: it learns its input shape from the layer below.

        >>> print(PositionEmbedding(8, 16).declared_input_shape())
        None
        """
        return None

    def build(self, input_shape: SampleShape) -> SampleShape:
        """(block_size, C) → (block_size, C).

        >>> PositionEmbedding(8, 16).build((8, 16)), PositionEmbedding(8, 16).build((5, 16))
        ((8, 16), (5, 16))
        """
        shape = check_sequence_shape(self, input_shape, self.embed_dim)
        if shape[0] > self.block_size:
            raise ShapeError(f"{self!r} has {self.block_size} positions, not {shape[0]}")
        return self.record_shapes(shape, shape)

    def initialize(self, rng: random.Random) -> None:
        """P_tj ~ N(0, init_std²), drawn row by row.

        >>> layer = PositionEmbedding(8, 16)
        >>> layer.initialize(random.Random(0))
        >>> len(layer.weight.value), len(layer.weight.value[0])
        (8, 16)
        >>> layer.weight.value[0][0] == random.Random(0).gauss(0.0, 0.08)  # microgpt's first draw
        True
        """
        self.weight.value = gaussian_rows(rng, self.block_size, self.embed_dim, self.init_std)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """[("weight", P)].

        >>> [(name, p.value) for name, p in PositionEmbedding(2, 1).named_parameters()]
        [('weight', [[0.0], [0.0]])]
        """
        return [("weight", self.weight)]

    def forward(self, x: Matrix) -> Matrix:
        """Y_bt = X_bt + P[t].

        >>> layer = PositionEmbedding(2, 1)
        >>> layer.weight.value = [[10.0], [20.0]]
        >>> layer.forward([[1.0, 2.0], [3.0, 4.0]])  # P[0] and P[1] added to every sample
        [[11.0, 22.0], [13.0, 24.0]]
        """
        flat = [value for row in self.weight.value for value in row]
        self.batch = len(x)
        return [[a + b for a, b in zip(row, flat)] for row in x]

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """∂L/∂P[t] = Σ_b ∂L/∂Y_bt; returns ∂L/∂X = ∂L/∂Y.

        >>> layer = PositionEmbedding(3, 1)
        >>> _ = layer.forward([[1.0, 2.0], [3.0, 4.0]])  # T = 2 of 3 positions
        >>> layer.backward([[1.0, 2.0], [3.0, 4.0]])
        [[1.0, 2.0], [3.0, 4.0]]
        >>> layer.weight.grad  # summed over the batch; position 2 not reached
        [[4.0], [6.0], [0.0]]
        """
        if self.batch is None:
            raise StateError("PositionEmbedding.backward: called before forward")
        width = self.embed_dim
        sums = [sum(column) for column in zip(*grad_output)]
        sums += [0.0] * (self.block_size * width - len(sums))
        self.weight.grad = [sums[t * width:(t + 1) * width] for t in range(self.block_size)]
        return grad_output if need_input_grad else None

    def config(self) -> dict[str, Any]:
        """{"block_size", "embed_dim", "init_std"}.

        >>> PositionEmbedding(8, 16).config()
        {'block_size': 8, 'embed_dim': 16, 'init_std': 0.08}
        """
        return {"block_size": self.block_size, "embed_dim": self.embed_dim,
                "init_std": self.init_std}

    def __repr__(self) -> str:
        return f"PositionEmbedding({self.block_size}, {self.embed_dim})"
