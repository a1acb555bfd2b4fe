"""Checks of the arguments users pass: counts, flags, and numbers within a range.

Every public function that takes a size, a count, a flag, a rate or a fraction checks it here, so
each "must be" message reads the same way: the function, the argument, what it must be, and what
it got.  A bool is never accepted where a number is expected: True is an int to Python, but
passing it as a size or a rate is always a mistake.  Numbers of other types are converted exactly
where that is well defined: any Integral (a NumPy int) is a count, any Real (a Fraction) or a
Decimal becomes the nearest float, and one too large for a float (10**400) is refused by name
rather than overflowing somewhere below.
"""

import decimal
import math
import numbers
from typing import Any, Optional

from purenn.errors import ConfigurationError

__all__ = ["is_real", "check_int", "check_real", "check_flag"]


def is_real(value: Any) -> bool:
    """True for a real number (int, float, Fraction, Decimal, …), False for a bool or anything
    else (complex, str, None).

    >>> is_real(2), is_real(0.5), is_real(True), is_real(1j)
    (True, True, False, False)
    """
    real = isinstance(value, (numbers.Real, decimal.Decimal))
    return real and not isinstance(value, bool)


def check_int(
    value: Any,
    label: str,
    where: str,
    minimum: Optional[int] = None,
    maximum: Optional[int] = None,
) -> int:
    """``value`` as an int if it is an integer (not a bool) in [minimum, maximum]; otherwise
    ConfigurationError "<where>: <label> must be an int ≥ <minimum>, got <value>".

    >>> check_int(3, "epochs", "fit", 0)
    3
    >>> check_int(True, "epochs", "fit", 0)
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: fit: epochs must be an int ≥ 0, got True
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        number = int(value)
        if (minimum is None or number >= minimum) and (maximum is None or number <= maximum):
            return number
    raise ConfigurationError(
        f"{where}: {label} must be {_int_range_text(minimum, maximum)}, got {value!r:.60}"
    )


def _int_range_text(minimum: Optional[int], maximum: Optional[int]) -> str:
    if minimum is not None and maximum is not None:
        return f"an int in [{minimum}, {maximum}]"
    if minimum is not None:
        return f"an int ≥ {minimum}"
    return "an int" if maximum is None else f"an int ≤ {maximum}"


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

    >>> from fractions import Fraction
    >>> check_real(Fraction(1, 4), "momentum", "SGD", low=0.0, high=1.0)
    0.25
    >>> check_real(10**400, "lr", "SGD", low=0.0)
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: SGD: lr must be a finite number ≥ 0, got 1000000000000000…
    """
    number = _as_float(value)
    if number is not None and math.isfinite(number):
        above = low is None or number > low or (include_low and number == low)
        if above and (high is None or number < high):
            return number
    raise ConfigurationError(
        f"{where}: {label} must be a finite number{_range_text(low, high, include_low)}, "
        f"got {_short(value)}"
    )


def _as_float(value: Any) -> Optional[float]:
    """The nearest float to a real number, or None for anything else (or too large a one)."""
    if not is_real(value):
        return None
    try:
        return float(value)
    except (OverflowError, ValueError, decimal.InvalidOperation):  # 10**400, Decimal("sNaN")
        return None


def _short(value: Any) -> str:
    # repr(10**4000) is four thousand digits; a message needs the start.
    text = repr(value)
    return text if len(text) <= 40 else text[:16] + "…"


def _range_text(low: Optional[float], high: Optional[float], include_low: bool) -> str:
    if low is None:
        return ""
    if high is None:
        return f" {'≥' if include_low else '>'} {low:g}"
    return f" in {'[' if include_low else '('}{low:g}, {high:g})"


def check_flag(value: Any, label: str, where: str) -> bool:
    """``value`` as a bool if it is True or False (or 1 or 0); otherwise ConfigurationError.

    >>> check_flag(1, "shuffle", "fit")
    True
    >>> check_flag("no", "shuffle", "fit")
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: fit: shuffle must be True or False, got 'no'
    """
    if isinstance(value, (bool, int)) and value in (0, 1):
        return bool(value)
    raise ConfigurationError(f"{where}: {label} must be True or False, got {_short(value)}")
