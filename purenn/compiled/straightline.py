"""Written-out training steps: the whole step of a small Dense network as straight-line code.

The reference step (``Network.train_step``: ``backprop``, then the optimizer's ``update``) runs
every layer's formulas as list comprehensions, one pass per formula: for the seed's 3-4-1
network on 4 rows that is ~40 µs a step, nearly all of it the cost of passes, calls and small
lists, not of the ~200 multiplications.  A written-out step is the same arithmetic generated
once for one network's shapes and one batch size: every weight, activation and gradient entry a
local variable, every dot product written out, no loop, no call per entry (``step_source``
shows it).  ``fit(..., compile=True)`` uses it where it can.

It is the same arithmetic, bit for bit, as the reference step (``tests/test_compiled.py``
trains drawn networks both ways and compares every bit; only the sign of a NaN may differ, which
CPython itself does not keep from one evaluation of an expression to the next):

* forward, per layer: Z = X·W + b as ``purenn.kernels.affine`` sums each entry (left to right
  from 0.0, or ``math.sumprod`` where the kernels use it for that shape), A = f(Z) by the
  activation's entry formula (``_FORWARD`` below spells each one again: the tests hold it to the
  reference function bit for bit);
* the loss and its gradient as ``losses`` computes them (Σ (P − T)², 2(P − T));
* backward, last layer first: δ = ∂L/∂A ⊙ f′, ∂L/∂W = Xᵀ·δ and ∂L/∂X = δ·Wᵀ summed as
  ``kernels.matmul_tn`` and ``matmul_nt`` sum them, ∂L/∂b by ``sum`` as ``column_sums``;
* the update θ ← θ − η·g of ``SGD``, committed only when every new value is finite (else the
  optimizer's DivergenceError, and no weight changes).

It leaves what the reference step leaves: each layer's ``cache`` (X, Z, A), each parameter's
``grad``, the new weights in place; when the loss is not finite it changes no weight.

Only what it can write out exactly takes it; ``why_not_written_out`` says why not otherwise,
and fit runs the reference step: a Network whose passes are its own (not overridden by a
subclass or on the instance, and purenn's own methods on every class the step stands in for);
Dense layers with the identity, sigmoid, tanh or relu, and no parameter shared; the sse or mse
loss; SGD without momentum or weight decay; no gradient clipping; and a batch whose forward pass
is at most ``LARGEST_STRAIGHT_STEP`` multiply-adds (longer code gains less and costs more to
compile), from its batch size's ``STRAIGHT_AFTER``-th step on (a short fit never pays the
compiler).  A callback that replaces a parameter, an activation or the loss sends fit back to
the reference step, and to writing the step out afresh.

It is off on PyPy, whose JIT already removes what straight lines remove and compiles generated
code slowly; ``use_straight_lines`` changes that and the number of steps before compiling (for
benchmarks and tests).
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

from purenn.activations import Activation, Identity, ReLU, Sigmoid, Tanh
from purenn.arguments import check_flag, check_int, shown
from purenn.compiled.checks import plain_sgd, why_not_layers
from purenn.compiled.kernels import forced_formulation, sums_left_to_right, tuple_source
from purenn.errors import ConfigurationError
from purenn.layers import Dense
from purenn.losses import SumSquaredError
from purenn.optimizers import Optimizer, committable, non_finite_update

if TYPE_CHECKING:
    from types import CodeType
    from typing import Any, Callable, Sequence

    from purenn.kernels import Matrix
    from purenn.layers import Layer
    from purenn.losses import Loss

    Step = Callable[[Matrix, Matrix, float], "tuple[float, Matrix]"]

__all__ = [
    "ON_BY_DEFAULT",
    "LARGEST_STRAIGHT_STEP",
    "STRAIGHT_AFTER",
    "StraightLineStep",
    "written_out_step",
    "step_source",
    "use_straight_lines",
]

LARGEST_STRAIGHT_STEP = 1024
"""The most multiply-adds (rows × Σ n_in·n_out) a batch's forward pass may have for its step
to be written out.  The gain shrinks as the step grows (measured on CPython 3.11 and 3.13:
about 4× at 48, 2× at 800, 1.5× at 1024, 1.4× at 2048) while compiling costs more (5 ms at
48, 15–35 ms at 1024)."""

STRAIGHT_AFTER = 100
"""A batch size's step is written out only after this many plain steps of that size: compiling
costs as much as 60–400 steps save (measured as above), so a short fit never pays for it and a
long one loses at most this many steps' gain."""

ON_BY_DEFAULT = sys.implementation.name != "pypy"
"""Written-out steps are on except on PyPy, whose JIT already removes what straight lines
remove and which compiles generated code slowly (measured: the seed's fit took 74 ms with them,
15 without)."""
_enabled = ON_BY_DEFAULT
_after = STRAIGHT_AFTER

# Compiled steps by their source: a second network of the same shapes (a refit, a benchmark's
# next round) binds its own parameters to the code without compiling it again.
_CODE: dict[str, CodeType] = {}
_CODE_KEPT = 64

# The activations whose entry formulas are written out below, by exact type (a subclass may
# compute something else).
_FORWARD: dict[type[Activation], str] = {
    Sigmoid: "1.0 / (1.0 + exp(-{z})) if {z} >= 0.0 else (e := exp({z})) / (1.0 + e)",
    Tanh: "tanh({z})",
    ReLU: "{z} if {z} > 0.0 else 0.0",
}
# ∂L/∂Z from g = ∂L/∂A, a = f(z) and z, as each activation's backward computes it.
_BACKWARD: dict[type[Activation], str] = {
    Identity: "{g}",
    Sigmoid: "{g} * ({a} * (1.0 - {a}))",
    Tanh: "{g} * (1.0 - {a} * {a})",
    ReLU: "{g} * (1.0 if {z} > 0.0 else 0.0)",
}


def use_straight_lines(enabled: bool, after: int = STRAIGHT_AFTER) -> tuple[bool, int]:
    """Let the fits started from now on write small networks' steps out (True, the default
    except on PyPy) after ``after`` plain steps of a batch size, or always run the plain step
    (False): the results are the same bits, only the speed differs.  Returns the settings it
    replaced, (enabled, after), to put back with ``use_straight_lines(*previous)``.

    >>> previous = use_straight_lines(False)
    >>> use_straight_lines(*previous)
    (False, 100)
    """
    global _enabled, _after
    where = "use_straight_lines"
    previous = _enabled, _after
    _enabled, _after = check_flag(enabled, "enabled", where), check_int(after, "after", where, 0)
    return previous


def written_out_step(
    layers: Sequence[Layer], loss: Loss, optimizer: Optimizer
) -> StraightLineStep | None:
    """The StraightLineStep of ``layers``, ``loss`` and ``optimizer`` (which
    ``purenn.compiled.checks.why_not_written_out`` has found exact), or None while straight
    lines are off (on PyPy, or by ``use_straight_lines(False)``).

    >>> from purenn import Dense, SGD
    >>> from purenn.losses import LOSSES
    >>> previous = use_straight_lines(True)  # as by default, except on PyPy
    >>> written_out_step([Dense(2, 1)], LOSSES["sse"], SGD(lr=0.1)) is not None
    True
    >>> _ = use_straight_lines(*previous)
    """
    if not _enabled:
        return None
    return StraightLineStep(layers, loss, optimizer, _after)  # type: ignore[arg-type]


def _layout(layers: Sequence[Layer], loss: Loss) -> tuple[Any, ...]:
    """What a written-out step was written for: the layers, their activations and parameters,
    the loss, and the kernels' forced formulation (which decides the sums)."""
    held = tuple(
        item for layer in layers
        for item in (layer, getattr(layer, "activation", None),
                     *(parameter for _, parameter in layer.named_parameters()))
    )
    return (*held, loss, forced_formulation())


class StraightLineStep:
    """One network's straight-line steps, compiled once per batch size (``step_source``) after
    ``after`` plain steps of that size.

    ``train_step(X, Y)`` on a checked batch: forward, loss, backward and SGD's update at the
    optimizer's current learning rate (no update if L is not finite); returns (L, output), or
    None when this batch size's step is not written out (yet, or at all: too large) or the
    optimizer no longer updates by θ − η·g: then the caller runs the plain step.
    ``written_for(layers, loss)`` says whether the steps still describe the network (a callback
    may have replaced a parameter, an activation or the loss).
    """

    def __init__(self, layers: Sequence[Dense], loss: Loss, optimizer: Optimizer,
                 after: int = STRAIGHT_AFTER) -> None:
        self.layers, self.loss, self.optimizer = list(layers), loss, optimizer
        self.after = after
        self.layout = _layout(self.layers, loss)
        self._steps: dict[int, Step] = {}
        self._plain_steps: dict[int, int] = {}

    def written_for(self, layers: Sequence[Layer], loss: Loss) -> bool:
        """Whether ``layers`` and ``loss`` are still those the steps were written for, with the
        same activations, parameters and kernel formulation."""
        now = _layout(layers, loss)
        return len(now) == len(self.layout) and all(a is b for a, b in zip(now, self.layout))

    def train_step(self, x: Matrix, y: Matrix) -> tuple[float, Matrix] | None:
        """(L, output) after one step on (X, Y), n × n_in and n × n_out, or None (see the
        class).  Here L = (1·w − 3)² = 4 at w = 1, ∂L/∂w = 2(w − 3) = −4, w ← 1 − 0.1·(−4):

        >>> from purenn import Dense, Network, SGD
        >>> net = Network([Dense(1, 1, bias=False)], loss="sse")
        >>> net.parameters()[0].value = [[1.0]]
        >>> steps = StraightLineStep(net.layers, net.loss_function, SGD(lr=0.1), after=0)
        >>> steps.train_step([[1.0]], [[3.0]]), net.parameters()[0].value
        ((4.0, [[1.0]]), [[1.4]])
        """
        if not plain_sgd(self.optimizer):
            return None
        compiled = self._steps.get(len(x)) or self._written_out(len(x))
        return None if compiled is None else compiled(x, y, self.optimizer.lr)

    def _written_out(self, rows: int) -> Step | None:
        """The step for ``rows`` rows once it has run plain often enough, else None (and one
        more plain step counted)."""
        size = rows * sum(layer.n_in * layer.n_out for layer in self.layers)
        seen = self._plain_steps.get(rows, 0)
        if seen < self.after or size > LARGEST_STRAIGHT_STEP:
            self._plain_steps[rows] = seen + 1
            return None
        self._steps[rows] = self._compile(rows)
        return self._steps[rows]

    def _compile(self, rows: int) -> Step:
        source = step_source(self.layers, self.loss, rows)
        parameters = [p for layer in self.layers for _, p in layer.named_parameters()]
        namespace: dict[str, Any] = {
            "exp": math.exp, "tanh": math.tanh, "isfinite": math.isfinite,
            "sumprod": getattr(math, "sumprod", None), "committable": committable,
            "non_finite_update": non_finite_update, "optimizer": self.optimizer,
            **{f"L{index}": layer for index, layer in enumerate(self.layers)},
            **{f"P{index}": parameter for index, parameter in enumerate(parameters)},
        }
        code = _CODE.get(source)
        if code is None:
            if len(_CODE) >= _CODE_KEPT:
                _CODE.clear()
            code = _CODE[source] = compile(source, f"<purenn straight-line step, {rows} rows>",
                                           "exec")
        exec(code, namespace)
        return namespace["step"]  # type: ignore[no-any-return]


def _dot(a: Sequence[str], b: Sequence[str], k: int, m: int) -> str:
    """Σ a_p·b_p as kernels sums it for rows of k numbers and m columns."""
    if sums_left_to_right(k, m):
        return "0.0 + " + " + ".join(f"{x} * {y}" for x, y in zip(a, b))
    return f"sumprod({tuple_source(a)}, {tuple_source(b)})"


def _matrix(names: Sequence[Sequence[str]]) -> str:
    return "[" + ", ".join("[" + ", ".join(row) + "]" for row in names) + "]"


def _grid(prefix: str, rows: int, columns: int) -> list[list[str]]:
    return [[f"{prefix}{i}_{j}" for j in range(columns)] for i in range(rows)]


class _Layer:
    """The names one layer's step uses: its weights' parameter P… with their entries w and
    gradients gw, the same three for the bias (None without one), and Z, A and δ."""

    def __init__(self, layer: Dense, index: int, parameter: int, rows: int) -> None:
        self.index, self.rows, self.k, self.m = index, rows, layer.n_in, layer.n_out
        self.identity = type(layer.activation) is Identity
        self.forward_formula = _FORWARD.get(type(layer.activation), "")
        self.backward_formula = _BACKWARD[type(layer.activation)]
        self.weights_parameter = f"P{parameter}"
        self.w = _grid(f"w{index}_", self.k, self.m)
        self.gw = _grid(f"gw{index}_", self.k, self.m)
        self.bias: tuple[str, list[str], list[str]] | None = None
        if layer.bias is not None:
            self.bias = (f"P{parameter + 1}", [f"b{index}_{j}" for j in range(self.m)],
                         [f"gb{index}_{j}" for j in range(self.m)])
        self.z = _grid(f"z{index}_", rows, self.m)
        self.a = self.z if self.identity else _grid(f"a{index}_", rows, self.m)
        self.d = _grid(f"d{index}_", rows, self.m)
        self.output = f"Z{index}" if self.identity else f"A{index}"


def step_source(layers: Sequence[Dense], loss: Loss, rows: int) -> str:
    """The Python source of the straight-line step of ``layers`` and ``loss`` for batches of
    ``rows`` rows: ``step(x, y, lr)`` reads the weights from the parameters P0, P1, … (weights
    before bias, layer by layer), runs forward, the loss and backward, and updates.

    >>> from purenn import Dense
    >>> from purenn.losses import LOSSES
    >>> print(step_source([Dense(2, 1, "relu", bias=False)], LOSSES["sse"], 1))
    def step(x, y, lr):
        [[x0_0, x0_1]] = x
        [[t0_0]] = y
        [[w0_0_0], [w0_1_0]] = P0.value
        z0_0_0 = 0.0 + x0_0 * w0_0_0 + x0_1 * w0_1_0
        a0_0_0 = z0_0_0 if z0_0_0 > 0.0 else 0.0
        A0 = [[a0_0_0]]
        L0.cache = (x, [[z0_0_0]], A0)
        r0_0 = a0_0_0 - t0_0
        loss = 0.0 + r0_0 * r0_0
        g0_0 = 2.0 * r0_0
        d0_0_0 = g0_0 * (1.0 if z0_0_0 > 0.0 else 0.0)
        gw0_0_0 = 0.0 + x0_0 * d0_0_0
        gw0_1_0 = 0.0 + x0_1 * d0_0_0
        P0.grad = [[gw0_0_0], [gw0_1_0]]
        if not isfinite(loss):
            return loss, A0
        N0 = [[w0_0_0 - lr * gw0_0_0], [w0_1_0 - lr * gw0_1_0]]
        if not committable(N0):
            raise non_finite_update(optimizer, P0)
        P0.value[:] = N0
        return loss, A0
    <BLANKLINE>
    """
    if not isinstance(layers, (list, tuple)) or why_not_layers(layers, loss) is not None:
        raise ConfigurationError(
            "step_source: writes out chained Dense layers with the identity, sigmoid, tanh or "
            f"relu, parameters of their own, and the sse or mse loss; got {shown(layers)} and "
            f"{shown(loss)}"
        )
    check_int(rows, "rows", "step_source", 1)
    plan, parameter = [], 0
    for index, layer in enumerate(layers):
        plan.append(_Layer(layer, index, parameter, rows))
        parameter += 1 if layer.bias is None else 2
    lines = ["def step(x, y, lr):"]
    emit = lines.append
    inputs = _grid("x", rows, plan[0].k)
    emit(f"    {_matrix(inputs)} = x")
    emit(f"    {_matrix(_grid('t', rows, plan[-1].m))} = y")
    for names in plan:
        emit(f"    {_matrix(names.w)} = {names.weights_parameter}.value")
        if names.bias is not None:
            bias_parameter, b, _ = names.bias
            emit(f"    {_matrix([b])} = {bias_parameter}.value")
    given, source = inputs, "x"
    for names in plan:
        _forward(emit, names, given, source)
        given, source = names.a, names.output
    gradient = _loss(emit, loss, plan[-1].a, rows, plan[-1].m)
    for names in reversed(plan):
        below = plan[names.index - 1].a if names.index > 0 else inputs
        gradient = _backward(emit, names, below, gradient)
    emit("    if not isfinite(loss):")
    emit(f"        return loss, {plan[-1].output}")
    _update(emit, plan)
    emit(f"    return loss, {plan[-1].output}")
    return "\n".join(lines) + "\n"


def _forward(emit: Callable[[str], None], names: _Layer, given: list[list[str]],
             source: str) -> None:
    """Z = X·W + b and A = f(Z), entry by entry, and the layer's cache (X, Z, A)."""
    for s in range(names.rows):
        for j in range(names.m):
            total = _dot(given[s], [names.w[p][j] for p in range(names.k)], names.k, names.m)
            bias = "" if names.bias is None else f" + {names.bias[1][j]}"
            emit(f"    {names.z[s][j]} = {total}{bias}")
            if not names.identity:
                emit(f"    {names.a[s][j]} = {names.forward_formula.format(z=names.z[s][j])}")
    if names.identity:  # A is Z, the same list, as Identity.forward returns it
        emit(f"    Z{names.index} = {_matrix(names.z)}")
        emit(f"    L{names.index}.cache = ({source}, Z{names.index}, Z{names.index})")
    else:
        emit(f"    A{names.index} = {_matrix(names.a)}")
        emit(f"    L{names.index}.cache = ({source}, {_matrix(names.z)}, A{names.index})")


def _loss(emit: Callable[[str], None], loss: Loss, output: list[list[str]], rows: int,
          m: int) -> list[list[str]]:
    """L and ∂L/∂P as losses.squared_error_sum and scaled_differences compute them."""
    r = _grid("r", rows, m)
    for s in range(rows):
        for j in range(m):
            emit(f"    {r[s][j]} = {output[s][j]} - t{s}_{j}")
    total = "0.0 + " + " + ".join(f"{name} * {name}" for row in r for name in row)
    if type(loss) is SumSquaredError:
        emit(f"    loss = {total}")
        factor = "2.0"
    else:  # mean squared error: the sum over n·m entries, and 2/(n·m)
        emit(f"    loss = ({total}) / {rows * m}")
        emit(f"    factor = 2.0 / {rows * m}")
        factor = "factor"
    g = _grid("g", rows, m)
    for s in range(rows):
        for j in range(m):
            emit(f"    {g[s][j]} = {factor} * {r[s][j]}")
    return g


def _backward(emit: Callable[[str], None], names: _Layer, below: list[list[str]],
              grad: list[list[str]]) -> list[list[str]]:
    """δ = ∂L/∂A ⊙ f′, ∂L/∂W = Xᵀ·δ, ∂L/∂b = Σ_rows δ; returns the names of ∂L/∂X = δ·Wᵀ
    (none for the first layer, as Network.backward asks none of it)."""
    rows, k, m = names.rows, names.k, names.m
    for s in range(rows):
        for j in range(m):
            formula = names.backward_formula.format(g=grad[s][j], a=names.a[s][j],
                                                    z=names.z[s][j])
            emit(f"    {names.d[s][j]} = {formula}")
    columns = [[names.d[s][j] for s in range(rows)] for j in range(m)]
    for i in range(k):
        for j in range(m):
            emit(f"    {names.gw[i][j]} = "
                 + _dot([below[s][i] for s in range(rows)], columns[j], rows, m))
    emit(f"    {names.weights_parameter}.grad = {_matrix(names.gw)}")
    if names.bias is not None:
        bias_parameter, _, gb = names.bias
        for j in range(m):
            emit(f"    {gb[j]} = sum({tuple_source(columns[j])})")
        emit(f"    {bias_parameter}.grad = {_matrix([gb])}")
    if names.index == 0:
        return []
    grad_in = _grid(f"e{names.index}_", rows, k)
    for s in range(rows):
        for i in range(k):
            emit(f"    {grad_in[s][i]} = {_dot(names.d[s], names.w[i], m, k)}")
    return grad_in


def _update(emit: Callable[[str], None], plan: Sequence[_Layer]) -> None:
    """θ ← θ − η·g for every parameter (SGD.propose without momentum or weight decay), then
    every new matrix checked before any is written: all or nothing, as Optimizer.update."""
    news = []
    for names in plan:
        news.append((names.weights_parameter, names.w, names.gw))
        if names.bias is not None:
            bias_parameter, b, gb = names.bias
            news.append((bias_parameter, [b], [gb]))
    for parameter, values, grads in news:
        rows = [[f"{v} - lr * {g}" for v, g in zip(value_row, grad_row)]
                for value_row, grad_row in zip(values, grads)]
        emit(f"    N{parameter[1:]} = {_matrix(rows)}")
    for parameter, _, _ in news:
        emit(f"    if not committable(N{parameter[1:]}):")
        emit(f"        raise non_finite_update(optimizer, {parameter})")
    for parameter, _, _ in news:
        emit(f"    {parameter}.value[:] = N{parameter[1:]}")
