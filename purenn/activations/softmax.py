"""Softmax: each row of Z to probabilities, with the max-shift that keeps the exponentials finite;
its backward pass is a Jacobian-vector product, not an entrywise one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn import kernels
from purenn.activations.base import Activation
from purenn.scalar import exp

if TYPE_CHECKING:
    from typing import Sequence

    from purenn.kernels import Matrix

__all__ = ["softmax_shift", "softmax", "Softmax"]


def softmax_shift(row: Sequence[float]) -> float:
    """c = max_k Re z_k, the shift that makes every exponent of a softmax ≤ 0.

    Subtracting c changes nothing mathematically, and e^(z_k − c) can neither overflow nor all
    underflow (the largest is 1).  c is real, taken from the real parts, never max() of the
    values: shifting by a real constant leaves the complex step's imaginary parts intact.

    >>> softmax_shift([1.0, 3.0, 2.0]), softmax_shift([1.0 + 1e-30j, 2.0])
    (3.0, 2.0)
    """
    shift = row[0].real
    for value in row:
        if value.real > shift:
            shift = value.real
    return shift


def softmax(row: Sequence[float]) -> list[float]:
    """softmax(z)_j = e^(z_j − c) / Σ_k e^(z_k − c) for one row z, c = softmax_shift(z).

    Every exponent is ≤ 0, so nothing overflows and the sum is ≥ 1, never 0.  A row of m
    entries gives m probabilities summing to 1.

    >>> softmax([0.0, 0.0]), softmax([1000.0, 1000.0, 1000.0, 1000.0])
    ([0.5, 0.5], [0.25, 0.25, 0.25, 0.25])
    >>> round(sum(softmax([1.0, 2.0, 3.0])), 12)
    1.0
    """
    shift = softmax_shift(row)
    exps = [exp(value - shift) for value in row]
    total = sum(exps)
    return [e / total for e in exps]


class Softmax(Activation):
    """A_i = softmax(Z_i) row by row: each row of A is positive and sums to 1.

    Not elementwise: every output of a row depends on every input of it, so the backward pass is
    the Jacobian-vector product ∂A_ij/∂Z_ik = A_ij(δ_jk − A_ik), which gives
    ∂L/∂Z_i = A_i ⊙ (∂L/∂A_i − ⟨∂L/∂A_i, A_i⟩) per row, never the diagonal alone.

    >>> activation = Softmax()
    >>> a = activation.forward([[0.0, 0.0]])
    >>> a, activation.backward([[0.0, 0.0]], a, [[1.0, 0.0]])
    ([[0.5, 0.5]], [[0.25, -0.25]])
    """

    name = "softmax"
    output_range = (0.0, 1.0)

    def forward(self, z: Matrix) -> Matrix:
        """A_i = softmax(Z_i) for each row i of Z (batch × classes).

        >>> Softmax().forward([[0.0, 0.0]])
        [[0.5, 0.5]]
        """
        return [softmax(row) for row in z]

    def backward(self, z: Matrix, a: Matrix, grad_a: Matrix) -> Matrix:
        """∂L/∂Z_ij = A_ij · (∂L/∂A_ij − Σ_k ∂L/∂A_ik · A_ik), all batch × classes.

        >>> Softmax().backward([[0.0, 0.0]], [[0.5, 0.5]], [[1.0, 0.0]])   # A ⊙ (g − ⟨g, A⟩)
        [[0.25, -0.25]]
        """
        result = []
        for a_row, grad_row in zip(a, grad_a):
            inner = kernels.dot(grad_row, a_row)
            result.append([a_j * (g_j - inner) for a_j, g_j in zip(a_row, grad_row)])
        return result
