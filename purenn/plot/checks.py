"""Checks of what the picture functions are given, with one rule for which error is raised.

ShapeError when sizes do not fit: an empty, ragged or non-numeric matrix, lengths that differ,
data that is not 2-D where a plane is drawn, an image of the wrong length.  DataError when a
value cannot be drawn: NaN or ±inf (as everywhere in purenn).  ConfigurationError when an option
is wrong: a log scale with nothing positive, an argument of the wrong kind.  Every message starts
with the picture function's name and names the argument, e.g. "loss_curve: history.loss[3] is
nan; only finite values can be drawn".  All three are ValueErrors.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn.arguments import is_real, shown
from purenn.errors import ConfigurationError, DataError
from purenn.matrix import as_float_matrix

if TYPE_CHECKING:
    from typing import Any

    from purenn.kernels import Matrix

__all__ = ["finite_values", "finite_matrix", "optional_text", "optional_names", "short"]


def _not_finite(value: float, where: str, name: str) -> DataError:
    return DataError(f"{where}: {name} is {shown(value)}; only finite values can be drawn")


def finite_values(values: Any, where: str, name: str) -> list[float]:
    """``values`` (a list or tuple of real numbers, possibly empty) as floats.

    ConfigurationError naming ``where`` and ``name[i]`` for a value that is not a real number
    (bools included), DataError for one that is not finite.

    >>> finite_values([1, 2.5], "demo", "ys")
    [1.0, 2.5]
    >>> finite_values([1, float("nan")], "demo", "ys")
    Traceback (most recent call last):
    ...
    purenn.errors.DataError: demo: ys[1] is nan; only finite values can be drawn
    """
    if not isinstance(values, (list, tuple)):
        raise ConfigurationError(f"{where}: {name} must be a list of numbers, got {shown(values)}")
    for index, value in enumerate(values):
        if not is_real(value):
            raise ConfigurationError(f"{where}: {name}[{index}] is not a number: {shown(value)}")
        if not math.isfinite(value):
            raise _not_finite(value, where, f"{name}[{index}]")
    return [float(value) for value in values]


def finite_matrix(matrix: Any, where: str, name: str) -> Matrix:
    """A float copy of a non-empty rectangular matrix of finite reals.

    ShapeError (from ``purenn.matrix.as_float_matrix``) when it is not a matrix, DataError
    naming ``name[i][j]`` for NaN or ±inf (``as_float_matrix`` refuses those itself).

    >>> finite_matrix([[1, 2], [3, 4]], "demo", "X")
    [[1.0, 2.0], [3.0, 4.0]]
    """
    return as_float_matrix(matrix, where, name)


def optional_text(value: Any, where: str, name: str) -> str | None:
    """``value`` if it is a str or None; ConfigurationError otherwise.

    >>> optional_text("Loss", "demo", "title")
    'Loss'
    """
    if value is None or isinstance(value, str):
        return value
    raise ConfigurationError(f"{where}: {name} must be a str or None, got {shown(value)}")


def optional_names(value: Any, count: int, where: str, name: str) -> list[str] | None:
    """``value`` as a list of ``count`` or more str (names of features or classes), or None;
    ConfigurationError otherwise.

    >>> optional_names(("cat", "dog"), 2, "demo", "class_names")
    ['cat', 'dog']
    """
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and len(value) >= count and all(
            isinstance(item, str) for item in value):
        return list(value)
    raise ConfigurationError(
        f"{where}: {name} must be a list of at least {count} str, got {shown(value)}"
    )


def short(label: str, limit: int = 14) -> str:
    """``label`` cut to ``limit`` characters with "…", so a long name fits beside a unit.

    >>> short("sepal length (cm)")
    'sepal length …'
    """
    return label if len(label) <= limit else label[:limit - 2] + " …"
