"""Normalization: inputs standardised by statistics learned once from the training data.

A preprocessing layer in the spirit of Keras's ``Normalization`` and scikit-learn's
``StandardScaler``, but part of the network, so that every saved or exported form of the network
carries it and predicts from raw rows.  For n features and a batch X (N × n):

    y_ij = (x_ij − μ_j) / σ_j                 ∂L/∂x_ij = ∂L/∂y_ij / σ_j

and with ``invert=True`` (Keras's name) the inverse, which puts standardised values back into
their own units, so a network can learn a standardised target and still output the raw one:

    y_ij = x_ij · σ_j + μ_j                   ∂L/∂x_ij = ∂L/∂y_ij · σ_j

μ and σ are buffers, not parameters: ``adapt(X)`` sets them once from the training rows, no
optimizer ever moves them, and they are saved with the weights.  ``adapt`` computes, per column
j over the m rows,

    μ_j = (1/m) Σᵢ x_ij        σ_j = √((1/m) Σᵢ (x_ij − μ_j)²)      the population deviation

(two passes, as ``purenn.layers.batchnorm.channel_statistics``; scikit-learn's and Keras's
choice).  A constant column has σ_j = 0: it tells the network nothing, so σ_j is set to 1 (the
column becomes 0, as scikit-learn does) and ``adapt`` warns with ``ConstantFeatureWarning``
naming it.  A column holding NaN or an infinity has no mean: ``adapt`` refuses it with a
DataError naming the column and the row.  Before ``adapt`` the layer is the identity (μ = 0,
σ = 1); loading a saved network sets μ and σ as the file holds them.

The forward pass subtracts and divides, so it is complex-safe and every export (ONNX Sub and
Div, the standalone file's ``(x − m) / s``, PyTorch's ``(x - mean) / std``) computes the same
operations in the same order.  This layer does not impute missing values or scale images per
channel: put it first, on vectors.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

from purenn.arguments import check_entries, check_flag, check_int, shown
from purenn.errors import DataError, ShapeError
from purenn.layers.base import Buffer, Layer, register_layer
from purenn.layers.batchnorm import channel_statistics
from purenn.matrix import as_float_matrix, check_matrix

if TYPE_CHECKING:
    from typing import Any

    from purenn.kernels import Matrix
    from purenn.layers.base import StateShapes

__all__ = ["Normalization", "ConstantFeatureWarning", "feature_statistics"]


class ConstantFeatureWarning(UserWarning):
    """``Normalization.adapt`` found a column with one value in every row: its standard
    deviation is 0, so it is set to 1 and the column carries no information."""


def feature_statistics(x: Matrix) -> tuple[list[float], list[float]]:
    """(μ, σ) of every column of X (m × n): the mean and the population standard deviation.
    A column of one value has exactly that mean and σ = 0 (the two-pass mean of 0.1, 0.1, 0.1
    would otherwise be 0.10000000000000002, and σ a rounding error of 1e-17 to divide by).

    >>> feature_statistics([[1.0, 0.1], [3.0, 0.1], [2.0, 0.1]])
    ([2.0, 0.1], [0.816496580927726, 0.0])
    """
    count = len(x)
    means, deviations = [], []
    for column in zip(*x):
        if min(column) == max(column):
            means.append(column[0])
            deviations.append(0.0)
            continue
        mean, squares = channel_statistics(column)
        means.append(mean)
        deviations.append(math.sqrt(squares / count))
    return means, deviations


def _refuse_non_finite(x: Any, where: str) -> None:
    """DataError naming the first column (and its row) holding NaN or an infinity."""
    for i, row in enumerate(x):
        for j, value in enumerate(row):
            if isinstance(value, (int, float)) and not math.isfinite(value):
                raise DataError(
                    f"{where}: column {j} holds {value!r} (row {i}): a mean and a standard "
                    "deviation need finite numbers in every row; fill in or drop the missing "
                    "values (or drop the column) first"
                )


@register_layer
class Normalization(Layer):
    """Standardises ``num_features`` inputs: y = (x − μ)/σ per feature, with μ and σ the
    buffers "mean" and "std" (1 × n each) that ``adapt`` learns from the training rows (the
    formulas are in the module docstring); ``invert=True`` computes y = x·σ + μ instead, the
    last layer of a network that learns a standardised target (adapt it to the targets).
    Takes and gives vectors (n,).  No parameters.

    >>> layer = Normalization(2)
    >>> layer.adapt([[1.0, 10.0], [3.0, 30.0]])
    >>> layer.mean.value, layer.std.value
    ([[2.0, 20.0]], [[1.0, 10.0]])
    >>> layer.forward([[3.0, 0.0]])
    [[1.0, -2.0]]
    >>> layer.backward([[1.0, 1.0]])
    [[1.0, 0.1]]
    >>> back = Normalization(2, invert=True)
    >>> back.adapt([[1.0, 10.0], [3.0, 30.0]])
    >>> back.forward([[1.0, -2.0]])
    [[3.0, 0.0]]
    """

    def __init__(self, num_features: int, *, invert: bool = False) -> None:
        self.num_features = check_int(num_features, "num_features", "Normalization", 1)
        check_entries(self.num_features, f"{shown(num_features)} features", "Normalization")
        self.invert = check_flag(invert, "invert", "Normalization")
        self.n_in = self.n_out = self.num_features
        self.mean = Buffer("mean", [[0.0] * self.num_features])
        self.std = Buffer("std", [[1.0] * self.num_features])
        self.constant: list[int] = []  # the columns the last adapt found constant

    def adapt(self, x: Any) -> None:
        """Learn μ and σ of every feature from the rows of X (m × n, m ≥ 1), as the module
        docstring says; warns with ConstantFeatureWarning for each constant column (its σ
        becomes 1) and raises DataError for a column holding NaN or ±inf, ShapeError for X of
        the wrong width.

        >>> layer = Normalization(2)
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     layer.adapt([[1.0, 7.0], [3.0, 7.0]])
        >>> layer.std.value, str(caught[0].message)  # doctest: +ELLIPSIS
        ([[1.0, 1.0]], 'Normalization.adapt: column 1 is constant (7.0 in every row): ...')
        """
        where = "Normalization.adapt"
        check_matrix(x, where, "X")
        _refuse_non_finite(x, where)
        matrix = as_float_matrix(x, where, "X")
        if len(matrix[0]) != self.num_features:
            raise ShapeError(
                f"{where}: X has {len(matrix[0])} columns but the layer standardises "
                f"{self.num_features} features"
            )
        means, deviations = feature_statistics(matrix)
        for j, deviation in enumerate(deviations):
            if deviation == 0.0:
                warnings.warn(
                    f"{where}: column {j} is constant ({shown(matrix[0][j])} in every row): it "
                    "tells the network nothing; its standard deviation is taken as 1",
                    ConstantFeatureWarning,
                    stacklevel=2,
                )
        self.constant = [j for j, deviation in enumerate(deviations) if deviation == 0.0]
        self.mean.value = [means]
        self.std.value = [[deviation if deviation > 0.0 else 1.0 for deviation in deviations]]

    def named_buffers(self) -> list[tuple[str, Buffer]]:
        """[("mean", μ), ("std", σ)].

        >>> [name for name, _ in Normalization(2).named_buffers()]
        ['mean', 'std']
        """
        return [("mean", self.mean), ("std", self.std)]

    def check_buffers(self, values: dict[str, Matrix]) -> None:
        """DataError unless every σ is > 0 (the layer divides by it).

        >>> Normalization(2).check_buffers({"mean": [[0.0, 0.0]], "std": [[1.0, 0.0]]})
        Traceback (most recent call last):
        ...
        purenn.errors.DataError: Normalization(2): std[1] is 0.0, but a standard deviation it \
divides by is > 0
        """
        for index, deviation in enumerate(values["std"][0]):
            if not deviation > 0.0:
                raise DataError(
                    f"{self!r}: std[{index}] is {deviation!r}, but a standard deviation it "
                    "divides by is > 0"
                )

    @classmethod
    def state_shapes(cls, config: dict[str, Any]) -> StateShapes:
        """The buffers μ ("mean") and σ ("std"), 1 × n each.

        >>> Normalization.state_shapes(Normalization(3).config())
        {'mean': (1, 3), 'std': (1, 3)}
        """
        row = (1, check_int(config["num_features"], "num_features", "Normalization", 1))
        return {"mean": row, "std": row}

    def config(self) -> dict[str, Any]:
        """{"num_features": n, "invert": flag}: μ and σ are state, saved with the weights.

        >>> Normalization(3).config()
        {'num_features': 3, 'invert': False}
        """
        return {"num_features": self.num_features, "invert": self.invert}

    def forward(self, x: Matrix) -> Matrix:
        """Y = (X − μ)/σ, or X·σ + μ inverted, row by row (nothing to cache: σ is all backward
        needs).

        >>> layer = Normalization(2)
        >>> layer.adapt([[1.0, 10.0], [3.0, 30.0]])
        >>> layer.forward([[2.0, 20.0], [3.0, 30.0]])
        [[0.0, 0.0], [1.0, 1.0]]
        """
        mean, std = self.mean.value[0], self.std.value[0]
        if self.invert:
            return [[value * s + m for value, m, s in zip(row, mean, std)] for row in x]
        return [[(value - m) / s for value, m, s in zip(row, mean, std)] for row in x]

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """∂L/∂X = ∂L/∂Y / σ, or ∂L/∂Y · σ inverted, column by column (None if not needed): it
        needs nothing from forward.

        >>> layer = Normalization(2)
        >>> layer.adapt([[1.0, 10.0], [3.0, 30.0]])
        >>> layer.backward([[1.0, 1.0]])
        [[1.0, 0.1]]
        """
        if not need_input_grad:
            return None
        std = self.std.value[0]
        if self.invert:
            return [[g * s for g, s in zip(row, std)] for row in grad_output]
        return [[g / s for g, s in zip(row, std)] for row in grad_output]

    def __repr__(self) -> str:
        invert = ", invert=True" if self.invert else ""
        return f"Normalization({self.num_features}{invert})"


