"""The gradient checker: backpropagation against numerical derivatives of the loss, entry by entry.

``gradcheck`` takes the analytic ∂L/∂θ from ``Network.backprop``, then for every entry θ of
every parameter asks ``numerical.entry_derivative`` for the derivative of the loss alone, with θ
moved in place, and compares the two by the pass rule |a − n| ≤ atol + rtol·max(|a|, |n|).

Kinks: where an activation is not differentiable (relu at 0), a difference whose steps straddle
the kink measures neither one-sided derivative.  At every loss evaluation the checker asks each
layer which smooth piece it ran through (``Layer.branch_signature``) and skips, and counts, an
entry whose steps change that.  The complex step moves θ only in the imaginary direction, so it
skips only where a pre-activation lies within ~1e-60 of a kink.

Modes: the network is checked in its current mode, so the check is of the function that
mode computes, and the loss must be a deterministic function of the parameters while it is
checked.  Before every pass (the analytic one and each numerical evaluation) the checker puts
back the network's random generator and every buffer as they were when the check began, and
puts them back once more at the end.  So in training mode each Dropout layer draws the same
mask in every pass (the mask is frozen for the check: drawn from the generator's state at the
start, and checked as a constant factor), BatchNorm normalises by the statistics of the checked
batch (a function of the parameters below it, through which the derivatives flow), and its
running statistics, which every pass updates, end as they began; the check leaves the network,
its generator and its buffers exactly as it found them.  In evaluation mode dropout is the
identity and BatchNorm an affine map by its running statistics.  A training-mode check of a
batch that BatchNorm cannot normalise (one row of vectors) is refused with a ShapeError.

It computes no derivative itself (``numerical``), formats nothing (``report``), and knows no
layer's insides: branch signatures and buffers are the layers' own.
"""

from __future__ import annotations

import random
import warnings
from typing import TYPE_CHECKING

from purenn.arguments import check_flag, check_int, check_real, shown
from purenn.callbacks import restore, snapshot
from purenn.errors import ConfigurationError, GradientCheckError
from purenn.gradient_checking.numerical import (
    ComplexStepWarning,
    base_step,
    check_method,
    entry_derivative,
)
from purenn.gradient_checking.report import EntryCheck, GradientCheckResult, ParameterCheck, passes
from purenn.layers import Parameter
from purenn.network import Network

if TYPE_CHECKING:
    from typing import Any, Hashable, Tuple

    from purenn.gradient_checking.numerical import Number
    from purenn.kernels import Matrix

    BranchSignature = Tuple[Tuple[Hashable, ...], ...]

__all__ = ["DEFAULT_TOLERANCES", "gradcheck"]

_WHERE = "gradcheck"

# (rtol, atol) per method.  atol/rtol = 1e-2 for each (report.RELATIVE_ERROR_FLOOR): gradient
# entries smaller than 1e-2 are judged on their absolute error, larger ones on their relative.
DEFAULT_TOLERANCES: dict[str, tuple[float, float]] = {
    # Best forward error ≈ 2√(ε·|L''|·|L|) ≈ 3e-8 for L, L'' of order 1; relative 1e-4 leaves
    # room for curvatures ~100× larger, and a wrong gradient is off by O(1) relative anyway.
    "forward": (1e-4, 1e-6),
    # Measured: worst |a − n| on small sigmoid/tanh networks ~1e-11..1e-10 (round-off
    # ε|L|/h ≈ 4e-11·|L|, plus cancellation inside the loss); atol 1e-7 is a 1000× margin for
    # losses up to ~100, and rtol 1e-5 allows truncation h²|L'''|/6 with |L'''| up to ~1e5.
    "central": (1e-5, 1e-7),
    # ~50× more accurate than central at 2× the cost (measured), so both bounds 100× tighter.
    "richardson": (1e-7, 1e-9),
    # Agrees with backprop to ~1e-16 relative (both are exact up to rounding of the same
    # arithmetic in a different order); 1e-9 relative leaves 10⁶-fold room for ill-conditioned
    # sums, and atol 1e-11 for entries that should be 0 but gather rounding dust.
    "complex": (1e-9, 1e-11),
}


class _Options:
    """gradcheck's checked arguments."""

    def __init__(
        self, method: str, step: float, rtol: float, atol: float, sample: int | None, seed: int
    ) -> None:
        self.method, self.step, self.rtol, self.atol = method, step, rtol, atol
        self.sample, self.seed = sample, seed


def _tolerance(value: Any, method: str, index: int, label: str) -> float:
    if value is None:
        return DEFAULT_TOLERANCES[method][index]
    return check_real(value, label, _WHERE, low=0.0)


def _options(
    net: Any, method: Any, rtol: Any, atol: Any, eps: Any, sample: Any, seed: Any
) -> _Options:
    if not isinstance(net, Network):
        raise ConfigurationError(f"{_WHERE}: net must be a Network, got {shown(net)}")
    method = check_method(method, _WHERE)
    if sample is not None:
        check_int(sample, "sample", _WHERE, 1)
    return _Options(
        method,
        base_step(eps, method, _WHERE),
        _tolerance(rtol, method, 0, "rtol"),
        _tolerance(atol, method, 1, "atol"),
        sample,
        check_int(seed, "seed", _WHERE, 0),
    )


class _Replay:
    """The network's generator and buffers as at the start of the check; calling it puts them
    back, so every pass draws the same dropout masks from the same running statistics."""

    def __init__(self, net: Network) -> None:
        self.rng, self.state = net.rng, net.rng.getstate()
        self.buffers = net.buffers()
        self.saved = snapshot(self.buffers)

    def __call__(self) -> None:
        self.rng.setstate(self.state)
        restore(self.buffers, self.saved)


class _LossProbe:
    """The loss at the parameters' current values, noting which smooth piece of every layer
    each evaluation ran through; each evaluation starts from the same generator and buffers."""

    def __init__(self, net: Network, inputs: Matrix, targets: Matrix, replay: _Replay) -> None:
        self.net, self.inputs, self.targets, self.replay = net, inputs, targets, replay
        self.signatures: list[BranchSignature] = []
        self()  # the pieces the unmoved parameters run through, to compare every step with
        self.base_signature = self.signatures.pop()

    def __call__(self) -> Number:
        self.replay()
        output = self.net.forward(self.inputs)
        self.signatures.append(tuple(layer.branch_signature() for layer in self.net.layers))
        return self.net.loss_function.value(output, self.targets)

    def derivative(self, row: list[Any], j: int, options: _Options) -> float | None:
        """∂L/∂row[j] numerically, or None when a step changed a layer's branch (a kink)."""
        self.signatures.clear()
        numeric = entry_derivative(self, row, j, options.method, options.step)
        if any(signature != self.base_signature for signature in self.signatures):
            return None
        return numeric


def _chosen_entries(
    shape: tuple[int, int], sample: int | None, rng: random.Random
) -> list[tuple[int, int]]:
    rows, columns = shape
    flat = range(rows * columns)
    chosen = flat if sample is None or sample >= len(flat) else sorted(rng.sample(flat, sample))
    return [divmod(k, columns) for k in chosen]


def _check_parameter(
    probe: _LossProbe,
    parameter: Parameter,
    analytic: Matrix,
    options: _Options,
    rng: random.Random,
) -> ParameterCheck:
    entries: list[EntryCheck] = []
    skipped = 0
    for i, j in _chosen_entries(parameter.shape, options.sample, rng):
        numeric = probe.derivative(parameter.value[i], j, options)
        if numeric is None:
            skipped += 1
            continue
        ok = passes(analytic[i][j], numeric, options.rtol, options.atol)
        entries.append(EntryCheck(parameter.name, (i, j), analytic[i][j], numeric, ok))
    return ParameterCheck(parameter.name, parameter.shape, tuple(entries), skipped)


def _analytic_gradients(
    net: Network, inputs: Matrix, targets: Matrix, replay: _Replay
) -> list[Matrix]:
    replay()
    net.backprop(inputs, targets)
    # A copy: the gradients compared must not change whatever the forward passes of the check
    # do to the layers' grads.
    return [[list(row) for row in parameter.grad or ()] for parameter in net.parameters()]


def _warn_or_raise(result: GradientCheckResult, raise_on_failure: bool) -> None:
    # A complex step that reads exactly 0 where backprop has a nonzero gradient usually means
    # the forward pass dropped Im θ (abs, float, math.*), not that backprop is wrong.
    silent = [e for e in result.failures if e.numeric == 0.0 and e.analytic != 0.0]
    if result.method == "complex" and silent:
        warnings.warn(
            f"{_WHERE}: the complex step gave an imaginary part of exactly 0 for "
            f"{len(silent)} entries with a nonzero analytic gradient (first: {silent[0]}): "
            "the forward pass or loss drops the imaginary part there (abs, float, math.*), "
            "or the analytic gradient is wrong",
            ComplexStepWarning,
            stacklevel=3,
        )
    if raise_on_failure and not result.ok:
        raise GradientCheckError(f"{_WHERE}: analytic and numerical gradients disagree\n{result}")


def gradcheck(
    net: Network, X: Any, Y: Any, method: str = "central", *,  # noqa: N803 (the library's X, Y)
    rtol: float | None = None, atol: float | None = None, eps: float | None = None,
    sample: int | None = None, seed: int = 0, raise_on_failure: bool = False,
) -> GradientCheckResult:
    """Compare backprop's ∂L/∂θ (``net.gradients(X, Y)``) with numerical derivatives of the loss.

    X is samples × n_in, Y the targets the loss takes.  An entry with analytic a and numeric n
    passes when |a − n| ≤ atol + rtol·max(|a|, |n|).  ``method``: "central" (default),
    "richardson", "complex" or "forward"; ``eps`` the base step; ``rtol``, ``atol`` and ``eps``
    default per method (DEFAULT_TOLERANCES, numerical.DEFAULT_STEPS).  Every entry of every
    parameter is checked, or with ``sample=k`` k per parameter, drawn from random.Random(seed).
    Entries whose steps cross a kink are skipped and counted; parameters are restored even if
    the loss raises.  ``raise_on_failure`` turns a failed check into a GradientCheckError.

    The network is checked in its current mode (``net.train()``, the default, or
    ``net.eval()``); in training mode every pass uses the same dropout masks and the checked
    batch's BatchNorm statistics, and the generator and running statistics end as they began
    (the module docstring says how).

    >>> import purenn as pn
    >>> net = pn.Network([pn.Dense(2, 1, "sigmoid")], loss="sse", seed=0)
    >>> result = pn.gradcheck(net, [[0.0, 1.0], [1.0, 0.5]], [[1.0], [0.0]], "complex")
    >>> result.ok, result.n_checked, result.n_skipped, result.max_rel_err < 1e-12
    (True, 3, 0, True)
    """
    options = _options(net, method, rtol, atol, eps, sample, seed)
    raise_on_failure = check_flag(raise_on_failure, "raise_on_failure", _WHERE)
    inputs, targets = net.check_data(X, Y, _WHERE)
    if net.training:
        net.check_training_batch(len(inputs), _WHERE)
    replay = _Replay(net)
    try:
        analytic = _analytic_gradients(net, inputs, targets, replay)
        probe, rng = _LossProbe(net, inputs, targets, replay), random.Random(options.seed)
        rows = tuple(
            _check_parameter(probe, parameter, gradient, options, rng)
            for parameter, gradient in zip(net.parameters(), analytic)
        )
        replay()
        net.forward(inputs)  # leave the layer caches as the real parameters give them
    finally:
        replay()
    result = GradientCheckResult(options.method, options.rtol, options.atol, options.step, rows)
    _warn_or_raise(result, raise_on_failure)
    return result
