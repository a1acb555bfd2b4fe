"""The pieces of a training loop that are not the network: history, shuffling, batching.

``Network.fit`` composes these.  Shuffling uses only ``rng.random()`` (a Fisher–Yates shuffle
written out here rather than ``random.shuffle``), so a seed gives the same order on every
interpreter: the ``random()`` sequence is the one Python promises to keep.
"""

import random
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from purenn.kernels import Matrix

__all__ = ["History", "shuffled_indices", "batch_slices", "take_rows"]


class History:
    """What ``fit`` records, one entry per epoch.

    ``loss`` is the training loss of each epoch: with full-batch training, the loss of the
    forward pass before that epoch's update (as the seed tutorial computes it); with mini-batches,
    the batch losses combined by the loss's reduction (summed for "sum", a size-weighted mean
    for "mean"), so it has the scale of ``net.loss(X, Y)``.
    """

    def __init__(self) -> None:
        self.loss: List[float] = []
        self.val_loss: List[float] = []
        self.metrics: Dict[str, List[float]] = {}

    @property
    def epochs(self) -> int:
        """How many epochs were recorded."""
        return len(self.loss)

    def __repr__(self) -> str:
        last = f", last loss {self.loss[-1]:.6g}" if self.loss else ""
        return f"<History {self.epochs} epochs{last}>"


def shuffled_indices(n: int, rng: random.Random) -> List[int]:
    """A uniformly random permutation of range(n) by Fisher–Yates, drawing only rng.random()."""
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        order[i], order[j] = order[j], order[i]
    return order


def batch_slices(n: int, batch_size: Optional[int]) -> Iterator[Tuple[int, int]]:
    """(start, stop) of consecutive batches covering range(n); None means one full batch."""
    size = n if batch_size is None else batch_size
    for start in range(0, n, size):
        yield start, min(start + size, n)


def take_rows(matrix: Matrix, indices: Sequence[int]) -> Matrix:
    """The rows of ``matrix`` at ``indices``, in that order (rows are shared, not copied)."""
    return [matrix[i] for i in indices]
