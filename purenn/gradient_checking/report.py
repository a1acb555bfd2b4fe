"""The report of a gradient check: entries, their summaries, verdicts and the printed table.

An ``EntryCheck`` is one compared entry: analytic a (backprop), numeric n, and whether it passed
the rule |a − n| ≤ atol + rtol·max(|a|, |n|) (``passes``).  ``Summary`` computes everything a
reader asks of a list of entries (ok, counts, largest errors, the worst entry, the failures, a
verdict), once, for both a parameter's row (``ParameterCheck``) and the whole check
(``GradientCheckResult``, whose entries are all the rows' entries).  ``format_result`` is the
table ``print(result)`` shows.

Nothing here computes a derivative or touches a network: the checker fills these in.
"""

from __future__ import annotations

import math

from purenn.matrix import format_shape

__all__ = [
    "RELATIVE_ERROR_FLOOR",
    "VERDICT_BANDS",
    "passes",
    "verdict",
    "EntryCheck",
    "Summary",
    "ParameterCheck",
    "GradientCheckResult",
    "format_result",
]

# Entries smaller than this are judged on absolute rather than relative error in ``rel_err``
# (a relative error of a 1e-12 gradient measures only noise); equals atol/rtol of every default
# tolerance of the checker.
RELATIVE_ERROR_FLOOR = 1e-2

# Upper bounds of the relative error per verdict, as a teacher reads the table: a correct
# gradient checked by central differences is typically ≤ 1e-7, by the complex step ≤ 1e-14; a
# few entries near kinks or with large curvature can reach 1e-5; beyond 1e-3 it is a bug.
VERDICT_BANDS: tuple[tuple[float, str], ...] = (
    (1e-7, "excellent"),
    (1e-5, "good"),
    (1e-3, "suspicious"),
    (math.inf, "wrong"),
)

_METHOD_TITLES = {
    "forward": "forward differences",
    "central": "central differences",
    "richardson": "Richardson extrapolation of central differences",
    "complex": "complex step",
}


def passes(analytic: float, numeric: float, rtol: float, atol: float) -> bool:
    """The pass rule: |a − n| ≤ atol + rtol·max(|a|, |n|).

    >>> passes(1.0, 1.0 + 1e-9, rtol=1e-5, atol=1e-7), passes(1.0, 0.5, rtol=1e-5, atol=1e-7)
    (True, False)
    """
    return abs(analytic - numeric) <= atol + rtol * max(abs(analytic), abs(numeric))


def verdict(rel_err: float) -> str:
    """The VERDICT_BANDS label of a relative error.

    >>> verdict(3e-9), verdict(2e-6), verdict(1e-4), verdict(0.5)
    ('excellent', 'good', 'suspicious', 'wrong')
    """
    for bound, label in VERDICT_BANDS:
        if rel_err <= bound:
            return label
    return VERDICT_BANDS[-1][1]  # NaN compares false with every bound


class EntryCheck:
    """One checked entry: ``parameter`` name, ``index`` (i, j), ``analytic`` a, ``numeric`` n,
    and whether it passed the rule (``ok``, see ``passes``).

    >>> entry = EntryCheck("layers[0].weights", (0, 1), analytic=0.5, numeric=0.25, ok=False)
    >>> entry.abs_err, entry.rel_err
    (0.25, 0.5)
    >>> print(entry)
    layers[0].weights[0, 1]: analytic 0.5, numeric 0.25
    """

    __slots__ = ("analytic", "index", "numeric", "ok", "parameter")

    def __init__(
        self, parameter: str, index: tuple[int, int], analytic: float, numeric: float, ok: bool
    ) -> None:
        self.parameter, self.index = parameter, index
        self.analytic, self.numeric, self.ok = analytic, numeric, ok

    def __repr__(self) -> str:
        return (
            f"EntryCheck({self.parameter!r}, {self.index}, analytic={self.analytic!r}, "
            f"numeric={self.numeric!r}, ok={self.ok})"
        )

    @property
    def abs_err(self) -> float:
        """|a − n|."""
        return abs(self.analytic - self.numeric)

    @property
    def rel_err(self) -> float:
        """|a − n| / max(|a|, |n|, RELATIVE_ERROR_FLOOR)."""
        scale = max(abs(self.analytic), abs(self.numeric), RELATIVE_ERROR_FLOOR)
        return self.abs_err / scale

    def __str__(self) -> str:
        i, j = self.index
        return (
            f"{self.parameter}[{i}, {j}]: analytic {self.analytic:.15g}, "
            f"numeric {self.numeric:.15g}"
        )


class Summary:
    """What a list of checked ``entries`` says, with ``n_skipped`` entries skipped at kinks.

    The one implementation of the summaries, shared by ParameterCheck (one parameter's entries)
    and GradientCheckResult (every entry).  A subclass provides the two attributes.

    >>> wrong = EntryCheck("b", (0, 0), analytic=0.5, numeric=0.25, ok=False)
    >>> row = ParameterCheck("b", (1, 2), (wrong,), n_skipped=1)
    >>> both = GradientCheckResult("central", 1e-5, 1e-7, 6e-6, (row, row))
    >>> [(s.n_checked, s.n_skipped, s.max_rel_err, s.verdict, bool(s)) for s in (row, both)]
    [(1, 1, 0.5, 'wrong', False), (2, 2, 0.5, 'wrong', False)]
    """

    entries: tuple[EntryCheck, ...]
    n_skipped: int

    @property
    def n_checked(self) -> int:
        """Entries compared."""
        return len(self.entries)

    @property
    def ok(self) -> bool:
        """True when every checked entry passes (vacuously true if every entry was skipped).

        >>> right = EntryCheck("w", (0, 0), analytic=1.0, numeric=1.0, ok=True)
        >>> ParameterCheck("w", (1, 1), (right,)).ok
        True
        """
        return all(entry.ok for entry in self.entries)

    def __bool__(self) -> bool:
        """``ok``, so ``assert gradcheck(...)`` and ``if gradcheck(...)`` read naturally."""
        return self.ok

    @property
    def failures(self) -> list[EntryCheck]:
        """Every checked entry that failed the pass rule.

        >>> wrong = EntryCheck("w", (0, 0), analytic=0.5, numeric=0.25, ok=False)
        >>> ParameterCheck("w", (1, 1), (wrong,)).failures == [wrong]
        True
        """
        return [entry for entry in self.entries if not entry.ok]

    @property
    def max_abs_err(self) -> float:
        """max |a − n| over the checked entries (0 if none).

        >>> wrong = EntryCheck("w", (0, 0), analytic=0.5, numeric=0.25, ok=False)
        >>> ParameterCheck("w", (1, 1), (wrong,)).max_abs_err
        0.25
        """
        return max((entry.abs_err for entry in self.entries), default=0.0)

    @property
    def max_rel_err(self) -> float:
        """max |a − n| / max(|a|, |n|, 1e-2) over the checked entries (0 if none)."""
        return max((entry.rel_err for entry in self.entries), default=0.0)

    @property
    def worst(self) -> EntryCheck | None:
        """The checked entry with the largest relative error (None if none was checked).

        >>> small = EntryCheck("w", (0, 0), analytic=1.0, numeric=1.0, ok=True)
        >>> large = EntryCheck("w", (0, 1), analytic=0.5, numeric=0.25, ok=False)
        >>> ParameterCheck("w", (1, 2), (small, large)).worst is large
        True
        """
        return max(self.entries, key=lambda entry: entry.rel_err, default=None)

    @property
    def verdict(self) -> str:
        """VERDICT_BANDS label of max_rel_err ("not checked" when every entry was skipped)."""
        return verdict(self.max_rel_err) if self.entries else "not checked"


class ParameterCheck(Summary):
    """The check of one parameter: its ``name``, its ``shape`` (rows, columns), the ``entries``
    checked, and ``n_skipped``, the entries skipped because a step crossed a kink.

    >>> right = EntryCheck("layers[0].bias", (0, 0), 1.0, 1.0, ok=True)
    >>> wrong = EntryCheck("layers[0].bias", (0, 1), 0.5, 0.25, ok=False)
    >>> row = ParameterCheck("layers[0].bias", (1, 3), (right, wrong), n_skipped=1)
    >>> row.ok, row.n_checked, row.n_skipped, row.max_rel_err, row.verdict
    (False, 2, 1, 0.5, 'wrong')
    >>> row.worst is wrong and row.failures == [wrong]
    True
    """

    def __init__(
        self, name: str, shape: tuple[int, int], entries: tuple[EntryCheck, ...],
        n_skipped: int = 0,
    ) -> None:
        self.name, self.shape, self.entries, self.n_skipped = name, shape, entries, n_skipped

    def __repr__(self) -> str:
        return (
            f"ParameterCheck({self.name!r}, {self.shape}, <{_entries(self.n_checked)}>, "
            f"n_skipped={self.n_skipped})"
        )


class GradientCheckResult(Summary):
    """What ``gradcheck`` found: one ParameterCheck per parameter (``parameters``), and the
    ``method``, tolerances (``rtol``, ``atol``) and base ``step`` used.  Its summaries (ok,
    max_abs_err, max_rel_err, n_checked, n_skipped, worst, failures) are those of every entry
    of every parameter; ``str(result)`` is the table of ``format_result``.

    >>> import purenn as pn
    >>> net = pn.Network([pn.Dense(2, 1, "sigmoid")], loss="sse", seed=0)
    >>> result = pn.gradcheck(net, [[0.0, 1.0], [1.0, 0.5]], [[1.0], [0.0]])
    >>> result.ok, result.n_checked, [row.name for row in result.parameters]
    (True, 3, ['layers[0].weights', 'layers[0].bias'])
    """

    def __init__(
        self, method: str, rtol: float, atol: float, step: float,
        parameters: tuple[ParameterCheck, ...],
    ) -> None:
        self.method, self.rtol, self.atol, self.step = method, rtol, atol, step
        self.parameters = parameters
        # The whole check is summarised as one list of entries, by the same code as a row.
        self.entries = tuple(entry for row in parameters for entry in row.entries)
        self.n_skipped = sum(row.n_skipped for row in parameters)

    def __repr__(self) -> str:
        return (
            f"GradientCheckResult({self.method!r}, rtol={self.rtol:g}, atol={self.atol:g}, "
            f"step={self.step:g}, ok={self.ok}, {_entries(self.n_checked)} checked)"
        )

    def __str__(self) -> str:
        return format_result(self)


def _power(x: float) -> str:
    # 1e-07 → "1e-7": the legend reads like the bands in the docs
    return format(x, ".0e").replace("e-0", "e-")


def _entries(count: int) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"


def _heading(result: GradientCheckResult) -> list[str]:
    status = "PASSED" if result.ok else f"FAILED ({_entries(len(result.failures))})"
    scaled = "" if result.method == "complex" else "·max(1, |θ|)"
    return [
        f"gradient check, {_METHOD_TITLES[result.method]}, h = {result.step:g}{scaled}: {status}",
        f"pass rule |a − n| ≤ {result.atol:g} + {result.rtol:g}·max(|a|, |n|); "
        f"{_entries(result.n_checked)} checked, {result.n_skipped} skipped at kinks",
    ]


def _rows(parameters: tuple[ParameterCheck, ...]) -> list[str]:
    width = max([len("parameter")] + [len(row.name) for row in parameters])
    header = (
        f"{'parameter':<{width}}  {'shape':>7}  {'checked':>7}  {'skipped':>7}  "
        f"{'max |a−n|':>9}  {'max rel':>9}  {'verdict':<11}  pass"
    )
    lines = [header, "-" * len(header)]
    for row in parameters:
        lines.append(
            f"{row.name:<{width}}  {format_shape(row.shape):>7}  {row.n_checked:>7}  "
            f"{row.n_skipped:>7}  {row.max_abs_err:>9.2e}  {row.max_rel_err:>9.2e}  "
            f"{row.verdict:<11}  {'yes' if row.ok else 'NO'}"
        )
    return lines


def _legend(worst: EntryCheck | None) -> list[str]:
    if worst is None:
        found = "no entry checked: every step crossed a kink"
    else:
        found = f"worst entry: {worst}"
    bands = ", ".join(f"≤{_power(bound)} {label}" for bound, label in VERDICT_BANDS[:-1])
    return [
        found,
        f"rel = |a − n| / max(|a|, |n|, {_power(RELATIVE_ERROR_FLOOR)}); verdicts: {bands}, "
        f"above: {VERDICT_BANDS[-1][1]}",
    ]


def format_result(result: GradientCheckResult) -> str:
    """The table ``str(result)`` prints: the method and status, the pass rule and counts, one
    line per parameter, the worst entry, and how to read the verdicts.

    >>> entry = EntryCheck("w", (0, 0), analytic=0.5, numeric=0.25, ok=False)
    >>> row = ParameterCheck("w", (1, 1), (entry,))
    >>> result = GradientCheckResult("central", 1e-5, 1e-7, 6e-6, (row,))
    >>> print(format_result(result))  # doctest: +ELLIPSIS
    gradient check, central differences, h = 6e-06·max(1, |θ|): FAILED (1 entry)
    pass rule |a − n| ≤ 1e-07 + 1e-05·max(|a|, |n|); 1 entry checked, 0 skipped at kinks
    parameter    shape  checked  skipped  max |a−n|    max rel  verdict      pass
    -----------------------------------------------------------------------------
    w              1×1        1        0   2.50e-01   5.00e-01  wrong        NO
    worst entry: w[0, 0]: analytic 0.5, numeric 0.25
    rel = |a − n| / max(|a|, |n|, 1e-2); verdicts: ≤1e-7 excellent, ≤1e-5 good, ...
    """
    return "\n".join(_heading(result) + _rows(result.parameters) + _legend(result.worst))
