"""Class labels and their encodings: one-hot rows and the argmax of each row.

A classifier's targets can be given as class indices (``[2, 0, 1]``) or as one-hot rows
(``[[0, 0, 1], [1, 0, 0], [0, 1, 0]]``); its outputs are scores, one column per class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.arguments import check_entries, check_int, shown
from purenn.errors import DataError, ShapeError
from purenn.matrix import as_float_matrix

if TYPE_CHECKING:
    from typing import Any, Sequence

    from purenn.kernels import Matrix

__all__ = ["one_hot", "argmax", "indices_of_largest", "is_label_list"]


def _is_label(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def is_label_list(values: Any) -> bool:
    """True for a non-empty flat list (or tuple) of ints ≥ 0 (class indices), False otherwise.

    >>> is_label_list([2, 0, 1]), is_label_list([[0.0, 1.0]]), is_label_list([1, -1])
    (True, False, False)
    """
    return isinstance(values, (list, tuple)) and bool(values) and all(map(_is_label, values))


def one_hot(labels: Sequence[int], n_classes: int | None = None) -> Matrix:
    """Row i is e_{labels[i]}: 1.0 in column labels[i], 0.0 elsewhere; n × n_classes.

    ``n_classes`` defaults to max(labels) + 1.  Raises ShapeError for an empty list or a label
    that is not an int ≥ 0, ConfigurationError for an ``n_classes`` that is not an int ≥ 1, and
    DataError for a label ≥ n_classes.

    >>> one_hot([2, 0])
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    >>> one_hot([1], n_classes=4)
    [[0.0, 1.0, 0.0, 0.0]]
    """
    if not is_label_list(labels):
        raise ShapeError(
            f"one_hot: labels must be a non-empty list of ints ≥ 0, got {shown(labels)}"
        )
    largest = max(labels)
    width = largest + 1 if n_classes is None else check_int(n_classes, "n_classes", "one_hot", 1)
    check_entries(len(labels) * width, f"{len(labels)} rows of {shown(width)} classes", "one_hot")
    if width <= largest:
        raise DataError(f"one_hot: label {largest} is out of range for n_classes={width}")
    rows = [[0.0] * width for _ in labels]
    for row, label in zip(rows, labels):
        row[label] = 1.0
    return rows


def argmax(matrix: Matrix) -> list[int]:
    """For each row, the index of its largest entry (the first one on ties): n × m → n ints.

    The entries must be finite reals: NaN compares false with everything, so a row holding one
    has no largest entry (ShapeError for complex entries, DataError for NaN, ±inf too).

    >>> argmax([[0.1, 0.7, 0.2], [0.5, 0.5, 0.0]])
    [1, 0]
    """
    return indices_of_largest(as_float_matrix(matrix, "argmax", "matrix"))


def indices_of_largest(matrix: Matrix) -> list[int]:
    """argmax without the checks, for a matrix purenn computed itself (n × m → n ints).

    >>> indices_of_largest([[0.1, 0.7, 0.2]])
    [1]
    """
    return [max(range(len(row)), key=row.__getitem__) for row in matrix]
