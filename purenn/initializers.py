"""Weight initializers: functions that draw an n_in × n_out matrix from a seeded generator.

Every draw comes from ``rng.random()`` of the network's own ``random.Random(seed)``, never the
global random state, and entries are drawn row by row.  ``random.random()`` is the one sequence
Python promises to keep across versions and implementations, so the same seed gives bit-identical
initial weights on every interpreter.  That is why normal draws come from ``box_muller`` here
rather than ``random.gauss``, whose algorithm Python does not promise to keep.

Draw order: a uniform initializer uses one ``random()`` per entry, row by row.  A normal one
uses ``box_muller``: one pair of ``random()`` calls gives two normals, which fill two consecutive
entries (row by row); for an odd number of entries the last pair's second normal is discarded.
"""

import math
import random
from typing import Callable, List, Union

from purenn.errors import ConfigurationError
from purenn.kernels import Matrix
from purenn.registry import Registry

__all__ = [
    "Initializer",
    "box_muller",
    "uniform",
    "normal",
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "INITIALIZERS",
    "get_initializer",
    "register_initializer",
]

Initializer = Callable[[random.Random, int, int], Matrix]


def _uniform_matrix(rng: random.Random, rows: int, columns: int, low: float, high: float) -> Matrix:
    width = high - low
    return [[low + width * rng.random() for _ in range(columns)] for _ in range(rows)]


def box_muller(rng: random.Random, count: int) -> List[float]:
    """``count`` independent standard normal draws, N(0, 1), from ``rng.random()`` only.

    Box & Muller (1958): for U₁ ∈ (0, 1] and U₂ ∈ [0, 1) uniform, R = √(−2 ln U₁) and
    θ = 2πU₂ give two independent normals R·cos θ and R·sin θ.  Each pair calls ``rng.random()``
    twice, U₁ first; U₁ = 1 − random() lies in (0, 1], so ln U₁ never sees 0.  For an odd
    ``count`` the last sine is discarded, so exactly 2·⌈count/2⌉ uniforms are used.
    """
    draws: List[float] = []
    while len(draws) < count:
        u1 = 1.0 - rng.random()
        u2 = rng.random()
        radius = math.sqrt(-2.0 * math.log(u1))
        angle = 2.0 * math.pi * u2
        draws.append(radius * math.cos(angle))
        draws.append(radius * math.sin(angle))
    del draws[count:]
    return draws


def _normal_matrix(rng: random.Random, rows: int, columns: int, mean: float, std: float) -> Matrix:
    draws = box_muller(rng, rows * columns)
    return [
        [mean + std * draws[i * columns + j] for j in range(columns)] for i in range(rows)
    ]


def uniform(low: float = 0.0, high: float = 1.0) -> Initializer:
    """An initializer drawing W_ij ~ U[low, high); the default U[0, 1) is the seed tutorial's."""
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise ConfigurationError(f"uniform: need finite low < high, got low={low!r}, high={high!r}")

    def draw(rng: random.Random, n_in: int, n_out: int) -> Matrix:
        """W_ij ~ U[low, high), an n_in × n_out matrix."""
        return _uniform_matrix(rng, n_in, n_out, low, high)

    draw.__name__ = f"uniform({low!r}, {high!r})"
    return draw


def normal(mean: float = 0.0, std: float = 1.0) -> Initializer:
    """An initializer drawing W_ij ~ N(mean, std²) by Box–Muller; the default N(0, 1) is
    PyTorch's ``nn.init.normal_`` default."""
    if not (math.isfinite(mean) and math.isfinite(std)) or not std > 0.0:
        raise ConfigurationError(
            f"normal: need a finite mean and a finite std > 0, got mean={mean!r}, std={std!r}"
        )

    def draw(rng: random.Random, n_in: int, n_out: int) -> Matrix:
        """W_ij ~ N(mean, std²), an n_in × n_out matrix."""
        return _normal_matrix(rng, n_in, n_out, mean, std)

    draw.__name__ = f"normal({mean!r}, {std!r})"
    return draw


def xavier_uniform(rng: random.Random, n_in: int, n_out: int) -> Matrix:
    """Glorot & Bengio (2010): W_ij ~ U[−a, a) with a = √(6 / (n_in + n_out)); n_in × n_out."""
    limit = math.sqrt(6.0 / (n_in + n_out))
    return _uniform_matrix(rng, n_in, n_out, -limit, limit)


def xavier_normal(rng: random.Random, n_in: int, n_out: int) -> Matrix:
    """Glorot & Bengio (2010): W_ij ~ N(0, σ²) with σ = √(2 / (n_in + n_out)); n_in × n_out."""
    std = math.sqrt(2.0 / (n_in + n_out))
    return _normal_matrix(rng, n_in, n_out, 0.0, std)


def he_uniform(rng: random.Random, n_in: int, n_out: int) -> Matrix:
    """He et al. (2015), for relu layers: W_ij ~ U[−a, a) with a = √(6 / n_in); n_in × n_out.

    The variance a²/3 = 2/n_in keeps the variance of relu activations constant through depth
    (PyTorch's kaiming_uniform_ with mode="fan_in", nonlinearity="relu").
    """
    limit = math.sqrt(6.0 / n_in)
    return _uniform_matrix(rng, n_in, n_out, -limit, limit)


def he_normal(rng: random.Random, n_in: int, n_out: int) -> Matrix:
    """He et al. (2015), for relu layers: W_ij ~ N(0, σ²) with σ = √(2 / n_in); n_in × n_out."""
    std = math.sqrt(2.0 / n_in)
    return _normal_matrix(rng, n_in, n_out, 0.0, std)


INITIALIZERS: Registry[Initializer] = Registry("initializer")


def register_initializer(name: str, initializer: Initializer) -> Initializer:
    """Add an initializer to the registry under ``name``; returns it."""
    return INITIALIZERS.register(name, initializer)


register_initializer("uniform", uniform())
register_initializer("xavier_uniform", xavier_uniform)
register_initializer("glorot_uniform", xavier_uniform)
register_initializer("normal", normal())
register_initializer("xavier_normal", xavier_normal)
register_initializer("glorot_normal", xavier_normal)
register_initializer("he_uniform", he_uniform)
register_initializer("kaiming_uniform", he_uniform)
register_initializer("he_normal", he_normal)
register_initializer("kaiming_normal", he_normal)


def get_initializer(spec: Union[str, Initializer]) -> Initializer:
    """The initializer named ``spec``, or ``spec`` itself if it is callable.

    Raises ConfigurationError (a ValueError) listing the known names for an unknown one.
    """
    if callable(spec) and not isinstance(spec, str):
        return spec
    return INITIALIZERS.lookup(spec)
