"""Weight initializers: functions that draw an n_in × n_out matrix from a seeded generator.

Every draw comes from ``rng.random()`` of the network's own ``random.Random(seed)``, never the
global random state, and entries are drawn row by row.  ``random.random()`` is the one sequence
Python promises to keep across versions and implementations, so the same seed gives bit-identical
initial weights on every interpreter.
"""

import math
import random
from typing import Callable, Dict, List, Union

from purenn.errors import ConfigurationError
from purenn.kernels import Matrix

__all__ = [
    "Initializer",
    "uniform",
    "xavier_uniform",
    "INITIALIZERS",
    "get_initializer",
    "register_initializer",
]

Initializer = Callable[[random.Random, int, int], Matrix]


def _uniform_matrix(rng: random.Random, rows: int, columns: int, low: float, high: float) -> Matrix:
    width = high - low
    return [[low + width * rng.random() for _ in range(columns)] for _ in range(rows)]


def uniform(low: float = 0.0, high: float = 1.0) -> Initializer:
    """An initializer drawing W_ij ~ U[low, high); the default U[0, 1) is the seed tutorial's."""
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise ConfigurationError(f"uniform: need finite low < high, got low={low!r}, high={high!r}")

    def draw(rng: random.Random, n_in: int, n_out: int) -> Matrix:
        """W_ij ~ U[low, high), an n_in × n_out matrix."""
        return _uniform_matrix(rng, n_in, n_out, low, high)

    draw.__name__ = f"uniform({low!r}, {high!r})"
    return draw


def xavier_uniform(rng: random.Random, n_in: int, n_out: int) -> Matrix:
    """Glorot & Bengio (2010): W_ij ~ U[−a, a) with a = √(6 / (n_in + n_out)); n_in × n_out."""
    limit = math.sqrt(6.0 / (n_in + n_out))
    return _uniform_matrix(rng, n_in, n_out, -limit, limit)


INITIALIZERS: Dict[str, Initializer] = {}


def register_initializer(name: str, initializer: Initializer) -> Initializer:
    """Add an initializer to the registry under ``name``; returns it."""
    INITIALIZERS[name] = initializer
    return initializer


register_initializer("uniform", uniform())
register_initializer("xavier_uniform", xavier_uniform)
register_initializer("glorot_uniform", xavier_uniform)


def known_names() -> List[str]:
    """The registered initializer names, sorted."""
    return sorted(INITIALIZERS)


def get_initializer(spec: Union[str, Initializer]) -> Initializer:
    """The initializer named ``spec``, or ``spec`` itself if it is callable.

    Raises ConfigurationError (a ValueError) listing the known names for an unknown one.
    """
    if isinstance(spec, str) and spec in INITIALIZERS:
        return INITIALIZERS[spec]
    if callable(spec) and not isinstance(spec, str):
        return spec
    raise ConfigurationError(
        f"unknown initializer {spec!r}; known initializers: {', '.join(known_names())}"
    )
