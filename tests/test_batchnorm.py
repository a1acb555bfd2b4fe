"""BatchNorm: the formulas written out as loops (forward in both modes, running statistics over
several batches, PyTorch's momentum and the cumulative average), evaluation independent of the
batch, shapes, summary, config, and every error path."""

import math
import random

import pytest
from batchnorm_cases import norm_cases, reference
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import MODEST, matrices

import purenn as pn
from purenn.layers.batchnorm import by_channel, by_sample, channel_statistics

TOL = 1e-12  # the same float64 formulas summed in another order


def close(a, b):
    return all(
        abs(u - v) <= TOL * max(1.0, abs(v)) for row_a, row_b in zip(a, b)
        for u, v in zip(row_a, row_b)
    ) and len(a) == len(b)


def drawn_layer(case, data, momentum=0.1):
    layer = pn.BatchNorm(case.channels, momentum=momentum, input_shape=case.shape)
    layer.gamma.value = data.draw(matrices(1, case.channels))
    layer.beta.value = data.draw(matrices(1, case.channels))
    return layer


# -- the formulas ---------------------------------------------------------------------------------


@settings(max_examples=examples(40))
@given(case=norm_cases(), momentum=st.sampled_from([0.1, 0.5, 1.0, 0.0, None]),
       steps=st.integers(1, 3), data=st.data())
def test_training_passes_and_running_statistics_follow_the_formulas(case, momentum, steps, data):
    layer = drawn_layer(case, data, momentum)
    gamma, beta = layer.gamma.value[0], layer.beta.value[0]
    running = ([0.0] * case.channels, [1.0] * case.channels)
    for step in range(steps):
        batch = case._replace(x=data.draw(matrices(len(case.x), len(case.x[0]), MODEST)))
        y, mean, var = reference(batch, gamma, beta, running, True, momentum, step)
        assert close(layer.forward(batch.x), y)
        assert close(layer.running_mean.value, [mean]) and close(layer.running_var.value, [var])
        running = (mean, var)
    assert layer.num_batches_tracked.value == [[float(steps)]]


@settings(max_examples=examples(30))
@given(case=norm_cases(), data=st.data())
def test_evaluation_uses_the_running_statistics_and_updates_nothing(case, data):
    layer = drawn_layer(case, data)
    running = (data.draw(matrices(1, case.channels))[0],
               data.draw(matrices(1, case.channels, st.floats(0.01, 4.0)))[0])
    layer.running_mean.value, layer.running_var.value = [running[0][:]], [running[1][:]]
    layer.training = False
    y, _, _ = reference(case, layer.gamma.value[0], layer.beta.value[0], running, False, 0.1, 0)
    assert close(layer.forward(case.x), y)
    assert layer.running_mean.value == [running[0]] and layer.running_var.value == [running[1]]
    assert layer.num_batches_tracked.value == [[0.0]]


def test_a_channel_is_the_batch_and_both_spatial_axes():
    # Two images of 2 channels, 1×2 pixels: channel 0 holds 1, 3, 5, 7 (mean 4, variance 5).
    layer = pn.BatchNorm(2, input_shape=(2, 1, 2))
    y = layer.forward([[1.0, 3.0, 10.0, 10.0], [5.0, 7.0, 20.0, 20.0]])
    k = 1.0 / math.sqrt(5.0 + 1e-5)
    assert close([y[0][:2] + y[1][:2]], [[-3 * k, -k, k, 3 * k]])
    assert layer.running_mean.value == [[0.4, 1.5]]
    # unbiased variance of (1, 3, 5, 7) is 20/3; 0.9·1 + 0.1·20/3
    assert close(layer.running_var.value, [[0.9 + 2.0 / 3.0, 0.9 + 0.1 * 100.0 / 3.0]])


def test_biased_variance_normalises_and_unbiased_variance_is_tracked():
    layer = pn.BatchNorm(1, momentum=1.0, input_shape=(1,))
    y = layer.forward([[0.0], [2.0]])  # mean 1, biased variance 1, unbiased 2
    assert close(y, [[-1.0 / math.sqrt(1.0 + 1e-5)], [1.0 / math.sqrt(1.0 + 1e-5)]])
    assert layer.running_mean.value == [[1.0]] and layer.running_var.value == [[2.0]]


def test_momentum_none_is_the_cumulative_average():
    layer = pn.BatchNorm(1, momentum=None, input_shape=(1,))
    for batch in ([[0.0], [2.0]], [[4.0], [6.0]], [[8.0], [10.0]]):
        layer.forward(batch)
    assert layer.running_mean.value == [[5.0]]   # (1 + 5 + 9) / 3: the initial 0 is forgotten
    assert layer.running_var.value == [[2.0]]


def test_channel_layout_helpers_are_inverse_and_statistics_are_two_pass():
    x = [[float(10 * n + i) for i in range(6)] for n in range(2)]
    assert by_sample(by_channel(x, 3, 2), 2, 2) == x
    assert by_channel(x, 3, 2)[1] == [2.0, 3.0, 12.0, 13.0]
    assert by_channel(x, 6, 1) == [list(column) for column in zip(*x)]
    # A large mean does not cancel the deviations away (a one-pass Σx² − mΣ... would).
    mean, squares = channel_statistics([1e9 + 1.0, 1e9 + 3.0])
    assert (mean, squares) == (1e9 + 2.0, 2.0)


# -- evaluation is independent of the batch; training is not -----------------------------------


def trained_conv_network():
    network = pn.Network(
        [pn.Conv2D(1, 2, 2, input_shape=(1, 3, 3)), pn.BatchNorm(2, "relu"), pn.Flatten(),
         pn.Dense(8, 1)], loss="sse", seed=4,
    )
    rng = random.Random(6)
    x = [[rng.uniform(-1.0, 1.0) for _ in range(9)] for _ in range(6)]
    network.fit(x, [[sum(row)] for row in x], epochs=3, learning_rate=0.05, batch_size=3)
    return network, x


def test_evaluation_output_of_a_row_does_not_depend_on_its_batch():
    network, x = trained_conv_network()
    whole = network.predict(x)
    assert [network.predict([row])[0] for row in x] == whole
    assert network.predict(x[:2]) == whole[:2]
    # Negative control: in training mode a row's output depends on the rows beside it.
    network.train()
    assert network.forward(x[:2]) != network.forward(x)[:2]


def test_predicting_leaves_the_running_statistics_alone():
    network, x = trained_conv_network()
    before = [buffer.value for buffer in network.buffers()]
    network.predict(x)
    network.evaluate(x, [[0.0]] * len(x))
    assert [buffer.value for buffer in network.buffers()] == before


# -- what the network sees ----------------------------------------------------------------------


def test_parameters_and_buffers_are_named_and_separate():
    network = pn.Network([pn.Dense(2, 3), pn.BatchNorm(3, "relu"), pn.Dense(3, 1)], seed=0)
    assert [p.name for p in network.parameters()] == [
        "layers[0].weights", "layers[0].bias", "layers[1].gamma", "layers[1].beta",
        "layers[2].weights", "layers[2].bias"]
    assert [b.name for b in network.buffers()] == [
        "layers[1].running_mean", "layers[1].running_var", "layers[1].num_batches_tracked"]
    assert not any(isinstance(b, pn.Parameter) for b in network.buffers())


def test_the_optimizer_never_touches_the_running_statistics():
    network = pn.Network([pn.Dense(2, 3), pn.BatchNorm(3), pn.Dense(3, 1)], seed=0)
    optimizer = pn.Adam(lr=0.1, weight_decay=0.5)
    x = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    network.fit(x, [[1.0], [2.0], [3.0]], epochs=2, optimizer=optimizer)
    assert set(optimizer.state) == set(network.parameters())
    layer = network.layers[1]
    # Two training passes moved the running statistics by the momentum, nothing else did.
    assert layer.num_batches_tracked.value == [[2.0]]


def test_summary_repr_config_and_initial_values():
    layer = pn.BatchNorm(16, "relu", eps=1e-3, momentum=None)
    assert repr(layer) == "BatchNorm(16, activation='relu', eps=0.001, momentum=None)"
    rebuilt = pn.BatchNorm(**layer.config())
    assert repr(rebuilt) == repr(layer)
    network = pn.Network([pn.Conv2D(1, 16, 3, input_shape=(1, 5, 5)), layer], seed=0)
    assert "layers[1] BatchNorm(16, activation='relu', eps=0.001, momentum=None)" in (
        network.summary())
    assert "16×3×3" in network.summary() and network.summary().endswith("192")
    assert layer.gamma.value == [[1.0] * 16] and layer.beta.value == [[0.0] * 16]
    assert layer.running_mean.value == [[0.0] * 16] and layer.running_var.value == [[1.0] * 16]
    assert repr(pn.BatchNorm(2, input_shape=(2,))) == "BatchNorm(2, input_shape=(2,))"


def test_an_activation_ends_the_layer_and_declares_its_range():
    network = pn.Network([pn.Dense(2, 2), pn.BatchNorm(2, "sigmoid")], loss="bce", seed=0)
    assert network.layers[1].output_range() == (0.0, 1.0)
    with pytest.raises(pn.ConfigurationError, match="bce loss needs outputs in"):
        pn.Network([pn.Dense(2, 2), pn.BatchNorm(2)], loss="bce")


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"num_features": 0}, "num_features must be an int ≥ 1, got 0"),
    ({"num_features": 2, "eps": 0.0}, "eps must be a finite number > 0, got 0.0"),
    ({"num_features": 2, "momentum": 1.5}, r"momentum must be a finite number in \[0, 1\] or "
                                           "None, got 1.5"),
    ({"num_features": 2, "momentum": True}, "momentum must be"),
    ({"num_features": 2, "momentum": "fast"}, "momentum must be"),
    ({"num_features": 2, "activation": "swish"}, "unknown activation 'swish'"),
    ({"num_features": 2, "input_shape": (0,)}, "input_shape must be a tuple of ints"),
])
def test_bad_arguments_are_refused_by_name(kwargs, message):
    with pytest.raises(pn.ConfigurationError, match=f"BatchNorm: .*{message}"):
        pn.BatchNorm(**kwargs)


def test_channels_that_do_not_match_are_refused_when_the_network_is_built():
    with pytest.raises(pn.ConfigurationError, match=(
            r"layers\[1\] BatchNorm\(8\) normalises 8 channels, not the 4 of an input 4×3×3")):
        pn.Network([pn.Conv2D(1, 4, 3, input_shape=(1, 5, 5)), pn.BatchNorm(8)])
    declared = r"BatchNorm\(3, input_shape=\(3,\)\) was made for input shape 3, not 2"
    with pytest.raises(pn.ShapeError, match=declared):
        pn.BatchNorm(3, input_shape=(3,)).build((2,))


def test_one_value_per_channel_in_training_mode_is_refused_everywhere():
    network = pn.Network([pn.Dense(2, 2), pn.BatchNorm(2), pn.Dense(2, 1)], seed=0)
    message = (r"layers\[1\] BatchNorm\(2\): in training mode it needs more than one value per "
               r"channel to normalise, but a batch of 1 row of shape 2 gives 1 \(PyTorch")
    before = [p.value for p in network.parameters()]
    with pytest.raises(pn.ShapeError, match=f"^fit: {message}"):
        network.fit([[1.0, 2.0]], [[1.0]])
    # A last batch of one row is refused before the first epoch changes anything.
    remainder = r"^fit \(batch_size=2 leaves 1 of 3 rows\): "
    with pytest.raises(pn.ShapeError, match=remainder + message):
        network.fit([[1.0, 2.0], [2.0, 1.0], [0.0, 1.0]], [[1.0]] * 3, batch_size=2)
    assert [p.value for p in network.parameters()] == before
    assert network.layers[1].num_batches_tracked.value == [[0.0]]
    with pytest.raises(pn.ShapeError, match=f"^gradients: {message}"):
        network.gradients([[1.0, 2.0]], [[1.0]])
    with pytest.raises(pn.ShapeError, match=f"^gradcheck: {message}"):
        pn.gradcheck(network, [[1.0, 2.0]], [[1.0]])
    # Evaluation mode normalises one row by the running statistics; images have H·W values.
    assert network.predict([[1.0, 2.0]])
    assert network.eval().gradients([[1.0, 2.0]], [[1.0]])
    image = pn.Network([pn.BatchNorm(1, input_shape=(1, 2, 1)), pn.Flatten()], seed=0)
    assert image.forward([[1.0, 3.0]]) == image.forward([[11.0, 13.0]])
    with pytest.raises(pn.ShapeError, match="a batch of 1 row of shape 1×1×1 gives 1"):
        pn.Network([pn.BatchNorm(1, input_shape=(1, 1, 1)), pn.Flatten()]).fit([[1.0]], [[1.0]])


def test_use_before_build_or_forward_is_a_state_error():
    with pytest.raises(pn.StateError, match=r"BatchNorm\(2\): not built"):
        pn.BatchNorm(2).forward([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(pn.StateError, match=r"BatchNorm\.backward: called before forward"):
        pn.BatchNorm(2, input_shape=(2,)).backward([[1.0, 2.0]])


def test_a_first_layer_batchnorm_trains_and_checks_and_reports_before_any_pass():
    layer = pn.BatchNorm(2, "relu", input_shape=(2,))
    assert layer.branch_signature() == ()
    assert repr(layer.running_var) == "<Buffer running_var 1×2>"
    network = pn.Network([layer, pn.Dense(2, 1)], seed=0)
    assert repr(network.buffers()[0]) == "<Buffer layers[0].running_mean 1×2>"
    x, y = [[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]], [[1.0], [0.0], [2.0]]
    # The first layer's input gradient is not needed: γ and β still get theirs.
    _, gradients = network.gradients(x, y)
    assert len(gradients) == 4 and layer.gamma.grad is gradients[0]
    assert pn.gradcheck(network, x, y, "complex").ok
