"""Optimizers: rules that move parameters against the gradient of the loss, and gradient clipping.

Every optimizer receives the true gradient g = ∂L/∂θ (as backpropagation computed it) and
subtracts a step from θ, updating each parameter's rows in place so references to
``Parameter.value`` stay valid.  The update equations are PyTorch's published ones
(``torch.optim.SGD``, ``torch.optim.Adam``), written out per entry.

An optimizer keeps its state (momentum buffers, Adam's moments and step count) per parameter,
keyed by the parameter object itself, so one optimizer can keep training the same network over
several ``fit`` calls.  ``lr`` is a plain attribute a learning-rate schedule may reassign;
assigning it checks the value.
"""

import math
from typing import Any, Dict, List, Sequence, Tuple

from purenn.arguments import check_real
from purenn.errors import ConfigurationError, ShapeError
from purenn.kernels import Matrix
from purenn.layers import Parameter
from purenn.matrix import check_matrix

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "check_learning_rate",
    "check_max_norm",
    "clip_grad_norm",
    "clip_checked_gradients",
]

# PyTorch's clip_grad_norm_ adds this to the norm so the scale factor stays finite at norm 0.
CLIP_EPSILON = 1e-6


def check_learning_rate(learning_rate: Any, where: str) -> float:
    """Return ``learning_rate`` as a float; it must be a finite number ≥ 0."""
    return check_real(learning_rate, "learning rate", where, low=0.0)


def _check_fraction(value: Any, label: str, where: str) -> float:
    """A number in [0, 1): momentum and Adam's betas (1 would never forget a gradient)."""
    return check_real(value, label, where, low=0.0, high=1.0)


def _check_aligned(
    parameters: Sequence[Parameter], gradients: Sequence[Matrix], where: str
) -> None:
    """One gradient per parameter, each of its parameter's shape (checked by rows, cheaply)."""
    if len(parameters) != len(gradients):
        raise ShapeError(
            f"{where}: got {len(gradients)} gradients for {len(parameters)} parameters"
        )
    for parameter, gradient in zip(parameters, gradients):
        rows, columns = parameter.shape
        if len(gradient) != rows or any(len(row) != columns for row in gradient):
            raise ShapeError(
                f"{where}: the gradient for {parameter.name} does not have its shape "
                f"{rows}×{columns}"
            )


class Optimizer:
    """Base class: ``step(parameters, gradients)`` updates each parameter in place.

    ``lr`` (the learning rate η ≥ 0) may be reassigned between steps, e.g. by a schedule.
    """

    name = "Optimizer"

    def __init__(self, lr: float) -> None:
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate η used by the next step."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_learning_rate(value, self.name)

    def step(self, parameters: Sequence[Parameter], gradients: Sequence[Matrix]) -> None:
        """Apply one update, given g = ∂L/∂θ for each parameter θ (aligned lists, same shapes).

        Raises ShapeError when the lists or shapes do not match.
        """
        _check_aligned(parameters, gradients, f"{self.name}.step")
        for parameter, gradient in zip(parameters, gradients):
            self._update(parameter, gradient)

    def _update(self, parameter: Parameter, gradient: Matrix) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        """Forget all per-parameter state (momentum buffers, moments, step counts)."""


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD`` (no dampening), per entry:

        g ← g + λθ                       (weight_decay λ ≥ 0: L2 penalty ½λ‖θ‖² added to L)
        b ← μb + g,  with b = g on the first step          (momentum μ ∈ [0, 1))
        g ← g + μb if nesterov, else g ← b                 (only when μ > 0)
        θ ← θ − ηg                                         (lr η ≥ 0)

    With μ = 0 and λ = 0 this is plain gradient descent θ ← θ − η ∂L/∂θ, the seed's rule.
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
        self.momentum = _check_fraction(momentum, "momentum", "SGD")
        if not isinstance(nesterov, bool):
            raise ConfigurationError(f"SGD: nesterov must be True or False, got {nesterov!r}")
        if nesterov and self.momentum == 0:
            raise ConfigurationError("SGD: nesterov=True needs a momentum > 0, got momentum=0")
        self.nesterov = nesterov
        self.weight_decay = check_real(weight_decay, "weight_decay", "SGD", low=0.0)
        # id(parameter) -> (parameter, momentum buffer b); keeping the parameter alive keeps
        # its id from being reused by another object.
        self._buffers: Dict[int, Tuple[Parameter, Matrix]] = {}

    def reset(self) -> None:
        """Forget the momentum buffers: the next step starts again from b = g."""
        self._buffers.clear()

    def _update(self, parameter: Parameter, gradient: Matrix) -> None:
        lr = self.lr
        if self.momentum == 0 and self.weight_decay == 0:
            for row, grad_row in zip(parameter.value, gradient):
                row[:] = [value - lr * grad for value, grad in zip(row, grad_row)]
            return
        decay = self.weight_decay
        direction = [
            [grad + decay * value for value, grad in zip(row, grad_row)]
            for row, grad_row in zip(parameter.value, gradient)
        ]
        if self.momentum != 0:
            direction = self._momentum_direction(parameter, direction)
        for row, step_row in zip(parameter.value, direction):
            row[:] = [value - lr * step for value, step in zip(row, step_row)]

    def _momentum_direction(self, parameter: Parameter, gradient: Matrix) -> Matrix:
        mu = self.momentum
        entry = self._buffers.get(id(parameter))
        if entry is None:
            buffer = [row[:] for row in gradient]  # b₁ = g: the first step has no history
        else:
            buffer = [
                [mu * b + g for b, g in zip(buffer_row, grad_row)]
                for buffer_row, grad_row in zip(entry[1], gradient)
            ]
        self._buffers[id(parameter)] = (parameter, buffer)
        if not self.nesterov:
            return buffer
        return [
            [g + mu * b for g, b in zip(grad_row, buffer_row)]
            for grad_row, buffer_row in zip(gradient, buffer)
        ]

    def __repr__(self) -> str:
        return (
            f"SGD(lr={self.lr!r}, momentum={self.momentum!r}, nesterov={self.nesterov!r}, "
            f"weight_decay={self.weight_decay!r})"
        )


class _AdamState:
    """Adam's memory for one parameter: step count t, first moment m, second moment v."""

    def __init__(self, parameter: Parameter) -> None:
        rows, columns = parameter.shape
        self.parameter = parameter
        self.step = 0
        self.m: Matrix = [[0.0] * columns for _ in range(rows)]
        self.v: Matrix = [[0.0] * columns for _ in range(rows)]


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (amsgrad off), per entry, with t the parameter's step count:

        g ← g + λθ                              (weight_decay λ ≥ 0, L2 added to the gradient)
        m ← β₁m + (1 − β₁)g                     (m₀ = 0)
        v ← β₂v + (1 − β₂)g²                    (v₀ = 0)
        m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)   (bias correction for the zero start)
        θ ← θ − η m̂ / (√v̂ + ε)

    Defaults are PyTorch's: η = 1e-3, (β₁, β₂) = (0.9, 0.999), ε = 1e-8.
    """

    name = "Adam"

    def __init__(
        self,
        lr: float = 1e-3,
        betas: Tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ConfigurationError(f"Adam: betas must be a pair (β₁, β₂), got {betas!r}")
        self.betas = (
            _check_fraction(betas[0], "betas[0]", "Adam"),
            _check_fraction(betas[1], "betas[1]", "Adam"),
        )
        self.eps = check_real(eps, "eps", "Adam", low=0.0, include_low=False)
        self.weight_decay = check_real(weight_decay, "weight_decay", "Adam", low=0.0)
        self._states: Dict[int, _AdamState] = {}

    def reset(self) -> None:
        """Forget the moments and step counts: the next step is step 1 again."""
        self._states.clear()

    def _update(self, parameter: Parameter, gradient: Matrix) -> None:
        state = self._states.get(id(parameter))
        if state is None:
            state = self._states[id(parameter)] = _AdamState(parameter)
        state.step += 1
        beta1, beta2 = self.betas
        correction1 = 1.0 - beta1**state.step
        correction2 = 1.0 - beta2**state.step
        lr, eps, decay = self.lr, self.eps, self.weight_decay
        for row, grad_row, m_row, v_row in zip(parameter.value, gradient, state.m, state.v):
            new_row: List[float] = []
            for j, (value, grad) in enumerate(zip(row, grad_row)):
                g = grad + decay * value
                m = m_row[j] = beta1 * m_row[j] + (1.0 - beta1) * g
                v = v_row[j] = beta2 * v_row[j] + (1.0 - beta2) * g * g
                m_hat = m / correction1
                v_hat = v / correction2
                new_row.append(value - lr * m_hat / (math.sqrt(v_hat) + eps))
            row[:] = new_row

    def __repr__(self) -> str:
        return (
            f"Adam(lr={self.lr!r}, betas={self.betas!r}, eps={self.eps!r}, "
            f"weight_decay={self.weight_decay!r})"
        )


def clip_grad_norm(gradients: Sequence[Matrix], max_norm: float) -> float:
    """Scale the gradients IN PLACE so their global L2 norm is at most ``max_norm``; return
    the norm before clipping.

    ‖g‖ = √(Σ over every entry of every gradient of g²); each entry is multiplied by
    c = min(1, max_norm / (‖g‖ + 1e-6)), as ``torch.nn.utils.clip_grad_norm_`` does (so c < 1
    as soon as ‖g‖ > max_norm − 1e-6).  A non-finite norm leaves the gradients untouched.
    Raises ConfigurationError unless max_norm is a finite number > 0, and ShapeError unless
    ``gradients`` is a list of matrices.
    """
    check_max_norm(max_norm, "clip_grad_norm")
    if not isinstance(gradients, (list, tuple)):
        raise ShapeError(
            f"clip_grad_norm: gradients must be a list of matrices, got {gradients!r:.60}"
        )
    for index, gradient in enumerate(gradients):
        check_matrix(gradient, "clip_grad_norm", f"gradients[{index}]")
    return clip_checked_gradients(gradients, max_norm)


def check_max_norm(max_norm: Any, where: str) -> float:
    """Return ``max_norm`` as a float; it must be a finite number > 0."""
    return check_real(max_norm, "max_norm", where, low=0.0, include_low=False)


def clip_checked_gradients(gradients: Sequence[Matrix], max_norm: float) -> float:
    """``clip_grad_norm`` on gradients and max_norm already checked (the training loop's)."""
    squares = 0.0
    for gradient in gradients:
        for row in gradient:
            squares += sum(g * g for g in row)
    total_norm = math.sqrt(squares)
    factor = max_norm / (total_norm + CLIP_EPSILON)
    if math.isfinite(total_norm) and factor < 1.0:
        for gradient in gradients:
            for row in gradient:
                row[:] = [g * factor for g in row]
    return total_norm
