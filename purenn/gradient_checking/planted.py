"""Planted bugs: the classic mistakes of a hand-written backward pass, to see a check fail.

``PLANTED_BUGS`` maps a bug's name to a ``PlantedBug``: a one-line description and a function
that plants the bug into a given network, in place, by wrapping one of the objects the network
is made of (a layer's activation, the network's loss, a layer).  ``plant_bug(net, name)`` looks
the name up and plants it.  Each bug changes a gradient only: the forward pass and the loss stay
exactly as they were, so a gradient check, which differentiates the loss, sees the disagreement.

For teachers (``python3 -m purenn gradcheck --plant-bug NAME``) and as the negative controls of
the test suite.  The core knows nothing of this module; nothing here is meant for training.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn import kernels
from purenn.activations import Activation, Elementwise
from purenn.arguments import shown
from purenn.errors import ConfigurationError
from purenn.layers import Dense, Layer, Parameter
from purenn.losses import Loss
from purenn.network import Network
from purenn.registry import Registry

if TYPE_CHECKING:
    from typing import Any, Callable, Hashable, List

    from purenn.kernels import Matrix

    BiasRule = Callable[[Matrix], List[float]]

__all__ = ["PlantedBug", "PLANTED_BUGS", "plant_bug", "format_planted_bugs"]

_WHERE = "plant_bug"


class PlantedBug:
    """A bug to plant: its ``name``, a one-line ``description``, and ``plant(net)``, which
    plants it into ``net`` in place and returns where it went (e.g. "layers[0] (tanh)").

    >>> bug = PLANTED_BUGS["missing_factor_2"]
    >>> print(bug.description)
    the loss gradient is missing its factor 2: ∂L/∂P = P − T instead of 2(P − T) for sse
    """

    def __init__(self, name: str, description: str, plant: Callable[[Network], str]) -> None:
        self.name = name
        self.description = description
        self.plant = plant

    def __repr__(self) -> str:
        return f"<planted bug {self.name}>"


# -- the wrappers that carry the bugs ----------------------------------------------------------


class _SignFlipped(Activation):
    """The wrapped activation with the sign of its derivative flipped: δ = −∂L/∂A ⊙ f′(Z)."""

    def __init__(self, inner: Activation) -> None:
        self.inner = inner
        self.name = inner.name
        self.kinks = inner.kinks

    def forward(self, z: Matrix) -> Matrix:
        return self.inner.forward(z)

    def backward(self, z: Matrix, a: Matrix, grad_a: Matrix) -> Matrix:
        return kernels.scale(self.inner.backward(z, a, grad_a), -1.0)


def _derivative_at_activation(activation: Elementwise) -> Elementwise:
    # f′ handed a = f(z) where it expects z (and f(a) as "its" activation): f′(A), not f′(Z).
    function, derivative = activation.function, activation.derivative
    return Elementwise(
        activation.name,
        function,
        lambda z, a: derivative(a, function(a)),
        activation.kinks,
    )


class _HalvedGradient(Loss):
    """The wrapped loss, with the same value but half its gradient."""

    def __init__(self, inner: Loss) -> None:
        self.inner = inner
        self.name = inner.name
        self.reduction = inner.reduction

    def value(self, output: Matrix, target: Matrix) -> float:
        return self.inner.value(output, target)

    def gradient(self, output: Matrix, target: Matrix) -> Matrix:
        return kernels.scale(self.inner.gradient(output, target), 0.5)

    def prepare_target(self, target: Any, rows: int, outputs: int, where: str) -> Matrix:
        return self.inner.prepare_target(target, rows, outputs, where)


class _WrongBiasGradient(Layer):
    """The wrapped Dense layer, with ∂L/∂b = rule(δ) instead of Σ_rows δ."""

    def __init__(self, inner: Dense, bias: Parameter, rule: BiasRule) -> None:
        self.inner, self.bias, self.rule = inner, bias, rule
        self.n_in, self.n_out = inner.n_in, inner.n_out

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        return self.inner.named_parameters()

    def forward(self, x: Matrix) -> Matrix:
        return self.inner.forward(x)

    def branch_signature(self) -> tuple[Hashable, ...]:
        return self.inner.branch_signature()

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        grad_input = self.inner.backward(grad_output, need_input_grad)
        # inner.backward has just run, so inner.cache holds this batch's (X, Z, A).
        assert self.inner.cache is not None
        _, z, a = self.inner.cache
        self.bias.grad = [self.rule(self.inner.activation.backward(z, a, grad_output))]
        return grad_input

    def __repr__(self) -> str:
        return repr(self.inner)


def _first_row(delta: Matrix) -> list[float]:
    return list(delta[0])


def _column_means(delta: Matrix) -> list[float]:
    return [total / len(delta) for total in kernels.column_sums(delta)]


# -- planting ----------------------------------------------------------------------------------


def _first_dense(net: Network, bug: str, elementwise: bool = False) -> tuple[int, Dense]:
    for index, layer in enumerate(net.layers):
        if isinstance(layer, Dense) and (
            not elementwise or isinstance(layer.activation, Elementwise)
        ):
            return index, layer
    wanted = "a Dense layer with an elementwise activation" if elementwise else "a Dense layer"
    raise ConfigurationError(f"{_WHERE}: {shown(bug)} needs {wanted}; this network has none")


def _plant_sign_flip(net: Network) -> str:
    index, layer = _first_dense(net, "sign_flip")
    layer.activation = _SignFlipped(layer.activation)
    return f"layers[{index}] ({layer.activation.name})"


def _plant_missing_factor_2(net: Network) -> str:
    net.loss_function = _HalvedGradient(net.loss_function)
    return f"the {net.loss_function.name} loss"


def _plant_derivative_at_activation(net: Network) -> str:
    index, layer = _first_dense(net, "derivative_at_activation", elementwise=True)
    assert isinstance(layer.activation, Elementwise)  # _first_dense(..., elementwise=True)
    layer.activation = _derivative_at_activation(layer.activation)
    return f"layers[{index}] ({layer.activation.name})"


def _wrap_bias_gradients(net: Network, bug: str, rule: BiasRule) -> str:
    # Every layer with a bias: the bug is in the code all Dense layers share.
    places = []
    for index, layer in enumerate(net.layers):
        if isinstance(layer, Dense) and layer.bias is not None:
            net.layers[index] = _WrongBiasGradient(layer, layer.bias, rule)
            places.append(f"layers[{index}]")
    if not places:
        raise ConfigurationError(
            f"{_WHERE}: {shown(bug)} needs a layer with a bias; this network has none"
        )
    return ", ".join(places)


def _plant_bias_not_summed(net: Network) -> str:
    return _wrap_bias_gradients(net, "bias_not_summed", _first_row)


def _plant_bias_averaged(net: Network) -> str:
    return _wrap_bias_gradients(net, "bias_averaged", _column_means)


PLANTED_BUGS: Registry[PlantedBug] = Registry(
    "planted bug", lambda spec: isinstance(spec, PlantedBug)
)
for _bug in (
    PlantedBug(
        "sign_flip",
        "the first layer's activation derivative has the wrong sign: δ = −∂L/∂A ⊙ f′(Z)",
        _plant_sign_flip,
    ),
    PlantedBug(
        "missing_factor_2",
        "the loss gradient is missing its factor 2: ∂L/∂P = P − T instead of 2(P − T) for sse",
        _plant_missing_factor_2,
    ),
    PlantedBug(
        "derivative_at_activation",
        "the activation's derivative is taken at A = f(Z) instead of Z: f′(A), not f′(Z)",
        _plant_derivative_at_activation,
    ),
    PlantedBug(
        "bias_not_summed",
        "the bias gradient is not summed over the batch: ∂L/∂b = the first row of δ, not Σ_rows δ",
        _plant_bias_not_summed,
    ),
    PlantedBug(
        "bias_averaged",
        "the bias gradient is averaged, not summed, over the batch: (1/n)·Σ_rows δ, not Σ_rows δ",
        _plant_bias_averaged,
    ),
):
    PLANTED_BUGS.register(_bug.name, _bug)


def plant_bug(net: Network, name: str) -> str:
    """Plant the bug PLANTED_BUGS[name] into ``net`` (in place); return where it went.

    Plant one bug into a fresh network: the loss and the forward pass are unchanged, only a
    gradient is wrong.  A bug can be invisible on some networks, and the check then rightly
    passes: derivative_at_activation changes nothing for relu and leaky_relu, whose
    f′(f(z)) = f′(z).  Raises ConfigurationError for an unknown name (listing the known ones)
    or a network the bug cannot go into (e.g. a bias bug in a network without biases).

    >>> import purenn as pn
    >>> X, Y = [[0.0, 1.0], [1.0, 0.5]], [[1.0], [0.0]]
    >>> net = pn.Network([pn.Dense(2, 2, "tanh"), pn.Dense(2, 1, "sigmoid")], "sse", seed=0)
    >>> pn.gradcheck(net, X, Y).ok
    True
    >>> plant_bug(net, "sign_flip")
    'layers[0] (tanh)'
    >>> pn.gradcheck(net, X, Y).ok
    False
    """
    if not isinstance(net, Network):
        raise ConfigurationError(f"{_WHERE}: net must be a Network, got {shown(net)}")
    return PLANTED_BUGS.resolve(name, _WHERE).plant(net)


def format_planted_bugs(indent: str = "  ") -> str:
    """The names of PLANTED_BUGS, each followed by its description on an indented line.

    >>> print(format_planted_bugs())  # doctest: +ELLIPSIS
      sign_flip
          the first layer's activation derivative has the wrong sign: δ = −∂L/∂A ⊙ f′(Z)
      missing_factor_2
    ...
    """
    return "\n".join(
        f"{indent}{bug.name}\n{indent}    {bug.description}" for bug in PLANTED_BUGS.values()
    )
