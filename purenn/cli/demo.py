"""``python3 -m purenn [demo]``: train the seed tutorial's network and watch it learn.

The 3-4-1 sigmoid network of the tutorial, no biases, weights from U[0, 1), trained by full-batch
gradient descent on the sum of squares over the four rows of the seed data.  It prints the loss
every few hundred epochs, the final loss, a table of inputs, targets and predictions, and the
loss of every epoch as one line of Unicode bars (a sparkline, log scale).  ``--plots DIR``
writes the loss curve and the trained network's diagram.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from purenn.cli.options import CommandParser, add_command, count, number
from purenn.cli.outputs import prepare_folder
from purenn.cli.plots import write_plots
from purenn.cli.seednets import seed_network
from purenn.datasets import seed_data
from purenn.progress import sparkline
from purenn.training import History

if TYPE_CHECKING:
    from typing import Sequence, TextIO

__all__ = ["add_demo_command", "run_demo", "run_demo_command"]

_EXAMPLE = """\
a worked example:
  %(prog)s --epochs 3000 --every 500 --plots out/
      trains twice as long as the tutorial, printing the loss every 500 epochs, then the
      predictions (close to the targets 0 1 1 0) and the loss as a sparkline; writes
      out/loss.svg and out/architecture.svg
  python3 -m purenn --epochs 3000
      the same: demo is the command when none is named
"""


def add_demo_command(commands: argparse._SubParsersAction[CommandParser]) -> CommandParser:
    """The ``demo`` command's parser and options.

    >>> parser = CommandParser(prog="purenn")
    >>> demo = add_demo_command(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["demo", "--epochs", "10"]).epochs
    10
    """
    demo = add_command(
        commands,
        "demo",
        "train the seed tutorial's 3-4-1 network (the default command)",
        "Train the seed tutorial's 3-4-1 sigmoid network on its four examples (target = XOR\n"
        "of the first two inputs) by gradient descent on the sum of squares, printing the loss\n"
        "as it falls, the final predictions and the loss as a sparkline.",
        _EXAMPLE,
    )
    demo.add_argument("--epochs", type=count(0), default=1500,
                      help="training epochs (default 1500)")
    demo.add_argument("--learning-rate", type=number(0.0), default=1.0, metavar="RATE",
                      help="gradient-descent step, a finite number ≥ 0 (default 1.0)")
    demo.add_argument("--seed", type=int, default=1, help="seed of the weights (default 1)")
    demo.add_argument("--every", type=count(1), default=250, metavar="N",
                      help="print the loss every N epochs (default 250)")
    demo.add_argument("--plots", metavar="DIR",
                      help="write loss.svg and architecture.svg into DIR (made if missing)")
    demo.set_defaults(run=run_demo_command)
    return demo


def _format_row(values: Sequence[float]) -> str:
    return "[" + ", ".join(f"{value:g}" for value in values) + "]"


def run_demo(
    epochs: int,
    learning_rate: float,
    seed: int,
    every: int,
    out: TextIO,
    plots: str | None = None,
) -> History:
    """Train the seed network, writing progress, the final table and the loss's sparkline to
    ``out``, and with ``plots`` (a folder) the loss curve and the architecture.

    >>> import io
    >>> out = io.StringIO()
    >>> history = run_demo(epochs=2, learning_rate=1.0, seed=1, every=1, out=out)
    >>> print(out.getvalue().splitlines()[-1])
    loss █▁ 1.332 → 1.079
    """
    if plots is not None:
        prepare_folder(plots)
    x, y = seed_data()
    network = seed_network(seed)
    print(f"purenn seed demo: {network}", file=out)
    print(f"training {epochs} epochs, learning rate {learning_rate:g}, seed {seed}", file=out)

    def report(epoch: int, history: History) -> None:
        if epoch % every == 0 or epoch == epochs:
            print(f"  epoch {epoch:>6}  loss {history.loss[-1]:.6f}", file=out)

    history = network.fit(x, y, epochs=epochs, learning_rate=learning_rate, callback=report)
    print(f"final loss {network.loss(x, y):.6f}\n", file=out)
    print(f"{'input':<17} {'target':>6} {'prediction':>10}", file=out)
    for inputs, target, prediction in zip(x, y, network.predict(x)):
        print(f"{_format_row(inputs):<17} {target[0]:>6g} {prediction[0]:>10.4f}", file=out)
    if history.loss:
        losses = history.loss
        print(f"\nloss {sparkline(losses, log=True)} {losses[0]:.4g} → {losses[-1]:.4g}", file=out)
    if plots is not None:
        for path in write_plots(plots, network, history):
            print(f"wrote {path}", file=out)
    return history


def run_demo_command(args: argparse.Namespace) -> int:
    """Run ``demo`` as ``args`` asks, writing to stdout; returns the exit status 0.

    >>> run_demo_command(argparse.Namespace(epochs=1, learning_rate=1.0, seed=1, every=1,
    ...                                     plots=None))  # doctest: +ELLIPSIS
    purenn seed demo: ...
    0
    """
    run_demo(args.epochs, args.learning_rate, args.seed, args.every, sys.stdout, args.plots)
    return 0
