"""The numerical derivative: one entry of a gradient, from the function's values alone.

For a function f read at an entry θ, with a step h, four formulas:

    forward      D₊(h) = (f(θ + h) − f(θ)) / h                 error O(h) + O(ε/h)
    central      D(h)  = (f(θ + h) − f(θ − h)) / 2h            error O(h²) + O(ε/h)
    richardson   (4·D(h/2) − D(h)) / 3                         error O(h⁴) + O(ε/h)
    complex      Im f(θ + ih) / h                              error O(h²), no round-off term

The difference formulas subtract two nearly equal values, so each loses about ε·|f|/h to
round-off (ε ≈ 2.2e-16) while the truncation error grows with h: the error against h is a U,
lowest near h ≈ √ε for forward, ∛ε for central, ε^(1/5) for Richardson.  The complex step
subtracts nothing, so h can be tiny (1e-30) and the derivative is exact to rounding, provided f
is complex-safe (see ``purenn.scalar``).

This module knows nothing of networks, kinks, tolerances or reports: ``entry_derivative`` moves
one entry of a row in place and calls an opaque ``evaluate``; ``numerical_gradient`` does that
for every entry of a list of matrices.  Comparing with backpropagation is ``checker``'s job.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from purenn.arguments import check_real, shown
from purenn.errors import ConfigurationError
from purenn.matrix import check_matrix

if TYPE_CHECKING:
    from typing import Any, Callable, Union

    from purenn.kernels import Matrix

    Number = Union[float, complex]
    Evaluate = Callable[[], Number]

__all__ = [
    "METHODS",
    "DEFAULT_STEPS",
    "ComplexStepWarning",
    "check_method",
    "base_step",
    "entry_derivative",
    "numerical_gradient",
]


METHODS: tuple[str, ...] = ("forward", "central", "richardson", "complex")

# Default base step h per method; the difference methods use h·max(1, |θ|), so the step stays
# the same number of ulps of θ for large entries (θ + h must differ from θ in enough bits), and
# is absolute for |θ| ≤ 1, where the function's own round-off, not θ's, dominates.
DEFAULT_STEPS: dict[str, float] = {
    # √ε ≈ 1.5e-8 balances truncation h·|f''|/2 against round-off ε|f|/h.
    "forward": 1.5e-8,
    # ∛ε ≈ 6e-6 balances truncation h²·|f'''|/6 against round-off ε|f|/h.
    "central": 6e-6,
    # ε^(1/5) ≈ 7e-4 balances the O(h⁴) truncation against round-off ε|f|/h.
    "richardson": 7e-4,
    # No subtraction, so no round-off term: any tiny h works; 1e-30 makes the O(h²) truncation
    # vanish entirely (h²·|f'''| ≪ ε) and is far above the smallest double (5e-324).
    "complex": 1e-30,
}


class ComplexStepWarning(UserWarning):
    """The complex step saw an exactly zero imaginary part where a derivative was expected:
    the function dropped the imaginary part (abs, float, math.* on a complex).

    >>> issubclass(ComplexStepWarning, UserWarning)
    True
    """


def check_method(method: Any, where: str) -> str:
    """``method`` if it is one of METHODS; otherwise ConfigurationError naming ``where`` and
    listing the methods.

    >>> check_method("central", "gradcheck")
    'central'
    >>> check_method("sideways", "gradcheck")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: gradcheck: unknown method 'sideways'; methods: forward, ...
    """
    if method not in METHODS:
        raise ConfigurationError(
            f"{where}: unknown method {shown(method)}; methods: {', '.join(METHODS)}"
        )
    return str(method)


def base_step(eps: Any, method: str, where: str) -> float:
    """The base step h: ``eps`` checked to be a finite number > 0, or DEFAULT_STEPS[method]
    when ``eps`` is None.

    >>> base_step(None, "central", "gradcheck"), base_step(1e-4, "central", "gradcheck")
    (6e-06, 0.0001)
    """
    if eps is None:
        return DEFAULT_STEPS[method]
    return check_real(eps, "eps", where, low=0.0, include_low=False)


def _step_taken(method: str, base: float, value: float) -> float:
    # For the difference methods a step relative to large |θ|; see DEFAULT_STEPS.
    if method == "complex":
        return base
    return base * max(1.0, abs(value))


def _refuse_a_vanishing_step(high: float, low: float, original: float, h: float) -> None:
    if high == low:
        raise ConfigurationError(
            f"gradient check: step {h:g} is below the float spacing at θ = {original!r}"
        )


def _central(evaluate: Evaluate, row: list[Any], j: int, original: float, h: float) -> float:
    # Divide by the step actually taken, (θ + h) − (θ − h), which differs from 2h by the
    # rounding of θ ± h: that removes one source of error for free.
    plus, minus = original + h, original - h
    _refuse_a_vanishing_step(plus, minus, original, h)
    row[j] = plus
    high = evaluate()
    row[j] = minus
    low = evaluate()
    return (high - low).real / (plus - minus)


def _forward(evaluate: Evaluate, row: list[Any], j: int, original: float, h: float) -> float:
    plus = original + h
    _refuse_a_vanishing_step(plus, original, original, h)
    row[j] = original
    base = evaluate()
    row[j] = plus
    high = evaluate()
    return (high - base).real / (plus - original)


def entry_derivative(evaluate: Evaluate, row: list[Any], j: int, method: str, step: float) -> float:
    """∂f/∂row[j] numerically, where ``evaluate()`` computes f reading ``row[j]``.

    ``method`` is one of METHODS (formulas in the module docstring); ``step`` is the base h,
    multiplied by max(1, |row[j]|) for the difference methods.  row[j] is restored on exit,
    whatever ``evaluate`` raises.  Nothing is checked here: callers check their arguments.

    >>> row = [2.0]
    >>> entry_derivative(lambda: row[0] * row[0] * row[0], row, 0, "complex", 1e-30)  # 3θ²
    12.0
    >>> row
    [2.0]
    """
    original = row[j]
    h = _step_taken(method, step, original)
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


def _check_params(params: Any, where: str) -> None:
    if not isinstance(params, list):
        raise ConfigurationError(f"{where}: params must be a list of matrices, got {shown(params)}")
    for index, matrix in enumerate(params):
        check_matrix(matrix, where, f"params[{index}]")
        if not all(isinstance(row, list) for row in matrix):
            raise ConfigurationError(f"{where}: params[{index}] must be a list of lists")


def numerical_gradient(
    f: Callable[[list[Matrix]], Number],
    params: list[Matrix],
    method: str = "central",
    eps: float | None = None,
) -> list[Matrix]:
    """[∂f/∂P for P in params]: the numerical gradient of a scalar function of matrices.

    ``f(params)`` must return a number computed from the entries of the matrices it is given
    (they are perturbed in place, one entry at a time, and always restored).  ``params`` is a
    list of nested-list matrices; the result has the same shapes.  ``method`` is one of METHODS;
    ``eps`` the base step (default DEFAULT_STEPS[method]).  For "complex", f must be complex-safe
    (``purenn.scalar`` functions, no abs/float); if f returns a real number for every complex
    input it is not, and ComplexStepWarning says so.  (A real value for some entries is fine:
    f may simply not depend on them.)  There is no kink detection here: f is opaque.

    >>> from purenn.scalar import exp      # complex-safe, so method="complex" works
    >>> A = [[0.0, 1.0], [-1.0, 2.0]]
    >>> numerical_gradient(lambda p: sum(exp(v) for row in p[0] for v in row), [A], "complex")
    [[[1.0, 2.718281828459045], [0.36787944117144233, 7.38905609893065]]]
    """
    where = "numerical_gradient"
    method = check_method(method, where)
    step = base_step(eps, method, where)
    if not callable(f):
        raise ConfigurationError(f"{where}: f must be callable, got {shown(f)}")
    _check_params(params, where)
    real_results: list[bool] = []

    def evaluate() -> Number:
        value = f(params)
        if isinstance(value, bool) or not isinstance(value, (int, float, complex)):
            raise ConfigurationError(f"{where}: f must return a number, got {shown(value)}")
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
