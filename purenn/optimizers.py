"""Optimizers: rules that move parameters against the gradient of the loss.

Every optimizer receives the true gradient ∂L/∂θ (as backpropagation computed it) and subtracts
a step from θ, updating each parameter's rows in place so references to ``Parameter.value`` stay
valid.
"""

import math
from typing import Sequence

from purenn.errors import ConfigurationError
from purenn.kernels import Matrix
from purenn.layers import Parameter

__all__ = ["Optimizer", "SGD", "check_learning_rate"]


def check_learning_rate(learning_rate: float, where: str) -> float:
    """Return ``learning_rate`` as a float; it must be a finite number ≥ 0."""
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)):
        raise ConfigurationError(f"{where}: learning rate must be a number, got {learning_rate!r}")
    if not math.isfinite(learning_rate) or learning_rate < 0:
        raise ConfigurationError(
            f"{where}: learning rate must be finite and ≥ 0, got {learning_rate!r}"
        )
    return float(learning_rate)


class Optimizer:
    """Base class: ``step(parameters, gradients)`` updates each parameter in place."""

    def step(self, parameters: Sequence[Parameter], gradients: Sequence[Matrix]) -> None:
        """Apply one update, given ∂L/∂θ for each parameter θ (aligned lists)."""
        raise NotImplementedError


class SGD(Optimizer):
    """Plain gradient descent: θ ← θ − η ∂L/∂θ, with learning rate η ≥ 0."""

    def __init__(self, lr: float = 0.01) -> None:
        self.lr = check_learning_rate(lr, "SGD")

    def step(self, parameters: Sequence[Parameter], gradients: Sequence[Matrix]) -> None:
        """θ ← θ − η ∂L/∂θ for every parameter, in place."""
        lr = self.lr
        for parameter, gradient in zip(parameters, gradients):
            for row, grad_row in zip(parameter.value, gradient):
                row[:] = [value - lr * grad for value, grad in zip(row, grad_row)]

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr!r})"
