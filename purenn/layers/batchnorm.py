"""Batch normalisation: each channel normalised by its statistics over the batch, then scaled and
shifted by learned γ and β.

A sample of shape (C, …) has C channels: a vector (C,) has one value per channel (a feature, as
PyTorch's ``BatchNorm1d``), an image (C, H, W) has S = H·W values per channel (``BatchNorm2d``).
Channel c of a batch of N samples is the m = N·S values x_1 … x_m found at positions
c·S … c·S + S − 1 of every row (rows are channel-major).  In training mode, for each channel:

    μ  = (1/m) Σᵢ xᵢ                          the batch mean
    σ² = (1/m) Σᵢ (xᵢ − μ)²                   the batch variance, biased (divided by m)
    x̂ᵢ = (xᵢ − μ) / √(σ² + ε)                 ε inside the square root
    zᵢ = γ x̂ᵢ + β,   aᵢ = f(zᵢ)                γ, β learned per channel; f the activation

and the running statistics, used in evaluation mode, follow the batch ones with a momentum α:

    running_mean ← (1 − α)·running_mean + α·μ
    running_var  ← (1 − α)·running_var  + α·σ²·m/(m − 1)     the unbiased variance

In evaluation mode x̂ᵢ = (xᵢ − running_mean)/√(running_var + ε), the same for every batch.
These are PyTorch's conventions (``torch.nn.functional.batch_norm``): the biased variance
normalises, the unbiased one is tracked; α = ``momentum`` = 0.1 is the weight of the *new*
batch (Keras's momentum 0.99 is the weight of the old value: 1 − α); ε = 1e-5; the running
mean starts at 0 and the running variance at 1; ``momentum=None`` tracks the cumulative average
instead, α = 1/t at the t-th training batch (t = ``num_batches_tracked``).  A training batch
needs m > 1 (PyTorch refuses m = 1 too: the unbiased variance would divide by 0).

The backward pass, given g = ∂L/∂z (the activation's δ = ∂L/∂a ⊙ f′(z)), per channel:

    ∂L/∂β = Σᵢ gᵢ
    ∂L/∂γ = Σᵢ gᵢ x̂ᵢ
    ∂L/∂xᵢ = γ/√(σ² + ε) · (gᵢ − (1/m) Σⱼ gⱼ − x̂ᵢ·(1/m) Σⱼ gⱼ x̂ⱼ)        (training)
    ∂L/∂xᵢ = γ/√(running_var + ε) · gᵢ                                   (evaluation)

The training form is the compact one: μ and σ² depend on every xⱼ, and the chain rule through
them gives the two mean terms (the first from μ, the second from σ², whose own dependence on μ
cancels because Σ (xⱼ − μ) = 0).  The running statistics are outside the loss: no gradient
flows into them, and they are buffers, not parameters, so no optimizer touches them.

Every forward computation adds, multiplies, divides or takes ``purenn.scalar.sqrt``, so the
complex step passes through the batch statistics too.
"""

from __future__ import annotations

import math
import random
from itertools import chain
from typing import TYPE_CHECKING

from purenn import kernels
from purenn.activations import ACTIVATIONS, Activation
from purenn.arguments import check_entries, check_int, check_real, is_real, shown
from purenn.errors import ConfigurationError, DataError, ShapeError, StateError
from purenn.layers.base import (
    ActivatedLayer,
    Buffer,
    Parameter,
    check_built,
    check_declared,
    register_layer,
    sample_shape,
)
from purenn.matrix import format_shape
from purenn.scalar import sqrt

if TYPE_CHECKING:
    from typing import Any, Sequence

    from purenn.kernels import Matrix
    from purenn.layers.base import SampleShape, StateShapes

__all__ = ["BatchNorm", "by_channel", "by_sample", "channel_statistics", "inverse_std"]

MAX_BATCH_COUNT = 2.0**53
"""The largest num_batches_tracked a BatchNorm takes: the last whole number a float counts
exactly, and one an int64 (PyTorch's count, what export_npz writes) holds."""


def by_channel(x: Matrix, channels: int, positions: int) -> Matrix:
    """The values of each channel, C × N·S: row c holds channel c of sample 0 (its S positions),
    then of sample 1, and so on.  X is N × C·S, channel-major; for vectors (S = 1) this is Xᵀ.

    >>> by_channel([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]], 2, 2)
    [[1.0, 2.0, 5.0, 6.0], [3.0, 4.0, 7.0, 8.0]]
    """
    if positions == 1:
        return kernels.transpose(x)
    return [
        list(chain.from_iterable(row[c * positions:(c + 1) * positions] for row in x))
        for c in range(channels)
    ]


def by_sample(values: Matrix, rows: int, positions: int) -> Matrix:
    """The inverse of ``by_channel``: C × N·S channel rows back to N × C·S sample rows.

    >>> by_sample([[1.0, 2.0, 5.0, 6.0], [3.0, 4.0, 7.0, 8.0]], 2, 2)
    [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]
    """
    if positions == 1:
        return kernels.transpose(values)
    return [
        list(chain.from_iterable(
            channel[n * positions:(n + 1) * positions] for channel in values
        ))
        for n in range(rows)
    ]


def channel_statistics(values: Sequence[Any]) -> tuple[Any, Any]:
    """(μ, Σ (xᵢ − μ)²) of one channel's m values: the mean, and the sum of squared deviations
    from which the biased (÷ m) and unbiased (÷ (m − 1)) variances follow.  Two passes, so a
    large mean does not cancel the deviations; complex-safe (no abs).

    >>> channel_statistics([1.0, 2.0, 3.0, 6.0])
    (3.0, 14.0)
    """
    mean = sum(values) / len(values)
    deviations = [value - mean for value in values]
    return mean, kernels.dot(deviations, deviations)


def inverse_std(variances: Sequence[Any], eps: float) -> list[Any]:
    """k = 1/√(σ² + ε) of each channel: the factor x − μ is multiplied by (an exported network
    multiplies by the same k of the running variance, so that it computes what purenn does).

    >>> inverse_std([3.0, 0.0], 1.0)
    [0.5, 1.0]
    """
    return [1.0 / sqrt(variance + eps) for variance in variances]


def _check_momentum(momentum: Any) -> float | None:
    """None (the cumulative average) or a finite number in [0, 1]."""
    if momentum is None:
        return None
    # check_real converts exactly (a Fraction) or refuses (10**400, NaN); its range is half-open,
    # and 1 (no memory at all) is allowed here.
    number = check_real(momentum, "momentum", "BatchNorm") if is_real(momentum) else -1.0
    if 0.0 <= number <= 1.0:
        return number
    raise ConfigurationError(
        f"BatchNorm: momentum must be a finite number in [0, 1] or None, got {shown(momentum)}"
    )


@register_layer
class BatchNorm(ActivatedLayer):
    """Batch normalisation of ``num_features`` channels C, then an activation: z = γ x̂ + β,
    a = f(z), x̂ normalised per channel by the batch statistics (training mode) or the running
    ones (evaluation mode).  The formulas, forward and backward, are in the module docstring.

    Takes vectors (C,) (a statistic per feature, over the batch) or images (C, H, W) (a
    statistic per channel, over the batch and both spatial axes), and gives the same shape.
    Parameters γ ("gamma", 1 × C, starts at 1) and β ("beta", 1 × C, starts at 0); buffers
    "running_mean" (1 × C, starts at 0), "running_var" (1 × C, starts at 1) and
    "num_batches_tracked" (1 × 1, the count of training batches, as a float).  ``eps`` (> 0,
    default 1e-5) and ``momentum`` (in [0, 1], default 0.1, or None) are PyTorch's.
    ``activation`` (default "identity") lets a layer end with a relu, as Linear → BatchNorm →
    ReLU does in PyTorch.  ``input_shape`` tells a first layer its input shape.

    >>> layer = BatchNorm(2, input_shape=(2,))
    >>> layer.forward([[1.0, 10.0], [3.0, 30.0]])  # doctest: +ELLIPSIS
    [[-0.999995..., -0.99999995...], [0.999995..., 0.99999995...]]
    >>> # x̂ = ±σ/√(σ² + ε) with σ = 1 and 10; running: 0.9·(0, 1) + 0.1·(μ, σ²·m/(m − 1))
    >>> layer.running_mean.value, layer.running_var.value
    ([[0.2, 2.0]], [[1.1, 20.9]])
    >>> layer.training = False                             # what Network.eval() does
    >>> layer.forward([[0.2, 2.0]])                        # the running mean maps to β = 0
    [[0.0, 0.0]]
    """

    positions: int  # S: the values per channel in one sample, set by build

    def __init__(
        self,
        num_features: int,
        activation: str | Activation = "identity",
        *,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        input_shape: SampleShape | None = None,
    ) -> None:
        where = "BatchNorm"
        self.num_features = check_int(num_features, "num_features", where, 1)
        check_entries(self.num_features, f"{shown(num_features)} features", where)
        self.activation = ACTIVATIONS.resolve(activation, where)
        self.eps = check_real(eps, "eps", where, low=0.0, include_low=False)
        self.momentum = _check_momentum(momentum)
        self.declared = None if input_shape is None else sample_shape(input_shape, where)
        channels = self.num_features
        self.gamma = Parameter("gamma", [[1.0] * channels])
        self.beta = Parameter("beta", [[0.0] * channels])
        self.running_mean = Buffer("running_mean", [[0.0] * channels])
        self.running_var = Buffer("running_var", [[1.0] * channels])
        self.num_batches_tracked = Buffer("num_batches_tracked", [[0.0]])
        # ((x̂ by channel, 1/√(var + ε) per channel, whether the pass was in training mode),
        # Z, A): ActivatedLayer's layout, Z second
        self.cache: tuple[tuple[Matrix, list[Any], bool], Matrix, Matrix] | None = None
        if self.declared is not None:
            self.build(self.declared)

    # -- shapes -------------------------------------------------------------------------------

    def declared_input_shape(self) -> SampleShape | None:
        """The ``input_shape`` the layer was given, or None.

        >>> BatchNorm(3).declared_input_shape(), BatchNorm(3, input_shape=(3, 4, 4)).input_shape
        (None, (3, 4, 4))
        """
        return self.declared

    def build(self, input_shape: SampleShape) -> SampleShape:
        """The input shape itself, once its first axis has ``num_features`` channels; ShapeError
        naming the layer and the shape otherwise.

        >>> BatchNorm(8).build((8, 4, 4)), BatchNorm(8).build((8,))
        ((8, 4, 4), (8,))
        """
        shape = check_declared(self, input_shape)
        if shape[0] != self.num_features:
            raise ShapeError(
                f"{self!r} normalises {self.num_features} channel"
                f"{'s' * (self.num_features != 1)}, not the {shape[0]} of an input "
                f"{format_shape(shape)} (the first axis: features of a vector, channels of an "
                "image)"
            )
        self.positions = math.prod(shape[1:])
        return self.record_shapes(shape, shape)

    def check_training_batch(self, rows: int) -> None:
        """ShapeError unless a batch of ``rows`` rows gives each channel m = rows·S > 1 values:
        one value has no spread, and its unbiased variance would divide by 0.

        >>> BatchNorm(1, input_shape=(1,)).check_training_batch(2)     # two values: fine
        >>> BatchNorm(1, input_shape=(1,)).check_training_batch(1)     # doctest: +ELLIPSIS
        Traceback (most recent call last):
        purenn.errors.ShapeError: BatchNorm(1, input_shape=(1,)): in training mode it needs more ...
        """
        if rows * self.positions <= 1:
            raise ShapeError(
                f"{self!r}: in training mode it needs more than one value per channel to "
                f"normalise, but a batch of {rows} row{'s' * (rows != 1)} of shape "
                f"{format_shape(self.input_shape or ())} gives {rows * self.positions} "
                "(PyTorch refuses this too): train on more rows, or evaluate in evaluation mode"
            )

    # -- parameters and state ------------------------------------------------------------------

    def initialize(self, rng: random.Random) -> None:
        """γ ← 1, β ← 0, running mean ← 0, running variance ← 1, count ← 0 (draws nothing).

        >>> import random
        >>> layer = BatchNorm(2, input_shape=(2,))
        >>> layer.initialize(random.Random(0))
        >>> layer.gamma.value, layer.beta.value, layer.running_var.value
        ([[1.0, 1.0]], [[0.0, 0.0]], [[1.0, 1.0]])
        """
        channels = self.num_features
        self.gamma.value = [[1.0] * channels]
        self.beta.value = [[0.0] * channels]
        self.running_mean.value = [[0.0] * channels]
        self.running_var.value = [[1.0] * channels]
        self.num_batches_tracked.value = [[0.0]]

    @classmethod
    def state_shapes(cls, config: dict[str, Any]) -> StateShapes:
        """γ and β, then the buffers: running mean and variance, 1 × C each, and the count of
        training batches, 1 × 1.

        >>> BatchNorm.state_shapes(BatchNorm(3).config())["running_var"]
        (1, 3)
        """
        row = (1, check_int(config["num_features"], "num_features", "BatchNorm", 1))
        return {"gamma": row, "beta": row, "running_mean": row, "running_var": row,
                "num_batches_tracked": (1, 1)}

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """[("gamma", γ), ("beta", β)].

        >>> BatchNorm(2).named_parameters()
        [('gamma', <Parameter gamma 1×2>), ('beta', <Parameter beta 1×2>)]
        """
        return [("gamma", self.gamma), ("beta", self.beta)]

    def named_buffers(self) -> list[tuple[str, Buffer]]:
        """[("running_mean", …), ("running_var", …), ("num_batches_tracked", …)].

        >>> [name for name, _ in BatchNorm(2).named_buffers()]
        ['running_mean', 'running_var', 'num_batches_tracked']
        """
        return [
            ("running_mean", self.running_mean),
            ("running_var", self.running_var),
            ("num_batches_tracked", self.num_batches_tracked),
        ]

    def check_buffers(self, values: dict[str, Matrix]) -> None:
        """DataError unless every running variance is ≥ 0 (it is a variance, and its square
        root is taken) and the count of batches is a whole number from 0 to 2**53.

        >>> BatchNorm(2).check_buffers({"running_mean": [[0.0, 0.0]],
        ...     "running_var": [[1.0, -0.5]], "num_batches_tracked": [[3.0]]})
        Traceback (most recent call last):
        ...
        purenn.errors.DataError: BatchNorm(2): running_var[1] is -0.5, but a variance is ≥ 0
        """
        for index, variance in enumerate(values["running_var"][0]):
            if not variance >= 0.0:
                raise DataError(
                    f"{self!r}: running_var[{index}] is {variance!r}, but a variance is ≥ 0"
                )
        count = values["num_batches_tracked"][0][0]
        # At most 2**53: a float counts every whole number up to there, and PyTorch's int64
        # (export_npz writes one) holds it; 1e300 would load and then be impossible to write.
        if not (0.0 <= count <= MAX_BATCH_COUNT and count == int(count)):
            raise DataError(
                f"{self!r}: num_batches_tracked is {count!r}, but it counts batches (a whole "
                "number from 0 to 2**53)"
            )

    def config(self) -> dict[str, Any]:
        """The arguments that rebuild the layer.

        >>> BatchNorm(16, "relu", momentum=None).config()["momentum"] is None
        True
        """
        return {
            "num_features": self.num_features,
            "activation": self.activation,
            "eps": self.eps,
            "momentum": self.momentum,
            "input_shape": self.declared,
        }

    # -- the passes -----------------------------------------------------------------------------

    def forward(self, x: Matrix) -> Matrix:
        """A = f(γ x̂ + β), x̂ by the batch statistics (training mode, which also updates the
        running ones) or the running statistics (evaluation mode); caches what backward needs.

        >>> import random
        >>> layer = BatchNorm(1, input_shape=(1,))
        >>> layer.initialize(random.Random(0))
        >>> layer.forward([[1.0], [3.0]])               # μ = 2, σ² = 1: x̂ = ±1/√(1 + ε)
        [[-0.9999950000374997], [0.9999950000374997]]
        >>> layer.running_mean.value                    # 0.9·0 + 0.1·2
        [[0.2]]
        """
        check_built(self)
        channels = by_channel(x, self.num_features, self.positions)
        if self.training:  # on a batch the network has checked (check_training_batch)
            means, variances = self._batch_statistics(channels)
        else:
            means, variances = self.running_mean.value[0], self.running_var.value[0]
        factors = inverse_std(variances, self.eps)
        normalised = [
            [(value - mean) * k for value in channel]
            for channel, mean, k in zip(channels, means, factors)
        ]
        shifted = [
            [g * value + b for value in channel]
            for channel, g, b in zip(normalised, self.gamma.value[0], self.beta.value[0])
        ]
        z = by_sample(shifted, len(x), self.positions)
        a = self.activation.forward(z)
        self.cache = ((normalised, factors, self.training), z, a)
        return a

    def _batch_statistics(self, channels: Matrix) -> tuple[list[Any], list[Any]]:
        """(μ, σ²) of every channel, biased; updates the running statistics on the way."""
        count = len(channels[0])
        statistics = [channel_statistics(channel) for channel in channels]
        means = [mean for mean, _ in statistics]
        self._track(means, [squares / (count - 1) for _, squares in statistics])
        return means, [squares / count for _, squares in statistics]

    def _track(self, means: list[Any], unbiased: list[Any]) -> None:
        """running ← (1 − α)·running + α·batch, α = momentum, or 1/t without one."""
        tracked = self.num_batches_tracked.value[0][0] + 1.0
        self.num_batches_tracked.value = [[tracked]]
        alpha = 1.0 / tracked if self.momentum is None else self.momentum
        self.running_mean.value = [[
            (1.0 - alpha) * old + alpha * new
            for old, new in zip(self.running_mean.value[0], means)
        ]]
        self.running_var.value = [[
            (1.0 - alpha) * old + alpha * new
            for old, new in zip(self.running_var.value[0], unbiased)
        ]]

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """The chain rule, given ∂L/∂A, per channel (g = ∂L/∂z = ∂L/∂a ⊙ f′(z), k = 1/√(σ² + ε)):

        ∂L/∂β = Σ g,   ∂L/∂γ = Σ g·x̂                               (1 × C each)
        ∂L/∂x = γk·(g − mean(g) − x̂·mean(g·x̂))   after a training-mode pass
        ∂L/∂x = γk·g                              after an evaluation-mode pass
        (batch × C·S, returned; the means over the channel's m values)

        >>> import random
        >>> layer = BatchNorm(1, input_shape=(1,))
        >>> layer.initialize(random.Random(0))
        >>> _ = layer.forward([[1.0], [3.0]])
        >>> _ = layer.backward([[1.0], [0.0]])
        >>> layer.gamma.grad, layer.beta.grad           # Σ g·x̂ and Σ g
        ([[-0.9999950000374997]], [[1.0]])
        """
        if self.cache is None:
            raise StateError("BatchNorm.backward: called before forward (nothing cached)")
        (normalised, factors, training), z, a = self.cache
        delta = by_channel(self.activation.backward(z, a, grad_output), self.num_features,
                           self.positions)
        sums = [sum(channel) for channel in delta]
        products = [kernels.dot(g, x_hat) for g, x_hat in zip(delta, normalised)]
        self.beta.grad = [sums]
        self.gamma.grad = [products]
        if not need_input_grad:
            return None
        count = len(delta[0])
        grads = []
        for g, x_hat, gamma, k, total, product in zip(
            delta, normalised, self.gamma.value[0], factors, sums, products
        ):
            scale = gamma * k
            if training:
                mean_g, mean_gx = total / count, product / count
                grads.append([scale * (d - mean_g - h * mean_gx) for d, h in zip(g, x_hat)])
            else:
                grads.append([scale * d for d in g])
        return by_sample(grads, len(grad_output), self.positions)

    def __repr__(self) -> str:
        arguments = [str(self.num_features)]
        if self.activation.name != "identity":
            arguments.append(f"activation={self.activation.name!r}")
        if self.eps != 1e-5:
            arguments.append(f"eps={self.eps!r}")
        if self.momentum != 0.1:
            arguments.append(f"momentum={self.momentum!r}")
        if self.declared is not None:
            arguments.append(f"input_shape={self.declared!r}")
        return f"BatchNorm({', '.join(arguments)})"

