"""Generated matrix kernels: ``purenn.kernels``' products, written out for each shape.

``purenn.kernels`` computes every entry of a product as a dot product, in an arithmetic fixed per
interpreter and row length (left to right, or ``math.sumprod`` for long rows on CPython 3.12+).
The same arithmetic can be written several ways, *formulations*, whose speed depends on the
interpreter and the shape (``benchmarks/bench_kernels.py`` measures them side by side):

=============  ============================================================  =================
formulation    each entry C_ij                                               chosen for
=============  ============================================================  =================
``unrolled``   0.0 + r0 * c0 + r1 * c1 + … written out for this shape,       CPython, k ≤ 1024
               compiled once (``unrolled_source(k, m)`` shows it): no call   (3.12+: k ≤ 16);
               per entry, no loop counter; for k·m ≤ 256 (PyPy: 64) every    PyPy, k ≤ 32
               column is unpacked into locals and each row of C is one list
               display
``sum_map``    ``sum(map(operator.mul, row, column))``, the loop in C        CPython < 3.12,
                                                                             k > 1024; PyPy,
                                                                             k > 32
``sumprod``    ``math.sumprod(row, column)``                                 CPython 3.12+,
                                                                             k > 16
``loops``      ``total += row[p] * column[p]`` in index loops                (measured only)
=============  ============================================================  =================

The one chosen for a shape gives exactly the bits of ``purenn.kernels.dot`` for that shape
(``tests/test_compiled_kernels.py`` forces each formulation on every interpreter and compares
them with the reference bit for bit).  ``use_formulation(name)`` forces one for benchmarks and
tests: a left-to-right one where the reference uses ``math.sumprod`` (or the reverse) changes the
last bits.  ``formulation_for(k, m)`` says which one runs.

``installed()`` puts these kernels in ``purenn.kernels.generated`` for the duration of a
``with`` block: that is how ``compile=True`` reaches every layer without changing one.
"""

from __future__ import annotations

import contextlib
import math
import operator
import sys
from itertools import repeat
from typing import TYPE_CHECKING

from purenn import kernels
from purenn.arguments import shown
from purenn.errors import ConfigurationError

if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, Iterator, Sequence

    from purenn.kernels import Matrix, Rows

    Products = Callable[[Rows, Rows], Matrix]
    Affine = Callable[[Rows, Rows, Sequence[float]], Matrix]

__all__ = [
    "LARGEST_UNROLLED_BLOCK",
    "LONGEST_UNROLLED",
    "LONGEST_UNROLLED_ON_PYPY",
    "FORMULATIONS",
    "Formulation",
    "GeneratedKernels",
    "GENERATED",
    "installed",
    "formulation_for",
    "forced_formulation",
    "sums_left_to_right",
    "use_formulation",
    "unrolled_source",
    "tuple_source",
]

_IS_PYPY = sys.implementation.name == "pypy"

LARGEST_UNROLLED_BLOCK = 64 if _IS_PYPY else 256
"""Products of at most this many k·m weights (k numbers per row, m columns) are unrolled over
the columns as well: the whole product is one comprehension over the rows.  Smaller on PyPy,
whose JIT is 2–3 times faster than with loops on such blocks up to k·m = 64, slower beyond, and
gives up on the long traces of blocks of 1024 (measured: 43 MFLOP/s against 900 for loops)."""

LONGEST_UNROLLED_ON_PYPY = 32
"""On PyPy, rows of at most this many numbers are unrolled (over the rows alone when k·m is
above LARGEST_UNROLLED_BLOCK), longer ones run as sum(map(mul)) (measured on PyPy 3.9 7.3.11:
783 MFLOP/s at 64×64, index loops 333; 1166 against 373 at 256×256)."""

LONGEST_UNROLLED = 1024
"""The longest row the unrolled code is generated for: compiling it takes ~25 ms at k = 1024, and
far longer rows exceed the compiler's recursion limit on CPython < 3.13."""


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
    ``purenn.compiled.straightline``.

    >>> tuple_source(["r0", "r1"]), tuple_source(["r0"])
    ('(r0, r1)', '(r0,)')
    """
    listed = list(names)
    return f"({listed[0]},)" if len(listed) == 1 else f"({', '.join(listed)})"


class Formulation:
    """One way of writing rows_dot_columns and affine: ``kernels(k, m)`` gives
    ``products(rows, columns)`` and ``affine(rows, columns, bias)`` for rows of k numbers and m
    columns (the unrolled code differs per shape; the others serve every shape).
    ``left_to_right`` says whether it sums as ``purenn.kernels.dot`` does for short rows;
    ``longest`` is the longest row it serves (None: any).

    >>> FORMULATIONS["loops"].kernels(2, 1)[0]([[1.0, 2.0]], [[3.0, 4.0]])
    [[11.0]]
    """

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
        """Whether rows of k numbers are within its reach.

        >>> FORMULATIONS["unrolled"].serves(LONGEST_UNROLLED + 1)
        False
        """
        return self.longest is None or k <= self.longest

    def kernels(self, k: int, m: int) -> tuple[Products, Affine]:
        """(products, affine) for rows of k numbers and m columns.

        >>> products, affine = FORMULATIONS["unrolled"].kernels(1, 1)
        >>> products([[2.0]], [[3.0]]), affine([[2.0]], [[3.0]], [1.0])
        ([[6.0]], [[7.0]])
        """
        if self._products is not None and self._affine is not None:
            return self._products, self._affine
        key = (k, m if k * m <= LARGEST_UNROLLED_BLOCK else None)
        if key not in self._compiled:
            namespace: dict[str, Any] = {}
            code = compile(unrolled_source(*key), f"<purenn.compiled unrolled {key}>", "exec")
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
if kernels.LEFT_TO_RIGHT_SUM:
    FORMULATIONS["sum_map"] = Formulation("sum_map", _sum_map_products, _sum_map_affine, True)
if kernels.HAS_SUMPROD:  # pragma: no cover (3.12+)
    FORMULATIONS["sumprod"] = Formulation("sumprod", _sumprod_products, _sumprod_affine, False)

_forced: Formulation | None = None


def formulation_for(k: int, m: int) -> str:
    """The name of the formulation that computes products of rows of k numbers with m columns:
    the forced one (``use_formulation``), else the fastest measured for this interpreter and
    shape that sums as ``purenn.kernels.dot`` does.

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
    """Whether the generated products of rows of k numbers with m columns sum each entry left
    to right from 0.0 (False: by ``math.sumprod``, CPython 3.12+).

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
        long_rows = "sum_map" if "sum_map" in FORMULATIONS else "loops"  # sum(): left to right?
        return FORMULATIONS["unrolled" if k <= LONGEST_UNROLLED_ON_PYPY else long_rows]
    if kernels.HAS_SUMPROD:  # pragma: no cover (3.12+)
        return FORMULATIONS["unrolled" if k <= kernels.LONGEST_SHORT_ROW else "sumprod"]
    return FORMULATIONS["unrolled" if k <= LONGEST_UNROLLED else "sum_map"]


def use_formulation(name: str | None) -> None:
    """Force the formulation ``name`` (one of FORMULATIONS) for every generated product from
    now on, or go back to the automatic choice with None: for benchmarks and tests.

    >>> use_formulation("loops"); formulation_for(3, 4)
    'loops'
    >>> use_formulation(None)
    """
    global _forced
    if name is not None and not (isinstance(name, str) and name in FORMULATIONS):
        raise ConfigurationError(
            f"use_formulation: unknown formulation {shown(name)}; this interpreter has "
            f"{', '.join(sorted(FORMULATIONS))}"
        )
    _forced = None if name is None else FORMULATIONS[name]
    GENERATED.chosen.clear()


class GeneratedKernels:
    """``products(rows, columns)`` and ``affine(a, w, bias)`` of ``purenn.kernels``, each shape
    served by its formulation (chosen once per shape, compiled on first use).

    >>> GENERATED.affine([[1.0, 2.0]], [[3.0, 4.0], [5.0, 6.0]], [0.5, -0.5])
    [[13.5, 15.5]]
    """

    def __init__(self) -> None:
        self.chosen: dict[tuple[int, int], tuple[Products, Affine]] = {}

    def _pair(self, k: int, m: int) -> tuple[Products, Affine]:
        pair = self.chosen.get((k, m))
        if pair is None:
            pair = self.chosen[k, m] = _serving(k, m).kernels(k, m)
        return pair

    def products(self, rows: Rows, columns: Rows) -> Matrix:
        """C_ij = rows[i] · columns[j]: ``purenn.kernels.rows_dot_columns``, generated.

        >>> GENERATED.products([[1.0, 2.0]], [[3.0, 4.0]])
        [[11.0]]
        """
        return self._pair(len(columns[0]), len(columns))[0](rows, columns)

    def affine(self, a: Matrix, w: Matrix, bias: Sequence[float]) -> Matrix:
        """Z = A·W + 1·bᵀ in one pass: ``purenn.kernels.affine``, generated."""
        return self._pair(len(w), len(w[0]))[1](a, list(zip(*w)), bias)


GENERATED = GeneratedKernels()
"""The generated kernels ``installed`` puts in ``purenn.kernels.generated``."""


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """``with installed():`` runs the block with the generated kernels in
    ``purenn.kernels.generated``, then puts back what was there, whatever the block raises.

    >>> from purenn import kernels
    >>> with installed():
    ...     kernels.generated is GENERATED
    True
    >>> kernels.generated is None
    True
    """
    before = kernels.generated
    kernels.generated = GENERATED
    try:
        yield
    finally:
        kernels.generated = before
