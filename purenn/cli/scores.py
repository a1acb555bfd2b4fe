"""How well a network does on rows whose answers are known: what ``train --test-split``,
``evaluate`` and ``predict`` (when the file holds the target column) print.

For classes: the accuracy, and for ``evaluate`` each class's precision, recall and F1 and the
confusion matrix (``purenn.metrics.class_report``).  For regression: the mean absolute error,
the root mean squared error (both in the target's units) and R² (``purenn.metrics``), which
is 1 for a perfect fit and 0 for a model no better than predicting the mean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.cli.csvfile import Table
from purenn.cli.data import target_column
from purenn.cli.sidecar import Labels
from purenn.cli.targets import CLASSIFY, REGRESS, Target, known_target
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

__all__ = ["CLASSIFYING_LOSSES", "Scores", "scores_of", "classes_of_outputs", "model_task",
           "target_in_file", "file_target"]

CLASSIFYING_LOSSES = ("cross_entropy", "bce")
"""Without a labels file, a model trained with one of these losses is taken for a classifier."""


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


def model_task(network: Network, labels: Labels | None) -> str:
    """"classify" or "regress": the labels file's task, else by the loss (CLASSIFYING_LOSSES).

    >>> from purenn.layers import Dense
    >>> model_task(Network([Dense(2, 1)], loss="mse"), None)
    'regress'
    """
    if labels is not None:
        return labels.task
    return CLASSIFY if network.loss_function.name in CLASSIFYING_LOSSES else REGRESS


def target_in_file(table: Table, labels: Labels | None, option: str | None) -> int | None:
    """The column (from 0) of ``table`` holding the model's target, or None: the one --target
    names (``option``); else, both files having a header, the training target's name; else,
    laid out as the training file (as many columns), the training target's column.

    >>> labels = Labels("classify", ["a", "b"], ["x", "y", "kind"], 2, 3)
    >>> target_in_file(Table("t.csv", ["kind", "x", "y"], [["a", "1", "2"]], [2]), labels, None)
    0
    >>> target_in_file(Table("t.csv", None, [["1", "2"]], [1]), labels, None) is None
    True
    """
    if option is not None:
        return target_column(table, option)
    if labels is None or labels.target is None:
        return None
    if table.header is not None and labels.header is not None:
        name = labels.header[labels.target]
        return table.header.index(name) if name in table.header else None
    return labels.target if table.width == labels.columns else None


def file_target(table: Table, column: int, network: Network, labels: Labels | None) -> Target:
    """The Target held in ``table``'s ``column``, read as the model knows its classes (class
    indices "0", "1", … for a model saved without labels)."""
    task = model_task(network, labels)
    classes = labels.classes if labels is not None else None
    if task == CLASSIFY and classes is None:
        classes = [str(k) for k in range(max(2, network.n_out))]
    return known_target(table, column, task, classes)
