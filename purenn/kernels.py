"""Matrix kernels: the arithmetic every layer runs, with no checks at all.

These are the hot path of purenn.  A matrix is a list of rows, each a list of floats.  The kernels
trust their callers: shapes must already fit (``purenn.matrix`` checks them for users; the layers
guarantee them by construction).  Keeping validation out of here keeps the inner loops tight.

Speed notes, measured with ``benchmarks/bench_kernels.py``:

* A dot product is ``sum(map(operator.mul, row, col))`` on CPython < 3.12: the loop runs in C,
  about 3× faster than an index loop.  From 3.12, ``math.sumprod`` is about 3× faster again
  (and computes with extra precision, so the last bits of results differ from older versions).
* ``matmul`` transposes B once (``zip(*B)``), so every inner product walks two contiguous rows.
* ``matmul_tn`` (Aᵀ·B) and ``matmul_nt`` (A·Bᵀ) serve backpropagation without building the
  transposed operand as a separate step.

Every kernel is complex-safe: it only adds and multiplies, so a complex entry (the complex-step
derivative) flows through unchanged.
"""

import math
import operator
import sys
from itertools import repeat
from typing import Callable, Iterable, List, Sequence

__all__ = [
    "Matrix",
    "dot",
    "matmul",
    "matmul_tn",
    "matmul_nt",
    "transpose",
    "add",
    "subtract",
    "multiply",
    "multiply_rows",
    "scale",
    "apply",
    "add_row",
    "column_sums",
    "zeros",
]

Matrix = List[List[float]]

# Coverage is measured on the default interpreter (3.11), where the 3.12+ branch cannot run;
# CI runs the whole suite on 3.12 and 3.13 as well.
if sys.version_info >= (3, 12):  # pragma: no cover
    dot: Callable[[Sequence[float], Sequence[float]], float] = math.sumprod
else:

    def dot(a: Sequence[float], b: Sequence[float]) -> float:
        """a · b = Σ_k a_k b_k for two equally long sequences."""
        total: float = sum(map(operator.mul, a, b))
        return total


def matmul(a: Matrix, b: Matrix) -> Matrix:
    """C = A·B, (C)_ij = Σ_k A_ik B_kj, for A of shape n × k and B of shape k × m."""
    columns = list(zip(*b))
    return [list(map(dot, repeat(row), columns)) for row in a]


def matmul_tn(a: Matrix, b: Matrix) -> Matrix:
    """C = Aᵀ·B for A of shape n × k and B of shape n × m; C is k × m (dW = Xᵀ·δ)."""
    b_columns = list(zip(*b))
    return [list(map(dot, repeat(a_column), b_columns)) for a_column in zip(*a)]


def matmul_nt(a: Matrix, b: Matrix) -> Matrix:
    """C = A·Bᵀ for A of shape n × k and B of shape m × k; C is n × m (dX = δ·Wᵀ)."""
    return [list(map(dot, repeat(row), b)) for row in a]


def transpose(a: Matrix) -> Matrix:
    """(Aᵀ)_ij = A_ji; an n × m matrix becomes m × n."""
    return [list(column) for column in zip(*a)]


def add(a: Matrix, b: Matrix) -> Matrix:
    """(A + B)_ij = A_ij + B_ij for two matrices of the same shape."""
    return [list(map(operator.add, row_a, row_b)) for row_a, row_b in zip(a, b)]


def subtract(a: Matrix, b: Matrix) -> Matrix:
    """(A − B)_ij = A_ij − B_ij for two matrices of the same shape."""
    return [list(map(operator.sub, row_a, row_b)) for row_a, row_b in zip(a, b)]


def multiply(a: Matrix, b: Matrix) -> Matrix:
    """(A ⊙ B)_ij = A_ij · B_ij, the elementwise product of two matrices of the same shape."""
    return [list(map(operator.mul, row_a, row_b)) for row_a, row_b in zip(a, b)]


def multiply_rows(a: Iterable[float], b: Iterable[float]) -> List[float]:
    """(a ⊙ b)_j = a_j · b_j for two equally long rows (any iterables)."""
    return list(map(operator.mul, a, b))


def scale(a: Matrix, factor: float) -> Matrix:
    """(cA)_ij = c · A_ij."""
    return [[factor * value for value in row] for row in a]


def apply(function: Callable[[float], float], a: Matrix) -> Matrix:
    """f(A)_ij = f(A_ij), a scalar function applied to every entry."""
    return [list(map(function, row)) for row in a]


def add_row(a: Matrix, row: Sequence[float]) -> Matrix:
    """(A + 1·r)_ij = A_ij + r_j: the row vector r (length m) added to every row of n × m A."""
    return [list(map(operator.add, a_row, row)) for a_row in a]


def column_sums(a: Matrix) -> List[float]:
    """s_j = Σ_i A_ij, one sum per column of an n × m matrix (length m)."""
    return [sum(column) for column in zip(*a)]


def zeros(rows: int, columns: int) -> Matrix:
    """The rows × columns matrix of 0.0."""
    return [[0.0] * columns for _ in range(rows)]
