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
        """a · b = Σ_k a_k b_k for two rows of the same length k; a number.

        >>> dot([1.0, 2.0], [3.0, 4.0])
        11.0
        """
        return math.sumprod(a, b)

    def rows_dot_columns(rows: Rows, columns: Rows) -> Matrix:
        """C_ij = rows[i] · columns[j] = Σ_k rows[i][k] columns[j][k]; the core of every product.

        ``rows`` is n × k and ``columns`` is m × k (for C = A·B, the columns of B as ``zip(*B)``
        gives them); C is n × m.

        >>> rows_dot_columns([[1.0, 2.0], [3.0, 4.0]], [[5.0, 7.0], [6.0, 8.0]])
        [[19.0, 22.0], [43.0, 50.0]]
        """
        return [list(map(math.sumprod, repeat(row), columns)) for row in rows]

else:

    def dot(a: Sequence[float], b: Sequence[float]) -> float:
        """a · b = Σ_k a_k b_k for two rows of the same length k; a number.

        >>> dot([1.0, 2.0], [3.0, 4.0])
        11.0
        """
        total: float = sum(map(operator.mul, a, b))
        return total

    def rows_dot_columns(rows: Rows, columns: Rows) -> Matrix:
        """C_ij = rows[i] · columns[j] = Σ_k rows[i][k] columns[j][k]; the core of every product.

        ``rows`` is n × k and ``columns`` is m × k (for C = A·B, the columns of B as ``zip(*B)``
        gives them); C is n × m.

        >>> rows_dot_columns([[1.0, 2.0], [3.0, 4.0]], [[5.0, 7.0], [6.0, 8.0]])
        [[19.0, 22.0], [43.0, 50.0]]
        """
        # Written inline rather than through a dot() helper: a Python-level call per entry
        # costs ~5% on CPython 3.8–3.11 (benchmarks/bench_kernels.py).
        return [[sum(map(operator.mul, row, column)) for column in columns] for row in rows]


def matmul(a: Matrix, b: Matrix) -> Matrix:
    """C = A·B, (C)_ij = Σ_k A_ik B_kj, for A of shape n × k and B of shape k × m; C is n × m.

    >>> matmul([[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]])
    [[19.0, 22.0], [43.0, 50.0]]
    """
    return rows_dot_columns(a, list(zip(*b)))


def matmul_tn(a: Matrix, b: Matrix) -> Matrix:
    """C = Aᵀ·B, (C)_ij = Σ_r A_ri B_rj, for A of shape n × k and B of shape n × m; C is k × m
    (dW = Xᵀ·δ).

    >>> a, b = [[1.0, 2.0], [3.0, 4.0]], [[1.0], [10.0]]
    >>> matmul_tn(a, b), matmul_tn(a, b) == matmul(transpose(a), b)
    ([[31.0], [42.0]], True)
    """
    return rows_dot_columns(list(zip(*a)), list(zip(*b)))


def matmul_nt(a: Matrix, b: Matrix) -> Matrix:
    """C = A·Bᵀ, (C)_ij = Σ_k A_ik B_jk, for A of shape n × k and B of shape m × k; C is n × m
    (dX = δ·Wᵀ).

    >>> matmul_nt([[1.0, 2.0]], [[3.0, 4.0], [5.0, 6.0]])
    [[11.0, 17.0]]
    """
    return rows_dot_columns(a, b)


def transpose(a: Matrix) -> Matrix:
    """(Aᵀ)_ij = A_ji; an n × m matrix becomes m × n.

    >>> transpose([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    """
    return [list(column) for column in zip(*a)]


def add(a: Matrix, b: Matrix) -> Matrix:
    """(A + B)_ij = A_ij + B_ij for two matrices of the same shape n × m; the sum is n × m.

    >>> add([[1.0, 2.0]], [[10.0, 20.0]])
    [[11.0, 22.0]]
    """
    return [list(map(operator.add, row_a, row_b)) for row_a, row_b in zip(a, b)]


def subtract(a: Matrix, b: Matrix) -> Matrix:
    """(A − B)_ij = A_ij − B_ij for two matrices of the same shape n × m; the result is n × m.

    >>> subtract([[10.0, 20.0]], [[1.0, 2.0]])
    [[9.0, 18.0]]
    """
    return [list(map(operator.sub, row_a, row_b)) for row_a, row_b in zip(a, b)]


def multiply(a: Matrix, b: Matrix) -> Matrix:
    """(A ⊙ B)_ij = A_ij · B_ij, the elementwise product of two n × m matrices; n × m.

    >>> multiply([[1.0, 2.0], [3.0, 4.0]], [[10.0, 10.0], [0.5, -1.0]])
    [[10.0, 20.0], [1.5, -4.0]]
    """
    return [list(map(operator.mul, row_a, row_b)) for row_a, row_b in zip(a, b)]


def multiply_rows(a: Iterable[float], b: Iterable[float]) -> List[float]:
    """(a ⊙ b)_j = a_j · b_j for two rows of the same length m (any iterables); a list of m.

    >>> multiply_rows([1.0, 2.0, 3.0], iter([2.0, 0.5, -1.0]))
    [2.0, 1.0, -3.0]
    """
    return list(map(operator.mul, a, b))


def scale(a: Matrix, factor: float) -> Matrix:
    """(cA)_ij = c · A_ij for a number c; n × m stays n × m.

    >>> scale([[1.0, -2.0]], 0.5)
    [[0.5, -1.0]]
    """
    return [[factor * value for value in row] for row in a]


def apply(function: Callable[[float], float], a: Matrix) -> Matrix:
    """f(A)_ij = f(A_ij), a scalar function applied to every entry; n × m stays n × m.

    >>> apply(abs, [[-1.0, 2.0], [3.0, -4.0]])
    [[1.0, 2.0], [3.0, 4.0]]
    """
    return [list(map(function, row)) for row in a]


def add_row(a: Matrix, row: Sequence[float]) -> Matrix:
    """(A + 1·r)_ij = A_ij + r_j: the row vector r (length m) added to every row of n × m A;
    the result is n × m.

    >>> add_row([[1.0, 2.0], [3.0, 4.0]], [10.0, 20.0])
    [[11.0, 22.0], [13.0, 24.0]]
    """
    return [list(map(operator.add, a_row, row)) for a_row in a]


def column_sums(a: Matrix) -> List[float]:
    """s_j = Σ_i A_ij, one sum per column of an n × m matrix (length m).

    >>> column_sums([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    [9.0, 12.0]
    """
    return [sum(column) for column in zip(*a)]


def zeros(rows: int, columns: int) -> Matrix:
    """Z_ij = 0.0: the rows × columns matrix of zeros, each row a separate list.

    >>> zeros(2, 3)
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    return [[0.0] * columns for _ in range(rows)]
