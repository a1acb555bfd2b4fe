"""Activation functions, each next to its derivative, in a registry by name.

An activation maps a layer's pre-activation Z (batch × width) to its output A = f(Z), and in the
backward pass turns the upstream gradient ∂L/∂A into ∂L/∂Z.  Most activations act entrywise, so
∂L/∂Z = ∂L/∂A ⊙ f′(Z); ``Elementwise`` builds those from a scalar function and its derivative.

Every derivative here has the signature ``derivative(z, a)``: it returns f′ at the pre-activation
z, and receives a = f(z) as well so it can use whichever is cheaper or stabler (σ′(z) = a(1 − a)
reuses the forward value instead of computing another exponential).

Forward functions follow the complex-safety rule of ``purenn.scalar`` so that the gradient
checker's complex step works through every activation.

Speed: ``Elementwise`` calls f (and f′) once per entry, a Python call each, and is the plain
reference.  The activations most networks use, sigmoid, tanh and relu, also compute whole
matrices in one comprehension each way (``Sigmoid``, ``Tanh``, ``ReLU``), with the same
operations in the same order, so their results are bit-identical to the reference
(``tests/test_activations.py`` checks it); given complex numbers (the complex step), their
comparisons and ``math`` calls raise TypeError, and they hand the matrix to the reference.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn import kernels
from purenn.arguments import check_real
from purenn.registry import Registry
from purenn.scalar import erfc, exp, expm1, log1p, tanh

if TYPE_CHECKING:
    from typing import Any, Callable, Sequence

    from purenn.kernels import Matrix

    ScalarFunction = Callable[[float], float]
    ScalarDerivative = Callable[[float, float], float]

__all__ = [
    "Activation",
    "Elementwise",
    "ACTIVATIONS",
    "identity",
    "sigmoid",
    "sigmoid_derivative",
    "Sigmoid",
    "tanh_derivative",
    "Tanh",
    "relu",
    "relu_derivative",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "softplus",
    "softplus_derivative",
    "gelu",
    "gelu_derivative",
    "softmax_shift",
    "softmax",
    "Softmax",
]


class Activation:
    """Base class: ``forward(Z) -> A`` and ``backward(Z, A, grad_A) -> grad_Z``, all four
    batch × width.

    >>> sigmoid_activation = ACTIVATIONS["sigmoid"]
    >>> a = sigmoid_activation.forward([[0.0, 0.0]])
    >>> a, sigmoid_activation.backward([[0.0, 0.0]], a, [[1.0, 2.0]])
    ([[0.5, 0.5]], [[0.25, 0.5]])
    """

    name: str = "activation"
    # Where f′ (or, for ELU, f″) jumps: finite differences straddling one are garbage, so the
    # gradient checker skips entries whose step moves a pre-activation across a kink.  Smooth
    # activations list none.  Kinked activations branch on ``z.real > kink``, so a value exactly
    # at the kink takes the left piece, and the checker compares that same predicate.
    kinks: tuple[float, ...] = ()
    # The closed interval every output lies in: a loss that needs probabilities (bce) asks the
    # network's last layer for it once, when the network is built, instead of checking every
    # output of every batch.  Unknown for a custom activation unless it says.
    output_range: tuple[float, float] = (-math.inf, math.inf)

    def forward(self, z: Matrix) -> Matrix:
        """A = f(Z) for a batch × width matrix Z.

        >>> Tanh().forward([[0.0]])                    # a subclass's A = f(Z)
        [[0.0]]
        """
        raise NotImplementedError

    def backward(self, z: Matrix, a: Matrix, grad_a: Matrix) -> Matrix:
        """∂L/∂Z from Z, A = f(Z) and ∂L/∂A, all batch × width.

        >>> Tanh().backward([[0.0]], [[0.0]], [[2.0]])   # δ = 2·(1 − tanh² 0)
        [[2.0]]
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<activation {self.name}>"


class Elementwise(Activation):
    """An activation applied entry by entry: A_ij = f(Z_ij), ∂L/∂Z_ij = ∂L/∂A_ij · f′(Z_ij).

    ``derivative(z, a)`` is f′ at z, given a = f(z) too.  Here f(z) = z², f′(z) = 2z:

    >>> square = Elementwise("square", lambda z: z * z, lambda z, a: 2 * z)
    >>> square.forward([[1.0, -3.0]]), square.backward([[1.0, -3.0]], [[1.0, 9.0]], [[1.0, 0.5]])
    ([[1.0, 9.0]], [[2.0, -3.0]])
    """

    def __init__(
        self,
        name: str,
        function: ScalarFunction,
        derivative: ScalarDerivative,
        kinks: tuple[float, ...] = (),
        output_range: tuple[float, float] = (-math.inf, math.inf),
    ) -> None:
        self.name = name
        self.kinks = kinks
        self.output_range = output_range
        self.function = function
        self.derivative = derivative

    def forward(self, z: Matrix) -> Matrix:
        """A = f(Z), entrywise.

        >>> softplus = ACTIVATIONS.resolve("softplus", "example")   # an Elementwise
        >>> softplus.forward([[0.0]])                               # ln 2
        [[0.6931471805599453]]
        """
        return kernels.apply(self.function, z)

    def backward(self, z: Matrix, a: Matrix, grad_a: Matrix) -> Matrix:
        """∂L/∂Z = ∂L/∂A ⊙ f′(Z), with f′ given each z and its a = f(z).

        >>> softplus = ACTIVATIONS.resolve("softplus", "example")
        >>> softplus.backward([[0.0]], [[0.6931471805599453]], [[1.0]])   # σ(0)
        [[0.5]]
        """
        derivative = self.derivative
        return [
            kernels.multiply_rows(grad_row, map(derivative, z_row, a_row))
            for grad_row, z_row, a_row in zip(grad_a, z, a)
        ]


class Identity(Activation):
    """f(z) = z, f′(z) = 1: the output layer of a regression or of logits.

    >>> z = [[1.0, -2.0]]
    >>> identity.forward(z) is z, identity.backward(z, z, [[3.0, 4.0]])
    (True, [[3.0, 4.0]])
    """

    name = "identity"

    def forward(self, z: Matrix) -> Matrix:
        """A = Z (the same list: nothing downstream modifies it)."""
        return z

    def backward(self, z: Matrix, a: Matrix, grad_a: Matrix) -> Matrix:
        """∂L/∂Z = ∂L/∂A."""
        return grad_a


def sigmoid(z: float) -> float:
    """σ(z) = 1 / (1 + e⁻ᶻ), computed without overflow for any finite z.

    >>> sigmoid(0.0), sigmoid(-1000.0), sigmoid(1000.0)
    (0.5, 0.0, 1.0)
    """
    # e^(-z) overflows for z < -709; for negative z use the equal form e^z / (1 + e^z), whose
    # exponential can only underflow to 0, which is harmless.
    if z.real >= 0.0:
        return 1.0 / (1.0 + exp(-z))
    e = exp(z)
    return e / (1.0 + e)


def sigmoid_derivative(z: float, a: float) -> float:
    """σ′(z) = σ(z)(1 − σ(z)), from a = σ(z).

    >>> sigmoid_derivative(0.0, sigmoid(0.0))
    0.25
    """
    return a * (1.0 - a)


class Sigmoid(Elementwise):
    """σ(z) = 1/(1 + e⁻ᶻ) and σ′(z) = σ(z)(1 − σ(z)), entry by entry: ``sigmoid`` and
    ``sigmoid_derivative``.

    >>> activation, z = Sigmoid(), [[0.0, -1000.0]]
    >>> a = activation.forward(z)
    >>> a, activation.backward(z, a, [[2.0, 1.0]])
    ([[0.5, 0.0]], [[0.5, 0.0]])
    """

    def __init__(self) -> None:
        super().__init__("sigmoid", sigmoid, sigmoid_derivative, output_range=(0.0, 1.0))


def tanh_derivative(z: float, a: float) -> float:
    """tanh′(z) = 1 − tanh²(z), from a = tanh(z).

    >>> tanh_derivative(0.0, tanh(0.0)), round(tanh_derivative(1.0, tanh(1.0)), 12)
    (1.0, 0.419974341614)
    """
    return 1.0 - a * a


class Tanh(Elementwise):
    """tanh z and tanh′(z) = 1 − tanh² z, entry by entry: ``tanh`` and ``tanh_derivative``.

    >>> activation, z = Tanh(), [[0.0, 1000.0]]
    >>> a = activation.forward(z)
    >>> a, activation.backward(z, a, [[2.0, 1.0]])
    ([[0.0, 1.0]], [[2.0, 0.0]])
    """

    def __init__(self) -> None:
        super().__init__("tanh", tanh, tanh_derivative, output_range=(-1.0, 1.0))


def relu(z: float) -> float:
    """relu(z) = max(0, z).

    >>> relu(-2.0), relu(3.0)
    (0.0, 3.0)
    """
    return z if z.real > 0.0 else 0.0


def relu_derivative(z: float, a: float) -> float:
    """relu′(z) = 1 for z > 0, else 0 (the subgradient 0 at the kink z = 0, as PyTorch).

    >>> relu_derivative(-2.0, 0.0), relu_derivative(0.0, 0.0), relu_derivative(3.0, 3.0)
    (0.0, 0.0, 1.0)
    """
    return 1.0 if z.real > 0.0 else 0.0


class ReLU(Elementwise):
    """relu(z) = max(0, z), relu′(z) = 1 for z > 0 else 0; kinked at 0.

    >>> activation, z = ReLU(), [[-1.0, 2.0]]
    >>> a = activation.forward(z)
    >>> a, activation.backward(z, a, [[5.0, 5.0]])
    ([[0.0, 2.0]], [[0.0, 5.0]])
    """

    def __init__(self) -> None:
        super().__init__(
            "relu", relu, relu_derivative, kinks=(0.0,), output_range=(0.0, math.inf)
        )


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


def softmax_shift(row: Sequence[float]) -> float:
    """c = max_k Re z_k, the shift that makes every exponent of a softmax ≤ 0.

    Subtracting c changes nothing mathematically, and e^(z_k − c) can neither overflow nor all
    underflow (the largest is 1).  c is real, taken from the real parts, never max() of the
    values: shifting by a real constant leaves the complex step's imaginary parts intact.

    >>> softmax_shift([1.0, 3.0, 2.0]), softmax_shift([1.0 + 1e-30j, 2.0])
    (3.0, 2.0)
    """
    shift = row[0].real
    for value in row:
        if value.real > shift:
            shift = value.real
    return shift


def softmax(row: Sequence[float]) -> list[float]:
    """softmax(z)_j = e^(z_j − c) / Σ_k e^(z_k − c) for one row z, c = softmax_shift(z).

    Every exponent is ≤ 0, so nothing overflows and the sum is ≥ 1, never 0.  A row of m
    entries gives m probabilities summing to 1.

    >>> softmax([0.0, 0.0]), softmax([1000.0, 1000.0, 1000.0, 1000.0])
    ([0.5, 0.5], [0.25, 0.25, 0.25, 0.25])
    >>> round(sum(softmax([1.0, 2.0, 3.0])), 12)
    1.0
    """
    shift = softmax_shift(row)
    exps = [exp(value - shift) for value in row]
    total = sum(exps)
    return [e / total for e in exps]


class Softmax(Activation):
    """A_i = softmax(Z_i) row by row: each row of A is positive and sums to 1.

    Not elementwise: every output of a row depends on every input of it, so the backward pass is
    the Jacobian-vector product ∂A_ij/∂Z_ik = A_ij(δ_jk − A_ik), which gives
    ∂L/∂Z_i = A_i ⊙ (∂L/∂A_i − ⟨∂L/∂A_i, A_i⟩) per row, never the diagonal alone.

    >>> activation = Softmax()
    >>> a = activation.forward([[0.0, 0.0]])
    >>> a, activation.backward([[0.0, 0.0]], a, [[1.0, 0.0]])
    ([[0.5, 0.5]], [[0.25, -0.25]])
    """

    name = "softmax"
    output_range = (0.0, 1.0)

    def forward(self, z: Matrix) -> Matrix:
        """A_i = softmax(Z_i) for each row i of Z (batch × classes).

        >>> Softmax().forward([[0.0, 0.0]])
        [[0.5, 0.5]]
        """
        return [softmax(row) for row in z]

    def backward(self, z: Matrix, a: Matrix, grad_a: Matrix) -> Matrix:
        """∂L/∂Z_ij = A_ij · (∂L/∂A_ij − Σ_k ∂L/∂A_ik · A_ik), all batch × classes.

        >>> Softmax().backward([[0.0, 0.0]], [[0.5, 0.5]], [[1.0, 0.0]])   # A ⊙ (g − ⟨g, A⟩)
        [[0.25, -0.25]]
        """
        result = []
        for a_row, grad_row in zip(a, grad_a):
            inner = kernels.dot(grad_row, a_row)
            result.append([a_j * (g_j - inner) for a_j, g_j in zip(a_row, grad_row)])
        return result


identity = Identity()

ACTIVATIONS: Registry[Activation] = Registry(
    "activation", lambda spec: isinstance(spec, Activation)
)
"""The activations by name: ``Dense(…, activation=name)`` resolves here.  Register your own
with ``ACTIVATIONS.register(activation.name, activation)``."""

for _activation in (
    identity,
    Sigmoid(),
    Tanh(),
    ReLU(),
    LeakyReLU(),
    ELU(),
    Elementwise("softplus", softplus, softplus_derivative, output_range=(0.0, math.inf)),
    Elementwise("gelu", gelu, gelu_derivative),
    Softmax(),
):
    ACTIVATIONS.register(_activation.name, _activation)
