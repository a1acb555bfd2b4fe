"""Tabular data sets of our own making, shaped like the CSVs people have: features on very
different scales (a mass in grams beside a ratio in thousandths, an offset of thousands), a
header, a label column.  Each is drawn from its own ``random.Random(seed)``, so every interpreter
sees the same rows.

    blobs       3 classes, 8 features: Gaussian clusters in a standardised space, then each
                feature scaled by 10^U(−3, 4) and shifted by up to 10^4
    rings       2 classes, 6 features: inside or outside a sphere in the first three features
                (not linearly separable), three noise features; scaled as above
    ramp        regression, 6 features: y = a linear part + a sine of one feature + noise;
                scaled as above, the target around 150 ± 60 (as diabetes progression)
"""

import math
import random
from typing import List, NamedTuple, Tuple

import purenn as pn


class Case(NamedTuple):
    """A data set: header (features, then the target's name), rows of numbers, targets (class
    names or numbers), and the task."""

    name: str
    header: List[str]
    x: List[List[float]]
    y: list
    task: str


def _scales(rng: random.Random, n: int) -> List[Tuple[float, float]]:
    """(scale, shift) per feature: a scale 10^U(−3, 4) and a shift up to 10^4 in size."""
    return [(10.0 ** rng.uniform(-3.0, 4.0), rng.uniform(-1.0, 1.0) * 10.0 ** rng.uniform(0, 4))
            for _ in range(n)]


def _scaled(rng: random.Random, z: List[List[float]]) -> List[List[float]]:
    scales = _scales(rng, len(z[0]))
    return [[value * scale + shift for value, (scale, shift) in zip(row, scales)] for row in z]


def _normal(rng: random.Random) -> float:
    return pn.box_muller(rng, 1)[0]


def blobs(n: int = 300, seed: int = 0) -> Case:
    rng = random.Random(seed)
    centres = [[rng.uniform(-1.5, 1.5) for _ in range(8)] for _ in range(3)]
    labels = [i % 3 for i in range(n)]
    z = [[c + _normal(rng) for c in centres[label]] for label in labels]
    names = ["ash", "birch", "cedar"]
    header = [f"f{j}" for j in range(8)] + ["tree"]
    return Case("blobs", header, _scaled(rng, z), [names[label] for label in labels], "classify")


def rings(n: int = 300, seed: int = 0) -> Case:
    rng = random.Random(seed)
    z = [[_normal(rng) for _ in range(6)] for _ in range(n)]
    radius = math.sqrt(3.0 * (1.0 - 2.0 / 27.0) ** 3)  # the median of a χ with 3 degrees, ~1.54
    labels = ["outer" if math.sqrt(sum(v * v for v in row[:3])) > radius else "inner"
              for row in z]
    header = [f"m{j}" for j in range(6)] + ["ring"]
    return Case("rings", header, _scaled(rng, z), labels, "classify")


def ramp(n: int = 300, seed: int = 0) -> Case:
    rng = random.Random(seed)
    weights = [rng.uniform(-1.0, 1.0) for _ in range(6)]
    z = [[_normal(rng) for _ in range(6)] for _ in range(n)]
    y = [150.0 + 40.0 * (sum(w * v for w, v in zip(weights, row)) + math.sin(2.0 * row[0])
                           + 0.3 * _normal(rng)) for row in z]
    header = [f"s{j}" for j in range(6)] + ["price"]
    return Case("ramp", header, _scaled(rng, z), y, "regress")


CASES = {"blobs": blobs, "rings": rings, "ramp": ramp}


def write_csv(case: Case, path, rows=None, sep: str = ",") -> None:
    """The case as a CSV file with a header (``rows``: the indices to write, default all)."""
    indices = range(len(case.x)) if rows is None else rows
    lines = [sep.join(case.header)]
    for i in indices:
        lines.append(sep.join([*(repr(v) for v in case.x[i]), str(case.y[i])]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def split_rows(n: int, seed: int = 1) -> Tuple[List[int], List[int]]:
    """(training rows, test rows): a 75/25 split drawn once."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    cut = (3 * n) // 4
    return sorted(order[:cut]), sorted(order[cut:])
