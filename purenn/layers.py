"""Layers: parameters, a forward pass that keeps what the backward pass needs, and the chain rule.

A layer's ``forward(X)`` maps a batch (one row per sample) to its output and caches its inputs;
``backward(grad_out)`` receives ∂L/∂(output), stores ∂L/∂θ in each parameter's ``grad`` and
returns ∂L/∂X for the layer below.  The gradients stored are the true gradients of the loss; the
optimizer subtracts them.
"""

import math
import random
from typing import Any, Dict, Hashable, List, Optional, Tuple, Union

from purenn import kernels
from purenn.activations import ACTIVATIONS, Activation
from purenn.arguments import check_int
from purenn.errors import StateError
from purenn.initializers import INITIALIZERS, Initializer
from purenn.kernels import Matrix

__all__ = ["Parameter", "Layer", "Dense"]


class Parameter:
    """A trainable matrix: ``value`` (read and assign in place) and ``grad`` (∂L/∂value).

    ``name`` is the parameter's path in its network, e.g. ``"layers[0].weights"``, once a
    network owns it; before that it is the layer's local name.
    """

    def __init__(self, name: str, value: Matrix) -> None:
        self.name = name
        self.value = value
        self.grad: Optional[Matrix] = None

    @property
    def shape(self) -> Tuple[int, int]:
        """(rows, columns) of ``value``."""
        return len(self.value), len(self.value[0])

    def __repr__(self) -> str:
        rows, columns = self.shape
        return f"<Parameter {self.name} {rows}×{columns}>"


class Layer:
    """Base class of layers: ``forward``, ``backward``, ``named_parameters``, ``initialize``."""

    n_in: int
    n_out: int

    def initialize(self, rng: random.Random) -> None:
        """Draw the initial parameter values from ``rng`` (the network's generator)."""

    def named_parameters(self) -> List[Tuple[str, Parameter]]:
        """(local name, parameter) pairs, in a fixed order."""
        return []

    def forward(self, x: Matrix) -> Matrix:
        """The layer's output for a batch X (batch × n_in); caches what backward needs."""
        raise NotImplementedError

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Optional[Matrix]:
        """Store ∂L/∂θ in each parameter's ``grad``; return ∂L/∂X (None if not needed)."""
        raise NotImplementedError

    def output_range(self) -> Tuple[float, float]:
        """The closed interval every output lies in, as far as the layer knows: a loss that
        needs probabilities checks the last layer's range when the network is built."""
        return (-math.inf, math.inf)

    def config(self) -> Dict[str, Any]:
        """The keyword arguments that rebuild this layer: ``type(layer)(**layer.config())`` is
        the same layer before training (its parameter values aside).  Activations and
        initializers appear as the objects the layer holds; a file format turns them into names.
        """
        raise NotImplementedError

    def branch_signature(self) -> Tuple[Hashable, ...]:
        """Which smooth piece of its function the last forward pass ran through.

        A layer whose function has kinks (a relu's 0, a max pool's ties) reports, for every value
        that met a kink, the branch it took; two forward passes with equal signatures ran through
        the same smooth pieces.  The gradient checker compares signatures to skip numerical
        derivatives whose steps crossed a kink.  Smooth layers report ().
        """
        return ()


class Dense(Layer):
    """A fully connected layer: Z = X·W + b, A = f(Z).

    X is batch × n_in, W is n_in × n_out (the seed's orientation: one row per sample), b is a
    1 × n_out row added to every row of X·W, and f is the activation (a name or an Activation).
    ``bias=False`` gives the seed's bias-free layer.  ``init`` names an initializer or is one;
    the weights are drawn when a Network takes the layer, from the network's own generator, and
    the bias starts at zero.  After a forward pass ``cache`` holds (X, Z, A), what backward
    needs, and what a reader can inspect: Z is the pre-activation of the last batch.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: Union[str, Activation] = "identity",
        *,
        bias: bool = True,
        init: Union[str, Initializer] = "xavier_uniform",
    ) -> None:
        self.n_in = check_int(n_in, "n_in", "Dense", 1)
        self.n_out = check_int(n_out, "n_out", "Dense", 1)
        self.activation = ACTIVATIONS.resolve(activation, "Dense")
        self.init = INITIALIZERS.resolve(init, "Dense")
        self.weights = Parameter("weights", kernels.zeros(n_in, n_out))
        self.bias: Optional[Parameter] = None
        if bias:
            self.bias = Parameter("bias", kernels.zeros(1, n_out))
        self.cache: Optional[Tuple[Matrix, Matrix, Matrix]] = None

    def initialize(self, rng: random.Random) -> None:
        """W ← init(rng, n_in, n_out); b ← 0."""
        self.weights.value = self.init(rng, self.n_in, self.n_out)
        if self.bias is not None:
            self.bias.value = kernels.zeros(1, self.n_out)

    def config(self) -> Dict[str, Any]:
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

    def named_parameters(self) -> List[Tuple[str, Parameter]]:
        """[("weights", W), ("bias", b)], without the bias when bias=False."""
        pairs = [("weights", self.weights)]
        if self.bias is not None:
            pairs.append(("bias", self.bias))
        return pairs

    def forward(self, x: Matrix) -> Matrix:
        """A = f(X·W + b); caches X, Z and A."""
        z = kernels.matmul(x, self.weights.value)
        if self.bias is not None:
            z = kernels.add_row(z, self.bias.value[0])
        a = self.activation.forward(z)
        self.cache = (x, z, a)
        return a

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Optional[Matrix]:
        """The chain rule through Z = X·W + b, A = f(Z), given ∂L/∂A:

        δ = ∂L/∂Z = ∂L/∂A ⊙ f′(Z)   (the activation's backward; a full Jacobian for softmax)
        ∂L/∂W = Xᵀ·δ                  (n_in × n_out)
        ∂L/∂b = Σ_rows δ              (1 × n_out: the bias is added to every row)
        ∂L/∂X = δ·Wᵀ                  (batch × n_in, returned)
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

    def output_range(self) -> Tuple[float, float]:
        """The activation's ``output_range``."""
        return self.activation.output_range

    def branch_signature(self) -> Tuple[Hashable, ...]:
        """For each entry z of the cached Z and each kink k of the activation, whether
        z.real > k: the branch the activation took (it branches on that strict inequality).

        The branch, not a three-way side, matters for the complex step: at z = 0 exactly it can
        move the real part by O(h²) ≈ −1e-60, which changes the side but not the branch taken.
        """
        kinks = self.activation.kinks
        if not kinks or self.cache is None:
            return ()
        return tuple(z.real > kink for row in self.cache[1] for z in row for kink in kinks)

    def __repr__(self) -> str:
        bias = "" if self.bias is not None else ", bias=False"
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r}{bias})"
