"""The training loop: history, shuffling, batching, and the epochs themselves.

``Network.fit(X, Y, epochs, learning_rate, **options)`` checks its data, gathers its options in a
``FitOptions`` (``purenn.fit_options``: the one place where each option of ``fit`` is declared)
and calls ``train`` with its own ``train_step``.  ``train`` runs the epochs; ``train_epoch``
runs the batches, and for each batch calls that step: forward, the loss, the chain rule back,
and the optimizer's update (``Network.train_step``, about ten lines: the chain rule lives in
the network and its layers, the update in the optimizer).  Nothing in the batch loop checks its
arguments again: everything was checked before the first epoch.

Modes: ``train`` runs the batches in training mode and the validation data in evaluation mode
(``in_mode``), and leaves the model in the mode it found it in.

Shuffling uses only ``rng.random()`` (a Fisher–Yates shuffle written out here rather than
``random.shuffle``), so a seed gives the same order on every interpreter: the ``random()``
sequence is the one Python promises to keep.

Divergence is exact without copying anything: a step never updates on a batch whose loss is NaN
or ±inf, and the optimizer commits an update only when every new value is finite (see
``purenn.optimizers``); either way the step raises DivergenceError, which fit reports naming the
epoch and batch, and the network keeps the last finite weights.
"""

from __future__ import annotations

import contextlib
import math
import random
import sys
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ConfigurationError, DivergenceError
from purenn.metrics import evaluate_metrics
from purenn.progress import ProgressLine

if TYPE_CHECKING:
    from typing import Any, Callable, Iterator, Protocol, Sequence, Tuple

    from purenn.callbacks import EarlyStopping
    from purenn.fit_options import FitOptions
    from purenn.kernels import Matrix
    from purenn.layers import Buffer, Parameter, Stored
    from purenn.losses import Loss
    from purenn.schedules import Schedule

    Data = Tuple[Matrix, Matrix]
    Step = Callable[[Matrix, Matrix], Tuple[float, Matrix]]
    """step(X, Y) on a checked batch: one step of training, returning (L, output)."""

    class Switchable(Protocol):
        """A model with a training and an evaluation mode (``in_mode`` switches them)."""

        training: bool

        def train(self, mode: bool = True) -> Any:
            """Switch to training mode (``mode`` True) or evaluation mode (False)."""

    class Trainable(Switchable, Protocol):
        """What the training loop needs from a model (``Network`` provides it)."""

        loss_function: Loss

        def parameters(self) -> list[Parameter]:
            """Every trainable parameter, in a fixed order."""

        def buffers(self) -> list[Buffer]:
            """Every buffer (state the layers update themselves), in a fixed order."""

        def forward(self, x: Matrix) -> Matrix:
            """The output for a checked batch."""

__all__ = [
    "History",
    "train",
    "train_epoch",
    "in_mode",
    "non_finite_loss",
    "split_validation",
    "shuffled_indices",
    "batch_slices",
    "take_rows",
]


class History:
    """What ``fit`` records, one entry per epoch.

    ``loss`` is the training loss of each epoch: with full-batch training, the loss of the
    forward pass before that epoch's update (as the seed tutorial computes it); with mini-batches,
    the batch losses combined by the loss's reduction (summed for "sum", a size-weighted mean
    for "mean"), so it has the scale of ``net.loss(X, Y)``.  ``val_loss`` is the loss on the
    validation data after the epoch (empty without validation data).  ``metrics`` maps each
    metric's name to its values: "accuracy" over the epoch's batches as they were trained
    (size-weighted), "val_accuracy" on the validation data after the epoch.  ``lr`` is the
    learning rate each epoch used.  ``compiled`` says what ``fit(..., compile=True)`` ran: the
    written-out step, or the reference step with generated kernels and why (None without
    compile=True).

    >>> history = History()
    >>> history.record({"loss": 0.5, "accuracy": 1.0})
    >>> history.loss, history.metrics, history.epochs
    ([0.5], {'accuracy': [1.0]}, 1)
    """

    def __init__(self) -> None:
        self.loss: list[float] = []
        self.val_loss: list[float] = []
        self.metrics: dict[str, list[float]] = {}
        self.lr: list[float] = []
        self.compiled: str | None = None

    @property
    def epochs(self) -> int:
        """How many epochs were recorded.

        >>> history = History()
        >>> history.record({"loss": 1.0}); history.record({"loss": 0.5})
        >>> history.epochs
        2
        """
        return len(self.loss)

    def record(self, values: dict[str, float]) -> None:
        """Append one epoch: "loss" and "val_loss" to their lists, anything else to metrics.

        >>> history = History()
        >>> history.record({"loss": 0.5, "val_loss": 0.7})
        >>> history.loss, history.val_loss
        ([0.5], [0.7])
        """
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



def split_validation(x: Matrix, y: Matrix, fraction: float, where: str) -> tuple[Data, Data]:
    """((X_train, Y_train), (X_val, Y_val)): the last rows held out, as Keras does: rows [0, s)
    train and [s, n) validate, with s = int(n·(1 − fraction)), before any shuffling.

    Raises ConfigurationError unless the split leaves at least one row on each side.

    >>> split_validation([[1.0], [2.0], [3.0], [4.0]], [[0.0], [1.0], [0.0], [1.0]], 0.25, "fit")
    (([[1.0], [2.0], [3.0]], [[0.0], [1.0], [0.0]]), ([[4.0]], [[1.0]]))
    """
    n = len(x)
    split_at = int(n * (1.0 - fraction))
    if not 0 < split_at < n:
        raise ConfigurationError(
            f"{where}: validation_split={fraction!r} of {n} rows leaves "
            f"{split_at} for training and {n - split_at} for validation; both need one"
        )
    return (x[:split_at], y[:split_at]), (x[split_at:], y[split_at:])


def shuffled_indices(n: int, rng: random.Random) -> list[int]:
    """A uniformly random permutation of range(n) by Fisher–Yates, drawing only rng.random():
    for i from n − 1 down to 1, swap position i with j = ⌊U·(i + 1)⌋, U = rng.random().

    >>> shuffled_indices(5, random.Random(0))
    [2, 0, 1, 3, 4]
    """
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        order[i], order[j] = order[j], order[i]
    return order


def batch_slices(n: int, batch_size: int | None) -> list[tuple[int, int]]:
    """(start, stop) of consecutive batches covering range(n); None means one full batch.

    >>> batch_slices(5, 2), batch_slices(5, None)
    ([(0, 2), (2, 4), (4, 5)], [(0, 5)])
    """
    size = n if batch_size is None else batch_size
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def take_rows(matrix: Matrix, indices: Sequence[int]) -> Matrix:
    """The rows of ``matrix`` at ``indices``, in that order (rows are shared, not copied): k
    indices into an n × m matrix give k × m.

    >>> take_rows([[1.0], [2.0], [3.0]], [2, 0])
    [[3.0], [1.0]]
    """
    return [matrix[i] for i in indices]


# -- the loop ---------------------------------------------------------------------------------


def train(
    model: Trainable, data: Data, validation: Data | None, options: FitOptions, step: Step,
    rng: random.Random,
) -> History:
    """Run ``options.epochs`` epochs of ``data`` = (X, Y), one ``step`` per batch, batches
    shuffled from ``rng``; return the History.

    Per epoch: set the scheduled learning rate, train on every batch, evaluate the validation
    data, record, report progress, then stop if early stopping or the callback says so.  The
    batches run in training mode and the validation data in evaluation mode; between them (and
    when fit ends) the model is in the mode it was given in.  The optimizer's learning rate is
    put back when fit ends; with early stopping and ``restore_best_weights`` the best epoch's
    weights and buffers (BatchNorm's running statistics) are put back too.

    >>> import random
    >>> from purenn import Dense, Network
    >>> from purenn.fit_options import FitOptions
    >>> net, options = Network([Dense(1, 1)], seed=0), FitOptions(epochs=3, learning_rate=0.1)
    >>> def step(x, y):
    ...     return net.train_step(x, y, options.optimizer_in_use)
    >>> history = train(net, ([[1.0]], [[2.0]]), None, options, step, random.Random(0))
    >>> history.epochs, history.lr, history.loss[-1] < history.loss[0]
    (3, [0.1, 0.1, 0.1], True)
    """
    history = History()
    optimizer, stopper = options.optimizer_in_use, options.early_stopping
    base_lr = optimizer.lr
    monitor = _monitored(stopper, validation)
    progress = ProgressLine(sys.stderr, options.epochs) if options.verbose else None
    try:
        for epoch in range(1, options.epochs + 1):
            if options.schedule is not None:
                optimizer.lr = scheduled_rate(options.schedule, epoch, base_lr)
            history.lr.append(optimizer.lr)
            with in_mode(model, True):
                values = train_epoch(model, data, options, epoch, step, rng)
            if validation is not None:
                values.update(validation_values(model, validation, options, epoch))
            history.record(values)
            if progress is not None:
                progress.update(epoch, values)
            stop = stopper is not None and stopper.update(epoch, values[monitor], _held(model))
            if options.callback is not None:
                stop = options.callback(epoch, history) is True or stop
            if stop:
                break
    finally:
        optimizer.lr = base_lr
        if progress is not None:
            progress.close(history.loss)
    if stopper is not None:
        stopper.finish(_held(model))
    return history


def train_epoch(
    model: Trainable, data: Data, options: FitOptions, epoch: int, step: Step,
    rng: random.Random,
) -> dict[str, float]:
    """One pass over (X, Y) in batches, one ``step`` each; returns {"loss": …, metric: …} for
    the epoch.  X is n × n_in, Y is n × n_out; with mini-batches and ``options.shuffle`` the
    rows are shuffled from ``rng`` first.

    Here L = (1·w − 2)² + (2·w − 4)² = 5 at w = 1, and ∂L/∂w = −10, so w ← 1 − 0.1·(−10):

    >>> import random
    >>> from purenn import Dense, Network
    >>> from purenn.fit_options import FitOptions
    >>> net, options = Network([Dense(1, 1, bias=False)], seed=0), FitOptions(learning_rate=0.1)
    >>> net.parameters()[0].value[0][0] = 1.0
    >>> def step(x, y):
    ...     return net.train_step(x, y, options.optimizer_in_use)
    >>> train_epoch(net, ([[1.0], [2.0]], [[2.0], [4.0]]), options, 1, step, random.Random(0))
    {'loss': 5.0}
    >>> net.parameters()[0].value
    [[2.0]]
    """
    x, y = data
    n = len(x)
    if options.batch_size is not None and options.batch_size < n and options.shuffle:
        order = shuffled_indices(n, rng)
        x, y = take_rows(x, order), take_rows(y, order)
    batches = batch_slices(n, options.batch_size)
    summed = model.loss_function.reduction == "sum"
    total = 0.0
    metric_totals = {name: 0.0 for name, _ in options.metric_functions}
    for number, (start, stop) in enumerate(batches, 1):
        # A full batch is X itself: slicing would copy the list of rows for nothing.
        x_batch, y_batch = (x, y) if stop - start == n else (x[start:stop], y[start:stop])
        try:
            loss, output = step(x_batch, y_batch)
        except DivergenceError as error:
            raise _diverged(error, options, epoch, number, len(batches)) from None
        rows = stop - start
        total += loss if summed else loss * rows
        if metric_totals:
            for name, value in evaluate_metrics(
                options.metric_functions, output, y_batch, model.loss_function
            ).items():
                metric_totals[name] += value * rows
    values = {"loss": total if summed else total / n}
    if metric_totals:
        values.update((name, value / n) for name, value in metric_totals.items())
    return values


def non_finite_loss(loss: float) -> DivergenceError:
    """The error of a step whose loss is NaN or ±inf: it changed no weight.

    >>> non_finite_loss(float("nan"))
    DivergenceError('the loss became nan')
    """
    return DivergenceError(f"the loss became {loss}")


def _diverged(
    error: DivergenceError, options: FitOptions, epoch: int, number: int, count: int
) -> DivergenceError:
    """fit's message for a step that diverged: where, what, and what to try."""
    where, rate = f"epoch {epoch}, batch {number} of {count}", options.optimizer_in_use.lr
    if str(error).startswith("the loss became"):
        return DivergenceError(
            f"fit: {error} at {where}; the weights are left as they were before that batch "
            f"(learning rate {rate:g}: try a smaller one)"
        )
    return DivergenceError(
        f"fit: at {where}, {error} (learning rate {rate:g}: try a smaller one, or clip_norm)"
    )


def _held(model: Trainable) -> list[Stored]:
    """Every matrix the model holds: what early stopping keeps of the best epoch."""
    return [*model.parameters(), *model.buffers()]


@contextlib.contextmanager
def in_mode(model: Switchable, training: bool) -> Iterator[None]:
    """A context manager: run the block with ``model`` in training mode (True) or evaluation
    mode (False), then put back the mode it had, whatever the block raises.

    >>> from purenn import Dense, Network
    >>> net = Network([Dense(1, 1)], seed=0)
    >>> with in_mode(net, False):
    ...     net.training
    False
    >>> net.training
    True
    """
    before = model.training
    if before != training:  # the common case, every epoch of a plain fit: equal
        model.train(training)
    try:
        yield
    finally:
        if before != training:
            model.train(before)


def scheduled_rate(schedule: Schedule, epoch: int, base_lr: float) -> float:
    """The schedule's rate for ``epoch`` (from 1), closed_form(epoch − 1, η₀); DivergenceError
    if it overflowed.

    >>> from purenn.schedules import ExponentialLR
    >>> scheduled_rate(ExponentialLR(gamma=0.5), 3, 0.1)
    0.025
    >>> scheduled_rate(ExponentialLR(gamma=2.0), 1100, 1.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.DivergenceError: fit: ExponentialLR(gamma=2.0) gives a learning rate of inf ...
    """
    rate = schedule.closed_form(epoch - 1, base_lr)
    if not math.isfinite(rate):
        raise DivergenceError(
            f"fit: {shown(schedule)} gives a learning rate of {rate} at epoch {epoch}; the weights "
            "are left as they were at the end of the epoch before"
        )
    return rate


def _monitored(stopper: EarlyStopping | None, validation: Data | None) -> str:
    """The value early stopping watches; starts the stopper afresh."""
    monitor = "val_loss" if validation is not None else "loss"
    if stopper is None:
        return monitor
    stopper.start()
    monitor = stopper.monitor or monitor
    if monitor == "val_loss" and validation is None:
        raise ConfigurationError("fit: early stopping monitors val_loss but there is no "
                                 "validation_data or validation_split")
    return monitor


def validation_values(
    model: Trainable, validation: Data, options: FitOptions, epoch: int
) -> dict[str, float]:
    """{"val_loss": …, "val_<metric>": …} on the validation data at the current weights, in
    evaluation mode (dropout off, BatchNorm's running statistics).

    >>> from purenn import Dense, Network
    >>> net = Network([Dense(1, 1, bias=False)], seed=0)
    >>> net.parameters()[0].value[0][0] = 2.0
    >>> from purenn.fit_options import FitOptions
    >>> options = FitOptions(metrics=["accuracy"])
    >>> validation_values(net, ([[1.0], [3.0]], [[2.0], [5.0]]), options, 1)
    {'val_loss': 1.0, 'val_accuracy': 1.0}
    """
    x, y = validation
    with in_mode(model, False):
        output = model.forward(x)
    loss = model.loss_function.value(output, y)
    if not math.isfinite(loss):
        raise DivergenceError(
            f"fit: the validation loss became {loss} at epoch {epoch}; the weights (finite) are "
            "left as they were at the end of that epoch"
        )
    values = {"val_loss": loss}
    metrics = evaluate_metrics(options.metric_functions, output, y, model.loss_function)
    values.update((f"val_{name}", value) for name, value in metrics.items())
    return values
