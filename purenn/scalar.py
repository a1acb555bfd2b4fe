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

import cmath
import math
from typing import Union, overload

__all__ = ["exp", "log", "log1p", "tanh", "sqrt"]

Number = Union[float, complex]


@overload
def exp(x: float) -> float: ...
@overload
def exp(x: complex) -> complex: ...
def exp(x: Number) -> Number:
    """eˣ for a real or complex x (a real x must be ≤ about 709, or math raises OverflowError)."""
    try:
        return math.exp(x)  # type: ignore[arg-type]
    except TypeError:
        return cmath.exp(x)


@overload
def log(x: float) -> float: ...
@overload
def log(x: complex) -> complex: ...
def log(x: Number) -> Number:
    """ln x for a real x > 0 or a complex x."""
    try:
        return math.log(x)  # type: ignore[arg-type]
    except TypeError:
        return cmath.log(x)


@overload
def log1p(x: float) -> float: ...
@overload
def log1p(x: complex) -> complex: ...
def log1p(x: Number) -> Number:
    """ln(1 + x), accurate for small real x; for complex x, cmath.log(1 + x)."""
    try:
        return math.log1p(x)  # type: ignore[arg-type]
    except TypeError:
        # cmath has no log1p; the complex step perturbs by ~1e-30, so 1 + x loses nothing that
        # matters in the imaginary part, which is what the complex step reads.
        return cmath.log(1 + x)


@overload
def tanh(x: float) -> float: ...
@overload
def tanh(x: complex) -> complex: ...
def tanh(x: Number) -> Number:
    """tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) for a real or complex x."""
    try:
        return math.tanh(x)  # type: ignore[arg-type]
    except TypeError:
        return cmath.tanh(x)


@overload
def sqrt(x: float) -> float: ...
@overload
def sqrt(x: complex) -> complex: ...
def sqrt(x: Number) -> Number:
    """√x for a real x ≥ 0 or a complex x."""
    try:
        return math.sqrt(x)  # type: ignore[arg-type]
    except TypeError:
        return cmath.sqrt(x)
