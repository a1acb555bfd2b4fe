"""Shared by the BatchNorm tests: drawn shapes and batches, the formula written out as loops, and
a BatchNorm with the classic backward bug (the mean-of-gradient term left out)."""

import math
from typing import Any, List, NamedTuple, Optional, Tuple

from hypothesis import strategies as st
from strategies import MODEST, matrices

import purenn as pn

Matrix = List[List[float]]


class NormCase(NamedTuple):
    """A sample shape (C,) or (C, H, W) and a batch X of rows of C·H·W values."""

    shape: Tuple[int, ...]
    x: Matrix

    @property
    def channels(self) -> int:
        return self.shape[0]

    @property
    def positions(self) -> int:
        return math.prod(self.shape[1:])


@st.composite
def norm_cases(draw: Any, max_channels: int = 3, max_side: int = 3, max_rows: int = 4,
               image: Optional[bool] = None) -> NormCase:
    """Vectors (C,) or images (C, H, W) (``image`` decides, or hypothesis), with a batch that
    gives every channel at least two values (what training mode needs)."""
    channels = draw(st.integers(1, max_channels))
    if image is None:
        image = draw(st.booleans())
    if image:
        shape: Tuple[int, ...] = (channels, draw(st.integers(1, max_side)),
                                  draw(st.integers(1, max_side)))
    else:
        shape = (channels,)
    positions = math.prod(shape[1:])
    rows = draw(st.integers(1 if positions > 1 else 2, max_rows))
    return NormCase(shape, draw(matrices(rows, channels * positions, MODEST)))


def stem(shape: Tuple[int, ...]) -> pn.Layer:
    """A tanh layer C → C below the BatchNorm, so its input gradient reaches a parameter."""
    if len(shape) == 1:
        return pn.Dense(shape[0], shape[0], "tanh")
    return pn.Conv2D(shape[0], shape[0], 1, activation="tanh", input_shape=shape)


def norm_network(shape: Tuple[int, ...], norm: pn.Layer, outputs: int = 2,
                 loss: str = "sse") -> pn.Network:
    """stem → norm → (Flatten →) Dense(…, outputs): the BatchNorm between two parameters."""
    layers = [stem(shape), norm]
    if len(shape) > 1:
        layers.append(pn.Flatten())
    layers.append(pn.Dense(math.prod(shape), outputs))
    return pn.Network(layers, loss=loss, seed=0)


def reference(case: NormCase, gamma: List[float], beta: List[float], running: Tuple[List[float],
              List[float]], training: bool, momentum: Optional[float], tracked: int,
              eps: float = 1e-5) -> Tuple[Matrix, List[float], List[float]]:
    """(Y, running mean, running variance) after one pass, by the formulas written out as loops
    over samples n and positions s of each channel c, independently of purenn's layout code."""
    x, channels, positions = case.x, case.channels, case.positions
    rows, count = len(x), len(x) * case.positions
    y = [[0.0] * (channels * positions) for _ in range(rows)]
    running_mean, running_var = list(running[0]), list(running[1])
    for c in range(channels):
        values = [x[n][c * positions + s] for n in range(rows) for s in range(positions)]
        if training:
            mean = math.fsum(values) / count
            variance = math.fsum((v - mean) ** 2 for v in values) / count
            alpha = 1.0 / (tracked + 1) if momentum is None else momentum
            running_mean[c] = (1 - alpha) * running_mean[c] + alpha * mean
            unbiased = variance * count / (count - 1)
            running_var[c] = (1 - alpha) * running_var[c] + alpha * unbiased
        else:
            mean, variance = running[0][c], running[1][c]
        for n in range(rows):
            for s in range(positions):
                value = x[n][c * positions + s]
                normalised = (value - mean) / math.sqrt(variance + eps)
                y[n][c * positions + s] = gamma[c] * normalised + beta[c]
    return y, running_mean, running_var


class BatchNormWithoutMeanOfGradient(pn.BatchNorm):
    """A negative control: the training-mode input gradient without its −mean(g) term, i.e.
    γk·(g − x̂·mean(g·x̂)) instead of γk·(g − mean(g) − x̂·mean(g·x̂)).  Identity activation only
    (g is then ∂L/∂A itself)."""

    def backward(self, grad_output, need_input_grad=True):
        grads = super().backward(grad_output, need_input_grad)
        (_, inverse_std, training), _, _ = self.cache
        if grads is None or not training:
            return grads
        c_count, positions = self.num_features, self.positions
        count = len(grad_output) * positions
        for c in range(c_count):
            mean = sum(row[c * positions + s] for row in grad_output
                       for s in range(positions)) / count
            put_back = self.gamma.value[0][c] * inverse_std[c] * mean
            for row in grads:
                for s in range(positions):
                    row[c * positions + s] += put_back
        return grads
