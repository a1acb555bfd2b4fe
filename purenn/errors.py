"""The exceptions purenn raises.

Every error purenn raises on bad input belongs to one family, ``PurennError``, and also subclasses
the builtin a caller would expect (``ValueError`` for a wrong value or shape), so ``except
ValueError`` keeps working.  Messages name the function that refused the input and, for shapes,
both shapes involved.
"""

__all__ = [
    "PurennError",
    "ShapeError",
    "DataError",
    "ConfigurationError",
    "DivergenceError",
    "StateError",
    "GradientCheckError",
    "ModelFormatError",
]


class PurennError(Exception):
    """Base class of every error raised by purenn on bad input."""


class ShapeError(PurennError, ValueError):
    """A matrix is ragged, empty or non-numeric, or two shapes do not fit the operation."""


class DataError(PurennError, ValueError):
    """A value in the data cannot be used: NaN or ±inf in X or Y, a target outside the range
    its loss allows (a bce target of 2), a class index with no output to match."""


class ConfigurationError(PurennError, ValueError):
    """A name, size or hyper-parameter is not one purenn knows or accepts."""


class DivergenceError(PurennError, ArithmeticError):
    """Training diverged: a batch's loss became NaN or ±inf, or an update would have made a
    weight NaN or ±inf.  The network keeps the last finite weights (and the optimizer the
    state that goes with them)."""


class StateError(PurennError, RuntimeError):
    """A method was called before what it depends on: a layer's backward before its forward."""


class GradientCheckError(PurennError, AssertionError):
    """A gradient check found analytic and numerical gradients that disagree."""


class ModelFormatError(PurennError, ValueError):
    """A saved model or exported file cannot be read back: truncated, corrupt, of an unknown
    format version, holding a value of the wrong type, or with shapes that do not fit the network.
    The message names the file and the field."""
