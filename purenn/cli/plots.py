"""``--plots DIR``: the pictures of a run, as SVG files in DIR (made if missing).

    loss.svg           the loss per epoch (log scale), the validation loss dashed, and a panel
                       of accuracy for a classifier (purenn.plot.loss_curve)
    architecture.svg   the trained network, weights coloured by sign (purenn.plot.architecture)
    boundary.svg       for a classifier of 2-D data: its class regions with the data on top
                       (purenn.plot.decision_boundary)

Each picture uses the names the command line knows: the data set's name in the titles, the
features' names on the architecture's inputs and the boundary's axes, the classes' names on
its outputs and in the boundary's legend.  The folder is made before training starts
(``purenn.cli.outputs``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from purenn import plot
from purenn.network import Network
from purenn.training import History

if TYPE_CHECKING:
    from typing import Sequence

    from purenn.kernels import Matrix

__all__ = ["LOSS_FILE", "ARCHITECTURE_FILE", "BOUNDARY_FILE", "write_plots"]

LOSS_FILE = "loss.svg"
ARCHITECTURE_FILE = "architecture.svg"
BOUNDARY_FILE = "boundary.svg"


def write_plots(
    folder: str,
    network: Network,
    history: History,
    points: Matrix | None = None,
    labels: list[int] | None = None,
    metrics: Sequence[str] = (),
    *,
    name: str | None = None,
    feature_names: Sequence[str] | None = None,
    class_names: Sequence[str] | None = None,
) -> list[str]:
    """Write the pictures of the module docstring into ``folder``; returns their paths.  The
    loss curve needs at least one epoch, the decision boundary ``points`` (n × 2) and their
    class ``labels``; ``metrics`` names recorded metrics to draw under the loss.  ``name``
    (the data set's), ``feature_names`` and ``class_names`` label the pictures.

    >>> import os, tempfile
    >>> from purenn.layers import Dense
    >>> net = Network([Dense(2, 2)], loss="cross_entropy", seed=0)
    >>> history = net.fit([[0, 1], [1, 0]], [0, 1], epochs=3)
    >>> paths = write_plots(tempfile.mkdtemp(), net, history, [[0, 1], [1, 0]], [0, 1])
    >>> [os.path.basename(path) for path in paths]
    ['loss.svg', 'architecture.svg', 'boundary.svg']
    """
    paths = []
    if history.loss:
        path = os.path.join(folder, LOSS_FILE)
        # A log axis needs a positive loss; a perfect fit from the first epoch has none.
        log = any(value > 0 for value in history.loss)
        plot.loss_curve(history, path, metrics=list(metrics), log_scale=log,
                        title=_titled(name, "training loss"))
        paths.append(path)
    path = os.path.join(folder, ARCHITECTURE_FILE)
    sizes = "–".join(str(size) for size in [network.n_in] + [layer.n_out
                                                            for layer in network.layers])
    outputs = class_names if class_names is not None and len(class_names) == network.n_out \
        else None
    plot.architecture(network, path, title=_titled(name, f"network {sizes}"),
                      input_names=feature_names, output_names=outputs)
    paths.append(path)
    if points is not None and labels is not None and len(points[0]) == 2:
        path = os.path.join(folder, BOUNDARY_FILE)
        plot.decision_boundary(network, points, labels, path,
                               title=_titled(name, "decision boundary"),
                               class_names=class_names, feature_names=feature_names)
        paths.append(path)
    return paths


def _titled(name: str | None, what: str) -> str | None:
    """"moons: decision boundary", or None (the picture's own title) without a name."""
    return None if name is None else f"{os.path.basename(name)}: {what}"
