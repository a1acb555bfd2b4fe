"""Dense: the fully connected layer of the seed tutorial, Z = X·W + b, A = f(Z).

The layer contract it follows is written in ``purenn.layers`` (the package's docstring).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from purenn import kernels
from purenn.activations import ACTIVATIONS, Activation
from purenn.arguments import check_entries, check_flag, check_int, shown
from purenn.errors import StateError
from purenn.initializers import INITIALIZERS
from purenn.layers.base import ActivatedLayer, Parameter, register_layer

if TYPE_CHECKING:
    from typing import Any

    from purenn.initializers import Initializer
    from purenn.kernels import Matrix
    from purenn.layers.base import StateShapes

__all__ = ["Dense"]


@register_layer
class Dense(ActivatedLayer):
    """A fully connected layer: Z = X·W + b, A = f(Z).

    X is batch × n_in, W is n_in × n_out (the seed's orientation: one row per sample), b is a
    1 × n_out row added to every row of X·W, and f is the activation (a name or an Activation).
    ``bias=False`` gives the seed's bias-free layer.  ``init`` names an initializer or is one;
    the weights are drawn when a Network takes the layer, from the network's own generator, and
    the bias starts at zero.  After a forward pass ``cache`` holds (X, Z, A), what backward
    needs, and what a reader can inspect: Z is the pre-activation of the last batch.

    >>> import purenn as pn
    >>> layer = pn.Dense(2, 1, "sigmoid")
    >>> layer.weights.value = [[1.0], [-1.0]]
    >>> layer.forward([[2.0, 2.0]])             # σ(2 − 2 + 0) = σ(0)
    [[0.5]]
    >>> net = pn.Network([pn.Dense(3, 4, "relu", init="he_normal"), pn.Dense(4, 1)], seed=0)
    >>> net.layers[0].weights.shape, net.layers[0].bias.value
    ((3, 4), [[0.0, 0.0, 0.0, 0.0]])
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str | Activation = "identity",
        *,
        bias: bool = True,
        init: str | Initializer = "xavier_uniform",
    ) -> None:
        self.n_in = check_int(n_in, "n_in", "Dense", 1)
        self.n_out = check_int(n_out, "n_out", "Dense", 1)
        check_entries(self.n_in * self.n_out, f"the weights {shown(n_in)}×{shown(n_out)}", "Dense")
        self.activation = ACTIVATIONS.resolve(activation, "Dense")
        self.init = INITIALIZERS.resolve(init, "Dense")
        self.weights = Parameter("weights", kernels.zeros(n_in, n_out))
        self.bias: Parameter | None = None
        if check_flag(bias, "bias", "Dense"):  # bias="False" is a string, and truthy
            self.bias = Parameter("bias", kernels.zeros(1, n_out))
        self.cache: tuple[Matrix, Matrix, Matrix] | None = None

    def initialize(self, rng: random.Random) -> None:
        """W ← init(rng, n_in, n_out); b ← 0.

        >>> import random
        >>> layer = Dense(2, 1, init="uniform")
        >>> layer.initialize(random.Random(0))
        >>> layer.weights.value, layer.bias.value
        ([[0.8444218515250481], [0.7579544029403025]], [[0.0]])
        """
        self.weights.value = self.init(rng, self.n_in, self.n_out)
        if self.bias is not None:
            self.bias.value = kernels.zeros(1, self.n_out)

    def config(self) -> dict[str, Any]:
        """{"n_in", "n_out", "activation", "bias", "init"}: Dense's own arguments.

        >>> Dense(3, 4, "tanh", bias=False).config()["bias"]
        False
        """
        return {
            "n_in": self.n_in,
            "n_out": self.n_out,
            "activation": self.activation,
            "bias": self.bias is not None,
            "init": self.init,
        }

    @classmethod
    def state_shapes(cls, config: dict[str, Any]) -> StateShapes:
        """W is n_in × n_out; b, when there is one, 1 × n_out.

        >>> Dense.state_shapes({"n_in": 3, "n_out": 4, "bias": True})
        {'weights': (3, 4), 'bias': (1, 4)}
        """
        n_in = check_int(config["n_in"], "n_in", "Dense", 1)
        n_out = check_int(config["n_out"], "n_out", "Dense", 1)
        shapes = {"weights": (n_in, n_out)}
        if check_flag(config["bias"], "bias", "Dense"):
            shapes["bias"] = (1, n_out)
        return shapes

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """[("weights", W), ("bias", b)], without the bias when bias=False.

        >>> [name for name, _ in Dense(2, 1, bias=False).named_parameters()]
        ['weights']
        """
        pairs = [("weights", self.weights)]
        if self.bias is not None:
            pairs.append(("bias", self.bias))
        return pairs

    def forward(self, x: Matrix) -> Matrix:
        """A = f(X·W + b); caches X, Z and A.

        >>> layer = Dense(2, 2, "relu")
        >>> layer.weights.value = [[1.0, -1.0], [1.0, -1.0]]
        >>> layer.forward([[1.0, 2.0]])                # relu([3, −3])
        [[3.0, 0.0]]
        """
        if self.bias is None:
            z = kernels.matmul(x, self.weights.value)
        else:
            z = kernels.affine(x, self.weights.value, self.bias.value[0])
        a = self.activation.forward(z)
        self.cache = (x, z, a)
        return a

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """The chain rule through Z = X·W + b, A = f(Z), given ∂L/∂A:

        δ = ∂L/∂Z = ∂L/∂A ⊙ f′(Z)   (the activation's backward; a full Jacobian for softmax)
        ∂L/∂W = Xᵀ·δ                  (n_in × n_out)
        ∂L/∂b = Σ_rows δ              (1 × n_out: the bias is added to every row)
        ∂L/∂X = δ·Wᵀ                  (batch × n_in, returned)

        >>> layer = Dense(2, 1)
        >>> layer.weights.value = [[1.0], [2.0]]
        >>> _ = layer.forward([[3.0, 4.0], [5.0, 6.0]])
        >>> layer.backward([[1.0], [1.0]])             # δ·Wᵀ
        [[1.0, 2.0], [1.0, 2.0]]
        >>> layer.weights.grad, layer.bias.grad        # Xᵀ·δ and Σ_rows δ
        ([[8.0], [10.0]], [[2.0]])
        """
        if self.cache is None:
            raise StateError("Dense.backward: called before forward (nothing cached)")
        x, z, a = self.cache
        delta = self.activation.backward(z, a, grad_output)
        self.weights.grad = kernels.matmul_tn(x, delta)
        if self.bias is not None:
            self.bias.grad = [kernels.column_sums(delta)]
        if not need_input_grad:
            return None
        return kernels.matmul_nt(delta, self.weights.value)

    def __repr__(self) -> str:
        bias = "" if self.bias is not None else ", bias=False"
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r}{bias})"
