"""Initializers: draws only from rng.random(), bit-identical per seed, the right distributions."""

import math
import random
import statistics

import pytest

import purenn as pn
from purenn.initializers import INITIALIZERS, box_muller


class RecordingRng:
    """Implements random() only (any other method would raise AttributeError) and counts calls."""

    def __init__(self, seed=0, values=None):
        self._source = random.Random(seed)
        self._values = list(values) if values is not None else None
        self.calls = 0

    def random(self):
        self.calls += 1
        if self._values is not None:
            return self._values.pop(0)
        return self._source.random()


UNIFORM_KIND = {"uniform", "xavier_uniform", "glorot_uniform", "he_uniform", "kaiming_uniform"}
NORMAL_KIND = {"normal", "xavier_normal", "glorot_normal", "he_normal", "kaiming_normal"}


def test_every_registered_initializer_is_classified():
    assert set(INITIALIZERS) == UNIFORM_KIND | NORMAL_KIND


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
@pytest.mark.parametrize(("n_in", "n_out"), [(1, 1), (3, 5), (4, 4), (7, 3)])
def test_draws_only_random_and_counts_them(name, n_in, n_out):
    rng = RecordingRng()
    weights = INITIALIZERS.resolve(name)(rng, n_in, n_out)
    assert (len(weights), {len(row) for row in weights}) == (n_in, {n_out})
    entries = n_in * n_out
    # One uniform per entry; Box–Muller turns each pair of uniforms into two normals.
    expected = entries if name in UNIFORM_KIND else 2 * math.ceil(entries / 2)
    assert rng.calls == expected


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_same_seed_gives_bit_identical_weights(name):
    init = INITIALIZERS.resolve(name)
    first = init(random.Random(42), 6, 5)
    assert init(random.Random(42), 6, 5) == first
    assert init(random.Random(43), 6, 5) != first


def test_same_seed_gives_identical_networks():
    def build(init):
        layers = [pn.Dense(3, 8, "relu", init=init), pn.Dense(8, 2, init=init)]
        return [p.value for p in pn.Network(layers, seed=7).parameters()]

    for name in ("he_normal", "he_uniform", "xavier_normal", "normal"):
        assert build(name) == build(name)


def test_box_muller_by_hand():
    # random() = 0.75 then 0.25: U₁ = 1 − 0.75 = 0.25, U₂ = 0.25, so R = √(−2 ln ¼) = 2√(ln 2)
    # and θ = π/2: the pair is (R cos θ, R sin θ) = (0, 2√(ln 2)).
    pair = box_muller(RecordingRng(values=[0.75, 0.25]), 2)
    assert pair[0] == pytest.approx(0.0, abs=1e-15)
    assert pair[1] == pytest.approx(2.0 * math.sqrt(math.log(2.0)))


def test_box_muller_survives_random_returning_zero():
    # random() = 0.0 would be ln 0 if used directly; U₁ = 1 − 0 = 1 gives R = 0.
    assert box_muller(RecordingRng(values=[0.0, 0.3]), 1) == [0.0]
    largest = box_muller(RecordingRng(values=[1.0 - 2.0**-53, 0.0]), 1)[0]
    # U₁ = 2⁻⁵³, the smallest possible: R = √(106 ln 2) ≈ 8.57, the most extreme draw possible.
    assert largest == pytest.approx(math.sqrt(106 * math.log(2.0)))


# For N = 20000 draws the sample mean has standard error σ/√N = 0.0071σ and the sample std a
# standard error of about σ/√(2N) = 0.005σ; bounds of 0.04σ and 3% are about 6 standard errors,
# so with the fixed seeds below a correct initializer never fails, while a wrong scale (e.g. √2
# too large, the he/xavier mix-up) misses by 40%.
STAT_MEAN_TOL = 0.04
STAT_STD_RTOL = 0.03
N_IN, N_OUT = 100, 200


def entries(name, seed=0):
    return [w for row in INITIALIZERS.resolve(name)(random.Random(seed), N_IN, N_OUT) for w in row]


EXPECTED_STD = {
    "normal": 1.0,
    "xavier_normal": math.sqrt(2.0 / (N_IN + N_OUT)),
    "he_normal": math.sqrt(2.0 / N_IN),
    # A uniform on [−a, a) has standard deviation a/√3.
    "xavier_uniform": math.sqrt(6.0 / (N_IN + N_OUT)) / math.sqrt(3.0),
    "he_uniform": math.sqrt(6.0 / N_IN) / math.sqrt(3.0),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_STD))
def test_mean_and_standard_deviation(name):
    draws = entries(name)
    sigma = EXPECTED_STD[name]
    assert abs(statistics.fmean(draws)) < STAT_MEAN_TOL * sigma
    assert statistics.pstdev(draws) == pytest.approx(sigma, rel=STAT_STD_RTOL)


@pytest.mark.parametrize(
    ("name", "limit"),
    [("xavier_uniform", math.sqrt(6.0 / (N_IN + N_OUT))), ("he_uniform", math.sqrt(6.0 / N_IN))],
)
def test_uniform_limits_are_respected(name, limit):
    draws = entries(name)
    assert all(-limit <= w < limit for w in draws)
    # 20000 draws reach within 0.1% of each end: missing it has probability (0.9995)^20000 ≈ 5e-5.
    assert min(draws) < -0.999 * limit
    assert max(draws) > 0.999 * limit


def test_normal_draws_have_normal_shape():
    draws = entries("normal")
    # P(|Z| < 1) = 0.6827 and P(|Z| < 2) = 0.9545; with N = 20000 the binomial standard errors
    # are 0.0033 and 0.0015, so 0.015 and 0.008 are about 5 standard errors.
    within_one = sum(abs(w) < 1.0 for w in draws) / len(draws)
    within_two = sum(abs(w) < 2.0 for w in draws) / len(draws)
    assert within_one == pytest.approx(0.6827, abs=0.015)
    assert within_two == pytest.approx(0.9545, abs=0.008)


def test_normal_factory_uses_mean_and_std():
    draws = [w for row in pn.Normal(5.0, 0.1)(random.Random(3), 100, 100) for w in row]
    assert statistics.fmean(draws) == pytest.approx(5.0, abs=0.004)  # ~4 standard errors
    assert statistics.pstdev(draws) == pytest.approx(0.1, rel=0.03)


@pytest.mark.parametrize(
    ("mean", "std"), [(0.0, 0.0), (0.0, -1.0), (float("nan"), 1.0), (0.0, float("inf"))]
)
def test_normal_rejects_bad_parameters(mean, std):
    with pytest.raises(pn.ConfigurationError, match=r"Normal: (mean|std) must be a finite number"):
        pn.Normal(mean, std)


def test_unknown_initializer_lists_the_known_names():
    with pytest.raises(pn.ConfigurationError) as info:
        pn.Dense(2, 2, init="orthogonal")
    for name in INITIALIZERS:
        assert name in str(info.value)


def test_aliases_are_the_same_function():
    assert INITIALIZERS.resolve("glorot_normal") is INITIALIZERS.resolve("xavier_normal")
    assert INITIALIZERS.resolve("kaiming_uniform") is INITIALIZERS.resolve("he_uniform")
    assert INITIALIZERS.resolve("kaiming_normal") is INITIALIZERS.resolve("he_normal")
