"""Early stopping, and the weight snapshots it keeps of the best epoch.

``EarlyStopping`` watches one number per epoch and says when to stop.  ``snapshot`` copies every
parameter's (or buffer's) values; ``restore`` writes a snapshot back row by row, in place, so the
``Parameter.value`` lists (and the optimizer state keyed by the parameters) stay the same.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn.arguments import check_int, check_real, shown
from purenn.errors import ConfigurationError

if TYPE_CHECKING:
    from typing import Sequence

    from purenn.kernels import Matrix
    from purenn.layers import Stored

__all__ = ["snapshot", "restore", "EarlyStopping"]


def snapshot(parameters: Sequence[Stored]) -> list[Matrix]:
    """A copy of every parameter's (or buffer's) value, aligned with ``parameters`` (each copy
    has its parameter's shape).

    >>> from purenn.layers import Parameter
    >>> w = Parameter("w", [[1.0, 2.0]])
    >>> saved = snapshot([w])
    >>> w.value[0][0] = 5.0
    >>> saved, w.value
    ([[[1.0, 2.0]]], [[5.0, 2.0]])
    """
    return [[row[:] for row in parameter.value] for parameter in parameters]


def restore(parameters: Sequence[Stored], values: Sequence[Matrix]) -> None:
    """Write a ``snapshot`` back into the parameters, row by row, in place (the row lists stay
    the same objects).

    >>> from purenn.layers import Parameter
    >>> w = Parameter("w", [[1.0, 2.0]])
    >>> row = w.value[0]
    >>> restore([w], [[[3.0, 4.0]]])
    >>> w.value, w.value[0] is row
    ([[3.0, 4.0]], True)
    """
    for parameter, saved in zip(parameters, values):
        for row, saved_row in zip(parameter.value, saved):
            row[:] = saved_row


class EarlyStopping:
    """Stop training when the monitored loss stops improving, as Keras' EarlyStopping.

    An epoch improves when its value < best − ``min_delta``; training stops after ``patience``
    epochs in a row without improvement (patience 0 and 1 both stop at the first, as in Keras).
    ``monitor`` is "val_loss", "loss" or None (None: "val_loss" when fit has validation data,
    else "loss").
    With ``restore_best_weights`` (the default), fit ends, stopped early or not, with the
    weights as they were at the end of the best epoch.  The training "loss" of an epoch is
    measured during the epoch (for full-batch training, before its update), so monitoring it
    lags the weights by one update; "val_loss" is measured on the weights at the epoch's end.

    >>> stopper = EarlyStopping(patience=2)
    >>> [stopper.update(epoch, loss, []) for epoch, loss in enumerate([0.5, 0.4, 0.45, 0.41], 1)]
    [False, False, False, True]
    >>> stopper.best, stopper.best_epoch
    (0.4, 2)
    """

    def __init__(
        self,
        patience: int = 5,
        min_delta: float = 0.0,
        monitor: str | None = None,
        restore_best_weights: bool = True,
    ) -> None:
        check_int(patience, "patience", "EarlyStopping", 0)
        min_delta = check_real(min_delta, "min_delta", "EarlyStopping", low=0.0)
        if monitor not in (None, "loss", "val_loss"):
            raise ConfigurationError(
                f"EarlyStopping: monitor must be 'loss', 'val_loss' or None, got {shown(monitor)}"
            )
        if not isinstance(restore_best_weights, bool):
            raise ConfigurationError(
                "EarlyStopping: restore_best_weights must be True or False, got "
                f"{shown(restore_best_weights)}"
            )
        self.patience = patience
        self.min_delta = float(min_delta)
        self.monitor = monitor
        self.restore_best_weights = restore_best_weights
        self.best = math.inf
        self.best_epoch = 0
        self.best_weights: list[Matrix] | None = None
        self.wait = 0

    def start(self) -> None:
        """Forget earlier fits: no best value yet.

        >>> stopper = EarlyStopping(patience=1)
        >>> stopper.update(1, 0.5, []), stopper.best
        (False, 0.5)
        >>> stopper.start(); stopper.best
        inf
        """
        self.best = math.inf
        self.best_epoch = 0
        self.best_weights = None
        self.wait = 0

    def update(self, epoch: int, value: float, parameters: Sequence[Stored]) -> bool:
        """Record epoch ``epoch``'s monitored value; return True when training should stop.

        A value improves only if it is below best − ``min_delta``:

        >>> stopper = EarlyStopping(patience=1, min_delta=0.1)
        >>> stopper.update(1, 1.0, []), stopper.update(2, 0.95, [])
        (False, True)
        """
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = snapshot(parameters)
            return False
        self.wait += 1
        return self.wait >= self.patience

    def finish(self, parameters: Sequence[Stored]) -> None:
        """Put the best epoch's weights back (when asked to and an epoch improved).

        >>> from purenn.layers import Parameter
        >>> w, stopper = Parameter("w", [[1.0]]), EarlyStopping()
        >>> stopper.update(1, 0.5, [w])
        False
        >>> w.value[0][0] = 9.0
        >>> stopper.finish([w]); w.value
        [[1.0]]
        """
        if self.restore_best_weights and self.best_weights is not None:
            restore(parameters, self.best_weights)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience!r}, min_delta={self.min_delta!r}, "
            f"monitor={self.monitor!r}, restore_best_weights={self.restore_best_weights!r})"
        )
