"""Shared by the Dropout tests: a generator that replays given draws, and a dropout that forgets
to rescale (the negative control)."""

import random
from typing import List, Sequence

import purenn as pn


class Replayed(random.Random):
    """A generator whose random() returns the given values in order; any other primitive (what
    shuffle, randrange or choice would use) is an error, so only random() can have been drawn."""

    def __init__(self, values: Sequence[float]) -> None:
        super().__init__(0)
        self.values: List[float] = list(values)
        self.drawn = 0

    def random(self) -> float:
        value = self.values[self.drawn]
        self.drawn += 1
        return value

    def getrandbits(self, k: int) -> int:
        raise AssertionError(f"getrandbits({k}) drawn: only random() may be used")


class DropoutNotRescaled(pn.Dropout):
    """A negative control: kept values are not divided by 1 − p, so E[Y] = (1 − p)·X and the
    evaluation-mode identity no longer matches training on average."""

    def forward(self, x):
        y = super().forward(x)
        if self.mask is not None:
            self.mask = [[1.0 if m else 0.0 for m in row] for row in self.mask]
            y = [[v * m for v, m in zip(row, mask)] for row, mask in zip(x, self.mask)]
        return y
