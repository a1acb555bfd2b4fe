"""Hostile input, class by class (the hostile-input issue): every public function refuses with a
purenn error naming itself and the argument, never a Python internal, and nothing a user had is
lost.  The values come from hostile.py; the first test throws every one of them at every public
call (about sixty values at eighty calls, exhaustively: each class is closed, not sampled).
"""

import copy
import math
import os
import pickle
import random

import pytest
from architectures import OPTIMIZERS as ARCHITECTURE_OPTIMIZERS
from architectures import trainable_networks
from budget import examples
from hostile import (
    ABSURD_SIZES,
    BAD_SEEDS,
    GENERATED,
    HUGE_INT,
    NOT_FLOATS_YET,
    PURENN_ERRORS,
    deeply_nested,
    hostile_values,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from persist_helpers import bits

import purenn as pn
from purenn.arguments import MAX_ENTRIES, shown

X = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
Y = [[1.0], [1.0], [0.0], [0.0]]
LABELS = [1, 1, 0, 0]


def small_network(seed=0):
    return pn.Network([pn.Dense(2, 3, "tanh"), pn.Dense(3, 1, "sigmoid")], loss="bce", seed=seed)


class NonFiniteResultError(Exception):
    """An accepted value that made a call return NaN or ±inf: a silent overflow."""


def finite(result):
    """``result`` (a matrix, or a tuple holding matrices and label lists), checked to be finite."""
    parts = result if isinstance(result, tuple) else (result,)
    for part in parts:
        rows = part if part and isinstance(part[0], list) else [part]
        if not all(math.isfinite(abs(value)) for row in rows for value in row):
            raise NonFiniteResultError(f"returned {shown(part)}")
    return result


def drawn(initializer):
    """Weights drawn by ``initializer``, checked to be finite."""
    return finite(initializer(random.Random(0), 3, 2))


# Every public call with one argument replaced by the hostile value v; net is a trained network
# that the call may use (and must not damage when it refuses).
CALLS = {
    "SGD(lr)": lambda net, v: pn.SGD(lr=v),
    "SGD(momentum)": lambda net, v: pn.SGD(lr=0.1, momentum=v),
    "SGD(weight_decay)": lambda net, v: pn.SGD(lr=0.1, weight_decay=v),
    "Adam(lr)": lambda net, v: pn.Adam(lr=v),
    "Adam(betas)": lambda net, v: pn.Adam(betas=(v, 0.999)),
    "Adam(eps)": lambda net, v: pn.Adam(eps=v),
    "StepLR(step_size)": lambda net, v: pn.StepLR(step_size=v),
    "StepLR(gamma)": lambda net, v: pn.StepLR(step_size=2, gamma=v),
    "ExponentialLR(gamma)": lambda net, v: pn.ExponentialLR(gamma=v),
    "CosineAnnealingLR(T_max)": lambda net, v: pn.CosineAnnealingLR(T_max=v),
    "EarlyStopping(patience)": lambda net, v: pn.EarlyStopping(patience=v),
    "EarlyStopping(min_delta)": lambda net, v: pn.EarlyStopping(min_delta=v),
    "Dense(n_in)": lambda net, v: pn.Dense(v, 2),
    "Dense(n_out)": lambda net, v: pn.Dense(2, v),
    "Dense(activation)": lambda net, v: pn.Dense(2, 2, v),
    "Dense(init)": lambda net, v: pn.Dense(2, 2, init=v),
    "Conv2D(kernel_size)": lambda net, v: pn.Conv2D(1, 2, v, input_shape=(1, 4, 4)),
    "Conv2D(out_channels)": lambda net, v: pn.Conv2D(1, v, 2, input_shape=(1, 4, 4)),
    "Conv2D(padding)": lambda net, v: pn.Conv2D(1, 2, 2, padding=v, input_shape=(1, 4, 4)),
    "MaxPool2D(pool_size)": lambda net, v: pn.MaxPool2D(v),
    "MaxPool2D(pool_size) on a large image": lambda net, v: pn.MaxPool2D(
        v, stride=1, input_shape=(1, 8000, 8000)),
    "AvgPool2D(stride)": lambda net, v: pn.AvgPool2D(2, stride=v),
    "Dropout(rate)": lambda net, v: pn.Dropout(v),
    "BatchNorm(num_features)": lambda net, v: pn.BatchNorm(v),
    "BatchNorm(eps)": lambda net, v: pn.BatchNorm(2, eps=v),
    "BatchNorm(momentum)": lambda net, v: pn.BatchNorm(2, momentum=v),
    "Uniform(low)": lambda net, v: pn.Uniform(v, 1.0),
    "Normal(std)": lambda net, v: drawn(pn.Normal(0.0, v)),
    "Normal(mean)": lambda net, v: drawn(pn.Normal(v, 1.0)),
    "Uniform(high)": lambda net, v: drawn(pn.Uniform(0.0, v)),
    "LeakyReLU(slope)": lambda net, v: pn.LeakyReLU(v),
    "ELU(alpha)": lambda net, v: pn.ELU(v),
    "xavier_uniform(fan_in)": lambda net, v: pn.xavier_uniform(random.Random(0), v, 2),
    "he_normal(fan_out)": lambda net, v: pn.he_normal(random.Random(0), 2, v),
    "one_hot(labels)": lambda net, v: pn.one_hot(v),
    "one_hot(n_classes)": lambda net, v: pn.one_hot([0, 1], v),
    "argmax(rows)": lambda net, v: pn.argmax(v),
    "Network(layers)": lambda net, v: pn.Network(v),
    "Network(loss)": lambda net, v: pn.Network([pn.Dense(2, 1)], loss=v),
    "Network(seed)": lambda net, v: pn.Network([pn.Dense(2, 1)], seed=v),
    "fit(X)": lambda net, v: net.fit(v, Y),
    "fit(Y)": lambda net, v: net.fit(X, v),
    "fit(learning_rate)": lambda net, v: net.fit(X, Y, learning_rate=v),
    "fit(batch_size)": lambda net, v: net.fit(X, Y, batch_size=v),
    "fit(clip_norm)": lambda net, v: net.fit(X, Y, clip_norm=v),
    "fit(validation_split)": lambda net, v: net.fit(X, Y, validation_split=v),
    "fit(validation_data)": lambda net, v: net.fit(X, Y, validation_data=v),
    "fit(shuffle)": lambda net, v: net.fit(X, Y, batch_size=2, shuffle=v),
    "fit(metrics)": lambda net, v: net.fit(X, Y, metrics=v),
    "fit(optimizer)": lambda net, v: net.fit(X, Y, optimizer=v),
    "fit(schedule)": lambda net, v: net.fit(X, Y, schedule=v),
    "fit(verbose)": lambda net, v: net.fit(X, Y, verbose=v),
    "predict(X)": lambda net, v: net.predict(v),
    "predict_classes(X)": lambda net, v: net.predict_classes(v),
    "loss(X)": lambda net, v: net.loss(v, Y),
    "evaluate(metrics)": lambda net, v: net.evaluate(X, Y, metrics=v),
    "load_state_dict(d)": lambda net, v: net.load_state_dict(v),
    "load_state_dict(entry)": lambda net, v: net.load_state_dict(
        {**net.state_dict(), "layers.0.weight": v}),
    "gradcheck(X)": lambda net, v: pn.gradcheck(net, v, Y),
    "gradcheck(rtol)": lambda net, v: pn.gradcheck(net, X, Y, rtol=v),
    "gradcheck(eps)": lambda net, v: pn.gradcheck(net, X, Y, eps=v),
    "gradcheck(sample)": lambda net, v: pn.gradcheck(net, X, Y, sample=v),
    "gradcheck(seed)": lambda net, v: pn.gradcheck(net, X, Y, seed=v),
    "gradcheck(method)": lambda net, v: pn.gradcheck(net, X, Y, method=v),
    "clip_grad_norm(max_norm)": lambda net, v: pn.clip_grad_norm([[[3.0, 4.0]]], v),
    "clip_grad_norm(gradients)": lambda net, v: pn.clip_grad_norm([[[3.0, v]]], 1.0),
    "evaluate(X)": lambda net, v: net.evaluate(v, Y),
    "two_moons(n)": lambda net, v: pn.datasets.two_moons(v),
    "two_moons(noise)": lambda net, v: finite(pn.datasets.two_moons(10, noise=v)),
    "circles(seed)": lambda net, v: pn.datasets.circles(10, seed=v),
    "circles(noise)": lambda net, v: finite(pn.datasets.circles(10, noise=v)),
    "spirals(n_per_class)": lambda net, v: pn.datasets.spirals(v),
    "spirals(noise)": lambda net, v: finite(pn.datasets.spirals(5, noise=v)),
    "bars(size)": lambda net, v: pn.datasets.bars(4, size=v),
    "bars(noise)": lambda net, v: finite(pn.datasets.bars(4, size=3, noise=v)),
    "noisy_sine(noise)": lambda net, v: finite(pn.datasets.noisy_sine(10, noise=v)),
    "StepLR.rate(epoch)": lambda net, v: pn.StepLR(2).rate(v, 0.1),
    "ExponentialLR.rate(base_lr)": lambda net, v: pn.ExponentialLR(0.5).rate(3, v),
    "matrix.matmul(entry)": lambda net, v: pn.matrix.matmul([[v, 1.0]], [[1.0], [2.0]]),
    "matrix.add(entry)": lambda net, v: pn.matrix.add([[1.0, 2.0]], [[v, 1.0]]),
    "matrix.scale(factor)": lambda net, v: finite(pn.matrix.scale([[1.0, 2.0]], v)),
    "matrix.add_row(row)": lambda net, v: pn.matrix.add_row([[1.0, 2.0]], [v, 1.0]),
    "matrix.column_sums(entry)": lambda net, v: pn.matrix.column_sums([[v], [1.0]]),
    "train_test_split(test_fraction)": lambda net, v: pn.datasets.train_test_split(X, Y, v),
    "plot.loss_curve(history)": lambda net, v: pn.plot.loss_curve(v),
    "plot.decision_boundary(X)": lambda net, v: pn.plot.decision_boundary(net, v, LABELS),
    "plot.architecture(max_edges)": lambda net, v: pn.plot.architecture(net, max_edges=v),
    "save(path)": lambda net, v: pn.save(net, v),
    "load(path)": lambda net, v: pn.load(v),
    "export_onnx(path)": lambda net, v: pn.export_onnx(net, v),
}

# Calls whose argument counts work to do, not memory: a huge value is a long run, not an error.
# Calls that take a path: a path that cannot be read or written is the OSError it is (documented
# in purenn/formats/files.py: it names the path, and nothing in a file is at fault).
FILE_CALLS = {"save(path)", "load(path)", "export_onnx(path)"}

LONG_RUNS = {"fit(batch_size)", "StepLR(step_size)", "CosineAnnealingLR(T_max)",
             "EarlyStopping(patience)", "gradcheck(sample)"}


@pytest.fixture(scope="module")
def in_scratch_folder(tmp_path_factory):
    """The working folder for the module's calls: save(net, "abc") is valid and writes there."""
    folder = tmp_path_factory.mktemp("hostile")
    previous = os.getcwd()
    os.chdir(folder)
    yield folder
    os.chdir(previous)


@pytest.fixture(scope="module")
def trained():
    net = small_network()
    net.fit(X, Y, epochs=20, learning_rate=0.5)
    return net


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_call_refuses_every_hostile_value_and_the_network_survives(
        trained, in_scratch_folder, name):
    before = trained.predict(X)
    refusals = PURENN_ERRORS + ((OSError,) if name in FILE_CALLS else ())
    escaped = []
    for value in hostile_values():
        if name in LONG_RUNS and isinstance(value, int) and value > 10**6:
            continue  # e.g. a batch of 10**400 rows: the whole data, legitimately
        net = copy.deepcopy(trained)
        try:
            CALLS[name](net, value)
        except refusals:
            if net.predict(X) != before:
                escaped.append(f"{shown(value)}: refused, but the weights changed")
        except Exception as error:  # what this test exists to find, so collect them all
            escaped.append(f"{shown(value)}: {type(error).__name__}: {shown(str(error), 120)}")
        else:
            if not all(math.isfinite(p) for row in net.predict(X) for p in row):
                escaped.append(f"{shown(value)}: accepted, and the network now predicts non-finite")
    assert not escaped, f"{name}:\n" + "\n".join(escaped)


@settings(max_examples=examples(300))
@given(name=st.sampled_from(sorted(CALLS)), value=GENERATED)
def test_fuzz_generated_values_at_every_call(trained, in_scratch_folder, name, value):
    net = copy.deepcopy(trained)
    before = net.predict(X)
    try:
        CALLS[name](net, value)
    except PURENN_ERRORS + ((OSError,) if name in FILE_CALLS else ()):  # noqa: B030
        assert net.predict(X) == before, f"{name} refused {shown(value)}, changed the weights"
    else:
        assert all(math.isfinite(p) for row in net.predict(X) for p in row)


# -- numbers that are not floats yet ----------------------------------------------------------


@given(value=NOT_FLOATS_YET)
def test_numbers_a_rate_is_a_finite_real_or_refused_by_name(value):
    try:
        optimizer = pn.SGD(lr=value)
    except pn.ConfigurationError as error:
        assert str(error).startswith("SGD: learning rate must be")
    else:
        assert type(optimizer.lr) is float and math.isfinite(optimizer.lr)


def test_numbers_exact_conversions_and_huge_ints():
    from decimal import Decimal
    from fractions import Fraction

    assert pn.SGD(lr=Fraction(1, 4)).lr == 0.25 and pn.SGD(lr=Decimal("0.5")).lr == 0.5
    with pytest.raises(pn.ConfigurationError, match="SGD: learning rate must be a finite number"):
        pn.SGD(lr=HUGE_INT)
    with pytest.raises(pn.ConfigurationError, match="BatchNorm: momentum must be"):
        pn.BatchNorm(2, momentum=HUGE_INT)
    options = pn.Network([pn.Dense(2, 1)], seed=0)
    history = options.fit(X, Y, validation_split=Decimal("0.25"))  # stored as a float
    assert len(history.val_loss) == 1


def test_numbers_a_message_never_fails_to_show_the_value():
    huge = 10**100_000  # its decimal repr raises ValueError on CPython 3.11+
    with pytest.raises(pn.ConfigurationError, match="int of 332193 bits"):
        pn.Dense(huge, 2)
    # A list nested 5,000 deep: walked only as far as the message shows (repr would recurse,
    # and under Pyodide overflow the JavaScript stack), so the message ends in "…".
    with pytest.raises(pn.ShapeError, match=r"predict: X\[0\]\[0\] is not a number: \[{60}…$"):
        small_network().predict(deeply_nested())
    one_long_row = [[0.5] * 10**6]
    with pytest.raises(pn.ShapeError, match=r"takes 2 inputs"):
        small_network().predict(one_long_row)


# -- data with NaN or ±inf ----------------------------------------------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_data_non_finite_values_are_refused_naming_row_and_column(bad):
    net = small_network()
    with pytest.raises(pn.DataError, match=r"row 1.*column 0|\[1\]\[0\]"):
        net.fit([[0.0, 1.0], [bad, 0.0]], [[1.0], [0.0]])


# -- sizes -------------------------------------------------------------------------------------


@given(size=ABSURD_SIZES)
def test_sizes_absurd_layers_are_refused_before_allocating(size):
    with pytest.raises(pn.ConfigurationError, match="Dense: "):
        pn.Dense(size, 10**9 if isinstance(size, int) and 0 < size < 10**9 else size)


def test_sizes_one_limit_everywhere():
    side = int(MAX_ENTRIES**0.5) + 1
    for make in (lambda: pn.Dense(side, side), lambda: pn.one_hot([0], MAX_ENTRIES + 1),
                 lambda: pn.datasets.two_moons(MAX_ENTRIES), lambda: pn.datasets.bars(10**6, 20),
                 lambda: pn.Conv2D(side, side, 1)):
        with pytest.raises(pn.ConfigurationError, match="at most 100000000 fit"):
            make()
    with pytest.raises(pn.ConfigurationError, match="xavier_uniform"):
        pn.xavier_uniform(random.Random(0), 0, 0)


# -- seeds -------------------------------------------------------------------------------------


@given(seed=BAD_SEEDS)
def test_seeds_only_none_or_a_non_negative_int(seed):
    with pytest.raises(pn.ConfigurationError, match="seed"):
        pn.Network([pn.Dense(2, 1)], seed=seed)
    with pytest.raises(pn.ConfigurationError, match="seed"):
        pn.datasets.two_moons(10, seed=seed)


def test_seeds_the_same_seed_is_the_same_network():
    assert small_network(7).predict(X) == small_network(7).predict(X)
    assert small_network(7).predict(X) != small_network(8).predict(X)


# -- structure ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layers", [pn.Dense(2, 1), None, "abc", 3, [1, 2], [], {pn.Dense(2, 1)}])
def test_structure_network_layers_must_be_a_list_of_layers(layers):
    with pytest.raises(pn.ConfigurationError, match="Network: "):
        pn.Network(layers)


def test_structure_deep_nesting_complex_numbers_and_generators_are_refused():
    net = small_network()
    for bad in (deeply_nested(), [[1 + 2j, 0.0]], (row for row in X)):
        with pytest.raises(PURENN_ERRORS):
            net.predict(bad)


def test_structure_a_parameter_of_another_shape_is_refused_on_assignment():
    net = small_network()
    before = net.predict(X)
    for bad in ([[1.0]], [[1.0, 2.0, 3.0]], "w", None, [[1.0, 2.0, 3.0]] * 3):
        with pytest.raises(pn.ShapeError, match=r"Parameter layers\[0\].weights: .* 2×3"):
            net.layers[0].weights.value = bad
    assert net.predict(X) == before
    net.layers[0].weights.value = [[0.0] * 3, [0.0] * 3]  # the same shape is fine


def test_structure_the_same_layer_twice_is_refused():
    layer = pn.Dense(2, 2)
    with pytest.raises(pn.ConfigurationError, match="same"):
        pn.Network([layer, layer])


# -- arithmetic inside -------------------------------------------------------------------------


def test_arithmetic_overflows_inside_are_purenn_errors_or_handled():
    with pytest.raises(pn.ConfigurationError, match="Uniform: the width"):
        pn.Uniform(-1e308, 1e308)
    with pytest.raises(pn.ConfigurationError, match="two_moons: noise"):
        pn.datasets.two_moons(10, noise=1e308)
    gradients = [[[1e308, 1e308]]]  # the global norm overflows: clipping must still work
    pn.clip_grad_norm(gradients, 1.0)
    assert math.isclose(math.hypot(*gradients[0][0]), 1.0)
    with pytest.raises(pn.DivergenceError, match="learning rate"):
        small_network().fit(X, Y, epochs=30, schedule=pn.ExponentialLR(gamma=1e300))


# -- internal state ----------------------------------------------------------------------------


def test_state_backward_before_forward_is_a_state_error():
    with pytest.raises(pn.StateError):
        pn.Dense(2, 1).backward([[1.0]])
    with pytest.raises(pn.StateError):
        small_network().backward([[1.0]] * 4)


def test_state_a_diverging_step_leaves_weights_and_adam_state_as_they_were():
    net = pn.Network([pn.Dense(2, 1)], loss="mse", seed=0)
    optimizer = pn.Adam(lr=0.1)
    net.fit(X, Y, epochs=3, optimizer=optimizer)
    before = (copy.deepcopy(net.state_dict()), optimizer.state_list(net.parameters()))
    assert all(state["step"] == 3 for state in before[1])  # moments and steps exist to keep
    optimizer.lr = 1e200  # the loss stays finite; the first update takes a weight past ±1.3e154
    with pytest.raises(pn.DivergenceError, match="the update would make layers"):
        net.fit(X, Y, epochs=5, optimizer=optimizer)
    assert net.state_dict() == before[0]
    # every moment, bit for bit, and every step count, as they were
    assert optimizer.state_list(net.parameters()) == before[1]


def test_state_a_saturated_bce_network_reports_divergence_not_its_output_layer():
    net = small_network()
    weights = copy.deepcopy(net.state_dict())
    with pytest.raises(pn.DivergenceError) as caught:
        net.fit(X, Y, epochs=50, learning_rate=1e300)
    message = str(caught.value)
    assert "the update would make layers[" in message and "learning rate 1e+300" in message
    assert "output" not in message and "sigmoid" not in message
    assert net.state_dict() == weights  # the step that diverged changed nothing


def test_state_a_saturated_bce_network_trains_on_at_the_clamp_without_an_error():
    # The control of the test above: at a rate that saturates the sigmoid (outputs exactly 0
    # or 1) without any step overflowing, nothing diverges: each log is clamped at −100 (as
    # PyTorch's BCELoss does), the loss stays finite and the outputs are probabilities.
    net = small_network()
    history = net.fit(X, Y, epochs=50, learning_rate=1e6)
    assert max(history.loss) <= 100.0 and all(map(math.isfinite, history.loss))
    assert all(0.0 <= p <= 1.0 for row in net.predict(X) for p in row)


# -- copies ------------------------------------------------------------------------------------


OPTIMIZERS = {
    "sgd": lambda: pn.SGD(lr=0.1),
    "momentum": lambda: pn.SGD(lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda: pn.Adam(lr=0.01),
}
INITIALIZERS = ["uniform", "normal", "xavier_uniform", "he_normal", pn.Uniform(-0.5, 0.5),
                pn.Normal(0.0, 0.2)]


@settings(max_examples=examples(30))
@given(optimizer=st.sampled_from(sorted(OPTIMIZERS)), init=st.sampled_from(INITIALIZERS),
       seed=st.integers(0, 2**32), copier=st.sampled_from(["deepcopy", "pickle"]),
       dropout=st.booleans())
def test_copies_continue_training_bit_identically(optimizer, init, seed, copier, dropout):
    extra = [pn.Dropout(0.25)] if dropout else []
    net = pn.Network([pn.Dense(2, 4, "tanh", init=init), *extra, pn.Dense(4, 1, "sigmoid")],
                     loss="bce", seed=seed)
    opt = OPTIMIZERS[optimizer]()
    net.fit(X, Y, epochs=3, batch_size=2, optimizer=opt)
    pair = (net, opt)
    twin, twin_opt = (copy.deepcopy(pair) if copier == "deepcopy"
                      else pickle.loads(pickle.dumps(pair)))
    assert twin.predict(X) == net.predict(X)
    net.fit(X, Y, epochs=4, batch_size=2, optimizer=opt)
    twin.fit(X, Y, epochs=4, batch_size=2, optimizer=twin_opt)
    assert twin.predict(X) == net.predict(X)
    assert twin.state_dict() == net.state_dict()


@settings(max_examples=25, deadline=None)
@given(case=trainable_networks(), optimizer=st.sampled_from(sorted(ARCHITECTURE_OPTIMIZERS)),
       copier=st.sampled_from(["deepcopy", "pickle"]))
def test_copies_of_every_architecture_continue_bit_identically(case, optimizer, copier):
    """Any architecture (every layer type), trained, with its optimizer's state, copied by
    deepcopy or pickle: the copy predicts and trains on bit for bit as the original."""
    net, x, y = case
    opt = ARCHITECTURE_OPTIMIZERS[optimizer]()
    net.fit(x, y, epochs=2, batch_size=2, optimizer=opt)
    pair = (net, opt)
    twin, twin_opt = (copy.deepcopy(pair) if copier == "deepcopy"
                      else pickle.loads(pickle.dumps(pair)))
    assert bits(twin.predict(x)) == bits(net.predict(x))
    net.fit(x, y, epochs=2, batch_size=2, optimizer=opt)
    twin.fit(x, y, epochs=2, batch_size=2, optimizer=twin_opt)
    assert bits(twin.predict(x)) == bits(net.predict(x))
    assert bits(twin.state_dict()) == bits(net.state_dict())
    assert twin_opt.state_list(twin.parameters()) == opt.state_list(net.parameters())


# -- the command line --------------------------------------------------------------------------


@pytest.mark.parametrize(("arguments", "said"), [
    (["train", "moons", "--learning-rate", "inf"], "--learning-rate: must be a finite number"),
    (["train", "moons", "--learning-rate", "nan"], "--learning-rate: must be a finite number"),
    (["train", "moons", "--seed", "-1"], "seed must be None or an int ≥ 0"),
    (["train", "moons", "--arch", "2-99999999-2"], "would make 499,999,997 parameters"),
    (["demo", "--epochs", "-3"], "--epochs: must be an int ≥ 0"),
    (["predict", "--sweep"], "the following arguments are required"),
])
def test_cli_hostile_options_are_one_line_never_a_traceback(capsys, arguments, said):
    from purenn.cli import main

    status = main(arguments)
    err = capsys.readouterr().err
    assert said in err
    assert status == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
