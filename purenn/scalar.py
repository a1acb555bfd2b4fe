"""Elementary functions that work on floats and on complex numbers alike.

``math.exp`` rejects complex arguments and ``cmath.exp`` turns every float into a complex, so
neither serves a forward pass that must also carry the complex-step derivative
(f'(x) ≈ Im f(x + ih) / h).  These wrappers take the fast ``math`` path for real numbers and fall
back to ``cmath`` only when handed a complex one.

The complex-safety rule for every forward computation in purenn: use these functions (never
``math.exp``/``math.log``/``math.tanh`` directly), branch on ``x.real`` (never compare a value
itself), and never call ``abs()``, ``float()`` or ``conjugate()`` on a value, since each of those
silently discards the imaginary part, and with it the derivative.
"""

from __future__ import annotations

import cmath
import math
from typing import Union, overload

Number = Union[float, complex]

__all__ = ["exp", "expm1", "log", "log1p", "tanh", "sqrt", "erf", "erfc"]


@overload
def exp(x: float) -> float: ...
@overload
def exp(x: complex) -> complex: ...
def exp(x: Number) -> Number:
    """eˣ for a real or complex x (a real x must be ≤ about 709, or math raises OverflowError).

    The complex step reads the derivative off the imaginary part: Im e^(1 + ih) / h = e¹.

    >>> exp(0.0), exp(1j * 1e-30).imag
    (1.0, 1e-30)
    >>> round(exp(1.0 + 1e-30j).imag / 1e-30, 12)
    2.718281828459
    """
    try:
        return math.exp(x)  # type: ignore[arg-type]
    except TypeError:
        return cmath.exp(x)


@overload
def expm1(x: float) -> float: ...
@overload
def expm1(x: complex) -> complex: ...
def expm1(x: Number) -> Number:
    """eˣ − 1, accurate for small x, real or complex.

    For z = x + iy: e^z − 1 = (eˣ − 1)cos y − 2sin²(y/2) + i·eˣ sin y, each part free of
    cancellation (``cmath.exp(z) − 1`` would give a real part of 0 for the complex call below).

    >>> expm1(1e-20), expm1(1e-20 + 1e-30j)
    (1e-20, (1e-20+1e-30j))
    """
    try:
        return math.expm1(x)  # type: ignore[arg-type]
    except TypeError:
        # cmath has no expm1, and cmath.exp(z) − 1 cancels the real part to 0 for |x| < 1e-16.
        # The real part matters too: it feeds the branches (z.real > 0) of the layers above.
        real, imag = x.real, x.imag
        half_sine = math.sin(imag / 2)
        return complex(
            math.expm1(real) * math.cos(imag) - 2 * half_sine * half_sine,
            math.exp(real) * math.sin(imag),
        )


@overload
def log(x: float) -> float: ...
@overload
def log(x: complex) -> complex: ...
def log(x: Number) -> Number:
    """ln x for a real x > 0 or a complex x.

    >>> log(1.0), log(1.0 + 1e-30j).imag
    (0.0, 1e-30)
    """
    try:
        return math.log(x)  # type: ignore[arg-type]
    except TypeError:
        return cmath.log(x)


@overload
def log1p(x: float) -> float: ...
@overload
def log1p(x: complex) -> complex: ...
def log1p(x: Number) -> Number:
    """ln(1 + x), accurate for small x, real or complex.

    For z = x + iy: ln(1 + z) = ½·ln(1 + x(2 + x) + y²) + i·atan2(y, 1 + x), using log1p so
    the real part keeps its accuracy for tiny z.

    >>> log1p(1e-20), log1p(1e-20 + 1e-30j)
    (1e-20, (1e-20+1e-30j))
    """
    try:
        return math.log1p(x)  # type: ignore[arg-type]
    except TypeError:
        # cmath has no log1p, and cmath.log(1 + z) rounds 1 + x first, losing a tiny real part.
        # The log1p form serves |x| ≤ ½; farther out 1 + x is exact enough for ln|1 + z| via
        # hypot, and the log1p form would cancel instead (x(2 + x) + y² → −1 as x → −1).
        real, imag = x.real, x.imag
        if abs(real) <= 0.5:
            modulus_log = 0.5 * math.log1p(real * (2.0 + real) + imag * imag)
        else:
            modulus_log = math.log(math.hypot(1.0 + real, imag))
        return complex(modulus_log, math.atan2(imag, 1.0 + real))


@overload
def tanh(x: float) -> float: ...
@overload
def tanh(x: complex) -> complex: ...
def tanh(x: Number) -> Number:
    """tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) for a real or complex x.

    >>> tanh(0.0), tanh(1000.0), tanh(1j * 1e-30).imag
    (0.0, 1.0, 1e-30)
    """
    try:
        return math.tanh(x)  # type: ignore[arg-type]
    except TypeError:
        return cmath.tanh(x)


@overload
def sqrt(x: float) -> float: ...
@overload
def sqrt(x: complex) -> complex: ...
def sqrt(x: Number) -> Number:
    """√x for a real x ≥ 0 or a complex x.

    >>> sqrt(4.0), sqrt(-4 + 0j), sqrt(4.0 + 1e-30j).imag
    (2.0, 2j, 2.5e-31)
    """
    try:
        return math.sqrt(x)  # type: ignore[arg-type]
    except TypeError:
        return cmath.sqrt(x)


# 2/√π, the constant in erf′(x) = (2/√π)·e^(−x²).
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _erf_slope(x: float) -> float:
    # x*x, not x**2: for |x| > 1e154 the power raises OverflowError, the product gives inf and
    # e^(−inf) = 0, the correct limit.
    return _TWO_OVER_SQRT_PI * math.exp(-(x * x))


@overload
def erf(x: float) -> float: ...
@overload
def erf(x: complex) -> complex: ...
def erf(x: Number) -> Number:
    """erf x = (2/√π) ∫₀ˣ e^(−t²) dt for a real x; for complex x = a + ib, the complex-step form.

    cmath has no erf.  For a complex argument this returns erf(a) + i·b·(2/√π)·e^(−a²), the
    first-order Taylor expansion in b.  That is NOT the complex error function: its real part is
    off by |erf″(a)|·b²/2 ≤ 0.49·b² and its imaginary part by a relative |2a² − 1|·b²/3 (the
    next Taylor terms).  For the complex step b ≈ 1e-30, and for |a| ≤ 27 (beyond which
    e^(−a²) underflows to 0 anyway) both errors are below 1e-56, so the result equals the true
    value in double precision.  Use it for the complex step and nothing else.

    >>> erf(0.0), round(erf(1e-30j).imag / 1e-30, 12)
    (0.0, 1.128379167096)
    """
    if isinstance(x, complex):
        return complex(math.erf(x.real), x.imag * _erf_slope(x.real))
    return math.erf(x)


@overload
def erfc(x: float) -> float: ...
@overload
def erfc(x: complex) -> complex: ...
def erfc(x: Number) -> Number:
    """erfc x = 1 − erf x, accurate where erf x is near 1; complex-step form as for ``erf``.

    For complex x = a + ib: erfc(a) − i·b·(2/√π)·e^(−a²), exact to first order in b (see erf).

    >>> erfc(0.0), round(erfc(1e-30j).imag / 1e-30, 12)
    (1.0, -1.128379167096)
    """
    if isinstance(x, complex):
        return complex(math.erfc(x.real), -x.imag * _erf_slope(x.real))
    return math.erfc(x)
