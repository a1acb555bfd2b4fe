"""Gradient checking: backpropagation against numerical derivatives of the loss, entry by entry.

For every entry θ of every parameter, the analytic ∂L/∂θ from ``Network.gradients`` is compared
with a numerical derivative computed from the loss alone, by one of four formulas:

    forward      D₊(h) = (L(θ + h) − L(θ)) / h                 error O(h) + O(ε/h)
    central      D(h)  = (L(θ + h) − L(θ − h)) / 2h            error O(h²) + O(ε/h)
    richardson   (4·D(h/2) − D(h)) / 3                         error O(h⁴) + O(ε/h)
    complex      Im L(θ + ih) / h                              error O(h²), no round-off term

The difference formulas subtract two nearly equal losses, so each loses about ε·|L|/h to
round-off (ε ≈ 2.2e-16) while the truncation error grows with h: the error against h is a U,
lowest near h ≈ √ε for forward, ∛ε for central, ε^(1/5) for Richardson.  The complex step
subtracts nothing, so h can be tiny (1e-30) and the derivative is exact to rounding, provided
the forward pass and loss are complex-safe (see ``purenn.scalar``).

Pass rule per entry, with analytic a and numeric n:  |a − n| ≤ atol + rtol · max(|a|, |n|).

Kinks: where an activation is not differentiable (relu at 0), a difference whose steps straddle
the kink measures neither one-sided derivative.  The checker records, at every loss evaluation,
which side of each kink every pre-activation lies on (``Activation.kinks``) and skips an entry
whose steps change that pattern.  The complex step moves θ only in the imaginary direction and
never crosses a kink, so it skips nothing.
"""

import math
import random
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Hashable, List, Optional, Sequence, Tuple, Union

from purenn.arguments import check_int, check_real
from purenn.errors import ConfigurationError, GradientCheckError
from purenn.kernels import Matrix
from purenn.matrix import check_matrix, format_shape
from purenn.network import Network

__all__ = [
    "METHODS",
    "DEFAULT_STEPS",
    "DEFAULT_TOLERANCES",
    "VERDICT_BANDS",
    "ComplexStepWarning",
    "EntryCheck",
    "ParameterCheck",
    "GradientCheckResult",
    "verdict",
    "format_result",
    "entry_derivative",
    "numerical_gradient",
    "gradcheck",
    "SWEEP_STEPS",
    "COMPLEX_SWEEP_STEPS",
    "step_sweep",
]

Number = Union[float, complex]
Evaluate = Callable[[], Number]

METHODS: Tuple[str, ...] = ("forward", "central", "richardson", "complex")

# Default base step h per method; the difference methods use h·max(1, |θ|), so the step stays
# the same number of ulps of θ for large entries (θ + h must differ from θ in enough bits), and
# is absolute for |θ| ≤ 1, where the loss's own round-off, not θ's, dominates.
DEFAULT_STEPS: Dict[str, float] = {
    # √ε ≈ 1.5e-8 balances truncation h·|L''|/2 against round-off ε|L|/h.
    "forward": 1.5e-8,
    # ∛ε ≈ 6e-6 balances truncation h²·|L'''|/6 against round-off ε|L|/h.
    "central": 6e-6,
    # ε^(1/5) ≈ 7e-4 balances the O(h⁴) truncation against round-off ε|L|/h.
    "richardson": 7e-4,
    # No subtraction, so no round-off term: any tiny h works; 1e-30 makes the O(h²) truncation
    # vanish entirely (h²·|L'''| ≪ ε) and is far above the smallest double (5e-324).
    "complex": 1e-30,
}

# (rtol, atol) per method.  atol/rtol = 1e-2 for each: gradient entries smaller than 1e-2 are
# judged on their absolute error, larger ones on their relative error.
DEFAULT_TOLERANCES: Dict[str, Tuple[float, float]] = {
    # Best forward error ≈ 2√(ε·|L''|·|L|) ≈ 3e-8 for L, L'' of order 1; relative 1e-4 leaves
    # room for curvatures ~100× larger, and a wrong gradient is off by O(1) relative anyway.
    "forward": (1e-4, 1e-6),
    # Measured: worst |a − n| on small sigmoid/tanh networks ~1e-11..1e-10 (round-off
    # ε|L|/h ≈ 4e-11·|L|, plus cancellation inside the loss); atol 1e-7 is a 1000× margin for
    # losses up to ~100, and rtol 1e-5 allows truncation h²|L'''|/6 with |L'''| up to ~1e5.
    "central": (1e-5, 1e-7),
    # ~50× more accurate than central at 2× the cost (measured), so both bounds 100× tighter.
    "richardson": (1e-7, 1e-9),
    # Agrees with backprop to ~1e-16 relative (both are exact up to rounding of the same
    # arithmetic in a different order); 1e-9 relative leaves 10⁶-fold room for ill-conditioned
    # sums, and atol 1e-11 for entries that should be 0 but gather rounding dust.
    "complex": (1e-9, 1e-11),
}

# Entries smaller than this are judged on absolute rather than relative error in ``rel_err``
# (a relative error of a 1e-12 gradient measures only noise); equals atol/rtol of every default.
RELATIVE_ERROR_FLOOR = 1e-2

# Upper bounds of the relative error per verdict, as a teacher reads the table: a correct
# gradient checked by central differences is typically ≤ 1e-7, by the complex step ≤ 1e-14; a
# few entries near kinks or with large curvature can reach 1e-5; beyond 1e-3 it is a bug.
VERDICT_BANDS: Tuple[Tuple[float, str], ...] = (
    (1e-7, "excellent"),
    (1e-5, "good"),
    (1e-3, "suspicious"),
    (math.inf, "wrong"),
)


class ComplexStepWarning(UserWarning):
    """The complex step saw an exactly zero imaginary part where the analytic gradient is not 0:
    the forward pass or loss dropped the imaginary part (abs, float, math.* on a complex)."""


# -- the numerical derivative of one entry (shared by gradcheck and numerical_gradient) --------


def _difference_step(method: str, base: float, value: float) -> float:
    # For the difference methods a step relative to large |θ|; see DEFAULT_STEPS.
    if method == "complex":
        return base
    return base * max(1.0, abs(value))


def _central(evaluate: Evaluate, row: List[Any], j: int, original: float, h: float) -> float:
    # Divide by the step actually taken, (θ + h) − (θ − h), which differs from 2h by the
    # rounding of θ ± h: that removes one source of error for free.
    plus, minus = original + h, original - h
    if plus == minus:
        raise ConfigurationError(
            f"gradient check: step {h:g} is below the float spacing at θ = {original!r}"
        )
    row[j] = plus
    high = evaluate()
    row[j] = minus
    low = evaluate()
    return (high - low).real / (plus - minus)


def _forward(evaluate: Evaluate, row: List[Any], j: int, original: float, h: float) -> float:
    plus = original + h
    if plus == original:
        raise ConfigurationError(
            f"gradient check: step {h:g} is below the float spacing at θ = {original!r}"
        )
    row[j] = original
    base = evaluate()
    row[j] = plus
    high = evaluate()
    return (high - base).real / (plus - original)


def entry_derivative(
    evaluate: Evaluate, row: List[Any], j: int, method: str, step: float
) -> float:
    """∂f/∂row[j] numerically, where ``evaluate()`` computes f reading ``row[j]``.

    ``method`` is one of METHODS (formulas in the module docstring); ``step`` is the base h,
    multiplied by max(1, |row[j]|) for the difference methods.  row[j] is restored on exit,
    whatever ``evaluate`` raises.
    """
    original = row[j]
    h = _difference_step(method, step, original)
    try:
        if method == "complex":
            row[j] = complex(original, h)
            return evaluate().imag / h
        if method == "forward":
            return _forward(evaluate, row, j, original, h)
        if method == "central":
            return _central(evaluate, row, j, original, h)
        coarse = _central(evaluate, row, j, original, h)
        fine = _central(evaluate, row, j, original, h / 2)
        # The h² error terms of D(h) and D(h/2) are in ratio 4 : 1; this combination cancels them.
        return (4.0 * fine - coarse) / 3.0
    finally:
        row[j] = original


# -- checking arguments ------------------------------------------------------------------------


def _check_method(method: Any, where: str) -> str:
    if method not in METHODS:
        raise ConfigurationError(
            f"{where}: unknown method {method!r}; methods: {', '.join(METHODS)}"
        )
    return str(method)


def _check_step(eps: Any, method: str, where: str) -> float:
    if eps is None:
        return DEFAULT_STEPS[method]
    return check_real(eps, "eps", where, low=0.0, include_low=False)


# -- numerical_gradient ------------------------------------------------------------------------


def numerical_gradient(
    f: Callable[[List[Matrix]], Number],
    params: List[Matrix],
    method: str = "central",
    eps: Optional[float] = None,
) -> List[Matrix]:
    """[∂f/∂P for P in params]: the numerical gradient of a scalar function of matrices.

    ``f(params)`` must return a number computed from the entries of the matrices it is given
    (they are perturbed in place, one entry at a time, and always restored).  ``params`` is a
    list of nested-list matrices; the result has the same shapes.  ``method`` is one of METHODS;
    ``eps`` the base step (default DEFAULT_STEPS[method]).  For "complex", f must be complex-safe
    (``purenn.scalar`` functions, no abs/float); if f returns a real number for every complex
    input it is not, and ComplexStepWarning says so.  (A real value for some entries is fine:
    f may simply not depend on them.)  There is no kink detection here: f is opaque.
    """
    where = "numerical_gradient"
    method = _check_method(method, where)
    step = _check_step(eps, method, where)
    if not callable(f):
        raise ConfigurationError(f"{where}: f must be callable, got {f!r:.60}")
    if not isinstance(params, list):
        raise ConfigurationError(f"{where}: params must be a list of matrices, got {params!r:.60}")
    for index, matrix in enumerate(params):
        check_matrix(matrix, where, f"params[{index}]")
        if not all(isinstance(row, list) for row in matrix):
            raise ConfigurationError(f"{where}: params[{index}] must be a list of lists")
    real_results: List[bool] = []

    def evaluate() -> Number:
        value = f(params)
        real_results.append(not isinstance(value, complex))
        return value

    gradient = [
        [[entry_derivative(evaluate, row, j, method, step) for j in range(len(row))] for row in m]
        for m in params
    ]
    if method == "complex" and all(real_results):
        warnings.warn(
            f"{where}: f returned a real number for complex input, so the complex step read "
            "an imaginary part of 0; f is not complex-safe",
            ComplexStepWarning,
            stacklevel=2,
        )
    return gradient


# -- results -----------------------------------------------------------------------------------


def verdict(rel_err: float) -> str:
    """The VERDICT_BANDS label of a relative error."""
    for bound, label in VERDICT_BANDS:
        if rel_err <= bound:
            return label
    return VERDICT_BANDS[-1][1]  # NaN compares false with every bound


@dataclass(frozen=True)
class EntryCheck:
    """One checked entry: ``parameter`` name, ``index`` (i, j), ``analytic`` a, ``numeric`` n,
    and whether |a − n| ≤ atol + rtol·max(|a|, |n|) (``ok``)."""

    parameter: str
    index: Tuple[int, int]
    analytic: float
    numeric: float
    ok: bool

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


@dataclass
class ParameterCheck:
    """The check of one parameter: its ``name`` and ``shape``, the entries checked, and how
    many were skipped because a step crossed a kink."""

    name: str
    shape: Tuple[int, int]
    entries: List[EntryCheck] = field(default_factory=list)
    n_skipped: int = 0

    @property
    def n_checked(self) -> int:
        """Entries compared."""
        return len(self.entries)

    @property
    def ok(self) -> bool:
        """True when every checked entry passes."""
        return all(entry.ok for entry in self.entries)

    @property
    def max_abs_err(self) -> float:
        """max |a − n| over the checked entries (0 if none)."""
        return max((entry.abs_err for entry in self.entries), default=0.0)

    @property
    def max_rel_err(self) -> float:
        """max of EntryCheck.rel_err over the checked entries (0 if none)."""
        return max((entry.rel_err for entry in self.entries), default=0.0)

    @property
    def worst(self) -> Optional[EntryCheck]:
        """The checked entry with the largest relative error (None if none checked)."""
        return max(self.entries, key=lambda entry: entry.rel_err, default=None)

    @property
    def verdict(self) -> str:
        """VERDICT_BANDS label of max_rel_err ("not checked" when every entry was skipped)."""
        return verdict(self.max_rel_err) if self.entries else "not checked"


@dataclass
class GradientCheckResult:
    """What ``gradcheck`` found: one ParameterCheck per parameter (``parameters``), the method,
    tolerances and base step used.  True (``ok``) when no checked entry failed."""

    method: str
    rtol: float
    atol: float
    step: float
    parameters: List[ParameterCheck]

    @property
    def failures(self) -> List[EntryCheck]:
        """Every checked entry that failed the pass rule."""
        return [entry for row in self.parameters for entry in row.entries if not entry.ok]

    @property
    def ok(self) -> bool:
        """No checked entry failed (vacuously true if every entry was skipped)."""
        return all(row.ok for row in self.parameters)

    def __bool__(self) -> bool:
        """``ok``, so ``assert gradcheck(...)`` and ``if gradcheck(...)`` read naturally."""
        return self.ok

    @property
    def n_checked(self) -> int:
        """Entries compared, over all parameters."""
        return sum(row.n_checked for row in self.parameters)

    @property
    def n_skipped(self) -> int:
        """Entries skipped because a step crossed a kink (entries left out by ``sample`` are
        neither checked nor skipped)."""
        return sum(row.n_skipped for row in self.parameters)

    @property
    def max_abs_err(self) -> float:
        """max |a − n| over every checked entry."""
        return max((row.max_abs_err for row in self.parameters), default=0.0)

    @property
    def max_rel_err(self) -> float:
        """max |a − n| / max(|a|, |n|, 1e-2) over every checked entry."""
        return max((row.max_rel_err for row in self.parameters), default=0.0)

    @property
    def worst(self) -> Optional[EntryCheck]:
        """The entry with the largest relative error: parameter, (i, j), analytic, numeric."""
        candidates = [row.worst for row in self.parameters if row.worst is not None]
        return max(candidates, key=lambda entry: entry.rel_err, default=None)

    def __str__(self) -> str:
        return format_result(self)


_METHOD_TITLES = {
    "forward": "forward differences",
    "central": "central differences",
    "richardson": "Richardson extrapolation of central differences",
    "complex": "complex step",
}


def _power(x: float) -> str:
    # 1e-07 → "1e-7": the legend reads like the bands in the docs
    return format(x, ".0e").replace("e-0", "e-")


def format_result(result: GradientCheckResult) -> str:
    """The table ``str(result)`` prints: one line per parameter, then the worst entry."""
    status = "PASSED" if result.ok else f"FAILED ({len(result.failures)} entries)"
    scaled = "" if result.method == "complex" else "·max(1, |θ|)"
    lines = [
        f"gradient check, {_METHOD_TITLES[result.method]}, h = {result.step:g}{scaled}: {status}",
        f"pass rule |a − n| ≤ {result.atol:g} + {result.rtol:g}·max(|a|, |n|); "
        f"{result.n_checked} entries checked, {result.n_skipped} skipped at kinks",
    ]
    width = max([len("parameter")] + [len(row.name) for row in result.parameters])
    header = (
        f"{'parameter':<{width}}  {'shape':>7}  {'checked':>7}  {'skipped':>7}  "
        f"{'max |a−n|':>9}  {'max rel':>9}  {'verdict':<11}  pass"
    )
    lines += [header, "-" * len(header)]
    for row in result.parameters:
        lines.append(
            f"{row.name:<{width}}  {format_shape(row.shape):>7}  {row.n_checked:>7}  "
            f"{row.n_skipped:>7}  {row.max_abs_err:>9.2e}  {row.max_rel_err:>9.2e}  "
            f"{row.verdict:<11}  {'yes' if row.ok else 'NO'}"
        )
    worst = result.worst
    if worst is not None:
        lines.append(f"worst entry: {worst}")
    else:
        lines.append("no entry checked: every step crossed a kink")
    bands = ", ".join(f"≤{_power(bound)} {label}" for bound, label in VERDICT_BANDS[:-1])
    lines.append(
        f"rel = |a − n| / max(|a|, |n|, {_power(RELATIVE_ERROR_FLOOR)}); verdicts: {bands}, "
        f"above: {VERDICT_BANDS[-1][1]}"
    )
    return "\n".join(lines)


# -- gradcheck ---------------------------------------------------------------------------------

BranchSignature = Tuple[Tuple[Hashable, ...], ...]


def _branch_signature(network: Network) -> BranchSignature:
    # Every layer's branch signature after the last forward pass: two evaluations with equal
    # signatures ran through the same smooth pieces of every layer.
    return tuple(layer.branch_signature() for layer in network.layers)


def _check_tolerance(value: Any, method: str, index: int, label: str) -> float:
    if value is None:
        return DEFAULT_TOLERANCES[method][index]
    return check_real(value, label, "gradcheck", low=0.0)


def _chosen_entries(
    shape: Tuple[int, int], sample: Optional[int], rng: random.Random
) -> List[Tuple[int, int]]:
    rows, columns = shape
    flat = range(rows * columns)
    chosen = flat if sample is None or sample >= len(flat) else sorted(rng.sample(flat, sample))
    return [divmod(k, columns) for k in chosen]


def gradcheck(
    net: Network,
    X: Any,  # noqa: N803  (X, Y: the library's names for inputs and targets)
    Y: Any,  # noqa: N803
    method: str = "central",
    *,
    rtol: Optional[float] = None,
    atol: Optional[float] = None,
    eps: Optional[float] = None,
    sample: Optional[int] = None,
    seed: int = 0,
    raise_on_failure: bool = False,
) -> GradientCheckResult:
    """Compare ``net.gradients(X, Y)`` (backprop) with numerical derivatives of the loss.

    X is samples × n_in, Y the targets the network's loss takes.  Every entry of every parameter
    is checked, unless ``sample=k``: then k entries per parameter, drawn from
    ``random.Random(seed)``.  ``method``: "central" (default), "richardson", "complex" or
    "forward"; ``eps`` the base step (DEFAULT_STEPS), ``rtol``/``atol`` the pass rule
    |a − n| ≤ atol + rtol·max(|a|, |n|) (DEFAULT_TOLERANCES).  Entries whose difference steps
    cross a kink are skipped and counted.  Parameters are restored even if the loss raises.
    With ``raise_on_failure`` a failed check raises GradientCheckError with the table.
    """
    where = "gradcheck"
    if not isinstance(net, Network):
        raise ConfigurationError(f"{where}: net must be a Network, got {net!r:.60}")
    method = _check_method(method, where)
    step = _check_step(eps, method, where)
    relative = _check_tolerance(rtol, method, 0, "rtol")
    absolute = _check_tolerance(atol, method, 1, "atol")
    if sample is not None:
        check_int(sample, "sample", where, 1)
    check_int(seed, "seed", where)
    inputs, targets = net.check_data(X, Y, where)

    net.backprop(inputs, targets)
    analytic = [[list(row) for row in parameter.grad or ()] for parameter in net.parameters()]
    signatures: List[BranchSignature] = []

    def evaluate() -> Number:
        output = net.forward(inputs)
        signatures.append(_branch_signature(net))
        return net.loss_function.value(output, targets)

    evaluate()
    base_signature = signatures.pop()
    rng = random.Random(seed)
    result = GradientCheckResult(method, relative, absolute, step, [])
    silent: List[EntryCheck] = []
    for parameter, gradient in zip(net.parameters(), analytic):
        row_check = ParameterCheck(parameter.name, parameter.shape)
        for i, j in _chosen_entries(parameter.shape, sample, rng):
            signatures.clear()
            numeric = entry_derivative(evaluate, parameter.value[i], j, method, step)
            if any(signature != base_signature for signature in signatures):
                row_check.n_skipped += 1
                continue
            a = gradient[i][j]
            ok = abs(a - numeric) <= absolute + relative * max(abs(a), abs(numeric))
            entry = EntryCheck(parameter.name, (i, j), a, numeric, ok)
            row_check.entries.append(entry)
            if method == "complex" and numeric == 0.0 and a != 0.0 and not ok:
                silent.append(entry)
        result.parameters.append(row_check)
    net.forward(inputs)  # leave the layer caches as the real parameters give them
    if silent:
        warnings.warn(
            f"{where}: the complex step gave an imaginary part of exactly 0 for "
            f"{len(silent)} entries with a nonzero analytic gradient (first: {silent[0]}): "
            "the forward pass or loss drops the imaginary part there (abs, float, math.*), "
            "or the analytic gradient is wrong",
            ComplexStepWarning,
            stacklevel=2,
        )
    if raise_on_failure and not result.ok:
        raise GradientCheckError(f"{where}: analytic and numerical gradients disagree\n{result}")
    return result


# -- the U-curve -------------------------------------------------------------------------------

# Decimal powers of ten, parsed so each is the double nearest 10⁻ᵏ.
SWEEP_STEPS: Tuple[float, ...] = tuple(float(f"1e-{k}") for k in range(1, 15))
COMPLEX_SWEEP_STEPS: Tuple[float, ...] = (*SWEEP_STEPS, 1e-20, 1e-30, 1e-50, 1e-100, 1e-200, 1e-300)


def step_sweep(
    net: Network,
    X: Any,  # noqa: N803
    Y: Any,  # noqa: N803
    methods: Sequence[str] = METHODS,
    steps: Optional[Dict[str, Sequence[float]]] = None,
) -> Dict[str, List[Tuple[float, float]]]:
    """{method: [(h, max |a − n|), ...]}: the error of each method against its step size.

    The reference a is backprop's gradient.  Steps default to SWEEP_STEPS (1e-1 … 1e-14), and
    COMPLEX_SWEEP_STEPS (down to 1e-300) for the complex step.  Entries whose steps cross a
    kink are skipped, as in gradcheck, so sweep a smooth network to see the whole curve.
    """
    for method in methods:
        _check_method(method, "step_sweep")
    chosen = dict(steps) if steps is not None else {}
    sweep: Dict[str, List[Tuple[float, float]]] = {}
    for method in methods:
        default = COMPLEX_SWEEP_STEPS if method == "complex" else SWEEP_STEPS
        sweep[method] = [
            (h, gradcheck(net, X, Y, method, eps=h, rtol=0.0, atol=0.0).max_abs_err)
            for h in chosen.get(method, default)
        ]
    return sweep
