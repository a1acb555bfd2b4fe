"""Generated code for speed, asked for with ``compile=True``: the same bits as the reference.

purenn's reference path (``Network.fit`` → ``purenn.training.train`` → ``Network.train_step``,
the layers' passes and ``purenn.kernels``) is plain Python that a reader can follow, and it is
what runs by default.  ``net.fit(..., compile=True)`` and ``net.predict(..., compile=True)``
run the same arithmetic as code generated for the network's shapes, as ``torch.compile`` does
for PyTorch, and this subpackage is all of it:

    kernels        the products of ``purenn.kernels`` unrolled per shape (or whichever
                   formulation is fastest on this interpreter), swapped in while compiled code
                   runs
    checks         what a written-out step can reproduce exactly, and why not otherwise
    straightline   a small Dense network's whole training step written out as code
    run            fit and predict with the two above

Every result is the reference's, bit for bit (tests/test_straightline.py and
tests/test_compiled_kernels.py hold it on every interpreter CI runs).  Where a written-out step
cannot be exact (a layer, loss or optimizer it does not write out, a subclass or a replaced
method, tied weights) fit runs the reference step with the generated kernels, and says why in
``History.compiled``.  The reference path never imports this subpackage:
``Network.fit`` imports it on the first ``compile=True``.

>>> import purenn as pn
>>> X, Y = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], [[0], [1], [1], [0]]
>>> def seed_net():
...     return pn.Network([pn.Dense(3, 4, "sigmoid"), pn.Dense(4, 1, "sigmoid")], seed=1)
>>> plain = seed_net().fit(X, Y, epochs=300, learning_rate=1.0)
>>> fast = seed_net().fit(X, Y, epochs=300, learning_rate=1.0, compile=True)
>>> plain.loss == fast.loss
True
"""

from purenn.compiled.kernels import (
    FORMULATIONS,
    formulation_for,
    installed,
    unrolled_source,
    use_formulation,
)
from purenn.compiled.run import fit, predict
from purenn.compiled.straightline import StraightLineStep, step_source, use_straight_lines

__all__ = [
    "FORMULATIONS",
    "formulation_for",
    "installed",
    "unrolled_source",
    "use_formulation",
    "fit",
    "predict",
    "StraightLineStep",
    "step_source",
    "use_straight_lines",
]
