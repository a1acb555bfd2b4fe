"""Straight-line steps: fit with them gives the plain step's bits, everywhere it takes them.

Every test trains the same network twice, with straight lines (``purenn.straightline``) and
with the plain step (``use_straight_lines(False)``), and compares everything fit leaves: the
history, every weight, every gradient and every layer's cache, bit for bit (as float.hex, so
that the signs of zeros count), or the same DivergenceError and the same untouched weights.
"""

import math
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import require_native

import purenn as pn
from purenn import kernels, straightline
from purenn.losses import LOSSES
from purenn.straightline import (
    LARGEST_STRAIGHT_STEP,
    STRAIGHT_AFTER,
    StraightLineStep,
    step_source,
    straight_line_step,
    use_straight_lines,
)

WRITTEN_OUT = ["identity", "sigmoid", "tanh", "relu"]


@pytest.fixture(autouse=True)
def straight_lines_from_the_first_step():
    previous = use_straight_lines(True, after=0)
    yield
    use_straight_lines(*previous)


def bits(value):
    """``value`` with every float as float.hex: == on it is bit for bit, signs of zero
    included (a NaN's sign is not compared: CPython does not keep it, see straightline)."""
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, (list, tuple)):
        return type(value)(bits(item) for item in value)
    if isinstance(value, dict):
        return {key: bits(item) for key, item in value.items()}
    return value


def everything(network, history):
    """What a fit leaves, for comparison."""
    return bits((
        history.loss, history.lr, history.metrics, history.val_loss,
        [p.value for p in network.parameters()],
        [p.grad for p in network.parameters()],
        [layer.cache for layer in network.layers],
    ))


def train_both(build, x, y, written_out=False, **options):
    """(straight-line result, plain result) of the same fit on two fresh copies; with
    ``written_out``, every step of the first must have been a straight-line one."""
    results = []
    for straight in (True, False):
        use_straight_lines(straight, after=0)
        network = build()
        if straight and written_out:
            network.backprop = None  # the plain step would fail on it
        try:
            history = network.fit(x, y, **options)
        except pn.DivergenceError as error:
            results.append((str(error), bits([p.value for p in network.parameters()])))
        else:
            results.append(everything(network, history))
        finally:
            use_straight_lines(True, after=0)
    return results


@st.composite
def cases(draw):
    """A small Dense network, data, and fit options that straight lines can take."""
    widths = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    activations = draw(st.lists(st.sampled_from(WRITTEN_OUT), min_size=len(widths) - 1,
                                max_size=len(widths) - 1))
    biases = draw(st.lists(st.booleans(), min_size=len(widths) - 1, max_size=len(widths) - 1))
    loss = draw(st.sampled_from(["sse", "mse"]))
    seed = draw(st.integers(0, 2**32))
    rows = draw(st.integers(1, 6))
    values = st.floats(-3.0, 3.0, allow_nan=False)
    x = draw(st.lists(st.lists(values, min_size=widths[0], max_size=widths[0]),
                      min_size=rows, max_size=rows))
    y = draw(st.lists(st.lists(values, min_size=widths[-1], max_size=widths[-1]),
                      min_size=rows, max_size=rows))
    options = {
        "epochs": draw(st.integers(1, 4)),
        "learning_rate": draw(st.sampled_from([0.0, 0.01, 0.3, 1.0])),
        "batch_size": draw(st.one_of(st.none(), st.integers(1, rows))),
    }

    def build():
        layers = [pn.Dense(n_in, n_out, activation, bias=bias)
                  for n_in, n_out, activation, bias in
                  zip(widths, widths[1:], activations, biases)]
        return pn.Network(layers, loss=loss, seed=seed)

    return build, x, y, options


@given(cases())
def test_straight_lines_give_the_plain_steps_bits(case):
    build, x, y, options = case
    assert straight_line_step(build().layers, LOSSES[build().loss_function.name],
                              pn.SGD(lr=0.1), None) is not None
    straight, plain = train_both(build, x, y, written_out=True, **options)
    assert straight == plain


def seed_network():
    return pn.Network([pn.Dense(3, 4, "sigmoid", bias=False, init="uniform"),
                       pn.Dense(4, 1, "sigmoid", bias=False, init="uniform")],
                      loss="sse", seed=1)


SEED_X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
SEED_Y = [[0], [1], [1], [0]]


def test_the_seed_example_trains_to_the_same_bits():
    straight, plain = train_both(seed_network, SEED_X, SEED_Y, written_out=True, epochs=1500,
                                 learning_rate=1.0)
    assert straight == plain
    assert float.fromhex(straight[0][-1]) < 0.01  # and it learns XOR


def test_fit_takes_the_straight_line_step_when_it_can():
    # The straight-line step leaves no trace but speed, so spy on the plain step instead.
    calls = []
    network = seed_network()
    backprop = network.backprop
    network.backprop = lambda x, y: calls.append(len(x)) or backprop(x, y)
    network.fit(SEED_X, SEED_Y, epochs=3, learning_rate=1.0)
    assert calls == []
    use_straight_lines(False)
    network.fit(SEED_X, SEED_Y, epochs=3, learning_rate=1.0)
    assert calls == [4, 4, 4]


def test_by_default_a_batch_size_runs_plain_steps_first():
    use_straight_lines(True)
    calls = []
    network = seed_network()
    backprop = network.backprop
    network.backprop = lambda x, y: calls.append(len(x)) or backprop(x, y)
    # Batches of 3 and 1: each size counts its own plain steps.
    network.fit(SEED_X, SEED_Y, epochs=STRAIGHT_AFTER + 5, learning_rate=1.0, batch_size=3,
                shuffle=False)
    assert calls == [3, 1] * STRAIGHT_AFTER


@pytest.mark.parametrize("optimizer, clip_norm", [
    (pn.SGD(lr=0.1, momentum=0.9), None),
    (pn.SGD(lr=0.1, weight_decay=0.01), None),
    (pn.Adam(), None),
    (pn.SGD(lr=0.1), 1.0),
])
def test_other_optimizers_and_clipping_are_not_written_out(optimizer, clip_norm):
    network = seed_network()
    assert straight_line_step(network.layers, network.loss_function, optimizer,
                              clip_norm) is None


@pytest.mark.parametrize("layers, loss", [
    ([pn.Dense(2, 2, "leaky_relu"), pn.Dense(2, 1)], "sse"),
    ([pn.Dense(2, 2, "softmax")], "sse"),
    ([pn.Dense(2, 1, "sigmoid")], "bce"),
    ([pn.Dense(2, 3)], "cross_entropy"),
    ([pn.Dense(2, 2), pn.Dropout(0.5), pn.Dense(2, 1)], "sse"),
])
def test_other_layers_activations_and_losses_are_not_written_out(layers, loss):
    network = pn.Network(layers, loss=loss, seed=0)
    assert straight_line_step(network.layers, network.loss_function, pn.SGD(lr=0.1),
                              None) is None


def test_a_batch_too_large_to_write_out_takes_the_plain_step():
    width = 16
    rows = LARGEST_STRAIGHT_STEP // (width * width) + 1
    network = pn.Network([pn.Dense(width, width, "tanh")], seed=0)
    steps = StraightLineStep(network.layers, network.loss_function, pn.SGD(lr=0.1), after=0)
    x = [[0.1 * (i + j) for j in range(width)] for i in range(rows)]
    before = [p.value for p in network.parameters()]
    for _ in range(3):
        assert steps.step(x, x) is None
    assert [p.value for p in network.parameters()] == before
    assert steps.step(x[: rows - 1], x[: rows - 1]) is not None  # at the limit: written out


def test_an_optimizer_changed_during_fit_goes_back_to_the_plain_step():
    network = seed_network()
    optimizer = pn.SGD(lr=1.0)
    steps = straight_line_step(network.layers, network.loss_function, optimizer, None)
    assert steps is not None and steps.step(SEED_X, SEED_Y) is not None
    optimizer.momentum = 0.5
    assert steps.step(SEED_X, SEED_Y) is None


@pytest.mark.parametrize("learning_rate", [1e300, 1e308])
def test_divergence_is_the_same_error_and_the_same_weights(learning_rate):
    def build():
        return pn.Network([pn.Dense(1, 2, "relu"), pn.Dense(2, 1)], loss="sse", seed=4)

    x, y = [[1e150], [-1e150]], [[1e150], [0.0]]
    straight, plain = train_both(build, x, y, written_out=True, epochs=3,
                                 learning_rate=learning_rate)
    assert straight == plain
    assert straight[0].startswith("fit: at epoch 1, batch 1 of 1, SGD: the update would make")


def test_a_non_finite_loss_steps_on_nothing():
    def build():
        return pn.Network([pn.Dense(1, 1, bias=False)], loss="sse", seed=0)

    x, y = [[1e200]], [[0.0]]  # (1e200·w)² overflows: the loss is inf
    straight, plain = train_both(build, x, y, written_out=True, epochs=1, learning_rate=0.1)
    assert straight == plain
    assert "the loss became inf" in straight[0]


def test_straight_lines_sum_as_the_kernels_do_for_every_formulation():
    # Forcing a formulation changes which sums kernels make (math.sumprod where it is one), and
    # the straight-line step follows.
    # Rows of 20 numbers (the second layer's inputs, and the batch in Xᵀ·δ): longer than the
    # 16 that CPython 3.12+ sums left to right.
    def build():
        return pn.Network([pn.Dense(1, 20, "tanh"), pn.Dense(20, 1)], loss="mse", seed=7)

    x = [[math.sin(i)] for i in range(20)]
    y = [[math.cos(i)] for i in range(20)]
    for name in sorted(kernels.FORMULATIONS):
        kernels.use_formulation(name)
        try:
            straight, plain = train_both(build, x, y, written_out=True, epochs=2,
                                         learning_rate=0.05)
        finally:
            kernels.use_formulation(None)
        assert straight == plain, name


def test_step_source_writes_sumprod_exactly_where_the_kernels_use_it():
    source = step_source([pn.Dense(20, 1, bias=False)], LOSSES["sse"], 1)
    uses_sumprod = not kernels.sums_left_to_right(20, 1)
    assert ("sumprod(" in source) is uses_sumprod
    assert ("z0_0_0 = 0.0 + x0_0 * w0_0_0" in source) is not uses_sumprod


def test_the_environment_variable_turns_straight_lines_off_and_on_and_pypy_goes_without():
    require_native("start processes")
    code = (
        "import purenn as pn\n"
        "from purenn import straightline\n"
        "net = pn.Network([pn.Dense(1, 1)])\n"
        "print(straightline.straight_line_step(net.layers, net.loss_function, pn.SGD(),"
        " None) is None)\n"
    )
    for setting, off in (("0", True), ("1", False), (None, sys.implementation.name == "pypy")):
        environment = dict(os.environ)
        environment.pop("PURENN_STRAIGHT_LINES", None)
        if setting is not None:
            environment["PURENN_STRAIGHT_LINES"] = setting
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True, env=environment)
        assert result.stdout.strip() == str(off), setting
    assert straightline.straight_line_step(
        pn.Network([pn.Dense(1, 1)]).layers, LOSSES["sse"], pn.SGD(), None
    ) is not None


def test_negative_control_a_wrong_written_out_derivative_fails_the_comparison(monkeypatch):
    # σ′ written as a instead of a(1 − a): the comparison above must catch it.
    wrong = dict(straightline._BACKWARD)
    wrong[type(pn.Dense(1, 1, "sigmoid").activation)] = "{g} * {a}"
    monkeypatch.setattr(straightline, "_BACKWARD", wrong)
    straight, plain = train_both(seed_network, SEED_X, SEED_Y, epochs=2, learning_rate=1.0)
    assert straight[0][0] == plain[0][0]  # the first forward pass agrees
    assert straight[4] != plain[4]  # the weights after the first step do not


def test_networks_of_the_same_shapes_share_the_compiled_code_but_not_their_weights():
    first, second = seed_network(), pn.Network(
        [pn.Dense(3, 4, "sigmoid", bias=False), pn.Dense(4, 1, "sigmoid", bias=False)],
        loss="sse", seed=2,
    )
    steps = [StraightLineStep(net.layers, net.loss_function, pn.SGD(lr=1.0), after=0)
             for net in (first, second)]
    for step in steps:
        step.step(SEED_X, SEED_Y)
    assert steps[0]._steps[4].__code__ is steps[1]._steps[4].__code__
    assert first.parameters()[0].value != second.parameters()[0].value
    fitted = seed_network()  # one step of fit: the same as the first network's
    fitted.fit(SEED_X, SEED_Y, epochs=1, learning_rate=1.0)
    assert first.parameters()[0].value == fitted.parameters()[0].value


@pytest.mark.parametrize("call, message", [
    (lambda: use_straight_lines("yes"), "use_straight_lines: enabled must be True or False"),
    (lambda: use_straight_lines(True, after=-1), "use_straight_lines: after must be an int ≥ 0"),
    (lambda: use_straight_lines(True, after=1.5), "use_straight_lines: after must be an int"),
    (lambda: step_source([pn.Dense(1, 1)], LOSSES["sse"], 0), "step_source: rows must be"),
    (lambda: step_source([pn.Dense(1, 1)], LOSSES["sse"], None), "step_source: rows must be"),
    (lambda: step_source([], LOSSES["sse"], 1), "step_source: writes out chained Dense layers"),
    (lambda: step_source([pn.Dense(1, 1, "elu")], LOSSES["sse"], 1), "step_source: writes out"),
    (lambda: step_source([pn.Dense(1, 1)], LOSSES["bce"], 1), "step_source: writes out"),
    (lambda: step_source("layers", LOSSES["sse"], 1), "step_source: writes out"),
    (lambda: step_source([pn.Dense(2, 3), pn.Dense(2, 1)], LOSSES["sse"], 1),
     "step_source: writes out chained"),
])
def test_bad_arguments_are_configuration_errors(call, message):
    with pytest.raises(pn.ConfigurationError, match="^" + message):
        call()


class GradientBoost(pn.Network):
    """A subclass whose backprop adds 0.1 to every gradient: a written-out step would skip it."""

    def backprop(self, x, y):
        loss, output = super().backprop(x, y)
        for parameter in self.parameters():
            parameter.grad = [[g + 0.1 for g in row] for row in parameter.grad]
        return loss, output


class FrozenFirstLayer(pn.Network):
    """A subclass that trains only its last layer, by what parameters() gives the optimizer."""

    def parameters(self):
        return super().parameters()[-1:]


@pytest.mark.parametrize("subclass", [GradientBoost, FrozenFirstLayer])
def test_a_subclass_that_changes_a_pass_keeps_the_plain_step(subclass):
    def build():
        return subclass([pn.Dense(2, 2, "tanh"), pn.Dense(2, 1)], loss="sse", seed=3)

    assert build().straight_line_step(pn.SGD(lr=0.1), None) is None
    straight, plain = train_both(build, [[1.0, 2.0], [0.5, -1.0]], [[1.0], [0.0]], epochs=3,
                                 learning_rate=0.1)
    assert straight == plain


def test_metrics_keep_the_plain_step():
    # fit computes metrics between the backward pass and the update; a metric of one's own
    # may look at the weights, so the written-out step (which updates at once) is not taken.
    def build():
        return pn.Network([pn.Dense(2, 1, "sigmoid")], loss="mse", seed=0)

    network = build()
    network.backprop = None  # the plain step would fail on it: it must be taken, and fail
    with pytest.raises(TypeError):
        network.fit([[1.0, 0.0], [0.0, 1.0]], [[1.0], [0.0]], epochs=1, metrics=["accuracy"])
    straight, plain = train_both(build, [[1.0, 0.0], [0.0, 1.0]], [[1.0], [0.0]], epochs=3,
                                 learning_rate=0.5, metrics=["accuracy"])
    assert straight == plain


def test_tied_weights_are_not_written_out():
    def build():
        network = pn.Network([pn.Dense(2, 2, "tanh", bias=False), pn.Dense(2, 2, bias=False)],
                             seed=0)
        network.layers[1].weights = network.layers[0].weights
        return network

    network = build()
    assert network.straight_line_step(pn.SGD(lr=0.1), None) is None
    straight, plain = train_both(build, [[1.0, 2.0]], [[0.5, -0.5]], epochs=2,
                                 learning_rate=0.1)
    assert straight == plain


def replace_parameter(network):
    layer = network.layers[0]
    layer.weights = pn.Parameter("weights", [row[:] for row in layer.weights.value])


def drop_bias(network):
    network.layers[0].bias = None


def swap_activation(network):
    network.layers[0].activation = type(network.layers[1].activation)()


def swap_loss(network):
    network.loss_function = LOSSES["mse"]


def force_sumprod_or_loops(network):
    kernels.use_formulation("sumprod" if "sumprod" in kernels.FORMULATIONS else "loops")


@pytest.mark.parametrize("change", [replace_parameter, drop_bias, swap_activation, swap_loss,
                                    force_sumprod_or_loops])
def test_a_callback_that_changes_what_the_step_was_written_for_gets_the_new_arithmetic(change):
    def build():
        return pn.Network([pn.Dense(1, 20, "tanh"), pn.Dense(20, 1, "sigmoid")], loss="sse",
                          seed=5)

    networks = []

    def callback(epoch, history):
        if epoch == 2:
            change(networks[-1])

    def tracked():
        kernels.use_formulation(None)  # each run starts with the automatic choice
        networks.append(build())
        return networks[-1]

    x = [[math.sin(i)] for i in range(20)]
    y = [[0.5 + 0.4 * math.cos(i)] for i in range(20)]
    try:
        straight, plain = train_both(tracked, x, y, epochs=4, learning_rate=0.1,
                                     callback=callback)
    finally:
        kernels.use_formulation(None)
    assert straight == plain
