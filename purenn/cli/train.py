"""``python3 -m purenn train``: train a network on a built-in data set or a CSV file.

The data (``purenn.cli.data``), the network and its loss (``purenn.cli.architecture``) are
decided before anything trains, and so are the output folders: a mistake in any of them is one
error line at once, not after a long run.  Then ``fit`` trains with the progress line on stderr
(``--quiet``: none), and the command prints what it did on stdout, writes the pictures
(``--plots DIR``) and saves the model (``--save PATH``, purenn's JSON format, with the labels
file ``purenn.cli.sidecar`` describes beside it).

``--validation-split F`` holds out the last F of the rows, as ``fit`` does, after shuffling the
rows once with the seed: a CSV file sorted by class would otherwise validate on one class.

``--test-split F`` sets aside a fraction F of the rows before anything learns from them (drawn
with the seed, ``purenn.datasets.train_test_split``): the standardisation and the network see
only the rest, and the held-out scores are printed beside the training ones.

Inputs are standardised by default (``purenn.cli.architecture``): the summary says so, names
any constant column, and ``--no-standardize`` turns it off.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import random
import sys
from typing import TYPE_CHECKING

from purenn.activations import ACTIVATIONS
from purenn.callbacks import EarlyStopping
from purenn.cli.architecture import (
    Plan,
    build_network,
    fit_targets,
    parse_arch,
    parse_layers,
    plan_network,
)
from purenn.cli.data import DATASETS, TrainingData, add_table_options, load_training_data
from purenn.cli.options import (
    CommandParser,
    UsageError,
    add_command,
    count,
    number,
    registered_name,
)
from purenn.cli.outputs import check_output_file, prepare_folder
from purenn.cli.plots import write_plots
from purenn.cli.scores import scores_of
from purenn.cli.sidecar import labels_of, labels_path, save_with_labels
from purenn.cli.targets import CLASSIFY, TASKS
from purenn.datasets import train_test_split
from purenn.layers import Normalization
from purenn.losses import LOSSES
from purenn.network import Network
from purenn.optimizers import SGD, Adam, Optimizer
from purenn.training import History, shuffled_indices

if TYPE_CHECKING:
    from typing import Any, Callable, TextIO

__all__ = ["OPTIMIZERS", "PATIENCE_SPLIT", "batch_size", "add_train_command", "split_test",
           "train_network", "run_train_command"]

OPTIMIZERS: dict[str, tuple[Callable[..., Optimizer], float]] = {
    "adam": (Adam, 0.01),
    "sgd": (SGD, 0.1),
}
"""--optimizer NAME: its class and its default learning rate."""

PATIENCE_SPLIT = 0.1
"""The rows --patience validates on when --validation-split does not say (scikit-learn's
validation_fraction)."""

_EXAMPLE = """\
a worked example:
  %(prog)s moons --arch 2-16-16-2 --epochs 200 --plots out/ --save moons.json
      trains a 2-16-16-2 tanh network with cross-entropy and Adam on the two moons,
      showing its progress on stderr; prints the last epoch's loss and accuracy, writes
      out/loss.svg, out/architecture.svg and out/boundary.svg, and saves moons.json (and
      moons.labels.json, the class labels for predict)
  %(prog)s iris.csv --target species --layers 8:relu,3 --validation-split 0.2
      a CSV file with a header: the column "species" holds the classes, every other
      column is a number; one fifth of the rows (shuffled) is held out for validation
  %(prog)s sine --arch 1-16-16-1 --epochs 500
      regression: one identity output and the mean squared error
  %(prog)s wine.csv --test-split 0.25 --drop id --save wine.json
      a quarter of the rows set aside (drawn with the seed) and scored after training;
      the column "id" left out
"""


def batch_size(text: str) -> int | None:
    """An argparse type: "full" (one batch of every row: None) or an int ≥ 1.

    >>> batch_size("32"), batch_size("full")
    (32, None)
    """
    return None if text == "full" else count(1)(text)


def _add_data_options(parser: CommandParser) -> None:
    names = ", ".join(sorted(DATASETS))
    parser.add_argument("data", metavar="DATA",
                        help=f"a built-in data set ({names}) or a CSV file's path ('-': stdin)")
    group = parser.add_argument_group("CSV data")
    group.add_argument("--target", metavar="NAME|NUMBER",
                       help="the target column: its header name, or its number from 1 (-1: the "
                       "last); default the last column")
    group.add_argument("--task", choices=TASKS,
                       help="classify (class labels) or regress (numbers); default inferred "
                       "from the target column, and printed")
    add_table_options(group)


def _add_network_options(parser: CommandParser) -> None:
    group = parser.add_argument_group("network")
    sizes = group.add_mutually_exclusive_group()
    sizes.add_argument("--arch", type=parse_arch, metavar="N-N-…-N",
                       help="every layer's width, inputs first, e.g. 2-16-16-1 (default: "
                       "FEATURES-16-OUTPUTS)")
    sizes.add_argument("--layers", type=parse_layers, metavar="W[:ACT],…",
                       help="each layer after the inputs as WIDTH or WIDTH:ACTIVATION, "
                       "e.g. 16:relu,16:relu,3")
    group.add_argument("--activation", type=registered_name(ACTIVATIONS), default="tanh",
                       metavar="NAME", help="of the hidden layers (default tanh); one of "
                       f"{', '.join(ACTIVATIONS.names())}")
    group.add_argument("--loss", type=registered_name(LOSSES), metavar="NAME",
                       help="one of " + ", ".join(LOSSES.names()) + "; default cross_entropy "
                       "for classes (bce for one output), mse to regress")


def _add_training_options(parser: CommandParser) -> None:
    group = parser.add_argument_group("training")
    group.add_argument("--optimizer", choices=list(OPTIMIZERS), default="adam",
                       help="default adam")
    group.add_argument("--learning-rate", type=number(0.0), metavar="RATE",
                       help="a finite number ≥ 0 (default 0.01 for adam, 0.1 for sgd)")
    group.add_argument("--epochs", type=count(1), default=100, help="default 100")
    group.add_argument("--batch-size", type=batch_size, default=32, metavar="N|full",
                       help="rows per step, or full for one batch of all (default 32)")
    group.add_argument("--validation-split", type=number(0.0, 1.0, include_low=False),
                       metavar="F", help="hold out this fraction of the rows, in (0, 1)")
    group.add_argument("--patience", type=count(1), metavar="N",
                       help="stop when the validation loss has not improved for N epochs and "
                       f"keep the best epoch's weights (validates on --validation-split, "
                       f"default {PATIENCE_SPLIT:g} of the rows)")
    group.add_argument("--test-split", type=number(0.0, 1.0, include_low=False),
                       metavar="F", help="set aside this fraction of the rows (drawn with the "
                       "seed) and report the model's scores on them")
    group.add_argument("--no-standardize", dest="standardize", action="store_false",
                       help="feed the raw features to the network (default: standardise "
                       "each feature by its mean and deviation, learned with the model)")
    group.add_argument("--seed", type=int, default=0,
                       help="seeds the weights and the shuffling (default 0)")
    group.add_argument("--quiet", action="store_true", help="no progress line on stderr")


def add_train_command(commands: argparse._SubParsersAction[CommandParser]) -> CommandParser:
    """The ``train`` command's parser and options.

    >>> parser = CommandParser(prog="purenn")
    >>> train = add_train_command(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["train", "moons", "--arch", "2-8-2"]).arch
    [2, 8, 2]
    """
    train = add_command(
        commands,
        "train",
        "train a network on a built-in data set or a CSV file",
        "Train a network on a built-in data set or a CSV file; print what it learnt, draw it\n"
        "(--plots) and save it (--save) for predict, evaluate and export.  CSV files: UTF-8,\n"
        "the separator detected (--sep), a header detected (a first row with a name over a\n"
        "number); every column but the target (and --drop) is a number; class labels may be\n"
        "text or integers.  Inputs are standardised by statistics learned from the training\n"
        "rows and saved in the model (--no-standardize: raw).",
        _EXAMPLE,
    )
    _add_data_options(train)
    _add_network_options(train)
    _add_training_options(train)
    output = train.add_argument_group("output")
    output.add_argument("--plots", metavar="DIR",
                        help="write loss.svg, architecture.svg and, for 2-D classes, "
                        "boundary.svg into DIR (made if missing)")
    output.add_argument("--save", metavar="PATH",
                        help="save the trained model to PATH (purenn's JSON) and its labels "
                        "beside it")
    train.set_defaults(run=run_train_command)
    return train


def _describe_data(data: TrainingData) -> str:
    rows, features = len(data.x), data.n_features
    text = f"{data.name}, {rows} rows × {features} feature{'s' if features > 1 else ''}"
    target = data.target
    if data.target_column is not None:
        name = data.header[data.target_column] if data.header else None
        text += f"; target column {data.target_column + 1}" + (f" ({name})" if name else "")
    text += f"; {target.task} ({target.reason})"
    if target.task == CLASSIFY:
        shown = ", ".join(target.classes[:10]) + (", …" if target.n_classes > 10 else "")
        text += f", {target.n_classes} classes: {shown}"
    return text


def _rows_of(data: TrainingData, x: Any, indices: list[int]) -> TrainingData:
    """``data`` cut down to the rows ``indices`` (whose inputs are ``x``)."""
    target = data.target
    part = dataclasses.replace(
        target,
        labels=[target.labels[i] for i in indices] if target.labels else [],
        values=[target.values[i] for i in indices] if target.values else [],
    )
    return dataclasses.replace(data, x=x, target=part)


def split_test(data: TrainingData, fraction: float, seed: int) -> tuple[TrainingData, TrainingData]:
    """(the rows to train on, the rows set aside) of ``data``: ⌈fraction·n⌉ rows drawn with
    ``seed`` by ``purenn.datasets.train_test_split``.  UsageError when no row would be left on
    either side.

    >>> from purenn.cli.data import builtin_data
    >>> train, test = split_test(builtin_data("moons"), 0.25, seed=0)
    >>> len(train.x), len(test.x), len(test.target.labels)
    (150, 50, 50)
    """
    rows = len(data.x)
    if rows < 2 or math.ceil(fraction * rows) >= rows:
        raise UsageError(f"--test-split {fraction:g} of {rows} rows leaves no rows to train on")
    train_x, test_x, train_rows, test_rows = train_test_split(
        data.x, list(range(rows)), fraction, seed
    )
    return _rows_of(data, train_x, train_rows), _rows_of(data, test_x, test_rows)


def _describe_inputs(network: Network, data: TrainingData) -> str:
    """The "inputs:" line: standardised or raw, and any constant column by name."""
    norm = network.layers[0]
    if not isinstance(norm, Normalization):
        return "raw features, as the file holds them (--no-standardize)"
    text = (f"standardised by each feature's mean and deviation over the {len(data.x)} "
            "training rows, kept in the model (--no-standardize: raw)")
    if isinstance(network.layers[-1], Normalization):
        text += "\n          the target too: the model outputs it in its own units"
    names = data.feature_names
    for column in norm.constant:
        name = f"column {column + 1}" + (f" ({names[column]})" if names else "")
        text += f"\n          {name} holds one value in every row: it tells the network nothing"
    return text


def _shuffled(x: Any, y: Any, seed: int) -> tuple[Any, Any]:
    order = shuffled_indices(len(x), random.Random(seed))
    return [x[i] for i in order], [y[i] for i in order]


def _last_epoch(history: History) -> str:
    values = {"loss": history.loss[-1]}
    if history.val_loss:
        values["val_loss"] = history.val_loss[-1]
    values.update((name, series[-1]) for name, series in history.metrics.items())
    return "  ".join(f"{name} {value:.4g}" for name, value in values.items())


def train_network(data: TrainingData, plan: Plan, args: argparse.Namespace,
                  out: TextIO) -> tuple[Network, History]:
    """Build ``plan``'s network and fit it to ``data`` with ``args``' training options,
    printing the network and the training settings to ``out``; returns (network, history).

    >>> import io
    >>> from purenn.cli.architecture import plan_network
    >>> from purenn.cli.data import builtin_data
    >>> data = builtin_data("xor")
    >>> plan = plan_network(data, [2, 4, 2], None, "tanh", None)
    >>> args = argparse.Namespace(optimizer="adam", learning_rate=0.1, epochs=5, seed=0,
    ...                           batch_size=None, validation_split=None, patience=None,
    ...                           quiet=True)
    >>> network, history = train_network(data, plan, args, io.StringIO())
    >>> history.epochs, sorted(history.metrics)
    (5, ['accuracy'])
    """
    values = data.target.values if data.target.task != CLASSIFY else None
    network = build_network(plan, args.seed, data.x, values)
    size = sum(math.prod(parameter.shape) for parameter in network.parameters())
    print(f"inputs:   {_describe_inputs(network, data)}", file=out)
    print(f"network:  {plan} ({size} parameters)", file=out)
    optimizer_class, default_rate = OPTIMIZERS[args.optimizer]
    rate = default_rate if args.learning_rate is None else args.learning_rate
    batches = "full batch" if args.batch_size is None else f"batches of {args.batch_size}"
    split, stopper = args.validation_split, None
    stopping = ""
    if args.patience is not None:
        split = PATIENCE_SPLIT if split is None else split
        stopper = EarlyStopping(patience=args.patience)
        stopping = (f", stopping after {args.patience} epochs without a better loss on "
                    f"{split:g} of the rows")
    print(f"training: {args.epochs} epochs, {args.optimizer} at learning rate {rate:g}, "
          f"{batches}, seed {args.seed}{stopping}", file=out)
    out.flush()  # before the progress line on stderr
    x, y = data.x, fit_targets(plan, data.target)
    if split is not None:
        x, y = _shuffled(x, y, args.seed)
    metrics = ["accuracy"] if data.target.task == CLASSIFY else ["r2"]
    history = network.fit(
        x, y, epochs=args.epochs, optimizer=optimizer_class(lr=rate),
        batch_size=args.batch_size, validation_split=split, early_stopping=stopper,
        metrics=metrics, verbose=not args.quiet,
    )
    if stopper is not None:
        print(f"stopped:  after epoch {history.epochs}; the weights of epoch "
              f"{stopper.best_epoch}, whose validation loss was the best, are kept", file=out)
    return network, history


def _write_outputs(data: TrainingData, network: Network, history: History,
                   args: argparse.Namespace, out: TextIO) -> None:
    """The pictures and the saved model, each path printed."""
    written: list[str] = []
    if args.plots is not None:
        name, features = data.name, data.feature_names
        if data.target.task == CLASSIFY:
            written += write_plots(args.plots, network, history, data.x, data.target.labels,
                                   ["accuracy"], name=name, feature_names=features,
                                   class_names=data.target.classes)
        else:
            written += write_plots(args.plots, network, history, name=name,
                                   feature_names=features)
    if args.save is not None:
        written += save_with_labels(network, args.save, labels_of(data))
    for path in written:
        print(f"wrote {path}", file=out)


def run_train_command(args: argparse.Namespace) -> int:
    """Run ``train`` as ``args`` asks, writing to stdout; returns the exit status 0 (errors
    are raised, for the caller to report).

    >>> from purenn.cli import main
    >>> main(["train", "xor", "--arch", "2-4-2", "--epochs", "3", "--quiet"])  # doctest: +ELLIPSIS
    data:     xor, 4 rows × 2 features; classify (a built-in set), 2 classes: 0, 1
    inputs:   standardised by each feature's mean and deviation over the 4 training rows, kept ...
    network:  2-4-2, activations tanh → identity, loss cross_entropy (22 parameters)
    training: 3 epochs, adam at learning rate 0.01, batches of 32, seed 0
    result:   loss ...  accuracy ... (the last epoch)
    0
    """
    out = sys.stdout
    data = load_training_data(args.data, args.target, args.task, args.sep, args.drop)
    for label in data.row_ids:
        print(f"purenn: warning: {data.name}: {label} holds a different whole number in every "
              "row: a row id? It tells the network nothing about new rows (--drop leaves it "
              "out)", file=sys.stderr)
    plan = plan_network(data, args.arch, args.layers, args.activation, args.loss,
                        args.standardize)
    held_out = None
    if args.test_split is not None:
        data, held_out = split_test(data, args.test_split, args.seed)
    if args.save is not None:  # every output checked before the training starts
        check_output_file(args.save, "--save")
        check_output_file(labels_path(args.save), "--save (its labels file)")
    if args.plots is not None:
        prepare_folder(args.plots)
    print(f"data:     {_describe_data(data)}", file=out)
    network, history = train_network(data, plan, args, out)
    print(f"result:   {_last_epoch(history)} (the last epoch)", file=out)
    if held_out is not None:
        print(f"test:     {scores_of(network, held_out.x, held_out.target).line()} held out "
              "(--test-split)", file=out)
    _write_outputs(data, network, history, args, out)
    return 0
