"""Shared by the tests that compare image layers with PyTorch in float64: batches of purenn rows
as (N, C, H, W) tensors and back, and the entries where two results disagree.  Importing it
skips the calling module without torch (``require``, which fails where CI requires torch)."""

from oracles import require

torch = require("torch")

# The same float64 sums in another order agree to a few ulps; BatchNorm's 1/√(σ² + ε) can
# amplify that up to 1/√ε ≈ 316 times for a channel of nearly equal values (measured over 300
# drawn cases: 3e-14 at worst, in a training-mode output).  A wrong formula is O(1) off.
TORCH_TOL = 1e-12


def as_tensor(rows, shape, grad=False):
    """A batch of purenn rows (one flat row of C·H·W values per image) as an (N, *shape)
    float64 tensor, recording gradients when ``grad``."""
    tensor = torch.tensor(rows, dtype=torch.float64).reshape(len(rows), *shape)
    return tensor.requires_grad_() if grad else tensor


def as_rows(tensor):
    """A tensor back as purenn rows: one flat list per sample."""
    return tensor.detach().reshape(tensor.shape[0], -1).tolist()


def mismatches(ours, theirs, label):
    """The entries where two lists of rows differ by more than TORCH_TOL, as readable lines."""
    return [
        f"{label}[{i}][{j}]: purenn {a!r}, torch {b!r}"
        for i, (row_a, row_b) in enumerate(zip(ours, theirs))
        for j, (a, b) in enumerate(zip(row_a, row_b))
        if not abs(a - b) <= TORCH_TOL * max(1.0, abs(b))
    ]
