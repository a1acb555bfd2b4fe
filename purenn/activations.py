"""Activation functions, each next to its derivative, in a registry by name.

An activation maps a layer's pre-activation Z (batch × width) to its output A = f(Z), and in the
backward pass turns the upstream gradient ∂L/∂A into ∂L/∂Z.  Most activations act entrywise, so
∂L/∂Z = ∂L/∂A ⊙ f′(Z); ``Elementwise`` builds those from a scalar function and its derivative.

Every derivative here has the signature ``derivative(z, a)``: it returns f′ at the pre-activation
z, and receives a = f(z) as well so it can use whichever is cheaper or stabler (σ′(z) = a(1 − a)
reuses the forward value instead of computing another exponential).

Forward functions follow the complex-safety rule of ``purenn.scalar`` so that the gradient
checker's complex step works through every activation.
"""

from typing import Callable, Dict, List, Tuple, Union

from purenn import kernels
from purenn.errors import ConfigurationError
from purenn.kernels import Matrix
from purenn.scalar import exp, tanh

__all__ = [
    "Activation",
    "Elementwise",
    "ACTIVATIONS",
    "get_activation",
    "register_activation",
    "identity",
    "sigmoid",
    "sigmoid_derivative",
    "tanh_derivative",
    "relu",
    "relu_derivative",
]

ScalarFunction = Callable[[float], float]
ScalarDerivative = Callable[[float, float], float]


class Activation:
    """Base class: ``forward(Z) -> A`` and ``backward(Z, A, grad_A) -> grad_Z``."""

    name: str = "activation"
    # Where f is not differentiable (relu: z = 0): finite differences straddling one are garbage,
    # so the gradient checker skips entries whose step moves a pre-activation across a kink.
    kinks: Tuple[float, ...] = ()

    def forward(self, z: Matrix) -> Matrix:
        """A = f(Z) for a batch × width matrix Z."""
        raise NotImplementedError

    def backward(self, z: Matrix, a: Matrix, grad_a: Matrix) -> Matrix:
        """∂L/∂Z from Z, A = f(Z) and ∂L/∂A, all batch × width."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<activation {self.name}>"


class Elementwise(Activation):
    """An activation applied entry by entry: A_ij = f(Z_ij), ∂L/∂Z_ij = ∂L/∂A_ij · f′(Z_ij)."""

    def __init__(
        self,
        name: str,
        function: ScalarFunction,
        derivative: ScalarDerivative,
        kinks: Tuple[float, ...] = (),
    ) -> None:
        self.name = name
        self.kinks = kinks
        self.function = function
        self.derivative = derivative

    def forward(self, z: Matrix) -> Matrix:
        """A = f(Z), entrywise."""
        return kernels.apply(self.function, z)

    def backward(self, z: Matrix, a: Matrix, grad_a: Matrix) -> Matrix:
        """∂L/∂Z = ∂L/∂A ⊙ f′(Z), with f′ given each z and its a = f(z)."""
        derivative = self.derivative
        return [
            kernels.multiply_rows(grad_row, map(derivative, z_row, a_row))
            for grad_row, z_row, a_row in zip(grad_a, z, a)
        ]


class Identity(Activation):
    """f(z) = z, f′(z) = 1: the output layer of a regression or of logits."""

    name = "identity"

    def forward(self, z: Matrix) -> Matrix:
        """A = Z (the same list: nothing downstream modifies it)."""
        return z

    def backward(self, z: Matrix, a: Matrix, grad_a: Matrix) -> Matrix:
        """∂L/∂Z = ∂L/∂A."""
        return grad_a


def sigmoid(z: float) -> float:
    """σ(z) = 1 / (1 + e⁻ᶻ), computed without overflow for any finite z."""
    # e^(-z) overflows for z < -709; for negative z use the equal form e^z / (1 + e^z), whose
    # exponential can only underflow to 0, which is harmless.
    if z.real >= 0.0:
        return 1.0 / (1.0 + exp(-z))
    e = exp(z)
    return e / (1.0 + e)


def sigmoid_derivative(z: float, a: float) -> float:
    """σ′(z) = σ(z)(1 − σ(z)), from a = σ(z)."""
    return a * (1.0 - a)


def tanh_derivative(z: float, a: float) -> float:
    """tanh′(z) = 1 − tanh²(z), from a = tanh(z)."""
    return 1.0 - a * a


def relu(z: float) -> float:
    """relu(z) = max(0, z)."""
    return z if z.real > 0.0 else 0.0


def relu_derivative(z: float, a: float) -> float:
    """relu′(z) = 1 for z > 0, else 0 (the subgradient 0 at the kink z = 0, as PyTorch)."""
    return 1.0 if z.real > 0.0 else 0.0


identity = Identity()

ACTIVATIONS: Dict[str, Activation] = {}


def register_activation(activation: Activation) -> Activation:
    """Add an activation to the registry under ``activation.name``; returns it."""
    ACTIVATIONS[activation.name] = activation
    return activation


register_activation(identity)
register_activation(Elementwise("sigmoid", sigmoid, sigmoid_derivative))
register_activation(Elementwise("tanh", tanh, tanh_derivative))
register_activation(Elementwise("relu", relu, relu_derivative, kinks=(0.0,)))


def known_names() -> List[str]:
    """The registered activation names, sorted."""
    return sorted(ACTIVATIONS)


def get_activation(spec: Union[str, Activation]) -> Activation:
    """The activation named ``spec`` (or ``spec`` itself if it already is one).

    Raises ConfigurationError (a ValueError) listing the known names for an unknown one.
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str) and spec in ACTIVATIONS:
        return ACTIVATIONS[spec]
    raise ConfigurationError(
        f"unknown activation {spec!r}; known activations: {', '.join(known_names())}"
    )
