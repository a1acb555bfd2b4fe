"""The loss of a language model: softmax cross-entropy of next-token logits, one target per
position, as PyTorch's ``cross_entropy(logits.view(-1, V), targets.view(-1))``.

The network's output for a sample is T·V logits (T positions of V scores, position-major, as
every sequence layer gives them); its target is T token ids, with PyTorch's ``ignore_index``
−100 for a position that takes no loss (padding after a short sequence).  The reduction is
PyTorch's "mean": the sum over the positions taken, across the whole batch, divided by their
count N, so a batch of sequences of different lengths weighs every real position alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.activations import softmax_shift
from purenn.arguments import shown
from purenn.errors import DataError, ShapeError
from purenn.losses import LOSSES, Loss
from purenn.matrix import as_float_matrix, format_shape
from purenn.scalar import exp, log

if TYPE_CHECKING:
    from typing import Any

    from purenn.kernels import Matrix

__all__ = ["IGNORE_INDEX", "SequenceCrossEntropy"]

IGNORE_INDEX = -100
"""The target that takes no loss, PyTorch's default ``ignore_index``."""


class SequenceCrossEntropy(Loss):
    """L = −(1/N) Σ_{b,t: y_bt ≠ −100} ln softmax(z_bt)[y_bt], N = the number of positions taken;

    z_bt the V logits of sample b at position t, y_bt its target id.  Gradient:
    ∂L/∂z_bt = (softmax(z_bt) − onehot(y_bt))/N for a position taken, 0 for an ignored one, so
    nothing a padded position computes reaches the loss.  Targets: B rows of T ids in 0 … V − 1
    or −100 (V = the output width / T), at least one taken in the batch.

    >>> loss = SequenceCrossEntropy()
    >>> round(loss.value([[0.0, 0.0, 5.0, 1.0]], [[0, -100]]), 12)  # T = 2, V = 2: ln 2
    0.69314718056
    >>> loss.gradient([[0.0, 0.0, 5.0, 1.0]], [[0, -100]])
    [[-0.5, 0.5, 0.0, 0.0]]
    """

    name = "sequence_cross_entropy"
    reduction = "mean"
    takes_logits = True

    def prepare_target(self, target: Any, rows: int, outputs: int, where: str) -> Matrix:
        """Check Y: ``rows`` rows of T ids, T dividing the ``outputs`` logits per sample.

        >>> SequenceCrossEntropy().prepare_target([[1, -100]], 1, 6, "fit")
        [[1.0, -100.0]]
        """
        matrix = as_float_matrix(target, where, "Y")
        steps = len(matrix[0])
        if len(matrix) != rows or outputs % steps:
            raise ShapeError(
                f"{where}: Y is {format_shape((len(matrix), steps))} but the network gives "
                f"{rows} rows of {outputs} logits (the {self.name} loss needs one row of T target "
                "ids per sample, T dividing the logits per row)"
            )
        vocab = outputs // steps
        for i, row in enumerate(matrix):
            for t, value in enumerate(row):
                if value != IGNORE_INDEX and not (value == int(value) and 0 <= value < vocab):
                    raise DataError(
                        f"{where}: Y[{i}][{t}] is {shown(value)}, not a token id in "
                        f"0..{vocab - 1} nor {IGNORE_INDEX} (ignored)"
                    )
        if all(value == IGNORE_INDEX for row in matrix for value in row):
            raise DataError(
                f"{where}: every target in Y is {IGNORE_INDEX}: no position takes a loss"
            )
        return matrix

    def value(self, output: Matrix, target: Matrix) -> float:
        """L = −(1/N) Σ_taken ln softmax(z_bt)[y_bt], through log-sum-exp.

        >>> round(SequenceCrossEntropy().value([[0.0] * 6], [[0, 2]]), 6)  # T = 2, V = 3: ln 3
        1.098612
        >>> SequenceCrossEntropy().value([[1000.0, 0.0]], [[1]])  # a sure wrong guess, no overflow
        1000.0
        """
        return self.value_and_gradient(output, target)[0]

    def gradient(self, output: Matrix, target: Matrix) -> Matrix:
        """∂L/∂z_bt = (softmax(z_bt) − onehot(y_bt))/N, 0 where y_bt = −100.

        >>> SequenceCrossEntropy().gradient([[0.0, 0.0, 0.0, 0.0]], [[0, 1]])  # N = 2
        [[-0.25, 0.25, 0.25, -0.25]]
        """
        return self.value_and_gradient(output, target)[1]

    def value_and_gradient(self, output: Matrix, target: Matrix) -> tuple[float, Matrix]:
        """(L, ∂L/∂Z) with each position's exponentials e^(z − c) computed once.

        >>> value, gradient = SequenceCrossEntropy().value_and_gradient([[0.0, 0.0]], [[1]])
        >>> round(value, 12), gradient  # ln 2 and softmax − onehot
        (0.69314718056, [[0.5, -0.5]])
        """
        taken = sum(1 for row in target for value in row if value != IGNORE_INDEX)
        total = 0.0
        gradient = []
        for output_row, target_row in zip(output, target):
            vocab = len(output_row) // len(target_row)
            grad_row: list[Any] = []
            for t, value in enumerate(target_row):
                logits = output_row[t * vocab:(t + 1) * vocab]
                if value == IGNORE_INDEX:
                    grad_row += [0.0] * vocab
                    continue
                shift = softmax_shift(logits)
                exps = [exp(z - shift) for z in logits]
                exps_total = sum(exps)
                token = int(value.real)
                total += logits[token] - shift - log(exps_total)
                grad_row += [e / exps_total / taken for e in exps]
                grad_row[t * vocab + token] -= 1.0 / taken
            gradient.append(grad_row)
        return -total / taken, gradient


LOSSES.register(SequenceCrossEntropy.name, SequenceCrossEntropy())
