"""The command line: ``python3 -m purenn COMMAND …``, and the ``purenn`` console script.

    demo        train the seed tutorial's 3-4-1 network and watch it learn (the default)
    train       train a network on a built-in data set or a CSV file; plot it, save it
    predict     a saved model's predictions for the rows of a CSV file, as CSV
    evaluate    a saved model's scores on a CSV file that holds the answers
    export      a saved model as JSON, NumPy .npz, ONNX or standalone Python
    gradcheck   backprop against numerical derivatives; the step sweep; planted bugs
    playground  serve the playground page: train networks in the browser, with Pyodide

Each option belongs to its command, and one that does not apply is refused, never ignored.
With no command, the demo runs: ``python3 -m purenn --epochs 3000`` is ``… demo --epochs 3000``.
Every ``--help`` ends with a worked example.

The modules, bottom to top, each importing only those before it:

    options       the parser whose errors are one line; argument types; help with an example
    failures      errors to one line on stderr and an exit status (2 input, 1 failed, 130)
    outputs       output folders and files, checked before any work
    csvfile       CSV files: header detection, numbers, errors naming line and column
    targets       the target column: classify or regress, labels as class indices
    data          built-in data sets by name, or a CSV file: the data train learns from
    sidecar       the labels file saved beside a model, for predict
    scores        accuracy, per-class scores, R²: what train, predict and evaluate print
    architecture  --arch and --layers, the loss and the output that fit the task
    seednets      the seed tutorial's network and a deeper one, for demo and gradcheck
    plots         --plots DIR: loss curve, architecture, decision boundary
    demo, gradcheck, train, predict, evaluate, export, playground      one module per command

This package's ``main`` is the console script's entry point (``purenn.cli:main``).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from purenn.cli.demo import add_demo_command, run_demo
from purenn.cli.evaluate import add_evaluate_command
from purenn.cli.export import add_export_command
from purenn.cli.failures import run_guarded
from purenn.cli.gradcheck import add_gradcheck_command
from purenn.cli.options import CommandParser, UsageError
from purenn.cli.playground import add_playground_command
from purenn.cli.predict import add_predict_command
from purenn.cli.seednets import deep_network, seed_network
from purenn.cli.train import add_train_command

if TYPE_CHECKING:
    from purenn.cli.options import Runner

__all__ = [
    "DEFAULT_COMMAND",
    "program_name",
    "build_parser",
    "with_default_command",
    "main",
    "run_demo",
    "seed_network",
    "deep_network",
]

DEFAULT_COMMAND = "demo"

_OVERVIEW = """\
commands take their own options; see %(prog)s COMMAND --help.
With no command, demo runs, and its options may come without the word demo:
  %(prog)s --epochs 3000 --plots out/
"""


def program_name() -> str:
    """"purenn" when run as the console script, else "python3 -m purenn" (how to run it again,
    as help and error messages show it).

    >>> program_name()
    'python3 -m purenn'
    """
    script = os.path.splitext(os.path.basename(sys.argv[0] if sys.argv else ""))[0]
    return "purenn" if script == "purenn" else "python3 -m purenn"


def build_parser(prog: str | None = None) -> CommandParser:
    """The parser of the whole command line: one subparser per command.

    >>> args = build_parser().parse_args(["gradcheck", "--sweep"])
    >>> args.command, args.sweep
    ('gradcheck', True)
    """
    parser = CommandParser(
        prog=prog or program_name(),
        description="purenn: neural networks in pure Python, from the command line.",
        epilog=_OVERVIEW,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    # One line per command: its module adds its parser and names the function that runs it
    # (set_defaults(run=…)), which main calls.
    add_demo_command(commands)
    add_train_command(commands)
    add_predict_command(commands)
    add_evaluate_command(commands)
    add_export_command(commands)
    add_gradcheck_command(commands)
    add_playground_command(commands)
    return parser


def with_default_command(argv: list[str]) -> list[str]:
    """``argv`` with the demo's name put first when it names no command (it is empty or starts
    with an option other than --help).

    >>> with_default_command([]), with_default_command(["--epochs", "5"])
    (['demo'], ['demo', '--epochs', '5'])
    >>> with_default_command(["train", "moons"]), with_default_command(["--help"])
    (['train', 'moons'], ['--help'])
    """
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        return [DEFAULT_COMMAND, *argv]
    return argv


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit status.
    Errors a user can cause are one line on stderr (``purenn.cli.failures``); ``--help``
    prints and exits with SystemExit(0), as argparse does.

    >>> main(["gradcheck", "--plant-bug", "list"])  # doctest: +ELLIPSIS
    planted bugs (--plant-bug NAME):
    ...
    0
    """
    words = list(sys.argv[1:] if argv is None else argv)

    def command() -> int:
        parser = build_parser()
        args, extra = parser.parse_known_args(with_default_command(words))
        if extra:
            # The top-level parser would blame itself; the words belong to the command.
            raise UsageError(f"{args.command} has no option {' '.join(extra)} "
                             f"(see {parser.prog} {args.command} --help)")
        run: Runner = args.run  # each command's parser set it (set_defaults)
        return run(args)

    return run_guarded(command, sys.stderr)
