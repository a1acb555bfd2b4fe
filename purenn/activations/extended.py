"""The other entrywise activations: leaky relu and ELU (with an argument each), softplus and the
exact GELU, each next to its derivative.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn.activations.base import Elementwise
from purenn.activations.classic import sigmoid
from purenn.arguments import check_real
from purenn.scalar import erfc, exp, expm1, log1p

if TYPE_CHECKING:
    from typing import Any


__all__ = ["LeakyReLU", "ELU", "softplus", "softplus_derivative", "gelu", "gelu_derivative"]


class LeakyReLU(Elementwise):
    """f(z) = z for z > 0, slope·z otherwise; f′(z) = 1 for z > 0, slope otherwise.

    Registered as "leaky_relu" with slope 0.01 (PyTorch's default); pass
    ``LeakyReLU(slope=0.2)`` as the activation for another slope.  Kinked at 0, where the
    derivative takes the left value, slope (relu's convention: the z ≤ 0 branch).

    >>> leaky, z = LeakyReLU(slope=0.5), [[-2.0, 3.0]]
    >>> a = leaky.forward(z)
    >>> leaky.name, a, leaky.backward(z, a, [[1.0, 1.0]])
    ('leaky_relu(slope=0.5)', [[-1.0, 3.0]], [[0.5, 1.0]])
    """

    def __init__(self, slope: float = 0.01) -> None:
        self.slope = check_real(slope, "slope", "LeakyReLU")
        name = "leaky_relu" if self.slope == 0.01 else f"leaky_relu(slope={self.slope!r})"
        super().__init__(name, self.leaky_relu, self.leaky_relu_derivative, kinks=(0.0,))

    def config(self) -> dict[str, Any]:
        """{"slope": s}: ``LeakyReLU(**config)`` rebuilds this activation (file formats use it).

        >>> LeakyReLU(0.2).config()
        {'slope': 0.2}
        """
        return {"slope": self.slope}

    def leaky_relu(self, z: float) -> float:
        """f(z) = z for z > 0, slope·z for z ≤ 0.

        >>> LeakyReLU(slope=0.1).leaky_relu(-2.0)
        -0.2
        """
        return z if z.real > 0.0 else self.slope * z

    def leaky_relu_derivative(self, z: float, a: float) -> float:
        """f′(z) = 1 for z > 0, slope for z ≤ 0 (given z; a is unused).

        >>> LeakyReLU(slope=0.1).leaky_relu_derivative(-2.0, -0.2)
        0.1
        """
        return 1.0 if z.real > 0.0 else self.slope


class ELU(Elementwise):
    """Clevert et al. (2015): f(z) = z for z > 0, α(eᶻ − 1) otherwise; f′(z) = 1 or α·eᶻ.

    Registered as "elu" with α = 1 (PyTorch's default); pass ``ELU(alpha=0.5)`` for another α.
    f tends to −α as z → −∞.  At z = 0 the derivative takes the left value α.  ``kinks`` lists
    0 for every α: f′ jumps there unless α = 1, and even for α = 1, where f′ is continuous, f″
    jumps from 1 to 0, so a central difference straddling 0 is only O(h) accurate (off by h/4,
    1.5e-6 for h = 6e-6) instead of O(h²): a gradient check must avoid 0 all the same.

    >>> elu = ELU(alpha=0.5)
    >>> elu.forward([[-1000.0, 2.0]]), elu.backward([[0.0, 2.0]], [[0.0, 2.0]], [[1.0, 1.0]])
    ([[-0.5, 2.0]], [[0.5, 1.0]])
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = check_real(alpha, "alpha", "ELU")
        name = "elu" if self.alpha == 1.0 else f"elu(alpha={self.alpha!r})"
        # α(eᶻ − 1) lies between −α and 0 for z ≤ 0 (between 0 and −α for a negative α).
        lowest = min(-self.alpha, 0.0)
        super().__init__(
            name, self.elu, self.elu_derivative, kinks=(0.0,), output_range=(lowest, math.inf)
        )

    def config(self) -> dict[str, Any]:
        """{"alpha": α}: ``ELU(**config)`` rebuilds this activation (file formats use it).

        >>> ELU().config()
        {'alpha': 1.0}
        """
        return {"alpha": self.alpha}

    def elu(self, z: float) -> float:
        """f(z) = z for z > 0, α(eᶻ − 1) for z ≤ 0 (expm1: exact near 0, −α for z → −∞).

        >>> ELU().elu(0.0), ELU(alpha=2.0).elu(3.0)
        (0.0, 3.0)
        """
        return z if z.real > 0.0 else self.alpha * expm1(z)

    def elu_derivative(self, z: float, a: float) -> float:
        """f′(z) = 1 for z > 0, α·eᶻ for z ≤ 0 (given z; a is unused).

        >>> elu = ELU()
        >>> elu.elu_derivative(-1.0, elu.elu(-1.0))     # α·e⁻¹
        0.36787944117144233
        """
        # α·eᶻ equals a + α, but that sum cancels catastrophically in the left tail (it is
        # exactly 0 from z ≈ −37 on); eᶻ for z ≤ 0 cannot overflow.
        return 1.0 if z.real > 0.0 else self.alpha * exp(z)


def softplus(z: float) -> float:
    """softplus(z) = ln(1 + eᶻ), computed without overflow for any finite z.

    For z > 0 it uses the equal form z + ln(1 + e⁻ᶻ), so softplus(1e300) = 1e300, not overflow;
    for z ≤ 0, e^z ≤ 1 and log1p keeps the tiny values of the left tail accurate.

    >>> softplus(1e300), softplus(-1000.0), round(softplus(0.0), 12)
    (1e+300, 0.0, 0.69314718056)
    """
    if z.real > 0.0:
        return z + log1p(exp(-z))
    return log1p(exp(z))


def softplus_derivative(z: float, a: float) -> float:
    """softplus′(z) = σ(z) = 1 / (1 + e⁻ᶻ), the logistic sigmoid, given z (a is unused).

    >>> softplus_derivative(0.0, softplus(0.0))
    0.5
    """
    return sigmoid(z)


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_TWO_PI = 1.0 / math.sqrt(2.0 * math.pi)


def gelu(z: float) -> float:
    """Hendrycks & Gimpel's GELU, the exact form: gelu(z) = z·Φ(z), Φ the standard normal CDF.

    Φ(z) = erfc(−z/√2)/2 (rather than (1 + erf(z/√2))/2, which cancels to 0 for z < −6 and loses
    the left tail).  This is PyTorch's default ``approximate='none'``, not the tanh
    approximation.  For complex z it uses ``purenn.scalar.erfc``'s complex-step form, exact for
    the complex step's tiny imaginary part only.

    >>> gelu(0.0), round(gelu(1.0), 12)
    (0.0, 0.841344746069)
    """
    return z * 0.5 * erfc(-z * _SQRT_HALF)


def gelu_derivative(z: float, a: float) -> float:
    """gelu′(z) = Φ(z) + z·φ(z), φ(z) = e^(−z²/2)/√(2π), given z (a is unused).

    >>> gelu_derivative(0.0, 0.0)
    0.5
    """
    # z*z rather than z**2: the product saturates to inf for |z| > 1e154 (φ → 0, the right
    # limit), where the power would raise OverflowError.
    return 0.5 * math.erfc(-z * _SQRT_HALF) + z * _INV_SQRT_TWO_PI * math.exp(-0.5 * (z * z))
