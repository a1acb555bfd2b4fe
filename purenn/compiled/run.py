"""``fit(..., compile=True)`` and ``predict(..., compile=True)``: the reference's work, generated.

``fit`` runs the same loop as the reference (``purenn.training.train``) with two changes: the
products of every layer run as generated kernels (``purenn.compiled.kernels.installed``), and a
small Dense network's whole step runs written out (``purenn.compiled.straightline``) where
``why_not_written_out`` finds nothing it cannot reproduce.  Otherwise each batch takes the
reference step, ``Network.train_step``, and the history says why (``History.compiled``; with
``verbose``, also one line on stderr).
"""

from __future__ import annotations

import copy
import math
import sys
from typing import TYPE_CHECKING

from purenn.compiled.checks import why_not_written_out
from purenn.compiled.kernels import installed
from purenn.compiled.straightline import StraightLineStep, written_out_step
from purenn.training import non_finite_loss, train

if TYPE_CHECKING:
    from purenn.fit_options import FitOptions
    from purenn.kernels import Matrix
    from purenn.network import Network
    from purenn.optimizers import Optimizer
    from purenn.training import Data, History

__all__ = ["fit", "predict", "CompiledStep"]

WRITTEN_OUT = "the written-out step (purenn.compiled.straightline) and generated kernels"
"""What ``History.compiled`` says when every batch could take the written-out step."""


def predict(network: Network, inputs: Matrix) -> Matrix:
    """``network.forward(inputs)`` with the generated kernels: ``predict(X, compile=True)``.

    >>> import purenn as pn
    >>> net = pn.Network([pn.Dense(2, 3, "tanh"), pn.Dense(3, 1)], seed=0)
    >>> predict(net, [[1.0, 2.0]]) == net.forward([[1.0, 2.0]])
    True
    """
    with installed():
        return network.forward(inputs)


def fit(network: Network, data: Data, validation: Data | None, settings: FitOptions) -> History:
    """``Network.fit`` on checked data, compiled: the same bits as the reference, faster.

    >>> import purenn as pn
    >>> from purenn.compiled.straightline import use_straight_lines
    >>> previous = use_straight_lines(True)  # on by default, except on PyPy
    >>> X, Y = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], [[0], [1], [1], [0]]
    >>> net = pn.Network([pn.Dense(3, 4, "sigmoid"), pn.Dense(4, 1, "sigmoid")], seed=1)
    >>> net.fit(X, Y, epochs=3, learning_rate=1.0, compile=True).compiled  # doctest: +ELLIPSIS
    'the written-out step ...'
    >>> _ = use_straight_lines(*previous)
    >>> net = pn.Network([pn.Dense(3, 4, "sigmoid"), pn.Dense(4, 1, "sigmoid")], seed=1)
    >>> print(net.fit(X, Y, epochs=3, optimizer=pn.Adam(), compile=True).compiled)
    the reference step with generated kernels: the optimizer Adam(...) is not written out (plain
    SGD is)
    """
    callback = settings.callback
    if callback is not None:
        def checked_callback(epoch: int, history: History) -> bool | None:
            stop = callback(epoch, history)
            step.recheck(epoch)  # the callback may have replaced a parameter or the loss
            return stop

        settings = copy.copy(settings)  # the user's options stay as they were given
        settings.callback = checked_callback
    step = CompiledStep(network, settings.optimizer_in_use, settings.clip_norm)
    if settings.verbose:
        print(f"compile=True: {step.describe()}", file=sys.stderr)
    with installed():
        history = train(network, data, validation, settings, step, network.rng)
    history.compiled = step.describe()
    return history


class CompiledStep:
    """One training step on a checked batch, as fit(compile=True) takes it: the written-out
    step where there is one for the batch size, else ``Network.train_step``.

    >>> import purenn as pn
    >>> net = pn.Network([pn.Dense(1, 1, bias=False)], loss="sse", seed=0)
    >>> net.parameters()[0].value = [[1.0]]
    >>> step = CompiledStep(net, pn.SGD(lr=0.1), None)
    >>> step([[2.0]], [[3.0]]), net.parameters()[0].value
    ((1.0, [[2.0]]), [[1.4]])
    """

    def __init__(self, network: Network, optimizer: Optimizer, clip_norm: float | None) -> None:
        self.network, self.optimizer, self.clip_norm = network, optimizer, clip_norm
        self.notes: list[str] = []
        self.written: StraightLineStep | None = None
        self._write_out()

    def _write_out(self) -> None:
        """Write the step out if it can be exact, else note why not."""
        network = self.network
        reason = why_not_written_out(network, self.optimizer, self.clip_norm)
        if reason is None:
            self.written = written_out_step(network.layers, network.loss_function,
                                            self.optimizer)
            if self.written is None:
                reason = "written-out steps are off (by default on PyPy, whose JIT does their work)"
        else:
            self.written = None
        self.notes.append(WRITTEN_OUT if reason is None
                          else f"the reference step with generated kernels: {reason}")

    def recheck(self, epoch: int) -> None:
        """After a callback: write the step out afresh if the network changed under it."""
        network = self.network
        if self.written is not None and self.written.written_for(network.layers,
                                                                 network.loss_function):
            return
        before = self.notes[-1]
        self._write_out()
        if self.notes[-1] == before:
            self.notes.pop()
        else:
            self.notes[-1] = f"from epoch {epoch + 1} on, {self.notes[-1]}"

    def describe(self) -> str:
        """What ran, for ``History.compiled``."""
        return "; ".join(self.notes)

    def __call__(self, x: Matrix, y: Matrix) -> tuple[float, Matrix]:
        if self.written is not None:
            result = self.written.train_step(x, y)
            if result is not None:
                if not math.isfinite(result[0]):
                    raise non_finite_loss(result[0])
                return result
        return self.network.train_step(x, y, self.optimizer, self.clip_norm)
