"""CSV files for ``train`` and ``predict``: cells, the header, numbers, and errors that say where.

The rules, the same for both commands:

- The file is UTF-8 (a byte-order mark is skipped), comma-separated, quoted as the ``csv``
  module reads it in Excel's dialect, strictly (a quote left open is an error, not the rest of
  the file in one cell).  ``-`` reads standard input.
- Cells are stripped of surrounding spaces; blank lines are skipped.
- Every row has as many cells as the first one, else the file is refused, naming the line.
- **Header**: the first row is a header when one of its cells is not a number in a column
  whose second row holds a number ("x1,x2,label" over "0.5,1.2,cat": x1 is no number over
  0.5).  So a first row of data whose only text is its class label ("0.5,1.2,cat") is data.
  With a single row, that row is a header if any cell is not a number.  A header's names must
  be distinct.
- Numbers are what Python's ``float`` reads ("3", "-0.5", "1e-3"), finite.  A cell that is
  not one is refused with its line and column: ``data.csv: line 7, column 2 (x2): 'abc' is not
  a number``.  Lines and columns count from 1, as editors and spreadsheets do.

Errors are DataError (a PurennError), and OSError as the operating system raises it.
"""

from __future__ import annotations

import csv
import io
import math
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from purenn.errors import DataError

if TYPE_CHECKING:
    from typing import NoReturn, Sequence

    from purenn.kernels import Matrix

__all__ = [
    "STDIN", "Table", "read_table", "is_number", "parse_number", "number_rows", "check_filled"
]

STDIN = "-"


@dataclass
class Table:
    """A CSV file's cells: ``header`` (None when the first row is data), ``rows`` of stripped
    cells (as many in each row as in the header), and the file's line of each row, for
    messages.  ``source`` is the path as given ("<stdin>" for ``-``).

    >>> table = Table("t.csv", ["x", "label"], [["0.5", "cat"]], [2])
    >>> table.width, table.column_name(1), table.column_label(1)
    (2, 'label', 'column 2 (label)')
    """

    source: str
    header: list[str] | None
    rows: list[list[str]]
    lines: list[int]

    @property
    def width(self) -> int:
        """The number of columns."""
        return len(self.header) if self.header is not None else len(self.rows[0])

    def column_name(self, index: int) -> str | None:
        """The header's name of column ``index`` (from 0), or None without a header."""
        return None if self.header is None else self.header[index]

    def column_label(self, index: int) -> str:
        """"column 3 (x3)" for messages: the column counted from 1, with its name if any."""
        name = self.column_name(index)
        return f"column {index + 1}" + (f" ({name})" if name else "")


def _text(path: str) -> str:
    """The whole file (or standard input) as text, refused by name if it is not UTF-8."""
    if path == STDIN:
        return sys.stdin.read()
    with open(path, "rb") as file:
        data = file.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(
            f"{path}: not UTF-8 text (byte {error.start + 1} is {data[error.start]:#04x}); "
            "save the file as UTF-8 CSV"
        ) from None


def _records(text: str, source: str) -> list[tuple[int, list[str]]]:
    """(line, cells) of every non-blank row, cells stripped; csv's errors name the line."""
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True, strict=True)
    records = []
    try:
        for cells in reader:
            stripped = [cell.strip() for cell in cells]
            if any(stripped):
                records.append((reader.line_num, stripped))
    except csv.Error as error:
        raise DataError(f"{source}: line {reader.line_num}: {error}") from None
    return records


def is_number(text: str) -> bool:
    """True if ``float`` reads ``text`` (NaN and infinities included: they look like numbers,
    even though ``parse_number`` refuses them).

    >>> is_number("1e-3"), is_number("nan"), is_number("x1"), is_number("")
    (True, True, False, False)
    """
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_number(text: str) -> float | None:
    """The finite float ``text`` holds, or None.

    >>> parse_number(" 2.5"), parse_number("inf"), parse_number("two")
    (2.5, None, None)
    """
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _is_header(first: list[str], second: list[str] | None) -> bool:
    if second is None:
        return not all(map(is_number, first))
    return any(not is_number(a) and is_number(b) for a, b in zip(first, second))


def _check_header(header: list[str], source: str, line: int) -> None:
    seen = set()
    for name in header:
        if name and name in seen:
            raise DataError(f"{source}: line {line}: the header names the column {name!r} twice")
        seen.add(name)


def read_table(path: str) -> Table:
    """The cells of the CSV file at ``path`` (``-``: standard input), the header detected, by
    the rules of the module docstring.

    Raises DataError for a file that is not UTF-8, not CSV, empty, ragged, or a header with no
    rows below it, and OSError when it cannot be read.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "pets.csv")
    >>> with open(path, "w") as file:
    ...     _ = file.write("weight, height, kind\\n4.5, 30, cat\\n\\n30, 60, dog\\n")
    >>> table = read_table(path)
    >>> table.header, table.rows, table.lines
    (['weight', 'height', 'kind'], [['4.5', '30', 'cat'], ['30', '60', 'dog']], [2, 4])
    """
    source = "<stdin>" if path == STDIN else path
    records = _records(_text(path), source)
    if not records:
        raise DataError(f"{source}: no rows: the file is empty")
    first_line, first = records[0]
    for line, cells in records:
        if len(cells) != len(first):
            raise DataError(
                f"{source}: line {line} has {len(cells)} cells but line {first_line} has "
                f"{len(first)}; every row needs the same number of cells"
            )
    header = None
    if _is_header(first, records[1][1] if len(records) > 1 else None):
        header = first
        _check_header(header, source, first_line)
        records = records[1:]
        if not records:
            raise DataError(f"{source}: a header and no rows of data")
    return Table(source, header, [cells for _, cells in records], [line for line, _ in records])


def number_rows(table: Table, columns: Sequence[int]) -> Matrix:
    """The numbers of ``columns`` (indices from 0), one row per row of the table: n × len(columns).

    Raises DataError naming the line, the column and the cell for a cell that is not a finite
    number.

    >>> table = Table("t.csv", None, [["1", "x", "2e1"], ["0.5", "y", "oops"]], [1, 2])
    >>> number_rows(table, [0])
    [[1.0], [0.5]]
    >>> number_rows(table, [0, 2])
    Traceback (most recent call last):
    ...
    purenn.errors.DataError: t.csv: line 2, column 3: 'oops' is not a number
    """
    result = []
    for row, line in zip(table.rows, table.lines):
        try:
            values = [float(row[column]) for column in columns]
        except ValueError:
            values = [math.nan]
        if not all(map(math.isfinite, values)):
            _refuse_cell(table, row, line, columns)
        result.append(values)
    return result


def _refuse_cell(table: Table, row: list[str], line: int, columns: Sequence[int]) -> NoReturn:
    """Raise DataError for the first of ``columns`` in ``row`` that is not a finite number."""
    column = next(c for c in columns if parse_number(row[c]) is None)
    cell = row[column]
    if not cell:
        what = "the cell is empty (every cell needs a value)"
    elif is_number(cell):
        what = f"{cell!r} is not a finite number"
    else:
        what = f"{cell!r} is not a number"
    raise DataError(f"{table.source}: line {line}, {table.column_label(column)}: {what}")


def check_filled(table: Table, column: int) -> None:
    """Raise DataError naming the line of the first empty cell of ``column`` (from 0), if any.

    >>> check_filled(Table("t.csv", ["x", "kind"], [["1", "cat"], ["2", ""]], [2, 3]), 1)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.DataError: t.csv: line 3, column 2 (kind): the cell is empty (every cell ...
    """
    for row, line in zip(table.rows, table.lines):
        if not row[column]:
            _refuse_cell(table, row, line, [column])
