"""Tables for people without pandas: a CSV file read into X, Y and the names of its columns and
classes, by exactly the rules and checks of the command line (``purenn.cli.csvfile``,
``purenn.cli.targets``), and a seeded train/test split.

    data = read_csv("iris.csv", target="species")
    X_train, X_test, y_train, y_test = train_test_split(data.x, data.y, 0.25, seed=0)

The separator is detected (comma, semicolon, tab, runs of spaces) unless ``sep`` says it;
``drop`` leaves columns out; the target is classified or regressed as the command line decides
(``task`` forces it).  A file that cannot be read raises DataError naming the line, the column
and the likely cause.  Deliberately not here: missing values, dates, categorical features
(every feature must be a number), writing files.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.cli.csvfile import SEPARATORS
from purenn.cli.data import csv_data
from purenn.cli.options import UsageError
from purenn.cli.targets import CLASSIFY, TASKS
from purenn.datasets import train_test_split
from purenn.errors import ConfigurationError

if TYPE_CHECKING:
    from typing import Any, Sequence

    from purenn.kernels import Matrix

__all__ = ["RowIdWarning", "TabularData", "read_csv", "train_test_split"]


class RowIdWarning(UserWarning):
    """A feature column holds a different whole number in every row: probably a row id, which
    teaches a network nothing about new rows (``drop`` leaves it out)."""


@dataclass
class TabularData:
    """A CSV file as data: ``x`` (n × features, floats); ``y``, a class index per row for
    classification (what the cross_entropy loss takes) or n × 1 values to regress;
    ``feature_names`` (the header's, or "column 1", … without one); ``class_names`` (the
    label of class 0, 1, …; None to regress); ``task`` ("classify" or "regress") and
    ``target_name``.
    """

    x: Matrix
    y: Any
    feature_names: list[str]
    class_names: list[str] | None
    task: str
    target_name: str

    @property
    def n_classes(self) -> int:
        """How many classes (0 for a regression)."""
        return 0 if self.class_names is None else len(self.class_names)


def _target_spec(target: Any) -> str | None:
    """The command line's --target text for ``target``: a name, or an index from 0 (negative
    from the end), as Python counts."""
    if target is None or isinstance(target, str):
        return target
    if isinstance(target, int) and not isinstance(target, bool):
        return str(target + 1) if target >= 0 else str(target)
    raise ConfigurationError(
        f"read_csv: target must be a column's name or index, got {shown(target)}"
    )


def _options(sep: Any, task: Any, drop: Any) -> tuple[str | None, list[str]]:
    """(separator, columns to drop), checked."""
    if sep is not None and sep not in SEPARATORS:
        raise ConfigurationError(
            f"read_csv: sep must be ',', ';', '\\t' (or 'tab') or ' ' (runs of spaces), got "
            f"{shown(sep)}"
        )
    if task is not None and task not in TASKS:
        raise ConfigurationError(f"read_csv: task must be 'classify' or 'regress', got "
                                 f"{shown(task)}")
    if isinstance(drop, str) or not all(isinstance(item, (str, int)) for item in drop):
        raise ConfigurationError(f"read_csv: drop must be a list of column names or indices, "
                                 f"got {shown(drop)}")
    columns = [item if isinstance(item, str) else str(item + 1) for item in drop]
    return (None if sep is None else SEPARATORS[sep]), columns


def read_csv(
    path: str, target: str | int | None = None, *, task: str | None = None,
    sep: str | None = None, drop: Sequence[str | int] = (),
) -> TabularData:
    """The TabularData of the CSV file at ``path``: ``target`` (a column's name, or its index
    from 0; default the last column) is what to learn, every other column not in ``drop``
    (names or indices, counted in the file as ``target`` is) a feature.  Warns with
    RowIdWarning for a feature that looks like a row id.  Raises DataError for a file that
    cannot be read, ConfigurationError for bad arguments, OSError as the operating system
    does.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "pets.csv")
    >>> with open(path, "w") as file:
    ...     _ = file.write("weight;height;kind\\n4.5;30;cat\\n30;60;dog\\n")
    >>> data = read_csv(path)
    >>> data.x, data.y, data.feature_names, data.class_names
    ([[4.5, 30.0], [30.0, 60.0]], [0, 1], ['weight', 'height'], ['cat', 'dog'])
    """
    separator, columns = _options(sep, task, drop)
    try:
        data = csv_data(path, _target_spec(target), task, separator, columns)
    except UsageError as error:  # a target or drop the file does not fit: the API's own words
        words = str(error).replace("--target ", "target ").replace("--drop", "drop")
        raise ConfigurationError(f"read_csv: {words}") from None
    for label in data.row_ids:
        warnings.warn(f"read_csv: {data.name}: {label} holds a different whole number in every "
                      "row: a row id? (drop=[...] leaves it out)", RowIdWarning, stacklevel=2)
    column = data.target_column if data.target_column is not None else 0
    names = data.feature_names or [f"column {i + 1}" for i in range(data.columns or 0)
                                   if i != column]
    target_name = data.header[column] if data.header else f"column {column + 1}"
    if data.target.task == CLASSIFY:
        return TabularData(data.x, data.target.labels, names, data.target.classes, CLASSIFY,
                           target_name)
    return TabularData(data.x, data.target.values, names, None, data.target.task, target_name)
