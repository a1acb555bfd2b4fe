"""Normalisation of each position's vector: RMSNorm (microgpt's, GPT-style models') and
LayerNorm (GPT-2's), both over the C channels of one position at a time.

They take any shape whose last axis is C, (C,) or (T, C), and work on every C-vector of a row
(``purenn.layers.positionwise.positions``).  Unlike BatchNorm they use no statistics of the batch,
so they train and evaluate alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.arguments import check_entries, check_flag, check_int, check_real
from purenn.errors import ShapeError, StateError
from purenn.layers.base import Layer, Parameter, register_layer
from purenn.layers.positionwise import positions, sequences
from purenn.matrix import format_shape
from purenn.scalar import sqrt

if TYPE_CHECKING:
    import random
    from typing import Any

    from purenn.kernels import Matrix
    from purenn.layers.base import SampleShape

__all__ = ["RMSNorm", "LayerNorm"]


class _PerVector(Layer):
    """What both norms share: C, ε, the shapes, and the cache of per-vector results."""

    dim: int
    eps: float
    cache: tuple[Matrix, list[Any], int] | None = None

    def declared_input_shape(self) -> SampleShape | None:
        """None: it learns its input shape from the layer below."""
        return None

    def build(self, input_shape: SampleShape) -> SampleShape:
        """Any shape whose last axis is C, unchanged."""
        shape = tuple(input_shape)
        if shape[-1] != self.dim:
            raise ShapeError(
                f"{self!r} normalises vectors of {self.dim}, not the last axis of "
                f"{format_shape(shape)}"
            )
        return self.record_shapes(shape, shape)

    def _cached(self, where: str) -> tuple[Matrix, list[Any], int]:
        if self.cache is None:
            raise StateError(f"{where}: called before forward (nothing cached)")
        return self.cache


@register_layer
class RMSNorm(_PerVector):
    """y = g ⊙ x / √(mean(x²) + ε) for each C-vector x (Zhang & Sennrich 2019); without a gain
    (``gain=False``, microgpt's), g = 1.

    Gradient, with s = (mean(x²) + ε)^(−1/2), ŷ = s·x and γ = ∂L/∂y ⊙ g:
    ∂L/∂x = s·(γ − ŷ · (γ·ŷ)/C),  ∂L/∂g = Σ_{b,t} ∂L/∂y ⊙ ŷ.

    >>> [round(y, 6) for y in RMSNorm(2).forward([[3.0, 4.0]])[0]]  # mean(x²) = 12.5
    [0.848528, 1.13137]
    """

    def __init__(self, dim: int, eps: float = 1e-5, *, gain: bool = False) -> None:
        self.dim = check_int(dim, "dim", "RMSNorm", 1)
        check_entries(self.dim, "the gain", "RMSNorm")
        self.eps = check_real(eps, "eps", "RMSNorm", low=0.0, include_low=False)
        self.gain: Parameter | None = None
        if check_flag(gain, "gain", "RMSNorm"):
            self.gain = Parameter("weight", [[1.0] * self.dim])

    def initialize(self, rng: random.Random) -> None:
        """g ← 1.

        >>> import random
        >>> layer = RMSNorm(2, gain=True)
        >>> layer.gain.value = [[3.0, 3.0]]
        >>> layer.initialize(random.Random(0))
        >>> layer.gain.value
        [[1.0, 1.0]]
        """
        if self.gain is not None:
            self.gain.value = [[1.0] * self.dim]

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """[("weight", g)] with a gain, else none.

        >>> [name for name, _ in RMSNorm(4, gain=True).named_parameters()]
        ['weight']
        >>> RMSNorm(4).named_parameters()  # microgpt's: no gain
        []
        """
        return [] if self.gain is None else [("weight", self.gain)]

    def forward(self, x: Matrix) -> Matrix:
        """y = g ⊙ ŷ, ŷ = x·s; caches ŷ and s.

        >>> y = RMSNorm(2).forward([[3.0, 4.0, 1.0, -1.0]])  # (T, C) = (2, 2): each position alone
        >>> [round(value, 6) for value in y[0]]
        [0.848528, 1.13137, 0.999995, -0.999995]
        """
        normalised, scales = [], []
        for vector in positions(x, self.dim):
            mean_square = sum(value * value for value in vector) / self.dim
            scale = 1.0 / sqrt(mean_square + self.eps)
            normalised.append([value * scale for value in vector])
            scales.append(scale)
        self.cache = (normalised, scales, len(x))
        if self.gain is not None:
            gain = self.gain.value[0]
            return sequences([[g * v for g, v in zip(gain, row)] for row in normalised], len(x))
        return sequences(normalised, len(x))

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """∂L/∂x = s·(γ − ŷ(γ·ŷ)/C), γ = ∂L/∂y ⊙ g; ∂L/∂g = Σ ∂L/∂y ⊙ ŷ.

        >>> layer = RMSNorm(2, gain=True)
        >>> _ = layer.forward([[3.0, 4.0]])
        >>> [round(value, 6) for value in layer.backward([[1.0, 0.0]])[0]]
        [0.181019, -0.135764]
        >>> [round(value, 6) for value in layer.gain.grad[0]]  # ∂L/∂y ⊙ ŷ
        [0.848528, 0.0]
        """
        normalised, scales, batch = self._cached("RMSNorm.backward")
        grads = positions(grad_output, self.dim)
        if self.gain is not None:
            gain = self.gain.value[0]
            self.gain.grad = [[sum(column) for column in zip(*(
                [d * y for d, y in zip(grad, row)] for grad, row in zip(grads, normalised)))]]
            grads = [[d * g for d, g in zip(grad, gain)] for grad in grads]
        if not need_input_grad:
            return None
        result = []
        for grad, row, scale in zip(grads, normalised, scales):
            mean_dot = sum(d * y for d, y in zip(grad, row)) / self.dim
            result.append([scale * (d - y * mean_dot) for d, y in zip(grad, row)])
        return sequences(result, batch)

    def config(self) -> dict[str, Any]:
        """{"dim", "eps", "gain"}.

        >>> RMSNorm(16).config()
        {'dim': 16, 'eps': 1e-05, 'gain': False}
        """
        return {"dim": self.dim, "eps": self.eps, "gain": self.gain is not None}

    def __repr__(self) -> str:
        gain = ", gain=True" if self.gain is not None else ""
        return f"RMSNorm({self.dim}, eps={self.eps!r}{gain})"


@register_layer
class LayerNorm(_PerVector):
    """y = γ ⊙ x̂ + β, x̂ = (x − μ)/√(σ² + ε), μ and σ² the mean and (biased) variance of each
    C-vector x (Ba et al. 2016; PyTorch's ``nn.LayerNorm(C)``).

    Gradient, with s = (σ² + ε)^(−1/2) and g = ∂L/∂y ⊙ γ:
    ∂L/∂x = s·(g − mean(g) − x̂·mean(g ⊙ x̂)),  ∂L/∂γ = Σ ∂L/∂y ⊙ x̂,  ∂L/∂β = Σ ∂L/∂y.

    >>> [round(y, 4) for y in LayerNorm(2).forward([[1.0, 3.0]])[0]]
    [-1.0, 1.0]
    """

    def __init__(self, dim: int, eps: float = 1e-5) -> None:
        self.dim = check_int(dim, "dim", "LayerNorm", 1)
        check_entries(self.dim, "γ and β", "LayerNorm")
        self.eps = check_real(eps, "eps", "LayerNorm", low=0.0, include_low=False)
        self.weight = Parameter("weight", [[1.0] * self.dim])
        self.bias = Parameter("bias", [[0.0] * self.dim])

    def initialize(self, rng: random.Random) -> None:
        """γ ← 1, β ← 0 (PyTorch's start).

        >>> import random
        >>> layer = LayerNorm(2)
        >>> layer.weight.value, layer.bias.value = [[3.0, 3.0]], [[0.5, 0.5]]
        >>> layer.initialize(random.Random(0))
        >>> layer.weight.value, layer.bias.value
        ([[1.0, 1.0]], [[0.0, 0.0]])
        """
        self.weight.value = [[1.0] * self.dim]
        self.bias.value = [[0.0] * self.dim]

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """[("weight", γ), ("bias", β)].

        >>> [name for name, _ in LayerNorm(4).named_parameters()]
        ['weight', 'bias']
        """
        return [("weight", self.weight), ("bias", self.bias)]

    def forward(self, x: Matrix) -> Matrix:
        """y = γ ⊙ x̂ + β; caches x̂ and s.

        >>> layer = LayerNorm(2)
        >>> layer.weight.value, layer.bias.value = [[2.0, 2.0]], [[1.0, 1.0]]
        >>> y = layer.forward([[1.0, 3.0, 5.0, 5.0]])  # (T, C) = (2, 2): x̂ = [-1, 1], then [0, 0]
        >>> [round(value, 4) for value in y[0]]
        [-1.0, 3.0, 1.0, 1.0]
        """
        normalised, scales = [], []
        for vector in positions(x, self.dim):
            mean = sum(vector) / self.dim
            centred = [value - mean for value in vector]
            variance = sum(value * value for value in centred) / self.dim
            scale = 1.0 / sqrt(variance + self.eps)
            normalised.append([value * scale for value in centred])
            scales.append(scale)
        self.cache = (normalised, scales, len(x))
        gain, shift = self.weight.value[0], self.bias.value[0]
        rows = [[g * v + b for g, v, b in zip(gain, row, shift)] for row in normalised]
        return sequences(rows, len(x))

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """∂L/∂x = s(g − mean g − x̂·mean(g ⊙ x̂)); ∂L/∂γ = Σ ∂L/∂y ⊙ x̂; ∂L/∂β = Σ ∂L/∂y.

        >>> layer = LayerNorm(3)
        >>> _ = layer.forward([[1.0, 2.0, 3.0]])  # x̂ ≈ [-1.2247, 0, 1.2247]
        >>> [round(value, 6) for value in layer.backward([[1.0, 0.0, 0.0]])[0]]
        [0.204132, -0.408245, 0.204113]
        >>> [round(value, 6) for value in layer.weight.grad[0]], layer.bias.grad
        ([-1.224736, 0.0, 0.0], [[1.0, 0.0, 0.0]])
        """
        normalised, scales, batch = self._cached("LayerNorm.backward")
        grads = positions(grad_output, self.dim)
        products = [[d * v for d, v in zip(grad, row)] for grad, row in zip(grads, normalised)]
        self.weight.grad = [[sum(column) for column in zip(*products)]]
        self.bias.grad = [[sum(column) for column in zip(*grads)]]
        if not need_input_grad:
            return None
        gain = self.weight.value[0]
        result = []
        for grad, row, scale in zip(grads, normalised, scales):
            g = [d * w for d, w in zip(grad, gain)]
            mean_g = sum(g) / self.dim
            mean_gx = sum(a * b for a, b in zip(g, row)) / self.dim
            result.append([scale * (a - mean_g - v * mean_gx) for a, v in zip(g, row)])
        return sequences(result, batch)

    def config(self) -> dict[str, Any]:
        """{"dim", "eps"}.

        >>> LayerNorm(8).config()
        {'dim': 8, 'eps': 1e-05}
        """
        return {"dim": self.dim, "eps": self.eps}

    def __repr__(self) -> str:
        return f"LayerNorm({self.dim}, eps={self.eps!r})"
