"""Pictures of networks and their training, as SVG written with the standard library.

Each function takes what it draws and an optional path, returns the SVG text, and writes it to
the path when one is given.  The files are self-contained (no scripts, no external fonts or
images) and open in any browser:

- ``loss_curve(history)``: training and validation loss per epoch, and any metric;
- ``sweep(results)``: the gradient check's error against step size, log–log.

Bad input raises ``ShapeError`` (sizes that do not fit) or ``ConfigurationError`` (a value that
cannot be drawn, or a wrong option), both ValueErrors whose message names the function and the
argument.  The modules, bottom to top: ``svg`` (text primitives), ``colors``, ``ticks`` (nice
numbers), ``scales``, ``checks``, ``axes``, ``lines`` (line charts), then one module per kind of
picture.
"""

from purenn.plot.history import loss_curve
from purenn.plot.stepsweep import sweep

__all__ = ["loss_curve", "sweep"]
