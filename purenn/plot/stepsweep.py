"""The gradient-check sweep as a picture: error against step size on log–log axes.

``purenn.gradient_checking.step_sweep`` returns {method: [(h, max |backprop − numerical|), …]};
``python3 -m purenn gradcheck --sweep`` prints it as a table.  Drawn, every difference method is
a U: truncation error falling as hᵖ on the right, round-off rising as ε/h on the left, with the
bottom near h ≈ √ε for forward and ∛ε for central differences (dotted guides mark both).  The
complex step has no left arm.

An error of exactly 0 (the complex step can match backprop to the last bit) cannot sit on a log
axis: it is drawn on the bottom edge and a note says so.  When every error is 0, the error axis
spans ε/2 … 1 (ε = 2⁻⁵²), so the points still sit on a readable floor.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Mapping

from purenn.arguments import is_real, shown
from purenn.errors import ConfigurationError, ShapeError
from purenn.plot import colors
from purenn.plot.checks import optional_text
from purenn.plot.lines import Guide, Panel, Series, line_chart

if TYPE_CHECKING:
    from typing import Any

    from purenn.plot.svg import PathArgument

__all__ = ["sweep"]

_WHERE = "sweep"
_EPSILON = sys.float_info.epsilon


def _pair(item: Any, name: str) -> list[float]:
    """(h, error) as floats: h finite > 0, error finite ≥ 0."""
    if not isinstance(item, (list, tuple)) or len(item) != 2:
        raise ConfigurationError(f"{_WHERE}: {name} must be a pair (h, error), got {shown(item)}")
    h, error = item
    if not (is_real(h) and 0.0 < h < float("inf")):
        raise ConfigurationError(
            f"{_WHERE}: {name} has step h = {shown(h)}; h must be finite and > 0"
        )
    if not (is_real(error) and 0.0 <= error < float("inf")):
        raise ConfigurationError(
            f"{_WHERE}: {name} has error {shown(error)}; errors must be finite and ≥ 0"
        )
    return [float(h), float(error)]


def _series(results: Any) -> list[Series]:
    if not isinstance(results, Mapping):
        raise ConfigurationError(
            f"{_WHERE}: results must be a dict {{method: [(h, error), …]}}, got {shown(results)}"
        )
    if not results:
        raise ShapeError(f"{_WHERE}: results is empty; there is no method to draw")
    lines = []
    for index, (method, rows) in enumerate(results.items()):
        name = f"results[{shown(method)}]"
        if not isinstance(rows, (list, tuple)):
            raise ConfigurationError(f"{_WHERE}: {name} must be a list of (h, error) pairs")
        if not rows:
            raise ShapeError(f"{_WHERE}: {name} is empty")
        points = sorted(_pair(item, f"{name}[{i}]") for i, item in enumerate(rows))
        lines.append(
            Series(str(method), [(h, error) for h, error in points], colors.category(index))
        )
    return lines


def _shared_low(series: list[Series]) -> float | None:
    """The smallest step every method reached, when some method went more than 4 decades
    below it (the complex step's 1e-300): the x axis compresses what lies below, else None."""
    shared = max(line.points[0][0] for line in series)
    lowest = min(line.points[0][0] for line in series)
    return shared if lowest < shared * 1e-4 else None


def sweep(results: Mapping[str, Any], path: PathArgument = None, *, title: Any = None) -> str:
    """An SVG log–log chart of a step sweep: max |a − n| against h, one line per method.

    ``results`` is what ``purenn.gradient_checking.step_sweep`` returns: {method: [(h, error), …]}
    with h > 0 and error ≥ 0, finite.  Each method is one polyline with one point per step
    (sorted by h) and a circle on each point; dotted guides mark h = √ε ≈ 1.5e-8 and
    ∛ε ≈ 6.1e-6 (ε = 2⁻⁵² the float epsilon) when they lie within the steps swept.  When one
    method's steps reach more than 4 decades below the smallest step all methods share (the
    complex step's default steps go down to 1e-300), that far range is compressed into a strip
    at the left of a broken x axis.  Returns the SVG text and writes it to ``path`` unless
    that is None.

    Raises ShapeError when results or a method's list is empty, and ConfigurationError for
    anything that is not a (h, error) pair of such numbers.

    >>> svg = sweep({"central": [(1e-2, 3e-6), (1e-5, 3e-11), (1e-8, 2e-8)]})
    >>> svg.count("<polyline"), svg.count("<circle")
    (1, 3)
    """
    heading = optional_text(title, _WHERE, "title")
    series = _series(results)
    guides = [Guide(_EPSILON ** (1 / 2), "√ε"), Guide(_EPSILON ** (1 / 3), "∛ε")]
    steps = [h for line in series for h, _ in line.points]
    inside = [guide for guide in guides if min(steps) <= guide.x <= max(steps)]
    panel = Panel(
        series,
        "max |backprop − numerical|",
        log_y=True,
        height=340.0,
        guides=inside,
        empty_log_range=(_EPSILON / 2, 1.0),
    )
    chart = line_chart(
        [panel],
        "step h",
        heading or "Gradient check: error against step size",
        _WHERE,
        log_x=True,
        compress_x_below=_shared_low(series),
    )
    return chart.finish(path, _WHERE)
