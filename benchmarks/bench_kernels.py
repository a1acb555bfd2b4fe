"""Benchmark the matrix kernels against the simpler ways of writing them, and training.

Run: ``python benchmarks/bench_kernels.py [--repeats N]``.  Every variant is timed in this one
process, interleaved, and reported as the median of N repeats plus its ratio to purenn's kernel,
so the ratios are comparable even on a noisy machine.  Nothing here is asserted: speed is
measured, never tested.
"""

import argparse
import math
import operator
import random
import statistics
import sys
import time
from itertools import repeat
from typing import Callable, Dict, List

from purenn import datasets, kernels
from purenn.cli import seed_network
from purenn.datasets import seed_data
from purenn.layers import Dense
from purenn.network import Network
from purenn.optimizers import SGD, Adam, Optimizer

Matrix = List[List[float]]


def matmul_index_loops(a: Matrix, b: Matrix) -> Matrix:
    """The textbook triple loop."""
    n, k, m = len(a), len(b), len(b[0])
    result = [[0.0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            total = 0.0
            for p in range(k):
                total += a[i][p] * b[p][j]
            result[i][j] = total
    return result


def matmul_sum_map(a: Matrix, b: Matrix) -> Matrix:
    """Transpose once, then sum(map(mul, row, column)): the pre-3.12 kernel."""
    columns = list(zip(*b))
    return [[sum(map(operator.mul, row, column)) for column in columns] for row in a]


def matmul_sumprod(a: Matrix, b: Matrix) -> Matrix:
    """Transpose once, then math.sumprod (3.12+)."""
    columns = list(zip(*b))
    return [list(map(math.sumprod, repeat(row), columns)) for row in a]  # type: ignore[attr-defined]


def random_matrix(rng: random.Random, rows: int, columns: int) -> Matrix:
    return [[rng.random() - 0.5 for _ in range(columns)] for _ in range(rows)]


def time_once(function: Callable[[], object], loops: int) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        function()
    return (time.perf_counter() - start) / loops


def bench(cases: Dict[str, Callable[[], object]], repeats: int, loops: int) -> Dict[str, float]:
    """Median seconds per call of each case, the cases interleaved within every repeat."""
    samples: Dict[str, List[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, function in cases.items():
            samples[name].append(time_once(function, loops))
    return {name: statistics.median(times) for name, times in samples.items()}


def report(title: str, medians: Dict[str, float], baseline: str) -> None:
    print(f"\n{title}  (ratio to {baseline})")
    for name, seconds in medians.items():
        ratio = seconds / medians[baseline]
        print(f"  {name:<28} {seconds * 1e3:10.3f} ms   {ratio:6.2f}×")


def matmul_cases(a: Matrix, b: Matrix) -> Dict[str, Callable[[], object]]:
    """The matmul variants to compare, each a call on the same A and B."""
    cases: Dict[str, Callable[[], object]] = {
        "purenn kernels.matmul": lambda: kernels.matmul(a, b),
        "index loops": lambda: matmul_index_loops(a, b),
        "sum(map(mul))": lambda: matmul_sum_map(a, b),
    }
    if hasattr(math, "sumprod"):
        cases["math.sumprod"] = lambda: matmul_sumprod(a, b)
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"{sys.implementation.name} {sys.version.split()[0]}, median of {args.repeats}")
    rng = random.Random(0)
    for n, k, m in ((64, 32, 32), (128, 64, 64)):
        cases = matmul_cases(random_matrix(rng, n, k), random_matrix(rng, k, m))
        report(f"matmul {n}×{k} · {k}×{m}", bench(cases, args.repeats, 5), "purenn kernels.matmul")
    x, y = seed_data()

    def train_seed() -> None:
        seed_network(1).fit(x, y, epochs=1500, learning_rate=1.0)

    report("seed demo: 1500 full-batch epochs", bench({"purenn fit": train_seed}, args.repeats, 1),
           "purenn fit")
    report("spirals: 10 epochs of a 2-32-32-3 relu net, 225 rows, batches of 32",
           bench(spiral_cases(), args.repeats, 1), "SGD")


def spiral_cases() -> Dict[str, Callable[[], object]]:
    """Ten training epochs on the spirals example's data, per optimizer."""
    x, labels = datasets.spirals(75, classes=3, seed=0)

    def train(optimizer: Callable[[], Optimizer]) -> Callable[[], object]:
        def run() -> None:
            network = Network(
                [Dense(2, 32, "relu", init="he_normal"), Dense(32, 32, "relu", init="he_normal"),
                 Dense(32, 3)], loss="cross_entropy", seed=0)
            network.fit(x, labels, epochs=10, batch_size=32, optimizer=optimizer())
        return run

    return {
        "SGD": train(lambda: SGD(lr=0.1)),
        "SGD with momentum": train(lambda: SGD(lr=0.1, momentum=0.9)),
        "Adam": train(lambda: Adam(lr=0.01)),
    }


if __name__ == "__main__":
    main()
