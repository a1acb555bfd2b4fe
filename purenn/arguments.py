"""Checks of the arguments users pass: counts, and numbers within a range.

Every public function that takes a size, a count, a rate or a fraction checks it here, so each
"must be" message reads the same way: the function, the argument, what it must be, and what it
got.  A bool is never accepted where a number is expected: True is an int to Python, but passing
it as a size or a rate is always a mistake.
"""

import math
from typing import Any, Optional

from purenn.errors import ConfigurationError

__all__ = ["is_real", "check_int", "check_real"]


def is_real(value: Any) -> bool:
    """True for an int or a float, False for a bool or anything else."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_int(value: Any, label: str, where: str, minimum: Optional[int] = None) -> int:
    """``value`` if it is an int (not a bool) ≥ ``minimum``; otherwise ConfigurationError
    "<where>: <label> must be an int ≥ <minimum>, got <value>"."""
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if is_int and (minimum is None or value >= minimum):
        return value  # type: ignore[no-any-return]
    wanted = "an int" if minimum is None else f"an int ≥ {minimum}"
    raise ConfigurationError(f"{where}: {label} must be {wanted}, got {value!r}")


def check_real(
    value: Any,
    label: str,
    where: str,
    *,
    low: Optional[float] = None,
    high: Optional[float] = None,
    include_low: bool = True,
) -> float:
    """``value`` as a float if it is a finite real number in the range; otherwise
    ConfigurationError naming ``where`` and ``label``.

    The range: ≥ low (> low when ``include_low`` is false) and, when ``high`` is given, < high;
    the message states it, e.g. "momentum must be a finite number in [0, 1)".
    """
    if is_real(value) and math.isfinite(value):
        above = low is None or value > low or (include_low and value == low)
        if above and (high is None or value < high):
            return float(value)
    raise ConfigurationError(
        f"{where}: {label} must be a finite number{_range_text(low, high, include_low)}, "
        f"got {value!r}"
    )


def _range_text(low: Optional[float], high: Optional[float], include_low: bool) -> str:
    if low is None:
        return ""
    if high is None:
        return f" {'≥' if include_low else '>'} {low:g}"
    return f" in {'[' if include_low else '('}{low:g}, {high:g})"
