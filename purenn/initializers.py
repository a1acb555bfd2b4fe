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

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

from purenn.arguments import check_entries, check_int, check_real, shown
from purenn.errors import ConfigurationError
from purenn.registry import Registry

if TYPE_CHECKING:
    from typing import Any, Callable

    from purenn.kernels import Matrix

    Initializer = Callable[[random.Random, int, int], Matrix]

__all__ = [
    "box_muller",
    "LARGEST_NORMAL_DRAW",
    "Uniform",
    "Normal",
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "INITIALIZERS",
]


def _check_fans(n_in: Any, n_out: Any, where: str) -> None:
    # Fan-in and fan-out divide and allocate below: refuse what is not a size at all, or a
    # matrix too large to hold, before drawing a single number.
    rows = check_int(n_in, "n_in", where, 1)
    columns = check_int(n_out, "n_out", where, 1)
    check_entries(rows * columns, f"a matrix {shown(rows)}×{shown(columns)}", where)


def _uniform_matrix(rng: random.Random, rows: int, columns: int, low: float, high: float) -> Matrix:
    width = high - low
    return [[low + width * rng.random() for _ in range(columns)] for _ in range(rows)]


def box_muller(rng: random.Random, count: int) -> list[float]:
    """``count`` independent standard normal draws, N(0, 1), from ``rng.random()`` only.

    Box & Muller (1958): for U₁ ∈ (0, 1] and U₂ ∈ [0, 1) uniform, R = √(−2 ln U₁) and
    θ = 2πU₂ give two independent normals R·cos θ and R·sin θ.  Each pair calls ``rng.random()``
    twice, U₁ first; U₁ = 1 − random() lies in (0, 1], so ln U₁ never sees 0.  For an odd
    ``count`` the last sine is discarded, so exactly 2·⌈count/2⌉ uniforms are used.

    >>> import random
    >>> [round(draw, 12) for draw in box_muller(random.Random(0), 3)]
    [0.096371578465, -1.926636120547, -0.058500079476]
    >>> box_muller(random.Random(0), 2) == box_muller(random.Random(0), 3)[:2]
    True
    """
    draws: list[float] = []
    while len(draws) < count:
        u1 = 1.0 - rng.random()
        u2 = rng.random()
        radius = math.sqrt(-2.0 * math.log(u1))
        angle = 2.0 * math.pi * u2
        draws.append(radius * math.cos(angle))
        draws.append(radius * math.sin(angle))
    del draws[count:]
    return draws


LARGEST_NORMAL_DRAW = math.sqrt(-2.0 * math.log(2.0**-53))
"""The largest |draw| ``box_muller`` can give, √(−2 ln 2⁻⁵³) ≈ 8.57: U₁ = 1 − random() ≥ 2⁻⁵³."""


def _normal_matrix(rng: random.Random, rows: int, columns: int, mean: float, std: float) -> Matrix:
    draws = box_muller(rng, rows * columns)
    return [
        [mean + std * draws[i * columns + j] for j in range(columns)] for i in range(rows)
    ]


class Uniform:
    """An initializer drawing W_ij ~ U[low, high); the default U[0, 1) is the seed tutorial's.

    Raises ConfigurationError unless low < high are finite numbers.

    >>> import random
    >>> Uniform(-1, 1)(random.Random(0), 1, 3)
    [[0.6888437030500962, 0.515908805880605, -0.15885683833831]]
    """

    def __init__(self, low: float = 0.0, high: float = 1.0) -> None:
        self.low = check_real(low, "low", "Uniform")
        self.high = check_real(high, "high", "Uniform", low=self.low, include_low=False)
        if not math.isfinite(self.high - self.low):  # e.g. U[-1e308, 1e308): the width is inf
            raise ConfigurationError(
                f"Uniform: the width high − low of [{self.low!r}, {self.high!r}) overflows"
            )

    def config(self) -> dict[str, Any]:
        """{"low": low, "high": high}: ``Uniform(**config)`` rebuilds it (file formats use it).

        >>> Uniform(-1, 1).config()
        {'low': -1.0, 'high': 1.0}
        """
        return {"low": self.low, "high": self.high}

    def __call__(self, rng: random.Random, n_in: int, n_out: int) -> Matrix:
        """W_ij ~ U[low, high), an n_in × n_out matrix.

        >>> import random
        >>> Uniform(-1.0, 1.0)(random.Random(0), 1, 2)
        [[0.6888437030500962, 0.515908805880605]]
        """
        _check_fans(n_in, n_out, "Uniform")
        return _uniform_matrix(rng, n_in, n_out, self.low, self.high)

    def __repr__(self) -> str:
        return f"Uniform({self.low!r}, {self.high!r})"


class Normal:
    """An initializer drawing W_ij ~ N(mean, std²) by Box–Muller; the default N(0, 1) is
    PyTorch's ``nn.init.normal_`` default.

    Raises ConfigurationError unless mean is finite and std a finite number > 0, and when a draw
    could overflow: |mean| + LARGEST_NORMAL_DRAW·std must be finite (N(0, 1e308²) is refused).

    >>> import random
    >>> Normal(0, 0.1)(random.Random(0), 1, 2)
    [[0.00963715784651524, -0.192663612054653]]
    """

    def __init__(self, mean: float = 0.0, std: float = 1.0) -> None:
        self.mean = check_real(mean, "mean", "Normal")
        self.std = check_real(std, "std", "Normal", low=0.0, include_low=False)
        if not math.isfinite(abs(self.mean) + LARGEST_NORMAL_DRAW * self.std):
            raise ConfigurationError(
                f"Normal: draws of N({self.mean!r}, {self.std!r}²) can overflow: "
                f"|mean| + {LARGEST_NORMAL_DRAW:.2f}·std must be a finite number"
            )

    def config(self) -> dict[str, Any]:
        """{"mean": mean, "std": std}: ``Normal(**config)`` rebuilds it (file formats use it).

        >>> Normal(0, 0.1).config()
        {'mean': 0.0, 'std': 0.1}
        """
        return {"mean": self.mean, "std": self.std}

    def __call__(self, rng: random.Random, n_in: int, n_out: int) -> Matrix:
        """W_ij ~ N(mean, std²), an n_in × n_out matrix.

        >>> import random
        >>> [len(row) for row in Normal(0.0, 0.1)(random.Random(0), 3, 2)]
        [2, 2, 2]
        """
        _check_fans(n_in, n_out, "Normal")
        return _normal_matrix(rng, n_in, n_out, self.mean, self.std)

    def __repr__(self) -> str:
        return f"Normal({self.mean!r}, {self.std!r})"


def xavier_uniform(rng: random.Random, n_in: int, n_out: int) -> Matrix:
    """Glorot & Bengio (2010): W_ij ~ U[−a, a) with a = √(6 / (n_in + n_out)); n_in × n_out.

    Here a = √(6 / (2 + 4)) = 1:

    >>> import random
    >>> w = xavier_uniform(random.Random(0), 2, 4)
    >>> len(w), len(w[0]), all(-1.0 <= value < 1.0 for row in w for value in row)
    (2, 4, True)
    """
    _check_fans(n_in, n_out, "xavier_uniform")
    limit = math.sqrt(6.0 / (n_in + n_out))
    return _uniform_matrix(rng, n_in, n_out, -limit, limit)


def xavier_normal(rng: random.Random, n_in: int, n_out: int) -> Matrix:
    """Glorot & Bengio (2010): W_ij ~ N(0, σ²) with σ = √(2 / (n_in + n_out)); n_in × n_out.

    Here σ = √(2 / 200) = 0.1, and 10,000 draws show it:

    >>> import random, statistics
    >>> w = xavier_normal(random.Random(0), 100, 100)
    >>> round(statistics.pstdev([value for row in w for value in row]), 2)
    0.1
    """
    _check_fans(n_in, n_out, "xavier_normal")
    std = math.sqrt(2.0 / (n_in + n_out))
    return _normal_matrix(rng, n_in, n_out, 0.0, std)


def he_uniform(rng: random.Random, n_in: int, n_out: int) -> Matrix:
    """He et al. (2015), for relu layers: W_ij ~ U[−a, a) with a = √(6 / n_in); n_in × n_out.

    The variance a²/3 = 2/n_in keeps the variance of relu activations constant through depth
    (PyTorch's kaiming_uniform_ with mode="fan_in", nonlinearity="relu").  Here a = √(6/6) = 1:

    >>> import random
    >>> w = he_uniform(random.Random(0), 6, 2)
    >>> len(w), len(w[0]), all(-1.0 <= value < 1.0 for row in w for value in row)
    (6, 2, True)
    """
    _check_fans(n_in, n_out, "he_uniform")
    limit = math.sqrt(6.0 / n_in)
    return _uniform_matrix(rng, n_in, n_out, -limit, limit)


def he_normal(rng: random.Random, n_in: int, n_out: int) -> Matrix:
    """He et al. (2015), for relu layers: W_ij ~ N(0, σ²) with σ = √(2 / n_in); n_in × n_out.

    Here σ = √(2 / 200) = 0.1, and 10,000 draws show it:

    >>> import random, statistics
    >>> w = he_normal(random.Random(0), 200, 50)
    >>> round(statistics.pstdev([value for row in w for value in row]), 2)
    0.1
    """
    _check_fans(n_in, n_out, "he_normal")
    std = math.sqrt(2.0 / n_in)
    return _normal_matrix(rng, n_in, n_out, 0.0, std)


INITIALIZERS: Registry[Initializer] = Registry("initializer", callable)
"""The initializers by name: ``Dense(…, init=name)`` resolves here; any callable
``init(rng, n_in, n_out)`` is accepted as it is.  Register your own with
``INITIALIZERS.register(name, initializer)``."""

for _name, _initializer in (
    ("uniform", Uniform()),
    ("xavier_uniform", xavier_uniform),
    ("glorot_uniform", xavier_uniform),
    ("normal", Normal()),
    ("xavier_normal", xavier_normal),
    ("glorot_normal", xavier_normal),
    ("he_uniform", he_uniform),
    ("kaiming_uniform", he_uniform),
    ("he_normal", he_normal),
    ("kaiming_normal", he_normal),
):
    INITIALIZERS.register(_name, _initializer)
