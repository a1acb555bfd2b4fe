"""The command line's CSV rules, one by one: the header, cells, numbers, the target column, the
task and the order of the classes."""

import pytest

from purenn.cli.csvfile import Table, number_rows, read_table
from purenn.cli.data import target_column
from purenn.cli.options import UsageError
from purenn.cli.targets import class_labels, infer_task, target_from_table
from purenn.errors import DataError


def table_of(tmp_path, content):
    path = tmp_path / "data.csv"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return read_table(str(path))


@pytest.mark.parametrize(
    ("content", "header"),
    [
        ("x,y,label\n1,2,cat\n", ["x", "y", "label"]),      # names over numbers
        ("1,2,cat\n3,4,dog\n", None),                       # text only in the label column
        ("x,y,label\n1,2,3\n", ["x", "y", "label"]),
        ("1,2,3\n4,5,6\n", None),
        ("x,y\n", ["x", "y"]),                              # one row with text: a header
        ("1,2\n", None),                                    # one row of numbers: data
        ("nan,2,a\n1,2,b\n", None),                         # NaN looks like a number
        ("a,b,label\nc,d,cat\n", None),                     # no number under any name
    ],
)
def test_the_header_is_a_first_row_with_a_name_over_a_number(tmp_path, content, header):
    if header is not None and content.count("\n") == 1:
        with pytest.raises(DataError, match="a header and no rows of data"):
            table_of(tmp_path, content)
        return
    assert table_of(tmp_path, content).header == header


def test_cells_are_stripped_blank_lines_skipped_quotes_and_crlf_read(tmp_path):
    table = table_of(tmp_path, '\ufeffx , "y, quoted"\r\n\r\n 1 ,"2"\r\n  \r\n3,4\r\n')
    assert table.header == ["x", "y, quoted"]
    assert table.rows == [["1", "2"], ["3", "4"]]
    assert table.lines == [3, 5]  # the file's lines, blank ones counted


def test_numbers_are_what_float_reads_and_finite(tmp_path):
    table = table_of(tmp_path, "a,b\n1,-2.5e-3\n+4,  7 \n")
    assert number_rows(table, [0, 1]) == [[1.0, -0.0025], [4.0, 7.0]]
    table = Table("t.csv", None, [["1", "-inf"]], [4])
    with pytest.raises(DataError, match=r"^t\.csv: line 4, column 2: '-inf' is not a finite"):
        number_rows(table, [0, 1])


def test_the_target_column_by_name_by_number_and_from_the_end():
    table = Table("t.csv", ["a", "b", "3"], [["1", "2", "3"]], [2])
    assert [target_column(table, spec) for spec in (None, "a", "2", "-1", "-3", "3")] == [
        2, 0, 1, 2, 0, 2]  # a header's name wins over a number: "3" is the column named "3"
    with pytest.raises(UsageError, match=r"t\.csv has 3 columns"):
        target_column(table, "0")


@pytest.mark.parametrize(
    ("cells", "task"),
    [
        (["cat", "dog"], "classify"),
        (["1", "2", "x"], "classify"),
        (["0", "1", "1", "0"], "classify"),
        ([str(k) for k in range(10)], "classify"),
        ([str(k) for k in range(11)], "regress"),
        (["0", "1.5"], "regress"),
        (["1.0", "2.0"], "classify"),
    ],
)
def test_the_task_inferred_from_the_target(cells, task):
    assert infer_task(cells)[0] == task


def test_classes_in_sorted_order_as_numbers_or_as_text():
    assert class_labels(["b", "a", "B"]) == ([2, 1, 0], ["B", "a", "b"])
    assert class_labels(["10", "9", "9.0", "-1"]) == ([2, 1, 1, 0], ["-1", "9", "10"])
    assert class_labels(["0.5", "2"]) == ([0, 1], ["0.5", "2"])
    assert class_labels(["1", "x"]) == ([0, 1], ["1", "x"])  # mixed: all as text


def test_a_regression_target_must_be_numbers():
    table = Table("t.csv", None, [["1", "2"], ["2", "n/a"]], [1, 2])
    assert target_from_table(table, 0, "regress").values == [[1.0], [2.0]]
    with pytest.raises(DataError, match=r"line 2, column 2: 'n/a' is not a number"):
        target_from_table(table, 1, "regress")
