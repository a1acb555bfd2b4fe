"""What the playground page runs inside Pyodide: one network, its data, training in chunks.

The page asks a ``Session`` to train a few epochs at a time (``train(epochs)``), and between two
chunks the browser draws what came back and stays responsive.  Every answer is a plain dict of
numbers, text and SVG strings, so that JavaScript can use it as it is.

The seed example is the tutorial's own network (``purenn.cli.seed_network``: 3-4-1 sigmoid, no
biases, sum of squared errors) on its four rows, so the page's predictions are the demo's to
the last bit.  The other data sets are 2-D classification problems: hidden layers of the chosen
sizes and activation, a linear output per class and softmax cross-entropy, and a picture of the
decision boundary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn import datasets
from purenn.arguments import shown
from purenn.cli.seednets import seed_network
from purenn.encoding import one_hot
from purenn.errors import ConfigurationError
from purenn.gradient_checking import gradcheck
from purenn.gradient_checking.numerical import METHODS
from purenn.gradient_checking.sweep import step_sweep
from purenn.layers import Dense
from purenn.network import Network
from purenn.optimizers import SGD, Adam, Optimizer
from purenn.plot import architecture, decision_boundary, loss_curve, sweep
from purenn.training import History

if TYPE_CHECKING:
    from typing import Any, Callable, List, Sequence, Tuple

    from purenn.kernels import Matrix

    Labelled = Tuple[Matrix, List[int]]

__all__ = ["DATASETS", "OPTIMIZERS", "CHECKED_ROWS", "SWEEP_SAMPLE", "METHODS", "Session"]


DATASETS: dict[str, Callable[[int], Labelled]] = {
    "xor": lambda seed: datasets.xor(),
    "moons": lambda seed: datasets.two_moons(100, noise=0.1, seed=seed),
    "circles": lambda seed: datasets.circles(100, noise=0.05, seed=seed),
    "spirals": lambda seed: datasets.spirals(100, noise=0.1, seed=seed),
}
"""The 2-D classification sets by name, each a function of the seed; "seed" is the tutorial's."""

OPTIMIZERS: dict[str, Callable[[float], Optimizer]] = {
    "sgd": lambda rate: SGD(lr=rate),
    "momentum": lambda rate: SGD(lr=rate, momentum=0.9),
    "adam": lambda rate: Adam(lr=rate),
}
"""The optimizers the page offers, by name, each a function of the learning rate."""

CHECKED_ROWS = 8
"""The gradient check and its sweep use the first rows only: enough to exercise every weight,
and quick at the page's speed (WebAssembly runs at about half native speed)."""

SWEEP_SAMPLE = 12
"""The sweep checks this many entries of each parameter (the same ones at every step): a sweep
is about 60 gradient checks, and all 1,251 weights of a 32-32 spirals network took 74 s
natively; the curves' shapes do not need them all."""

BOUNDARY_RESOLUTION = 40  # cells along the longer side while training: 1,600 predictions


class Session:
    """A network and its data set, trained a chunk at a time.

    ``dataset`` is "seed" or a name in DATASETS; ``hidden`` the sizes of the hidden layers (the
    seed example always has the tutorial's one layer of 4); ``activation`` their activation;
    ``optimizer`` a name in OPTIMIZERS with ``learning_rate``; ``seed`` fixes the data and the
    initial weights.

    >>> session = Session("seed", learning_rate=1.0)
    >>> first = session.train(10)
    >>> first["epoch"], first["loss"] > session.train(10)["loss"]
    (10, True)
    """

    def __init__(
        self,
        dataset: str = "seed",
        hidden: Sequence[int] = (4,),
        activation: str = "sigmoid",
        optimizer: str = "sgd",
        learning_rate: float = 1.0,
        seed: int = 0,
    ) -> None:
        if optimizer not in OPTIMIZERS:
            raise ConfigurationError(
                f"Session: optimizer must be one of {', '.join(OPTIMIZERS)}, got {shown(optimizer)}"
            )
        self.dataset = dataset
        self.history = History()
        self.swept: dict[str, list[tuple[float, float]]] = {}  # the sweep of the last check
        self.optimizer = OPTIMIZERS[optimizer](learning_rate)
        if dataset == "seed":
            self.x, self.y = datasets.seed_data()
            self.labels: list[int] = []
            self.network = seed_network(seed)
        elif dataset in DATASETS:
            self.x, self.labels = DATASETS[dataset](seed)
            self.y = one_hot(self.labels)
            self.network = _classifier(hidden, activation, len(self.y[0]), seed)
        else:
            raise ConfigurationError(
                f"Session: dataset must be 'seed' or one of {', '.join(DATASETS)}, "
                f"got {shown(dataset)}"
            )

    def train(self, epochs: int) -> dict[str, Any]:
        """Train ``epochs`` more full-batch epochs; what the page shows after them: "epoch" (in
        all), "loss" (the last epoch's), "loss_svg" (the loss curve so far), "picture_svg" (the
        decision boundary, or for the seed example the network itself) and "predictions" (the
        network's outputs for every row, rounded for display only by the page)."""
        chunk = self.network.fit(self.x, self.y, epochs=epochs, optimizer=self.optimizer)
        for loss in chunk.loss:
            self.history.record({"loss": loss})
        return {
            "epoch": self.history.epochs,
            "loss": self.history.loss[-1],
            "loss_svg": loss_curve(self.history, log_scale=True, title="loss per epoch"),
            "picture_svg": self.picture(BOUNDARY_RESOLUTION),
            "predictions": self.network.predict(self.x),
        }

    def picture(self, resolution: int = 100) -> str:
        """The decision boundary of a 2-D classifier, or the architecture of the seed network.

        >>> Session("seed").picture().startswith("<svg")
        True
        """
        if self.dataset == "seed":
            return architecture(self.network, title="the 3-4-1 network, trained")
        return decision_boundary(self.network, self.x, self.labels, resolution=resolution,
                                 title=f"{self.dataset}: decision boundary")

    def check(self) -> dict[str, Any]:
        """The gradient check of the current weights on the first CHECKED_ROWS rows: "ok" and
        its "table" (the text ``python3 -m purenn gradcheck`` prints).  The page then sweeps one
        method at a time (``sweep_method``), drawing in between.

        >>> session = Session("seed", learning_rate=1.0)
        >>> _ = session.train(10)
        >>> report = session.check()
        >>> report["ok"], report["table"].splitlines()[0].endswith("PASSED")
        (True, True)
        """
        result = gradcheck(self.network, self.x[:CHECKED_ROWS], self.y[:CHECKED_ROWS])
        self.swept = {}
        return {"ok": result.ok, "table": str(result)}

    def sweep_method(self, method: str) -> str:
        """The step sweep of ``method`` (one of METHODS) on the checked rows, SWEEP_SAMPLE
        entries per parameter, added to this check's sweep; returns the picture of every method
        swept so far (``purenn.plot.sweep``).

        >>> session = Session("seed")
        >>> _ = session.check()
        >>> session.sweep_method("central").startswith("<svg")
        True
        """
        x, y = self.x[:CHECKED_ROWS], self.y[:CHECKED_ROWS]
        self.swept.update(step_sweep(self.network, x, y, [method], sample=SWEEP_SAMPLE))
        return sweep(self.swept, title="gradient check: error against step size")


def _classifier(hidden: Sequence[int], activation: str, classes: int, seed: int) -> Network:
    """Dense layers of the ``hidden`` sizes with ``activation``, then one logit per class."""
    sizes = [2, *hidden]
    layers = [Dense(n_in, n_out, activation) for n_in, n_out in zip(sizes, sizes[1:])]
    return Network([*layers, Dense(sizes[-1], classes)], loss="cross_entropy", seed=seed)
