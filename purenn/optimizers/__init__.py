"""Optimizers: rules that move parameters against the gradient of the loss, and gradient clipping.

Every optimizer receives the true gradient g = ∂L/∂θ (as backpropagation computed it) and
subtracts a step from θ.  The update equations are PyTorch's published ones (``torch.optim.SGD``,
``torch.optim.Adam``), written out per entry.

An update is all or nothing: ``propose`` computes every parameter's new values and new
optimizer state without touching the old ones; only if every new value is finite are they
committed.  So a step that would overflow leaves the weights and the optimizer's state (momentum
buffers, Adam's moments and step count) exactly as they were, with no copy taken beforehand.

State is kept per parameter in ``state``, a dict keyed by the Parameter objects themselves, so it
follows its parameters through ``copy.deepcopy((network, optimizer))`` and pickling, and one
optimizer can keep training the same network over several ``fit`` calls.  ``state_list`` and
``load_state_list`` give and take that state as plain data in the order of a list of parameters
(PyTorch's names: ``momentum_buffer``; ``step``, ``exp_avg``, ``exp_avg_sq``), and ``config``
the hyper-parameters, for checkpoints (``purenn.formats``).  ``lr`` is a
property a learning-rate schedule may reassign; assigning it checks the value.
"""

from purenn.optimizers.adam import Adam, AdamState
from purenn.optimizers.base import (
    Optimizer,
    all_finite,
    check_learning_rate,
    committable,
    non_finite_update,
)
from purenn.optimizers.clipping import check_max_norm, clip_checked_gradients, clip_grad_norm
from purenn.optimizers.sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamState",
    "check_learning_rate",
    "check_max_norm",
    "all_finite",
    "committable",
    "non_finite_update",
    "clip_grad_norm",
    "clip_checked_gradients",
]
