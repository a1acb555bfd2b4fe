"""The progress line ``fit(..., verbose=True)`` writes to stderr.

One line per report: ``epoch 12/100  loss 0.0123  val_loss 0.015  accuracy 0.95  85.3 epochs/s
ETA 1.0s`` (each value to 4 significant digits).  On a terminal (``stream.isatty()``) every
epoch redraws the same line in place with a carriage return and the line ends when training
does; elsewhere (a log file, a pipe) it prints a plain line only for the first epoch, every
``every`` epochs and the last, so logs stay short.  When training ends it prints the loss of
every epoch as a one-line Unicode sparkline (``sparkline``).
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Callable, Sequence, TextIO

__all__ = ["ProgressLine", "format_duration", "sparkline", "DEFAULT_LINES", "SPARK_WIDTH"]

# Without a terminal, about this many lines for a whole fit (plus the first and the last epoch).
DEFAULT_LINES = 10

# Characters of the loss sparkline: wide enough to show a curve's shape, short enough for any
# terminal line.
SPARK_WIDTH = 60
_BARS = "▁▂▃▄▅▆▇█"


def _bucket_means(values: Sequence[float], width: int) -> list[float]:
    """``values`` averaged into at most ``width`` consecutive buckets of near-equal size."""
    if len(values) <= width:
        return list(values)
    edges = [len(values) * k // width for k in range(width + 1)]
    return [math.fsum(values[a:b]) / (b - a) for a, b in zip(edges, edges[1:])]


def sparkline(values: Sequence[float], width: int = SPARK_WIDTH, log: bool = False) -> str:
    """One character per value (or per bucket of values, averaged, when there are more than
    ``width``), from ▁ for the smallest to █ for the largest: level = ⌊7.999·(v − min)/(max −
    min)⌋.  With ``log``, levels follow ln v instead (for a loss falling by decades); it needs
    every value > 0 and falls back to linear otherwise.  Non-finite values show as a space.

    >>> sparkline([4.0, 3.0, 2.0, 1.0, 1.0])
    '█▆▃▁▁'
    >>> sparkline([1000.0, 100.0, 10.0, 1.0], log=True)
    '█▆▃▁'
    """
    buckets = _bucket_means(values, width)
    finite = [v for v in buckets if math.isfinite(v)]
    if log and finite and min(finite) > 0:
        buckets = [math.log(v) if math.isfinite(v) else v for v in buckets]
        finite = [math.log(v) for v in finite]
    if not finite:
        return " " * len(buckets)
    low, high = min(finite), max(finite)
    span = high - low
    return "".join(
        " " if not math.isfinite(v) else _BARS[int(7.999 * (v - low) / span) if span else 0]
        for v in buckets
    )


def format_duration(seconds: float) -> str:
    """'42.0s', '3m07s' or '2h05m': seconds as a short human duration.

    >>> format_duration(42.0), format_duration(59.96), format_duration(187), format_duration(7500)
    ('42.0s', '1m00s', '3m07s', '2h05m')
    """
    if round(seconds, 1) < 60:  # 59.96 s would print as "60.0s"
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class ProgressLine:
    """Reports epoch/epochs, the epoch's values, the rate in epochs/s and the ETA to ``stream``.

    ``clock`` returns seconds (``time.perf_counter`` by default; tests pass a fake).  ``every``
    is how often a non-terminal stream gets a line (default: about ``DEFAULT_LINES`` per fit).

    >>> import io
    >>> progress = ProgressLine(io.StringIO(), epochs=3, every=2, clock=lambda: 0.0)
    >>> for epoch, loss in enumerate([1.0, 0.5, 0.25], 1): progress.update(epoch, {"loss": loss})
    >>> progress.close([1.0, 0.5, 0.25])
    >>> print(progress.stream.getvalue(), end="")
    epoch 1/3  loss 1
    epoch 2/3  loss 0.5
    epoch 3/3  loss 0.25
    loss █▄▁ 1 → 0.25
    """

    def __init__(
        self,
        stream: TextIO,
        epochs: int,
        every: int | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.stream = stream
        self.epochs = epochs
        self.interactive = bool(getattr(stream, "isatty", lambda: False)())
        self.every = every if every is not None else max(1, epochs // DEFAULT_LINES)
        self.clock = clock
        self.started = clock()
        self._width = 0
        # A non-terminal stream's latest unprinted epoch: (epoch, values, time), formatted only
        # if training stops before the next printed line.
        self._pending: tuple[int, dict[str, float], float] | None = None

    def line(self, epoch: int, values: dict[str, float], now: float | None = None) -> str:
        """The text for ``epoch`` (from 1) with ``values`` such as {"loss": 0.1}, at time
        ``now`` (default: the clock's current reading).  Once time has passed since the start,
        it adds the rate r = epoch / elapsed seconds and the ETA (epochs − epoch) / r.

        >>> import io
        >>> progress = ProgressLine(io.StringIO(), epochs=100, clock=lambda: 0.0)
        >>> progress.line(10, {"loss": 0.1234567}, now=2.0)
        'epoch 10/100  loss 0.1235  5 epochs/s  ETA 18.0s'
        """
        elapsed = (self.clock() if now is None else now) - self.started
        parts = [f"epoch {epoch}/{self.epochs}"]
        parts += [f"{name} {value:.4g}" for name, value in values.items()]
        if elapsed > 0:
            rate = epoch / elapsed
            parts.append(f"{rate:.0f} epochs/s" if rate >= 100 else f"{rate:.3g} epochs/s")
            parts.append(f"ETA {format_duration((self.epochs - epoch) / rate)}")
        return "  ".join(parts)

    def update(self, epoch: int, values: dict[str, float]) -> None:
        """Report the end of ``epoch``: redraw in place on a terminal, else maybe print a line."""
        if self.interactive:
            text = self.line(epoch, values)
            # Pad with spaces over a longer previous line instead of an ANSI erase code.
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
        elif epoch == 1 or epoch % self.every == 0 or epoch == self.epochs:
            self.stream.write(self.line(epoch, values) + "\n")
            self._pending = None
        else:
            self._pending = (epoch, values, self.clock())
            return  # nothing written, nothing to flush
        self.stream.flush()

    def close(self, losses: Sequence[float] = ()) -> None:
        """End the report: finish the in-place line on a terminal; elsewhere print the last
        epoch's line if training stopped between two printed ones.  Then, given the loss of
        every epoch, print it as a sparkline (log scale when every loss is positive).
        """
        if self.interactive and self._width:
            self.stream.write("\n")
        elif self._pending is not None:
            self.stream.write(self.line(*self._pending) + "\n")
            self._pending = None
        if losses:
            self.stream.write(
                f"loss {sparkline(losses, log=True)} {losses[0]:.4g} → {losses[-1]:.4g}\n"
            )
        self.stream.flush()
