"""Dropout: during training, each value is zeroed with probability p and the survivors scaled up.

Inverted dropout, as PyTorch's ``nn.Dropout``.  In training mode, for a batch X and the rate p
(0 ≤ p < 1), every entry draws u = rng.random() and

    M = [u ≥ p] / (1 − p)          (0 for a dropped entry, 1/(1 − p) for a kept one)
    Y = X ⊙ M                      ∂L/∂X = ∂L/∂Y ⊙ M

so each entry is kept with probability 1 − p and E[Y] = X: the scaling happens while training,
and in evaluation mode the layer is the identity, Y = X and ∂L/∂X = ∂L/∂Y.

The draws come from the network's own ``random.Random(seed)`` (the layer is handed it by
``initialize``) through ``random()`` alone, one draw per entry of the batch, row after row, so
a seed fixes every mask on every interpreter.  A training run draws, in order: the initial
weights, then each epoch the shuffle, then for each batch the masks of the Dropout layers from
the first layer up.

The mask multiplies the values (never compares them), so the forward pass is complex-safe; the
gradient checker makes a mask the same in every evaluation by restoring the generator (see
``purenn.gradient_checking.checker``).  Entries are dropped one by one, also in images (PyTorch's
``F.dropout``, not ``Dropout2d``, which drops whole channels).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from purenn import kernels
from purenn.arguments import check_real
from purenn.errors import StateError
from purenn.layers.base import Layer, check_declared, register_layer, sample_shape

if TYPE_CHECKING:
    from typing import Any

    from purenn.kernels import Matrix
    from purenn.layers.base import SampleShape

__all__ = ["Dropout", "dropout_mask"]


def dropout_mask(rng: random.Random, rows: int, columns: int, rate: float) -> Matrix:
    """M, rows × columns: M_ij = 1/(1 − rate) if u ≥ rate else 0, u = rng.random() drawn row
    after row.  Kept with probability 1 − rate; 0 ≤ rate < 1 is the caller's promise.

    >>> dropout_mask(random.Random(0), 2, 3, 0.5)      # u = 0.84, 0.76, 0.42, 0.26, 0.51, 0.40
    [[2.0, 2.0, 0.0], [0.0, 2.0, 0.0]]
    """
    draw = rng.random
    keep = 1.0 / (1.0 - rate)
    return [[keep if draw() >= rate else 0.0 for _ in range(columns)] for _ in range(rows)]


@register_layer
class Dropout(Layer):
    """Inverted dropout of ``rate`` p ∈ [0, 1): training mode Y = X ⊙ M with M the scaled random
    mask of ``dropout_mask``; evaluation mode Y = X.  Takes samples of any shape and gives the
    same shape; ``input_shape`` tells a first layer its input shape.  No parameters.  A forward
    pass caches (M,) for backward, (None,) in evaluation mode; ``mask`` is that M.

    >>> layer = Dropout(0.5)
    >>> layer.initialize(random.Random(0))    # a Network hands it its own generator
    >>> layer.forward([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    [[2.0, 4.0, 0.0], [0.0, 10.0, 0.0]]
    >>> layer.backward([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
    [[2.0, 2.0, 0.0], [0.0, 2.0, 0.0]]
    >>> layer.training = False                # what Network.eval() does
    >>> layer.forward([[1.0, 2.0, 3.0]])
    [[1.0, 2.0, 3.0]]
    """

    def __init__(self, rate: float = 0.5, *, input_shape: SampleShape | None = None) -> None:
        self.rate = check_real(rate, "rate", "Dropout", low=0.0, high=1.0)
        self.declared = None if input_shape is None else sample_shape(input_shape, "Dropout")
        self.rng: random.Random | None = None
        self.cache: tuple[Matrix | None] | None = None
        if self.declared is not None:
            self.build(self.declared)

    @property
    def mask(self) -> Matrix | None:
        """M of the last forward pass: None after an evaluation-mode one (or before any).

        >>> import random
        >>> layer = Dropout(0.5)
        >>> layer.initialize(random.Random(0))
        >>> layer.mask is None, layer.forward([[1.0, 1.0]]), layer.mask
        (True, [[2.0, 2.0]], [[2.0, 2.0]])
        """
        return None if self.cache is None else self.cache[0]

    def declared_input_shape(self) -> SampleShape | None:
        """The ``input_shape`` the layer was given, or None.

        >>> Dropout().declared_input_shape(), Dropout(input_shape=(4,)).declared_input_shape()
        (None, (4,))
        """
        return self.declared

    def build(self, input_shape: SampleShape) -> SampleShape:
        """The input shape itself: dropout changes values, not shapes.

        >>> Dropout(0.2).build((8, 4, 4))
        (8, 4, 4)
        """
        shape = check_declared(self, input_shape)
        return self.record_shapes(shape, shape)

    def initialize(self, rng: random.Random) -> None:
        """Keep ``rng``, the network's generator, to draw the masks from.

        >>> import random
        >>> layer = Dropout(0.5)
        >>> layer.initialize(random.Random(0))
        >>> layer.rng.random()                                    # the generator it was given
        0.8444218515250481
        """
        self.rng = rng

    def config(self) -> dict[str, Any]:
        """{"rate", "input_shape"}.

        >>> Dropout(0.25).config()
        {'rate': 0.25, 'input_shape': None}
        """
        return {"rate": self.rate, "input_shape": self.declared}

    def forward(self, x: Matrix) -> Matrix:
        """Training: Y = X ⊙ M, a new mask M drawn for the batch (cached for backward);
        evaluation: Y = X.  StateError in training mode before the layer has a generator.

        >>> import random
        >>> layer = Dropout(0.5)
        >>> layer.initialize(random.Random(0))        # draws u = 0.84, 0.76, 0.42, 0.26
        >>> layer.forward([[1.0, 1.0, 1.0, 1.0]])     # kept where u ≥ 0.5, scaled by 1/(1 − 0.5)
        [[2.0, 2.0, 0.0, 0.0]]
        """
        if not self.training:
            self.cache = (None,)
            return x
        if self.rng is None:
            raise StateError(
                f"{self!r}: has no random generator to draw its mask from: put it in a Network "
                "(whose seeded generator draws it) or call initialize(random.Random(seed))"
            )
        mask = dropout_mask(self.rng, len(x), len(x[0]), self.rate)
        self.cache = (mask,)
        return kernels.multiply(x, mask)

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """∂L/∂X = ∂L/∂Y ⊙ M after a training-mode pass, ∂L/∂Y after an evaluation-mode one
        (None if not needed).

        >>> import random
        >>> layer = Dropout(0.5)
        >>> layer.initialize(random.Random(0))
        >>> _ = layer.forward([[1.0, 1.0, 1.0, 1.0]])
        >>> layer.backward([[1.0, 1.0, 1.0, 1.0]])    # the same mask
        [[2.0, 2.0, 0.0, 0.0]]
        """
        if self.cache is None:
            raise StateError("Dropout.backward: called before forward (nothing cached)")
        if not need_input_grad:
            return None
        (mask,) = self.cache
        if mask is None:
            return grad_output
        return kernels.multiply(grad_output, mask)

    def __repr__(self) -> str:
        declared = "" if self.declared is None else f", input_shape={self.declared!r}"
        return f"Dropout({self.rate!r}{declared})"
