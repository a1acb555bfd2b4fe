"""``python -m purenn train``: train a network on a built-in data set or a CSV file.

The data (``purenn.cli.data``), the network and its loss (``purenn.cli.architecture``) are
decided before anything trains, and so are the output folders: a mistake in any of them is one
error line at once, not after a long run.  Then ``fit`` trains with the progress line on stderr
(``--quiet``: none), and the command prints what it did on stdout, writes the pictures
(``--plots DIR``) and saves the model (``--save PATH``, purenn's JSON format, with the labels
file ``purenn.cli.sidecar`` describes beside it).

``--validation-split F`` holds out the last F of the rows, as ``fit`` does, after shuffling the
rows once with the seed: a CSV file sorted by class would otherwise validate on one class.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from typing import TYPE_CHECKING

from purenn.activations import ACTIVATIONS
from purenn.cli.architecture import (
    Plan,
    build_network,
    fit_targets,
    parse_arch,
    parse_layers,
    plan_network,
)
from purenn.cli.data import DATASETS, TrainingData, load_training_data
from purenn.cli.options import (
    CommandParser,
    add_command,
    count,
    number,
    registered_name,
)
from purenn.cli.outputs import check_output_file, prepare_folder
from purenn.cli.plots import write_plots
from purenn.cli.sidecar import labels_of, labels_path, save_with_labels
from purenn.cli.targets import CLASSIFY, TASKS
from purenn.losses import LOSSES
from purenn.network import Network
from purenn.optimizers import SGD, Adam, Optimizer
from purenn.training import History, shuffled_indices

if TYPE_CHECKING:
    from typing import Any, Callable, TextIO

__all__ = ["OPTIMIZERS", "batch_size", "add_train_command", "train_network", "run_train_command"]

OPTIMIZERS: dict[str, tuple[Callable[..., Optimizer], float]] = {
    "adam": (Adam, 0.01),
    "sgd": (SGD, 0.1),
}
"""--optimizer NAME: its class and its default learning rate."""

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
        "(--plots) and save it (--save) for predict and export.  CSV files: comma-separated,\n"
        "UTF-8; a header is detected (a first row with a name over a number); every column\n"
        "but the target is a number; class labels may be text or integers.",
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
    ...                           batch_size=None, validation_split=None, quiet=True)
    >>> network, history = train_network(data, plan, args, io.StringIO())
    >>> history.epochs, sorted(history.metrics)
    (5, ['accuracy'])
    """
    network = build_network(plan, args.seed)
    size = sum(math.prod(parameter.shape) for parameter in network.parameters())
    print(f"network:  {plan} ({size} parameters)", file=out)
    optimizer_class, default_rate = OPTIMIZERS[args.optimizer]
    rate = default_rate if args.learning_rate is None else args.learning_rate
    batches = "full batch" if args.batch_size is None else f"batches of {args.batch_size}"
    print(f"training: {args.epochs} epochs, {args.optimizer} at learning rate {rate:g}, "
          f"{batches}, seed {args.seed}", file=out)
    out.flush()  # before the progress line on stderr
    x, y = data.x, fit_targets(plan, data.target)
    if args.validation_split is not None:
        x, y = _shuffled(x, y, args.seed)
    metrics = ["accuracy"] if data.target.task == CLASSIFY else []
    history = network.fit(
        x, y, epochs=args.epochs, optimizer=optimizer_class(lr=rate),
        batch_size=args.batch_size, validation_split=args.validation_split,
        metrics=metrics, verbose=not args.quiet,
    )
    return network, history


def _write_outputs(data: TrainingData, network: Network, history: History,
                   args: argparse.Namespace, out: TextIO) -> None:
    """The pictures and the saved model, each path printed."""
    written: list[str] = []
    if args.plots is not None:
        if data.target.task == CLASSIFY:
            written += write_plots(args.plots, network, history, data.x, data.target.labels,
                                   ["accuracy"])
        else:
            written += write_plots(args.plots, network, history)
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
    network:  2-4-2, activations tanh → identity, loss cross_entropy (22 parameters)
    training: 3 epochs, adam at learning rate 0.01, batches of 32, seed 0
    result:   loss ...  accuracy ... (the last epoch)
    0
    """
    out = sys.stdout
    data = load_training_data(args.data, args.target, args.task)
    plan = plan_network(data, args.arch, args.layers, args.activation, args.loss)
    if args.save is not None:  # every output checked before the training starts
        check_output_file(args.save, "--save")
        check_output_file(labels_path(args.save), "--save (its labels file)")
    if args.plots is not None:
        prepare_folder(args.plots)
    print(f"data:     {_describe_data(data)}", file=out)
    network, history = train_network(data, plan, args, out)
    print(f"result:   {_last_epoch(history)} (the last epoch)", file=out)
    _write_outputs(data, network, history, args, out)
    return 0
