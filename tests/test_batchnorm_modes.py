"""Training and evaluation modes: who switches them and what each verb runs in.  fit trains in
training mode and validates in evaluation mode; predict, predict_classes, loss and evaluate run
in evaluation mode; forward, backprop and gradients run in the current mode; each verb leaves
the user's mode as it was, also when it raises.  Early stopping restores the buffers of the best
epoch with its weights."""

import pytest

import purenn as pn
from purenn.layers import Layer


class ModeProbe(Layer):
    """The identity on vectors of ``width``, recording the mode of every forward pass."""

    def __init__(self, width):
        self.n_in = self.n_out = width
        self.seen = []

    def forward(self, x):
        self.seen.append(self.training)
        return x

    def backward(self, grad_output, need_input_grad=True):
        return grad_output if need_input_grad else None


X = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
Y = [[1.0], [1.0], [0.0], [0.0]]


def probed():
    probe = ModeProbe(3)
    network = pn.Network([pn.Dense(2, 3, "tanh"), probe, pn.Dense(3, 1)], seed=0)
    return network, probe


def test_a_new_network_and_its_layers_start_in_training_mode():
    network, _ = probed()
    assert network.training and all(layer.training for layer in network.layers)


def test_train_and_eval_switch_every_layer_and_return_the_network():
    network, _ = probed()
    assert network.eval() is network
    assert not network.training and not any(layer.training for layer in network.layers)
    assert network.train() is network and all(layer.training for layer in network.layers)
    assert network.train(False).training is False
    with pytest.raises(pn.ConfigurationError, match=r"Network\.train: mode must be True or False"):
        network.train("eval")


@pytest.mark.parametrize("start_in_training", [True, False])
def test_fit_trains_in_training_mode_validates_in_evaluation_mode_and_keeps_the_mode(
    start_in_training
):
    network, probe = probed()
    network.train(start_in_training)
    in_callback = []
    network.fit(X, Y, epochs=2, batch_size=2, validation_data=(X, Y), learning_rate=0.1,
                callback=lambda epoch, history: in_callback.append(network.training))
    # Per epoch: two training batches, then the validation pass.
    assert probe.seen == [True, True, False] * 2
    assert in_callback == [start_in_training] * 2
    assert network.training is start_in_training
    assert all(layer.training is start_in_training for layer in network.layers)


@pytest.mark.parametrize("start_in_training", [True, False])
def test_predict_loss_and_evaluate_run_in_evaluation_mode_and_keep_the_mode(start_in_training):
    network, probe = probed()
    network.train(start_in_training)
    network.predict(X)
    network.predict_classes(X)
    network.loss(X, Y)
    network.evaluate(X, Y, metrics=["accuracy"])
    assert probe.seen == [False] * 4
    assert network.training is start_in_training and probe.training is start_in_training


def test_forward_and_gradients_run_in_the_current_mode():
    network, probe = probed()
    network.gradients(X, Y)
    network.forward(X)
    network.eval()
    network.gradients(X, Y)
    network.forward(X)
    assert probe.seen == [True, True, False, False]


def test_the_mode_is_put_back_when_fit_raises():
    network, _ = probed()
    network.eval()
    with pytest.raises(pn.DivergenceError):
        network.fit(X, [[1e200]] * 4, epochs=3, learning_rate=1e200)
    assert not network.training


def test_early_stopping_restores_the_best_epochs_running_statistics_with_its_weights():
    network = pn.Network([pn.Dense(2, 3), pn.BatchNorm(3, "tanh"), pn.Dense(3, 1)], seed=0)
    held = [*network.parameters(), *network.buffers()]
    after_epoch = []
    # min_delta so large that only the first epoch counts as an improvement.
    network.fit(X, Y, epochs=5, learning_rate=0.1, batch_size=2,
                early_stopping=pn.EarlyStopping(patience=2, min_delta=1e9),
                callback=lambda epoch, history: after_epoch.append(
                    [[row[:] for row in h.value] for h in held]))
    assert len(after_epoch) == 3
    assert [h.value for h in held] == after_epoch[0] != after_epoch[2]
