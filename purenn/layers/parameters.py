"""What a layer holds in matrices: parameters, which the optimizer trains, and buffers, which
the layer updates itself (BatchNorm's running statistics); both are saved with the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ShapeError

if TYPE_CHECKING:
    from purenn.kernels import Matrix

__all__ = ["Parameter", "Buffer"]


class Parameter:
    """A trainable matrix: ``value`` (read and assign in place) and ``grad`` (∂L/∂value).

    ``name`` is the parameter's path in its network, e.g. ``"layers[0].weights"``, once a
    network owns it; before that it is the layer's local name.

    >>> w = Parameter("w", [[1.0, 2.0]])
    >>> w, w.shape, w.grad
    (<Parameter w 1×2>, (1, 2), None)
    """

    def __init__(self, name: str, value: Matrix) -> None:
        self.name = name
        self._value = value
        self.grad: Matrix | None = None

    @property
    def value(self) -> Matrix:
        """The matrix.  Assigning a new one checks that it has the same shape, rows × columns
        of lists (the layer computes with that shape); updates in place are not checked.

        >>> w = Parameter("w", [[1.0, 2.0]])
        >>> w.value = [[3.0, 4.0]]
        >>> w.value
        [[3.0, 4.0]]
        """
        return self._value

    @value.setter
    def value(self, new: Matrix) -> None:
        rows, columns = self.shape
        fits = isinstance(new, list) and len(new) == rows and all(
            isinstance(row, list) and len(row) == columns for row in new
        )
        if not fits:
            raise ShapeError(
                f"Parameter {self.name}: the new value must be {rows}×{columns} (a list of "
                f"{rows} lists of {columns} numbers), got {shown(new)}"
            )
        self._value = new

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of ``value``.

        >>> Parameter("b", [[0.0, 0.0, 0.0]]).shape
        (1, 3)
        """
        return len(self._value), len(self._value[0])

    def __repr__(self) -> str:
        rows, columns = self.shape
        return f"<Parameter {self.name} {rows}×{columns}>"


class Buffer:
    """A matrix of state a layer keeps and updates itself, such as BatchNorm's running mean:
    ``value`` only, no ``grad``.  It is not among a network's ``parameters()``, so no optimizer
    ever sees it, but it is part of the network's state (``Network.buffers()``) and is saved
    with it.  ``name`` is its path in its network, e.g. ``"layers[1].running_mean"``.

    >>> Buffer("running_var", [[1.0, 1.0]])
    <Buffer running_var 1×2>
    """

    def __init__(self, name: str, value: Matrix) -> None:
        self.name = name
        self.value = value

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of ``value``.

        >>> Buffer("running_mean", [[0.0, 0.0]]).shape
        (1, 2)
        """
        return len(self.value), len(self.value[0])

    def __repr__(self) -> str:
        rows, columns = self.shape
        return f"<Buffer {self.name} {rows}×{columns}>"
