"""What a written-out step can reproduce exactly, and, where it cannot, why not.

``fit(..., compile=True)`` promises the reference's bits.  A written-out step
(``purenn.compiled.straightline``) spells out the formulas of purenn's own Dense layer, its
activations, the sse and mse losses and plain SGD; anything else, or any of those changed by the
user, would be silently skipped by it.  So before writing a step out, fit asks
``why_not_written_out``, which names the first thing it cannot reproduce: a layer, activation,
loss or optimizer it does not write out, a subclass or an instance that overrides a pass, a
method of purenn's replaced on its class (``Sigmoid.backward = spy``), tied weights.  fit then
runs the reference step and says why in ``History.compiled``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from purenn.activations import (
    Identity,
    ReLU,
    Sigmoid,
    Tanh,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    tanh_derivative,
)
from purenn.layers import Dense
from purenn.losses import MeanSquaredError, SumSquaredError
from purenn.network import Network
from purenn.optimizers import SGD
from purenn.scalar import tanh

if TYPE_CHECKING:
    from typing import Any, Sequence

    from purenn.layers import Layer
    from purenn.losses import Loss
    from purenn.optimizers import Optimizer

__all__ = [
    "WRITTEN_OUT_ACTIVATIONS",
    "foreign_methods",
    "plain_sgd",
    "why_not_written_out",
    "why_not_layers",
]

WRITTEN_OUT_ACTIVATIONS: dict[type, tuple[Any, Any] | None] = {
    Identity: None,
    Sigmoid: (sigmoid, sigmoid_derivative),
    Tanh: (tanh, tanh_derivative),
    ReLU: (relu, relu_derivative),
}
"""The activations a step writes out, by exact type, with the entry functions each instance must
still hold (an Elementwise computes with its ``function`` and ``derivative``)."""

# The methods a written-out step stands in for, per class it writes out.
_NETWORK_PASSES = ("train_step", "backprop", "forward", "backward", "parameters")
_LAYER_PASSES = ("forward", "backward", "named_parameters")
_ACTIVATION_PASSES = ("forward", "backward")
_LOSS_PASSES = ("value_and_gradient",)
_OPTIMIZER_PASSES = ("update", "propose")


def foreign_methods(thing: object, owner: type, names: Sequence[str]) -> list[str]:
    """"Class.method" for each of ``names`` that ``thing`` does not run as purenn's ``owner``
    class defines it: set on the instance, overridden by a subclass, or replaced on a class.

    A method is purenn's own when the class that holds it is purenn's and the function's code
    was compiled from that class's module under the method's name (a wrapper from elsewhere,
    even one made with functools.wraps, was not).

    >>> from purenn.activations import Sigmoid
    >>> foreign_methods(Sigmoid(), Sigmoid, ["forward", "backward"])
    []
    """
    found = []
    for name in names:
        holder = next(klass for klass in type(thing).__mro__ if name in vars(klass))
        if name in vars(thing) or getattr(type(thing), name) is not getattr(owner, name):
            found.append(f"{type(thing).__name__}.{name}")
        elif not _own(holder, name):
            found.append(f"{holder.__name__}.{name}")
    return found


def _own(holder: type, name: str) -> bool:
    """Whether ``holder.name`` is the function purenn's module defines for it."""
    function = vars(holder)[name]
    code = getattr(function, "__code__", None)
    module = sys.modules.get(holder.__module__)
    return (
        holder.__module__.startswith("purenn.") and code is not None and module is not None
        and code.co_name == name and code.co_filename == getattr(module, "__file__", None)
    )


def plain_sgd(optimizer: Optimizer) -> bool:
    """SGD whose update is θ − η·g: no momentum, no weight decay.

    >>> plain_sgd(SGD(lr=0.1)), plain_sgd(SGD(lr=0.1, momentum=0.9))
    (True, False)
    """
    return (type(optimizer) is SGD and optimizer.momentum == 0
            and optimizer.weight_decay == 0)


def why_not_written_out(
    network: Network, optimizer: Optimizer, clip_norm: float | None
) -> str | None:
    """None when a step of ``network`` with ``optimizer`` can be written out exactly, else the
    first reason it cannot, as a phrase.

    >>> import purenn as pn
    >>> net = pn.Network([pn.Dense(3, 4, "sigmoid"), pn.Dense(4, 1, "sigmoid")], loss="sse")
    >>> why_not_written_out(net, pn.SGD(lr=1.0), None) is None
    True
    >>> why_not_written_out(net, pn.Adam(), None)
    'the optimizer Adam(...) is not written out (plain SGD is)'
    """
    if clip_norm is not None:
        return "clip_norm is not written out"
    if not plain_sgd(optimizer):
        return f"the optimizer {type(optimizer).__name__}(...) is not written out (plain SGD is)"
    foreign = [*foreign_methods(network, Network, _NETWORK_PASSES),
               *foreign_methods(optimizer, SGD, _OPTIMIZER_PASSES)]
    if foreign:
        return f"{foreign[0]} is not purenn's own"
    return why_not_layers(network.layers, network.loss_function)


def why_not_layers(layers: Sequence[Layer], loss: Loss) -> str | None:
    """None when ``layers`` and ``loss`` can be written out exactly (chained Dense layers with
    activations of WRITTEN_OUT_ACTIVATIONS, parameters of their own, the sse or mse loss, all
    purenn's own methods), else the first reason they cannot.

    >>> from purenn import Dense
    >>> from purenn.losses import LOSSES
    >>> why_not_layers([Dense(2, 2, "softmax")], LOSSES["cross_entropy"])
    "layers[0]'s activation 'softmax' is not written out (identity, sigmoid, tanh and relu are)"
    """
    return _why_not_dense(layers) or _why_not_loss(loss)


def _why_not_dense(layers: Sequence[Layer]) -> str | None:
    if not layers:
        return "there are no layers"
    for index, layer in enumerate(layers):
        if type(layer) is not Dense:
            return f"layers[{index}] {type(layer).__name__} is not written out (Dense is)"
        activation = layer.activation
        kind = type(activation)
        if kind not in WRITTEN_OUT_ACTIVATIONS:
            return (f"layers[{index}]'s activation {activation.name!r} is not written out "
                    "(identity, sigmoid, tanh and relu are)")
        foreign = [*foreign_methods(layer, Dense, _LAYER_PASSES),
                   *foreign_methods(activation, kind, _ACTIVATION_PASSES)]
        functions = WRITTEN_OUT_ACTIVATIONS[kind]
        if functions is not None and (getattr(activation, "function", None),
                                      getattr(activation, "derivative", None)) != functions:
            foreign.append(f"layers[{index}]'s {activation.name} function")
        if foreign:
            return f"{foreign[0]} is not purenn's own"
        if index and layers[index - 1].n_out != layer.n_in:
            return f"layers[{index}] does not take layers[{index - 1}]'s width"
    parameters = [id(p) for layer in layers for _, p in layer.named_parameters()]
    if len(set(parameters)) != len(parameters):
        # The reference update applies the gradient left last, which no written-out step repeats.
        return "a parameter is shared between layers (tied weights)"
    return None


def _why_not_loss(loss: Loss) -> str | None:
    if type(loss) not in (SumSquaredError, MeanSquaredError):
        return f"the loss {loss.name!r} is not written out (sse and mse are)"
    foreign = foreign_methods(loss, type(loss), _LOSS_PASSES)
    return f"{foreign[0]} is not purenn's own" if foreign else None
