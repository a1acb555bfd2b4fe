"""The training loop and its pieces: history, shuffling, batching, validation, divergence.

``Network.fit`` checks its arguments, builds ``FitOptions`` with ``fit_options`` and calls
``train``, which runs the epochs on any ``Trainable`` (the network, seen through the few methods
the loop needs).  Shuffling uses only ``rng.random()`` (a Fisher–Yates shuffle written out here
rather than ``random.shuffle``), so a seed gives the same order on every interpreter: the
``random()`` sequence is the one Python promises to keep.

Divergence is exact: a batch whose loss is NaN or ±inf is never stepped on, and a step that
leaves any weight non-finite is undone from a copy taken just before it; either way fit raises
DivergenceError naming the epoch and batch, and the network keeps the last finite weights.
"""

import math
import random
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Protocol, Sequence, Tuple

from purenn.arguments import check_int, check_real
from purenn.callbacks import EarlyStopping, all_finite, check_early_stopping, restore, snapshot
from purenn.errors import ConfigurationError, DivergenceError
from purenn.kernels import Matrix
from purenn.layers import Parameter
from purenn.losses import Loss
from purenn.metrics import Metric, evaluate_metrics, get_metrics
from purenn.optimizers import (
    SGD,
    Optimizer,
    check_learning_rate,
    check_max_norm,
    clip_checked_gradients,
)
from purenn.progress import ProgressLine
from purenn.schedules import Schedule

__all__ = [
    "History",
    "Trainable",
    "EpochCallback",
    "FitOptions",
    "fit_options",
    "train",
    "split_validation",
    "shuffled_indices",
    "batch_slices",
    "take_rows",
]

Data = Tuple[Matrix, Matrix]


class History:
    """What ``fit`` records, one entry per epoch.

    ``loss`` is the training loss of each epoch: with full-batch training, the loss of the
    forward pass before that epoch's update (as the seed tutorial computes it); with mini-batches,
    the batch losses combined by the loss's reduction (summed for "sum", a size-weighted mean
    for "mean"), so it has the scale of ``net.loss(X, Y)``.  ``val_loss`` is the loss on the
    validation data after the epoch (empty without validation data).  ``metrics`` maps each
    metric's name to its values: "accuracy" over the epoch's batches as they were trained
    (size-weighted), "val_accuracy" on the validation data after the epoch.  ``lr`` is the
    learning rate each epoch used.
    """

    def __init__(self) -> None:
        self.loss: List[float] = []
        self.val_loss: List[float] = []
        self.metrics: Dict[str, List[float]] = {}
        self.lr: List[float] = []

    @property
    def epochs(self) -> int:
        """How many epochs were recorded."""
        return len(self.loss)

    def record(self, values: Dict[str, float]) -> None:
        """Append one epoch: "loss" and "val_loss" to their lists, anything else to metrics."""
        for name, value in values.items():
            if name == "loss":
                self.loss.append(value)
            elif name == "val_loss":
                self.val_loss.append(value)
            else:
                self.metrics.setdefault(name, []).append(value)

    def __repr__(self) -> str:
        last = f", last loss {self.loss[-1]:.6g}" if self.loss else ""
        return f"<History {self.epochs} epochs{last}>"


EpochCallback = Callable[[int, History], Optional[bool]]
"""callback(epoch, history) after each epoch (epochs from 1); returning True stops training."""


class Trainable(Protocol):
    """What the training loop needs from a model (``Network`` provides it)."""

    rng: random.Random
    loss_function: Loss

    def parameters(self) -> List[Parameter]:
        """Every trainable parameter, in a fixed order."""
        ...

    def forward(self, x: Matrix) -> Matrix:
        """The output for a checked batch, caching what backward needs."""
        ...

    def backward(self, grad_output: Matrix) -> None:
        """Store ∂L/∂θ in every parameter's grad, given ∂L/∂(output)."""
        ...


@dataclass
class FitOptions:
    """Everything ``train`` needs besides the model and the data, already checked."""

    epochs: int
    optimizer: Optimizer
    batch_size: Optional[int] = None
    shuffle: bool = True
    schedule: Optional[Schedule] = None
    clip_norm: Optional[float] = None
    metrics: Sequence[Tuple[str, Metric]] = ()
    early_stopping: Optional[EarlyStopping] = None
    callback: Optional[EpochCallback] = None
    progress: Optional[ProgressLine] = None


def fit_options(
    epochs: Any,
    learning_rate: Any,
    optimizer: Any,
    *,
    batch_size: Any = None,
    shuffle: Any = True,
    schedule: Any = None,
    clip_norm: Any = None,
    metrics: Any = (),
    early_stopping: Any = None,
    callback: Any = None,
    verbose: Any = False,
    where: str = "fit",
) -> FitOptions:
    """Check ``fit``'s keyword arguments and gather them; ConfigurationError names ``where``.

    ``learning_rate`` (default 0.01) builds plain SGD and cannot be combined with
    ``optimizer``.  ``verbose`` true writes a ``ProgressLine`` to the current ``sys.stderr``.
    """
    check_int(epochs, "epochs", where, 0)
    if batch_size is not None:
        check_int(batch_size, "batch_size", where, 1)
    if optimizer is None:
        rate = 0.01 if learning_rate is None else learning_rate
        optimizer = SGD(lr=check_learning_rate(rate, where))
    elif learning_rate is not None:
        raise ConfigurationError(
            f"{where}: give either learning_rate (plain SGD) or optimizer, not both"
        )
    elif not isinstance(optimizer, Optimizer):
        raise ConfigurationError(f"{where}: optimizer must be an Optimizer, got {optimizer!r}")
    for label, flag in (("shuffle", shuffle), ("verbose", verbose)):
        if not isinstance(flag, (bool, int)) or flag not in (0, 1):
            raise ConfigurationError(f"{where}: {label} must be True or False, got {flag!r}")
    if schedule is not None and not isinstance(schedule, Schedule):
        raise ConfigurationError(f"{where}: schedule must be a Schedule, got {schedule!r}")
    if callback is not None and not callable(callback):
        raise ConfigurationError(f"{where}: callback must be callable, got {callback!r}")
    return FitOptions(
        epochs=epochs,
        optimizer=optimizer,
        batch_size=batch_size,
        shuffle=bool(shuffle),
        schedule=schedule,
        clip_norm=None if clip_norm is None else check_max_norm(clip_norm, f"{where} (clip_norm)"),
        metrics=get_metrics(metrics, where),
        early_stopping=check_early_stopping(early_stopping, where),
        callback=callback,
        progress=ProgressLine(sys.stderr, epochs) if verbose else None,
    )


def split_validation(x: Matrix, y: Matrix, fraction: Any, where: str) -> Tuple[Data, Data]:
    """((X_train, Y_train), (X_val, Y_val)): the last rows held out, as Keras does: rows [0, s)
    train and [s, n) validate, with s = int(n·(1 − fraction)), before any shuffling.

    Raises ConfigurationError unless 0 < fraction < 1 leaves at least one row on each side.
    """
    check_real(fraction, "validation_split", where, low=0.0, high=1.0, include_low=False)
    n = len(x)
    split_at = int(n * (1.0 - fraction))
    if not 0 < split_at < n:
        raise ConfigurationError(
            f"{where}: validation_split={fraction!r} of {n} rows leaves "
            f"{split_at} for training and {n - split_at} for validation; both need one"
        )
    return (x[:split_at], y[:split_at]), (x[split_at:], y[split_at:])


def shuffled_indices(n: int, rng: random.Random) -> List[int]:
    """A uniformly random permutation of range(n) by Fisher–Yates, drawing only rng.random()."""
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        order[i], order[j] = order[j], order[i]
    return order


def batch_slices(n: int, batch_size: Optional[int]) -> Iterator[Tuple[int, int]]:
    """(start, stop) of consecutive batches covering range(n); None means one full batch."""
    size = n if batch_size is None else batch_size
    for start in range(0, n, size):
        yield start, min(start + size, n)


def take_rows(matrix: Matrix, indices: Sequence[int]) -> Matrix:
    """The rows of ``matrix`` at ``indices``, in that order (rows are shared, not copied)."""
    return [matrix[i] for i in indices]


# -- the loop ---------------------------------------------------------------------------------


def train(
    model: Trainable, x: Matrix, y: Matrix, validation: Optional[Data], options: FitOptions
) -> History:
    """Run ``options.epochs`` epochs of (X, Y) on ``model``; return the History.

    Per epoch: set the scheduled learning rate, train on every batch, evaluate the validation
    data, record, report progress, then stop if early stopping or the callback says so.  The
    optimizer's learning rate is put back when fit ends; with early stopping and
    ``restore_best_weights`` the best epoch's weights are put back too.
    """
    history = History()
    optimizer, stopper = options.optimizer, options.early_stopping
    base_lr = optimizer.lr
    monitor = "val_loss" if validation is not None else "loss"
    if stopper is not None:
        stopper.start()
        monitor = stopper.monitor or monitor
        if monitor == "val_loss" and validation is None:
            raise ConfigurationError("fit: early stopping monitors val_loss but there is no "
                                     "validation_data or validation_split")
    try:
        for epoch in range(1, options.epochs + 1):
            if options.schedule is not None:
                optimizer.lr = options.schedule.rate(epoch - 1, base_lr)
            history.lr.append(optimizer.lr)
            values = train_epoch(model, x, y, options, epoch)
            if validation is not None:
                values.update(validation_values(model, validation, options, epoch))
            history.record(values)
            if options.progress is not None:
                options.progress.update(epoch, values)
            stop = stopper is not None and stopper.update(
                epoch, values[monitor], model.parameters()
            )
            if options.callback is not None and options.callback(epoch, history) is True:
                stop = True
            if stop:
                break
    finally:
        optimizer.lr = base_lr
        if options.progress is not None:
            options.progress.close()
    if stopper is not None:
        stopper.finish(model.parameters())
    return history


def train_epoch(
    model: Trainable, x: Matrix, y: Matrix, options: FitOptions, epoch: int
) -> Dict[str, float]:
    """One pass over (X, Y) in batches; returns {"loss": …, metric: …} for the epoch."""
    n = len(x)
    if options.batch_size is not None and options.batch_size < n and options.shuffle:
        order = shuffled_indices(n, model.rng)
        x, y = take_rows(x, order), take_rows(y, order)
    loss_function = model.loss_function
    batches = list(batch_slices(n, options.batch_size))
    total = 0.0
    metric_totals = dict.fromkeys((name for name, _ in options.metrics), 0.0)
    for number, (start, stop) in enumerate(batches, 1):
        output, loss = train_step(model, x[start:stop], y[start:stop], options)
        if not math.isfinite(loss):
            # Nothing was stepped on: the weights are still those of the last finite step.
            raise DivergenceError(
                f"fit: the loss became {loss} at epoch {epoch}, batch {number} of "
                f"{len(batches)}; the weights are left as they were before that batch "
                f"(learning rate {options.optimizer.lr:g}: try a smaller one)"
            )
        rows = stop - start
        total += loss if loss_function.reduction == "sum" else loss * rows
        for name, value in evaluate_metrics(
            options.metrics, output, y[start:stop], loss_function
        ).items():
            metric_totals[name] += value * rows
        apply_step(model, options, epoch, number, len(batches))
    values = {"loss": total if loss_function.reduction == "sum" else total / n}
    values.update((name, value / n) for name, value in metric_totals.items())
    return values


def train_step(
    model: Trainable, x: Matrix, y: Matrix, options: FitOptions
) -> Tuple[Matrix, float]:
    """Forward, loss, backward on one batch (parameter grads stored); returns (output, loss).

    Skips backward when the loss is not finite: that batch will not be stepped on.
    """
    loss_function = model.loss_function
    output = model.forward(x)
    loss = loss_function.value(output, y)
    if math.isfinite(loss):
        model.backward(loss_function.gradient(output, y))
    return output, loss


def apply_step(
    model: Trainable, options: FitOptions, epoch: int, number: int, batches: int
) -> None:
    """Clip (if asked) and apply the optimizer step to the stored grads; undo a step that makes
    any weight non-finite and raise DivergenceError.
    """
    parameters = model.parameters()
    gradients: List[Matrix] = [parameter.grad for parameter in parameters]  # type: ignore[misc]
    if options.clip_norm is not None:
        clip_checked_gradients(gradients, options.clip_norm)
    before = snapshot(parameters)
    options.optimizer.step(parameters, gradients)
    if not all_finite(parameters):
        restore(parameters, before)
        raise DivergenceError(
            f"fit: the update at epoch {epoch}, batch {number} of {batches} made weights "
            f"non-finite; they are restored to their values before it (learning rate "
            f"{options.optimizer.lr:g}: try a smaller one, or clip_norm)"
        )


def validation_values(
    model: Trainable, validation: Data, options: FitOptions, epoch: int
) -> Dict[str, float]:
    """{"val_loss": …, "val_<metric>": …} on the validation data at the current weights."""
    x, y = validation
    output = model.forward(x)
    loss = model.loss_function.value(output, y)
    if not math.isfinite(loss):
        raise DivergenceError(
            f"fit: the validation loss became {loss} at epoch {epoch}; the weights (finite) are "
            "left as they were at the end of that epoch"
        )
    values = {"val_loss": loss}
    metrics = evaluate_metrics(options.metrics, output, y, model.loss_function)
    values.update((f"val_{name}", value) for name, value in metrics.items())
    return values
