"""Colours of the pictures: one per class or series, one per sign, and maps from numbers.

Colours are "#rrggbb" strings.  The categorical palette is chosen so that neighbouring entries
differ in hue and lightness (readable by most colour-blind viewers and in grey print); signs use
blue for positive and red for negative throughout, in edges, weights and images alike.

Not a colour-science module: interpolation is linear in sRGB, which is enough for shading.
"""

from __future__ import annotations

import colorsys

__all__ = [
    "PALETTE",
    "POSITIVE",
    "NEGATIVE",
    "TEXT",
    "MUTED",
    "GRID",
    "category",
    "mix",
    "lighten",
    "signed",
    "gray",
    "rgb",
]

PALETTE = (
    "#2b6cb0",  # blue
    "#dd6b20",  # orange
    "#2f855a",  # green
    "#c53030",  # red
    "#6b46c1",  # purple
    "#b7791f",  # ochre
    "#2c7a7b",  # teal
    "#b83280",  # magenta
)
POSITIVE = "#2b6cb0"
NEGATIVE = "#c53030"
TEXT = "#1a202c"
MUTED = "#4a5568"
GRID = "#e2e8f0"

# Past the palette, hues step by the golden angle, so any number of classes stay distinct.
_GOLDEN_ANGLE = 0.381966


def _components(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def rgb(red: float, green: float, blue: float) -> str:
    """ "#rrggbb" from components in [0, 255] (rounded, clamped).

    >>> rgb(255, 127.6, -3)
    '#ff8000'
    """
    parts = (min(255, max(0, round(value))) for value in (red, green, blue))
    return "#" + "".join(f"{part:02x}" for part in parts)


def category(index: int) -> str:
    """The colour of class or series ``index`` (≥ 0): PALETTE[index] for the first eight, then
    hue = 0.6 + 0.382·index (mod 1) at fixed saturation and lightness.

    >>> category(0), category(1)
    ('#2b6cb0', '#dd6b20')
    """
    if index < len(PALETTE):
        return PALETTE[index]
    hue = (0.6 + _GOLDEN_ANGLE * index) % 1.0
    red, green, blue = colorsys.hls_to_rgb(hue, 0.45, 0.6)
    return rgb(255 * red, 255 * green, 255 * blue)


def mix(color: str, other: str, t: float) -> str:
    """(1 − t)·color + t·other, per component: t = 0 gives color, t = 1 gives other.

    >>> mix("#000000", "#ffffff", 0.5)
    '#808080'
    """
    pairs = zip(_components(color), _components(other))
    red, green, blue = ((1.0 - t) * a + t * b for a, b in pairs)
    return rgb(red, green, blue)


def lighten(color: str, t: float) -> str:
    """``color`` mixed with white: t = 0 keeps it, t = 1 gives white.

    >>> lighten("#2b6cb0", 1.0)
    '#ffffff'
    """
    return mix(color, "#ffffff", t)


def signed(value: float, scale: float) -> str:
    """A diverging map: white at 0, POSITIVE at value = +scale, NEGATIVE at −scale (clamped).

    >>> signed(1.0, 1.0), signed(-2.0, 1.0), signed(0.0, 1.0)
    ('#2b6cb0', '#c53030', '#ffffff')
    """
    if scale <= 0.0:
        return "#ffffff"
    strength = min(1.0, abs(value) / scale)
    return lighten(POSITIVE if value >= 0.0 else NEGATIVE, 1.0 - strength)


def gray(fraction: float) -> str:
    """Ink on paper: fraction 0 is white, 1 is black (clamped to [0, 1]).

    >>> gray(0.0), gray(1.0)
    ('#ffffff', '#000000')
    """
    level = 255.0 * (1.0 - min(1.0, max(0.0, fraction)))
    return rgb(level, level, level)
