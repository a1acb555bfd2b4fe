"""The training loop: options, history, shuffling, batching, and the epochs themselves.

``Network.fit(X, Y, epochs, learning_rate, **options)`` checks its data, gathers its options in a
``FitOptions`` (the one place where each option of ``fit`` is declared, with its default and its
check) and calls ``train``.  ``train`` runs the epochs; ``train_epoch`` runs the batches, and for
each batch asks the model for ``backprop`` (forward, loss, the chain rule back: the network's own
pass, so the chain rule lives in one place) and hands the gradients to the optimizer.  Nothing in
the batch loop checks its arguments again: everything was checked before the first epoch.  For a
small Dense network, a batch size's step is written out as straight-line code once it has run
often enough (``purenn.straightline``): the same arithmetic, bit for bit, without the passes.

Modes: ``train`` runs the batches in training mode and the validation data in evaluation mode
(``in_mode``), and leaves the model in the mode it found it in.

Shuffling uses only ``rng.random()`` (a Fisher–Yates shuffle written out here rather than
``random.shuffle``), so a seed gives the same order on every interpreter: the ``random()``
sequence is the one Python promises to keep.

Divergence is exact without copying anything: a batch whose loss is NaN or ±inf is never stepped
on, and the optimizer commits an update only when every new value is finite (see
``purenn.optimizers``); either way fit raises DivergenceError naming the epoch and batch, and the
network keeps the last finite weights.
"""

from __future__ import annotations

import math
import random
import sys
from typing import TYPE_CHECKING

from purenn.arguments import check_flag, check_int, check_real, shown
from purenn.callbacks import EarlyStopping
from purenn.errors import ConfigurationError, DivergenceError
from purenn.layers import Buffer, Parameter
from purenn.losses import Loss
from purenn.metrics import evaluate_metrics, get_metrics
from purenn.optimizers import SGD, Optimizer, check_max_norm, clip_checked_gradients
from purenn.progress import ProgressLine
from purenn.schedules import Schedule

if TYPE_CHECKING:
    from typing import Any, Callable, Optional, Protocol, Sequence, Tuple

    from purenn.kernels import Matrix
    from purenn.layers import Layer, Stored
    from purenn.metrics import Metric
    from purenn.straightline import StraightLineStep

    Data = Tuple[Matrix, Matrix]

__all__ = [
    "History",
    "FitOptions",
    "FIT_OPTIONS",
    "train",
    "in_mode",
    "split_validation",
    "shuffled_indices",
    "batch_slices",
    "take_rows",
]


# fit's learning rate when neither learning_rate nor optimizer is given.
DEFAULT_LEARNING_RATE = 0.01


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


if TYPE_CHECKING:  # for annotations only
    EpochCallback = Callable[[int, History], Optional[bool]]
    """callback(epoch, history) after each epoch (epochs from 1); returning True stops training."""

    class Trainable(Protocol):
        """What the training loop needs from a model (``Network`` provides it).

        >>> from purenn import Dense, Network
        >>> net = Network([Dense(2, 1)], loss="mse", seed=0)
        >>> net.loss_function, len(net.parameters()), len(net.forward([[1.0, 2.0]])[0])
        (<loss mse>, 2, 1)
        """

        rng: random.Random
        loss_function: Loss
        training: bool
        layers: list[Layer]

        def parameters(self) -> list[Parameter]:
            """Every trainable parameter, in a fixed order."""
            ...

        def buffers(self) -> list[Buffer]:
            """Every buffer (state the layers update themselves), in a fixed order."""
            ...

        def train(self, mode: bool = True) -> Any:
            """Switch to training mode (``mode`` True) or evaluation mode (False)."""
            ...

        def forward(self, x: Matrix) -> Matrix:
            """The output for a checked batch."""
            ...

        def backprop(self, x: Matrix, y: Matrix) -> tuple[float, Matrix]:
            """(L, output) for a checked batch, with ∂L/∂θ left in every parameter's grad."""
            ...

        def straight_line_step(
            self, optimizer: Optimizer, clip_norm: float | None
        ) -> StraightLineStep | None:
            """backprop and the optimizer's update written out as one step, if it can be."""
            ...


class FitOptions:
    """The options of ``fit``, declared once: each annotated class attribute with a default is
    a keyword of ``Network.fit`` (FIT_OPTIONS lists them in order), and ``__init__`` checks them
    all, so a new option is one line here, its check below, and its use in the loop.  (A plain
    class rather than a dataclass: importing dataclasses costs more than half of
    ``import purenn``'s budget, for inspect.)

    epochs           passes over the data (int ≥ 0)
    learning_rate    builds plain SGD, θ ← θ − η ∂L/∂θ (default 0.01); not with ``optimizer``
    optimizer        an Optimizer (SGD, Adam, …)
    batch_size       rows per step; None trains on the full batch, as the seed does
    shuffle          reshuffle the rows each epoch (mini-batches only) from the network's rng
    schedule         a Schedule setting the learning rate at the start of each epoch
    clip_norm        rescale each batch's gradients to this global L2 norm at most
    validation_data  (X_val, Y_val) evaluated after each epoch
    validation_split the fraction of the rows held out from the end, before shuffling
    metrics          names of metrics to record besides the loss, e.g. ["accuracy"]
    early_stopping   an EarlyStopping
    callback         callback(epoch, history) after every epoch; returning True stops
    verbose          write a progress line to stderr

    Raises ConfigurationError naming ``fit`` for an option that is not one of these, or whose
    value is not acceptable.

    >>> options = FitOptions(epochs=10, batch_size=2)
    >>> options.optimizer_in_use
    SGD(lr=0.01, momentum=0.0, nesterov=False, weight_decay=0.0)
    >>> FitOptions(epochs=-1)
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: fit: epochs must be an int ≥ 0, got -1
    >>> FitOptions(epoch=2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: fit: unknown option 'epoch'; options: epochs, ...
    """

    epochs: int = 1
    learning_rate: float | None = None
    optimizer: Optimizer | None = None
    batch_size: int | None = None
    shuffle: bool = True
    schedule: Schedule | None = None
    clip_norm: float | None = None
    validation_data: tuple[Any, Any] | None = None
    validation_split: float | None = None
    metrics: Sequence[str] = ()
    early_stopping: EarlyStopping | None = None
    callback: EpochCallback | None = None
    verbose: bool = False
    # Derived from the options above by __init__:
    optimizer_in_use: Optimizer
    metric_functions: list[tuple[str, Metric]]

    def __init__(self, **options: Any) -> None:
        where = "fit"
        unknown = sorted(set(options) - set(FIT_OPTIONS))
        if unknown:
            raise ConfigurationError(
                f"{where}: unknown option {unknown[0]!r}; options: {', '.join(FIT_OPTIONS)}"
            )
        for name in FIT_OPTIONS:
            setattr(self, name, options.get(name, getattr(FitOptions, name)))
        check_int(self.epochs, "epochs", where, 0)
        if self.batch_size is not None:
            check_int(self.batch_size, "batch_size", where, 1)
        self.optimizer_in_use = self._optimizer(where)
        self.shuffle = check_flag(self.shuffle, "shuffle", where)
        self.verbose = check_flag(self.verbose, "verbose", where)
        _check_instance(self.schedule, Schedule, "schedule", where)
        _check_instance(self.early_stopping, EarlyStopping, "early_stopping", where)
        if self.clip_norm is not None:
            self.clip_norm = check_max_norm(self.clip_norm, f"{where} (clip_norm)")
        if self.callback is not None and not callable(self.callback):
            raise ConfigurationError(
                f"{where}: callback must be callable, got {shown(self.callback)}"
            )
        if self.validation_data is not None and self.validation_split is not None:
            raise ConfigurationError(f"{where}: give validation_data or validation_split, not both")
        if self.validation_split is not None:
            self.validation_split = check_real(self.validation_split, "validation_split", where,
                                               low=0.0, high=1.0, include_low=False)
        self.metric_functions = get_metrics(self.metrics, where)

    def __repr__(self) -> str:
        changed = [
            f"{name}={getattr(self, name)!r}"
            for name in FIT_OPTIONS
            if getattr(self, name) is not getattr(FitOptions, name)
        ]
        return f"FitOptions({', '.join(changed)})"

    def _optimizer(self, where: str) -> Optimizer:
        if self.optimizer is None:
            rate = DEFAULT_LEARNING_RATE if self.learning_rate is None else self.learning_rate
            return SGD(lr=check_real(rate, "learning_rate", where, low=0.0))
        if self.learning_rate is not None:
            raise ConfigurationError(
                f"{where}: give either learning_rate (plain SGD) or optimizer, not both"
            )
        _check_instance(self.optimizer, Optimizer, "optimizer", where)
        return self.optimizer


FIT_OPTIONS: tuple[str, ...] = tuple(
    name for name in FitOptions.__annotations__ if hasattr(FitOptions, name)
)
"""The keywords of ``fit`` besides the data, in the order FitOptions declares them."""


def _check_instance(value: Any, kind: type, label: str, where: str) -> None:
    if value is not None and not isinstance(value, kind):
        article = "an" if kind.__name__[0] in "AEIOU" else "a"
        raise ConfigurationError(
            f"{where}: {label} must be {article} {kind.__name__} or None, got {shown(value)}"
        )


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


def train(model: Trainable, data: Data, validation: Data | None, options: FitOptions) -> History:
    """Run ``options.epochs`` epochs of ``data`` = (X, Y) on ``model``; return the History.

    Per epoch: set the scheduled learning rate, train on every batch, evaluate the validation
    data, record, report progress, then stop if early stopping or the callback says so.  The
    batches run in training mode and the validation data in evaluation mode; between them (and
    when fit ends) the model is in the mode it was given in.  The optimizer's learning rate is
    put back when fit ends; with early stopping and ``restore_best_weights`` the best epoch's
    weights and buffers (BatchNorm's running statistics) are put back too.

    >>> from purenn import Dense, Network
    >>> net = Network([Dense(1, 1)], seed=0)
    >>> history = train(net, ([[1.0]], [[2.0]]), None, FitOptions(epochs=3, learning_rate=0.1))
    >>> history.epochs, history.lr, history.loss[-1] < history.loss[0]
    (3, [0.1, 0.1, 0.1], True)
    """
    history = History()
    optimizer, stopper = options.optimizer_in_use, options.early_stopping
    base_lr = optimizer.lr
    monitor = _monitored(stopper, validation)
    progress = ProgressLine(sys.stderr, options.epochs) if options.verbose else None
    straight = _straight_line_step(model, options, None)
    try:
        for epoch in range(1, options.epochs + 1):
            if options.schedule is not None:
                optimizer.lr = scheduled_rate(options.schedule, epoch, base_lr)
            history.lr.append(optimizer.lr)
            with in_mode(model, True):
                values = train_epoch(model, data, options, epoch, straight)
            if validation is not None:
                values.update(validation_values(model, validation, options, epoch))
            history.record(values)
            if progress is not None:
                progress.update(epoch, values)
            stop = stopper is not None and stopper.update(epoch, values[monitor], _held(model))
            if options.callback is not None:
                stop = options.callback(epoch, history) is True or stop
                # The callback may have replaced a parameter, an activation or the loss.
                straight = _straight_line_step(model, options, straight)
            if stop:
                break
    finally:
        optimizer.lr = base_lr
        if progress is not None:
            progress.close(history.loss)
    if stopper is not None:
        stopper.finish(_held(model))
    return history


def _straight_line_step(
    model: Trainable, options: FitOptions, current: StraightLineStep | None
) -> StraightLineStep | None:
    """The written-out step the batches may take (``purenn.straightline``): ``current`` while
    it still describes the model, else the model's own; none with metrics, which fit computes
    before the update and which may look at the weights."""
    if options.metric_functions:
        return None
    if current is not None and current.written_for(model.layers, model.loss_function):
        return current
    return model.straight_line_step(options.optimizer_in_use, options.clip_norm)


def _held(model: Trainable) -> list[Stored]:
    """Every matrix the model holds: what early stopping keeps of the best epoch."""
    return [*model.parameters(), *model.buffers()]


def in_mode(model: Trainable, training: bool) -> _ModeSwitch:
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
    return _ModeSwitch(model, training)


class _ModeSwitch:
    """What ``in_mode`` returns: a plain class rather than contextlib's decorator, which costs
    ``import purenn`` a few milliseconds of imports (collections, functools)."""

    def __init__(self, model: Trainable, training: bool) -> None:
        self.model, self.training = model, training
        self.before = model.training

    def __enter__(self) -> None:
        self.before = self.model.training
        if self.before != self.training:  # the common case, every epoch of a plain fit: equal
            self.model.train(self.training)

    def __exit__(self, *exc_info: object) -> None:
        if self.before != self.training:
            self.model.train(self.before)


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


def train_epoch(
    model: Trainable, data: Data, options: FitOptions, epoch: int,
    straight: StraightLineStep | None = None,
) -> dict[str, float]:
    """One pass over (X, Y) in batches: for each, backprop and one optimizer step; returns
    {"loss": …, metric: …} for the epoch.  X is n × n_in, Y is n × n_out.  With ``straight``
    (``purenn.straightline``), a batch it can write out takes its straight-line step instead:
    the same arithmetic, bit for bit, several times faster on a small network.

    Here L = (1·w − 2)² + (2·w − 4)² = 5 at w = 1, and ∂L/∂w = −10, so w ← 1 − 0.1·(−10):

    >>> from purenn import Dense, Network
    >>> net = Network([Dense(1, 1, bias=False)], seed=0)
    >>> net.parameters()[0].value[0][0] = 1.0
    >>> train_epoch(net, ([[1.0], [2.0]], [[2.0], [4.0]]), FitOptions(learning_rate=0.1), 1)
    {'loss': 5.0}
    >>> net.parameters()[0].value
    [[2.0]]
    """
    x, y = data
    n = len(x)
    if options.batch_size is not None and options.batch_size < n and options.shuffle:
        order = shuffled_indices(n, model.rng)
        x, y = take_rows(x, order), take_rows(y, order)
    batches = batch_slices(n, options.batch_size)
    summed = model.loss_function.reduction == "sum"
    total = 0.0
    metric_totals = {name: 0.0 for name, _ in options.metric_functions}
    parameters = model.parameters()  # the same list for every batch
    for number, (start, stop) in enumerate(batches, 1):
        # A full batch is X itself: slicing would copy the list of rows for nothing.
        x_batch, y_batch = (x, y) if stop - start == n else (x[start:stop], y[start:stop])
        try:
            stepped = None if straight is None else straight.step(x_batch, y_batch)
        except DivergenceError as error:
            raise _update_diverged(error, options, _where(epoch, number, len(batches))) from None
        loss, output = model.backprop(x_batch, y_batch) if stepped is None else stepped
        if not math.isfinite(loss):
            # Nothing was stepped on: the weights are still those of the last finite step.
            raise DivergenceError(
                f"fit: the loss became {loss} at {_where(epoch, number, len(batches))}; the "
                f"weights are left as they were before that batch (learning rate "
                f"{options.optimizer_in_use.lr:g}: try a smaller one)"
            )
        rows = stop - start
        total += loss if summed else loss * rows
        if metric_totals:
            for name, value in evaluate_metrics(
                options.metric_functions, output, y_batch, model.loss_function
            ).items():
                metric_totals[name] += value * rows
        if stepped is None:
            try:
                step(parameters, options)
            except DivergenceError as error:
                raise _update_diverged(error, options,
                                       _where(epoch, number, len(batches))) from None
    values = {"loss": total if summed else total / n}
    if metric_totals:
        values.update((name, value / n) for name, value in metric_totals.items())
    return values


def _update_diverged(error: DivergenceError, options: FitOptions, where: str) -> DivergenceError:
    """fit's message for an update that would have made a weight non-finite."""
    return DivergenceError(
        f"fit: at {where}, {error} (learning rate {options.optimizer_in_use.lr:g}: try a "
        "smaller one, or clip_norm)"
    )


def _where(epoch: int, number: int, count: int) -> str:
    """"epoch 3, batch 2 of 5": where a DivergenceError happened (formatted only then)."""
    return f"epoch {epoch}, batch {number} of {count}"


def step(parameters: list[Parameter], options: FitOptions) -> None:
    """Clip (if asked) and let the optimizer subtract the stored gradients; an update that would
    make a weight non-finite changes nothing and raises DivergenceError.

    Clipping rescales the stored gradient in place, here from 4 to 4/(4 + 1e-6) ≈ 1:

    >>> w = Parameter("w", [[1.0]])
    >>> w.grad = [[4.0]]
    >>> step([w], FitOptions(learning_rate=0.5, clip_norm=1.0))
    >>> round(w.grad[0][0], 6), round(w.value[0][0], 6)
    (1.0, 0.5)
    """
    gradients: list[Matrix] = [parameter.grad for parameter in parameters]  # type: ignore[misc]
    if options.clip_norm is not None:
        clip_checked_gradients(gradients, options.clip_norm)
    options.optimizer_in_use.update(parameters, gradients)


def validation_values(
    model: Trainable, validation: Data, options: FitOptions, epoch: int
) -> dict[str, float]:
    """{"val_loss": …, "val_<metric>": …} on the validation data at the current weights, in
    evaluation mode (dropout off, BatchNorm's running statistics).

    >>> from purenn import Dense, Network
    >>> net = Network([Dense(1, 1, bias=False)], seed=0)
    >>> net.parameters()[0].value[0][0] = 2.0
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
