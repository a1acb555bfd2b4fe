"""Scales: where a data value falls along an axis, linearly or logarithmically.

A scale is built from the range of the data it shows; it chooses nice ticks for that range
(``purenn.plot.ticks``) and maps a value to a fraction of the axis, 0 at the axis's low end and
1 at its high end.  Pixels are the business of ``purenn.plot.axes``.

Every scale has ``tick_fraction`` for positions in its ticks' coordinate (the value, or log₁₀ of
it) and ``fraction`` for data values, and lists in ``breaks`` the fractions where the axis is
broken (a log axis can compress a far tail of the data, see ``LogScale``).

A log scale cannot place 0 or a negative value.  It maps every such value to the low end of the
axis (fraction 0): ``LogScale.clamps`` tells which values that happens to, so a picture can say
so.  A scale over a single value widens to an interval around it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from purenn.plot.ticks import AxisTicks, Tick, linear_ticks, log_ticks

if TYPE_CHECKING:
    from typing import Union

    Scale = Union["LinearScale", "LogScale"]

__all__ = ["LinearScale", "LogScale"]

_TAIL = 0.14
_GAP = 0.04


class LinearScale:
    """A linear axis over finite [low, high] with nice ticks: fraction(v) = (v − a)/(b − a),
    where [a, b] ⊇ [low, high] is the axis ``ticks`` chose.  ``integer`` keeps steps ≥ 1;
    ``tight`` makes [a, b] = [low, high] (see ``linear_ticks``).

    ``breaks`` is empty: a linear axis is never broken.

    >>> scale = LinearScale(0.02, 1.2)
    >>> scale.fraction(0.6), scale.fraction(1.2)
    (0.5, 1.0)
    """

    def __init__(self, low: float, high: float, integer: bool = False, tight: bool = False) -> None:
        self.ticks: AxisTicks = linear_ticks(low, high, integer=integer, tight=tight)

        self.breaks: tuple[float, ...] = ()

    def tick_fraction(self, position: float) -> float:
        """Where ``position`` sits between the axis's ends, as (v − a)/(b − a).

        >>> LinearScale(0, 10).tick_fraction(5)
        0.5
        """
        low, high = self.ticks.low, self.ticks.high
        # Halved first: b − a overflows for an axis over ±1e308.
        return (position / 2 - low / 2) / (high / 2 - low / 2)

    def fraction(self, value: float) -> float:
        """Where the data ``value`` sits: the same as tick_fraction on a linear axis."""
        return self.tick_fraction(value)

    def clamps(self, value: float) -> bool:
        """False: a linear scale places every finite value.

        >>> LinearScale(0, 10).clamps(-1e300)
        False
        """
        return False


class LogScale:
    """A log₁₀ axis over [low, high] (0 < low ≤ high, finite): fraction(v) = (log₁₀ v − a)/(b − a)
    with [a, b] ⊇ [log₁₀ low, log₁₀ high] whole decades; v ≤ 0 is clamped to fraction 0.

    ``compress_below`` (optional, low < it ≤ high) breaks the axis: values below it share the
    first 14% of the axis, and values from it up get the remaining 82% after a 4% gap.  A sweep
    whose complex-step points reach h = 1e-300 uses it so the U-curves near 1e-8 stay readable.

    >>> scale = LogScale(0.01, 1.0)
    >>> scale.fraction(0.1), scale.fraction(0.0), scale.clamps(0.0)
    (0.5, 0.0, True)
    >>> broken = LogScale(1e-300, 1.0, compress_below=1e-15)
    >>> broken.fraction(1e-300), round(broken.fraction(1e-15), 12), broken.breaks
    (0.0, 0.18, (0.16,))
    """

    def __init__(self, low: float, high: float, compress_below: float | None = None) -> None:
        self._tail: tuple[float, float] | None = None
        self.breaks: tuple[float, ...] = ()
        main = log_ticks(compress_below or low, high)
        if compress_below is None or main.low <= math.log10(low):
            # Nothing lies below the main axis's first decade: there is no tail to compress.
            self.ticks: AxisTicks = log_ticks(low, high)
            return
        tail = log_ticks(low, compress_below)
        self._tail = (tail.low, main.low)
        below = [tick for tick in tail.ticks if tick.major and tick.position < main.low]
        # The strip is narrow: one label (its lowest decade) is all that fits.
        ticks = [below[0], *(Tick(tick.position, "", major=True) for tick in below[1:])]
        self.ticks = AxisTicks(tail.low, main.high, (*ticks, *main.ticks))
        self.breaks = (_TAIL + _GAP / 2,)

    def tick_fraction(self, position: float) -> float:
        """Where the exponent ``position`` (log₁₀ of a value) sits along the axis.

        >>> LogScale(0.01, 1.0).tick_fraction(-1)          # 10⁻¹, halfway from 10⁻² to 10⁰
        0.5
        """
        low, high = self.ticks.low, self.ticks.high
        if self._tail is None:
            return (position - low) / (high - low)
        bottom, joint = self._tail
        if position < joint:
            return _TAIL * (position - bottom) / (joint - bottom)
        return _TAIL + _GAP + (1.0 - _TAIL - _GAP) * (position - joint) / (high - joint)

    def fraction(self, value: float) -> float:
        """tick_fraction(log₁₀ v), or 0 for v ≤ 0 (the axis's floor)."""
        if self.clamps(value):
            return 0.0
        return self.tick_fraction(math.log10(value))

    def clamps(self, value: float) -> bool:
        """True for a value the log scale cannot place (v ≤ 0), drawn at the floor."""
        return value <= 0.0


