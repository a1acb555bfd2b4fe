"""SGD: plain gradient descent, with momentum (heavy-ball or Nesterov) and weight decay."""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.arguments import check_real, shown
from purenn.errors import ConfigurationError
from purenn.layers import Parameter
from purenn.optimizers.base import (
    Optimizer,
    all_finite,
    check_fraction,
    check_state_keys,
    copy_matrix,
    state_matrix,
)

if TYPE_CHECKING:
    from typing import Any

    from purenn.kernels import Matrix

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD`` (no dampening), per entry:

        g ← g + λθ                       (weight_decay λ ≥ 0: L2 penalty ½λ‖θ‖² added to L)
        b ← μb + g,  with b = g on the first step          (momentum μ ∈ [0, 1))
        g ← g + μb if nesterov, else g ← b                 (only when μ > 0)
        θ ← θ − ηg                                         (lr η ≥ 0)

    With μ = 0 and λ = 0 this is plain gradient descent θ ← θ − η ∂L/∂θ, the seed's rule.
    θ, g and b have the parameter's shape.  With momentum, the second step goes further:

    >>> theta, sgd = Parameter("θ", [[0.0]]), SGD(lr=0.5, momentum=0.5)
    >>> sgd.step([theta], [[[1.0]]]); theta.value
    [[-0.5]]
    >>> sgd.step([theta], [[[1.0]]]); theta.value, sgd.state[theta]
    ([[-1.25]], [[1.5]])
    """

    name = "SGD"

    def __init__(
        self,
        lr: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr)
        self.momentum = check_fraction(momentum, "momentum", "SGD")
        if not isinstance(nesterov, bool):
            raise ConfigurationError(f"SGD: nesterov must be True or False, got {shown(nesterov)}")
        if nesterov and self.momentum == 0:
            raise ConfigurationError("SGD: nesterov=True needs a momentum > 0, got momentum=0")
        self.nesterov = nesterov
        self.weight_decay = check_real(weight_decay, "weight_decay", "SGD", low=0.0)

    def propose(self, parameter: Parameter, gradient: Matrix) -> tuple[Matrix, Any]:
        """(θ − η·direction, momentum buffer b or None), by the equations above; θ itself is
        not changed.

        >>> theta = Parameter("θ", [[1.0, 2.0]])
        >>> SGD(lr=0.5).propose(theta, [[2.0, -2.0]]), theta.value
        (([[0.0, 3.0]], None), [[1.0, 2.0]])
        """
        lr = self.lr
        if self.momentum == 0 and self.weight_decay == 0:
            # The seed's rule, θ ← θ − η g, without building the direction separately.
            return [
                [value - lr * grad for value, grad in zip(row, grad_row)]
                for row, grad_row in zip(parameter.value, gradient)
            ], None
        decay = self.weight_decay
        direction = [
            [grad + decay * value for value, grad in zip(row, grad_row)]
            for row, grad_row in zip(parameter.value, gradient)
        ]
        buffer = None
        if self.momentum != 0:
            direction, buffer = self._momentum(self.state.get(parameter), direction)
        return [
            [value - lr * step for value, step in zip(row, step_row)]
            for row, step_row in zip(parameter.value, direction)
        ], buffer

    def state_is_finite(self, state: Any) -> bool:
        """Whether the proposed momentum buffer (or None) is finite.

        >>> SGD(lr=0.1, momentum=0.9).state_is_finite([[1.0, float("inf")]])
        False
        """
        return state is None or all_finite(state)

    def _momentum(self, buffer: Any, gradient: Matrix) -> tuple[Matrix, Matrix]:
        """(direction, new buffer): b ← μb + g (b = g at first), direction b or g + μb."""
        mu = self.momentum
        if buffer is None:
            buffer = [row[:] for row in gradient]  # b₁ = g: the first step has no history
        else:
            buffer = [
                [mu * b + g for b, g in zip(buffer_row, grad_row)]
                for buffer_row, grad_row in zip(buffer, gradient)
            ]
        if not self.nesterov:
            return buffer, buffer
        nesterov = [
            [g + mu * b for g, b in zip(grad_row, buffer_row)]
            for grad_row, buffer_row in zip(gradient, buffer)
        ]
        return nesterov, buffer

    def config(self) -> dict[str, Any]:
        """{"lr", "momentum", "nesterov", "weight_decay"}: SGD's own arguments.

        >>> SGD(lr=0.1, momentum=0.9).config()
        {'lr': 0.1, 'momentum': 0.9, 'nesterov': False, 'weight_decay': 0.0}
        """
        return {
            "lr": self.lr,
            "momentum": self.momentum,
            "nesterov": self.nesterov,
            "weight_decay": self.weight_decay,
        }

    def plain_state(self, state: Any) -> dict[str, Any]:
        """{"momentum_buffer": b}, b copied.

        >>> SGD(lr=0.1, momentum=0.9).plain_state([[2.0, -2.0]])
        {'momentum_buffer': [[2.0, -2.0]]}
        """
        return {"momentum_buffer": copy_matrix(state)}

    def state_from_plain(self, plain: Any, parameter: Parameter, where: str) -> Any:
        """The momentum buffer b from {"momentum_buffer": b}, b of the parameter's shape.

        >>> theta = Parameter("θ", [[1.0, 2.0]])
        >>> SGD(lr=0.1, momentum=0.9).state_from_plain({"momentum_buffer": [[0, 1]]}, theta, "x")
        [[0.0, 1.0]]
        """
        check_state_keys(plain, ("momentum_buffer",), where)
        return state_matrix(plain["momentum_buffer"], parameter, where, "momentum_buffer")

    def __repr__(self) -> str:
        return (
            f"SGD(lr={self.lr!r}, momentum={self.momentum!r}, nesterov={self.nesterov!r}, "
            f"weight_decay={self.weight_decay!r})"
        )
