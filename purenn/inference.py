"""What a network answers once trained: outputs, classes, probabilities, the loss and metrics.

``Network`` inherits these verbs from ``Inference``.  Each checks its data at the public
boundary (the network's ``check_data``), runs ``forward`` in evaluation mode (dropout off,
BatchNorm's running statistics; ``in_mode`` puts the user's mode back afterwards), and reads the
answer off the output with the loss's conventions (``purenn.metrics``).  Training, the passes
and the state are in ``purenn.network``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from purenn.arguments import check_flag
from purenn.errors import ConfigurationError
from purenn.metrics import (
    evaluate_metrics,
    get_metrics,
    gives_class_scores,
    predicted_classes,
    probabilities,
)
from purenn.training import in_mode

if TYPE_CHECKING:
    from typing import Any, Sequence

    from purenn.kernels import Matrix
    from purenn.layers import Layer
    from purenn.losses import Loss

__all__ = ["Inference", "compiled_package"]


def compiled_package() -> Any:
    """``purenn.compiled``, imported on the first ``compile=True``: the reference path never
    imports it (tests/test_layering.py allows this one import at run time).

    >>> compiled_package().__name__
    'purenn.compiled'
    """
    return importlib.import_module("purenn.compiled")


class Inference:
    """The evaluation-mode verbs of ``Network``, its base class: ``predict``, ``loss``,
    ``predict_classes``, ``predict_proba`` and ``evaluate``.  They use the network's layers,
    loss, checks and ``forward``, declared here for type checkers.

    >>> import purenn as pn
    >>> issubclass(pn.Network, Inference)
    True
    """

    if TYPE_CHECKING:
        layers: list[Layer]
        loss_function: Loss
        training: bool

        def train(self, mode: bool = True) -> Any:
            """``Network.train``: training mode (True) or evaluation mode (False)."""

        def forward(self, x: Matrix) -> Matrix:
            """``Network.forward``: the output for a checked batch."""

        def _check_inputs(self, x: Any, where: str) -> Matrix:
            """``Network._check_inputs``: X checked and converted."""

        def check_data(self, x: Any, y: Any, where: str) -> tuple[Matrix, Matrix]:
            """``Network.check_data``: X and Y checked and converted."""

    def predict(self, x: Any, compile: bool = False) -> Matrix:  # noqa: A002 (torch.compile's word)
        """The network's output for X (samples × n_in): a nested list, one row per sample.
        Runs in evaluation mode (and leaves the mode as it was).  ``compile=True`` runs the
        same products as generated code (``purenn.compiled``): the same bits, faster.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(2, 1, bias=False)], seed=0)
        >>> net.load_state_dict({"layers.0.weight": [[1.0], [2.0]]})
        >>> net.predict([[1, 1], [0, 3]]), net.predict([[1, 1]], compile=True)
        ([[3.0], [6.0]], [[3.0]])
        """
        inputs = self._check_inputs(x, "predict")
        with in_mode(self, False):
            if check_flag(compile, "compile", "predict"):
                return compiled_package().predict(self, inputs)  # type: ignore[no-any-return]
            return self.forward(inputs)

    def loss(self, x: Any, y: Any) -> float:
        """The loss L(predict(X), Y) as a number, in evaluation mode, as ``predict``.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(1, 1, bias=False)], loss="sse")
        >>> net.layers[0].weights.value = [[1.0]]
        >>> net.loss([[1], [2]], [[0], [0]])          # 1² + 2²
        5.0
        """
        inputs, targets = self.check_data(x, y, "loss")
        with in_mode(self, False):
            return self.loss_function.value(self.forward(inputs), targets)

    def predict_classes(self, x: Any) -> list[int]:
        """The class of each row of X: argmax of the outputs, or for a single output column
        (sigmoid-style) 1 if the output > 0.5 else 0.  n × n_in → n ints.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(2, 2, bias=False)], loss="cross_entropy")
        >>> net.layers[0].weights.value = [[1.0, 0.0], [0.0, 1.0]]
        >>> net.predict_classes([[3, 1], [0, 2]])     # the larger output of each row
        [0, 1]
        """
        return predicted_classes(self.predict(x), self.loss_function)

    def predict_proba(self, x: Any) -> Matrix:
        """One probability per class for each row of X, for a classifier (n × n_in → n ×
        classes): the softmax of the logits for cross-entropy, [1 − p, p] for a single sigmoid
        output, the outputs themselves for outputs that are already probabilities
        (``purenn.metrics.probabilities``).  ConfigurationError for a network that regresses
        (its outputs are neither logits nor within [0, 1]).

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(2, 3)], loss="cross_entropy", seed=0)
        >>> [round(sum(row), 12) for row in net.predict_proba([[0.5, -1.0], [2.0, 0.0]])]
        [1.0, 1.0]
        """
        if not gives_class_scores(self.loss_function, self.layers[-1].output_range()):
            low, high = self.layers[-1].output_range()
            raise ConfigurationError(
                f"predict_proba: the outputs are not class scores: the loss "
                f"{self.loss_function.name} takes no logits and the last layer gives outputs in "
                f"[{low:g}, {high:g}], not probabilities (a network that regresses has none)"
            )
        return probabilities(self.predict(x), self.loss_function)

    def evaluate(self, x: Any, y: Any, metrics: Sequence[str] = ()) -> dict[str, float]:
        """{"loss": L(predict(X), Y), metric: value, ...} on (X, Y), for the loss and each
        metric named in ``metrics`` (e.g. ["accuracy"]); in evaluation mode, as ``predict``.

        >>> import purenn as pn
        >>> net = pn.Network([pn.Dense(2, 2)], loss="cross_entropy", seed=0)
        >>> sorted(net.evaluate([[0, 1], [1, 0]], [0, 1], metrics=["accuracy"]))
        ['accuracy', 'loss']
        """
        inputs, targets = self.check_data(x, y, "evaluate")
        chosen = get_metrics(metrics, "evaluate")
        with in_mode(self, False):
            output = self.forward(inputs)
        values = {"loss": self.loss_function.value(output, targets)}
        values.update(evaluate_metrics(chosen, output, targets, self.loss_function))
        return values
