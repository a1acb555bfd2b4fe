"""The command line: ``python -m purenn`` trains the seed tutorial's network and shows it learn.

Options set the epochs, learning rate and seed; the output is a line of loss every few hundred
epochs, then a table of inputs, targets and final predictions.

``python -m purenn gradcheck`` prints gradient-check tables for the seed network and a deeper
one; ``--sweep`` prints the error of each numerical derivative against its step size (the
U-curve of finite differences); ``--plant-bug NAME`` plants a classic backprop bug into the
deeper network and prints the check failing (``--plant-bug list`` names the bugs).
"""

import argparse
import sys
from typing import List, Optional, Sequence, TextIO

from purenn.datasets import seed_data
from purenn.gradcheck import (
    METHODS,
    PLANTED_BUGS,
    format_planted_bugs,
    format_sweep,
    gradcheck,
    plant_bug,
    step_sweep,
)
from purenn.layers import Dense
from purenn.network import Network
from purenn.training import History

__all__ = [
    "build_parser",
    "seed_network",
    "deep_network",
    "run_demo",
    "add_gradcheck_command",
    "run_gradcheck",
    "run_sweep",
    "run_planted_bug",
    "run_gradcheck_command",
    "main",
]


def seed_network(seed: int) -> Network:
    """The tutorial's 3-4-1 network: sigmoid layers, no biases, weights from U[0, 1), SSE loss."""
    return Network(
        [
            Dense(3, 4, activation="sigmoid", bias=False, init="uniform"),
            Dense(4, 1, activation="sigmoid", bias=False, init="uniform"),
        ],
        loss="sse",
        seed=seed,
    )


def deep_network(seed: int) -> Network:
    """A deeper net on the seed data: 3-5-4-1, tanh, sigmoid, identity output, biases, SSE.

    Its biases are set to small distinct values so that every bias gradient is exercised away
    from the all-zero start.
    """
    network = Network(
        [
            Dense(3, 5, activation="tanh"),
            Dense(5, 4, activation="sigmoid"),
            Dense(4, 1, activation="identity"),
        ],
        loss="sse",
        seed=seed,
    )
    for layer_index, layer in enumerate(network.layers):
        if isinstance(layer, Dense) and layer.bias is not None:
            row = layer.bias.value[0]
            row[:] = [0.1 * (layer_index + 1) - 0.05 * j for j in range(len(row))]
    return network


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m purenn``."""
    parser = argparse.ArgumentParser(
        prog="python -m purenn",
        description=(
            "Train the seed tutorial's 3-4-1 sigmoid network on its four examples "
            "(target = XOR of the first two inputs) by gradient descent on the sum of squares, "
            "printing the loss as it falls and the final predictions."
        ),
    )
    parser.add_argument("--epochs", type=int, default=1500, help="training epochs (default 1500)")
    parser.add_argument(
        "--learning-rate", type=float, default=1.0, help="gradient-descent step (default 1.0)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the weights (default 1)")
    parser.add_argument(
        "--every", type=int, default=250, help="print the loss every N epochs (default 250)"
    )
    commands = parser.add_subparsers(dest="command", title="commands")
    add_gradcheck_command(commands)
    return parser


_GRADCHECK_EXAMPLE = """\
a worked example, for a class:
  python -m purenn gradcheck
      every entry of both networks passes: verdicts "excellent", exit status 0
  python -m purenn gradcheck --plant-bug list
      the bugs that can be planted, and what each gets wrong
  python -m purenn gradcheck --plant-bug missing_factor_2
      the same check of the deeper network with the loss gradient halved: FAILED, every
      parameter's row says "wrong" and "NO", and the worst entry's analytic value is half
      its numeric one; exit status 1
  python -m purenn gradcheck --plant-bug sign_flip --method complex
      the complex step catches a planted bug as well
  python -m purenn gradcheck --sweep
      why central differences step by 6e-6: their error against the step size

"""

_PLANTED_HEADING = "planted bugs (--plant-bug NAME):"


def add_gradcheck_command(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """The ``gradcheck`` command's parser, with a worked example and the plantable bugs."""
    check = commands.add_parser(
        "gradcheck",
        help="check backprop against numerical derivatives",
        description=(
            "Check backpropagation against numerical derivatives of the loss, entry by entry,\n"
            "for the seed network and a deeper 3-5-4-1 tanh/sigmoid network with biases."
        ),
        epilog=f"{_GRADCHECK_EXAMPLE}{_PLANTED_HEADING}\n{format_planted_bugs()}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "--method", choices=METHODS, default="central", help="numerical method (default central)"
    )
    check.add_argument(
        "--seed", type=int, default=1, dest="check_seed", help="seed of the weights (default 1)"
    )
    instead = check.add_mutually_exclusive_group()
    instead.add_argument(
        "--sweep",
        action="store_true",
        help="print the error of every method against the step size instead (the U-curve)",
    )
    instead.add_argument(
        "--plant-bug",
        choices=[*PLANTED_BUGS, "list"],
        metavar="NAME",
        help="plant the bug NAME into the deeper network and show the check fail (exit "
        "status 1); 'list' lists the bugs (also below)",
    )


def _format_row(values: Sequence[float]) -> str:
    return "[" + ", ".join(f"{value:g}" for value in values) + "]"


def run_demo(epochs: int, learning_rate: float, seed: int, every: int, out: TextIO) -> History:
    """Train the seed network, writing progress and the final table to ``out``."""
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
    return history


def run_gradcheck(method: str, seed: int, out: TextIO) -> bool:
    """Print the gradcheck table of the seed network and of ``deep_network``; True if both pass."""
    x, y = seed_data()
    passed = True
    for title, network in (("seed", seed_network(seed)), ("deeper", deep_network(seed))):
        result = gradcheck(network, x, y, method)
        print(f"{title} network: {network}\n{result}\n", file=out)
        passed = passed and result.ok
    return passed


def run_sweep(seed: int, out: TextIO) -> None:
    """Print the step sweep of every method on the seed network."""
    x, y = seed_data()
    network = seed_network(seed)
    print(
        f"max |backprop − numerical| over every weight of the seed network\n{network}\n"
        "against the step h (every |θ| < 1 here, so h is the step taken).  The difference\n"
        "methods fall, then rise again: truncation ∝ hᵖ against round-off ∝ ε/h.  The complex\n"
        "step subtracts nothing, so it has no round-off term and keeps falling to ~1e-16.\n",
        file=out,
    )
    print(format_sweep(step_sweep(network, x, y)), file=out)


def run_planted_bug(name: str, method: str, seed: int, out: TextIO) -> bool:
    """Plant the bug ``name`` into ``deep_network``, then print which bug, where, and the
    check's table; True if the check passed (it should not)."""
    x, y = seed_data()
    network = deep_network(seed)
    place = plant_bug(network, name)
    print(f"planted bug {name!r} in {place}:\n  {PLANTED_BUGS[name].description}\n", file=out)
    result = gradcheck(network, x, y, method)
    caught = "the check caught the planted bug" if not result.ok else "the bug went unnoticed"
    print(f"deeper network: {network}\n{result}\n\n{caught}", file=out)
    return result.ok


def run_gradcheck_command(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``python -m purenn gradcheck`` as ``args`` asks; returns the exit status (1 when a
    check failed)."""
    if args.sweep:
        run_sweep(args.check_seed, out)
        return 0
    if args.plant_bug == "list":
        print(f"{_PLANTED_HEADING}\n{format_planted_bugs()}", file=out)
        return 0
    if args.plant_bug is not None:
        return 0 if run_planted_bug(args.plant_bug, args.method, args.check_seed, out) else 1
    return 0 if run_gradcheck(args.method, args.check_seed, out) else 1


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of ``python -m purenn``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "gradcheck":
        return run_gradcheck_command(args, sys.stdout)
    if args.epochs < 0:
        parser.error("--epochs must be ≥ 0")
    if args.every < 1:
        parser.error("--every must be ≥ 1")
    if not args.learning_rate >= 0:
        parser.error("--learning-rate must be ≥ 0")
    run_demo(args.epochs, args.learning_rate, args.seed, args.every, sys.stdout)
    return 0
