"""CSV files for ``train`` and ``predict``: cells, the header, numbers, and errors that say where.

The rules, the same for both commands:

- The file is UTF-8 (a byte-order mark is skipped, standard input too, whatever the locale;
  other bytes are refused), quoted as the ``csv`` module reads it in Excel's dialect, strictly
  (a quote left open is an error, not the rest of the file in one cell).  ``-`` reads standard
  input.
- **Separator**: ``--sep`` (``,`` ``;`` ``tab`` or ``space``), else detected from the first
  ``SNIFFED_LINES`` lines: the first of comma, semicolon and tab that splits every one of them
  into the same number (> 1) of cells, else runs of spaces when they do; else a comma.
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

Where a file cannot be read, the message names the likely cause: another separator than the one
used ("line 3 has 1 cell …; the file looks separated by ';': --sep ';'"), a decimal comma.
Cells are quoted in messages by ``purenn.arguments.shown`` (at most 60 characters).

Errors are DataError (a PurennError), and OSError as the operating system raises it.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import DataError

if TYPE_CHECKING:
    from typing import NoReturn, Sequence

    from purenn.kernels import Matrix

__all__ = [
    "STDIN", "SEPARATORS", "SNIFFED_LINES", "Table", "separator_option", "detect_separator",
    "read_table", "dropped_columns", "drop_columns", "ROW_ID_MIN_ROWS", "row_id_columns",
    "is_number", "parse_number", "number_rows", "check_filled",
]

STDIN = "-"

SEPARATORS = {",": ",", ";": ";", "tab": "\t", "\t": "\t", "space": " ", " ": " "}
"""--sep's words and the separator each stands for; " " means runs of spaces (or tabs)."""

SNIFFED_LINES = 20  # the lines a separator is detected from

_NAMES = {",": "','", ";": "';'", "\t": "tab", " ": "space"}


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


def _text(path: str, source: str) -> str:
    """The whole file (or standard input) as text, its byte-order mark skipped, refused by
    name if it is not UTF-8.  Standard input is read as bytes and decoded here, so a C locale
    (whose text streams would read ASCII, or let bad bytes through as surrogates) changes
    nothing; a stream that has no bytes (a test's StringIO) is read as text."""
    if path == STDIN:
        binary = getattr(sys.stdin, "buffer", None)
        if binary is None:
            return sys.stdin.read().lstrip("\ufeff")
        data: bytes = binary.read()
    else:
        with open(path, "rb") as file:
            data = file.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(
            f"{source}: not UTF-8 text (byte {error.start + 1} is {data[error.start]:#04x}); "
            "save the file as UTF-8 CSV"
        ) from None


def separator_option(text: str) -> str:
    """An argparse type for --sep: a word of ``SEPARATORS`` to its separator.

    >>> separator_option(";"), separator_option("tab")
    (';', '\\t')
    """
    if text not in SEPARATORS:
        raise argparse.ArgumentTypeError(
            f"must be one of ',', ';', tab or space, got {shown(text, 20)}"
        )
    return SEPARATORS[text]


def _split(line: str, sep: str) -> list[str]:
    """The cells of one line, for detection (quotes as csv reads them; runs of spaces)."""
    if sep == " ":
        return line.split()
    return next(csv.reader([line], delimiter=sep), [])


def detect_separator(text: str) -> str:
    """The separator of ``text``, by the rule of the module docstring.

    >>> detect_separator("a;b;c\\n1,5;2;3\\n"), detect_separator("1 2  3\\n4 5 6\\n")
    (';', ' ')
    >>> detect_separator("x\\n1\\n")
    ','
    """
    lines = [line for line in text.splitlines() if line.strip()][:SNIFFED_LINES]
    for sep in (",", ";", "\t", " "):
        counts = {len(_split(line, sep)) for line in lines}
        if len(counts) == 1 and counts.pop() > 1:
            return sep
    return ","


def _records(text: str, source: str, sep: str) -> list[tuple[int, list[str]]]:
    """(line, cells) of every non-blank row, cells stripped; csv's errors name the line."""
    if sep == " ":
        return [(number, line.split()) for number, line in enumerate(text.splitlines(), 1)
                if line.strip()]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, skipinitialspace=True,
                        strict=True)
    records = []
    try:
        for cells in reader:
            stripped = [cell.strip() for cell in cells]
            if any(stripped):
                records.append((reader.line_num, stripped))
    except csv.Error as error:
        raise DataError(f"{source}: line {reader.line_num}: {error}") from None
    return records


def _likely_separator(cells: Sequence[str], sep: str) -> str:
    """" (the file looks separated by ';': --sep ';')" when another separator would split
    ``cells`` into more, else ""."""
    joined = sep.join(cells)
    for other in (",", ";", "\t"):
        if other != sep and len(_split(joined, other)) > max(1, len(cells)):
            return f" (the file looks separated by {_NAMES[other]}: --sep {_NAMES[other]})"
    return ""


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
            raise DataError(
                f"{source}: line {line}: the header names the column {shown(name)} twice"
            )
        seen.add(name)


def read_table(path: str, sep: str | None = None) -> Table:
    """The cells of the CSV file at ``path`` (``-``: standard input), separated by ``sep``
    (None: detected), the header detected, by the rules of the module docstring.

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
    text = _text(path, source)
    separator = detect_separator(text) if sep is None else sep
    records = _records(text, source, separator)
    if not records:
        raise DataError(f"{source}: no rows: the file is empty")
    first_line, first = records[0]
    for line, cells in records:
        if len(cells) != len(first):
            cause = _likely_separator(cells if len(cells) < len(first) else first, separator)
            raise DataError(
                f"{source}: line {line} has {len(cells)} cells but line {first_line} has "
                f"{len(first)}; every row needs the same number of cells{cause}"
            )
    header = None
    if _is_header(first, records[1][1] if len(records) > 1 else None):
        header = first
        _check_header(header, source, first_line)
        records = records[1:]
        if not records:
            raise DataError(f"{source}: a header and no rows of data")
    return Table(source, header, [cells for _, cells in records], [line for line, _ in records])


def _column_index(table: Table, spec: str, option: str) -> int:
    """The index (from 0) of the column ``spec`` names: a header's name, or a number from 1."""
    if table.header is not None and spec in table.header:
        return table.header.index(spec)
    if spec.isdigit() and 1 <= int(spec) <= table.width:
        return int(spec) - 1
    names = ", ".join(table.header) if table.header is not None else "none (no header)"
    raise DataError(f"{option} {shown(spec, 40)}: {table.source} has no such column (columns 1 "
                    f"to {table.width}; names: {names})")


def dropped_columns(table: Table, specs: Sequence[str], option: str = "--drop") -> set[int]:
    """The indices (from 0) of the columns ``specs`` names (header names, or numbers from 1);
    DataError naming ``option`` for a column the table does not have.

    >>> sorted(dropped_columns(Table("t.csv", ["id", "x"], [["7", "0.5"]], [2]), ["id", "2"]))
    [0, 1]
    """
    return {_column_index(table, spec, option) for spec in specs}


def drop_columns(table: Table, specs: Sequence[str], option: str = "--drop") -> Table:
    """``table`` without the columns ``specs`` name (header names, or numbers from 1), as if
    the file never had them.  DataError naming ``option`` for a column it does not have, or
    for dropping every column.

    >>> table = Table("t.csv", ["id", "x", "kind"], [["7", "0.5", "cat"]], [2])
    >>> drop_columns(table, ["id"]).header, drop_columns(table, ["1", "kind"]).rows
    (['x', 'kind'], [['0.5']])
    """
    dropped = dropped_columns(table, specs, option)
    if len(dropped) >= table.width:
        raise DataError(f"{option}: {table.source} would have no columns left")
    kept = [i for i in range(table.width) if i not in dropped]
    header = None if table.header is None else [table.header[i] for i in kept]
    rows = [[row[i] for i in kept] for row in table.rows]
    return Table(table.source, header, rows, table.lines)


ROW_ID_MIN_ROWS = 20
"""Below this many rows, distinct whole numbers in a column are no sign of a row id."""


def row_id_columns(table: Table, columns: Sequence[int]) -> list[int]:
    """Those of ``columns`` that look like a row id: a different whole number in every one of
    at least ROW_ID_MIN_ROWS rows (an id teaches a network nothing about new rows).

    >>> table = Table("t.csv", None, [[str(i), "1"] for i in range(30)], list(range(1, 31)))
    >>> row_id_columns(table, [0, 1])
    [0]
    """
    if len(table.rows) < ROW_ID_MIN_ROWS:
        return []
    found = []
    for column in columns:
        values = [parse_number(row[column]) for row in table.rows]
        whole = all(value is not None and value == int(value) for value in values)
        if whole and len(set(values)) == len(values):
            found.append(column)
    return found


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
        what = f"{shown(cell)} is not a finite number"
    else:
        what = f"{shown(cell)} is not a number{_why_not_a_number(cell, table.width)}"
    raise DataError(f"{table.source}: line {line}, {table.column_label(column)}: {what}")


def _why_not_a_number(cell: str, width: int) -> str:
    """The likely cause when ``cell`` is not a number: a decimal comma, or a separator that
    was not split on; "" when none is plain."""
    if is_number(cell.replace(",", ".", 1)) and cell.count(",") == 1:
        return " (a decimal comma? purenn reads numbers with a point: 1.5)"
    for other in (";", "\t", ","):
        if other in cell and all(map(is_number, cell.split(other))):
            return f" (the file looks separated by {_NAMES[other]}: --sep {_NAMES[other]})"
    return ""


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
