"""Matrix kernels: the arithmetic every layer runs, with no checks at all.

These are the hot path of purenn.  A matrix is a list of rows, each a list of floats.  The kernels
trust their callers: shapes must already fit (``purenn.matrix`` checks them for users; the layers
guarantee them by construction).  Keeping validation out of here keeps the inner loops tight.

Every product is ``rows_dot_columns``: B is transposed once (``zip(*B)``) so that each entry is
a dot product of two rows of k numbers.  What a dot product computes is fixed per interpreter and
per k, and documented by a plain reference, ``dot_reference``:

* **left to right**, ((0 + a₀b₀) + a₁b₁) + … + aₖ₋₁bₖ₋₁, one rounding per operation, on CPython
  before 3.12 and on PyPy for every k, and on CPython 3.12+ for k ≤ ``LONGEST_SHORT_ROW`` (16);
* **math.sumprod** on CPython 3.12+ for longer rows: one call in C that sums the products in
  extended precision, so its last bits differ from the left-to-right sum.

Several *formulations* compute that same arithmetic at different speeds, and which one is fastest
depends on the interpreter and on k (``benchmarks/bench_kernels.py`` measures them side by side):

=============  ============================================================  =================
formulation    each entry C_ij                                               chosen for
=============  ============================================================  =================
``unrolled``   0.0 + r0 * c0 + r1 * c1 + … written out for this shape,       CPython, k ≤ 1024
               compiled once (``unrolled_source(k, m)`` shows it): no call   (3.12+: k ≤ 16);
               per entry, no loop counter; for k·m ≤ 256 (PyPy: 64) every    PyPy, k ≤ 32
               column is unpacked into locals and each row of C is one list
               display
``sum_map``    ``sum(map(operator.mul, row, column))``, the loop in C        CPython < 3.12,
                                                                             k > 1024
``sumprod``    ``math.sumprod(row, column)``                                 CPython 3.12+,
                                                                             k > 16
``loops``      ``total += row[p] * column[p]`` in index loops                PyPy, k > 32
=============  ============================================================  =================

Every left-to-right formulation gives the same bits as ``dot_reference`` and as each other
(``tests/test_kernels.py`` forces each one on every interpreter and compares them bit for bit);
``sum_map`` exists only where ``sum`` adds left to right (before CPython 3.12, which made it a
compensated sum).  ``use_formulation(name)`` forces one (tests and benchmarks), and so does the
environment variable ``PURENN_KERNEL=name`` when purenn is imported; ``formulation_for(k, m)``
says which one runs.

``affine`` fuses Dense's Z = X·W + b: each entry is the same dot product, then + b_j (the order
of ``add_row(matmul(X, W), b)``, so the fused and the two-step results are bit-identical).
``matmul_tn`` (Aᵀ·B) and ``matmul_nt`` (A·Bᵀ) serve backpropagation without building the
transposed operand as a separate step.

Every kernel is complex-safe: it only adds and multiplies, so a complex entry (the complex-step
derivative) flows through unchanged.
"""

from __future__ import annotations

import math
import operator
import os
import sys
from itertools import repeat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, List, Sequence

    Matrix = List[List[float]]
    Rows = Sequence[Sequence[float]]  # a matrix, or the tuples zip(*matrix) gives
    Products = Callable[[Rows, Rows], Matrix]
    Affine = Callable[[Rows, Rows, Sequence[float]], Matrix]

__all__ = [
    "LONGEST_SHORT_ROW",
    "LARGEST_UNROLLED_BLOCK",
    "LONGEST_UNROLLED",
    "LONGEST_UNROLLED_ON_PYPY",
    "FORMULATIONS",
    "dot_reference",
    "dot",
    "rows_dot_columns",
    "affine",
    "formulation_for",
    "sums_left_to_right",
    "forced_formulation",
    "use_formulation",
    "unrolled_source",
    "tuple_source",
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
"""On CPython 3.12+, rows of at most this many numbers are summed left to right (unrolled code
beats a call of math.sumprod there), longer ones by math.sumprod."""

_IS_PYPY = sys.implementation.name == "pypy"

LARGEST_UNROLLED_BLOCK = 64 if _IS_PYPY else 256
"""Products of at most this many k·m weights (k numbers per row, m columns) are unrolled over
the columns as well: the whole product is one comprehension over the rows.  Smaller on PyPy,
whose JIT is 2–3 times faster than with loops on such blocks up to k·m = 64, slower beyond, and
gives up on the long traces of blocks of 1024 (measured: 43 MFLOP/s against 900 for loops)."""

LONGEST_UNROLLED_ON_PYPY = 32
"""On PyPy, rows of at most this many numbers are unrolled (over the rows alone when k·m is
above LARGEST_UNROLLED_BLOCK), longer ones run as index loops, which its JIT compiles best."""

LONGEST_UNROLLED = 1024
"""The longest row the unrolled code is generated for: compiling it takes ~25 ms at k = 1024, and
far longer rows exceed the compiler's recursion limit on CPython < 3.13."""


def dot_reference(a: Sequence[float], b: Sequence[float]) -> float:
    """a · b = Σ_k a_k b_k for two rows of k numbers, in the arithmetic purenn's kernels use on
    this interpreter: left to right, ((0 + a₀b₀) + a₁b₁) + …, except on CPython 3.12+ for
    k > LONGEST_SHORT_ROW, where it is math.sumprod.  The plain reference of every formulation.

    >>> dot_reference([1.0, 2.0], [3.0, 4.0])
    11.0
    """
    if HAS_SUMPROD and len(a) > LONGEST_SHORT_ROW:  # pragma: no cover (3.12+)
        return math.sumprod(a, b)  # type: ignore[attr-defined, no-any-return]
    total = 0.0
    for x, y in zip(a, b):
        total = total + x * y
    return total


# -- the formulations ---------------------------------------------------------------------------


def _sum_map_products(rows: Rows, columns: Rows) -> Matrix:
    mul = operator.mul
    return [[sum(map(mul, row, column)) for column in columns] for row in rows]


def _sum_map_affine(rows: Rows, columns: Rows, bias: Sequence[float]) -> Matrix:
    mul = operator.mul
    pairs = list(zip(columns, bias))
    return [[sum(map(mul, row, column)) + b for column, b in pairs] for row in rows]


def _sumprod_products(rows: Rows, columns: Rows) -> Matrix:  # pragma: no cover (3.12+)
    sumprod = math.sumprod  # type: ignore[attr-defined]
    return [list(map(sumprod, repeat(row), columns)) for row in rows]


def _sumprod_affine(
    rows: Rows, columns: Rows, bias: Sequence[float]
) -> Matrix:  # pragma: no cover (3.12+)
    sumprod, add_ = math.sumprod, operator.add  # type: ignore[attr-defined]
    return [list(map(add_, map(sumprod, repeat(row), columns), bias)) for row in rows]


def _loops_products(rows: Rows, columns: Rows) -> Matrix:
    indices = range(len(columns[0]))
    result = []
    for row in rows:
        out = []
        for column in columns:
            total = 0.0
            for p in indices:
                total += row[p] * column[p]
            out.append(total)
        result.append(out)
    return result


def _loops_affine(rows: Rows, columns: Rows, bias: Sequence[float]) -> Matrix:
    return [list(map(operator.add, row, bias)) for row in _loops_products(rows, columns)]


def unrolled_source(k: int, m: int | None = None) -> str:
    """The Python source of the unrolled kernels for rows of k numbers: ``products`` (each
    entry one dot product, written out left to right) and ``affine`` (the same, then + b_j).

    Given m, the number of columns, as well (small products: k·m ≤ LARGEST_UNROLLED_BLOCK), the
    columns are unpacked into local variables once per call and every row of the result is
    written out as a list of m sums, so nothing loops but the rows:

    >>> print(unrolled_source(2, 2))
    def products(rows, columns):
        ((c0_0, c0_1), (c1_0, c1_1)) = columns
        return [[0.0 + r0 * c0_0 + r1 * c0_1,
                 0.0 + r0 * c1_0 + r1 * c1_1]
                for (r0, r1) in rows]
    <BLANKLINE>
    def affine(rows, columns, bias):
        ((c0_0, c0_1), (c1_0, c1_1)) = columns
        (b0, b1) = bias
        return [[0.0 + r0 * c0_0 + r1 * c0_1 + b0,
                 0.0 + r0 * c1_0 + r1 * c1_1 + b1]
                for (r0, r1) in rows]
    <BLANKLINE>

    Without m, a comprehension runs over the columns, each unpacked into c0, c1, …:

    >>> print(unrolled_source(2))
    def products(rows, columns):
        return [[0.0 + r0 * c0 + r1 * c1
                 for (c0, c1) in columns]
                for (r0, r1) in rows]
    <BLANKLINE>
    def affine(rows, columns, bias):
        return [[0.0 + r0 * c0 + r1 * c1 + b
                 for (c0, c1), b in zip(columns, bias)]
                for (r0, r1) in rows]
    <BLANKLINE>
    """
    # The leading 0.0 + is where sum() starts: a dot product whose terms are all −0.0 is +0.0
    # in every formulation.
    row = tuple_source(f"r{p}" for p in range(k))
    if m is None:
        total = "0.0 + " + " + ".join(f"r{p} * c{p}" for p in range(k))
        column = tuple_source(f"c{p}" for p in range(k))
        return (
            f"def products(rows, columns):\n"
            f"    return [[{total}\n"
            f"             for {column} in columns]\n"
            f"            for {row} in rows]\n\n"
            f"def affine(rows, columns, bias):\n"
            f"    return [[{total} + b\n"
            f"             for {column}, b in zip(columns, bias)]\n"
            f"            for {row} in rows]\n"
        )
    columns = tuple_source(tuple_source(f"c{j}_{p}" for p in range(k)) for j in range(m))
    sums = ["0.0 + " + " + ".join(f"r{p} * c{j}_{p}" for p in range(k)) for j in range(m)]
    biases = tuple_source(f"b{j}" for j in range(m))
    separator = ",\n             "
    return (
        f"def products(rows, columns):\n"
        f"    {columns} = columns\n"
        f"    return [[{separator.join(sums)}]\n"
        f"            for {row} in rows]\n\n"
        f"def affine(rows, columns, bias):\n"
        f"    {columns} = columns\n"
        f"    {biases} = bias\n"
        f"    return [[{separator.join(f'{total} + b{j}' for j, total in enumerate(sums))}]\n"
        f"            for {row} in rows]\n"
    )


def tuple_source(names: Iterable[str]) -> str:
    """The source of a tuple of ``names``, as a display or a target list: (a, b), and (a,) for
    one name (a lone (a) is just a).  For code generated from names, here and in
    ``purenn.straightline``.

    >>> tuple_source(["r0", "r1"]), tuple_source(["r0"])
    ('(r0, r1)', '(r0,)')
    """
    listed = list(names)
    return f"({listed[0]},)" if len(listed) == 1 else f"({', '.join(listed)})"


class Formulation:
    """One way of writing rows_dot_columns and affine: ``kernels(k, m)`` gives
    ``products(rows, columns)`` and ``affine(rows, columns, bias)`` for rows of k numbers and m
    columns (the unrolled code differs per shape; the others serve every shape).
    ``left_to_right`` says whether it sums as dot_reference does for short rows; ``longest`` is
    the longest row it serves (None: any)."""

    def __init__(
        self,
        name: str,
        products: Products | None,
        affine_: Affine | None,
        left_to_right: bool,
        longest: int | None = None,
    ) -> None:
        self.name = name
        self._products, self._affine = products, affine_
        self.left_to_right = left_to_right
        self.longest = longest
        self._compiled: dict[tuple[int, int | None], tuple[Products, Affine]] = {}

    def serves(self, k: int) -> bool:
        """Whether rows of k numbers are within its reach."""
        return self.longest is None or k <= self.longest

    def kernels(self, k: int, m: int) -> tuple[Products, Affine]:
        """(products, affine) for rows of k numbers and m columns."""
        if self._products is not None and self._affine is not None:
            return self._products, self._affine
        key = (k, m if k * m <= LARGEST_UNROLLED_BLOCK else None)
        if key not in self._compiled:
            namespace: dict[str, Any] = {}
            code = compile(unrolled_source(*key), f"<purenn.kernels unrolled {key}>", "exec")
            exec(code, {}, namespace)
            self._compiled[key] = namespace["products"], namespace["affine"]
        return self._compiled[key]

    def __repr__(self) -> str:
        return f"<formulation {self.name}>"


FORMULATIONS: dict[str, Formulation] = {
    "unrolled": Formulation("unrolled", None, None, True, LONGEST_UNROLLED),
    "loops": Formulation("loops", _loops_products, _loops_affine, True),
}
"""The formulations this interpreter offers, by name."""
if LEFT_TO_RIGHT_SUM:
    FORMULATIONS["sum_map"] = Formulation("sum_map", _sum_map_products, _sum_map_affine, True)
if HAS_SUMPROD:  # pragma: no cover (3.12+)
    FORMULATIONS["sumprod"] = Formulation("sumprod", _sumprod_products, _sumprod_affine, False)

_forced: Formulation | None = None
_chosen: dict[tuple[int, int], tuple[Products, Affine]] = {}


def formulation_for(k: int, m: int) -> str:
    """The name of the formulation that computes products of rows of k numbers with m columns:
    the forced one (``use_formulation``), else the fastest measured for this interpreter and
    shape.

    >>> formulation_for(3, 4) in FORMULATIONS
    True
    """
    return _formulation(k, m).name


def forced_formulation() -> str | None:
    """The name of the formulation ``use_formulation`` forced, or None for the automatic choice.

    >>> forced_formulation() is None
    True
    """
    return None if _forced is None else _forced.name


def sums_left_to_right(k: int, m: int) -> bool:
    """Whether products of rows of k numbers with m columns sum each entry left to right from
    0.0, as ``dot_reference`` does for short rows (False: by ``math.sumprod``, CPython 3.12+).

    >>> sums_left_to_right(3, 4)
    True
    """
    return _serving(k, m).left_to_right


def _serving(k: int, m: int) -> Formulation:
    """The formulation that runs for rows of k numbers and m columns: the chosen one, or index
    loops where a forced one cannot serve k."""
    formulation = _formulation(k, m)
    return formulation if formulation.serves(k) else FORMULATIONS["loops"]


def _formulation(k: int, m: int) -> Formulation:
    if _forced is not None:
        return _forced
    if _IS_PYPY:
        return FORMULATIONS["unrolled" if k <= LONGEST_UNROLLED_ON_PYPY else "loops"]
    if HAS_SUMPROD:  # pragma: no cover (3.12+)
        return FORMULATIONS["unrolled" if k <= LONGEST_SHORT_ROW else "sumprod"]
    return FORMULATIONS["unrolled" if k <= LONGEST_UNROLLED else "sum_map"]


def use_formulation(name: str | None) -> None:
    """Force the formulation ``name`` (one of FORMULATIONS) for every product from now on, or
    go back to the automatic choice with None.  Results of left-to-right formulations are
    bit-identical; forcing one changes only the speed, except on CPython 3.12+ where forcing a
    left-to-right one for long rows (or sumprod for short ones) changes the last bits.

    >>> use_formulation("loops"); formulation_for(3, 4)
    'loops'
    >>> use_formulation(None)
    """
    global _forced
    if name is not None and not (isinstance(name, str) and name in FORMULATIONS):
        # Only a str is shown: this module imports nothing of purenn's, not even its safe repr.
        given = repr(name[:40]) if isinstance(name, str) else f"a {type(name).__name__}"
        raise ValueError(
            f"use_formulation: unknown formulation {given}; this interpreter has "
            f"{', '.join(sorted(FORMULATIONS))}"
        )
    _forced = None if name is None else FORMULATIONS[name]
    _chosen.clear()


def _kernels(k: int, m: int) -> tuple[Products, Affine]:
    """(products, affine) for rows of k numbers and m columns, chosen once per shape."""
    pair = _chosen.get((k, m))
    if pair is None:
        pair = _chosen[k, m] = _serving(k, m).kernels(k, m)
    return pair


def rows_dot_columns(rows: Rows, columns: Rows) -> Matrix:
    """C_ij = rows[i] · columns[j] = Σ_k rows[i][k] columns[j][k]; the core of every product.

    ``rows`` is n × k and ``columns`` is m × k (for C = A·B, the columns of B as ``zip(*B)``
    gives them); C is n × m.

    >>> rows_dot_columns([[1.0, 2.0], [3.0, 4.0]], [[5.0, 7.0], [6.0, 8.0]])
    [[19.0, 22.0], [43.0, 50.0]]
    """
    return _kernels(len(columns[0]), len(columns))[0](rows, columns)


def affine(a: Matrix, w: Matrix, bias: Sequence[float]) -> Matrix:
    """Z = A·W + 1·bᵀ, Z_ij = (Σ_k A_ik W_kj) + b_j, for A n × k, W k × m and b of length m;
    Z is n × m.  Bit-identical to ``add_row(matmul(A, W), b)``, in one pass.

    >>> affine([[1.0, 2.0]], [[3.0, 4.0], [5.0, 6.0]], [0.5, -0.5])
    [[13.5, 15.5]]
    """
    return _kernels(len(w), len(w[0]))[1](a, list(zip(*w)), bias)


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    """a · b = Σ_k a_k b_k for two rows of the same length k; a number (the kernels' arithmetic,
    as ``dot_reference``).

    >>> dot([1.0, 2.0], [3.0, 4.0])
    11.0
    """
    return rows_dot_columns((a,), (b,))[0][0]


def matmul(a: Matrix, b: Matrix) -> Matrix:
    """C = A·B, (C)_ij = Σ_k A_ik B_kj, for A of shape n × k and B of shape k × m; C is n × m.

    >>> matmul([[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]])
    [[19.0, 22.0], [43.0, 50.0]]
    """
    columns = list(zip(*b))
    # rows_dot_columns(a, columns), one call fewer: a 4×4 product is only ~3 µs of arithmetic.
    return _kernels(len(b), len(columns))[0](a, columns)


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


if os.environ.get("PURENN_KERNEL"):
    use_formulation(os.environ["PURENN_KERNEL"])
