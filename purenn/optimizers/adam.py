"""Adam: per-entry steps scaled by running estimates of the gradient's first and second
moments."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn.arguments import check_int, check_real, shown
from purenn.errors import ConfigurationError, DataError
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

__all__ = ["Adam", "AdamState"]


class AdamState:
    """Adam's memory for one parameter: step count t, first moment m, second moment v (m and v
    have the parameter's shape).

    After one step with g = 2: m = (1 − β₁)·2 = 0.2 and v = (1 − β₂)·2² = 0.004.

    >>> theta, adam = Parameter("θ", [[1.0]]), Adam(lr=0.1)
    >>> adam.step([theta], [[[2.0]]])
    >>> state = adam.state[theta]
    >>> state, state.step, round(state.m[0][0], 12), round(state.v[0][0], 12)
    (<AdamState step 1>, 1, 0.2, 0.004)
    """

    def __init__(self, step: int, m: Matrix, v: Matrix) -> None:
        self.step = step
        self.m = m
        self.v = v

    def __repr__(self) -> str:
        return f"<AdamState step {self.step}>"


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (amsgrad off), per entry, with t the parameter's step count:

        g ← g + λθ                              (weight_decay λ ≥ 0, L2 added to the gradient)
        m ← β₁m + (1 − β₁)g                     (m₀ = 0)
        v ← β₂v + (1 − β₂)g²                    (v₀ = 0)
        m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)   (bias correction for the zero start)
        θ ← θ − η m̂ / (√v̂ + ε)

    Defaults are PyTorch's: η = 1e-3, (β₁, β₂) = (0.9, 0.999), ε = 1e-8.  θ, g, m and v have
    the parameter's shape.  On the first step m̂ = g and v̂ = g², so each entry moves by
    η·g/(|g| + ε), about η·sign(g) whenever |g| ≫ ε:

    >>> theta, adam = Parameter("θ", [[1.0, 1.0]]), Adam(lr=0.1)
    >>> adam.step([theta], [[[2.0, -0.5]]])
    >>> [round(value, 6) for value in theta.value[0]]
    [0.9, 1.1]
    """

    name = "Adam"

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ConfigurationError(f"Adam: betas must be a pair (β₁, β₂), got {shown(betas)}")
        self.betas = (
            check_fraction(betas[0], "betas[0]", "Adam"),
            check_fraction(betas[1], "betas[1]", "Adam"),
        )
        self.eps = check_real(eps, "eps", "Adam", low=0.0, include_low=False)
        self.weight_decay = check_real(weight_decay, "weight_decay", "Adam", low=0.0)

    def propose(self, parameter: Parameter, gradient: Matrix) -> tuple[Matrix, Any]:
        """(new θ, new AdamState), by the equations above; t counts this parameter's steps.

        >>> theta = Parameter("θ", [[1.0]])
        >>> values, state = Adam(lr=0.1).propose(theta, [[2.0]])   # first step: θ − η·sign(g)
        >>> round(values[0][0], 9), state, theta.value
        (0.9, <AdamState step 1>, [[1.0]])
        """
        state = self.state.get(parameter)
        t = 1 if state is None else state.step + 1
        beta1, beta2 = self.betas
        correction1 = 1.0 - beta1**t
        correction2 = 1.0 - beta2**t
        lr, eps, decay = self.lr, self.eps, self.weight_decay
        values: Matrix = []
        moments1: Matrix = []
        moments2: Matrix = []
        keep1, keep2 = 1.0 - beta1, 1.0 - beta2
        sqrt = math.sqrt
        for index, (row, grad_row) in enumerate(zip(parameter.value, gradient)):
            m_row = [0.0] * len(row) if state is None else state.m[index]
            v_row = [0.0] * len(row) if state is None else state.v[index]
            # Row by row in comprehensions (faster than one loop of appends), the same
            # operations in the same order as the equations above, so the same bits.
            g_row = [grad + decay * value for value, grad in zip(row, grad_row)]
            new_m = [beta1 * m + keep1 * g for m, g in zip(m_row, g_row)]
            new_v = [beta2 * v + keep2 * g * g for v, g in zip(v_row, g_row)]
            values.append([
                value - lr * (m / correction1) / (sqrt(v / correction2) + eps)
                for value, m, v in zip(row, new_m, new_v)
            ])
            moments1.append(new_m)
            moments2.append(new_v)
        return values, AdamState(t, moments1, moments2)

    def state_is_finite(self, state: Any) -> bool:
        """Whether both proposed moments are finite (g² of a gradient beyond ~1.3e154
        overflows v: the weight would freeze, its step m̂/√v̂ being 0 from then on).

        >>> Adam().state_is_finite(AdamState(1, [[0.2]], [[float("inf")]]))
        False
        """
        return all_finite(state.m) and all_finite(state.v)

    def config(self) -> dict[str, Any]:
        """{"lr", "betas", "eps", "weight_decay"}: Adam's own arguments.

        >>> Adam().config()
        {'lr': 0.001, 'betas': (0.9, 0.999), 'eps': 1e-08, 'weight_decay': 0.0}
        """
        return {
            "lr": self.lr, "betas": self.betas, "eps": self.eps, "weight_decay": self.weight_decay
        }

    def plain_state(self, state: Any) -> dict[str, Any]:
        """{"step": t, "exp_avg": m, "exp_avg_sq": v}, the matrices copied.

        >>> Adam().plain_state(AdamState(1, [[0.2]], [[0.004]]))
        {'step': 1, 'exp_avg': [[0.2]], 'exp_avg_sq': [[0.004]]}
        """
        return {"step": state.step, "exp_avg": copy_matrix(state.m),
                "exp_avg_sq": copy_matrix(state.v)}

    def state_from_plain(self, plain: Any, parameter: Parameter, where: str) -> Any:
        """An AdamState from {"step": t ≥ 1, "exp_avg": m, "exp_avg_sq": v ≥ 0}, m and v of the
        parameter's shape (v is a mean of squares: a negative entry would fail √v̂).

        >>> theta = Parameter("θ", [[1.0]])
        >>> plain = {"step": 2, "exp_avg": [[0.1]], "exp_avg_sq": [[0.01]]}
        >>> Adam().state_from_plain(plain, theta, "x")
        <AdamState step 2>
        """
        check_state_keys(plain, ("step", "exp_avg", "exp_avg_sq"), where)
        step = check_int(plain["step"], "step", where, 1)
        m = state_matrix(plain["exp_avg"], parameter, where, "exp_avg")
        v = state_matrix(plain["exp_avg_sq"], parameter, where, "exp_avg_sq")
        if not all(value >= 0.0 for row in v for value in row):
            raise DataError(f"{where}: exp_avg_sq must be ≥ 0 everywhere (a mean of squares)")
        return AdamState(step, m, v)

    def __repr__(self) -> str:
        return (
            f"Adam(lr={self.lr!r}, betas={self.betas!r}, eps={self.eps!r}, "
            f"weight_decay={self.weight_decay!r})"
        )

