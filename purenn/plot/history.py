"""Loss curves: what ``fit`` recorded in a ``History``, epoch by epoch, as a line chart.

The top panel shows the training loss (solid blue) and, when there was validation data, the
validation loss (dashed orange) against the epoch, 1 to n.  Each metric asked for gets a panel
of its own below, with its "val_" partner when the history has one; "lr" draws the learning
rate of each epoch.  Only the loss panel can be logarithmic: metrics such as accuracy live in
[0, 1] and read best on a linear scale.

On a log scale, a loss that is exactly 0 (a perfect fit) is drawn on the bottom edge and a note
under the chart says so; a history whose losses are all ≤ 0 is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ConfigurationError, ShapeError
from purenn.plot import colors
from purenn.plot.checks import finite_values, optional_text
from purenn.plot.lines import Panel, Series, line_chart
from purenn.training import History

if TYPE_CHECKING:
    from typing import Any, Sequence

    from purenn.plot.svg import PathArgument

__all__ = ["loss_curve"]

_WHERE = "loss_curve"
_TRAINING = colors.category(0)
_VALIDATION = colors.category(1)


def _series(values: list[float], label: str, color: str, dashed: bool = False) -> Series:
    return Series(label, [(epoch, value) for epoch, value in enumerate(values, 1)], color, dashed)


def _same_length(values: list[float], name: str, epochs: int) -> list[float]:
    if len(values) != epochs:
        raise ShapeError(
            f"{_WHERE}: history.{name} has {len(values)} values but history.loss has {epochs}"
        )
    return values


def _loss_panel(history: History, log_scale: bool) -> Panel:
    loss = finite_values(history.loss, _WHERE, "history.loss")
    if not loss:
        raise ShapeError(f"{_WHERE}: history has no epochs (history.loss is empty)")
    series = [_series(loss, "training loss", _TRAINING)]
    validation = finite_values(history.val_loss, _WHERE, "history.val_loss")
    if validation:
        _same_length(validation, "val_loss", len(loss))
        series.append(_series(validation, "validation loss", _VALIDATION, dashed=True))
    return Panel(series, "loss", log_y=log_scale)


def _recorded(history: History, name: str) -> list[float]:
    """The values of metric ``name`` ("lr" for the learning rates), checked."""
    if name == "lr":
        return finite_values(history.lr, _WHERE, "history.lr")
    return finite_values(history.metrics[name], _WHERE, f"history.metrics[{name!r}]")


def _metric_panels(history: History, metrics: Any, epochs: int) -> list[Panel]:
    if isinstance(metrics, str) or not isinstance(metrics, (list, tuple)):
        raise ConfigurationError(
            f"{_WHERE}: metrics must be a list of metric names, got {shown(metrics)}"
        )
    known = [*history.metrics, "lr"]
    panels = []
    for name in metrics:
        if name not in known:
            raise ConfigurationError(
                f"{_WHERE}: history has no metric {shown(name)}; it has {', '.join(known)}"
            )
        series = [_series(_same_length(_recorded(history, name), name, epochs), name, _TRAINING)]
        partner = f"val_{name}"
        if partner in history.metrics and partner not in metrics:
            values = _same_length(_recorded(history, partner), partner, epochs)
            series.append(_series(values, partner, _VALIDATION, dashed=True))
        label = "learning rate" if name == "lr" else name
        panels.append(Panel(series, label, height=170.0))
    return panels


def loss_curve(
    history: History,
    path: PathArgument = None,
    *,
    metrics: Sequence[str] = (),
    log_scale: bool = False,
    title: Any = None,
) -> str:
    """An SVG line chart of a History: loss per epoch, then one panel per metric.

    x is the epoch 1 … n (n = len(history.loss)); the loss panel draws history.loss and, when
    recorded, history.val_loss (also n values), each as one polyline with one point per epoch.
    ``metrics`` names entries of history.metrics, or "lr" for history.lr.  ``log_scale`` makes
    the loss axis log₁₀ (values ≤ 0 drawn on its bottom edge, with a note).  ``title`` defaults
    to "Training loss" or "Training and validation loss".  Returns the SVG text and writes it
    to ``path`` unless that is None.

    Raises ShapeError for an empty history or series of different lengths, and
    ConfigurationError for NaN or ±inf, an unknown metric, or a log scale with no positive loss.

    >>> history = History()
    >>> for loss in [0.9, 0.5, 0.3]:
    ...     history.record({"loss": loss})
    >>> svg = loss_curve(history)
    >>> svg.count("<polyline"), svg.count("<circle")
    (1, 3)
    """
    if not isinstance(history, History):
        raise ConfigurationError(
            f"{_WHERE}: history must be a History (what fit returns), got {shown(history)}"
        )
    if not isinstance(log_scale, bool):
        raise ConfigurationError(
            f"{_WHERE}: log_scale must be True or False, got {shown(log_scale)}"
        )
    heading = optional_text(title, _WHERE, "title")
    loss_panel = _loss_panel(history, log_scale)
    epochs = len(history.loss)
    panels = [loss_panel, *_metric_panels(history, metrics, epochs)]
    if heading is None:
        heading = "Training and validation loss" if history.val_loss else "Training loss"
    chart = line_chart(panels, "epoch", heading, _WHERE, integer_x=True)
    return chart.finish(path, _WHERE)
