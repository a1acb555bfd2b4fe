"""Metrics: numbers that describe predictions for people, not for gradients.

A metric is a function ``metric(P, T, loss) -> float`` of the network's output P (n × outputs),
the target matrix T as the loss prepared it (n × outputs), and the loss the network trains with
(some metrics read outputs differently per loss: logits for cross-entropy, probabilities for the
others).  Metrics are registered by name in ``METRICS``; ``fit`` and ``evaluate`` accept names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    "accuracy",
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


METRICS: Registry[Metric] = Registry("metric", callable)
"""The metrics by name: ``fit(…, metrics=[name])`` and ``evaluate`` resolve here.  Register your
own with ``METRICS.register(name, metric)``."""
METRICS.register("accuracy", accuracy)


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
