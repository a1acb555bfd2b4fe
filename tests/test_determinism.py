"""Determinism: what a seed fixes, checked bit for bit inside one process.

All randomness in purenn comes from ``random.random()`` of a network's own ``random.Random(seed)``:
the initial weights and the shuffling order.  Python promises that sequence across versions, so
these tests pin the *mechanism* (only ``random()`` is drawn, in a stated order) and CI's
.ci/determinism.py compares the resulting bits across interpreters.  Training repeated in one
process must give bit-identical weights: nothing may depend on the global random state, hash
order or time.
"""

import math
import random
import struct
from typing import Callable, Dict, List

import pytest
from hypothesis import given
from hypothesis import strategies as st

import purenn as pn
from purenn.cli import seed_network
from purenn.datasets import seed_data
from purenn.initializers import INITIALIZERS
from purenn.training import shuffled_indices

Matrix = List[List[float]]

# Glorot's formula −a + 2a·u evaluated here and inside the initializer may round differently in
# the last place (the order of the two operations is an implementation detail); four units in
# the last place of numbers ≤ 1 is below 1e-15.
XAVIER_FORMULA_TOL = 1e-15

SEEDS = st.integers(min_value=0, max_value=2**64)


class RecordingRandom(random.Random):
    """A random.Random that records every random() draw and forbids every other primitive.

    ``getrandbits`` is what ``randrange``, ``shuffle``, ``choice`` and ``randbytes`` use; a draw
    from it would tie results to an implementation detail Python does not promise to keep.
    """

    def __init__(self, seed: int) -> None:
        self.draws: List[float] = []
        super().__init__(seed)

    def random(self) -> float:
        value = super().random()
        self.draws.append(value)
        return value

    def getrandbits(self, k: int) -> int:
        raise AssertionError(f"getrandbits({k}) drawn: only random() may be used")


def deep_network(seed: int) -> pn.Network:
    return pn.Network(
        [
            pn.Dense(3, 8, activation="tanh"),
            pn.Dense(8, 8, activation="tanh"),
            pn.Dense(8, 1, activation="sigmoid"),
        ],
        seed=seed,
    )


ARCHITECTURES: Dict[str, Callable[[int], pn.Network]] = {
    "seed 3-4-1 uniform, no bias": seed_network,
    "3-8-8-1 xavier with bias": deep_network,
}


def parity_data() -> List[Matrix]:
    x = [[float(a), float(b), float(c)] for a in (0, 1) for b in (0, 1) for c in (0, 1)]
    y = [[float((a + b + c) % 2)] for a, b, c in x]
    return [x, y]


def bits(network: pn.Network) -> List[bytes]:
    """The exact IEEE-754 bits of every parameter value, one bytes object per row."""
    return [
        struct.pack(f"<{len(row)}d", *row)
        for parameter in network.parameters()
        for row in parameter.value
    ]


def flat(matrix: Matrix) -> List[float]:
    return [value for row in matrix for value in row]


# -- initial weights ------------------------------------------------------------------------------


@pytest.mark.parametrize("build", ARCHITECTURES.values(), ids=list(ARCHITECTURES))
@given(seed=SEEDS)
def test_same_seed_gives_bit_identical_initial_weights(
    build: Callable[[int], pn.Network], seed: int
) -> None:
    assert bits(build(seed)) == bits(build(seed))


@pytest.mark.parametrize("build", ARCHITECTURES.values(), ids=list(ARCHITECTURES))
def test_different_seeds_give_different_initial_weights(
    build: Callable[[int], pn.Network],
) -> None:
    # Negative control: if this failed, the comparison above could be vacuous.
    assert bits(build(1)) != bits(build(2))


@given(seed=SEEDS)
def test_seed_network_weights_are_the_generators_random_draws_in_order(seed: int) -> None:
    # U[0, 1) is random() itself: layer by layer, row by row, from random.Random(seed).
    network = seed_network(seed)
    replay = random.Random(seed)
    expected = [replay.random() for _ in range(3 * 4 + 4 * 1)]
    drawn = [value for parameter in network.parameters() for value in flat(parameter.value)]
    assert drawn == expected


def test_uniform_dense_weights_are_exactly_the_random_draws() -> None:
    layer = pn.Dense(5, 3, init="uniform")
    rng = RecordingRandom(11)
    layer.initialize(rng)
    assert flat(layer.weights.value) == rng.draws
    assert layer.bias is not None and flat(layer.bias.value) == [0.0] * 3


def test_xavier_weights_follow_glorots_formula_from_the_random_draws() -> None:
    n_in, n_out = 4, 6
    layer = pn.Dense(n_in, n_out)  # the default init is Xavier/Glorot uniform
    rng = RecordingRandom(3)
    layer.initialize(rng)
    limit = math.sqrt(6.0 / (n_in + n_out))
    expected = [-limit + 2.0 * limit * u for u in rng.draws]
    assert len(rng.draws) == n_in * n_out
    for got, want in zip(flat(layer.weights.value), expected):
        assert math.isclose(got, want, rel_tol=XAVIER_FORMULA_TOL, abs_tol=XAVIER_FORMULA_TOL)


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_every_registered_initializer_draws_only_random(name: str) -> None:
    rng = RecordingRandom(5)
    weights = INITIALIZERS[name](rng, 3, 4)
    assert [len(row) for row in weights] == [4, 4, 4]
    assert rng.draws, f"initializer {name!r} drew nothing from the network's generator"


def test_recording_random_rejects_other_primitives() -> None:
    # Negative control for the test above: random.shuffle draws getrandbits and must be caught.
    with pytest.raises(AssertionError, match="getrandbits"):
        RecordingRandom(5).shuffle([1, 2, 3])


def test_building_and_training_leave_the_global_random_state_alone() -> None:
    state = random.getstate()
    x, y = parity_data()
    deep_network(4).fit(x, y, epochs=3, learning_rate=0.1, batch_size=3)
    assert random.getstate() == state


# -- shuffling ----------------------------------------------------------------------------------


@given(seed=SEEDS, n=st.integers(min_value=0, max_value=40))
def test_same_seed_gives_the_same_shuffle(seed: int, n: int) -> None:
    first = shuffled_indices(n, random.Random(seed))
    assert first == shuffled_indices(n, random.Random(seed))
    assert sorted(first) == list(range(n))


@given(seed=SEEDS, n=st.integers(min_value=0, max_value=40))
def test_shuffle_is_durstenfelds_fisher_yates_on_random_draws(seed: int, n: int) -> None:
    # Durstenfeld's algorithm: for i = n−1 … 1, swap position i with j uniform on 0..i, where j
    # is ⌊u·(i + 1)⌋ for u = random().  Exactly n − 1 draws, no other primitive.
    rng = RecordingRandom(seed)
    order = shuffled_indices(n, rng)
    assert len(rng.draws) == max(n - 1, 0)
    expected = list(range(n))
    for u, i in zip(rng.draws, range(n - 1, 0, -1)):
        j = math.floor(u * (i + 1))
        expected[i], expected[j] = expected[j], expected[i]
    assert order == expected


def test_different_seeds_give_different_shuffles() -> None:
    # Negative control: 20! orders, so two seeds agreeing would mean the seed is ignored.
    assert shuffled_indices(20, random.Random(1)) != shuffled_indices(20, random.Random(2))


# -- training -----------------------------------------------------------------------------------


def train_seed(seed: int) -> pn.Network:
    x, y = seed_data()
    network = seed_network(seed)
    network.fit(x, y, epochs=300, learning_rate=1.0)
    return network


def train_deep_minibatch(seed: int, epochs: int = 40) -> pn.Network:
    x, y = parity_data()
    network = deep_network(seed)
    network.fit(x, y, epochs=epochs, learning_rate=0.1, batch_size=2, shuffle=True)
    return network


TRAINING_RUNS: Dict[str, Callable[[int], pn.Network]] = {
    "seed example, full batch": train_seed,
    "3-8-8-1, shuffled batches of 2": train_deep_minibatch,
}


@pytest.mark.parametrize("train", TRAINING_RUNS.values(), ids=list(TRAINING_RUNS))
def test_repeated_training_is_bit_identical(train: Callable[[int], pn.Network]) -> None:
    assert bits(train(7)) == bits(train(7))


@pytest.mark.parametrize("train", TRAINING_RUNS.values(), ids=list(TRAINING_RUNS))
def test_training_from_different_seeds_differs(train: Callable[[int], pn.Network]) -> None:
    # Negative control for the repeat test.
    assert bits(train(7)) != bits(train(8))


def test_minibatch_order_comes_from_the_networks_generator() -> None:
    # Same seed, same batches: the order is reproducible; no shuffle: a different trajectory.
    x, y = parity_data()
    shuffled, unshuffled = deep_network(9), deep_network(9)
    shuffled.fit(x, y, epochs=5, learning_rate=0.1, batch_size=2, shuffle=True)
    unshuffled.fit(x, y, epochs=5, learning_rate=0.1, batch_size=2, shuffle=False)
    assert bits(shuffled) == bits(train_deep_minibatch(9, epochs=5))
    assert bits(shuffled) != bits(unshuffled)
