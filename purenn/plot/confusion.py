"""The confusion matrix as a picture: one cell per (true class, predicted class), its count
written in it and its shade the share of the true class's rows it holds, so a good classifier
shows a dark diagonal whatever the sizes of the classes.  Rows are the true classes, columns the
predicted ones (scikit-learn's ``ConfusionMatrixDisplay`` lays it out the same way); the
diagonal, the rows predicted right, is blue and the rest red.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ConfigurationError, ShapeError
from purenn.plot.checks import optional_text
from purenn.plot.colors import MUTED, NEGATIVE, POSITIVE, TEXT, lighten
from purenn.plot.svg import Drawing, element, text, text_width

if TYPE_CHECKING:
    from typing import Any, Sequence

    from purenn.plot.svg import PathArgument

__all__ = ["confusion_matrix"]

_WHERE = "confusion_matrix"
CELL = 44  # pixels per cell
FONT = 12
MARGIN = 16


def _check(confusion: Any, names: Any) -> tuple[list[list[int]], list[str]]:
    """The counts (k × k ints ≥ 0) and the k class names, or ShapeError/ConfigurationError."""
    if not isinstance(names, (list, tuple)) or not names or not all(
            isinstance(name, str) for name in names):
        raise ConfigurationError(f"{_WHERE}: class_names must be a list of str, got "
                                 f"{shown(names)}")
    k = len(names)
    fits = isinstance(confusion, (list, tuple)) and len(confusion) == k and all(
        isinstance(row, (list, tuple)) and len(row) == k for row in confusion)
    if not fits:
        raise ShapeError(f"{_WHERE}: confusion must be {k} × {k} (one row and column per "
                         f"class), got {shown(confusion)}")
    counts = [list(row) for row in confusion]
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0
               for row in counts for n in row):
        raise ConfigurationError(f"{_WHERE}: confusion must hold counts (ints ≥ 0), got "
                                 f"{shown(confusion)}")
    return counts, list(names)


def _cell(x: float, y: float, count: int, total: int, diagonal: bool) -> list[str]:
    """A square shaded by count/total (its row's share), the count written in it."""
    share = count / total if total else 0.0
    color = lighten(POSITIVE if diagonal else NEGATIVE, 1.0 - share)
    ink = "#ffffff" if share > 0.55 else TEXT
    return [
        element("rect", {"x": x, "y": y, "width": CELL, "height": CELL, "fill": color,
                         "stroke": "#ffffff"}),
        text(x + CELL / 2, y + CELL / 2 + FONT / 3, str(count),
             {"text-anchor": "middle", "fill": ink, "font-size": FONT}),
    ]


def confusion_matrix(
    confusion: Sequence[Sequence[int]],
    class_names: Sequence[str],
    path: PathArgument = None,
    *,
    title: Any = None,
) -> str:
    """An SVG picture of ``confusion`` (k × k counts, ``confusion[t][p]`` the rows of class t
    predicted as p, as ``purenn.metrics.ClassReport.confusion``), its rows and columns named
    by ``class_names``.  ``title`` defaults to "Confusion matrix".  Returns the SVG text and
    writes it to ``path`` unless that is None.

    >>> svg = confusion_matrix([[5, 1], [0, 4]], ["cat", "dog"])
    >>> svg.count("<rect"), ">5</text>" in svg
    (5, True)
    """
    counts, names = _check(confusion, class_names)
    heading = optional_text(title, _WHERE, "title") or "Confusion matrix"
    label_width = max(text_width(name, FONT) for name in names) + 8
    predicted_y = MARGIN + 14 + 24  # the title's line, then the axis name's
    left, top = MARGIN + 18 + label_width, predicted_y + 10 + label_width
    size = CELL * len(names)
    width = max(left + size + MARGIN, text_width(heading, 14) + 2 * MARGIN)
    drawing = Drawing(width, top + size + MARGIN, heading)
    drawing.add(text(MARGIN, MARGIN + 14, heading, {"font-size": 14, "fill": TEXT}))
    drawing.add(text(left + size / 2, predicted_y, "predicted",
                     {"text-anchor": "middle", "fill": MUTED}))
    middle = top + size / 2
    drawing.add(text(MARGIN + 12, middle, "true", {"text-anchor": "middle", "fill": MUTED,
                                                  "transform": f"rotate(-90 {MARGIN + 12} "
                                                               f"{middle})"}))
    for index, name in enumerate(names):
        centre = index * CELL + CELL / 2
        drawing.add(text(left - 6, top + centre + FONT / 3, name,
                         {"text-anchor": "end", "fill": TEXT}))
        x, y = left + centre + FONT / 3, top - 6
        drawing.add(text(x, y, name, {"fill": TEXT, "transform": f"rotate(-90 {x} {y})"}))
    for t, row in enumerate(counts):
        total = sum(row)
        for p, count in enumerate(row):
            drawing.add(*_cell(left + p * CELL, top + t * CELL, count, total, t == p))
    return drawing.finish(path, _WHERE)
