"""How well a network does on rows whose answers are known: what ``train --test-split``,
``evaluate`` and ``predict`` (when the file holds the target column) print.

For classes: the accuracy, and for ``evaluate`` each class's precision, recall and F1 and the
confusion matrix (``purenn.metrics.class_report``).  For regression: the mean absolute error,
the root mean squared error (both in the target's units) and R² (``purenn.metrics``), which
is 1 for a perfect fit and 0 for a model no better than predicting the mean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.cli.targets import CLASSIFY, Target
from purenn.metrics import (
    ClassReport,
    class_report,
    mean_absolute_error,
    predicted_classes,
    r2_score,
    root_mean_squared_error,
)
from purenn.network import Network

if TYPE_CHECKING:
    from purenn.kernels import Matrix

__all__ = ["Scores", "scores_of", "classes_of_outputs"]


def classes_of_outputs(network: Network, x: Matrix) -> list[int]:
    """The class index the network gives each row (argmax, or p > 0.5 for one output)."""
    return predicted_classes(network.predict(x), network.loss_function)


class Scores:
    """The scores of ``network`` on rows X with a known Target: ``report`` (a ClassReport) for
    classes, ``regression`` ({"mae", "rmse", "r2"}) otherwise; ``line()`` is the one-line
    summary, ``text(names)`` the whole report.

    >>> from purenn.layers import Dense
    >>> net = Network([Dense(1, 1)], loss="mse", seed=0)
    >>> net.load_state_dict({"layers.0.weight": [[2.0]], "layers.0.bias": [[0.0]]})
    >>> print(scores_of(net, [[1.0], [2.0]], Target("regress", "", values=[[2.0], [5.0]])).line())
    r2 0.7778  mae 0.5  rmse 0.7071 (2 rows)
    """

    def __init__(self, rows: int, report: ClassReport | None,
                 regression: dict[str, float] | None) -> None:
        self.rows = rows
        self.report = report
        self.regression = regression

    def line(self) -> str:
        """"accuracy 0.9737 (38 rows)" or "r2 0.81  mae 3.2  rmse 4.1 (110 rows)"."""
        if self.report is not None:
            return f"accuracy {self.report.accuracy:.4g} ({self.rows} rows)"
        assert self.regression is not None
        values = "  ".join(f"{name} {value:.4g}" for name, value in self.regression.items())
        return f"{values} ({self.rows} rows)"

    def text(self, names: list[str]) -> str:
        """The whole report: per-class table and confusion matrix, or the regression scores."""
        if self.report is not None:
            return self.report.text(names)
        return self.line()


def scores_of(network: Network, x: Matrix, target: Target) -> Scores:
    """The Scores of ``network`` on rows ``x`` whose answers ``target`` holds."""
    if target.task == CLASSIFY:
        n_classes = max(target.n_classes, network.n_out, 2)
        report = class_report(target.labels, classes_of_outputs(network, x), n_classes)
        return Scores(len(x), report, None)
    output, values = network.predict(x), target.values
    regression = {
        "r2": r2_score(output, values, network.loss_function),
        "mae": mean_absolute_error(output, values, network.loss_function),
        "rmse": root_mean_squared_error(output, values, network.loss_function),
    }
    return Scores(len(x), None, regression)
