"""purenn: neural networks in pure Python, with every formula in plain sight.

Matrices are nested lists of floats (rows of columns).  The modules, bottom to top, each
importing only those before it:

    errors, kernels, matrix, scalar      numbers and matrices
    activations, losses, initializers,    functions and their derivatives,
    encoding                              class labels
    layers                                parameters and the chain rule per layer
    optimizers, training                  updates, history, batching
    network                               forward, loss, backward, fit
    gradcheck                             backprop against numerical derivatives
    datasets, cli                         data and the command line
"""

from purenn.activations import Activation, Elementwise
from purenn.encoding import argmax, one_hot
from purenn.errors import (
    ConfigurationError,
    DivergenceError,
    GradientCheckError,
    PurennError,
    ShapeError,
)
from purenn.gradcheck import (
    ComplexStepWarning,
    GradientCheckResult,
    gradcheck,
    numerical_gradient,
)
from purenn.initializers import uniform, xavier_uniform
from purenn.layers import Dense, Layer, Parameter
from purenn.losses import Loss
from purenn.network import Network
from purenn.optimizers import SGD, Optimizer
from purenn.training import History

__all__ = [
    "Activation",
    "ComplexStepWarning",
    "ConfigurationError",
    "Dense",
    "DivergenceError",
    "GradientCheckError",
    "GradientCheckResult",
    "Elementwise",
    "History",
    "Layer",
    "Loss",
    "Network",
    "Optimizer",
    "Parameter",
    "PurennError",
    "SGD",
    "ShapeError",
    "uniform",
    "xavier_uniform",
    "argmax",
    "one_hot",
    "gradcheck",
    "numerical_gradient",
]

__version__ = "0.1.0"
