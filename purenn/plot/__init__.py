"""Pictures of networks and their training, as SVG written with the standard library.

Each function takes what it draws and an optional path, returns the SVG text, and writes it to
the path when one is given.  The files are self-contained (no scripts, no external fonts or
images) and open in any browser:

- ``loss_curve(history)``: training and validation loss per epoch, and any metric;
- ``architecture(network)``: a column of units per layer, edges coloured by the sign of each
  weight and as wide as its size; heat maps of W for wide layers;
- ``decision_boundary(network, X, labels)``: a 2-D classifier's class regions, the data on top;
- ``sweep(results)``: the gradient check's error against step size, log–log;
- ``image_grid(images, image_shape)``: digits, or the filters of a convolutional layer;
- ``confusion_matrix(confusion, class_names)``: a classifier's counts per true and predicted
  class.

Bad input raises ``ShapeError`` (sizes that do not fit) or ``ConfigurationError`` (a value that
cannot be drawn, or a wrong option), both ValueErrors whose message names the function and the
argument.

The modules, bottom to top: ``svg`` (text primitives), ``colors``, ``ticks`` (nice numbers),
``scales``, ``checks``, ``axes``, ``lines`` (line charts), ``raster`` (grids of cells), then one
module per kind of picture: ``history``, ``stepsweep``, ``diagram``, ``boundary``, ``images``,
``confusion``.
Nothing in purenn's core imports this package.
"""

from purenn.plot.boundary import decision_boundary
from purenn.plot.confusion import confusion_matrix
from purenn.plot.diagram import architecture
from purenn.plot.history import loss_curve
from purenn.plot.images import image_grid
from purenn.plot.stepsweep import sweep

__all__ = ["loss_curve", "architecture", "decision_boundary", "sweep", "image_grid",
           "confusion_matrix"]
