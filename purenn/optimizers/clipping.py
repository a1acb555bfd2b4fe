"""Gradient clipping by the global L2 norm, as ``torch.nn.utils.clip_grad_norm_``."""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

from purenn.arguments import check_real, shown
from purenn.errors import ShapeError
from purenn.matrix import check_matrix

if TYPE_CHECKING:
    from typing import Any, Sequence

    from purenn.kernels import Matrix

__all__ = ["CLIP_EPSILON", "clip_grad_norm", "check_max_norm", "clip_checked_gradients"]

# PyTorch's clip_grad_norm_ adds this to the norm so the scale factor stays finite at norm 0.
CLIP_EPSILON = 1e-6


def clip_grad_norm(gradients: Sequence[Matrix], max_norm: float) -> float:
    """Scale the gradients IN PLACE so their global L2 norm is at most ``max_norm``; return
    the norm before clipping.

    ‖g‖ = √(Σ over every entry of every gradient of g²); each entry is multiplied by
    c = min(1, max_norm / (‖g‖ + 1e-6)), as ``torch.nn.utils.clip_grad_norm_`` does (so c < 1
    as soon as ‖g‖ > max_norm − 1e-6).  A non-finite norm leaves the gradients untouched.
    Raises ConfigurationError unless max_norm is a finite number > 0, and ShapeError unless
    ``gradients`` is a list of matrices.

    >>> gradients = [[[3.0, 4.0]]]
    >>> clip_grad_norm(gradients, 1.0)
    5.0
    >>> [round(g, 6) for g in gradients[0][0]]
    [0.6, 0.8]
    """
    limit = check_max_norm(max_norm, "clip_grad_norm")
    if not isinstance(gradients, (list, tuple)):
        raise ShapeError(
            f"clip_grad_norm: gradients must be a list of matrices, got {shown(gradients)}"
        )
    for index, gradient in enumerate(gradients):
        _check_gradient(gradient, f"gradients[{index}]")
    return clip_checked_gradients(gradients, limit)


_LARGEST_FLOAT_INT = int(sys.float_info.max)


def _check_gradient(gradient: Any, name: str) -> None:
    """A matrix of floats, or of ints a float can hold: its entries are scaled in place, which a
    Decimal or a complex entry cannot be, and an int beyond the floats has no norm."""
    check_matrix(gradient, "clip_grad_norm", name)
    for i, row in enumerate(gradient):
        if not isinstance(row, list):  # checked for every gradient before any is scaled
            raise ShapeError(f"clip_grad_norm: {name}[{i}] must be a list (rows are scaled in "
                             f"place), got {shown(row)}")
        for j, value in enumerate(row):
            if type(value) is not float and not (
                isinstance(value, int) and abs(value) <= _LARGEST_FLOAT_INT
            ):
                raise ShapeError(
                    f"clip_grad_norm: {name}[{i}][{j}] must be a float, got {shown(value)}"
                )


def check_max_norm(max_norm: Any, where: str) -> float:
    """Return ``max_norm`` as a float; it must be a finite number > 0.

    >>> check_max_norm(1, "fit")
    1.0
    >>> check_max_norm(0, "fit")
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: fit: max_norm must be a finite number > 0, got 0
    """
    return check_real(max_norm, "max_norm", where, low=0.0, include_low=False)


def clip_checked_gradients(gradients: Sequence[Matrix], max_norm: float) -> float:
    """``clip_grad_norm`` on gradients and max_norm already checked (the training loop's).

    ‖g‖ = √(3² + 4² + 12²) = 13 here, below max_norm, so nothing changes; entries whose
    squares would overflow still give their norm:

    >>> gradients = [[[3.0, 4.0]], [[12.0]]]
    >>> clip_checked_gradients(gradients, 100.0), gradients
    (13.0, [[[3.0, 4.0]], [[12.0]]])
    >>> f"{clip_checked_gradients([[[3e200, 4e200]]], 1e300):.3g}"
    '5e+200'
    """
    # hypot scales internally, so a norm of entries near 1e200 (whose squares overflow) or
    # 1e-200 (whose squares underflow to 0) is still exact to rounding, and clipping works.
    total_norm = math.hypot(*(math.hypot(*row) for gradient in gradients for row in gradient))
    factor = max_norm / (total_norm + CLIP_EPSILON)
    if math.isfinite(total_norm) and factor < 1.0:
        for gradient in gradients:
            for row in gradient:
                row[:] = [g * factor for g in row]
    return total_norm
