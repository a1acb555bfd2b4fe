"""The step sweep: the error of each numerical derivative against its step size, the U-curve.

``step_sweep`` runs ``gradcheck`` at one step h after another, with a zero tolerance, and keeps
max |a − n| for each; ``format_sweep`` prints that as a table, one row per h, one column per
method.  Read by column, the difference methods fall (truncation ∝ hᵖ) then rise again
(round-off ∝ ε/h); the complex step has no round-off term and stays at rounding level.

It decides nothing and passes no verdict: that is ``checker``'s and ``report``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.gradient_checking.checker import gradcheck
from purenn.gradient_checking.numerical import METHODS, check_method
from purenn.network import Network

if TYPE_CHECKING:
    from typing import Any, Dict, List, Sequence, Tuple

    Sweep = Dict[str, List[Tuple[float, float]]]

__all__ = ["SWEEP_STEPS", "COMPLEX_SWEEP_STEPS", "step_sweep", "format_sweep"]

# Decimal powers of ten, parsed so each is the double nearest 10⁻ᵏ.
SWEEP_STEPS: tuple[float, ...] = tuple(float(f"1e-{k}") for k in range(1, 15))
COMPLEX_SWEEP_STEPS: tuple[float, ...] = (*SWEEP_STEPS, 1e-20, 1e-30, 1e-50, 1e-100, 1e-200, 1e-300)


def step_sweep(
    net: Network,
    X: Any,  # noqa: N803  (X, Y: the library's names for inputs and targets)
    Y: Any,  # noqa: N803
    methods: Sequence[str] = METHODS,
    steps: dict[str, Sequence[float]] | None = None,
    sample: int | None = None,
) -> Sweep:
    """{method: [(h, max |a − n|), ...]}: the error of each method against its step size.

    The reference a is backprop's gradient; X and Y are as for ``gradcheck``.  Steps default to
    SWEEP_STEPS (1e-1 … 1e-14), and COMPLEX_SWEEP_STEPS (down to 1e-300) for the complex step;
    ``steps`` gives other ones per method.  Entries whose steps cross a kink are skipped, as in
    gradcheck, so sweep a smooth network to see the whole curve.  ``sample``, as gradcheck's,
    checks that many entries of each parameter (the same ones at every step: gradcheck's seed
    is fixed) instead of all of them: a sweep is about 60 checks.

    >>> import purenn as pn
    >>> net = pn.Network([pn.Dense(2, 1, "sigmoid")], loss="sse", seed=0)
    >>> X, Y = [[0.0, 1.0], [1.0, 0.5]], [[1.0], [0.0]]
    >>> sweep = step_sweep(net, X, Y, ["forward"], {"forward": [1e-2, 1e-8]})
    >>> [h for h, _ in sweep["forward"]]
    [0.01, 1e-08]
    >>> error_at = dict(sweep["forward"])
    >>> error_at[1e-8] < error_at[1e-2] / 1000         # error ∝ h, until round-off
    True
    """
    for method in methods:
        check_method(method, "step_sweep")
    chosen = dict(steps) if steps is not None else {}
    sweep: Sweep = {}
    for method in methods:
        default = COMPLEX_SWEEP_STEPS if method == "complex" else SWEEP_STEPS
        sweep[method] = [
            (h, gradcheck(net, X, Y, method, eps=h, rtol=0.0, atol=0.0, sample=sample).max_abs_err)
            for h in chosen.get(method, default)
        ]
    return sweep


def format_sweep(sweep: Sweep) -> str:
    """A text table of a step sweep: one row per step h (largest first), one column per method,
    max |analytic − numeric|; "·" where a method was not run at that h.

    >>> print(format_sweep({"central": [(1e-2, 3.2e-6), (1e-5, 2.8e-11)],
    ...                     "complex": [(1e-2, 3.2e-6), (1e-30, 8.3e-17)]}))
          h     central     complex
      1e-02     3.2e-06     3.2e-06
      1e-05     2.8e-11           ·
      1e-30           ·     8.3e-17
    """
    methods = list(sweep)
    errors = {method: dict(rows) for method, rows in sweep.items()}
    steps = sorted({h for rows in sweep.values() for h, _ in rows}, reverse=True)
    lines = [f"{'h':>7}  " + "  ".join(f"{method:>10}" for method in methods)]
    for h in steps:
        cells = [
            f"{errors[method][h]:>10.1e}" if h in errors[method] else f"{'·':>10}"
            for method in methods
        ]
        lines.append(f"{h:>7.0e}  " + "  ".join(cells))
    return "\n".join(lines)
