"""The options of ``Network.fit``, declared once, as the fields of a dataclass.

``fit(X, Y, epochs, learning_rate, **options)`` gathers its keywords in a ``FitOptions``:
each field below is one keyword, with its default; ``__post_init__`` checks them all, so a new
option is one field here, its check in ``__post_init__``, and its use in the loop
(``purenn.training``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.arguments import check_flag, check_int, check_real, shown
from purenn.callbacks import EarlyStopping
from purenn.errors import ConfigurationError
from purenn.metrics import get_metrics
from purenn.optimizers import SGD, Optimizer, check_max_norm
from purenn.schedules import Schedule

if TYPE_CHECKING:
    from typing import Any, Callable, Sequence

    from purenn.metrics import Metric

    EpochCallback = Callable[[int, Any], "bool | None"]
    """callback(epoch, history) after each epoch (epochs from 1); returning True stops."""

__all__ = ["DEFAULT_LEARNING_RATE", "FitOptions", "FIT_OPTIONS"]

DEFAULT_LEARNING_RATE = 0.01
"""fit's learning rate when neither learning_rate nor optimizer is given."""


class FitOptions:
    """The options of ``fit``, each a keyword of ``__init__`` with its default:

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
    compile          run generated code (``purenn.compiled``): the same bits, faster

    ``optimizer_in_use`` (the optimizer, or the SGD that learning_rate builds) and
    ``metric_functions`` are derived from them.  ``from_keywords`` raises ConfigurationError
    naming ``fit`` for a keyword that is not an option; ``__init__`` checks each value.  (A
    plain class, not a dataclass: a dataclass's ``__init__`` is code generated at run time,
    and fit's reference path runs none.)

    >>> options = FitOptions(epochs=10, batch_size=2)
    >>> options.optimizer_in_use
    SGD(lr=0.01, momentum=0.0, nesterov=False, weight_decay=0.0)
    >>> FitOptions(epochs=-1)
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: fit: epochs must be an int ≥ 0, got -1
    """

    def __init__(
        self,
        epochs: int = 1,
        learning_rate: float | None = None,
        optimizer: Optimizer | None = None,
        batch_size: int | None = None,
        shuffle: bool = True,
        schedule: Schedule | None = None,
        clip_norm: float | None = None,
        validation_data: tuple[Any, Any] | None = None,
        validation_split: float | None = None,
        metrics: Sequence[str] = (),
        early_stopping: EarlyStopping | None = None,
        callback: EpochCallback | None = None,
        verbose: bool = False,
        compile: bool = False,  # noqa: A002 (torch.compile's word)
    ) -> None:
        where = "fit"
        self.epochs = check_int(epochs, "epochs", where, 0)
        self.batch_size = None if batch_size is None else check_int(batch_size, "batch_size",
                                                                    where, 1)
        self.learning_rate, self.optimizer = learning_rate, optimizer
        self.optimizer_in_use: Optimizer = self._optimizer(where)
        self.shuffle = check_flag(shuffle, "shuffle", where)
        self.verbose = check_flag(verbose, "verbose", where)
        self.compile = check_flag(compile, "compile", where)
        _check_instance(schedule, Schedule, "schedule", where)
        _check_instance(early_stopping, EarlyStopping, "early_stopping", where)
        self.schedule, self.early_stopping = schedule, early_stopping
        self.clip_norm = None if clip_norm is None else check_max_norm(clip_norm,
                                                                       f"{where} (clip_norm)")
        if callback is not None and not callable(callback):
            raise ConfigurationError(f"{where}: callback must be callable, got {shown(callback)}")
        self.callback = callback
        if validation_data is not None and validation_split is not None:
            raise ConfigurationError(f"{where}: give validation_data or validation_split, not both")
        self.validation_data = validation_data
        self.validation_split = None if validation_split is None else check_real(
            validation_split, "validation_split", where, low=0.0, high=1.0, include_low=False)
        self.metrics = metrics
        self.metric_functions: list[tuple[str, Metric]] = get_metrics(metrics, where)

    @classmethod
    def from_keywords(cls, **keywords: Any) -> FitOptions:
        """FitOptions from fit's keywords, refusing one that is not an option by name.

        >>> FitOptions.from_keywords(epoch=2)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        purenn.errors.ConfigurationError: fit: unknown option 'epoch'; options: epochs, ...
        """
        unknown = sorted(set(keywords) - set(FIT_OPTIONS))
        if unknown:
            raise ConfigurationError(
                f"fit: unknown option {shown(unknown[0])}; options: {', '.join(FIT_OPTIONS)}"
            )
        return cls(**keywords)

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

    def __repr__(self) -> str:
        given = ", ".join(f"{name}={getattr(self, name)!r}" for name in FIT_OPTIONS
                          if getattr(self, name) != _DEFAULTS[name])
        return f"FitOptions({given})"


_SIGNATURE = FitOptions.__init__.__code__
FIT_OPTIONS: tuple[str, ...] = _SIGNATURE.co_varnames[1:_SIGNATURE.co_argcount]
"""The keywords of ``fit`` besides the data, in the order FitOptions declares them."""
_DEFAULTS = dict(zip(FIT_OPTIONS, FitOptions.__init__.__defaults__ or ()))


def _check_instance(value: Any, kind: type, label: str, where: str) -> None:
    if value is not None and not isinstance(value, kind):
        article = "an" if kind.__name__[0] in "AEIOU" else "a"
        raise ConfigurationError(
            f"{where}: {label} must be {article} {kind.__name__} or None, got {shown(value)}"
        )
