"""Small data sets: generated in code, and one real set shipped with the package; nothing is
ever downloaded.

``digits`` is real: the UCI handwritten digits (8 × 8 images, 1797 of them), read from
``purenn/data/digits.gz`` (CC BY 4.0; its header says where it comes from and how it is laid
out).  ``bars`` draws tiny images in code, for convolution tests that must run in a blink.

``seed_data`` is the tutorial's: three inputs (the third always 1, standing in for a bias) whose
target is the XOR of the first two.

The classification sets (``xor``, ``two_moons``, ``circles``, ``spirals``, ``digits``, ``bars``)
return ``(X, labels)``: X is a list of rows ([x, y] for the points, C·H·W pixels for images)
and ``labels`` a list of class indices (ints 0..k−1), which the "cross_entropy" loss takes as
they are; ``purenn.one_hot(labels)`` gives one-hot rows, and ``[[float(label)] for label in
labels]`` a column for one sigmoid output (the "bce" loss also takes 0/1 labels directly).
``noisy_sine`` is a regression set and returns ``(X, Y)`` matrices.

Each generator makes its own ``random.Random(seed)`` and draws from its ``random()`` only (normal
noise by ``purenn.initializers.box_muller``), so a seed gives the same data on every interpreter.
Samples of every class are generated in blocks, then shuffled with the same generator
(Fisher–Yates), so any slice of the rows holds a mix of classes.
"""

from __future__ import annotations

import gzip
import math
import pathlib
import random
from typing import TYPE_CHECKING

from purenn.arguments import check_entries, check_int, check_real, check_seed, shown
from purenn.errors import ConfigurationError, ShapeError
from purenn.initializers import box_muller
from purenn.matrix import check_matrix
from purenn.training import shuffled_indices, take_rows

if TYPE_CHECKING:
    from typing import Any, List, Sequence, Tuple, TypeVar

    from purenn.kernels import Matrix

    T = TypeVar("T")
    Labelled = Tuple[Matrix, List[int]]

__all__ = [
    "seed_data",
    "xor",
    "two_moons",
    "circles",
    "spirals",
    "noisy_sine",
    "DIGITS_SHAPE",
    "digits",
    "bars",
    "train_test_split",
]


def _check_noise(value: Any, where: str) -> float:
    return check_real(value, "noise", where, low=0.0)


def _shuffle(x: Matrix, labels: list[int], rng: random.Random) -> Labelled:
    order = shuffled_indices(len(x), rng)
    return take_rows(x, order), [labels[i] for i in order]


def _add_noise(points: Matrix, noise: float, rng: random.Random, where: str) -> Matrix:
    """Each coordinate plus noise·N(0, 1), the normals drawn row by row."""
    draws = box_muller(rng, 2 * len(points))
    noisy = [
        [x + noise * draws[2 * i], y + noise * draws[2 * i + 1]]
        for i, (x, y) in enumerate(points)
    ]
    return _finite(noisy, noise, where)


def _finite(points: Matrix, noise: float, where: str) -> Matrix:
    """``points`` when every value is finite, else ConfigurationError: only a huge noise (finite
    itself, e.g. 1e308) can make a generated value overflow."""
    if not all(math.isfinite(value) for row in points for value in row):
        raise _overflowing(noise, where)
    return points


def _overflowing(noise: float, where: str) -> ConfigurationError:
    return ConfigurationError(f"{where}: noise {noise!r} is so large that points overflow")


def seed_data() -> tuple[Matrix, Matrix]:
    """(X, Y) of the seed tutorial: X = [[0,0,1],[0,1,1],[1,0,1],[1,1,1]], Y = [[0],[1],[1],[0]].

    >>> X, Y = seed_data()
    >>> len(X), len(X[0]), Y
    (4, 3, [[0.0], [1.0], [1.0], [0.0]])
    """
    x = [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]
    y = [[0.0], [1.0], [1.0], [0.0]]
    return x, y


def xor() -> Labelled:
    """The four points of XOR: X = [[0,0],[0,1],[1,0],[1,1]] (4 × 2), labels [0, 1, 1, 0].

    >>> xor()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    x = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    return x, [0, 1, 1, 0]


def two_moons(n: int = 200, noise: float = 0.1, seed: int | None = 0) -> Labelled:
    """Two interleaving half circles, as scikit-learn's make_moons: (X n × 2, n labels).

    Class 0 (⌈n/2⌉ points): (cos t, sin t); class 1 (⌊n/2⌋ points): (1 − cos t, 0.5 − sin t);
    t evenly spaced over [0, π] in each class.  Then noise·N(0, 1) is added to each coordinate
    and the rows are shuffled.  Draw order: the noise (row by row), then the shuffle.

    >>> X, labels = two_moons(6)
    >>> len(X), len(X[0]), sorted(labels)
    (6, 2, [0, 0, 0, 1, 1, 1])
    """
    check_entries(2 * check_int(n, "n", "two_moons", 2), f"{shown(n)} points", "two_moons")
    scale = _check_noise(noise, "two_moons")
    rng = random.Random(check_seed(seed, "two_moons"))
    outer, inner = n - n // 2, n // 2
    points: Matrix = []
    for i in range(outer):
        t = math.pi * i / max(outer - 1, 1)
        points.append([math.cos(t), math.sin(t)])
    for i in range(inner):
        t = math.pi * i / max(inner - 1, 1)
        points.append([1.0 - math.cos(t), 0.5 - math.sin(t)])
    labels = [0] * outer + [1] * inner
    return _shuffle(_add_noise(points, scale, rng, "two_moons"), labels, rng)


def circles(
    n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int | None = 0
) -> Labelled:
    """Two concentric circles, as scikit-learn's make_circles: (X n × 2, n labels).

    Class 0 (⌈n/2⌉ points) on the unit circle, class 1 (⌊n/2⌋ points) on the circle of radius
    ``factor`` (0 < factor < 1), angles evenly spaced over [0, 2π); then noise·N(0, 1) on each
    coordinate and a shuffle.  Draw order: the noise (row by row), then the shuffle.

    >>> X, labels = circles(4, noise=0.0)
    >>> len(X), sorted(labels)
    (4, [0, 0, 1, 1])
    """
    check_entries(2 * check_int(n, "n", "circles", 2), f"{shown(n)} points", "circles")
    scale = _check_noise(noise, "circles")
    check_real(factor, "factor", "circles", low=0.0, high=1.0, include_low=False)
    rng = random.Random(check_seed(seed, "circles"))
    outer, inner = n - n // 2, n // 2
    points: Matrix = []
    for count, radius in ((outer, 1.0), (inner, float(factor))):
        for i in range(count):
            angle = 2.0 * math.pi * i / count
            points.append([radius * math.cos(angle), radius * math.sin(angle)])
    labels = [0] * outer + [1] * inner
    return _shuffle(_add_noise(points, scale, rng, "circles"), labels, rng)


def spirals(
    n_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: int | None = 0
) -> Labelled:
    """k interleaved spiral arms, one class each: (X (k·n_per_class) × 2, labels).

    Point i of arm c (i = 0..N−1, N = n_per_class) has radius r = (i + 1)/N and angle
    θ = 2πc/k + 4r + noise·N(0, 1) (noise in radians, so it displaces outer points more), and
    sits at (r cos θ, r sin θ).  Each arm turns through 4 radians.  Every class has exactly N
    points.  Draw order: the angle noise (arm by arm, point by point), then the shuffle.

    >>> X, labels = spirals(2, classes=3)
    >>> len(X), sorted(labels)
    (6, [0, 0, 1, 1, 2, 2])
    """
    count = check_int(n_per_class, "n_per_class", "spirals", 1)
    k = check_int(classes, "classes", "spirals", 2)
    check_entries(2 * count * k, f"{shown(k)} spirals of {shown(count)} points", "spirals")
    scale = _check_noise(noise, "spirals")
    rng = random.Random(check_seed(seed, "spirals"))
    draws = box_muller(rng, k * count)
    points: Matrix = []
    labels: list[int] = []
    for arm in range(k):
        for i in range(count):
            radius = (i + 1) / count
            angle = 2.0 * math.pi * arm / k + 4.0 * radius + scale * draws[arm * count + i]
            if not math.isfinite(angle):  # cos(inf) is a math domain error
                raise _overflowing(scale, "spirals")
            points.append([radius * math.cos(angle), radius * math.sin(angle)])
            labels.append(arm)
    return _shuffle(points, labels, rng)


def noisy_sine(n: int = 100, noise: float = 0.1, seed: int | None = 0) -> tuple[Matrix, Matrix]:
    """Regression data: x ~ U[−π, π), y = sin x + noise·N(0, 1); returns (X n × 1, Y n × 1).

    Draw order: the n values of x, then the n noise draws.

    >>> X, Y = noisy_sine(3, noise=0.0)
    >>> [round(y, 12) for (y,) in Y] == [round(math.sin(x), 12) for (x,) in X]
    True
    """
    check_entries(check_int(n, "n", "noisy_sine", 1), f"{shown(n)} points", "noisy_sine")
    scale = _check_noise(noise, "noisy_sine")
    rng = random.Random(check_seed(seed, "noisy_sine"))
    xs = [math.pi * (2.0 * rng.random() - 1.0) for _ in range(n)]
    draws = box_muller(rng, n)
    targets = [[math.sin(x) + scale * e] for x, e in zip(xs, draws)]
    return [[x] for x in xs], _finite(targets, scale, "noisy_sine")


DIGITS_FILE = pathlib.Path(__file__).resolve().parent / "data" / "digits.gz"
DIGITS_SHAPE = (1, 8, 8)
"""The shape of one digits image: 1 channel, 8 rows, 8 columns."""
_DIGITS_RECORD = 65  # bytes per image: 64 pixels, then the label


def digits() -> Labelled:
    """The real handwritten digits: (X 1797 × 64, labels 0..9), pixels scaled to [0, 1].

    The test set of the UCI "Optical Recognition of Handwritten Digits" data (E. Alpaydin and
    C. Kaynak, 1998; CC BY 4.0), the same images scikit-learn ships as ``load_digits``.  Each
    pixel of an 8 × 8 image counts the set pixels of a 4 × 4 block of a 32 × 32 bitmap, 0..16;
    X holds pixel/16, row by row, so each row is an image of shape DIGITS_SHAPE = (1, 8, 8).
    Rows come in the file's order, the classes mixed (174 to 183 images of each digit).  The
    file is gzip'd: a text header, an empty line, then 65 bytes per image (64 pixels and the
    label); it is read with the standard library only.

    >>> X, labels = digits()
    >>> len(X), len(X[0]), labels[:10]
    (1797, 64, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """
    data = gzip.decompress(DIGITS_FILE.read_bytes())
    records = data[data.index(b"\n\n") + 2:]
    starts = range(0, len(records), _DIGITS_RECORD)
    x = [[pixel / 16.0 for pixel in records[start:start + 64]] for start in starts]
    labels = [records[start + 64] for start in starts]
    return x, labels


def bars(n: int = 100, size: int = 6, noise: float = 0.1, seed: int | None = 0) -> Labelled:
    """Tiny images of one line each: (X n × size², labels), label 0 for a horizontal line and
    1 for a vertical one; each row is an image of shape (1, size, size).

    Image k (class k mod 2, so the classes alternate) has its line, of pixels 1, at a row (or
    column) drawn uniformly from 0..size−1, every other pixel 0, and then noise·N(0, 1) on
    every pixel.  Draw order: per image, the line's position, then its size² noise draws.

    >>> X, labels = bars(4, size=3, noise=0.0)
    >>> labels
    [0, 1, 0, 1]
    >>> X[0]                                        # a horizontal line in the last row
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    >>> X[1]                                        # a vertical line in the middle column
    [0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0]
    """
    count = check_int(n, "n", "bars", 2)
    side = check_int(size, "size", "bars", 2)
    check_entries(count * side * side, f"{shown(count)} images of side {shown(side)}", "bars")
    scale = _check_noise(noise, "bars")
    rng = random.Random(check_seed(seed, "bars"))
    x: Matrix = []
    for k in range(count):
        line = int(rng.random() * side)
        draws = box_muller(rng, side * side)
        x.append([
            (1.0 if (i if k % 2 == 0 else j) == line else 0.0) + scale * draws[i * side + j]
            for i in range(side)
            for j in range(side)
        ])
    return _finite(x, scale, "bars"), [k % 2 for k in range(count)]


def train_test_split(
    x: Matrix, y: Sequence[T], test_fraction: float = 0.25, seed: int | None = 0
) -> tuple[Matrix, Matrix, list[T], list[T]]:
    """(X_train, X_test, Y_train, Y_test): a random split of the rows of X and Y together.

    Y is a matrix or a list of labels, one entry per row of X.  The test set has
    ⌈test_fraction · n⌉ rows (at least 1, and at least one row is left for training).  The rows
    are permuted by Fisher–Yates from ``random.Random(seed).random()``; the first rows of the
    permutation form the test set, the rest the training set, each in permuted order.  Rows
    are shared with X and Y, not copied.

    >>> train_test_split([[1.0], [2.0], [3.0], [4.0]], [1, 2, 3, 4], 0.25)
    ([[1.0], [3.0], [4.0]], [[2.0]], [1, 3, 4], [2])
    """
    rows, _ = check_matrix(x, "train_test_split", "X")
    if not isinstance(y, (list, tuple)) or len(y) != rows:
        length = len(y) if isinstance(y, (list, tuple)) else type(y).__name__
        raise ShapeError(
            f"train_test_split: Y must be a list with one entry per row of X ({rows}), "
            f"got {length}"
        )
    check_real(
        test_fraction, "test_fraction", "train_test_split", low=0.0, high=1.0, include_low=False
    )
    n_test = math.ceil(test_fraction * rows)
    if rows < 2 or n_test >= rows:
        raise ConfigurationError(
            f"train_test_split: test_fraction={shown(test_fraction)} of {rows} rows leaves no "
            "training rows"
        )
    order = shuffled_indices(rows, random.Random(check_seed(seed, "train_test_split")))
    test, train = order[:n_test], order[n_test:]
    return take_rows(x, train), take_rows(x, test), [y[i] for i in train], [y[i] for i in test]
