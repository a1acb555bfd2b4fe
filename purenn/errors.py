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
    """Base class of every error raised by purenn on bad input.

    >>> from purenn.encoding import one_hot
    >>> try:
    ...     one_hot([])
    ... except PurennError as error:
    ...     print(repr(error))
    ShapeError('one_hot: labels must be a non-empty list of ints ≥ 0, got []')
    """


class ShapeError(PurennError, ValueError):
    """A matrix is ragged, empty or non-numeric, or two shapes do not fit the operation.

    >>> from purenn.matrix import add
    >>> try:
    ...     add([[1.0]], [[1.0, 2.0]])
    ... except ValueError as error:
    ...     print(repr(error))
    ShapeError('add: shapes differ: A is 1×1, B is 1×2')
    """


class DataError(PurennError, ValueError):
    """A value in the data cannot be used: NaN or ±inf in X or Y, a target outside the range
    its loss allows (a bce target of 2), a class index with no output to match.

    >>> from purenn.matrix import as_float_matrix
    >>> try:
    ...     as_float_matrix([[1.0, float("inf")]], "fit", "X")
    ... except ValueError as error:
    ...     print(repr(error))
    DataError('fit: X[0][1] is inf; data must be finite numbers')
    """


class ConfigurationError(PurennError, ValueError):
    """A name, size or hyper-parameter is not one purenn knows or accepts.

    >>> from purenn.optimizers import SGD
    >>> try:
    ...     SGD(lr=-0.1)
    ... except ValueError as error:
    ...     print(repr(error))
    ConfigurationError('SGD: learning rate must be a finite number ≥ 0, got -0.1')
    """


class DivergenceError(PurennError, ArithmeticError):
    """Training diverged: a batch's loss or the validation loss became NaN or ±inf, an update
    would have made a weight NaN or ±inf, or a schedule's learning rate overflowed.  The network
    keeps the last finite weights (and the optimizer the state that goes with them).

    >>> from purenn.layers import Parameter
    >>> from purenn.optimizers import SGD
    >>> w = Parameter("w", [[1.0]])
    >>> try:
    ...     SGD(lr=1e10).step([w], [[[1e300]]])
    ... except ArithmeticError as error:
    ...     print(type(error).__name__, w.value)
    DivergenceError [[1.0]]
    """


class StateError(PurennError, RuntimeError):
    """A method was called before what it depends on: a layer's backward before its forward.

    >>> from purenn.layers import Dense
    >>> try:
    ...     Dense(1, 1).backward([[1.0]])
    ... except RuntimeError as error:
    ...     print(repr(error))
    StateError('Dense.backward: called before forward (nothing cached)')
    """


class GradientCheckError(PurennError, AssertionError):
    """A gradient check found analytic and numerical gradients that disagree.

    >>> from purenn import Dense, Elementwise, Network, gradcheck
    >>> wrong = Elementwise("wrong", lambda z: 2 * z, lambda z, a: 1.0)  # f′(z) is 2, not 1
    >>> net = Network([Dense(1, 1, wrong)], seed=0)
    >>> try:
    ...     gradcheck(net, [[1.0]], [[0.0]], raise_on_failure=True)
    ... except AssertionError as error:
    ...     print(type(error).__name__)
    GradientCheckError
    """


class ModelFormatError(PurennError, ValueError):
    """A saved model or exported file cannot be read back: truncated, corrupt, of an unknown
    format version, holding a value of the wrong type, or with shapes that do not fit the network.
    The message names the file and the field.  Also raised when a network holds a layer that a
    file format does not take: the message names the layer and the formats that do.

    >>> import os, tempfile
    >>> from purenn import load
    >>> path = os.path.join(tempfile.mkdtemp(), "empty.json")
    >>> _ = open(path, "w").close()
    >>> try:
    ...     load(path)
    ... except ValueError as error:
    ...     print(type(error).__name__, "damaged or truncated JSON" in str(error))
    ModelFormatError True
    """
