"""Determinism record of one interpreter, compared across interpreters by compare_determinism.py.

Run under each interpreter CI offers (with purenn importable); writes one JSON file holding:

* ``exact``: what must be BIT-IDENTICAL on every interpreter, because it comes only from
  ``random.random()``, whose sequence Python promises to keep: a SHA-256 of the exact bits of
  the initial weights of a few architectures and seeds, the orders of
  ``purenn.training.shuffled_indices`` for a few seeds, and the dropout masks that
  ``purenn.layers.dropout.dropout_mask`` draws for a few seeds and rates.
* ``trained``: weights after fixed-seed training, as float.hex strings.  These may differ in the
  last bits between interpreters (CPython 3.12 made ``sum()`` of floats compensated and added
  ``math.sumprod``), so they are compared to a relative tolerance, not bit for bit.

It also checks, in process, that repeating a training run gives bit-identical weights, and exits
with status 1 (naming the run) if not.

Usage: python .ci/determinism.py --label NAME --out FILE.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import struct
import sys

from purenn.cli import seed_network
from purenn.datasets import seed_data
from purenn.layers import Dense
from purenn.layers.batchnorm import BatchNorm
from purenn.layers.dropout import Dropout, dropout_mask
from purenn.network import Network
from purenn.training import shuffled_indices

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see purenn/__init__.py
if TYPE_CHECKING:
    from typing import Callable, Sequence

    from purenn.kernels import Matrix
    from purenn.layers import Stored

INIT_SEEDS = (0, 1, 42, 2**40 + 3)
SHUFFLE_SEEDS = (0, 1, 12345)
SHUFFLE_SIZES = (1, 2, 3, 10, 100)
SHUFFLE_REPEATS = 3  # consecutive shuffles from one generator, as fit draws them epoch by epoch


def deep_network(seed: int) -> Network:
    """3-8-8-1: tanh, tanh, sigmoid, with biases, Xavier/Glorot uniform weights, SSE loss."""
    return Network(
        [
            Dense(3, 8, activation="tanh"),
            Dense(8, 8, activation="tanh"),
            Dense(8, 1, activation="sigmoid"),
        ],
        loss="sse",
        seed=seed,
    )


def wide_network(seed: int) -> Network:
    """10-16-3 with the default (Xavier/Glorot uniform) initialisation and biases."""
    return Network([Dense(10, 16, activation="tanh"), Dense(16, 3)], loss="sse", seed=seed)


ARCHITECTURES: dict[str, Callable[[int], Network]] = {
    "seed 3-4-1 uniform": seed_network,
    "3-8-8-1 xavier": deep_network,
    "10-16-3 xavier": wide_network,
}


def parity_data() -> tuple[Matrix, Matrix]:
    """All 8 points of {0, 1}³ with target the parity (XOR of the three bits)."""
    x = [[float(a), float(b), float(c)] for a in (0, 1) for b in (0, 1) for c in (0, 1)]
    y = [[float(int(row[0]) ^ int(row[1]) ^ int(row[2]))] for row in x]
    return x, y


def weights_of(network: Network) -> list[tuple[str, Matrix]]:
    """(name, value) of every parameter, then of every buffer (BatchNorm's running
    statistics), in the network's fixed order."""
    held: list[Stored] = [*network.parameters(), *network.buffers()]
    return [(item.name, item.value) for item in held]


def bits_hash(named: Sequence[tuple[str, Matrix]]) -> str:
    """SHA-256 over names, shapes and the exact IEEE-754 bits (little-endian) of every value."""
    digest = hashlib.sha256()
    for name, matrix in named:
        digest.update(f"{name}:{len(matrix)}x{len(matrix[0])};".encode())
        for row in matrix:
            digest.update(struct.pack(f"<{len(row)}d", *row))
    return digest.hexdigest()


def initial_weight_hashes() -> dict[str, str]:
    """Hash of the initial weights of every architecture for every seed."""
    return {
        f"{name} seed={seed}": bits_hash(weights_of(build(seed)))
        for name, build in ARCHITECTURES.items()
        for seed in INIT_SEEDS
    }


def shuffle_orders() -> dict[str, list[list[int]]]:
    """SHUFFLE_REPEATS consecutive shuffled_indices(n) from random.Random(seed), per seed and n."""
    orders = {}
    for seed in SHUFFLE_SEEDS:
        for n in SHUFFLE_SIZES:
            rng = random.Random(seed)
            orders[f"seed={seed} n={n}"] = [
                shuffled_indices(n, rng) for _ in range(SHUFFLE_REPEATS)
            ]
    return orders


MASK_SEEDS = (0, 1, 12345)
MASK_RATES = (0.1, 0.5, 0.9)


def dropout_masks() -> dict[str, list[str]]:
    """Three consecutive 4 × 6 masks from random.Random(seed) per seed and rate, each written
    as its rows of kept (1) and dropped (0) entries."""
    masks = {}
    for seed in MASK_SEEDS:
        for rate in MASK_RATES:
            rng = random.Random(seed)
            masks[f"seed={seed} rate={rate}"] = [
                "/".join("".join("1" if value else "0" for value in row) for row in mask)
                for mask in (dropout_mask(rng, 4, 6, rate) for _ in range(3))
            ]
    return masks


def train_seed_example() -> Network:
    """The seed tutorial: 3-4-1 sigmoid, seed 1, 1500 full-batch epochs at learning rate 1."""
    x, y = seed_data()
    network = seed_network(1)
    network.fit(x, y, epochs=1500, learning_rate=1.0)
    return network


def train_deep_minibatch() -> Network:
    """3-8-8-1 on 3-bit parity, seed 7, shuffled mini-batches of 2, 200 epochs at rate 0.1."""
    x, y = parity_data()
    network = deep_network(7)
    network.fit(x, y, epochs=200, learning_rate=0.1, batch_size=2, shuffle=True)
    return network


def train_normalised_dropout() -> Network:
    """3-8(BatchNorm, tanh)-Dropout(0.25)-1 on 3-bit parity, seed 3, shuffled mini-batches of
    4, 50 epochs at rate 0.1: masks and running statistics in a training run."""
    x, y = parity_data()
    network = Network(
        [Dense(3, 8, bias=False), BatchNorm(8, "tanh"), Dropout(0.25),
         Dense(8, 1, activation="sigmoid")],
        loss="sse",
        seed=3,
    )
    network.fit(x, y, epochs=50, learning_rate=0.1, batch_size=4, shuffle=True)
    return network


TRAINING_RUNS: dict[str, Callable[[], Network]] = {
    "seed example, 1500 epochs": train_seed_example,
    "3-8-8-1 parity, batch 2, 200 epochs": train_deep_minibatch,
    "3-8-1 BatchNorm and Dropout, batch 4, 50 epochs": train_normalised_dropout,
}


def as_hex(named: Sequence[tuple[str, Matrix]]) -> dict[str, list[list[str]]]:
    """Every value as float.hex(), which round-trips the exact bits through JSON."""
    return {name: [[float.hex(value) for value in row] for row in matrix] for name, matrix in named}


def trained_weights() -> tuple[dict[str, dict[str, list[list[str]]]], list[str]]:
    """Weights after each training run, and the runs whose in-process repeat was not identical."""
    results = {}
    unrepeatable = []
    for name, train in TRAINING_RUNS.items():
        first, second = weights_of(train()), weights_of(train())
        if bits_hash(first) != bits_hash(second):
            unrepeatable.append(name)
        results[name] = as_hex(first)
    return results, unrepeatable


def interpreter_description() -> str:
    """E.g. 'CPython 3.11.7' or 'PyPy 3.9.16 (PyPy 7.3.11)'."""
    description = f"{platform.python_implementation()} {platform.python_version()}"
    pypy = getattr(sys, "pypy_version_info", None)
    if pypy is not None:
        description += " (PyPy {}.{}.{})".format(*pypy[:3])
    return description


def main() -> int:
    """Write the record; exit 1 if a run did not repeat bit for bit in this process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="name of this interpreter in reports")
    parser.add_argument("--out", required=True, help="JSON file to write")
    args = parser.parse_args()

    trained, unrepeatable = trained_weights()
    record = {
        "label": args.label,
        "interpreter": interpreter_description(),
        "fast_dot": sys.version_info >= (3, 12),
        "exact": {"initial weights": initial_weight_hashes(), "shuffles": shuffle_orders(),
                  "dropout masks": dropout_masks()},
        "trained": trained,
        "unrepeatable": unrepeatable,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=1, sort_keys=True)
    print(f"determinism record of {args.label} ({record['interpreter']}) written to {args.out}")
    if unrepeatable:
        print(
            f"DETERMINISM FAILURE on {args.label}: repeating these fixed-seed training runs in one "
            f"process did not give bit-identical weights: {', '.join(unrepeatable)}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
