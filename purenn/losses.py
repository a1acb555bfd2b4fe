"""Loss functions, each with its gradient, in a registry by name.

A loss compares the network's output P (batch × outputs) with the target T and returns a number;
``gradient`` returns ∂L/∂P, the same shape as P, which starts backpropagation.  Each loss states
its reduction: "sum" adds over every sample and output (the seed's sum of squares), "mean"
divides by a count, so a loss over a mini-batch keeps the same scale as over the full data.

``prepare_target`` is where a loss checks and converts the targets users pass; the default takes
a matrix of the output's width.  ``value`` is complex-safe (see ``purenn.scalar``) so the complex
step can differentiate through it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn.activations import softmax, softmax_shift
from purenn.arguments import shown
from purenn.encoding import is_label_list, one_hot
from purenn.errors import DataError, ShapeError
from purenn.matrix import as_float_matrix, format_shape
from purenn.registry import Registry
from purenn.scalar import exp, log

if TYPE_CHECKING:
    from typing import Any, Sequence

    from purenn.kernels import Matrix

__all__ = [
    "squared_error_sum",
    "scaled_differences",
    "Loss",
    "SumSquaredError",
    "MeanSquaredError",
    "BinaryCrossEntropy",
    "CrossEntropy",
    "log_softmax",
    "LOSSES",
]

# PyTorch's BCELoss clamps each log at −100, so a probability of exactly 0 or 1 costs at most 100
# instead of inf.  e^(−100) ≈ 3.7e-44 is the argument below which the clamp applies.
LOG_CLAMP = -100.0
_LOG_CLAMP_ARGUMENT = math.exp(LOG_CLAMP)

# How far a probability target row's sum may be from 1: rows such as [0.1] * 10 sum to
# 0.9999999999999999 in floating point; a real mistake (unnormalised scores) misses by far more.
ROW_SUM_TOLERANCE = 1e-6


class Loss:
    """Base class: ``value(P, T) -> float`` and ``gradient(P, T) -> ∂L/∂P``.

    ``reduction`` is "sum" or "mean" (how batch losses combine into an epoch's).
    ``takes_logits`` says the outputs are unnormalised scores the loss turns into probabilities
    itself (so a single output column is never read as a probability).  ``output_range`` is the
    interval the network's outputs must lie in for the loss to make sense; the network checks
    its last layer against it once, when it is built.

    >>> loss = LOSSES["mse"]
    >>> loss.name, loss.reduction, loss.takes_logits, loss.output_range
    ('mse', 'mean', False, (-inf, inf))
    """

    name: str = "loss"
    reduction: str = "sum"
    takes_logits: bool = False
    output_range: tuple[float, float] = (-math.inf, math.inf)

    def value(self, output: Matrix, target: Matrix) -> float:
        """L(P, T) for output P and target T of the same shape.

        >>> SumSquaredError().value([[1.0, 2.0]], [[0.0, 0.0]])     # a subclass's L: 1 + 4
        5.0
        """
        raise NotImplementedError

    def gradient(self, output: Matrix, target: Matrix) -> Matrix:
        """∂L/∂P, the same shape as P.

        >>> SumSquaredError().gradient([[1.0, 2.0]], [[0.0, 0.0]])  # a subclass's ∂L/∂P: 2(P − T)
        [[2.0, 4.0]]
        """
        raise NotImplementedError

    def value_and_gradient(self, output: Matrix, target: Matrix) -> tuple[float, Matrix]:
        """(L(P, T), ∂L/∂P): what backpropagation needs, ``value`` and ``gradient`` unless a
        loss can share work between them (CrossEntropy computes its exponentials once).

        >>> LOSSES["sse"].value_and_gradient([[1.0, 2.0]], [[0.0, 0.0]])
        (5.0, [[2.0, 4.0]])
        """
        return self.value(output, target), self.gradient(output, target)

    def prepare_target(self, target: Any, rows: int, outputs: int, where: str) -> Matrix:
        """Check the user's targets against ``rows`` samples and ``outputs`` network outputs.

        Returns them as a float matrix (rows × outputs); raises ShapeError naming ``where`` and
        both shapes.

        >>> LOSSES["sse"].prepare_target([[1, 2], [3, 4]], 2, 2, "fit")
        [[1.0, 2.0], [3.0, 4.0]]
        """
        matrix = as_float_matrix(target, where, "Y")
        got = (len(matrix), len(matrix[0]))
        if got != (rows, outputs):
            raise ShapeError(
                f"{where}: Y is {format_shape(got)} but the network gives "
                f"{format_shape((rows, outputs))} for this X (the {self.name} loss needs both "
                "the same shape)"
            )
        return matrix

    def __repr__(self) -> str:
        return f"<loss {self.name}>"


def squared_error_sum(output: Matrix, target: Matrix) -> float:
    """Σ_ij (P_ij − T_ij)² for P and T of the same shape n × m; a number.

    >>> squared_error_sum([[1.0, 2.0], [0.0, 3.0]], [[0.0, 0.0], [0.0, 1.0]])
    9.0
    """
    total = 0.0
    for output_row, target_row in zip(output, target):
        for p, t in zip(output_row, target_row):
            difference = p - t
            total += difference * difference
    return total


def scaled_differences(output: Matrix, target: Matrix, factor: float) -> Matrix:
    """c·(P − T), entrywise, for P and T of the same shape n × m (the result is n × m): the
    squared errors' gradients.

    >>> scaled_differences([[1.0, 2.0]], [[0.0, 0.5]], 2.0)
    [[2.0, 3.0]]
    """
    return [
        [factor * (p - t) for p, t in zip(output_row, target_row)]
        for output_row, target_row in zip(output, target)
    ]


class SumSquaredError(Loss):
    """The seed's loss: L = Σ_ij (T_ij − P_ij)², summed over samples and outputs;
    ∂L/∂P_ij = 2(P_ij − T_ij).  P and T are n × m, and so is the gradient.

    >>> sse = SumSquaredError()
    >>> sse.value([[1.0, 2.0]], [[0.0, 0.0]]), sse.gradient([[1.0, 2.0]], [[0.0, 0.0]])
    (5.0, [[2.0, 4.0]])
    """

    name = "sse"
    reduction = "sum"

    def value(self, output: Matrix, target: Matrix) -> float:
        """L = Σ_ij (T_ij − P_ij)².

        >>> SumSquaredError().value([[0.5], [1.0]], [[0.0], [0.0]])
        1.25
        """
        return squared_error_sum(output, target)

    def gradient(self, output: Matrix, target: Matrix) -> Matrix:
        """∂L/∂P_ij = 2(P_ij − T_ij).

        >>> SumSquaredError().gradient([[0.5], [1.0]], [[0.0], [0.0]])
        [[1.0], [2.0]]
        """
        return scaled_differences(output, target, 2.0)


def _is_flat_list(target: Any) -> bool:
    # A flat list (not a list of rows) can only be meant as class indices.
    return (
        isinstance(target, (list, tuple))
        and bool(target)
        and not isinstance(target[0], (list, tuple))
    )


def _check_probabilities(matrix: Matrix, where: str, loss: str) -> None:
    for i, row in enumerate(matrix):
        for j, t in enumerate(row):
            if not 0.0 <= t <= 1.0:
                raise DataError(
                    f"{where}: Y[{i}][{j}] = {t!r} is not a probability in [0, 1] (the {loss} "
                    "loss needs targets in [0, 1])"
                )


class MeanSquaredError(Loss):
    """Mean squared error, as PyTorch's MSELoss: L = (1/(n·m)) Σ_ij (P_ij − T_ij)².

    Reduction "mean" over all n·m entries (n samples, m outputs), so its value does not grow
    with the batch size or the number of outputs.  ∂L/∂P_ij = 2(P_ij − T_ij)/(n·m).

    >>> mse = MeanSquaredError()
    >>> mse.value([[1.0, 2.0]], [[0.0, 0.0]]), mse.gradient([[1.0, 2.0]], [[0.0, 0.0]])
    (2.5, [[1.0, 2.0]])
    """

    name = "mse"
    reduction = "mean"

    def value(self, output: Matrix, target: Matrix) -> float:
        """L = (1/(n·m)) Σ_ij (P_ij − T_ij)² for P, T both n × m.

        >>> MeanSquaredError().value([[1.0, 3.0]], [[0.0, 0.0]])   # (1 + 9)/2
        5.0
        """
        return squared_error_sum(output, target) / (len(output) * len(output[0]))

    def gradient(self, output: Matrix, target: Matrix) -> Matrix:
        """∂L/∂P_ij = 2(P_ij − T_ij) / (n·m), n × m.

        >>> MeanSquaredError().gradient([[1.0, 3.0]], [[0.0, 0.0]])  # 2(P − T)/2
        [[1.0, 3.0]]
        """
        return scaled_differences(output, target, 2.0 / (len(output) * len(output[0])))


def _clamped_log(x: float) -> float:
    """ln x, but LOG_CLAMP (−100) where ln x would be below it, including x = 0."""
    # Decided on x.real so the complex step passes through the unclamped branch; the test is
    # written so that NaN fails it and stays NaN (a diverged output must not read as −100).
    return LOG_CLAMP if x.real <= _LOG_CLAMP_ARGUMENT else log(x)


def _clamped_log_derivative(x: float) -> float:
    """d/dx of _clamped_log: 1/x above the clamp, 0 where the constant −100 is returned."""
    return 0.0 if x.real <= _LOG_CLAMP_ARGUMENT else 1.0 / x


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy on probabilities, as PyTorch's BCELoss:

    L = −(1/(n·m)) Σ_ij [T_ij · ln P_ij + (1 − T_ij) · ln(1 − P_ij)], each ln clamped at −100.

    Reduction "mean" over all n·m entries.  P must be probabilities: ``output_range`` is
    [0, 1], so a network whose last layer is not known to give probabilities (end it with a
    sigmoid layer) is refused when it is built.  The clamp keeps P = 0 and
    P = 1 finite (a term costs at most 100); the gradient is the exact gradient of the clamped
    loss, so a clamped log contributes 0 (PyTorch instead floors the denominator at 1e-12).
    Targets are a matrix of values in [0, 1] of the output's shape, or, for a single output, a
    list of class indices 0/1.

    >>> bce = BinaryCrossEntropy()
    >>> round(bce.value([[0.5]], [[1.0]]), 12), bce.gradient([[0.5]], [[1.0]])
    (0.69314718056, [[-2.0]])
    >>> bce.value([[0.0]], [[1.0]])
    100.0
    """

    name = "bce"
    reduction = "mean"
    output_range = (0.0, 1.0)

    def prepare_target(self, target: Any, rows: int, outputs: int, where: str) -> Matrix:
        """Check T: n × m with every entry in [0, 1], or a list of n labels 0/1 when m = 1
        (returned as an n × 1 column).

        >>> BinaryCrossEntropy().prepare_target([1, 0], 2, 1, "fit")
        [[1.0], [0.0]]
        """
        if outputs == 1 and is_label_list(target):
            if len(target) != rows:
                raise ShapeError(
                    f"{where}: Y has {len(target)} labels but X has {rows} rows"
                )
            if max(target) > 1:
                raise DataError(
                    f"{where}: Y as labels for the bce loss must be {rows} ints 0 or 1, got "
                    f"{len(target)} with largest {max(target)}"
                )
            return [[float(label)] for label in target]
        matrix = super().prepare_target(target, rows, outputs, where)
        _check_probabilities(matrix, where, self.name)
        return matrix

    def value(self, output: Matrix, target: Matrix) -> float:
        """L = −(1/(n·m)) Σ_ij [T_ij ln P_ij + (1 − T_ij) ln(1 − P_ij)], logs clamped at −100.

        >>> round(BinaryCrossEntropy().value([[0.5]], [[1.0]]), 12)   # −ln 0.5
        0.69314718056
        """
        total = 0.0
        for output_row, target_row in zip(output, target):
            for p, t in zip(output_row, target_row):
                total += t * _clamped_log(p) + (1.0 - t) * _clamped_log(1.0 - p)
        return -total / (len(output) * len(output[0]))

    def gradient(self, output: Matrix, target: Matrix) -> Matrix:
        """∂L/∂P_ij = −(1/(n·m)) [T_ij / P_ij − (1 − T_ij) / (1 − P_ij)], n × m.

        A term whose log is clamped contributes 0 (the clamp is constant there).

        >>> BinaryCrossEntropy().gradient([[0.5]], [[1.0]])          # −1/0.5
        [[-2.0]]
        """
        factor = -1.0 / (len(output) * len(output[0]))
        return [
            [
                factor
                * (t * _clamped_log_derivative(p) - (1.0 - t) * _clamped_log_derivative(1.0 - p))
                for p, t in zip(output_row, target_row)
            ]
            for output_row, target_row in zip(output, target)
        ]


def log_softmax(row: Sequence[float]) -> list[float]:
    """ln softmax(z)_j = z_j − c − ln Σ_k e^(z_k − c) for one row z, c = softmax_shift(z).

    The shift makes every exponent ≤ 0 and the sum ≥ 1, so there is neither overflow nor ln 0,
    even for logits of ±1e300 (the log-sum-exp trick).  A row of m logits gives m numbers.

    >>> [round(value, 12) for value in log_softmax([0.0, 0.0])]
    [-0.69314718056, -0.69314718056]
    >>> log_softmax([1000.0, 1000.0]) == log_softmax([0.0, 0.0])
    True
    """
    shift = softmax_shift(row)
    log_total = log(sum(exp(value - shift) for value in row))
    return [value - shift - log_total for value in row]


class CrossEntropy(Loss):
    """Softmax cross-entropy from logits, as PyTorch's CrossEntropyLoss:

    L = −(1/n) Σ_i Σ_j T_ij · ln softmax(P_i)_j, computed through log_softmax (log-sum-exp).

    Reduction "mean" over the n samples (summed over classes).  P are logits: the network's
    output layer should use the "identity" activation, since this loss applies the softmax
    itself (a softmax output layer would apply it twice; nothing checks this).  Targets are
    one-hot rows or probability rows (entries in [0, 1], each row summing to 1), or a list of n
    class indices, converted to one-hot rows.  ∂L/∂P_i = (softmax(P_i) − T_i)/n.

    >>> ce = CrossEntropy()
    >>> round(ce.value([[0.0, 0.0]], [[1.0, 0.0]]), 12), ce.gradient([[0.0, 0.0]], [[1.0, 0.0]])
    (0.69314718056, [[-0.5, 0.5]])
    """

    name = "cross_entropy"
    reduction = "mean"
    takes_logits = True

    def prepare_target(self, target: Any, rows: int, outputs: int, where: str) -> Matrix:
        """Check T: n class indices in 0..m−1 (made one-hot), or n × m rows of probabilities.

        >>> CrossEntropy().prepare_target([2, 0], 2, 3, "fit")
        [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
        """
        if is_label_list(target):
            if len(target) != rows:
                raise ShapeError(
                    f"{where}: Y has {len(target)} class indices but X has {rows} rows"
                )
            if max(target) >= outputs:
                raise DataError(
                    f"{where}: class index {max(target)} in Y is out of range for a network "
                    f"with {outputs} outputs (indices 0..{outputs - 1})"
                )
            return one_hot(target, outputs)
        if _is_flat_list(target):
            raise ShapeError(
                f"{where}: Y as class indices must be ints in 0..{outputs - 1}, "
                f"got {shown(target)}"
            )
        matrix = super().prepare_target(target, rows, outputs, where)
        _check_probabilities(matrix, where, self.name)
        for i, row in enumerate(matrix):
            if abs(sum(row) - 1.0) > ROW_SUM_TOLERANCE:
                raise DataError(
                    f"{where}: Y row {i} sums to {sum(row)!r}, not 1 (the cross_entropy loss "
                    "needs one-hot or probability rows, or class indices)"
                )
        return matrix

    def value(self, output: Matrix, target: Matrix) -> float:
        """L = −(1/n) Σ_ij T_ij · log_softmax(P_i)_j for logits P and targets T, both n × m.

        >>> round(CrossEntropy().value([[0.0, 0.0]], [[1.0, 0.0]]), 12)   # −ln ½: equal logits
        0.69314718056
        """
        total = 0.0
        for output_row, target_row in zip(output, target):
            for log_p, t in zip(log_softmax(output_row), target_row):
                if t != 0.0:  # skip 0·ln p: saves work, and 0·(−inf) would be NaN
                    total += t * log_p
        return -total / len(output)

    def gradient(self, output: Matrix, target: Matrix) -> Matrix:
        """∂L/∂P_ij = (softmax(P_i)_j · Σ_k T_ik − T_ij)/n, which is (softmax(P_i) − T_i)/n for
        target rows summing to 1; n × m.

        >>> CrossEntropy().gradient([[0.0, 0.0]], [[1.0, 0.0]])   # softmax(P) − T, over 1 row
        [[-0.5, 0.5]]
        """
        n = len(output)
        result = []
        for output_row, target_row in zip(output, target):
            row_sum = sum(target_row)
            result.append(
                [(q * row_sum - t) / n for q, t in zip(softmax(output_row), target_row)]
            )
        return result

    def value_and_gradient(self, output: Matrix, target: Matrix) -> tuple[float, Matrix]:
        """(value, gradient) with the exponentials e^(P_ij − c) of each row computed once, for
        both log_softmax and softmax: the same operations as the two methods, so the same bits.

        >>> ce = CrossEntropy()
        >>> p, t = [[1.0, -2.0, 0.5]], [[0.0, 1.0, 0.0]]
        >>> ce.value_and_gradient(p, t) == (ce.value(p, t), ce.gradient(p, t))
        True
        """
        if type(self).value is not CrossEntropy.value or (
            type(self).gradient is not CrossEntropy.gradient
        ):  # a subclass changed one of the two: compute each as it says
            return super().value_and_gradient(output, target)
        n = len(output)
        total = 0.0
        gradient = []
        for output_row, target_row in zip(output, target):
            shift = softmax_shift(output_row)
            exps = [exp(value - shift) for value in output_row]
            exps_total = sum(exps)
            log_total = log(exps_total)
            for value, t in zip(output_row, target_row):
                if t != 0.0:  # as in value: skip 0·ln p
                    total += t * (value - shift - log_total)
            row_sum = sum(target_row)
            gradient.append(
                [(e / exps_total * row_sum - t) / n for e, t in zip(exps, target_row)]
            )
        return -total / n, gradient


LOSSES: Registry[Loss] = Registry("loss", lambda spec: isinstance(spec, Loss))
"""The losses by name: ``Network(…, loss=name)`` resolves here.  Register your own with
``LOSSES.register(loss.name, loss)``."""

for _loss in (SumSquaredError(), MeanSquaredError(), BinaryCrossEntropy(), CrossEntropy()):
    LOSSES.register(_loss.name, _loss)
