"""Sequences: a sample of T positions of C channels, and Dense applied to every position.

A batch of sequences travels as the image layers' batches do: one row per sample, here the T·C
numbers of a (T, C) sample, position-major (position t holds entries t·C … t·C + C − 1).  A layer
of sequences reads T from the row's width, so a batch may be shorter than the block size the
network was built for (all its rows of one length): causal layers give the first n positions the
same values whatever follows them, which is what lets a trainer drop trailing padding.

``positions`` and ``sequences`` turn a batch into one row per position and back; every layer that
works position by position (SequenceDense, RMSNorm, LayerNorm) uses them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.errors import ShapeError
from purenn.layers.base import Layer, check_declared, register_layer
from purenn.layers.dense import Dense
from purenn.matrix import format_shape

if TYPE_CHECKING:
    import random
    from typing import Any, Hashable

    from purenn.activations import Activation
    from purenn.initializers import Initializer
    from purenn.kernels import Matrix
    from purenn.layers.base import Parameter, SampleShape

__all__ = ["positions", "sequences", "check_sequence_shape", "SequenceDense"]


def positions(x: Matrix, width: int) -> Matrix:
    """B rows of T·C numbers → B·T rows of C = ``width`` numbers, sample by sample.

    >>> positions([[1, 2, 3, 4], [5, 6, 7, 8]], 2)
    [[1, 2], [3, 4], [5, 6], [7, 8]]
    """
    return [row[start:start + width] for row in x for start in range(0, len(row), width)]


def sequences(per_position: Matrix, count: int) -> Matrix:
    """The inverse of ``positions``: B·T rows of C → ``count`` = B rows of T·C.

    >>> sequences([[1, 2], [3, 4], [5, 6], [7, 8]], 2)
    [[1, 2, 3, 4], [5, 6, 7, 8]]
    """
    length = len(per_position) // count
    return [
        [value for row in per_position[b * length:(b + 1) * length] for value in row]
        for b in range(count)
    ]


def check_sequence_shape(layer: Layer, input_shape: SampleShape, channels: int) -> SampleShape:
    """``input_shape`` once it is a sequence (T, ``channels``); ShapeError naming the layer
    otherwise.  The check of ``build`` for layers of sequences."""
    shape = check_declared(layer, input_shape)
    if len(shape) != 2 or shape[1] != channels:
        raise ShapeError(
            f"{layer!r} takes sequences of shape (T, {channels}), not {format_shape(shape)} "
            "(put an Embedding first)"
        )
    return shape


@register_layer
class SequenceDense(Layer):
    """Dense applied to every position of a sequence: Z_t = X_t·W + b, A_t = f(Z_t), for each of
    the T positions, with one W (n_in × n_out) and b shared by all.

    (T, n_in) in, (T, n_out) out.  The gradients are Dense's summed over the positions (it runs
    one Dense on the B·T rows of ``positions``): ∂L/∂W = Σ_{b,t} X_btᵀ·δ_bt, ∂L/∂b = Σ_{b,t} δ_bt,
    ∂L/∂X_bt = δ_bt·Wᵀ, δ = ∂L/∂A ⊙ f′(Z).

    >>> import purenn as pn
    >>> layer = SequenceDense(2, 1, bias=False)
    >>> layer.dense.weights.value = [[1.0], [10.0]]
    >>> layer.forward([[1.0, 2.0, 3.0, 4.0]])  # two positions of two channels
    [[21.0, 43.0]]
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str | Activation = "identity",
        *,
        bias: bool = True,
        init: str | Initializer = "xavier_uniform",
    ) -> None:
        self.dense = Dense(n_in, n_out, activation, bias=bias, init=init)
        self.channels_in, self.channels_out = self.dense.n_in, self.dense.n_out

    def declared_input_shape(self) -> SampleShape | None:
        """None: it learns T from the layer below.

        >>> print(SequenceDense(16, 64).declared_input_shape())
        None
        """
        return None

    def build(self, input_shape: SampleShape) -> SampleShape:
        """(T, n_in) → (T, n_out).

        >>> SequenceDense(16, 64).build((8, 16))
        (8, 64)
        """
        steps, _ = check_sequence_shape(self, input_shape, self.channels_in)
        return self.record_shapes((steps, self.channels_in), (steps, self.channels_out))

    def initialize(self, rng: random.Random) -> None:
        """Dense's: W ← init(rng, n_in, n_out), b ← 0.

        >>> import random
        >>> layer = SequenceDense(2, 1, init="uniform")
        >>> layer.initialize(random.Random(0))
        >>> layer.dense.weights.value, layer.dense.bias.value
        ([[0.8444218515250481], [0.7579544029403025]], [[0.0]])
        """
        self.dense.initialize(rng)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """Dense's: [("weights", W), ("bias", b)].

        >>> [name for name, _ in SequenceDense(2, 3).named_parameters()]
        ['weights', 'bias']
        """
        return self.dense.named_parameters()

    def forward(self, x: Matrix) -> Matrix:
        """Dense's forward on every position.

        >>> layer = SequenceDense(1, 2, "relu", bias=False)
        >>> layer.dense.weights.value = [[1.0, -1.0]]
        >>> layer.forward([[2.0, -3.0]])  # (T, C) = (2, 1) in, (2, 2) out
        [[2.0, 0.0, 0.0, 3.0]]
        """
        return sequences(self.dense.forward(positions(x, self.channels_in)), len(x))

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """Dense's backward on every position (its parameter gradients sum over them).

        >>> layer = SequenceDense(2, 1, bias=False)
        >>> layer.dense.weights.value = [[1.0], [10.0]]
        >>> _ = layer.forward([[1.0, 2.0, 3.0, 4.0]])  # two positions
        >>> layer.backward([[1.0, 1.0]])  # δ_t·Wᵀ at each position
        [[1.0, 10.0, 1.0, 10.0]]
        >>> layer.dense.weights.grad  # Σ_t X_tᵀ·δ_t
        [[4.0], [6.0]]
        """
        result = self.dense.backward(positions(grad_output, self.channels_out), need_input_grad)
        return None if result is None else sequences(result, len(grad_output))

    def output_range(self) -> tuple[float, float]:
        """The activation's range.

        >>> SequenceDense(2, 1, "sigmoid").output_range(), SequenceDense(2, 1).output_range()
        ((0.0, 1.0), (-inf, inf))
        """
        return self.dense.output_range()

    def branch_signature(self) -> tuple[Hashable, ...]:
        """Dense's: the side of each kink of f each Z_bt took.

        >>> layer = SequenceDense(1, 1, "relu", bias=False)
        >>> layer.dense.weights.value = [[1.0]]
        >>> _ = layer.forward([[2.0, -3.0]])
        >>> layer.branch_signature()  # z = 2 > 0 at position 0, z = -3 < 0 at position 1
        (True, False)
        """
        return self.dense.branch_signature()

    def config(self) -> dict[str, Any]:
        """Dense's arguments.

        >>> config = SequenceDense(16, 64, "relu", bias=False).config()
        >>> config["n_in"], config["n_out"], config["activation"].name, config["bias"]
        (16, 64, 'relu', False)
        """
        return self.dense.config()

    def __repr__(self) -> str:
        return "Sequence" + repr(self.dense)

