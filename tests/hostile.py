"""Hostile values, in one place: what a careless or malicious user may pass where purenn
expects a number, a size, a seed, a matrix or a container.  Every hostile test draws from here.

Each list is a class of input from the hostile-input issue: numbers that are not floats yet,
non-finite data, absurd sizes, wrong structures; ``hostile_values()`` gives all of them, few enough
(about sixty) for a test to try every one at every public call.  Each list has a hypothesis
strategy beside it for the property tests.  ``PURENN_ERRORS`` is what may escape a public function
given any of them.
"""

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import strategies as st

import purenn as pn
from purenn.arguments import MAX_ENTRIES

PURENN_ERRORS = (pn.PurennError,)

HUGE_INT = 10**400  # an int no float can hold

NOT_FLOATS_YET_VALUES = [
    HUGE_INT, -HUGE_INT, Decimal("0.1"), Decimal("NaN"), Decimal("sNaN"), Decimal("1e999"),
    Fraction(1, 3), True, False, math.nan, math.inf, -math.inf, 1j, 2 + 0j, "0.1", b"1", None,
    [0.1], (0.1,), {"lr": 0.1}, object(),
]
"""Numbers a user may pass that are not floats, or are no numbers at all."""
NOT_FLOATS_YET = st.sampled_from(NOT_FLOATS_YET_VALUES)

NON_FINITE_VALUES = [math.nan, math.inf, -math.inf, HUGE_INT, 1e308 * 10]

ABSURD_SIZES_VALUES = [0, -1, -(10**6), 10**9, 10**20, HUGE_INT, 2.0, True, "3", None]
"""Sizes no layer, encoding or data set may allocate (or that are no sizes at all)."""
ABSURD_SIZES = st.sampled_from(ABSURD_SIZES_VALUES)

BAD_SEEDS_VALUES = [-1, -7, 1.0, math.nan, "7", b"7", True, [7], 7 + 0j, Decimal(7)]
"""Seeds that cannot be deterministic, or that Python's random would read surprisingly."""
BAD_SEEDS = st.sampled_from(BAD_SEEDS_VALUES)


def deeply_nested(depth: int = 5_000) -> list:
    """A list nested ``depth`` deep: [[[…]]].  5,000 is deep enough that repr raises
    RecursionError on CPython 3.8-3.12 and overflows the JavaScript stack under Pyodide (a fatal
    error), and shallow enough that Pyodide can still free it (10,000 it cannot)."""
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


BAD_CONTAINERS_VALUES = [
    None, 3, 3.5, "abc", b"abc", {"a": 1}, {1, 2}, object(), [], [[]], [1.0, 2.0],
    [[1.0], [1.0, 2.0]], [["1.0", 2.0]], [[None]], [[True, 1.0]], [[1j, 1.0]],
    deeply_nested(),
]
"""What may arrive where a matrix (rows of numbers) is expected."""


def hostile_values() -> list:
    """Every hostile value, once, and a generator of rows (new at each call: the first function
    that reads a generator spends it)."""
    return [*NOT_FLOATS_YET_VALUES, *NON_FINITE_VALUES, *ABSURD_SIZES_VALUES, *BAD_SEEDS_VALUES,
            *BAD_CONTAINERS_VALUES, (row for row in [[1.0, 2.0]])]


GENERATED = st.one_of(
    st.floats(),  # NaN, ±inf, subnormals, ±0.0 and ±1.8e308 included
    st.integers(max_value=200),
    st.integers(min_value=MAX_ENTRIES + 1),  # beyond the size limit: refused, never allocated
    st.decimals(), st.fractions(), st.complex_numbers(), st.booleans(), st.none(),
    st.text(max_size=8), st.binary(max_size=8),
    st.lists(st.floats(), max_size=3), st.lists(st.lists(st.floats(), max_size=3), max_size=3),
    st.tuples(st.floats(), st.floats()),
    st.dictionaries(st.text(max_size=3), st.floats(), max_size=2),
)
"""Values hypothesis makes up, beyond the lists above: any float, Decimal, Fraction, complex,
string, small container.  Ints stay ≤ 200 or above the size limit, because an int in between is
a legitimate size whose allocation would only make the test slow."""
