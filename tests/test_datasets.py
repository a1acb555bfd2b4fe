"""Generated data sets: shapes, labels, geometry without noise, determinism, the split helper."""

import math
import random
from collections import Counter

import pytest

import purenn as pn
from purenn import datasets

# Geometry checks with noise=0 compare computed coordinates with exact circles: cos/sin and a
# few products are each correctly rounded to ~1 ulp, so radii agree to a few ε.
GEOMETRY_TOL = 1e-12

CLASSIFICATION = {
    "two_moons": lambda seed=0: datasets.two_moons(101, seed=seed),
    "circles": lambda seed=0: datasets.circles(101, seed=seed),
    "spirals": lambda seed=0: datasets.spirals(30, classes=4, seed=seed),
}


def test_xor():
    x, labels = datasets.xor()
    assert x == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert labels == [int(a) ^ int(b) for a, b in x]


def test_seed_data_is_xor_of_the_first_two_inputs():
    x, y = datasets.seed_data()
    assert [[float(int(a) ^ int(b))] for a, b, _ in x] == y


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
def test_classification_shapes_and_labels(name):
    x, labels = CLASSIFICATION[name]()
    assert len(x) == len(labels)
    assert {len(row) for row in x} == {2}
    assert all(isinstance(v, float) and math.isfinite(v) for row in x for v in row)
    assert all(isinstance(label, int) for label in labels)
    counts = Counter(labels)
    assert max(counts.values()) - min(counts.values()) <= 1  # balanced classes
    # Shuffled: the first half of the rows holds every class.
    assert set(labels[: len(labels) // 2]) == set(counts)
    assert pn.one_hot(labels) == pn.one_hot(labels, len(counts))


def test_class_counts():
    assert Counter(datasets.two_moons(101)[1]) == {0: 51, 1: 50}
    assert Counter(datasets.circles(10)[1]) == {0: 5, 1: 5}
    assert Counter(datasets.spirals(30, classes=4)[1]) == {0: 30, 1: 30, 2: 30, 3: 30}


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
def test_same_seed_same_data_other_seed_other_data(name):
    make = CLASSIFICATION[name]
    assert make(5) == make(5)
    assert make(5) != make(6)


def test_two_moons_without_noise_lie_on_their_half_circles():
    x, labels = datasets.two_moons(50, noise=0.0)
    for (a, b), label in zip(x, labels):
        if label == 0:  # upper half of the unit circle around (0, 0)
            assert math.hypot(a, b) == pytest.approx(1.0, abs=GEOMETRY_TOL)
            assert b >= -GEOMETRY_TOL
        else:  # lower half of the unit circle around (1, 0.5)
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0, abs=GEOMETRY_TOL)
            assert b <= 0.5 + GEOMETRY_TOL


def test_circles_without_noise_have_their_radii():
    x, labels = datasets.circles(40, noise=0.0, factor=0.3)
    for (a, b), label in zip(x, labels):
        radius = 1.0 if label == 0 else 0.3
        assert math.hypot(a, b) == pytest.approx(radius, abs=GEOMETRY_TOL)


def test_spirals_without_noise_follow_their_arms():
    n, k = 20, 3
    x, labels = datasets.spirals(n, classes=k, noise=0.0)
    radii = sorted(math.hypot(a, b) for a, b in x)
    # Each arm has the radii 1/n, 2/n, …, 1 once.
    expected = sorted((i + 1) / n for i in range(n) for _ in range(k))
    assert radii == pytest.approx(expected, abs=GEOMETRY_TOL)
    for (a, b), label in zip(x, labels):
        r = math.hypot(a, b)
        angle = 2 * math.pi * label / k + 4 * r
        assert (a, b) == pytest.approx((r * math.cos(angle), r * math.sin(angle)), abs=1e-12)


def test_noise_moves_points_by_about_the_noise_scale():
    clean, _ = datasets.circles(400, noise=0.0)
    noisy, _ = datasets.circles(400, noise=0.1)
    radii_clean = sorted(math.hypot(a, b) for a, b in clean)
    radii_noisy = sorted(math.hypot(a, b) for a, b in noisy)
    # Radial noise has std 0.1; the mean absolute change of a sorted radius stays well below
    # 0.1 but above 0 (sorting pairs radii up closely).
    change = sum(abs(p - q) for p, q in zip(radii_clean, radii_noisy)) / 400
    assert 0.0 < change < 0.1


def test_noisy_sine_draws_x_from_random_in_order():
    n = 50
    x, y = datasets.noisy_sine(n, noise=0.0, seed=11)
    rng = random.Random(11)
    # x = π(2u − 1) for the first n uniforms u of the generator: the documented draw order.
    assert [row[0] for row in x] == [math.pi * (2 * rng.random() - 1) for _ in range(n)]
    assert y == [[math.sin(row[0])] for row in x]
    assert all(-math.pi <= row[0] < math.pi for row in x)


def test_noisy_sine_noise_has_the_requested_scale():
    x, y = datasets.noisy_sine(4000, noise=0.2, seed=1)
    residuals = [t[0] - math.sin(row[0]) for row, t in zip(x, y)]
    rms = math.sqrt(sum(r * r for r in residuals) / len(residuals))
    assert rms == pytest.approx(0.2, rel=0.05)  # std error of an RMS of 4000 draws is ~1.1%


def test_train_test_split_sizes_disjointness_and_alignment():
    x = [[float(i), 0.0] for i in range(10)]
    labels = list(range(10))
    x_train, x_test, y_train, y_test = datasets.train_test_split(x, labels, 0.25, seed=3)
    assert (len(x_train), len(x_test)) == (7, 3)  # ⌈0.25·10⌉ = 3 test rows
    ids_train = [int(row[0]) for row in x_train]
    ids_test = [int(row[0]) for row in x_test]
    assert sorted(ids_train + ids_test) == labels
    assert (ids_train, ids_test) == (y_train, y_test)  # X and Y rows stay together
    assert datasets.train_test_split(x, labels, 0.25, seed=3) == (x_train, x_test, y_train, y_test)
    assert datasets.train_test_split(x, labels, 0.25, seed=4) != (x_train, x_test, y_train, y_test)


def test_train_test_split_with_matrix_targets():
    x, y = datasets.noisy_sine(20)
    x_train, x_test, y_train, y_test = datasets.train_test_split(x, y, 0.5)
    assert (len(x_train), len(x_test), len(y_train), len(y_test)) == (10, 10, 10, 10)
    pairs = {(row[0], t[0]) for row, t in zip(x, y)}
    assert {(row[0], t[0]) for row, t in zip(x_train + x_test, y_train + y_test)} == pairs


BAD_CALLS = [
    ("two_moons", lambda: datasets.two_moons(1), "n must be an int"),
    ("two_moons", lambda: datasets.two_moons(10, noise=-0.1), "noise"),
    ("two_moons", lambda: datasets.two_moons(10, seed="a"), "seed"),
    ("circles", lambda: datasets.circles(10, factor=1.0), "factor"),
    ("circles", lambda: datasets.circles(10.0), "n must be an int"),
    ("spirals", lambda: datasets.spirals(0), "n_per_class"),
    ("spirals", lambda: datasets.spirals(10, classes=1), "classes"),
    ("spirals", lambda: datasets.spirals(10, noise=float("nan")), "noise"),
    ("noisy_sine", lambda: datasets.noisy_sine(True), "n must be an int"),
    ("train_test_split", lambda: datasets.train_test_split([[1.0]] * 4, [0] * 4, 1.0), "test_"),
    ("train_test_split", lambda: datasets.train_test_split([[1.0]], [0], 0.5), "no training"),
]


@pytest.mark.parametrize(("where", "call", "message"), BAD_CALLS)
def test_bad_arguments_raise_configuration_error_naming_the_function(where, call, message):
    with pytest.raises(pn.ConfigurationError, match=message) as info:
        call()
    assert str(info.value).startswith(f"{where}:")


def test_train_test_split_shape_errors():
    with pytest.raises(pn.ShapeError, match="train_test_split: Y"):
        datasets.train_test_split([[1.0]] * 4, [0] * 3)
    with pytest.raises(pn.ShapeError, match="train_test_split: X"):
        datasets.train_test_split([[1.0], [2.0, 3.0]], [0, 1])


def test_datasets_is_reachable_from_the_package():
    assert pn.datasets is datasets
