"""Activation functions, each next to its derivative, in a registry by name.

An activation maps a layer's pre-activation Z (batch × width) to its output A = f(Z), and in the
backward pass turns the upstream gradient ∂L/∂A into ∂L/∂Z.  Most activations act entrywise, so
∂L/∂Z = ∂L/∂A ⊙ f′(Z); ``Elementwise`` builds those from a scalar function and its derivative.

    base       Activation, Elementwise (f and f′ entry by entry), Identity
    classic    sigmoid, tanh and relu
    extended   leaky relu, ELU, softplus, GELU
    softmax    softmax over each row

Every derivative here has the signature ``derivative(z, a)``: it returns f′ at the pre-activation
z, and receives a = f(z) as well so it can use whichever is cheaper or stabler (σ′(z) = a(1 − a)
reuses the forward value instead of computing another exponential).

Forward functions follow the complex-safety rule of ``purenn.scalar`` so that the gradient
checker's complex step works through every activation.  Each formula is written once, per entry:
``Elementwise`` calls f (and f′) once per entry, the plain reference that runs by default.
``fit(..., compile=True)`` writes sigmoid, tanh and relu out in its generated step
(``purenn.compiled.straightline``), held to these functions bit for bit by the tests.

>>> sorted(ACTIVATIONS)[:4]
['elu', 'gelu', 'identity', 'leaky_relu']
"""

from __future__ import annotations

import math

from purenn.activations.base import Activation, Elementwise, Identity
from purenn.activations.classic import (
    ReLU,
    Sigmoid,
    Tanh,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    tanh_derivative,
)
from purenn.activations.extended import (
    ELU,
    LeakyReLU,
    gelu,
    gelu_derivative,
    softplus,
    softplus_derivative,
)
from purenn.activations.softmax import Softmax, softmax, softmax_shift
from purenn.registry import Registry

__all__ = [
    "Activation",
    "Elementwise",
    "Identity",
    "ACTIVATIONS",
    "identity",
    "sigmoid",
    "sigmoid_derivative",
    "Sigmoid",
    "tanh_derivative",
    "Tanh",
    "relu",
    "relu_derivative",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "softplus",
    "softplus_derivative",
    "gelu",
    "gelu_derivative",
    "softmax_shift",
    "softmax",
    "Softmax",
]

identity = Identity()

ACTIVATIONS: Registry[Activation] = Registry(
    "activation", lambda spec: isinstance(spec, Activation)
)
"""The activations by name: ``Dense(…, activation=name)`` resolves here.  Register your own
with ``ACTIVATIONS.register(activation.name, activation)``."""

for _activation in (
    identity,
    Sigmoid(),
    Tanh(),
    ReLU(),
    LeakyReLU(),
    ELU(),
    Elementwise("softplus", softplus, softplus_derivative, output_range=(0.0, math.inf)),
    Elementwise("gelu", gelu, gelu_derivative),
    Softmax(),
):
    ACTIVATIONS.register(_activation.name, _activation)
