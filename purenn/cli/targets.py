"""The target column: classify or regress, and class labels as indices.

- **Task**: ``--task classify`` or ``--task regress``; otherwise inferred from the column and
  reported: a cell that is not a number makes it classification, and so does a column of
  integers with at most ``MAX_INFERRED_CLASSES`` distinct values (0/1, the digits 0..9);
  any other column of numbers is regression.
- **Classes** are the distinct labels in sorted order, class i being the i-th: as numbers when
  every label is a number (so "2" < "10", and "1" and "1.0" are one class, written "1"),
  else as text.  The network learns indices 0..k−1; the labels' text is kept with the saved
  model (``purenn.cli.sidecar``) so ``predict`` can print them back.
- **Regression** targets are the column's numbers, one output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.cli.csvfile import Table, check_filled, is_number, number_rows, parse_number
from purenn.errors import DataError

if TYPE_CHECKING:

    from purenn.kernels import Matrix

__all__ = [
    "CLASSIFY",
    "REGRESS",
    "TASKS",
    "MAX_INFERRED_CLASSES",
    "Target",
    "infer_task",
    "class_labels",
    "target_from_table",
    "known_target",
]

CLASSIFY = "classify"
REGRESS = "regress"
TASKS = (CLASSIFY, REGRESS)

# Integer targets with this many distinct values or fewer are read as classes (the ten digits
# are); more, and they are read as numbers to regress.  --task overrides either way.
MAX_INFERRED_CLASSES = 10


@dataclass
class Target:
    """What a network learns from: ``labels`` (a class index per row) and ``classes`` (the text
    of each class, in index order) for classification; ``values`` (n × 1) for regression.
    ``reason`` says how the task was chosen, for the report.

    >>> Target(CLASSIFY, "built in", labels=[0, 1, 1], classes=["0", "1"]).n_classes
    2
    """

    task: str
    reason: str
    labels: list[int] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    values: Matrix = field(default_factory=list)

    @property
    def n_classes(self) -> int:
        """How many classes (0 for regression)."""
        return len(self.classes)


def infer_task(cells: list[str]) -> tuple[str, str]:
    """(task, reason) for a target column of ``cells``, by the rules of the module docstring.

    >>> infer_task(["cat", "dog"])[0], infer_task(["0", "1", "1"])[0], infer_task(["0.5", "2"])[0]
    ('classify', 'classify', 'regress')
    >>> infer_task(["1", "3", "2"])[1]
    'the target holds 3 distinct integers'
    """
    if not all(map(is_number, cells)):
        return CLASSIFY, "the target holds text"
    values = {float(cell) for cell in cells}
    if all(value.is_integer() for value in values) and len(values) <= MAX_INFERRED_CLASSES:
        return CLASSIFY, f"the target holds {len(values)} distinct integers"
    return REGRESS, "the target holds numbers"


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def class_labels(cells: list[str]) -> tuple[list[int], list[str]]:
    """(the class index of each cell, the text of each class), classes in sorted order.

    >>> class_labels(["dog", "cat", "dog"])
    ([1, 0, 1], ['cat', 'dog'])
    >>> class_labels(["10", "2", "2.0"])
    ([1, 0, 0], ['2', '10'])
    """
    numbers = [parse_number(cell) for cell in cells]
    keys: list[float | str] = (
        list(cells) if None in numbers else [number for number in numbers if number is not None]
    )
    ordered = sorted(set(keys))  # all floats or all strings: they compare
    index: dict[float | str, int] = {key: i for i, key in enumerate(ordered)}
    names = [key if isinstance(key, str) else _number_text(key) for key in ordered]
    return [index[key] for key in keys], names


def target_from_table(table: Table, column: int, task: str | None) -> Target:
    """The Target of ``table``'s ``column`` (from 0): the task given or inferred, then labels or
    values.  Raises DataError for fewer than two classes, or a regression target that is not a
    number (naming its line).

    >>> table = Table("t.csv", ["x", "kind"], [["1", "cat"], ["2", "dog"]], [2, 3])
    >>> target = target_from_table(table, 1, None)
    >>> target.task, target.labels, target.classes, target.reason
    ('classify', [0, 1], ['cat', 'dog'], 'the target holds text')
    >>> target_from_table(table, 0, "regress").values
    [[1.0], [2.0]]
    """
    check_filled(table, column)
    cells = [row[column] for row in table.rows]
    reason = "--task"
    if task is None:
        task, reason = infer_task(cells)
    if task == REGRESS:
        return Target(REGRESS, reason, values=number_rows(table, [column]))
    labels, classes = class_labels(cells)
    if len(classes) < 2:
        raise DataError(
            f"{table.source}: the target, {table.column_label(column)}, holds one class "
            f"({shown(classes[0])}); classification needs two or more"
        )
    return Target(CLASSIFY, reason, labels=labels, classes=classes)


def known_target(table: Table, column: int, task: str, classes: list[str] | None) -> Target:
    """The Target of ``table``'s ``column`` read as a trained model knows it: for classes, each
    cell as the index of its class in ``classes`` (numbers compared as numbers: "2.0" is class
    "2"); to regress, the numbers.  DataError naming the line for a class the model does not
    know.

    >>> table = Table("t.csv", ["x", "kind"], [["1", "dog"], ["2", "cat"]], [2, 3])
    >>> known_target(table, 1, "classify", ["cat", "dog"]).labels
    [1, 0]
    >>> known_target(table, 1, "classify", ["cat", "eel"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.DataError: t.csv: line 2, column 2 (kind): 'dog' is not one of the model's ...
    """
    check_filled(table, column)
    if task == REGRESS or classes is None:
        return Target(REGRESS, "the model's", values=number_rows(table, [column]))
    index = {name: i for i, name in enumerate(classes)}
    labels = []
    for row, line in zip(table.rows, table.lines):
        cell = row[column]
        number = parse_number(cell)
        key = _number_text(number) if number is not None and cell not in index else cell
        if key not in index:
            raise DataError(
                f"{table.source}: line {line}, {table.column_label(column)}: {shown(cell)} is "
                f"not one of the model's classes {shown(classes)}"
            )
        labels.append(index[key])
    return Target(CLASSIFY, "the model's", labels=labels, classes=list(classes))
