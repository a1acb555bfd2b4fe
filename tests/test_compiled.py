"""fit(..., compile=True) gives the reference's bits, and says what it ran.

Every comparison trains the same network twice, with ``compile=True`` (``purenn.compiled``:
generated kernels and, where it can be exact, the written-out step) and without, and compares
everything fit leaves: the history, every weight, every gradient and every layer's cache, bit for
bit (as float.hex, so that the signs of zeros count), or the same DivergenceError and the same
untouched weights.  Where the written-out step is claimed, a profiler proves that no reference
pass ran; where it cannot be exact, ``History.compiled`` must say why.
"""

import math
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import require_native

import purenn as pn
from purenn.activations import Elementwise
from purenn.compiled import kernels as generated
from purenn.compiled import straightline
from purenn.compiled.run import WRITTEN_OUT
from purenn.compiled.straightline import (
    LARGEST_STRAIGHT_STEP,
    STRAIGHT_AFTER,
    StraightLineStep,
    step_source,
    use_straight_lines,
    written_out_step,
)
from purenn.losses import LOSSES

WRITTEN_OUT_ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu"]
REFERENCE = "the reference step with generated kernels: "


@pytest.fixture(autouse=True)
def straight_lines_from_the_first_step():
    previous = use_straight_lines(True, after=0)
    yield
    use_straight_lines(*previous)
    generated.use_formulation(None)


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
        [getattr(layer, "cache", None) for layer in network.layers],
    ))


# The reference passes a written-out step stands in for: none of them may run in one.
REFERENCE_PASSES = {pn.Network.train_step.__code__, pn.Network.backprop.__code__,
                    pn.Dense.forward.__code__, pn.Dense.backward.__code__}


def reference_calls(function):
    """(function's result, how many times a reference pass was called while it ran)."""
    calls = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in REFERENCE_PASSES:
            calls.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        result = function()
    finally:
        sys.setprofile(None)
    return result, len(calls)


def train_both(build, x, y, written_out=False, **options):
    """(compiled result, reference result) of the same fit on two fresh networks, and
    History.compiled; with ``written_out``, no step of the compiled fit may have run a
    reference pass."""
    results, notes = [], []
    for compiled in (True, False):
        network = build()
        try:
            history, calls = reference_calls(
                lambda: network.fit(x, y, compile=compiled, **options))  # noqa: B023
        except pn.DivergenceError as error:
            results.append((str(error), bits([p.value for p in network.parameters()])))
        else:
            results.append(everything(network, history))
            notes.append(history.compiled)
            if compiled and written_out:
                assert calls == 0 and history.compiled == WRITTEN_OUT
    return results[0], results[1], (notes or [None])[0]


@st.composite
def cases(draw):
    """A small Dense network, data, and fit options that straight lines can take."""
    widths = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    activations = draw(st.lists(st.sampled_from(WRITTEN_OUT_ACTIVATIONS), min_size=len(widths) - 1,
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
def test_compiled_fit_gives_the_reference_bits_with_the_written_out_step(case):
    build, x, y, options = case
    straight, plain, _ = train_both(build, x, y, written_out=True, **options)
    assert straight == plain


def seed_network():
    return pn.Network([pn.Dense(3, 4, "sigmoid", bias=False, init="uniform"),
                       pn.Dense(4, 1, "sigmoid", bias=False, init="uniform")],
                      loss="sse", seed=1)


SEED_X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
SEED_Y = [[0], [1], [1], [0]]


def test_the_seed_example_trains_to_the_same_bits():
    straight, plain, _ = train_both(seed_network, SEED_X, SEED_Y, written_out=True,
                                    epochs=1500, learning_rate=1.0)
    assert straight == plain
    assert float.fromhex(straight[0][-1]) < 0.01  # and it learns XOR


def test_by_default_every_step_of_the_seed_runs_the_code_the_walk_names(monkeypatch):
    # The README's walk: fit → train → Network.train_step → backprop → Dense.forward/backward
    # → the activation's backward.  A class method patched on that path runs at every step.
    counted = {"train_step": 0, "backward": 0}
    train_step, backward = pn.Network.train_step, Elementwise.backward

    def counting_train_step(self, *args):
        counted["train_step"] += 1
        return train_step(self, *args)

    def counting_backward(self, *args):
        counted["backward"] += 1
        return backward(self, *args)

    monkeypatch.setattr(pn.Network, "train_step", counting_train_step)
    monkeypatch.setattr(Elementwise, "backward", counting_backward)
    history = seed_network().fit(SEED_X, SEED_Y, epochs=1500, learning_rate=1.0)
    assert counted == {"train_step": 1500, "backward": 3000}  # two sigmoid layers a step
    assert history.compiled is None


def test_a_patched_class_method_is_used_by_compile_too_which_says_why(monkeypatch):
    # Doubling δ in the sigmoid's backward: compile=True must not skip it.
    backward = Elementwise.backward

    def doubled(self, z, a, grad_a):
        return [[2.0 * g for g in row] for row in backward(self, z, a, grad_a)]

    monkeypatch.setattr(Elementwise, "backward", doubled)
    straight, plain, note = train_both(seed_network, SEED_X, SEED_Y, epochs=300,
                                       learning_rate=1.0)
    assert straight == plain
    assert note == REFERENCE + "Elementwise.backward is not purenn's own"


def test_a_method_set_on_the_instance_is_used_and_named():
    def build():
        network = seed_network()
        backprop = network.backprop
        network.backprop = lambda x, y: backprop(x, y)
        return network

    straight, plain, note = train_both(build, SEED_X, SEED_Y, epochs=3, learning_rate=1.0)
    assert straight == plain
    assert note == REFERENCE + "Network.backprop is not purenn's own"


def test_a_batch_size_runs_reference_steps_first_unless_told_otherwise():
    use_straight_lines(True)
    network = seed_network()
    # Batches of 3 and 1: each size counts its own reference steps.
    _, calls = reference_calls(lambda: network.fit(
        SEED_X, SEED_Y, epochs=STRAIGHT_AFTER + 5, learning_rate=1.0, batch_size=3,
        shuffle=False, compile=True))
    per_step = 3  # train_step, backprop and the two Dense layers' forward and backward: 6
    assert calls == 2 * STRAIGHT_AFTER * (per_step + 3)


@pytest.mark.parametrize("options, reason", [
    ({"optimizer": pn.SGD(lr=0.1, momentum=0.9)}, "the optimizer SGD(...) is not written out"),
    ({"optimizer": pn.SGD(lr=0.1, weight_decay=0.01)}, "the optimizer SGD(...) is not"),
    ({"optimizer": pn.Adam()}, "the optimizer Adam(...) is not written out (plain SGD is)"),
    ({"learning_rate": 0.1, "clip_norm": 1.0}, "clip_norm is not written out"),
])
def test_other_optimizers_and_clipping_run_the_reference_step_and_say_so(options, reason):
    straight, plain, note = train_both(seed_network, SEED_X, SEED_Y, epochs=3, **options)
    assert straight == plain
    assert note.startswith(REFERENCE + reason)


@pytest.mark.parametrize("layers, loss, reason", [
    ([pn.Dense(2, 2, "leaky_relu"), pn.Dense(2, 1)], "sse", "layers[0]'s activation"),
    ([pn.Dense(2, 2, "softmax")], "sse", "layers[0]'s activation 'softmax'"),
    ([pn.Dense(2, 1, "sigmoid")], "bce", "the loss 'bce' is not written out"),
    ([pn.Dense(2, 3)], "cross_entropy", "the loss 'cross_entropy'"),
    ([pn.Dense(2, 2), pn.Dropout(0.5), pn.Dense(2, 1)], "sse", "layers[1] Dropout is not"),
])
def test_other_layers_activations_and_losses_run_the_reference_step(layers, loss, reason):
    def build():
        return pn.Network([type(layer)(**layer.config()) for layer in layers], loss=loss,
                          seed=0)

    x, y = [[1.0, 2.0], [0.5, -1.0]], ([0, 1] if loss == "cross_entropy" else None)
    if y is None:
        y = [[0.25] * build().n_out, [0.75] * build().n_out]
    straight, plain, note = train_both(build, x, y, epochs=3, learning_rate=0.1)
    assert straight == plain
    assert note.startswith(REFERENCE + reason)


def test_a_batch_too_large_to_write_out_takes_the_reference_step():
    width = 16
    rows = LARGEST_STRAIGHT_STEP // (width * width) + 1
    network = pn.Network([pn.Dense(width, width, "tanh")], seed=0)
    steps = StraightLineStep(network.layers, network.loss_function, pn.SGD(lr=0.1), after=0)
    x = [[0.1 * (i + j) for j in range(width)] for i in range(rows)]
    before = [p.value for p in network.parameters()]
    for _ in range(3):
        assert steps.train_step(x, x) is None
    assert [p.value for p in network.parameters()] == before
    assert steps.train_step(x[: rows - 1], x[: rows - 1]) is not None  # at the limit: written out


def test_an_optimizer_changed_during_fit_goes_back_to_the_reference_step():
    network = seed_network()
    optimizer = pn.SGD(lr=1.0)
    steps = written_out_step(network.layers, network.loss_function, optimizer)
    assert steps is not None and steps.train_step(SEED_X, SEED_Y) is not None
    optimizer.momentum = 0.5
    assert steps.train_step(SEED_X, SEED_Y) is None


@pytest.mark.parametrize("learning_rate", [1e300, 1e308])
def test_divergence_is_the_same_error_and_the_same_weights(learning_rate):
    def build():
        return pn.Network([pn.Dense(1, 2, "relu"), pn.Dense(2, 1)], loss="sse", seed=4)

    x, y = [[1e150], [-1e150]], [[1e150], [0.0]]
    straight, plain, _ = train_both(build, x, y, epochs=3, learning_rate=learning_rate)
    assert straight == plain
    assert straight[0].startswith("fit: at epoch 1, batch 1 of 1, SGD: the update would make")


def test_a_non_finite_loss_steps_on_nothing():
    def build():
        return pn.Network([pn.Dense(1, 1, bias=False)], loss="sse", seed=0)

    x, y = [[1e200]], [[0.0]]  # (1e200·w)² overflows: the loss is inf
    straight, plain, _ = train_both(build, x, y, epochs=1, learning_rate=0.1)
    assert straight == plain
    assert "the loss became inf" in straight[0]


def test_long_rows_sum_as_the_reference_does():
    # Rows of 20 numbers (the second layer's inputs, and the batch in Xᵀ·δ): longer than the
    # 16 that CPython 3.12+ sums left to right.
    def build():
        return pn.Network([pn.Dense(1, 20, "tanh"), pn.Dense(20, 1)], loss="mse", seed=7)

    x = [[math.sin(i)] for i in range(20)]
    y = [[math.cos(i)] for i in range(20)]
    straight, plain, _ = train_both(build, x, y, written_out=True, epochs=2,
                                    learning_rate=0.05)
    assert straight == plain


def test_step_source_writes_sumprod_exactly_where_the_kernels_use_it():
    source = step_source([pn.Dense(20, 1, bias=False)], LOSSES["sse"], 1)
    uses_sumprod = not generated.sums_left_to_right(20, 1)
    assert ("sumprod(" in source) is uses_sumprod
    assert ("z0_0_0 = 0.0 + x0_0 * w0_0_0" in source) is not uses_sumprod


def test_the_reference_path_never_imports_the_compiled_package():
    require_native("start processes")
    code = (
        "import sys, purenn as pn\n"
        "net = pn.Network([pn.Dense(3, 4, 'sigmoid'), pn.Dense(4, 1, 'sigmoid')], seed=1)\n"
        "net.fit([[0, 0, 1], [1, 1, 1]], [[0], [1]], epochs=200, learning_rate=1.0)\n"
        "net.predict([[0, 0, 1]])\n"
        "print('purenn.compiled' in sys.modules)\n"
        "net.fit([[0, 0, 1], [1, 1, 1]], [[0], [1]], epochs=2, compile=True)\n"
        "print('purenn.compiled' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "True"]


def test_straight_lines_are_off_on_pypy_and_the_history_says_so():
    network = seed_network()
    use_straight_lines(False)
    history = network.fit(SEED_X, SEED_Y, epochs=2, learning_rate=1.0, compile=True)
    assert history.compiled == REFERENCE + (
        "written-out steps are off (by default on PyPy, whose JIT does their work)")
    assert straightline.ON_BY_DEFAULT is (sys.implementation.name != "pypy")


def test_negative_control_a_wrong_written_out_derivative_fails_the_comparison(monkeypatch):
    # σ′ written as a instead of a(1 − a): the comparison above must catch it.
    wrong = dict(straightline._BACKWARD)
    wrong[type(pn.Dense(1, 1, "sigmoid").activation)] = "{g} * {a}"
    monkeypatch.setattr(straightline, "_BACKWARD", wrong)
    monkeypatch.setattr(straightline, "_CODE", {})
    straight, plain, _ = train_both(seed_network, SEED_X, SEED_Y, epochs=2, learning_rate=1.0)
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
        step.train_step(SEED_X, SEED_Y)
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
    (lambda: seed_network().fit(SEED_X, SEED_Y, compile="yes"),
     "fit: compile must be True or False"),
    (lambda: seed_network().predict(SEED_X, compile="no"), "predict: compile must be True"),
    (lambda: generated.use_formulation("fast"), "use_formulation: unknown formulation 'fast'"),
])
def test_bad_arguments_are_configuration_errors(call, message):
    with pytest.raises(pn.ConfigurationError, match="^" + message.replace("(", r"\(")):
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


@pytest.mark.parametrize("subclass, method", [(GradientBoost, "backprop"),
                                              (FrozenFirstLayer, "parameters")])
def test_a_subclass_that_changes_a_pass_keeps_the_reference_step(subclass, method):
    def build():
        return subclass([pn.Dense(2, 2, "tanh"), pn.Dense(2, 1)], loss="sse", seed=3)

    straight, plain, note = train_both(build, [[1.0, 2.0], [0.5, -1.0]], [[1.0], [0.0]],
                                       epochs=3, learning_rate=0.1)
    assert straight == plain
    assert note == REFERENCE + f"{subclass.__name__}.{method} is not purenn's own"


def test_metrics_are_recorded_from_the_written_out_steps_output():
    def build():
        return pn.Network([pn.Dense(2, 1, "sigmoid")], loss="mse", seed=0)

    straight, plain, _ = train_both(build, [[1.0, 0.0], [0.0, 1.0]], [[1.0], [0.0]],
                                    written_out=True, epochs=3, learning_rate=0.5,
                                    metrics=["accuracy"])
    assert straight == plain


def test_tied_weights_are_not_written_out():
    def build():
        network = pn.Network([pn.Dense(2, 2, "tanh", bias=False), pn.Dense(2, 2, bias=False)],
                             seed=0)
        network.layers[1].weights = network.layers[0].weights
        return network

    straight, plain, note = train_both(build, [[1.0, 2.0]], [[0.5, -0.5]], epochs=2,
                                       learning_rate=0.1)
    assert straight == plain
    assert note == REFERENCE + "a parameter is shared between layers (tied weights)"


def test_compiled_predict_gives_the_reference_bits_for_every_layer_kind():
    network = pn.Network([pn.Conv2D(1, 2, 3, activation="relu", input_shape=(1, 5, 5)),
                          pn.MaxPool2D(2), pn.Flatten(), pn.Dense(2, 3, "tanh"),
                          pn.BatchNorm(3), pn.Dense(3, 2)], seed=0)
    x = [[math.sin(i * j + 1.0) for i in range(25)] for j in range(3)]
    assert bits(network.predict(x, compile=True)) == bits(network.predict(x))


def replace_parameter(network):
    layer = network.layers[0]
    layer.weights = pn.Parameter("weights", [row[:] for row in layer.weights.value])


def drop_bias(network):
    network.layers[0].bias = None


def swap_activation(network):
    network.layers[0].activation = type(network.layers[1].activation)()


def swap_loss(network):
    network.loss_function = LOSSES["mse"]


def use_adam_from_now_on(network):
    network.layers[0].activation = pn.ReLU()
    network.loss_function = LOSSES["bce"]


@pytest.mark.parametrize("change", [replace_parameter, drop_bias, swap_activation, swap_loss,
                                    use_adam_from_now_on])
def test_a_callback_that_changes_what_the_step_was_written_for_gets_the_new_arithmetic(change):
    def build():
        return pn.Network([pn.Dense(1, 20, "tanh"), pn.Dense(20, 1, "sigmoid")], loss="sse",
                          seed=5)

    networks = []

    def callback(epoch, history):
        if epoch == 2:
            change(networks[-1])

    def tracked():
        networks.append(build())
        return networks[-1]

    x = [[math.sin(i)] for i in range(20)]
    y = [[0.5 + 0.4 * math.cos(i)] for i in range(20)]
    straight, plain, note = train_both(tracked, x, y, epochs=4, learning_rate=0.1,
                                       callback=callback, schedule=pn.StepLR(1, gamma=0.5))
    assert straight == plain
    assert note.startswith(WRITTEN_OUT)


def test_verbose_says_once_what_compile_ran(capsys):
    seed_network().fit(SEED_X, SEED_Y, epochs=3, optimizer=pn.Adam(), compile=True,
                       verbose=True)
    said = capsys.readouterr().err
    assert said.count("compile=True: " + REFERENCE + "the optimizer Adam(...)") == 1


def test_compiled_fit_of_image_layers_gives_the_reference_bits():
    def build():
        return pn.Network([pn.Conv2D(1, 2, 3, activation="tanh", input_shape=(1, 4, 4)),
                           pn.AvgPool2D(2), pn.Flatten(), pn.Dense(2, 2)], loss="mse", seed=0)

    x = [[math.cos(i + j) for i in range(16)] for j in range(4)]
    y = [[0.5, -0.5]] * 4
    straight, plain, note = train_both(build, x, y, epochs=3, learning_rate=0.1, batch_size=2)
    assert straight == plain
    assert note == REFERENCE + "layers[0] Conv2D is not written out (Dense is)"
