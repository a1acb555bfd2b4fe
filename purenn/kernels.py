"""Matrix kernels: the arithmetic every layer runs, with no checks at all.

A matrix is a list of rows, each a list of floats.  The kernels trust their callers: shapes must
already fit (``purenn.matrix`` checks them for users; the layers guarantee them by construction).
Keeping validation out of here keeps the inner loops tight.

Every product is ``rows_dot_columns``: B is transposed once (``zip(*B)``) so that each entry is a
dot product of two rows of k numbers, ``dot``.  What a dot product computes is fixed per
interpreter and per k:

* **left to right**, ((0 + a₀b₀) + a₁b₁) + … + aₖ₋₁bₖ₋₁, one rounding per operation: on CPython
  before 3.12 and on PyPy ``sum(map(mul, a, b))`` adds so; on CPython 3.12+, whose ``sum`` of
  floats is compensated, a plain loop does, for k ≤ ``LONGEST_SHORT_ROW`` (16);
* **math.sumprod** on CPython 3.12+ for longer rows: one call in C that sums the products in
  extended precision, so its last bits differ from the left-to-right sum.

This is the reference: the code that runs unless you ask for speed.  ``fit(..., compile=True)``
and ``predict(..., compile=True)`` swap in code generated for each shape (``purenn.compiled``),
which gives the same bits faster; while they run, ``generated`` below holds it.

Every kernel is complex-safe: it only adds and multiplies, so a complex entry (the complex-step
derivative) flows through unchanged.
"""

from __future__ import annotations

import math
import operator
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, List, Sequence

    Matrix = List[List[float]]
    Rows = Sequence[Sequence[float]]  # a matrix, or the tuples zip(*matrix) gives

__all__ = [
    "LONGEST_SHORT_ROW",
    "dot",
    "rows_dot_columns",
    "affine",
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

HAS_SUMPROD = hasattr(math, "sumprod")  # CPython 3.12+
LEFT_TO_RIGHT_SUM = sys.version_info < (3, 12)  # 3.12 made sum() of floats compensated

LONGEST_SHORT_ROW = 16
"""On CPython 3.12+, rows of at most this many numbers are summed left to right (generated code
beats a call of math.sumprod there, so ``compile=True`` is fastest with this rule), longer ones
by math.sumprod."""

generated: Any = None
"""While ``fit(..., compile=True)`` or ``predict(..., compile=True)`` runs: the generated kernels
of ``purenn.compiled.kernels`` (``products`` and ``affine``, the same bits as the code below);
otherwise None, and the code below runs."""


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    """a · b = Σ_k a_k b_k for two rows of k numbers: left to right, ((0 + a₀b₀) + a₁b₁) + …,
    except on CPython 3.12+ for k > LONGEST_SHORT_ROW, where it is math.sumprod.

    >>> dot([1.0, 2.0], [3.0, 4.0])
    11.0
    """
    if HAS_SUMPROD and len(a) > LONGEST_SHORT_ROW:  # pragma: no cover (3.12+)
        return math.sumprod(a, b)  # type: ignore[attr-defined, no-any-return]
    if LEFT_TO_RIGHT_SUM:
        products: float = sum(map(operator.mul, a, b))
        return products
    total = 0.0  # pragma: no cover (3.12+)
    for x, y in zip(a, b):
        total = total + x * y
    return total


def rows_dot_columns(rows: Rows, columns: Rows) -> Matrix:
    """C_ij = rows[i] · columns[j] = Σ_k rows[i][k] columns[j][k]; the core of every product.

    ``rows`` is n × k and ``columns`` is m × k (for C = A·B, the columns of B as ``zip(*B)``
    gives them); C is n × m.  Each entry is ``dot``, written inline where it can be for speed.

    >>> rows_dot_columns([[1.0, 2.0], [3.0, 4.0]], [[5.0, 7.0], [6.0, 8.0]])
    [[19.0, 22.0], [43.0, 50.0]]
    """
    if generated is not None:
        return generated.products(rows, columns)  # type: ignore[no-any-return]
    if LEFT_TO_RIGHT_SUM:
        mul = operator.mul
        return [[sum(map(mul, row, column)) for column in columns] for row in rows]
    return [[dot(row, column) for column in columns] for row in rows]  # pragma: no cover


def affine(a: Matrix, w: Matrix, bias: Sequence[float]) -> Matrix:
    """Z = A·W + 1·bᵀ, Z_ij = (Σ_k A_ik W_kj) + b_j, for A n × k, W k × m and b of length m;
    Z is n × m: ``add_row(matmul(A, W), b)``.

    >>> affine([[1.0, 2.0]], [[3.0, 4.0], [5.0, 6.0]], [0.5, -0.5])
    [[13.5, 15.5]]
    """
    if generated is not None:
        return generated.affine(a, w, bias)  # type: ignore[no-any-return]
    return add_row(matmul(a, w), bias)


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


def multiply_rows(a: Iterable[float], b: Iterable[float]) -> list[float]:
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


def column_sums(a: Matrix) -> list[float]:
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

