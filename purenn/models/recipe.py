"""microgpt's training recipe on purenn: one document (or a batch) per step, Adam with
microgpt's β and ε, and the learning rate falling linearly to 0 over the run, per step.

A document is a list of token ids with BOS at both ends (``Tokenizer.encode``); its inputs are
its first n ids and its targets the n that follow, n = min(block_size, len − 1).  A batch pads
shorter documents with the target −100 (no loss) and cuts the columns no document reaches, so a
step computes only real positions (the causal layers make the cut exact).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.arguments import check_int, shown
from purenn.errors import ConfigurationError, DataError
from purenn.optimizers import Adam, Optimizer
from purenn.schedules import LinearDecay, Schedule
from purenn.sequence_loss import IGNORE_INDEX
from purenn.training import in_mode

if TYPE_CHECKING:
    from typing import Callable, Sequence

    from purenn.kernels import Matrix
    from purenn.network import Network

__all__ = ["microgpt_adam", "sequence_batch", "train_steps", "sequence_loss"]


def microgpt_adam(lr: float = 0.01) -> Adam:
    """Adam as microgpt sets it: η = 0.01, (β₁, β₂) = (0.85, 0.99), ε = 1e-8.

    >>> microgpt_adam().betas
    (0.85, 0.99)
    """
    return Adam(lr=lr, betas=(0.85, 0.99), eps=1e-8)


def sequence_batch(documents: Sequence[Sequence[int]], block_size: int) -> tuple[Matrix, Matrix]:
    """(X, Y) for a batch of documents: X_b = the first n_b ids, Y_b = the n_b ids after them,
    n_b = min(block_size, len − 1), padded to the longest n in the batch (inputs with id 0,
    targets with −100).

    >>> sequence_batch([[2, 0, 1, 2], [2, 1, 2]], 16)
    ([[2.0, 0.0, 1.0], [2.0, 1.0, 0.0]], [[0.0, 1.0, 2.0], [1.0, 2.0, -100.0]])
    """
    lengths = [min(block_size, len(document) - 1) for document in documents]
    width = max(lengths)
    inputs, targets = [], []
    for document, n in zip(documents, lengths):
        pad = width - n
        inputs.append([float(token) for token in document[:n]] + [0.0] * pad)
        targets.append([float(token) for token in document[1:n + 1]] + [float(IGNORE_INDEX)] * pad)
    return inputs, targets


def _check_documents(net: Network, documents: Sequence[Sequence[int]], where: str) -> None:
    """Every document checked once: a list of at least two token ids, ints in 0 … V − 1 for
    the network's V = n_out / n_in; ConfigurationError or DataError naming ``where`` and the
    entry."""
    if not isinstance(documents, (list, tuple)) or not documents:
        raise ConfigurationError(
            f"{where}: documents must be a non-empty list of token lists, got {shown(documents)}"
        )
    vocab = net.n_out // net.n_in
    for index, document in enumerate(documents):
        if not isinstance(document, (list, tuple)) or len(document) < 2:
            raise ConfigurationError(
                f"{where}: documents[{index}] must be a list of ≥ 2 token ids, got "
                f"{shown(document)}"
            )
        for position, token in enumerate(document):
            if type(token) is not int or not 0 <= token < vocab:  # bool is no token id
                raise DataError(
                    f"{where}: documents[{index}][{position}] is {shown(token)}, not a token id "
                    f"(an int in 0..{vocab - 1})"
                )


def train_steps(
    net: Network, documents: Sequence[Sequence[int]], steps: int, *, batch_size: int = 1,
    optimizer: Optimizer | None = None, schedule: Schedule | None = None,
    callback: Callable[[int, float], None] | None = None, start: int = 0,
) -> list[float]:
    """Train ``net`` for ``steps`` steps; return the loss of each step.

    Step k (from 0) takes documents (k·B + i) mod len for i < B = ``batch_size`` (microgpt's
    ``docs[step % len(docs)]`` for B = 1), computes the mean loss over their positions and its
    gradients, sets the learning rate to ``schedule.rate(k, η₀)`` (default LinearDecay over
    ``steps``: microgpt's ``lr · (1 − k/steps)``) and lets the optimizer (default
    ``microgpt_adam()``) step.  ``callback(k + 1, loss)`` after each step.  ``start`` resumes
    a run at step k = start (pass the run's optimizer and schedule): steps start … start +
    steps − 1 take the documents and rates those steps of one run would.

    >>> from purenn.models import gpt
    >>> net = gpt(3, block_size=4, n_embd=4, n_head=2, seed=0)
    >>> losses = train_steps(net, [[2, 0, 1, 2], [2, 1, 2]], steps=20)
    >>> losses[-1] < losses[0]
    True
    """
    steps = check_int(steps, "steps", "train_steps", 1)
    start = check_int(start, "start", "train_steps", 0)
    size = check_int(batch_size, "batch_size", "train_steps", 1)
    _check_documents(net, documents, "train_steps")
    optimizer = microgpt_adam() if optimizer is None else optimizer
    schedule = LinearDecay(steps) if schedule is None else schedule
    base_lr = optimizer.lr
    parameters = net.parameters()
    losses = []
    with in_mode(net, True):
        for step in range(start, start + steps):
            batch = [documents[(step * size + i) % len(documents)] for i in range(size)]
            loss, _ = net.backprop(*sequence_batch(batch, net.n_in))
            optimizer.lr = schedule.closed_form(step, base_lr)
            optimizer.update(parameters, [parameter.grad for parameter in parameters])  # type: ignore[misc]
            losses.append(loss)
            if callback is not None:
                callback(step + 1, loss)
    return losses


def sequence_loss(net: Network, documents: Sequence[Sequence[int]], batch_size: int = 256) -> float:
    """The mean of −ln p(next token) over every position of every document (PyTorch's mean
    over the positions taken, across all of them), in evaluation mode: the held-out loss.

    >>> from purenn.models import gpt
    >>> net = gpt(3, block_size=4, n_embd=4, n_head=2, seed=0)
    >>> 0.5 < sequence_loss(net, [[2, 0, 1, 2], [2, 1, 2]]) < 2.0  # about ln 3 untrained
    True
    """
    size = check_int(batch_size, "batch_size", "sequence_loss", 1)
    _check_documents(net, documents, "sequence_loss")
    total, count = 0.0, 0
    with in_mode(net, False):
        for start in range(0, len(documents), size):
            inputs, targets = sequence_batch(documents[start:start + size], net.n_in)
            taken = sum(1 for row in targets for value in row if value != IGNORE_INDEX)
            total += net.loss_function.value(net.forward(inputs), targets) * taken
            count += taken
    return total / count
