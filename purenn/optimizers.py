"""Optimizers: rules that move parameters against the gradient of the loss, and gradient clipping.

Every optimizer receives the true gradient g = ∂L/∂θ (as backpropagation computed it) and
subtracts a step from θ.  The update equations are PyTorch's published ones (``torch.optim.SGD``,
``torch.optim.Adam``), written out per entry.

An update is all or nothing: ``propose`` computes every parameter's new values and new
optimizer state without touching the old ones; only if every new value is finite are they
committed.  So a step that would overflow leaves the weights and the optimizer's state (momentum
buffers, Adam's moments and step count) exactly as they were, with no copy taken beforehand.

State is kept per parameter in ``state``, a dict keyed by the Parameter objects themselves, so it
follows its parameters through ``copy.deepcopy((network, optimizer))`` and pickling, and one
optimizer can keep training the same network over several ``fit`` calls.  ``state_list`` and
``load_state_list`` give and take that state as plain data in the order of a list of parameters
(PyTorch's names: ``momentum_buffer``; ``step``, ``exp_avg``, ``exp_avg_sq``), and ``config``
the hyper-parameters, for checkpoints (``purenn.formats``).  ``lr`` is a
property a learning-rate schedule may reassign; assigning it checks the value.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

from purenn.arguments import check_int, check_real, shown
from purenn.errors import ConfigurationError, DataError, DivergenceError, ShapeError
from purenn.layers import Parameter
from purenn.matrix import as_float_matrix, check_matrix, format_shape

if TYPE_CHECKING:
    from typing import Any, Sequence

    from purenn.kernels import Matrix

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamState",
    "check_learning_rate",
    "check_max_norm",
    "all_finite",
    "non_finite_update",
    "clip_grad_norm",
    "clip_checked_gradients",
]

# PyTorch's clip_grad_norm_ adds this to the norm so the scale factor stays finite at norm 0.
CLIP_EPSILON = 1e-6


def check_learning_rate(learning_rate: Any, where: str) -> float:
    """Return ``learning_rate`` as a float; it must be a finite number ≥ 0.

    >>> check_learning_rate(1, "fit")
    1.0
    """
    return check_real(learning_rate, "learning rate", where, low=0.0)


def _check_fraction(value: Any, label: str, where: str) -> float:
    """A number in [0, 1): momentum and Adam's betas (1 would never forget a gradient)."""
    return check_real(value, label, where, low=0.0, high=1.0)


def all_finite(matrix: Matrix) -> bool:
    """True when every entry of ``matrix`` is finite (no NaN, no ±inf).

    One sum of all the entries decides in the common case (a NaN or ±inf entry makes the sum
    NaN or ±inf), in one pass in C; only when that sum is not finite are the rows looked at,
    and a row whose sum is not finite entry by entry, because finite entries near ±1e308 can
    overflow a sum.

    >>> all_finite([[1.0, 2.0], [1e308, 1e308]]), all_finite([[1.0, float("nan")]])
    (True, False)
    """
    isfinite = math.isfinite
    return isfinite(sum(map(sum, matrix))) or all(
        isfinite(sum(row)) or all(map(isfinite, row)) for row in matrix
    )


def non_finite_update(optimizer: Optimizer, parameter: Parameter) -> DivergenceError:
    """The error of an update that would make ``parameter`` non-finite (raised before any
    value or state changes).

    >>> error = non_finite_update(SGD(lr=0.1), Parameter("w", [[1.0]]))
    >>> type(error).__name__, str(error).split(";")[0]
    ('DivergenceError', 'SGD: the update would make w non-finite')
    """
    return DivergenceError(
        f"{optimizer.name}: the update would make {parameter.name} non-finite; no weight and "
        "no optimizer state was changed"
    )


def _check_aligned(
    parameters: Sequence[Parameter], gradients: Sequence[Matrix], where: str
) -> None:
    """One gradient per parameter, each a matrix of its parameter's shape."""
    if len(parameters) != len(gradients):
        raise ShapeError(
            f"{where}: got {len(gradients)} gradients for {len(parameters)} parameters"
        )
    for index, (parameter, gradient) in enumerate(zip(parameters, gradients)):
        if check_matrix(gradient, where, f"gradients[{index}]") != parameter.shape:
            rows, columns = parameter.shape
            raise ShapeError(
                f"{where}: the gradient for {parameter.name} does not have its shape "
                f"{rows}×{columns}"
            )


class Optimizer:
    """Base class: ``step(parameters, gradients)`` updates each parameter, all or nothing.

    ``lr`` (the learning rate η ≥ 0) may be reassigned between steps, e.g. by a schedule.
    A subclass writes ``propose``: the new values and new state of one parameter.

    >>> optimizer = SGD(lr=0.1)
    >>> optimizer.lr = 0.05
    >>> optimizer.lr
    0.05
    >>> optimizer.lr = -1.0
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: SGD: learning rate must be a finite number ≥ 0, got -1.0
    """

    name = "Optimizer"

    def __init__(self, lr: float) -> None:
        self.lr = lr
        self.state: dict[Parameter, Any] = {}

    @property
    def lr(self) -> float:
        """The learning rate η used by the next step."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_learning_rate(value, self.name)

    def step(self, parameters: Sequence[Parameter], gradients: Sequence[Matrix]) -> None:
        """Apply one update, given g = ∂L/∂θ for each parameter θ (aligned lists, same shapes).

        Raises ShapeError when the lists or shapes do not match, and DivergenceError when the
        update would make any value NaN or ±inf (then nothing changes).

        >>> theta = Parameter("θ", [[1.0, 2.0]])
        >>> SGD(lr=0.5).step([theta], [[[2.0, -2.0]]])
        >>> theta.value
        [[0.0, 3.0]]
        """
        _check_aligned(parameters, gradients, f"{self.name}.step")
        self.update(parameters, gradients)

    def update(self, parameters: Sequence[Parameter], gradients: Sequence[Matrix]) -> None:
        """``step`` for gradients already known to fit their parameters (the training loop's
        path): propose every parameter's update, then commit them only if all are finite.

        One non-finite entry, and no entry changes:

        >>> w = Parameter("w", [[1.0, 2.0]])
        >>> try:
        ...     SGD(lr=1e10).update([w], [[[1.0, 1e300]]])
        ... except ArithmeticError:  # a DivergenceError
        ...     print(w.value)
        [[1.0, 2.0]]
        """
        proposals = list(map(self.propose, parameters, gradients))
        for parameter, (values, _) in zip(parameters, proposals):
            if not all_finite(values):
                raise non_finite_update(self, parameter)
        for parameter, (values, state) in zip(parameters, proposals):
            parameter.value[:] = values
            if state is not None:
                self.state[parameter] = state

    def propose(self, parameter: Parameter, gradient: Matrix) -> tuple[Matrix, Any]:
        """(new values, new state or None) for one parameter, changing nothing."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget all per-parameter state (momentum buffers, moments, step counts).

        >>> w, optimizer = Parameter("w", [[1.0]]), SGD(lr=0.1, momentum=0.9)
        >>> optimizer.step([w], [[[1.0]]])
        >>> optimizer.state[w]
        [[1.0]]
        >>> optimizer.reset(); optimizer.state
        {}
        """
        self.state.clear()

    def config(self) -> dict[str, Any]:
        """The keyword arguments that rebuild this optimizer: ``type(o)(**o.config())`` is the
        same optimizer with no state yet."""
        raise NotImplementedError

    def state_list(self, parameters: Sequence[Parameter]) -> list[dict[str, Any] | None]:
        """The state of each of ``parameters``, in that order, as plain data (a dict of ints and
        matrices, copied), or None for a parameter this optimizer has not stepped.

        >>> theta = Parameter("θ", [[1.0, 2.0]])
        >>> sgd = SGD(lr=0.5, momentum=0.9)
        >>> sgd.step([theta], [[[2.0, -2.0]]])
        >>> sgd.state_list([theta])
        [{'momentum_buffer': [[2.0, -2.0]]}]
        """
        return [
            None if parameter not in self.state else self.plain_state(self.state[parameter])
            for parameter in parameters
        ]

    def load_state_list(
        self, parameters: Sequence[Parameter], states: Sequence[dict[str, Any] | None]
    ) -> None:
        """Set the state of each of ``parameters`` from ``states``, as ``state_list`` gives it
        (None forgets a parameter's state).  All or nothing: every entry is checked first.

        Raises ShapeError for a list of the wrong length, a missing or unexpected key or a
        matrix that is not its parameter's shape, ConfigurationError for a bad step count and
        DataError for a NaN or infinite value or a negative second moment.

        >>> theta = Parameter("θ", [[1.0, 2.0]])
        >>> adam = Adam()
        >>> adam.load_state_list([theta], [{"step": 3, "exp_avg": [[0.1, 0.2]],
        ...                                  "exp_avg_sq": [[0.01, 0.04]]}])
        >>> adam.state[theta]
        <AdamState step 3>
        """
        where = f"{self.name}.load_state_list"
        if not isinstance(states, (list, tuple)) or len(states) != len(parameters):
            raise ShapeError(
                f"{where}: states must be a list of {len(parameters)} entries (one per "
                f"parameter), got {shown(states)}"
            )
        new = [
            None if plain is None
            else self.state_from_plain(plain, parameter, f"{where}: states[{index}]")
            for index, (parameter, plain) in enumerate(zip(parameters, states))
        ]
        for parameter, state in zip(parameters, new):
            if state is None:
                self.state.pop(parameter, None)
            else:
                self.state[parameter] = state

    def plain_state(self, state: Any) -> dict[str, Any]:
        """One parameter's state as plain data (``state_list``'s entries)."""
        raise NotImplementedError

    def state_from_plain(self, plain: Any, parameter: Parameter, where: str) -> Any:
        """One parameter's state from plain data, checked against the parameter's shape."""
        raise NotImplementedError


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
        self.momentum = _check_fraction(momentum, "momentum", "SGD")
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
        """{"momentum_buffer": b}, b copied."""
        return {"momentum_buffer": _copy(state)}

    def state_from_plain(self, plain: Any, parameter: Parameter, where: str) -> Any:
        """The momentum buffer b from {"momentum_buffer": b}, b of the parameter's shape."""
        _check_keys(plain, ("momentum_buffer",), where)
        return _state_matrix(plain["momentum_buffer"], parameter, where, "momentum_buffer")

    def __repr__(self) -> str:
        return (
            f"SGD(lr={self.lr!r}, momentum={self.momentum!r}, nesterov={self.nesterov!r}, "
            f"weight_decay={self.weight_decay!r})"
        )


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
            _check_fraction(betas[0], "betas[0]", "Adam"),
            _check_fraction(betas[1], "betas[1]", "Adam"),
        )
        self.eps = check_real(eps, "eps", "Adam", low=0.0, include_low=False)
        self.weight_decay = check_real(weight_decay, "weight_decay", "Adam", low=0.0)

    def propose(self, parameter: Parameter, gradient: Matrix) -> tuple[Matrix, Any]:
        """(new θ, new AdamState), by the equations above; t counts this parameter's steps."""
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

    def config(self) -> dict[str, Any]:
        """{"lr", "betas", "eps", "weight_decay"}: Adam's own arguments.

        >>> Adam().config()
        {'lr': 0.001, 'betas': (0.9, 0.999), 'eps': 1e-08, 'weight_decay': 0.0}
        """
        return {
            "lr": self.lr, "betas": self.betas, "eps": self.eps, "weight_decay": self.weight_decay
        }

    def plain_state(self, state: Any) -> dict[str, Any]:
        """{"step": t, "exp_avg": m, "exp_avg_sq": v}, the matrices copied."""
        return {"step": state.step, "exp_avg": _copy(state.m), "exp_avg_sq": _copy(state.v)}

    def state_from_plain(self, plain: Any, parameter: Parameter, where: str) -> Any:
        """An AdamState from {"step": t ≥ 1, "exp_avg": m, "exp_avg_sq": v ≥ 0}, m and v of the
        parameter's shape (v is a mean of squares: a negative entry would fail √v̂)."""
        _check_keys(plain, ("step", "exp_avg", "exp_avg_sq"), where)
        step = check_int(plain["step"], "step", where, 1)
        m = _state_matrix(plain["exp_avg"], parameter, where, "exp_avg")
        v = _state_matrix(plain["exp_avg_sq"], parameter, where, "exp_avg_sq")
        if not all(value >= 0.0 for row in v for value in row):
            raise DataError(f"{where}: exp_avg_sq must be ≥ 0 everywhere (a mean of squares)")
        return AdamState(step, m, v)

    def __repr__(self) -> str:
        return (
            f"Adam(lr={self.lr!r}, betas={self.betas!r}, eps={self.eps!r}, "
            f"weight_decay={self.weight_decay!r})"
        )


def _copy(matrix: Matrix) -> Matrix:
    return [row[:] for row in matrix]


def _check_keys(plain: Any, keys: tuple[str, ...], where: str) -> None:
    """``plain`` is a dict with exactly ``keys``."""
    if not isinstance(plain, dict) or set(plain) != set(keys):
        raise ShapeError(
            f"{where}: the state must be a dict of {', '.join(keys)}, got {shown(plain)}"
        )


def _state_matrix(value: Any, parameter: Parameter, where: str, label: str) -> Matrix:
    """``value`` as a float matrix of ``parameter``'s shape."""
    matrix = as_float_matrix(value, where, label)
    if (len(matrix), len(matrix[0])) != parameter.shape:
        raise ShapeError(
            f"{where}: {label} is {format_shape((len(matrix), len(matrix[0])))} but "
            f"{parameter.name} is {format_shape(parameter.shape)}"
        )
    return matrix


def clip_grad_norm(gradients: Sequence[Matrix], max_norm: float) -> float:
    """Scale the gradients IN PLACE so their global L2 norm is at most ``max_norm``; return
    the norm before clipping.

    ‖g‖ = √(Σ over every entry of every gradient of g²); each entry is multiplied by
    c = min(1, max_norm / (‖g‖ + 1e-6)), as ``torch.nn.utils.clip_grad_norm_`` does (so c < 1
    as soon as ‖g‖ > max_norm − 1e-6).  A non-finite norm leaves the gradients untouched.
    Raises ConfigurationError unless max_norm is a finite number > 0, and ShapeError unless
    ``gradients`` is a list of matrices.

    >>> gradients = [[[3.0, 4.0]]]
    >>> clip_grad_norm(gradients, 1.0)
    5.0
    >>> [round(g, 6) for g in gradients[0][0]]
    [0.6, 0.8]
    """
    limit = check_max_norm(max_norm, "clip_grad_norm")
    if not isinstance(gradients, (list, tuple)):
        raise ShapeError(
            f"clip_grad_norm: gradients must be a list of matrices, got {shown(gradients)}"
        )
    for index, gradient in enumerate(gradients):
        _check_gradient(gradient, f"gradients[{index}]")
    return clip_checked_gradients(gradients, limit)


_LARGEST_FLOAT_INT = int(sys.float_info.max)


def _check_gradient(gradient: Any, name: str) -> None:
    """A matrix of floats, or of ints a float can hold: its entries are scaled in place, which a
    Decimal or a complex entry cannot be, and an int beyond the floats has no norm."""
    check_matrix(gradient, "clip_grad_norm", name)
    for i, row in enumerate(gradient):
        for j, value in enumerate(row):
            if type(value) is not float and not (
                isinstance(value, int) and abs(value) <= _LARGEST_FLOAT_INT
            ):
                raise ShapeError(
                    f"clip_grad_norm: {name}[{i}][{j}] must be a float, got {shown(value)}"
                )


def check_max_norm(max_norm: Any, where: str) -> float:
    """Return ``max_norm`` as a float; it must be a finite number > 0.

    >>> check_max_norm(1, "fit")
    1.0
    >>> check_max_norm(0, "fit")
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: fit: max_norm must be a finite number > 0, got 0
    """
    return check_real(max_norm, "max_norm", where, low=0.0, include_low=False)


def clip_checked_gradients(gradients: Sequence[Matrix], max_norm: float) -> float:
    """``clip_grad_norm`` on gradients and max_norm already checked (the training loop's).

    ‖g‖ = √(3² + 4² + 12²) = 13 here, below max_norm, so nothing changes; entries whose
    squares would overflow still give their norm:

    >>> gradients = [[[3.0, 4.0]], [[12.0]]]
    >>> clip_checked_gradients(gradients, 100.0), gradients
    (13.0, [[[3.0, 4.0]], [[12.0]]])
    >>> f"{clip_checked_gradients([[[3e200, 4e200]]], 1e300):.3g}"
    '5e+200'
    """
    # hypot scales internally, so a norm of entries near 1e200 (whose squares overflow) or
    # 1e-200 (whose squares underflow to 0) is still exact to rounding, and clipping works.
    total_norm = math.hypot(*(math.hypot(*row) for gradient in gradients for row in gradient))
    factor = max_norm / (total_norm + CLIP_EPSILON)
    if math.isfinite(total_norm) and factor < 1.0:
        for gradient in gradients:
            for row in gradient:
                row[:] = [g * factor for g in row]
    return total_norm
