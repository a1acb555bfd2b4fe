"""The public matrix API: nested lists of floats, checked once, then handed to the kernels.

A matrix is a non-empty list of equally long, non-empty rows of numbers: ``[[1.0, 2.0], [3.0,
4.0]]`` is 2 × 2.  Each function here checks its arguments and raises ``ShapeError`` (a
``ValueError``) naming the function and the shapes (``ConfigurationError``, also a
``ValueError``, for a bad size, factor or function), then calls the unchecked kernel of the same
name in ``purenn.kernels``.  Library code that already knows its shapes calls the kernels directly.

Entries may be floats, complex numbers (they carry the complex-step derivative) or any other
number: the functions that compute (``matmul``, ``add``, ``subtract``, ``multiply``, ``scale``,
``add_row``, ``column_sums``) compute in floats, so an int, a Fraction or a Decimal entry becomes
the nearest float first, and one too large for a float (10**400) is a DataError naming its entry.
NaN and ±inf entries follow IEEE 754 arithmetic, as in any calculator (training data is checked
more strictly: see ``as_float_matrix``).  Results are new lists; the arguments are never
modified.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

from purenn import kernels
from purenn.arguments import check_int, check_real, is_real, shown
from purenn.errors import ConfigurationError, DataError, ShapeError

if TYPE_CHECKING:
    from typing import Any, Callable, Sequence, Tuple

    from purenn.kernels import Matrix

    Shape = Tuple[int, int]

__all__ = [
    "shape",
    "check_matrix",
    "as_float_matrix",
    "format_shape",
    "zeros",
    "matmul",
    "transpose",
    "add",
    "subtract",
    "multiply",
    "scale",
    "apply",
    "add_row",
    "column_sums",
]


def format_shape(dimensions: tuple[int, ...]) -> str:
    """'n×m' for the shape (n, m), as error messages print it; any number of dimensions
    ('1×8×8' for an image, '10' for a vector).

    >>> format_shape((3, 4)), format_shape((1, 8, 8)), format_shape((10,))
    ('3×4', '1×8×8', '10')
    """
    return "×".join(str(size) for size in dimensions)


def _is_number(value: object) -> bool:
    # bool is an int subclass, but True in a matrix is almost always a mistake worth reporting.
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


# The types nearly every matrix holds: a row of only these is checked by one set operation in C
# (type(True) is bool, so booleans still go the slow way and are refused there).
_PLAIN_NUMBERS = frozenset({float, int})


def check_matrix(a: Any, where: str, name: str = "matrix") -> Shape:
    """Check that ``a`` is a non-empty rectangular list of lists (or tuples) of numbers; return
    (rows, cols).

    ``where`` names the public function doing the check and ``name`` the argument, so the
    ShapeError says e.g. "matmul: B is ragged: row 0 has 3 entries, row 2 has 2".

    >>> check_matrix([[1, 2.5, 3], [4, 5, 6]], "matmul", "B")
    (2, 3)
    >>> check_matrix([[1, 2, 3], [4, 5]], "matmul", "B")
    Traceback (most recent call last):
    ...
    purenn.errors.ShapeError: matmul: B is ragged: row 0 has 3 entries, row 1 has 2
    """
    if not isinstance(a, (list, tuple)) or not a:
        raise ShapeError(f"{where}: {name} must be a non-empty list of rows, got {shown(a)}")
    first = a[0]
    if not isinstance(first, (list, tuple)) or not first:
        raise ShapeError(
            f"{where}: {name} must be a list of non-empty rows, row 0 is {shown(first)}"
        )
    width = len(first)
    for index, row in enumerate(a):
        if not isinstance(row, (list, tuple)):
            raise ShapeError(f"{where}: {name} row {index} is not a list: {shown(row)}")
        if len(row) != width:
            raise ShapeError(
                f"{where}: {name} is ragged: row 0 has {width} entries, row {index} has {len(row)}"
            )
        if _PLAIN_NUMBERS.issuperset(map(type, row)):
            continue
        for column, value in enumerate(row):
            if not _is_number(value):
                raise ShapeError(
                    f"{where}: {name}[{index}][{column}] is not a number: {shown(value)}"
                )
    return len(a), width


def as_float_matrix(a: Any, where: str, name: str = "matrix") -> Matrix:
    """A checked copy of ``a`` with every entry converted to float (ints become floats).

    Raises ShapeError for a ragged, empty or non-numeric matrix and for complex entries, which
    only the gradient checker's complex step may introduce, into parameters, never into data;
    DataError for an entry that is NaN or ±inf, or too large for a float, naming its row and
    column: training on it could only end in a misleading "divergence".

    >>> as_float_matrix([[1, 2], [3, 4.5]], "fit", "X")
    [[1.0, 2.0], [3.0, 4.5]]
    >>> as_float_matrix([[1, float("nan")]], "fit", "X")
    Traceback (most recent call last):
    ...
    purenn.errors.DataError: fit: X[0][1] is nan; data must be finite numbers
    """
    check_matrix(a, where, name)
    try:
        matrix = [list(map(float, row)) for row in a]
    except TypeError:
        raise ShapeError(f"{where}: {name} must hold real numbers, found a complex one") from None
    except OverflowError:
        matrix = [
            [_bounded_float(value, where, f"{name}[{i}][{j}]") for j, value in enumerate(row)]
            for i, row in enumerate(a)
        ]
    for i, row in enumerate(matrix):
        # One sum per row in the common case; a non-finite sum is searched entry by entry
        # (finite entries near ±1e308 can overflow the sum).
        if not math.isfinite(sum(row)):
            for j, value in enumerate(row):
                if not math.isfinite(value):
                    raise DataError(
                        f"{where}: {name}[{i}][{j}] is {value}; data must be finite numbers"
                    )
    return matrix


def _bounded_float(value: Any, where: str, entry: str) -> float:
    try:
        return float(value)
    except OverflowError:
        raise DataError(f"{where}: {entry} is {str(value)[:16]}…, too large for a float") from None
    except (ArithmeticError, ValueError):  # Decimal("sNaN")
        raise DataError(f"{where}: {entry} is {shown(value)}, which has no float value") from None


# The entries the kernels compute with as they are; rows of only these are not copied.
_FLOATING = frozenset({float, complex})


def _computable(a: Any, where: str, name: str) -> Matrix:
    """``a`` checked (``check_matrix``), and as it is when every entry is a float or complex (no
    copy); otherwise a copy whose other entries are the nearest floats (complex ones, such as a
    NumPy complex, complex numbers), so that the kernels never meet an int too large for a
    float, a Decimal, which does not mix with floats, or a bool.

    >>> _computable([[1, 0.5], [2.0, 3.0]], "add", "A")
    [[1.0, 0.5], [2.0, 3.0]]
    """
    check_matrix(a, where, name)
    if all(_FLOATING.issuperset(map(type, row)) for row in a):
        return a  # type: ignore[no-any-return]
    # Matrix says floats; a complex entry (the complex step) is one too, as in the kernels.
    return [
        row if _FLOATING.issuperset(map(type, row))
        else [_entry(value, where, f"{name}[{i}][{j}]") for j, value in enumerate(row)]  # type: ignore[misc]
        for i, row in enumerate(a)
    ]


def _entry(value: Any, where: str, entry: str) -> float | complex:
    if isinstance(value, (float, complex)):
        return value
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        return complex(value)
    return _bounded_float(value, where, entry)


def shape(a: Matrix) -> Shape:
    """(rows, columns) of a matrix, after checking that it is one: (n, m) for n × m.

    >>> shape([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    (2, 3)
    """
    return check_matrix(a, "shape", "a")


def zeros(rows: int, columns: int) -> Matrix:
    """Z_ij = 0.0, the rows × columns matrix of zeros; both sizes must be ints ≥ 1
    (ConfigurationError).

    >>> zeros(2, 3)
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    >>> zeros(0, 3)
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: zeros: rows must be an int ≥ 1, got 0
    """
    check_int(rows, "rows", "zeros", 1)
    check_int(columns, "columns", "zeros", 1)
    return kernels.zeros(rows, columns)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _same_shape(where: str, a: Matrix, b: Matrix) -> tuple[Matrix, Matrix]:
    """(A, B) as ``_computable`` gives them, after checking that their shapes are equal."""
    a, b = _computable(a, where, "A"), _computable(b, where, "B")
    shape_a, shape_b = _shape_of(a), _shape_of(b)
    if shape_a != shape_b:
        raise ShapeError(
            f"{where}: shapes differ: A is {format_shape(shape_a)}, B is {format_shape(shape_b)}"
        )
    return a, b


def _shape_of(a: Matrix) -> Shape:
    # (rows, columns) of a matrix already checked.
    return len(a), len(a[0])


def matmul(a: Matrix, b: Matrix) -> Matrix:
    """C = A·B, (C)_ij = Σ_k A_ik B_kj; A is n × k, B is k × m, C is n × m.

    >>> matmul([[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]])
    [[19.0, 22.0], [43.0, 50.0]]
    >>> try:
    ...     matmul([[1.0, 2.0]], [[1.0, 2.0]])
    ... except ValueError as error:  # a ShapeError
    ...     print(error)
    matmul: cannot multiply A 1×2 by B 1×2: A has 2 columns but B has 1 row
    """
    a, b = _computable(a, "matmul", "A"), _computable(b, "matmul", "B")
    shape_a, shape_b = _shape_of(a), _shape_of(b)
    if shape_a[1] != shape_b[0]:
        raise ShapeError(
            f"matmul: cannot multiply A {format_shape(shape_a)} by B {format_shape(shape_b)}: "
            f"A has {_count(shape_a[1], 'column')} but B has {_count(shape_b[0], 'row')}"
        )
    return kernels.matmul(a, b)


def transpose(a: Matrix) -> Matrix:
    """(Aᵀ)_ij = A_ji; an n × m matrix becomes m × n.

    >>> transpose([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    """
    check_matrix(a, "transpose", "A")
    return kernels.transpose(a)


def add(a: Matrix, b: Matrix) -> Matrix:
    """(A + B)_ij = A_ij + B_ij; A and B have the same shape n × m, and so has the sum.

    >>> add([[1.0, 2.0]], [[10.0, 20.0]])
    [[11.0, 22.0]]
    >>> add([[1.0, 2.0]], [[1.0], [2.0]])
    Traceback (most recent call last):
    ...
    purenn.errors.ShapeError: add: shapes differ: A is 1×2, B is 2×1
    """
    return kernels.add(*_same_shape("add", a, b))


def subtract(a: Matrix, b: Matrix) -> Matrix:
    """(A − B)_ij = A_ij − B_ij; A and B have the same shape n × m, and so has the result.

    >>> subtract([[10.0, 20.0]], [[1.0, 2.0]])
    [[9.0, 18.0]]
    """
    return kernels.subtract(*_same_shape("subtract", a, b))


def multiply(a: Matrix, b: Matrix) -> Matrix:
    """(A ⊙ B)_ij = A_ij · B_ij, the elementwise (Hadamard) product; A, B and A ⊙ B are all
    n × m.

    >>> multiply([[1.0, 2.0], [3.0, 4.0]], [[10.0, 10.0], [0.5, -1.0]])
    [[10.0, 20.0], [1.5, -4.0]]
    """
    return kernels.multiply(*_same_shape("multiply", a, b))


def scale(a: Matrix, factor: float) -> Matrix:
    """(cA)_ij = c · A_ij for a number c, a finite real number or a complex one (anything else is
    a ConfigurationError); n × m stays n × m.

    >>> scale([[1.0, -2.0]], 0.5)
    [[0.5, -1.0]]
    """
    a = _computable(a, "scale", "A")
    if not (isinstance(factor, complex) or is_real(factor)):
        raise ConfigurationError(f"scale: factor must be a number, got {shown(factor)}")
    if not isinstance(factor, complex):  # a real factor: a finite float (10**400 and NaN refused)
        factor = check_real(factor, "factor", "scale")
    return kernels.scale(a, factor)


def apply(function: Callable[[float], float], a: Matrix) -> Matrix:
    """f(A)_ij = f(A_ij) for a scalar function f; n × m stays n × m.

    >>> apply(abs, [[-1.0, 2.0], [3.0, -4.0]])
    [[1.0, 2.0], [3.0, 4.0]]
    """
    if not callable(function):
        raise ConfigurationError(f"apply: function must be callable, got {shown(function)}")
    check_matrix(a, "apply", "A")
    return kernels.apply(function, a)


def add_row(a: Matrix, row: Sequence[float]) -> Matrix:
    """(A + 1·r)_ij = A_ij + r_j: the row vector r (length m) added to each row of n × m A;
    the result is n × m.

    >>> add_row([[1.0, 2.0], [3.0, 4.0]], [10.0, 20.0])
    [[11.0, 22.0], [13.0, 24.0]]
    """
    a, (row,) = _computable(a, "add_row", "A"), _computable([row], "add_row", "row")
    shape_a, shape_r = _shape_of(a), (1, len(row))
    if shape_r[1] != shape_a[1]:
        raise ShapeError(
            f"add_row: row has {shape_r[1]} entries but A is {format_shape(shape_a)}"
        )
    return kernels.add_row(a, row)


def column_sums(a: Matrix) -> list[float]:
    """s_j = Σ_i A_ij for n × m A; a list of m sums.

    >>> column_sums([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    [9.0, 12.0]
    """
    return kernels.column_sums(_computable(a, "column_sums", "A"))
