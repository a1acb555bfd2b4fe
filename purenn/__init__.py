"""purenn: neural networks in pure Python, with every formula in plain sight.

Matrices are nested lists of floats (rows of columns).  The modules, bottom to top, each
importing only those before it (tests/test_layering.py holds the order):

    errors, arguments                     the error family; checks of users' arguments
    kernels, scalar, progress             matrix arithmetic; complex-safe exp/log; progress line
    matrix, encoding, registry            the checked matrix API; class labels; name tables
    activations, losses, initializers     functions and their derivatives
    layers (a subpackage)                 the layer contract, Dense, the image layers, Dropout,
                                          BatchNorm, Normalization, the sequence layers
                                          (embeddings, norms, causal attention, residual
                                          blocks)
    sequence_loss                         next-token cross-entropy over sequences
    optimizers, schedules                 updates and learning rates
    callbacks, metrics                    early stopping; accuracy
    training                              history, batching, the epoch loop
    network                               forward, loss, backward, one training step, fit
    models (a subpackage)                 GPT models: microgpt's, its training recipe, sampling
    compiled (a subpackage)               fit(..., compile=True): generated kernels and
                                          written-out steps, the same bits, faster
    formats (a subpackage)                save, load, checkpoints; export to NumPy, ONNX, Python
    gradient_checking (a subpackage)      backprop against numerical derivatives, planted bugs
    datasets                              data
    plot (a subpackage)                   SVG pictures: loss curves, the architecture, decision
                                          boundaries, the step-size sweep, image grids
    cli (a subpackage)                    the command line, python3 -m purenn and the purenn
                                          script: demo, train, predict, export, gradcheck;
                                          CSV files, one error line per mistake
    tabular                               a CSV file into X, Y and names; a seeded split

``import purenn`` loads the core: the layers, losses, optimizers, the training loop and the
network.  The tools a reader of the core can skip load when first used, as ``pn.datasets``,
``pn.save(…)``, ``pn.gradcheck(…)`` and so on, or by an import: PEP 562's module
``__getattr__`` below imports them then.  ``purenn.compiled`` (the generated kernels and
written-out training steps behind ``fit(..., compile=True)``) is one of them: the reference path
never imports it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from purenn.activations import ELU, Activation, Elementwise, LeakyReLU, ReLU, Softmax
from purenn.callbacks import EarlyStopping
from purenn.encoding import argmax, one_hot
from purenn.errors import (
    ConfigurationError,
    DataError,
    DivergenceError,
    GradientCheckError,
    ModelFormatError,
    PurennError,
    ShapeError,
    StateError,
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
from purenn.layers import (
    AvgPool2D,
    BatchNorm,
    Buffer,
    CausalSelfAttention,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Layer,
    LayerNorm,
    MaxPool2D,
    Normalization,
    Parameter,
    PositionEmbedding,
    Residual,
    RMSNorm,
    SequenceDense,
    register_layer,
)
from purenn.losses import BinaryCrossEntropy, CrossEntropy, Loss, MeanSquaredError
from purenn.metrics import accuracy
from purenn.network import Network
from purenn.optimizers import SGD, Adam, Optimizer, clip_grad_norm
from purenn.schedules import CosineAnnealingLR, ExponentialLR, Schedule, StepLR
from purenn.sequence_loss import SequenceCrossEntropy
from purenn.training import History
from purenn.version import VERSION

if TYPE_CHECKING:  # the lazily loaded names, for type checkers
    from typing import Any

    from purenn import datasets, formats, gradient_checking, models, plot, tabular
    from purenn.formats import (
        export_npz,
        export_onnx,
        export_python,
        import_npz,
        load,
        load_checkpoint,
        save,
    )
    from purenn.gradient_checking import (
        ComplexStepWarning,
        GradientCheckResult,
        gradcheck,
        numerical_gradient,
    )

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
    "Conv2D",
    "MaxPool2D",
    "AvgPool2D",
    "Flatten",
    "Dropout",
    "BatchNorm",
    "Normalization",
    "Buffer",
    "register_layer",
    "SequenceDense",
    "Embedding",
    "PositionEmbedding",
    "RMSNorm",
    "LayerNorm",
    "CausalSelfAttention",
    "Residual",
    "SequenceCrossEntropy",
    "models",
    "formats",
    "tabular",
    "gradient_checking",
    "ModelFormatError",
    "save",
    "load",
    "load_checkpoint",
    "export_npz",
    "import_npz",
    "export_onnx",
    "export_python",
]

__version__ = VERSION

# Loaded on first use, by __getattr__: the modules a network of Dense layers does not need, and
# the names the package gives from them.
_LAZY_MODULES = ("datasets", "plot", "formats", "gradient_checking", "tabular", "models")
_LAZY_NAMES: dict[str, str] = {
    "export_npz": "formats",
    "export_onnx": "formats",
    "export_python": "formats",
    "import_npz": "formats",
    "load": "formats",
    "load_checkpoint": "formats",
    "save": "formats",
    "gradcheck": "gradient_checking",
    "numerical_gradient": "gradient_checking",
    "GradientCheckResult": "gradient_checking",
    "ComplexStepWarning": "gradient_checking",
}


def __getattr__(name: str) -> Any:
    """``pn.datasets``, ``pn.plot``, ``pn.formats`` and the names of _LAZY_NAMES (``pn.save``,
    ``pn.Conv2D``, ``pn.gradcheck``, …), imported when first asked for (PEP 562)."""
    if name in _LAZY_MODULES:
        # The import binds the submodule as this package's attribute: the next look-up finds
        # it without coming here.
        return importlib.import_module(f"purenn.{name}")
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(f"purenn.{_LAZY_NAMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'purenn' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The package's names, the lazily loaded ones included."""
    return sorted({*globals(), *_LAZY_MODULES, *_LAZY_NAMES})
