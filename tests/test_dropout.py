"""Dropout: the formula with known draws, the scaling that keeps the mean, evaluation as the
identity, the seeded generator and the order of its draws, gradient checks with the mask frozen,
shapes, summary, config, and every error path."""

import random

import pytest
from budget import examples
from dropout_cases import DropoutNotRescaled, Replayed
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import matrices

import purenn as pn
from purenn.gradient_checking import checker
from purenn.layers.dropout import dropout_mask
from purenn.training import shuffled_indices

RATES = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9])


@settings(max_examples=examples(30))
@given(rate=RATES, x=matrices(), data=st.data())
def test_training_output_is_x_times_the_kept_mask_over_one_minus_rate(rate, x, data):
    rows, columns = len(x), len(x[0])
    draws = data.draw(st.lists(st.floats(0.0, 1.0, exclude_max=True),
                               min_size=rows * columns, max_size=rows * columns))
    layer = pn.Dropout(rate)
    layer.initialize(Replayed(draws))
    grad = data.draw(matrices(rows, columns))
    u = iter(draws)
    kept = [[next(u) >= rate for _ in row] for row in x]
    scale = 1.0 / (1.0 - rate)  # M = [u ≥ p]/(1 − p), then Y = X ⊙ M
    expected = [[v * scale if k else 0.0 for v, k in zip(row, keep)]
                for row, keep in zip(x, kept)]
    assert layer.forward(x) == expected
    assert layer.backward(grad) == [[g * scale if k else 0.0 for g, k in zip(row, keep)]
                                    for row, keep in zip(grad, kept)]
    assert layer.rng.drawn == rows * columns


@pytest.mark.parametrize(("layer_class", "keeps_the_mean"),
                         [(pn.Dropout, True), (DropoutNotRescaled, False)])
def test_scaling_keeps_the_mean_so_evaluation_can_be_the_identity(layer_class, keeps_the_mean):
    # 100 draws spread evenly over [0, 1): exactly 70 of them are ≥ 0.3, so with the scaling
    # the mean of Y is exactly the mean of X, as the identity of evaluation mode gives.
    layer = layer_class(0.3)
    layer.initialize(Replayed([k / 100 for k in range(100)]))
    training_mean = sum(layer.forward([[2.0] * 100])[0]) / 100
    layer.training = False
    evaluation_mean = sum(layer.forward([[2.0] * 100])[0]) / 100
    assert evaluation_mean == 2.0
    assert (abs(training_mean - evaluation_mean) < 1e-12) is keeps_the_mean


def test_evaluation_mode_is_the_identity_and_draws_nothing():
    layer = pn.Dropout(0.5)
    layer.initialize(Replayed([]))
    layer.training = False
    x = [[1.0, -2.0], [3.0, 4.0]]
    assert layer.forward(x) == x and layer.mask is None
    assert layer.backward([[5.0, 6.0], [7.0, 8.0]]) == [[5.0, 6.0], [7.0, 8.0]]
    assert layer.backward([[5.0, 6.0], [7.0, 8.0]], need_input_grad=False) is None


def test_rate_zero_keeps_everything():
    layer = pn.Dropout(0.0)
    layer.initialize(random.Random(0))
    assert layer.forward([[1.0, 2.0, 3.0]]) == [[1.0, 2.0, 3.0]]


def test_the_mask_is_drawn_with_random_alone():
    values = [0.1, 0.7, 0.3, 0.9, 0.5, 0.0]
    assert dropout_mask(Replayed(values), 2, 3, 0.5) == [[0.0, 2.0, 0.0], [2.0, 2.0, 0.0]]


# -- the network's generator -----------------------------------------------------------------


class RecordingDropout(pn.Dropout):
    """A Dropout that keeps every mask it draws."""

    def forward(self, x):
        y = super().forward(x)
        self.masks = [*getattr(self, "masks", []), self.mask]
        return y


def dropout_network(seed, rate=0.5):
    return pn.Network([pn.Dense(3, 4, "tanh"), RecordingDropout(rate), pn.Dense(4, 4, "tanh"),
                       RecordingDropout(rate), pn.Dense(4, 1)], seed=seed)


X4 = [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
Y4 = [[0.0], [1.0], [1.0], [0.0]]


def test_training_draws_weights_then_per_epoch_the_shuffle_then_per_batch_each_mask():
    network = dropout_network(seed=3)
    network.fit(X4, Y4, epochs=2, learning_rate=0.1, batch_size=2)
    replay = random.Random(3)
    weights = sum(p.shape[0] * p.shape[1] for p in network.parameters() if "weights" in p.name)
    for _ in range(weights):  # the xavier initializer draws one value per weight
        replay.random()
    expected = {1: [], 3: []}
    for _ in range(2):
        shuffled_indices(4, replay)
        for _ in range(2):  # two batches of two rows; the masks from the first layer up
            for index in (1, 3):
                expected[index].append(dropout_mask(replay, 2, 4, 0.5))
    assert network.layers[1].masks == expected[1] and network.layers[3].masks == expected[3]
    assert network.rng.getstate() == replay.getstate()


def bits_after_training(seed):
    network = dropout_network(seed)
    network.fit(X4, Y4, epochs=5, learning_rate=0.1, batch_size=2)
    return [value.hex() for p in network.parameters() for row in p.value for value in row]


def test_a_seed_fixes_training_with_dropout_bit_for_bit():
    assert bits_after_training(5) == bits_after_training(5)
    assert bits_after_training(5) != bits_after_training(6)  # negative control


def test_predicting_drops_nothing_and_draws_nothing():
    network = dropout_network(seed=1)
    plain = pn.Network([network.layers[0], network.layers[2], network.layers[4]], seed=1)
    for ours, theirs in zip(plain.parameters(), [network.parameters()[i] for i in range(6)]):
        ours.value = theirs.value
    state = network.rng.getstate()
    assert network.predict(X4) == plain.predict(X4)
    assert network.evaluate(X4, Y4)["loss"] == network.loss(X4, Y4) == plain.loss(X4, Y4)
    assert network.rng.getstate() == state and network.training


# -- gradient checks: the mask frozen for the check ------------------------------------------------


def drawn_network(layers, x, data):
    network = pn.Network(layers, loss="sse", seed=data.draw(st.integers(0, 99)))
    for parameter in network.parameters():
        parameter.value = data.draw(matrices(*parameter.shape))
    return network, data.draw(matrices(len(x), network.n_out))


@pytest.mark.parametrize("training", [True, False], ids=["training", "evaluation"])
@pytest.mark.parametrize("method", ["complex", "central"])
@settings(max_examples=examples(20))
@given(rate=RATES, x=matrices(max_side=4), data=st.data())
def test_gradcheck_with_dropout_between_layers(training, method, rate, x, data):
    width = len(x[0])
    network, y = drawn_network(
        [pn.Dense(width, 3, "tanh"), pn.Dropout(rate), pn.Dense(3, 2)], x, data)
    network.train(training)
    state = network.rng.getstate()
    result = pn.gradcheck(network, x, y, method)
    assert result.ok, str(result)
    assert network.rng.getstate() == state


def test_gradcheck_checks_the_mask_the_generator_gives_at_the_start():
    network = pn.Network([pn.Dense(3, 6, "tanh"), pn.Dropout(0.5), pn.Dense(6, 1)], seed=2)
    state = network.rng.getstate()
    result = pn.gradcheck(network, X4, Y4, "complex")
    assert result.ok, str(result)
    # The analytic gradients checked are those of the first pass a training step would take.
    _, gradients = network.gradients(X4, Y4)
    flat = [value for gradient in gradients for row in gradient for value in row]
    assert [entry.analytic for entry in result.entries] == flat
    network.rng.setstate(state)
    assert network.gradients(X4, Y4)[1] == gradients


def test_negative_control_without_the_replay_masks_change_between_evaluations(monkeypatch):
    monkeypatch.setattr(checker._Replay, "__call__", lambda self: None)
    network = pn.Network([pn.Dense(3, 6, "tanh"), pn.Dropout(0.5), pn.Dense(6, 1)], seed=2)
    assert not pn.gradcheck(network, X4, Y4, "central").ok


def test_dropout_on_images_in_a_cnn_passes_the_check():
    network = pn.Network([pn.Conv2D(1, 2, 2, activation="tanh", input_shape=(1, 3, 3)),
                          pn.Dropout(0.4), pn.MaxPool2D(2), pn.Flatten(), pn.Dense(2, 1)],
                         seed=0)
    rng = random.Random(1)
    x = [[rng.uniform(-1.0, 1.0) for _ in range(9)] for _ in range(3)]
    for method in ("complex", "central"):
        result = pn.gradcheck(network, x, [[0.5], [0.0], [-0.5]], method)
        assert result.ok, str(result)


# -- shapes, description, errors ------------------------------------------------------------------


def test_shapes_summary_repr_and_config():
    network = pn.Network([pn.Conv2D(1, 2, 2, input_shape=(1, 3, 3)), pn.Dropout(0.25),
                          pn.Flatten(), pn.Dense(8, 1)], seed=0)
    assert network.layers[1].output_shape == (2, 2, 2)
    assert "layers[1] Dropout(0.25)" in network.summary()
    assert network.layers[1].named_parameters() == [] == network.layers[1].named_buffers()
    layer = pn.Dropout(0.5, input_shape=(3,))
    assert repr(layer) == "Dropout(0.5, input_shape=(3,))"
    assert repr(pn.Dropout(**layer.config())) == repr(layer)
    first = pn.Network([pn.Dropout(0.2, input_shape=(2,)), pn.Dense(2, 1)], seed=0)
    assert first.input_shape == (2,)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, float("nan"), True, "half", None])
def test_a_rate_outside_zero_to_one_is_refused(rate):
    with pytest.raises(pn.ConfigurationError,
                       match=r"^Dropout: rate must be a finite number in \[0, 1\), got"):
        pn.Dropout(rate)


def test_use_without_a_generator_or_before_forward_is_a_state_error():
    with pytest.raises(pn.StateError, match=r"Dropout\(0\.5\): has no random generator"):
        pn.Dropout(0.5).forward([[1.0]])
    with pytest.raises(pn.StateError, match=r"Dropout\.backward: called before forward"):
        pn.Dropout(0.5).backward([[1.0]])
    declared = r"Dropout\(0\.5, input_shape=\(3,\)\) was made for input shape 3, not 2"
    with pytest.raises(pn.ConfigurationError, match=declared):
        pn.Network([pn.Dense(2, 2), pn.Dropout(0.5, input_shape=(3,))])


def test_one_layer_object_in_two_places_is_refused():
    # It would keep one mask (one cache) for both places, and backprop would use the wrong one.
    drop = pn.Dropout(0.5)
    with pytest.raises(pn.ConfigurationError, match=(
            r"^Network: layers\[3\] is the same Dropout\(0\.5\) object as layers\[1\]: make a "
            "new layer for each place")):
        pn.Network([pn.Dense(2, 2), drop, pn.Dense(2, 2), drop])
