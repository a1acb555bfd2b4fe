"""Checks of values read from a file: each one returns the value, or raises ModelFormatError.

A file's contents arrive as plain data (dicts, lists, strings, ints, floats, None, booleans from
JSON or a NumPy header).  Each function here checks one value against what the format expects
and names it in the error: ``where`` says which call and which file ("load: model.json"), and
``label`` the field inside it ("layers[0].n_in"), so every message reads
"load: model.json: layers[0].n_in must be an int ≥ 1, got 'three'".

Booleans are never numbers here: JSON's ``true`` is not 1.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn.arguments import check_int, shown
from purenn.errors import ConfigurationError, ModelFormatError
from purenn.matrix import format_shape

if TYPE_CHECKING:
    from typing import Any, NoReturn, Sequence

    from purenn.kernels import Matrix

__all__ = [
    "fail",
    "expect_keys",
    "expect_int",
    "expect_flag",
    "expect_text",
    "expect_number",
    "expect_list",
    "expect_matrix",
    "expect_like",
    "expect_plain",
]


def fail(where: str, message: str) -> NoReturn:
    """Raise ModelFormatError("<where>: <message>").

    >>> fail("load: m.json", "not a purenn file")
    Traceback (most recent call last):
    ...
    purenn.errors.ModelFormatError: load: m.json: not a purenn file
    """
    raise ModelFormatError(f"{where}: {message}") from None


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:36] + "…"


def expect_keys(value: Any, keys: Sequence[str], label: str, where: str) -> dict[str, Any]:
    """``value`` if it is a dict (a JSON object) with exactly ``keys``; the error names the
    first missing or unexpected key.

    >>> expect_keys({"a": 1}, ["a", "b"], "layer", "load: m.json")
    Traceback (most recent call last):
    ...
    purenn.errors.ModelFormatError: load: m.json: layer has no 'b'
    """
    if not isinstance(value, dict):
        fail(where, f"{label} must be an object with {', '.join(keys)}, got {_describe(value)}")
    for key in keys:
        if key not in value:
            fail(where, f"{label} has no {shown(key)}")
    for key in value:
        if key not in keys:
            fail(where, f"{label} has an unexpected {shown(key)} (it holds {', '.join(keys)})")
    return value


def expect_int(
    value: Any, label: str, where: str, minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """``value`` if it is an int (not a bool) in [minimum, maximum].

    >>> expect_int(3, "n_in", "load: m.json", 1)
    3
    """
    try:
        return check_int(value, label, where, minimum, maximum)
    except ConfigurationError as error:
        raise ModelFormatError(str(error)) from None


def expect_flag(value: Any, label: str, where: str) -> bool:
    """``value`` if it is True or False (JSON true/false; 0 and 1 are refused).

    >>> expect_flag(1, "bias", "load: m.json")
    Traceback (most recent call last):
    ...
    purenn.errors.ModelFormatError: load: m.json: bias must be true or false, got 1
    """
    if not isinstance(value, bool):
        fail(where, f"{label} must be true or false, got {_describe(value)}")
    return value


def expect_text(value: Any, label: str, where: str) -> str:
    """``value`` if it is a string.

    >>> expect_text("sse", "loss.name", "load: m.json")
    'sse'
    """
    if not isinstance(value, str):
        fail(where, f"{label} must be a string, got {_describe(value)}")
    return value


def expect_number(value: Any, label: str, where: str) -> float:
    """``value`` as a float if it is a finite int or float (not a bool).

    >>> expect_number(2, "slope", "load: m.json")
    2.0
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if math.isfinite(number):
            return number
    fail(where, f"{label} must be a finite number, got {_describe(value)}")


def expect_list(value: Any, label: str, where: str, length: int | None = None) -> list[Any]:
    """``value`` if it is a list (a JSON array), of ``length`` items when given.

    >>> expect_list([0.9], "betas", "load: m.json", 2)
    Traceback (most recent call last):
    ...
    purenn.errors.ModelFormatError: load: m.json: betas must hold 2 items, got 1
    """
    if not isinstance(value, list):
        fail(where, f"{label} must be a list, got {_describe(value)}")
    if length is not None and len(value) != length:
        fail(where, f"{label} must hold {length} items, got {len(value)}")
    return value


def _number_row(row: Any, label: str, where: str) -> list[float]:
    """A row of finite numbers as floats; the fast path takes a list of finite floats as is."""
    values = expect_list(row, label, where)
    # The common case in one pass: a row of floats whose sum is finite has no inf or NaN
    # (finite floats near ±1e308 may overflow the sum: then the slow path looks at each).
    if all(type(value) is float for value in values) and math.isfinite(sum(values)):
        return values[:]
    return [expect_number(value, f"{label}[{index}]", where) for index, value in enumerate(values)]


def expect_matrix(
    value: Any, label: str, where: str, shape: tuple[int, int] | None = None
) -> Matrix:
    """``value`` as a new float matrix: a non-empty list of equally long, non-empty rows of
    finite numbers, of ``shape`` (rows, columns) when given.

    >>> expect_matrix([[1, 2.5]], "w", "load: m.json", (1, 2))
    [[1.0, 2.5]]
    >>> expect_matrix([[1.0], [2.0]], "w", "load: m.json", (1, 2))
    Traceback (most recent call last):
    ...
    purenn.errors.ModelFormatError: load: m.json: w is 2×1 but must be 1×2
    """
    rows = expect_list(value, label, where)
    matrix = [_number_row(row, f"{label}[{index}]", where) for index, row in enumerate(rows)]
    if not matrix or not matrix[0]:
        fail(where, f"{label} must be a non-empty matrix, got {_describe(value)}")
    width = len(matrix[0])
    for index, row in enumerate(matrix):
        if len(row) != width:
            fail(where, f"{label} is ragged: row 0 has {width} numbers, row {index} {len(row)}")
    got = (len(matrix), width)
    if shape is not None and got != shape:
        fail(where, f"{label} is {format_shape(got)} but must be {format_shape(shape)}")
    return matrix


def expect_like(value: Any, example: Any, label: str, where: str) -> Any:
    """``value`` checked to be the same kind of plain value as ``example``: a bool for a bool,
    an int for an int, a finite number (int or float) for a float, a string for a string, a
    list of as many items, each like the example's, for a list or tuple.  For arguments whose
    defaults are known (an optimizer's
    hyper-parameters, an activation's slope).

    >>> expect_like([0.9, 0.99], (0.9, 0.999), "betas", "load: m.json")
    [0.9, 0.99]
    >>> expect_like(True, 0.01, "slope", "load: m.json")
    Traceback (most recent call last):
    ...
    purenn.errors.ModelFormatError: load: m.json: slope must be a finite number, got True
    """
    if isinstance(example, bool):
        return expect_flag(value, label, where)
    if isinstance(example, int):
        return expect_int(value, label, where)
    if isinstance(example, float):
        return expect_number(value, label, where)
    if isinstance(example, str):
        return expect_text(value, label, where)
    if isinstance(example, (list, tuple)):
        items = expect_list(value, label, where, len(example))
        return [
            expect_like(item, model, f"{label}[{index}]", where)
            for index, (item, model) in enumerate(zip(items, example))
        ]
    fail(where, f"{label} has no plain form (its default is {_describe(example)})")


def expect_plain(value: Any, label: str, where: str) -> Any:
    """``value`` if it is plain data, as a layer's config holds: null, a bool, an int, a finite
    number, a string, or a list of plain data, which comes back as a tuple; an object (a JSON
    dict) is refused.

    >>> expect_plain([3, [2, None]], "kernel_size", "load: m.json")
    (3, (2, None))
    >>> expect_plain({"a": 1}, "kernel_size", "load: m.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.ModelFormatError: load: m.json: kernel_size must be a number, a flag, ...
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return expect_number(value, label, where)
    if isinstance(value, list):
        return tuple(
            expect_plain(item, f"{label}[{index}]", where) for index, item in enumerate(value)
        )
    fail(where, f"{label} must be a number, a flag, a string, null or a list of them, got "
                f"{_describe(value)}")
