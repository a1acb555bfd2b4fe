"""purenn: neural networks in pure Python, with every formula in plain sight.

Matrices are nested lists of floats (rows of columns).  The modules, bottom to top, each
importing only those before it (tests/test_layering.py holds the order):

    errors, arguments                     the error family; checks of users' arguments
    kernels, scalar, progress             matrix arithmetic; complex-safe exp/log; progress line
    matrix, encoding, registry            the checked matrix API; class labels; name tables
    activations, losses, initializers     functions and their derivatives
    layers                                parameters and the chain rule per layer
    optimizers, schedules                 updates and learning rates
    callbacks, metrics                    early stopping; accuracy
    training                              history, batching, the epoch loop
    network                               forward, loss, backward, fit
    gradcheck (a subpackage), datasets    backprop against numerical derivatives, planted
                                          bugs; data
    plot (a subpackage)                   SVG pictures: loss curves, the architecture, decision
                                          boundaries, the step-size sweep, image grids
    cli                                   the command line
"""

from purenn import datasets, plot
from purenn.activations import ELU, Activation, Elementwise, LeakyReLU, ReLU, Softmax
from purenn.callbacks import EarlyStopping
from purenn.encoding import argmax, one_hot
from purenn.errors import (
    ConfigurationError,
    DataError,
    DivergenceError,
    GradientCheckError,
    PurennError,
    ShapeError,
    StateError,
)
from purenn.gradcheck import (
    ComplexStepWarning,
    GradientCheckResult,
    gradcheck,
    numerical_gradient,
)
from purenn.initializers import (
    Normal,
    Uniform,
    box_muller,
    he_normal,
    he_uniform,
    xavier_normal,
    xavier_uniform,
)
from purenn.layers import Dense, Layer, Parameter
from purenn.losses import BinaryCrossEntropy, CrossEntropy, Loss, MeanSquaredError
from purenn.metrics import accuracy
from purenn.network import Network
from purenn.optimizers import SGD, Adam, Optimizer, clip_grad_norm
from purenn.schedules import CosineAnnealingLR, ExponentialLR, Schedule, StepLR
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
    "DataError",
    "StateError",
    "Uniform",
    "xavier_uniform",
    "argmax",
    "one_hot",
    "datasets",
    "plot",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Softmax",
    "MeanSquaredError",
    "BinaryCrossEntropy",
    "CrossEntropy",
    "Normal",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "box_muller",
    "Adam",
    "clip_grad_norm",
    "Schedule",
    "StepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "EarlyStopping",
    "accuracy",
    "gradcheck",
    "numerical_gradient",
]

__version__ = "0.1.0"
