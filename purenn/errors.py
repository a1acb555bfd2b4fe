"""The exceptions purenn raises.

Every error purenn raises on bad input belongs to one family, ``PurennError``, and also subclasses
the builtin a caller would expect (``ValueError`` for a wrong value or shape), so ``except
ValueError`` keeps working.  Messages name the function that refused the input and, for shapes,
both shapes involved.
"""

__all__ = [
    "PurennError",
    "ShapeError",
    "ConfigurationError",
    "DivergenceError",
    "GradientCheckError",
]


class PurennError(Exception):
    """Base class of every error raised by purenn on bad input."""


class ShapeError(PurennError, ValueError):
    """A matrix is ragged, empty or non-numeric, or two shapes do not fit the operation."""


class ConfigurationError(PurennError, ValueError):
    """A name, size or hyper-parameter is not one purenn knows or accepts."""


class DivergenceError(PurennError, ArithmeticError):
    """Training produced a loss that is NaN or infinite."""


class GradientCheckError(PurennError, AssertionError):
    """A gradient check found analytic and numerical gradients that disagree."""
