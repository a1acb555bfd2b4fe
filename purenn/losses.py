"""Loss functions, each with its gradient, in a registry by name.

A loss compares the network's output P (batch × outputs) with the target T and returns a number;
``gradient`` returns ∂L/∂P, the same shape as P, which starts backpropagation.  Each loss states
its reduction: "sum" adds over every sample and output (the seed's sum of squares), "mean"
divides by a count, so a loss over a mini-batch keeps the same scale as over the full data.

``prepare_target`` is where a loss checks and converts the targets users pass; the default takes
a matrix of the output's width.  ``value`` is complex-safe (see ``purenn.scalar``) so the complex
step can differentiate through it.
"""

from typing import Any, Dict, List, Union

from purenn.errors import ConfigurationError, ShapeError
from purenn.kernels import Matrix
from purenn.matrix import as_float_matrix, format_shape

__all__ = ["Loss", "SumSquaredError", "LOSSES", "get_loss", "register_loss"]


class Loss:
    """Base class: ``value(P, T) -> float`` and ``gradient(P, T) -> ∂L/∂P``."""

    name: str = "loss"
    reduction: str = "sum"

    def value(self, output: Matrix, target: Matrix) -> float:
        """L(P, T) for output P and target T of the same shape."""
        raise NotImplementedError

    def gradient(self, output: Matrix, target: Matrix) -> Matrix:
        """∂L/∂P, the same shape as P."""
        raise NotImplementedError

    def prepare_target(self, target: Any, rows: int, outputs: int, where: str) -> Matrix:
        """Check the user's targets against ``rows`` samples and ``outputs`` network outputs.

        Returns them as a float matrix; raises ShapeError naming ``where`` and both shapes.
        """
        matrix = as_float_matrix(target, where, "Y")
        got = (len(matrix), len(matrix[0]))
        if got != (rows, outputs):
            raise ShapeError(
                f"{where}: Y is {format_shape(got)} but the network gives "
                f"{format_shape((rows, outputs))} for this X (the {self.name} loss needs both "
                "the same shape)"
            )
        return matrix

    def __repr__(self) -> str:
        return f"<loss {self.name}>"


class SumSquaredError(Loss):
    """The seed's loss: L = Σ_ij (T_ij − P_ij)², summed over samples and outputs."""

    name = "sse"
    reduction = "sum"

    def value(self, output: Matrix, target: Matrix) -> float:
        """L = Σ_ij (T_ij − P_ij)²."""
        total = 0.0
        for output_row, target_row in zip(output, target):
            for p, t in zip(output_row, target_row):
                difference = p - t
                total += difference * difference
        return total

    def gradient(self, output: Matrix, target: Matrix) -> Matrix:
        """∂L/∂P_ij = 2(P_ij − T_ij)."""
        return [
            [2.0 * (p - t) for p, t in zip(output_row, target_row)]
            for output_row, target_row in zip(output, target)
        ]


LOSSES: Dict[str, Loss] = {}


def register_loss(loss: Loss) -> Loss:
    """Add a loss to the registry under ``loss.name``; returns it."""
    LOSSES[loss.name] = loss
    return loss


register_loss(SumSquaredError())


def known_names() -> List[str]:
    """The registered loss names, sorted."""
    return sorted(LOSSES)


def get_loss(spec: Union[str, Loss]) -> Loss:
    """The loss named ``spec`` (or ``spec`` itself if it already is one).

    Raises ConfigurationError (a ValueError) listing the known names for an unknown one.
    """
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, str) and spec in LOSSES:
        return LOSSES[spec]
    raise ConfigurationError(f"unknown loss {spec!r}; known losses: {', '.join(known_names())}")
