"""Tick marks at nice numbers, for linear and logarithmic axes.

A linear axis over [low, high] is cut at the multiples of a step s = m·10ᵉ with m ∈ {1, 2, 5},
found by Heckbert's nice-number rule ("Nice numbers for graph labels", Graphics Gems, 1990): for
the raw step r = (high − low)/(count − 1), write r = f·10ᵉ with 1 ≤ f < 10 and round f to 1
(f < 1.5), 2 (f < 3), 5 (f < 7) or 10.  The axis then runs from ⌊low/s⌋·s to ⌈high/s⌉·s, so its
ends are ticks too.  A logarithmic axis has a tick at each power of ten (or every 2nd, 5th,
10th… power when the data span many decades) and unlabelled ticks at 2·10ᵏ … 9·10ᵏ between.

Ticks are computed in decimal arithmetic (``decimal.Decimal``), so a label reads "0.3", never
"0.30000000000000004", and ranges near the ends of the float range (1e-320, 1e308) neither
overflow nor lose their labels.

Not done here: where ticks are drawn (``purenn.plot.axes``) or how data maps to them
(``purenn.plot.scales``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

__all__ = ["Tick", "AxisTicks", "nice_number", "linear_ticks", "log_ticks"]

_MINUS = "\u2212"


@dataclass(frozen=True)
class Tick:
    """One tick: ``position`` on the axis (the value on a linear axis, log₁₀ of it on a log
    axis), its ``label`` ("" for an unlabelled tick), an optional ``superscript`` written after
    the label (the exponent of "10⁻⁵"), and whether it is ``major`` (drawn with a grid line).

    >>> Tick(-5.0, "10", superscript="-5").major
    True
    """

    position: float
    label: str
    superscript: str = ""
    major: bool = True


@dataclass(frozen=True)
class AxisTicks:
    """An axis's extent [low, high] (in the ticks' coordinate) and its ticks, low to high.

    >>> axis = AxisTicks(0.0, 1.0, (Tick(0.0, "0"), Tick(1.0, "1")))
    >>> [tick.label for tick in axis.ticks]
    ['0', '1']
    """

    low: float
    high: float
    ticks: tuple[Tick, ...]


def _nice_parts(value: float, rounding: bool) -> tuple[int, int]:
    """(m, e) with m ∈ {1, 2, 5} and m·10ᵉ the nice number for value > 0."""
    mantissa_text, exponent_text = f"{value:.15e}".split("e")
    fraction, exponent = float(mantissa_text), int(exponent_text)
    if rounding:
        bounds = ((1.5, 1), (3.0, 2), (7.0, 5))
        nice = next((m for bound, m in bounds if fraction < bound), 10)
    else:
        bounds = ((1.0, 1), (2.0, 2), (5.0, 5))
        nice = next((m for bound, m in bounds if fraction <= bound), 10)
    return (1, exponent + 1) if nice == 10 else (nice, exponent)


def nice_number(value: float, rounding: bool = True) -> float:
    """Heckbert's nice number near ``value`` > 0: value = f·10ᵉ (1 ≤ f < 10) becomes m·10ᵉ with
    m = 1, 2, 5 or 10; rounding picks the nearest (f < 1.5, < 3, < 7), otherwise the smallest
    m ≥ f (a ceiling).

    >>> nice_number(0.37), nice_number(0.37, rounding=False), nice_number(7200)
    (0.5, 0.5, 10000.0)
    """
    nice, exponent = _nice_parts(value, rounding)
    return float(Decimal(nice).scaleb(exponent))


def _widen(low: float, high: float) -> tuple[float, float]:
    """An interval around a single value, so a constant series still gets an axis."""
    if low != high:
        return low, high
    pad = abs(low) * 0.1 if abs(low) > 1e-300 else 1.0
    if math.isinf(high + pad):  # near the largest float: widen downwards only
        return low - 2 * pad, high
    if math.isinf(low - pad):
        return low, high + 2 * pad
    return low - pad, high + pad


def _decimal_labels(values: list[Decimal], exponent: int) -> list[str]:
    """Labels of ticks that are multiples of 10^exponent, all in one format: fixed-point, or
    scientific ("2.5e6") when the largest tick is ≥ 1e6 or below 1e-3."""
    biggest = max(abs(value) for value in values)
    if biggest == 0 or Decimal("1e-3") <= biggest < Decimal("1e6"):
        labels = [f"{value:.{max(0, -exponent)}f}" for value in values]
    else:
        digits = max(0, biggest.adjusted() - exponent)
        labels = [f"{value:.{digits}e}".replace("e+", "e") if value else "0" for value in values]
    return [_typeset(label) for label in labels]


def _typeset(label: str) -> str:
    """The label with a typographic minus (−) for the hyphen."""
    return label.replace("-", _MINUS)


def linear_ticks(
    low: float, high: float, count: int = 5, integer: bool = False, tight: bool = False
) -> AxisTicks:
    """Nice ticks covering [low, high] (finite, low ≤ high), about ``count`` (≥ 2) of them.

    The step is s = nice_number((high − low)/(count − 1)), at least 1 when ``integer`` and at
    least 1e-14·max(|low|, |high|) (finer ticks would not be distinct floats); the axis runs
    from ⌊low/s⌋·s to ⌈high/s⌉·s (clamped to the finite floats).  A single value v gets the
    axis v ± 0.1|v| (± 1 for v = 0).  ``tight`` keeps the axis at [low, high] itself, with the
    ticks that fall inside it (unless fewer than two do).

    >>> [tick.label for tick in linear_ticks(0.02, 1.2).ticks]
    ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0', '1.2']
    >>> axis = linear_ticks(1, 1500, integer=True)
    >>> axis.low, axis.high, [tick.label for tick in axis.ticks]
    (0.0, 1500.0, ['0', '500', '1000', '1500'])
    >>> axis = linear_ticks(-1.1, 1.1, tight=True)
    >>> axis.low, axis.high, [tick.label for tick in axis.ticks]
    (-1.1, 1.1, ['−1.0', '−0.5', '0.0', '0.5', '1.0'])
    """
    low, high = _widen(low, high)
    # Divided before subtracting: high − low overflows for data spanning ±1e308.  A step below
    # 1e-14 of the values' size would put neighbouring ticks on the same float.
    raw_step = high / (count - 1) - low / (count - 1)
    nice, exponent = _nice_parts(max(raw_step, 1e-14 * max(abs(low), abs(high))), True)
    if integer and exponent < 0:
        nice, exponent = 1, 0
    step = Decimal(nice).scaleb(exponent)
    first = int((Decimal(low) / step).to_integral_value(ROUND_FLOOR))
    last = int((Decimal(high) / step).to_integral_value(ROUND_CEILING))
    values = [k * step for k in range(first, last + 1)]
    kept = [value for value in values if math.isfinite(float(value))]
    labels = _decimal_labels(kept, exponent)
    ticks = tuple(Tick(float(value), label) for value, label in zip(kept, labels))
    inside = tuple(tick for tick in ticks if low <= tick.position <= high)
    if tight and len(inside) >= 2:
        return AxisTicks(low, high, inside)
    axis_low = float(values[0]) if math.isfinite(float(values[0])) else low
    axis_high = float(values[-1]) if math.isfinite(float(values[-1])) else high
    return AxisTicks(axis_low, axis_high, ticks)


def _decade_bounds(low: float, high: float) -> tuple[int, int]:
    """(⌊log₁₀ low⌋, ⌈log₁₀ high⌉), read from the decimal exponent so powers of ten are exact."""
    low_exponent = int(f"{low:.15e}".split("e")[1])
    mantissa, high_exponent = f"{high:.15e}".split("e")
    top = int(high_exponent) + (0 if float(mantissa) == 1.0 else 1)
    return low_exponent, top


def _decade_stride(bottom: int, top: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, … that cuts [bottom, top], widened to its multiples,
    into at most 6 steps."""
    stride = 1
    while -((-top) // stride) - bottom // stride > 6:
        nice, exponent = _nice_parts(stride + 0.5, rounding=False)
        stride = nice * 10**exponent
    return stride


def _power_label(exponent: int, plain: bool) -> tuple[str, str]:
    """(label, superscript) of 10^exponent: "0.01" when plain, else "10" and "−2"."""
    if plain:
        return f"{Decimal(1).scaleb(exponent):f}", ""
    return "10", _typeset(str(exponent))


def log_ticks(low: float, high: float) -> AxisTicks:
    """Ticks of a log₁₀ axis covering [low, high] (0 < low ≤ high, finite); positions and the
    extent are log₁₀ of values.

    Labelled ticks sit at 10ᵏ for k a multiple of the stride, the smallest of 1, 2, 5, 10, 20, …
    that leaves at most 7 of them on the axis (widened to multiples of the stride).  With
    stride 1 there are unlabelled ticks at 2·10ᵏ … 9·10ᵏ, and within 2 decades 2·10ᵏ and 5·10ᵏ
    are labelled too; with a larger stride, unlabelled ticks at the other powers of ten (when
    the axis spans at most 60 decades).  Labels are plain numbers when every labelled exponent
    is in −3…4, else powers of ten: "10" with the exponent as a superscript.

    >>> axis = log_ticks(0.02, 0.9)
    >>> axis.low, axis.high, [tick.label for tick in axis.ticks if tick.label]
    (-2.0, 0.0, ['0.01', '0.02', '0.05', '0.1', '0.2', '0.5', '1'])
    >>> [tick.superscript for tick in log_ticks(1e-300, 1e-5).ticks if tick.label]
    ['−300', '−250', '−200', '−150', '−100', '−50', '0']
    """
    bottom, top = _decade_bounds(low, high)
    if bottom == top:
        bottom, top = bottom - 1, top + 1
    stride = _decade_stride(bottom, top)
    bottom, top = (bottom // stride) * stride, -((-top) // stride) * stride
    plain = bottom >= -3 and top <= 4
    ticks: list[Tick] = []
    for exponent in range(bottom, top + 1):
        if exponent % stride == 0:
            label, superscript = _power_label(exponent, plain)
            ticks.append(Tick(float(exponent), label, superscript))
        elif stride > 1 and top - bottom <= 60:
            ticks.append(Tick(float(exponent), "", major=False))
        if stride == 1 and exponent < top:
            ticks.extend(_minor_ticks(exponent, plain and top - bottom <= 2))
    return AxisTicks(float(bottom), float(top), tuple(ticks))


def _minor_ticks(exponent: int, labelled: bool) -> list[Tick]:
    """Ticks at m·10^exponent for m = 2 … 9; m = 2 and 5 labelled when asked."""
    ticks = []
    for multiple in range(2, 10):
        value = Decimal(multiple).scaleb(exponent)
        label = f"{value:f}" if labelled and multiple in (2, 5) else ""
        ticks.append(Tick(math.log10(multiple) + exponent, label, major=bool(label)))
    return ticks
