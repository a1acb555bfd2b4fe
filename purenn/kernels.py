"""Matrix kernels: the arithmetic every layer runs, with no checks at all.

These are the hot path of purenn.  A matrix is a list of rows, each a list of floats.  The kernels
trust their callers: shapes must already fit (``purenn.matrix`` checks them for users; the layers
guarantee them by construction).  Keeping validation out of here keeps the inner loops tight.

Speed notes, measured with ``benchmarks/bench_kernels.py`` (medians, ratios in one run):

* Every product is ``rows_dot_columns``: B is transposed once (``zip(*B)``) so each entry is a
  dot product of two contiguous rows.  On CPython < 3.12 the dot product is
  ``sum(map(operator.mul, row, column))``, whose loop runs in C: 1.5–2.5× faster than index
  loops.  From 3.12 it is ``math.sumprod``, 3× faster again; sumprod also rounds once per dot
  product instead of once per term, so the last bits of results differ from older interpreters.
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
    "rows_dot_columns",
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
Rows = Sequence[Sequence[float]]  # a matrix, or the tuples zip(*matrix) gives

# Coverage is measured on the default interpreter (3.11), where the 3.12+ branch cannot run;
# CI runs the whole suite on 3.12 and 3.13 as well.
if sys.version_info >= (3, 12):  # pragma: no cover

    def dot(a: Sequence[float], b: Sequence[float]) -> float:
        """a · b = Σ_k a_k b_k for two equally long rows."""
        return math.sumprod(a, b)

    def rows_dot_columns(rows: Rows, columns: Rows) -> Matrix:
        """C_ij = rows[i] · columns[j] = Σ_k rows[i][k] columns[j][k]; the core of every product."""
        return [list(map(math.sumprod, repeat(row), columns)) for row in rows]

else:

    def dot(a: Sequence[float], b: Sequence[float]) -> float:
        """a · b = Σ_k a_k b_k for two equally long rows."""
        total: float = sum(map(operator.mul, a, b))
        return total

    def rows_dot_columns(rows: Rows, columns: Rows) -> Matrix:
        """C_ij = rows[i] · columns[j] = Σ_k rows[i][k] columns[j][k]; the core of every product."""
        # Written inline rather than through a dot() helper: a Python-level call per entry
        # costs ~5% on CPython 3.8–3.11 (benchmarks/bench_kernels.py).
        return [[sum(map(operator.mul, row, column)) for column in columns] for row in rows]


def matmul(a: Matrix, b: Matrix) -> Matrix:
    """C = A·B, (C)_ij = Σ_k A_ik B_kj, for A of shape n × k and B of shape k × m."""
    return rows_dot_columns(a, list(zip(*b)))


def matmul_tn(a: Matrix, b: Matrix) -> Matrix:
    """C = Aᵀ·B for A of shape n × k and B of shape n × m; C is k × m (dW = Xᵀ·δ)."""
    return rows_dot_columns(list(zip(*a)), list(zip(*b)))


def matmul_nt(a: Matrix, b: Matrix) -> Matrix:
    """C = A·Bᵀ for A of shape n × k and B of shape m × k; C is n × m (dX = δ·Wᵀ)."""
    return rows_dot_columns(a, b)


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
