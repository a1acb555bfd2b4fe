"""Learning-rate schedules: the learning rate of each epoch (or step) as a closed form of its index.

A schedule is a function of (epoch, base_lr) with no hidden state: ``rate(t, η₀)`` is the
learning rate for the epoch with 0-based index t (t epochs already done), given the optimizer's
learning rate η₀ when ``fit`` started.  ``fit(..., schedule=...)`` sets ``optimizer.lr`` to
``rate(t, η₀)`` at the start of each epoch, which reproduces PyTorch's ``StepLR``,
``ExponentialLR`` and ``CosineAnnealingLR`` stepped once per epoch (``scheduler.step()`` after
each epoch), using their closed forms.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn.arguments import check_int, check_real
from purenn.optimizers import check_learning_rate

if TYPE_CHECKING:
    from typing import Any

__all__ = ["Schedule", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearDecay"]


def _scaled_power(base_lr: float, gamma: float, exponent: int) -> float:
    """η₀ · γᵏ, +inf only where the product itself is beyond the largest float."""
    try:
        return base_lr * gamma**exponent
    except OverflowError:
        # γᵏ alone overflows (float ** raises rather than returning inf: γ = 2, k = 1100), yet
        # η₀ · γᵏ may still be finite (η₀ = 1e-300): take the product in logarithms.
        if base_lr == 0.0 or gamma == 1.0:  # 1.0 ** k raises too when k exceeds the floats
            return base_lr
        log_gamma = math.log(gamma)
        try:
            exponent_of_e = math.log(base_lr) + exponent * log_gamma
        except OverflowError:  # k itself exceeds the floats (10**400 epochs): γᵏ is 0 or inf
            exponent_of_e = math.inf if log_gamma > 0.0 else -math.inf
        return math.exp(exponent_of_e) if exponent_of_e < 709.0 else math.inf


def _check_gamma(gamma: Any, where: str) -> float:
    return check_real(gamma, "gamma", where, low=0.0, include_low=False)


class Schedule:
    """Base class: ``rate(epoch, base_lr)`` is the learning rate of epoch ``epoch`` (from 0).

    ``rate`` checks its arguments and calls ``closed_form(epoch, base_lr)``, which a subclass
    writes:

    >>> class Halving(Schedule):
    ...     def closed_form(self, epoch, base_lr):
    ...         return base_lr / 2**epoch
    >>> [Halving().rate(t, 1.0) for t in range(4)]
    [1.0, 0.5, 0.25, 0.125]
    """

    name = "Schedule"

    def rate(self, epoch: int, base_lr: float) -> float:
        """The learning rate for 0-based epoch t given the starting rate η₀ ≥ 0: ``closed_form``
        after checking its arguments.  It may be +inf where the closed form overflows (a γ > 1
        raised to a large t); the training loop reports that as divergence.

        Raises ConfigurationError for t that is not an int ≥ 0 or η₀ that is not ≥ 0.

        >>> StepLR(step_size=2).rate(-1, 0.1)
        Traceback (most recent call last):
        ...
        purenn.errors.ConfigurationError: StepLR.rate: epoch must be an int ≥ 0, got -1
        """
        check_int(epoch, "epoch", f"{self.name}.rate", 0)
        return self.closed_form(epoch, check_learning_rate(base_lr, f"{self.name}.rate"))

    def closed_form(self, epoch: int, base_lr: float) -> float:
        """η_t for an int t ≥ 0 and a finite η₀ ≥ 0 already known to be valid (the training
        loop's path: it checked both before the first epoch); no argument checks.

        >>> StepLR(step_size=2, gamma=0.5).closed_form(3, 1.0)   # a subclass's closed form
        0.5
        """
        raise NotImplementedError


class StepLR(Schedule):
    """η_t = η₀ · γ^⌊t / step_size⌋: multiply by γ every ``step_size`` epochs (PyTorch StepLR).

    >>> [StepLR(step_size=2, gamma=0.5).rate(t, 1.0) for t in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    name = "StepLR"

    def __init__(self, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = check_int(step_size, "step_size", "StepLR", 1)
        self.gamma = _check_gamma(gamma, "StepLR")

    def closed_form(self, epoch: int, base_lr: float) -> float:
        """η₀ · γ^⌊t / step_size⌋ (+inf only where that product exceeds the largest float).

        >>> [StepLR(step_size=2, gamma=0.1).closed_form(t, 1.0) for t in range(4)]
        [1.0, 1.0, 0.1, 0.1]
        """
        return _scaled_power(base_lr, self.gamma, epoch // self.step_size)

    def __repr__(self) -> str:
        return f"StepLR(step_size={self.step_size!r}, gamma={self.gamma!r})"


class ExponentialLR(Schedule):
    """η_t = η₀ · γ^t: multiply by γ every epoch (PyTorch ExponentialLR).

    >>> [ExponentialLR(gamma=0.5).rate(t, 0.1) for t in range(3)]
    [0.1, 0.05, 0.025]
    """

    name = "ExponentialLR"

    def __init__(self, gamma: float) -> None:
        self.gamma = _check_gamma(gamma, "ExponentialLR")

    def closed_form(self, epoch: int, base_lr: float) -> float:
        """η₀ · γ^t, +inf only where that product exceeds the largest float (γ^t alone may
        overflow while η₀ · γ^t is finite).

        >>> schedule = ExponentialLR(gamma=2.0)
        >>> schedule.closed_form(1100, 1.0), f"{schedule.closed_form(1100, 1e-300):.6g}"
        (inf, '1.3583e+31')
        """
        return _scaled_power(base_lr, self.gamma, epoch)

    def __repr__(self) -> str:
        return f"ExponentialLR(gamma={self.gamma!r})"


class CosineAnnealingLR(Schedule):
    """η_t = η_min + ½(η₀ − η_min)(1 + cos(π t / T_max)) (PyTorch CosineAnnealingLR's closed
    form): from η₀ at t = 0 down to η_min at t = T_max; past T_max the cosine rises again
    (period 2·T_max), as PyTorch's closed form does.

    >>> [round(CosineAnnealingLR(T_max=2).rate(t, 1.0), 12) for t in range(5)]
    [1.0, 0.5, 0.0, 0.5, 1.0]
    """

    name = "CosineAnnealingLR"

    def __init__(self, T_max: int, eta_min: float = 0.0) -> None:  # noqa: N803 (PyTorch's name)
        self.T_max = check_int(T_max, "T_max", "CosineAnnealingLR", 1)
        self.eta_min = check_learning_rate(eta_min, "CosineAnnealingLR (eta_min)")

    def closed_form(self, epoch: int, base_lr: float) -> float:
        """η_min + ½(η₀ − η_min)(1 + cos(π t / T_max)).

        >>> [CosineAnnealingLR(T_max=2).closed_form(t, 1.0) for t in range(3)]
        [1.0, 0.5, 0.0]
        """
        cosine = math.cos(math.pi * epoch / self.T_max)
        return self.eta_min + 0.5 * (base_lr - self.eta_min) * (1.0 + cosine)

    def __repr__(self) -> str:
        return f"CosineAnnealingLR(T_max={self.T_max!r}, eta_min={self.eta_min!r})"


class LinearDecay(Schedule):
    """η_t = η₀ · (1 − t / total): from η₀ at t = 0 falling linearly towards 0 at t = total
    (microgpt's ``lr_t = learning_rate * (1 - step / num_steps)``; PyTorch's ``LinearLR`` from
    factor 1 to 0 over ``total`` iterations).  Past ``total`` the rate stays 0.

    The index t counts whatever its user steps it by: ``fit`` calls it once per epoch;
    ``purenn.models.train_steps`` once per optimizer step, microgpt's per-step schedule.

    >>> [LinearDecay(total=4).rate(t, 0.01) for t in range(5)]
    [0.01, 0.0075, 0.005, 0.0025, 0.0]
    """

    name = "LinearDecay"

    def __init__(self, total: int) -> None:
        self.total = check_int(total, "total", "LinearDecay", 1)

    def closed_form(self, epoch: int, base_lr: float) -> float:
        """η₀ · (1 − t / total), 0 from t = total on."""
        return base_lr * (1 - epoch / self.total) if epoch < self.total else 0.0

    def __repr__(self) -> str:
        return f"LinearDecay(total={self.total!r})"
