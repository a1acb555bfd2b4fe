"""``python -m purenn evaluate --model PATH data.csv``: how well a saved model does on rows whose
answers the file holds.

The file is read as ``predict`` reads it (``purenn.cli.predict.input_columns`` finds the inputs)
and must hold the model's target column (``purenn.cli.scores.target_in_file``: --target names
it, else the training file's target by name or place).  It prints, for a classifier, the
accuracy, each class's precision, recall, F1 and number of rows, and the confusion matrix as
text (``--confusion PATH.svg`` draws it too, ``purenn.plot.confusion_matrix``); for a
regression, R², the mean absolute error and the root mean squared error.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING  # noqa: F401  (every module imports it, as the rules say)

from purenn import plot
from purenn.cli.csvfile import drop_columns, number_rows, read_table
from purenn.cli.data import add_table_options
from purenn.cli.options import CommandParser, add_command
from purenn.cli.outputs import check_output_file
from purenn.cli.predict import input_columns
from purenn.cli.scores import file_target, scores_of, target_in_file
from purenn.cli.sidecar import read_labels
from purenn.errors import DataError
from purenn.formats import load

__all__ = ["add_evaluate_command", "run_evaluate_command"]

_EXAMPLE = """\
a worked example:
  python3 -m purenn train iris_train.csv --target species --save iris.json
  %(prog)s --model iris.json iris_test.csv --confusion confusion.svg
      the accuracy on the test rows, then per species its precision, recall, F1 and
      rows, and the confusion matrix (rows: true species, columns: predicted), also
      drawn in confusion.svg
"""


def add_evaluate_command(commands: argparse._SubParsersAction[CommandParser]) -> CommandParser:
    """The ``evaluate`` command's parser and options.

    >>> parser = CommandParser(prog="purenn")
    >>> evaluate = add_evaluate_command(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["evaluate", "--model", "m.json", "test.csv"]).confusion is None
    True
    """
    evaluate = add_command(
        commands,
        "evaluate",
        "a saved model's scores on a CSV file that holds the answers",
        "Score a saved model on the rows of a CSV file that holds the target column: the\n"
        "accuracy, per-class precision, recall and F1 and the confusion matrix of a\n"
        "classifier; R², the mean absolute and root mean squared errors of a regression.",
        _EXAMPLE,
    )
    evaluate.add_argument("data", metavar="DATA.csv", help="the rows to score ('-': stdin)")
    evaluate.add_argument("--model", required=True, metavar="PATH",
                          help="a model saved by train --save (or purenn.save)")
    evaluate.add_argument("--target", metavar="NAME|NUMBER",
                          help="the column holding the answers (default: the training file's "
                          "target column)")
    evaluate.add_argument("--confusion", metavar="PATH.svg",
                          help="also draw a classifier's confusion matrix into PATH.svg")
    add_table_options(evaluate)
    evaluate.set_defaults(run=run_evaluate_command)
    return evaluate


def run_evaluate_command(args: argparse.Namespace) -> int:
    """Run ``evaluate`` as ``args`` asks, writing the report to stdout; returns 0.

    >>> import os, tempfile
    >>> from purenn.cli import main
    >>> folder = tempfile.mkdtemp()
    >>> data, model = os.path.join(folder, "pets.csv"), os.path.join(folder, "pets.json")
    >>> with open(data, "w") as file:
    ...     _ = file.write("weight,kind\\n" + "".join(f"{w},{'cat' if w < 5 else 'dog'}\\n"
    ...                                               for w in range(10)))
    >>> main(["train", data, "--quiet", "--epochs", "30", "--save", model]) == 0
    ... # doctest: +ELLIPSIS
    data: ...
    True
    >>> main(["evaluate", "--model", model, data])  # doctest: +ELLIPSIS
    model:    ...pets.json on ...pets.csv, target column 2 (kind)
    accuracy ... (10 rows)
    class  precision  recall     f1  support
    ...
    0
    """
    if args.confusion is not None:
        check_output_file(args.confusion, "--confusion")
    network = load(args.model)
    labels = read_labels(args.model, network)
    table = read_table(args.data, args.sep)
    if args.drop:
        table = drop_columns(table, args.drop)
    column = target_in_file(table, labels, args.target)
    if column is None:
        raise DataError(f"{table.source}: no target column to score the model against "
                        "(--target NAME|NUMBER names it)")
    x = number_rows(table, input_columns(table, labels, network.n_in, args.target))
    target = file_target(table, column, network, labels)
    scores = scores_of(network, x, target)
    print(f"model:    {args.model} on {table.source}, target {table.column_label(column)}")
    print(scores.line())
    if scores.report is not None:
        print(scores.report.text(target.classes))
        if args.confusion is not None:
            plot.confusion_matrix(scores.report.confusion, target.classes, args.confusion,
                                  title=f"{table.source}: {scores.line()}")
            print(f"wrote {args.confusion}")
    sys.stdout.flush()
    return 0
