"""Metrics: numbers that describe predictions for people, not for gradients.

A metric is a function ``metric(P, T, loss) -> float`` of the network's output P (n × outputs),
the target matrix T as the loss prepared it (n × outputs), and the loss the network trains with
(some metrics read outputs differently per loss: logits for cross-entropy, probabilities for the
others).  Metrics are registered by name in ``METRICS``; ``fit`` and ``evaluate`` accept names.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from purenn.activations import softmax
from purenn.arguments import shown
from purenn.encoding import indices_of_largest
from purenn.errors import ConfigurationError, ShapeError
from purenn.losses import Loss
from purenn.matrix import check_matrix, format_shape
from purenn.registry import Registry

if TYPE_CHECKING:
    from typing import Any, Callable, Sequence

    from purenn.kernels import Matrix

    Metric = Callable[[Matrix, Matrix, Loss], float]

__all__ = [
    "METRICS",
    "predicted_classes",
    "gives_class_scores",
    "probabilities",
    "accuracy",
    "mean_absolute_error",
    "root_mean_squared_error",
    "r2_score",
    "ClassReport",
    "class_report",
    "get_metrics",
    "evaluate_metrics",
]


# A single output column is read as the probability of class 1; Keras and scikit-learn both call
# it class 1 only when strictly above one half.
BINARY_THRESHOLD = 0.5

def predicted_classes(output: Matrix, loss: Loss) -> list[int]:
    """The class of each row: argmax over the columns, or for a single column of a loss that
    does not take logits, 1 if p > 0.5 else 0.  n × outputs → n ints.

    >>> from purenn.losses import LOSSES
    >>> predicted_classes([[0.2, 0.7], [0.9, 0.1]], LOSSES["cross_entropy"])
    [1, 0]
    >>> predicted_classes([[0.2], [0.7]], LOSSES["bce"])
    [0, 1]
    """
    if len(output[0]) == 1 and not loss.takes_logits:
        return [1 if row[0] > BINARY_THRESHOLD else 0 for row in output]
    return indices_of_largest(output)


def accuracy(output: Matrix, target: Matrix, loss: Loss) -> float:
    """The fraction of rows whose predicted class equals the target's class:
    (1/n) Σᵢ [class(Pᵢ) = class(Tᵢ)], classes read by ``predicted_classes`` for both P and T
    (so a one-hot target row gives its hot column and a 0/1 column its value).  P and T are
    both n × outputs.

    >>> from purenn.losses import LOSSES
    >>> output, target = [[0.2, 0.7], [0.9, 0.1]], [[0.0, 1.0], [0.0, 1.0]]
    >>> accuracy(output, target, LOSSES["cross_entropy"])
    0.5
    """
    where = "accuracy"
    shape = check_matrix(output, where, "output")
    if check_matrix(target, where, "target") != shape:
        raise ShapeError(f"{where}: output and target must have one shape, got "
                         f"{format_shape(shape)} and {format_shape(check_matrix(target, where))}")
    if not isinstance(loss, Loss):
        raise ConfigurationError(f"{where}: loss must be a Loss, got {shown(loss)}")
    hits = sum(
        p == t for p, t in zip(predicted_classes(output, loss), predicted_classes(target, loss))
    )
    return hits / len(output)


def gives_class_scores(loss: Loss, output_range: tuple[float, float]) -> bool:
    """Whether a network with this loss and last layer's output range classifies: its loss
    takes logits, or its outputs lie in [0, 1] (probabilities).

    >>> from purenn.losses import LOSSES
    >>> gives_class_scores(LOSSES["mse"], (0.0, 1.0)), gives_class_scores(LOSSES["mse"],
    ...                                                                   (-math.inf, math.inf))
    (True, False)
    """
    low, high = output_range
    return loss.takes_logits or (low >= 0.0 and high <= 1.0)


def probabilities(output: Matrix, loss: Loss) -> Matrix:
    """One probability per class for each row of a classifier's outputs: the softmax of each row
    of logits (a loss that takes logits, cross-entropy), [1 − p, p] for a single output p (the
    probability of class 1), and the outputs as they are otherwise (sigmoid or softmax outputs
    trained on one-hot rows).  n × outputs → n × classes.

    >>> from purenn.losses import LOSSES
    >>> probabilities([[0.0, 0.0]], LOSSES["cross_entropy"]), probabilities([[0.25]], LOSSES["bce"])
    ([[0.5, 0.5]], [[0.75, 0.25]])
    """
    if loss.takes_logits:
        return [softmax(row) for row in output]
    if len(output[0]) == 1:
        return [[1.0 - row[0], row[0]] for row in output]
    return [row[:] for row in output]


def mean_absolute_error(output: Matrix, target: Matrix, loss: Loss) -> float:
    """MAE = (1/(n·m)) Σᵢⱼ |Pᵢⱼ − Tᵢⱼ|, over every output of every row (n × m each).

    >>> mean_absolute_error([[1.0], [2.0]], [[1.5], [1.0]], None)
    0.75
    """
    errors = [abs(p - t) for prow, trow in zip(output, target) for p, t in zip(prow, trow)]
    return math.fsum(errors) / len(errors)


def root_mean_squared_error(output: Matrix, target: Matrix, loss: Loss) -> float:
    """RMSE = √((1/(n·m)) Σᵢⱼ (Pᵢⱼ − Tᵢⱼ)²), in the target's own units.

    >>> root_mean_squared_error([[1.0], [2.0]], [[1.0], [4.0]], None)
    1.4142135623730951
    """
    squares = [(p - t) ** 2 for prow, trow in zip(output, target) for p, t in zip(prow, trow)]
    return math.sqrt(math.fsum(squares) / len(squares))


def r2_score(output: Matrix, target: Matrix, loss: Loss) -> float:
    """R² = 1 − Σ (Tᵢⱼ − Pᵢⱼ)² / Σ (Tᵢⱼ − T̄ⱼ)², T̄ⱼ the mean of column j, the sums over every
    entry (scikit-learn's ``r2_score`` for one output; for several, the pooled form).  1 is
    perfect, 0 is as good as predicting the mean, below 0 worse.  A constant target (no
    variance) gives 1.0 when predicted exactly and 0.0 otherwise, as scikit-learn does.

    >>> r2_score([[1.0], [2.0], [3.0]], [[1.0], [2.0], [4.0]], None)
    0.7857142857142857
    """
    columns = list(zip(*target))
    means = [math.fsum(column) / len(column) for column in columns]
    residual = math.fsum((t - p) ** 2 for prow, trow in zip(output, target)
                         for p, t in zip(prow, trow))
    total = math.fsum((t - mean) ** 2 for trow in target for t, mean in zip(trow, means))
    if total == 0.0:
        return 1.0 if residual == 0.0 else 0.0
    return 1.0 - residual / total


class ClassReport(NamedTuple):
    """Per-class scores of predicted against true classes 0 … k−1: ``confusion[t][p]`` counts
    the rows of class t predicted as p; for class c, precision = TP/(TP + FP) (of the rows
    predicted c, the share that are c), recall = TP/(TP + FN) (of the rows of class c, the
    share found), F1 = 2·precision·recall/(precision + recall), and support = rows of class c.
    A ratio whose denominator is 0 is 0.0 (scikit-learn's ``zero_division=0``).  A named tuple,
    not a dataclass: ``import purenn`` then never loads ``dataclasses`` (and ``inspect``), 7 ms.
    """

    confusion: list[list[int]]
    precision: list[float]
    recall: list[float]
    f1: list[float]
    support: list[int]

    @property
    def accuracy(self) -> float:
        """The share of rows on the diagonal of the confusion matrix."""
        hits = sum(self.confusion[c][c] for c in range(len(self.confusion)))
        return hits / sum(self.support)

    def text(self, names: Sequence[str]) -> str:
        """The table of precision, recall, F1 and support per class, then the confusion
        matrix (rows: true class, columns: predicted), classes named by ``names``.

        >>> print(class_report([0, 1, 1], [0, 1, 0], 2).text(["cat", "dog"]))
        class  precision  recall     f1  support
        cat        0.500   1.000  0.667        1
        dog        1.000   0.500  0.667        2
        accuracy 0.667 on 3 rows
        <BLANKLINE>
        confusion (rows: true, columns: predicted)
               cat  dog
        cat      1    0
        dog      1    1
        """
        width = max(5, *(len(name) for name in names))
        lines = [f"{'class':<{width}}  precision  recall     f1  support"]
        for c, name in enumerate(names):
            lines.append(f"{name:<{width}}  {self.precision[c]:>9.3f}  {self.recall[c]:>6.3f}  "
                         f"{self.f1[c]:>5.3f}  {self.support[c]:>7d}")
        lines += [f"accuracy {self.accuracy:.3f} on {sum(self.support)} rows", "",
                  "confusion (rows: true, columns: predicted)"]
        cell = max(3, *(len(name) for name in names), *(len(str(n)) for row in self.confusion
                                                         for n in row))
        lines.append(" " * width + "".join(f"  {name:>{cell}}" for name in names))
        for name, row in zip(names, self.confusion):
            lines.append(f"{name:<{width}}" + "".join(f"  {count:>{cell}d}" for count in row))
        return "\n".join(lines)


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def class_report(true: Sequence[int], predicted: Sequence[int], n_classes: int) -> ClassReport:
    """The ClassReport of ``predicted`` against ``true`` (class indices < ``n_classes``).

    >>> report = class_report([0, 0, 1, 2], [0, 1, 1, 1], 3)
    >>> report.confusion, report.precision, report.recall
    ([[1, 1, 0], [0, 1, 0], [0, 1, 0]], [1.0, 0.3333333333333333, 0.0], [0.5, 1.0, 0.0])
    """
    confusion = [[0] * n_classes for _ in range(n_classes)]
    for t, p in zip(true, predicted):
        confusion[t][p] += 1
    support = [sum(row) for row in confusion]
    predicted_counts = [sum(column) for column in zip(*confusion)]
    precision = [_ratio(confusion[c][c], predicted_counts[c]) for c in range(n_classes)]
    recall = [_ratio(confusion[c][c], support[c]) for c in range(n_classes)]
    f1 = [2 * p * r / (p + r) if p + r > 0 else 0.0 for p, r in zip(precision, recall)]
    return ClassReport(confusion, precision, recall, f1, support)


def _macro(field: str) -> Metric:
    """The unweighted mean over classes of a ClassReport field, as a metric."""

    def metric(output: Matrix, target: Matrix, loss: Loss) -> float:
        n_classes = max(2, len(output[0]))
        true, predicted = predicted_classes(target, loss), predicted_classes(output, loss)
        values = getattr(class_report(true, predicted, n_classes), field)
        return math.fsum(values) / len(values)

    return metric


METRICS: Registry[Metric] = Registry("metric", callable)
"""The metrics by name: ``fit(…, metrics=[name])`` and ``evaluate`` resolve here.  Register your
own with ``METRICS.register(name, metric)``."""
METRICS.register("accuracy", accuracy)
METRICS.register("mae", mean_absolute_error)
METRICS.register("rmse", root_mean_squared_error)
METRICS.register("r2", r2_score)
METRICS.register("precision", _macro("precision"))  # macro averages over the classes
METRICS.register("recall", _macro("recall"))
METRICS.register("f1", _macro("f1"))


def get_metrics(specs: Any, where: str) -> list[tuple[str, Metric]]:
    """(name, metric) for each name in ``specs`` (a list or tuple of registered names).

    Raises ConfigurationError naming ``where`` for an unknown name (listing the known
    metrics), a repeated one, or a ``specs`` that is not a list or tuple of names.

    >>> get_metrics(["accuracy"], "fit") == [("accuracy", accuracy)]
    True
    >>> get_metrics(["accuracy", "accuracy"], "fit")
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: fit: metric 'accuracy' is listed twice
    """
    if not isinstance(specs, (list, tuple)):
        raise ConfigurationError(
            f"{where}: metrics must be a list of names such as ['accuracy'], got {shown(specs)}"
        )
    chosen: list[tuple[str, Metric]] = []
    for spec in specs:
        if not isinstance(spec, str):
            raise ConfigurationError(f"{where}: metrics are given by name, got {shown(spec)}")
        metric = METRICS.resolve(spec, where)
        if spec in (name for name, _ in chosen):
            raise ConfigurationError(f"{where}: metric {shown(spec)} is listed twice")
        chosen.append((spec, metric))
    return chosen


def evaluate_metrics(
    metrics: Sequence[tuple[str, Metric]], output: Matrix, target: Matrix, loss: Loss
) -> dict[str, float]:
    """{name: metric(P, T, loss)} for each (name, metric); P and T are both n × outputs.

    >>> from purenn.losses import LOSSES
    >>> output, target = [[0.2, 0.7], [0.9, 0.1]], [[0.0, 1.0], [0.0, 1.0]]
    >>> evaluate_metrics([("accuracy", accuracy)], output, target, LOSSES["cross_entropy"])
    {'accuracy': 0.5}
    """
    return {name: metric(output, target, loss) for name, metric in metrics}
