"""What an activation is: A = f(Z) forward, ∂L/∂Z from ∂L/∂A backward; ``Elementwise`` builds
one from a scalar function and its derivative, ``Identity`` is f(z) = z.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn import kernels

if TYPE_CHECKING:
    from typing import Callable

    from purenn.kernels import Matrix

    ScalarFunction = Callable[[float], float]
    ScalarDerivative = Callable[[float, float], float]

__all__ = ["Activation", "Elementwise", "Identity"]


class Activation:
    """Base class: ``forward(Z) -> A`` and ``backward(Z, A, grad_A) -> grad_Z``, all four
    batch × width.

    >>> from purenn.activations import ACTIVATIONS
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

        >>> from purenn.activations import Tanh
        >>> Tanh().forward([[0.0]])                    # a subclass's A = f(Z)
        [[0.0]]
        """
        raise NotImplementedError

    def backward(self, z: Matrix, a: Matrix, grad_a: Matrix) -> Matrix:
        """∂L/∂Z from Z, A = f(Z) and ∂L/∂A, all batch × width.

        >>> from purenn.activations import Tanh
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

        >>> from purenn.activations import ACTIVATIONS
        >>> softplus = ACTIVATIONS.resolve("softplus", "example")   # an Elementwise
        >>> softplus.forward([[0.0]])                               # ln 2
        [[0.6931471805599453]]
        """
        return kernels.apply(self.function, z)

    def backward(self, z: Matrix, a: Matrix, grad_a: Matrix) -> Matrix:
        """∂L/∂Z = ∂L/∂A ⊙ f′(Z), with f′ given each z and its a = f(z).

        >>> from purenn.activations import ACTIVATIONS
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

    >>> from purenn.activations import identity
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
