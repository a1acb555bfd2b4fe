"""Grids of coloured cells (heat maps, images, class regions) as compact SVG.

A grid is a list of rows of colours ("#rrggbb", or None for a cell left unpainted).  It becomes
one ``<path>`` per colour, in which each horizontal run of equal colour is one rectangle, inside
a group scaled so that a cell is 1 × 1: "M3 0h5v1h-5z" is a run of 5 cells from column 3 of row
0.  A digit with 17 grey levels, or a plane of class regions with 3 colours, is then a handful
of paths instead of thousands of rectangles.  ``shape-rendering="crispEdges"`` keeps browsers
from drawing hairline seams where two paths meet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.plot.svg import element, number

if TYPE_CHECKING:
    from typing import Optional, Sequence

    Grid = Sequence[Sequence[Optional[str]]]

__all__ = ["raster"]


def _runs(grid: Grid) -> dict[str, list[str]]:
    """For each colour, its runs as path commands, row by row."""
    runs: dict[str, list[str]] = {}
    for r, row in enumerate(grid):
        start = 0
        for c in range(1, len(row) + 1):
            if c == len(row) or row[c] != row[start]:
                color = row[start]
                if color is not None:
                    runs.setdefault(color, []).append(f"M{start} {r}h{c - start}v1h-{c - start}z")
                start = c
    return runs


def raster(grid: Grid, x: float, y: float, cell_width: float, cell_height: float, kind: str) -> str:
    """The grid drawn with its top-left corner at (x, y), each cell cell_width × cell_height
    pixels, as a group of class ``kind`` holding one path per colour.

    >>> black, white = "#000000", "#ffffff"
    >>> svg = raster([[black, black, None], [white, black, black]], 10, 20, 2, 2, "demo")
    >>> svg.split(">", 1)[0]
    '<g class="demo" transform="translate(10 20) scale(2 2)" shape-rendering="crispEdges"'
    >>> svg.split(">", 1)[1]
    '<path fill="#000000" d="M0 0h2v1h-2zM1 1h2v1h-2z"/><path fill="#ffffff" d="M0 1h1v1h-1z"/></g>'
    """
    paths = "".join(
        element("path", {"fill": color, "d": "".join(commands)})
        for color, commands in _runs(grid).items()
    )
    transform = f"translate({number(x)} {number(y)}) scale({cell_width:.4g} {cell_height:.4g})"
    group = {"class": kind, "transform": transform, "shape-rendering": "crispEdges"}
    return element("g", group, paths)
