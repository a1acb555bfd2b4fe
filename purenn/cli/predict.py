"""``python3 -m purenn predict --model PATH data.csv``: a saved model's predictions, as CSV on
stdout.

The file is read by the same rules as ``train``'s (``purenn.cli.csvfile``).  The model's
inputs are found among its columns thus, the first rule that applies:

1. ``--target NAME|NUMBER``: every column but that one;
2. both the file and the training file had a header (the labels file keeps it): the training
   file's input columns, by name, in any order, other columns ignored;
3. as many columns as the model has inputs: all of them;
4. as many columns as the training file: all but its target's.

Output, one row per row of the file, with a header row when the file had one:

- a classifier: the class of each row, by its label from training (``setosa``), or its index
  when the model has no labels file (a model saved from Python: then models whose loss is
  cross_entropy or bce are classifiers, any other loss regresses);
- a regression: the output;
- ``--raw``: every output of the network as it is (logits for cross_entropy), one column each;
- ``--proba``: a classifier's probability of each class (``Network.predict_proba``), one column
  per class, named by the class.

When the file holds the model's target column (``purenn.cli.scores.target_in_file``), the
accuracy, or R² with the mean absolute and root mean squared errors, goes to stderr, so that
stdout stays CSV; ``evaluate`` gives the whole report.

Numbers are written by ``repr``, so they read back as exactly the floats the model computed.
"""

from __future__ import annotations

import argparse
import csv
import sys
from typing import TYPE_CHECKING

from purenn.cli.csvfile import Table, drop_columns, number_rows, read_table
from purenn.cli.data import add_table_options, target_column
from purenn.cli.options import CommandParser, UsageError, add_command
from purenn.cli.scores import CLASSIFYING_LOSSES, file_target, scores_of, target_in_file
from purenn.cli.sidecar import Labels, load_with_labels
from purenn.cli.targets import CLASSIFY
from purenn.errors import DataError
from purenn.metrics import predicted_classes
from purenn.network import Network

if TYPE_CHECKING:
    from typing import Sequence, TextIO

__all__ = ["CLASSIFYING_LOSSES", "add_predict_command", "input_columns", "prediction_rows",
           "probability_rows", "run_predict_command"]

_EXAMPLE = """\
a worked example:
  python3 -m purenn train iris.csv --target species --save iris.json
  %(prog)s --model iris.json iris.csv > predicted.csv
      one line per flower: its species as the model predicts it ("setosa"), under the
      header "species"; the species column of iris.csv itself is left out of the inputs
  %(prog)s --model iris.json --raw iris.csv | head -3
      the three scores of the first two flowers (logits: the loss applies the softmax)
  %(prog)s --model iris.json --proba iris.csv | head -2
      setosa,versicolor,virginica: the probabilities of the first flower's species
"""


def add_predict_command(commands: argparse._SubParsersAction[CommandParser]) -> CommandParser:
    """The ``predict`` command's parser and options.

    >>> parser = CommandParser(prog="purenn")
    >>> predict = add_predict_command(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["predict", "--model", "m.json", "new.csv"])
    >>> args.model, args.data, args.raw
    ('m.json', 'new.csv', False)
    """
    predict = add_command(
        commands,
        "predict",
        "a saved model's predictions for the rows of a CSV file",
        "Print a saved model's predictions for the rows of a CSV file, as CSV: the class\n"
        "labels of a classifier (as in its training data), the outputs of a regression, or\n"
        "with --raw every output as it is.",
        _EXAMPLE,
    )
    predict.add_argument("data", metavar="DATA.csv", help="the rows to predict ('-': stdin)")
    predict.add_argument("--model", required=True, metavar="PATH",
                         help="a model saved by train --save (or purenn.save)")
    predict.add_argument("--target", metavar="NAME|NUMBER",
                         help="a column to leave out of the inputs (default: the training "
                         "file's target column, when the file has it)")
    shown_as = predict.add_mutually_exclusive_group()
    shown_as.add_argument("--raw", action="store_true",
                          help="every output as it is, instead of class labels")
    shown_as.add_argument("--proba", action="store_true",
                          help="a classifier's probability of each class, a column per class")
    add_table_options(predict)
    predict.set_defaults(run=run_predict_command)
    return predict


def _by_name(table: Table, labels: Labels) -> list[int] | None:
    """Rule 2: the training file's input columns found by name, or None if it does not apply."""
    if table.header is None or labels.header is None or labels.target is None:
        return None
    names = [name for i, name in enumerate(labels.header) if i != labels.target]
    missing = [name for name in names if name not in table.header]
    if missing:
        raise DataError(f"{table.source} has no column {missing[0]!r}, an input of the model "
                        f"(its inputs: {', '.join(names)})")
    return [table.header.index(name) for name in names]


def input_columns(table: Table, labels: Labels | None, n_in: int,
                  target: str | None) -> list[int]:
    """The columns (from 0) of ``table`` that are the model's ``n_in`` inputs, by the rules of
    the module docstring; ``target`` is the --target option.  Raises DataError when they
    cannot be found.

    >>> table = Table("new.csv", None, [["1", "2", "cat"]], [1])
    >>> input_columns(table, None, 2, "3"), input_columns(table, None, 3, None)
    ([0, 1], [0, 1, 2])
    """
    columns: list[int] | None = None
    if target is not None:
        dropped = target_column(table, target)
        columns = [i for i in range(table.width) if i != dropped]
    elif labels is not None:
        columns = _by_name(table, labels)
    if columns is None and table.width == n_in:
        columns = list(range(table.width))
    if columns is None and labels is not None and labels.target is not None \
            and table.width == labels.columns:
        columns = [i for i in range(table.width) if i != labels.target]
    if columns is None or len(columns) != n_in:
        given = table.width if columns is None else len(columns)
        raise DataError(f"{table.source} has {given} input columns but the model takes {n_in} "
                        "(--target NAME|NUMBER leaves out a target column)")
    return columns


def _output_header(network: Network, labels: Labels | None, raw: bool,
                   classify: bool) -> list[str]:
    if raw:
        return [f"output_{j}" for j in range(1, network.n_out + 1)]
    name = None
    if labels is not None and labels.header is not None and labels.target is not None:
        name = labels.header[labels.target]
    if name:
        return [name]
    if classify:
        return ["class"]
    return ["prediction"] if network.n_out == 1 else [
        f"output_{j}" for j in range(1, network.n_out + 1)]


def prediction_rows(network: Network, labels: Labels | None, x: Sequence[Sequence[float]],
                    raw: bool) -> list[list[str]]:
    """The header and the rows of the output (see the module docstring): class labels, class
    indices, or the outputs, as text.

    >>> from purenn.layers import Dense
    >>> net = Network([Dense(1, 2)], loss="cross_entropy", seed=0)
    >>> cats = Labels("classify", ["cat", "dog"], None, None, None)
    >>> prediction_rows(net, cats, [[1.0], [-1.0]], raw=False)
    [['class'], ['cat'], ['dog']]
    """
    outputs = network.predict(x)
    classify = (labels.task == CLASSIFY if labels is not None
                else network.loss_function.name in CLASSIFYING_LOSSES)
    rows = [_output_header(network, labels, raw, classify)]
    if raw or not classify:
        rows += [[repr(value) for value in row] for row in outputs]
        return rows
    indices = predicted_classes(outputs, network.loss_function)
    if labels is not None and labels.classes is not None:
        rows += [[labels.classes[index]] for index in indices]
    else:
        rows += [[str(index)] for index in indices]
    return rows


def write_csv(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    """``rows`` as CSV lines on ``out``.

    >>> write_csv([["class"], ["cat, black"]], sys.stdout)
    class
    "cat, black"
    """
    csv.writer(out, lineterminator="\n").writerows(rows)


def run_predict_command(args: argparse.Namespace) -> int:
    """Run ``predict`` as ``args`` asks, writing CSV to stdout; returns the exit status 0.

    >>> import os, tempfile
    >>> from purenn.cli import main
    >>> folder = tempfile.mkdtemp()
    >>> model, rows = os.path.join(folder, "xor.json"), os.path.join(folder, "rows.csv")
    >>> with open(rows, "w") as file:
    ...     _ = file.write("0,1\\n1,1\\n")
    >>> main(["train", "xor", "--quiet", "--save", model]) == 0  # doctest: +ELLIPSIS
    data: ...
    True
    >>> main(["predict", "--model", model, rows])
    1
    0
    0
    """
    network, labels = load_with_labels(args.model)
    table = read_table(args.data, args.sep)
    if args.drop:
        table = drop_columns(table, args.drop)
    x = number_rows(table, input_columns(table, labels, network.n_in, args.target))
    if args.proba:
        rows = probability_rows(network, labels, x)
    else:
        rows = prediction_rows(network, labels, x, args.raw)
    write_csv(rows if table.header is not None else rows[1:], sys.stdout)
    column = target_in_file(table, labels, args.target)
    if column is not None:
        sys.stdout.flush()
        scores = scores_of(network, x, file_target(table, column, network, labels))
        print(f"purenn: {scores.line()} against {table.column_label(column)}", file=sys.stderr)
    return 0


def probability_rows(network: Network, labels: Labels | None,
                     x: Sequence[Sequence[float]]) -> list[list[str]]:
    """The header (the class names) and each row's probability of each class, as text;
    UsageError for a model that regresses.

    >>> from purenn.layers import Dense
    >>> net = Network([Dense(1, 2)], loss="cross_entropy", seed=0)
    >>> rows = probability_rows(net, Labels("classify", ["cat", "dog"], None, None, None), [[0]])
    >>> rows[0], [round(sum(map(float, row)), 12) for row in rows[1:]]
    (['cat', 'dog'], [1.0])
    """
    classify = (labels.task == CLASSIFY if labels is not None
                else network.loss_function.name in CLASSIFYING_LOSSES)
    if not classify:
        raise UsageError("--proba: the model regresses; it has no classes to give "
                         "probabilities of")
    probabilities = network.predict_proba(x)
    names = labels.classes if labels is not None and labels.classes is not None else None
    header = names or [str(k) for k in range(len(probabilities[0]))]
    return [list(header)] + [[repr(value) for value in row] for row in probabilities]
