"""The data ``train`` learns from: a built-in data set by name, or a CSV file.

``DATASETS`` is the one table from a name on the command line to a function of
``purenn.datasets`` (called with its defaults) and its task.  Any other word is the path of a
CSV file (``-`` for standard input), read by ``purenn.cli.csvfile``; its target column is
``--target NAME|NUMBER`` (a header's name, or a number counted from 1, -1 the last; default
the last column), every other column is a feature, and ``purenn.cli.targets`` decides the task
and the classes.  A name with no path separator and no dot that is neither a data set nor a
file is an unknown data set, and the message lists the known ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.cli.csvfile import (
    STDIN,
    Table,
    drop_columns,
    dropped_columns,
    number_rows,
    read_table,
    row_id_columns,
    separator_option,
)
from purenn.cli.options import UsageError, refuse_options
from purenn.cli.targets import CLASSIFY, REGRESS, Target, target_from_table
from purenn.datasets import bars, circles, digits, noisy_sine, seed_data, spirals, two_moons, xor
from purenn.errors import DataError

if TYPE_CHECKING:
    from typing import Any, Callable, Sequence

    from purenn.kernels import Matrix

__all__ = [
    "BUILT_IN",
    "Builtin",
    "DATASETS",
    "TrainingData",
    "builtin_data",
    "column_list",
    "add_table_options",
    "target_column",
    "csv_data",
    "load_training_data",
]


BUILT_IN = "a built-in set"
"""The reason a built-in set's task is what it is, as reports say it."""


@dataclass
class Builtin:
    """A built-in data set: ``load()`` gives (X, labels) for classification or (X, Y) for
    regression; ``about`` describes it for ``--help``.

    >>> DATASETS["xor"].load()[1], DATASETS["xor"].task
    ([0, 1, 1, 0], 'classify')
    """

    load: Callable[[], tuple[Matrix, Any]]
    task: str
    about: str


def _seed_labels() -> tuple[Matrix, list[int]]:
    x, y = seed_data()
    return x, [int(row[0]) for row in y]


DATASETS: dict[str, Builtin] = {
    "seed": Builtin(_seed_labels, CLASSIFY, "the seed tutorial's 4 rows × 3 inputs, XOR of two"),
    "xor": Builtin(xor, CLASSIFY, "the 4 points of XOR, 2 classes"),
    "moons": Builtin(two_moons, CLASSIFY, "two interleaving half circles: 200 × 2, 2 classes"),
    "circles": Builtin(circles, CLASSIFY, "two concentric circles: 200 × 2, 2 classes"),
    "spirals": Builtin(spirals, CLASSIFY, "three spiral arms: 300 × 2, 3 classes"),
    "sine": Builtin(noisy_sine, REGRESS, "y = sin x + noise: 100 × 1, regression"),
    "digits": Builtin(digits, CLASSIFY, "handwritten digits, 8×8 pixels: 1797 × 64, 10 classes"),
    "bars": Builtin(bars, CLASSIFY, "6×6 images of a line, across or down: 100 × 36, 2 classes"),
}


@dataclass
class TrainingData:
    """Inputs X (n × features) and their Target, from a data set called ``name`` (a built-in
    name or the CSV's path).  For a CSV file, also its ``header`` (None without one), its number
    of ``columns`` and the ``target_column`` (from 0), which ``predict`` needs to read files
    laid out the same way.

    >>> data = builtin_data("xor")
    >>> data.n_features, data.target.classes, data.feature_names
    (2, ['0', '1'], None)
    """

    name: str
    x: Matrix
    target: Target
    header: list[str] | None = None
    columns: int | None = None
    target_column: int | None = None
    row_ids: list[str] = field(default_factory=list)  # labels of columns that look like ids

    @property
    def n_features(self) -> int:
        """The number of inputs per row."""
        return len(self.x[0])

    @property
    def feature_names(self) -> list[str] | None:
        """The header's names of the input columns, or None."""
        if self.header is None:
            return None
        return [name for i, name in enumerate(self.header) if i != self.target_column]


def builtin_data(name: str) -> TrainingData:
    """The built-in data set ``name`` (a key of DATASETS); classes are named "0", "1", ….

    >>> data = builtin_data("sine")
    >>> data.target.task, len(data.x), len(data.target.values)
    ('regress', 100, 100)
    """
    builtin = DATASETS[name]
    x, y = builtin.load()
    if builtin.task == REGRESS:
        return TrainingData(name, x, Target(REGRESS, BUILT_IN, values=y))
    classes = [str(k) for k in range(max(y) + 1)]
    return TrainingData(name, x, Target(CLASSIFY, BUILT_IN, labels=y, classes=classes))


def column_list(text: str) -> list[str]:
    """An argparse type for --drop: column names or numbers, comma-separated.

    >>> column_list("id, name,3")
    ['id', 'name', '3']
    """
    return [item.strip() for item in text.split(",") if item.strip()]


def add_table_options(group: Any) -> None:
    """--sep and --drop, the options of every command that reads a CSV file."""
    group.add_argument("--sep", type=separator_option, metavar="SEP",
                       help="the separator: ',', ';', tab or space (default: detected)")
    group.add_argument("--drop", type=column_list, default=[], metavar="COLUMNS",
                       help="columns to leave out, by name or number from 1, comma-separated "
                       "(e.g. a row id)")


def target_column(table: Table, spec: str | None) -> int:
    """The index (from 0) of the column ``--target`` names: a header's name, or a number from
    1 (negative from the end, -1 the last).  None means the last column.

    >>> table = Table("t.csv", ["x", "kind"], [["1", "cat"]], [2])
    >>> target_column(table, "kind"), target_column(table, "1"), target_column(table, None)
    (1, 0, 1)
    >>> target_column(table, "3")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.cli.options.UsageError: --target 3: t.csv has 2 columns (1 to 2, or -1 for the ...
    """
    width = table.width
    if spec is None:
        return width - 1
    if table.header is not None and spec in table.header:
        return table.header.index(spec)
    try:
        number = int(spec)
    except ValueError:
        names = ", ".join(table.header) if table.header is not None else "none (no header)"
        raise UsageError(
            f"--target {shown(spec)}: {table.source} has no column of that name; names: {names}"
        ) from None
    if 1 <= number <= width or -width <= number <= -1:
        return number - 1 if number > 0 else width + number
    raise UsageError(
        f"--target {spec}: {table.source} has {width} columns (1 to {width}, or -1 for the "
        "last, -2 …)"
    )


def csv_data(path: str, target: str | None, task: str | None, sep: str | None = None,
             drop: Sequence[str] = ()) -> TrainingData:
    """The TrainingData of the CSV file at ``path``, separated by ``sep`` (None: detected),
    without the columns ``drop`` names: the ``target`` column (see target_column; it and
    ``drop`` count the file's columns) and every other column as a feature, which must all be
    numbers.  Feature columns that look like a row id are listed in ``row_ids``, for a
    warning.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "pets.csv")
    >>> with open(path, "w") as file:
    ...     _ = file.write("weight,height,kind\\n4.5,30,cat\\n30,60,dog\\n")
    >>> data = csv_data(path, None, None)
    >>> data.x, data.target.labels, data.target.classes, data.feature_names
    ([[4.5, 30.0], [30.0, 60.0]], [0, 1], ['cat', 'dog'], ['weight', 'height'])
    """
    table = read_table(path, sep)
    column = target_column(table, target)  # counted in the file, before any column is dropped
    if drop:
        dropped = dropped_columns(table, drop)
        if column in dropped:
            raise UsageError(f"--drop: it names the target, {table.column_label(column)}")
        column -= sum(index < column for index in dropped)
        table = drop_columns(table, drop)
    if table.width < 2:
        raise DataError(f"{table.source}: one column; a feature column besides the target "
                        "needed (is the separator right? --sep sets it)")
    features = [i for i in range(table.width) if i != column]
    x = number_rows(table, features)
    ids = [table.column_label(i) for i in row_id_columns(table, features)]
    return TrainingData(table.source, x, target_from_table(table, column, task), table.header,
                        table.width, column, ids)


def _looks_like_a_name(spec: str) -> bool:
    return not (os.sep in spec or "/" in spec or "." in spec or spec == STDIN)


def load_training_data(spec: str, target: str | None, task: str | None,
                       sep: str | None = None, drop: Sequence[str] = ()) -> TrainingData:
    """``train``'s data: the built-in set named ``spec``, else the CSV file at that path.
    ``target``, ``task``, ``sep`` and ``drop`` are the options ``--target``, ``--task``,
    ``--sep`` and ``--drop`` (None or empty when not given); they apply to CSV files only.

    >>> load_training_data("moonz", None, None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.cli.options.UsageError: unknown dataset 'moonz'; datasets: bars, circles, digits, ...
    """
    if spec in DATASETS:
        kind = "classification" if DATASETS[spec].task == CLASSIFY else "regression"
        given = (("--target", target), ("--task", task), ("--sep", sep), ("--drop", drop))
        refuse_options(
            [name for name, value in given if value],
            f"for CSV files only; {spec} is a built-in {kind} set",
        )
        return builtin_data(spec)
    if _looks_like_a_name(spec) and not os.path.exists(spec):
        raise UsageError(
            f"unknown dataset {shown(spec)}; datasets: {', '.join(sorted(DATASETS))} "
            "(or the path of a CSV file)"
        )
    return csv_data(spec, target, task, sep, drop)
