"""Shared by the Dropout tests: a generator that replays given draws, and a dropout that forgets
to rescale (the negative control)."""

from typing import List, Sequence

import purenn as pn


class Replayed:
    """A stand-in generator whose random() returns the given values in order.  It has no other
    method (no getrandbits, which shuffle, randrange or choice would use), so a test that passes
    with it drew random() alone."""

    def __init__(self, values: Sequence[float]) -> None:
        self.values: List[float] = list(values)
        self.drawn = 0

    def random(self) -> float:
        value = self.values[self.drawn]
        self.drawn += 1
        return value


class DropoutNotRescaled(pn.Dropout):
    """A negative control: kept values are not divided by 1 − p, so E[Y] = (1 − p)·X and the
    evaluation-mode identity no longer matches training on average."""

    def forward(self, x):
        y = super().forward(x)
        if self.mask is not None:
            mask = [[1.0 if m else 0.0 for m in row] for row in self.mask]
            self.cache = (mask,)
            y = [[v * m for v, m in zip(row, kept)] for row, kept in zip(x, mask)]
        return y
