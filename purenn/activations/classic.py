"""The seed tutorial's sigmoid and the two most networks use besides, tanh and relu, each next to
its derivative.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn.activations.base import Elementwise
from purenn.scalar import exp, tanh

if TYPE_CHECKING:

    pass

__all__ = [
    "sigmoid",
    "sigmoid_derivative",
    "Sigmoid",
    "tanh_derivative",
    "Tanh",
    "relu",
    "relu_derivative",
    "ReLU",
]


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
