"""The command line: ``python -m purenn`` trains the seed tutorial's network and shows it learn.

Options set the epochs, learning rate and seed; the output is a line of loss every few hundred
epochs, then a table of inputs, targets and final predictions.
"""

import argparse
import sys
from typing import List, Optional, Sequence, TextIO

from purenn.datasets import seed_data
from purenn.layers import Dense
from purenn.network import Network
from purenn.training import History

__all__ = ["build_parser", "seed_network", "run_demo", "main"]


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
    return parser


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


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of ``python -m purenn``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.epochs < 0:
        parser.error("--epochs must be ≥ 0")
    if args.every < 1:
        parser.error("--every must be ≥ 1")
    if not args.learning_rate >= 0:
        parser.error("--learning-rate must be ≥ 0")
    run_demo(args.epochs, args.learning_rate, args.seed, args.every, sys.stdout)
    return 0
