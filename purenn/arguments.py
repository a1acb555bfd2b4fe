"""Checks of the arguments users pass: counts, flags, and numbers within a range.

Every public function that takes a size, a count, a flag, a rate or a fraction checks it here, so
each "must be" message reads the same way: the function, the argument, what it must be, and what
it got.  A bool is never accepted where a number is expected: True is an int to Python, but
passing it as a size or a rate is always a mistake.  Numbers of other types are converted exactly
where that is well defined: any Integral (a NumPy int) is a count, any Real (a Fraction) or a
Decimal becomes the nearest float, and one too large for a float (10**400) is refused by name
rather than overflowing somewhere below.

Two rules hold everywhere:

* **Sizes.** No matrix purenn is asked to allocate (a layer's weights, a one-hot encoding, a
  generated data set) may hold more than MAX_ENTRIES numbers; ``check_entries`` refuses a larger
  one by name before anything is allocated.
* **Seeds.** A seed is None (fresh entropy: not reproducible) or an int ≥ 0 (``check_seed``).
  Python's ``random.seed`` hashes a negative int by its absolute value, so −7 and 7 would give
  the same stream; a float or a str seeds too, but from its hash or bytes, which is easy to get
  wrong (7.0 and 7 differ).  Those are refused rather than given a meaning.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

from purenn.errors import ConfigurationError

if TYPE_CHECKING:
    from typing import Any, Iterator

__all__ = [
    "MAX_ENTRIES",
    "is_real",
    "check_int",
    "check_real",
    "check_flag",
    "check_entries",
    "check_seed",
    "shown",
]

MAX_ENTRIES = 10**8
"""The most numbers one matrix may hold.  Each is a Python float in a list, about 32 bytes, so
this is ~3 GB, and a pure-Python pass over it takes minutes: anything larger is a typo (a layer
of 10**6 × 10**6 units), refused by name before a MemoryError or a hang."""


def is_real(value: Any) -> bool:
    """True for a real number (int, float, Fraction, Decimal, …), False for a bool or anything
    else (complex, str, None).

    >>> is_real(2), is_real(0.5), is_real(True), is_real(1j)
    (True, True, False, False)
    """
    # A Decimal is a numbers.Number but not a Real (it does not mix with floats), nor a Complex.
    real = isinstance(value, numbers.Real) or (
        isinstance(value, numbers.Number) and not isinstance(value, numbers.Complex)
    )
    return real and not isinstance(value, bool)


def check_int(
    value: Any,
    label: str,
    where: str,
    minimum: int | None = None,
    maximum: int | None = None,
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
        f"{where}: {label} must be {_int_range_text(minimum, maximum)}, got {shown(value)}"
    )


def _int_range_text(minimum: int | None, maximum: int | None) -> str:
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
    low: float | None = None,
    high: float | None = None,
    include_low: bool = True,
) -> float:
    """``value`` as a float if it is a finite real number in the range; otherwise
    ConfigurationError naming ``where`` and ``label``.

    The range: ≥ low (> low when ``include_low`` is false) and, when ``high`` is given, < high;
    the message states it, e.g. "momentum must be a finite number in [0, 1)".

    >>> from fractions import Fraction
    >>> check_real(Fraction(1, 4), "momentum", "SGD", low=0.0, high=1.0)
    0.25
    >>> check_real(10**400, "lr", "SGD", low=0.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: SGD: lr must be a finite number ≥ 0, got 1000000000...
    """
    number = _as_float(value)
    if number is not None and math.isfinite(number):
        above = low is None or number > low or (include_low and number == low)
        if above and (high is None or number < high):
            return number
    raise ConfigurationError(
        f"{where}: {label} must be a finite number{_range_text(low, high, include_low)}, "
        f"got {shown(value)}"
    )


def _as_float(value: Any) -> float | None:
    """The nearest float to a real number, or None for anything else (or too large a one)."""
    if not is_real(value):
        return None
    try:
        return float(value)
    # 10**400 overflows; Decimal("sNaN") raises decimal.InvalidOperation, an ArithmeticError.
    except (ArithmeticError, ValueError):
        return None


def shown(value: Any, limit: int = 60) -> str:
    """repr(value), cut after ``limit`` characters with "…", for messages; safe for anything a
    user may pass, and about O(limit) work however large the value.

    repr itself can fail or never end: an int of more than 4300 digits raises ValueError
    (CPython 3.11+), a list nested 5,000 deep raises RecursionError on CPython up to 3.12 and
    overflows the JavaScript stack under Pyodide (a fatal error, not an exception), a list of 10**8
    numbers takes seconds, and a user's own class may raise anything.  So lists and tuples are
    walked here, without recursion, only as far as the message shows.

    >>> shown(0.5), shown(10**400, limit=8), shown([1.0, (2,), []])
    ('0.5', '10000000…', '[1.0, (2,), []]')
    >>> deep = []
    >>> for _ in range(5_000):
    ...     deep = [deep]
    >>> shown(deep, limit=10)
    '[[[[[[[[[[…'
    """
    text = _first_characters(value, limit + 1)
    return text if len(text) <= limit else text[:limit] + "…"


_BRACKETS: dict[type, tuple[str, str]] = {list: ("[", "]"), tuple: ("(", ")")}


def _first_characters(value: Any, count: int) -> str:
    """At least the first ``count`` characters of repr(value) (all of it when shorter)."""
    pieces: list[str] = []
    length = 0
    # One entry per open list or tuple: its items still to show, its closing text, how many
    # were shown, and its id (a list that contains itself shows as [...], as repr does).
    open_: list[tuple[Iterator[Any], str, list[int], int]] = []
    item, have_item = value, True
    while length < count:
        if have_item:
            piece = _open_or_leaf(item, open_)
            pieces.append(piece)
            length += len(piece)
        if not open_:
            break
        items, closing, shown_count, _ = open_[-1]
        item = next(items, _END)
        have_item = item is not _END
        if not have_item:
            open_.pop()
            pieces.append(closing)
            length += len(closing)
        elif shown_count[0]:
            pieces.append(", ")
            length += 2
        shown_count[0] += have_item
    return "".join(pieces)


_END = object()


def _open_or_leaf(item: Any, open_: list[tuple[Iterator[Any], str, list[int], int]]) -> str:
    kind = _BRACKETS.get(type(item))
    if kind is None:
        return _leaf_repr(item)
    opening, closing = kind
    if any(entry[3] == id(item) for entry in open_):
        return opening + "..." + closing
    if type(item) is tuple and len(item) == 1:
        closing = ",)"
    open_.append((iter(item), closing, [0], id(item)))
    return opening


def _leaf_repr(value: Any) -> str:
    if isinstance(value, int) and value.bit_length() > 10_000:
        return f"<int of {value.bit_length()} bits>"
    try:
        return repr(value)
    except Exception:  # RecursionError from a deep dict or a user's class included
        return f"<{type(value).__name__} whose repr fails>"


def _range_text(low: float | None, high: float | None, include_low: bool) -> str:
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
    raise ConfigurationError(f"{where}: {label} must be True or False, got {shown(value)}")


def check_entries(count: int, what: str, where: str) -> int:
    """``count`` if a matrix of that many numbers may be allocated (at most MAX_ENTRIES);
    otherwise ConfigurationError naming ``where`` and ``what``.

    >>> check_entries(6, "the weights 2×3", "Dense")
    6
    >>> check_entries(10**12, "the weights 10⁶×10⁶", "Dense")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: Dense: the weights 10⁶×10⁶ would hold 1000000000000 ...
    """
    if count > MAX_ENTRIES:
        raise ConfigurationError(
            f"{where}: {what} would hold {shown(count)} numbers; at most {MAX_ENTRIES} fit "
            "(each a Python float, ~32 bytes)"
        )
    return count


def check_seed(value: Any, where: str) -> int | None:
    """A seed: None, or an int ≥ 0 (see the module docstring for why nothing else).

    >>> check_seed(7, "Network"), check_seed(None, "Network")
    (7, None)
    >>> check_seed(-7, "Network")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: Network: seed must be None or an int ≥ 0 (random maps ...
    """
    if value is None:
        return None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= 0:
        return int(value)
    raise ConfigurationError(
        f"{where}: seed must be None or an int ≥ 0 (random maps -7 and 7 to the same "
        f"stream), got {shown(value)}"
    )
