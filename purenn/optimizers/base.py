"""The optimizer contract: ``Optimizer`` (propose each parameter's update, commit all or
nothing), the checks its subclasses share, and their per-parameter state as plain data."""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

from purenn.arguments import check_real, shown
from purenn.errors import DivergenceError, ShapeError
from purenn.layers import Parameter
from purenn.matrix import as_float_matrix, check_matrix, format_shape

if TYPE_CHECKING:
    from typing import Any, Sequence

    from purenn.kernels import Matrix

__all__ = [
    "Optimizer",
    "check_learning_rate",
    "check_fraction",
    "all_finite",
    "LARGEST_WEIGHT",
    "committable",
    "non_finite_update",
    "copy_matrix",
    "check_state_keys",
    "state_matrix",
]


CLIP_EPSILON = 1e-6


def check_learning_rate(learning_rate: Any, where: str) -> float:
    """Return ``learning_rate`` as a float; it must be a finite number ≥ 0.

    >>> check_learning_rate(1, "fit")
    1.0
    """
    return check_real(learning_rate, "learning rate", where, low=0.0)


def check_fraction(value: Any, label: str, where: str) -> float:
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


LARGEST_WEIGHT = math.sqrt(sys.float_info.max)
"""≈ 1.34e154: the largest magnitude an update may give a weight.  Beyond it the weight's square
overflows, and with it weight decay's penalty, Adam's second moment and any norm of the weights:
a step that goes there has diverged (as ``--learning-rate 1e300`` does, in one step), even
though the weight itself is still a float."""


def committable(matrix: Matrix) -> bool:
    """True when every entry of ``matrix`` is a number of magnitude at most LARGEST_WEIGHT (no
    NaN, no ±inf, no square that overflows): what an update may write into a parameter.

    >>> committable([[1.0, -1e154]]), committable([[1e300]]), committable([[float("nan")]])
    (True, False, False)
    """
    limit = LARGEST_WEIGHT
    return all(-limit <= value <= limit for row in matrix for value in row)


def non_finite_update(optimizer: Optimizer, parameter: Parameter) -> DivergenceError:
    """The error of an update that would make ``parameter`` non-finite (raised before any
    value or state changes).

    >>> from purenn.optimizers import SGD, Adam
    >>> error = non_finite_update(SGD(lr=0.1), Parameter("w", [[1.0]]))
    >>> type(error).__name__, str(error).split(" (")[0]
    ('DivergenceError', 'SGD: the update would make w or its optimizer state non-finite')
    """
    return DivergenceError(
        f"{optimizer.name}: the update would make {parameter.name} or its optimizer state "
        "non-finite (or a weight beyond ±1.3e154, whose square overflows); no weight and no "
        "optimizer state was changed"
    )


def _check_aligned(
    parameters: Sequence[Parameter], gradients: Sequence[Matrix], where: str
) -> None:
    """One gradient per parameter, each a matrix of its parameter's shape."""
    if not isinstance(parameters, (list, tuple)) or not all(
        isinstance(parameter, Parameter) for parameter in parameters
    ):
        raise ShapeError(f"{where}: parameters must be a list of Parameters, got "
                         f"{shown(parameters)}")
    if not isinstance(gradients, (list, tuple)):
        raise ShapeError(f"{where}: gradients must be a list of matrices, got {shown(gradients)}")
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

    >>> from purenn.optimizers import SGD, Adam
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
        """The learning rate η used by the next step.

        >>> from purenn.optimizers import SGD
        >>> sgd = SGD(lr=0.1)
        >>> sgd.lr = 0.05
        >>> sgd.lr
        0.05
        """
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_learning_rate(value, self.name)

    def step(self, parameters: Sequence[Parameter], gradients: Sequence[Matrix]) -> None:
        """Apply one update, given g = ∂L/∂θ for each parameter θ (aligned lists, same shapes).

        Raises ShapeError when the lists or shapes do not match, and DivergenceError when the
        update would make any value NaN or ±inf (then nothing changes).

        >>> from purenn.optimizers import SGD, Adam
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

        >>> from purenn.optimizers import SGD, Adam
        >>> w = Parameter("w", [[1.0, 2.0]])
        >>> try:
        ...     SGD(lr=1e10).update([w], [[[1.0, 1e300]]])
        ... except ArithmeticError:  # a DivergenceError
        ...     print(w.value)
        [[1.0, 2.0]]
        """
        proposals = list(map(self.propose, parameters, gradients))
        for parameter, (values, state) in zip(parameters, proposals):
            if not committable(values) or not self.state_is_finite(state):
                raise non_finite_update(self, parameter)
        for parameter, (values, state) in zip(parameters, proposals):
            parameter.value[:] = values
            if state is not None:
                self.state[parameter] = state

    def propose(self, parameter: Parameter, gradient: Matrix) -> tuple[Matrix, Any]:
        """(new values, new state or None) for one parameter, changing nothing.

        >>> from purenn.optimizers import SGD
        >>> theta = Parameter("θ", [[1.0]])
        >>> SGD(lr=0.5).propose(theta, [[2.0]])     # a subclass's proposal; θ is unchanged
        ([[0.0]], None)
        """
        raise NotImplementedError

    def state_is_finite(self, state: Any) -> bool:
        """Whether a proposed state (``propose``'s second item) holds finite numbers only: a
        momentum buffer or a moment that overflowed is divergence too, even when the weights
        stay finite (an infinite second moment would freeze its weight for good).  The base
        knows no state: True.

        >>> from purenn.optimizers import SGD
        >>> SGD(lr=0.1).state_is_finite(None), SGD(lr=0.1).state_is_finite([[float("nan")]])
        (True, False)
        """
        return True

    def reset(self) -> None:
        """Forget all per-parameter state (momentum buffers, moments, step counts).

        >>> from purenn.optimizers import SGD, Adam
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
        same optimizer with no state yet.

        >>> from purenn.optimizers import SGD
        >>> type(SGD(lr=0.2))(**SGD(lr=0.2).config())
        SGD(lr=0.2, momentum=0.0, nesterov=False, weight_decay=0.0)
        """
        raise NotImplementedError

    def state_list(self, parameters: Sequence[Parameter]) -> list[dict[str, Any] | None]:
        """The state of each of ``parameters``, in that order, as plain data (a dict of ints and
        matrices, copied), or None for a parameter this optimizer has not stepped.

        >>> from purenn.optimizers import SGD, Adam
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

        >>> from purenn.optimizers import SGD, Adam
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
        """One parameter's state as plain data (``state_list``'s entries).

        >>> from purenn.optimizers import SGD
        >>> SGD(lr=0.1, momentum=0.9).plain_state([[1.0]])
        {'momentum_buffer': [[1.0]]}
        """
        raise NotImplementedError

    def state_from_plain(self, plain: Any, parameter: Parameter, where: str) -> Any:
        """One parameter's state from plain data, checked against the parameter's shape.

        >>> from purenn.optimizers import SGD
        >>> theta = Parameter("θ", [[1.0]])
        >>> SGD(lr=0.1, momentum=0.9).state_from_plain({"momentum_buffer": [[0.5]]}, theta, "here")
        [[0.5]]
        """
        raise NotImplementedError



def copy_matrix(matrix: Matrix) -> Matrix:
    """A new matrix of the same values (the rows copied).

    >>> rows = [[1.0]]; copy_matrix(rows) == rows and copy_matrix(rows)[0] is not rows[0]
    True
    """
    return [row[:] for row in matrix]


def check_state_keys(plain: Any, keys: tuple[str, ...], where: str) -> None:
    """``plain`` is a dict with exactly ``keys``."""
    if not isinstance(plain, dict) or set(plain) != set(keys):
        raise ShapeError(
            f"{where}: the state must be a dict of {', '.join(keys)}, got {shown(plain)}"
        )


def state_matrix(value: Any, parameter: Parameter, where: str, label: str) -> Matrix:
    """``value`` as a float matrix of ``parameter``'s shape."""
    matrix = as_float_matrix(value, where, label)
    if (len(matrix), len(matrix[0])) != parameter.shape:
        raise ShapeError(
            f"{where}: {label} is {format_shape((len(matrix), len(matrix[0])))} but "
            f"{parameter.name} is {format_shape(parameter.shape)}"
        )
    return matrix

