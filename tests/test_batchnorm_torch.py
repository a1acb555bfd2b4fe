"""BatchNorm against PyTorch in float64 (skipped without torch): ``F.batch_norm``'s outputs and the
gradients of input, γ and β over several training batches, the running statistics after each,
evaluation mode after them, ``momentum=None`` against ``nn.BatchNorm1d/2d``; whole networks
(Linear → BatchNorm → ReLU → Linear, and Conv2d → BatchNorm → ReLU → MaxPool → Linear) trained
for several SGD steps on both sides; and the missing mean-of-gradient term, which disagrees."""

import random

import pytest
from batchnorm_cases import BatchNormWithoutMeanOfGradient, norm_cases
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import require
from strategies import MODEST, matrices
from torch_helpers import as_rows, as_tensor, mismatches

import purenn as pn

torch = require("torch")
functional = torch.nn.functional

EXAMPLES = 30


def one_pass(layer, x, shape, running, upstream):
    """Everything that differs between purenn's layer and F.batch_norm on one batch, in the
    layer's mode; ``running`` is torch's (mean, var), updated in place in training mode."""
    images = as_tensor(x, shape, grad=True)
    gamma = torch.tensor(layer.gamma.value[0], dtype=torch.float64, requires_grad=True)
    beta = torch.tensor(layer.beta.value[0], dtype=torch.float64, requires_grad=True)
    output = functional.batch_norm(images, running[0], running[1], gamma, beta,
                                   training=layer.training, momentum=layer.momentum,
                                   eps=layer.eps)
    (output * as_tensor(upstream, shape)).sum().backward()
    ours = layer.forward(x)
    grad_x = layer.backward(upstream)
    return (
        mismatches(ours, as_rows(output), "Y")
        + mismatches(grad_x, as_rows(images.grad), "dX")
        + mismatches(layer.gamma.grad, [gamma.grad.tolist()], "dγ")
        + mismatches(layer.beta.grad, [beta.grad.tolist()], "dβ")
        + mismatches(layer.running_mean.value, [running[0].tolist()], "running_mean")
        + mismatches(layer.running_var.value, [running[1].tolist()], "running_var")
    )


@settings(max_examples=examples(EXAMPLES))
@given(case=norm_cases(), momentum=st.sampled_from([0.1, 0.5, 1.0]), steps=st.integers(1, 3),
       data=st.data())
def test_training_steps_then_evaluation_match_f_batch_norm(case, momentum, steps, data):
    layer = pn.BatchNorm(case.channels, momentum=momentum, input_shape=case.shape)
    layer.gamma.value = data.draw(matrices(1, case.channels))
    layer.beta.value = data.draw(matrices(1, case.channels))
    running = (torch.zeros(case.channels, dtype=torch.float64),
               torch.ones(case.channels, dtype=torch.float64))
    rows, width = len(case.x), len(case.x[0])
    for _ in range(steps):
        x = data.draw(matrices(rows, width, MODEST))
        assert one_pass(layer, x, case.shape, running, data.draw(matrices(rows, width))) == []
    layer.training = False
    x = data.draw(matrices(rows, width, MODEST))
    assert one_pass(layer, x, case.shape, running, data.draw(matrices(rows, width))) == []


@pytest.mark.parametrize("shape", [(3,), (2, 2, 3)], ids=["BatchNorm1d", "BatchNorm2d"])
def test_momentum_none_matches_the_cumulative_average_of_torch_modules(shape):
    module_class = torch.nn.BatchNorm1d if len(shape) == 1 else torch.nn.BatchNorm2d
    module = module_class(shape[0], momentum=None, dtype=torch.float64)
    layer = pn.BatchNorm(shape[0], momentum=None, input_shape=shape)
    rng = random.Random(4)
    width = layer.n_in
    for _ in range(4):
        x = [[rng.uniform(-2.0, 3.0) for _ in range(width)] for _ in range(3)]
        assert mismatches(layer.forward(x), as_rows(module(as_tensor(x, shape))), "Y") == []
    assert mismatches(layer.running_mean.value, [module.running_mean.tolist()], "mean") == []
    assert mismatches(layer.running_var.value, [module.running_var.tolist()], "var") == []
    assert layer.num_batches_tracked.value == [[float(module.num_batches_tracked.item())]]


def test_negative_control_the_missing_mean_of_gradient_term_disagrees_with_torch():
    shape = (2, 2, 2)
    rng = random.Random(5)
    x = [[rng.uniform(-1.0, 1.0) for _ in range(8)] for _ in range(3)]
    upstream = [[rng.uniform(-1.0, 1.0) for _ in range(8)] for _ in range(3)]
    for layer_class, agrees in [(pn.BatchNorm, True), (BatchNormWithoutMeanOfGradient, False)]:
        layer = layer_class(2, input_shape=shape)
        running = (torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64))
        found = one_pass(layer, x, shape, running, upstream)
        assert (found == []) is agrees, found
        assert all(message.startswith("dX") for message in found)


# -- whole networks, several SGD steps ------------------------------------------------------------


def exact(values):
    return torch.tensor(values, dtype=torch.float64)


def dense_pair(seed):
    network = pn.Network([pn.Dense(3, 5), pn.BatchNorm(5, "relu"), pn.Dense(5, 2)],
                         loss="mse", seed=seed)
    first, second = torch.nn.Linear(3, 5), torch.nn.Linear(5, 2)
    model = torch.nn.Sequential(first, torch.nn.BatchNorm1d(5), torch.nn.ReLU(), second)
    model = model.double()
    with torch.no_grad():
        for linear, dense in [(first, network.layers[0]), (second, network.layers[2])]:
            linear.weight.copy_(exact(dense.weights.value).T)
            linear.bias.copy_(exact(dense.bias.value[0]))
    return network, model, (3,), functional.mse_loss


def conv_pair(seed):
    network = pn.Network(
        [pn.Conv2D(1, 2, 3, padding=1, input_shape=(1, 4, 4)), pn.BatchNorm(2, "relu"),
         pn.MaxPool2D(2), pn.Flatten(), pn.Dense(8, 3)], loss="cross_entropy", seed=seed)
    conv, linear = torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.Linear(8, 3)
    model = torch.nn.Sequential(conv, torch.nn.BatchNorm2d(2), torch.nn.ReLU(),
                                torch.nn.MaxPool2d(2), torch.nn.Flatten(), linear).double()
    with torch.no_grad():
        conv.weight.copy_(exact(network.layers[0].weights.value).reshape(2, 1, 3, 3))
        conv.bias.copy_(exact(network.layers[0].bias.value[0]))
        linear.weight.copy_(exact(network.layers[4].weights.value).T)
        linear.bias.copy_(exact(network.layers[4].bias.value[0]))
    return network, model, (1, 4, 4), functional.cross_entropy


def torch_state(model):
    """Every parameter and buffer of the torch model in purenn's orientation, in purenn's order
    (weights, bias per layer; γ, β, then running mean, running var per BatchNorm)."""
    values = []
    for module in model:
        if isinstance(module, torch.nn.Linear):
            values += [module.weight.detach().T.tolist(), [module.bias.detach().tolist()]]
        elif isinstance(module, torch.nn.Conv2d):
            values += [module.weight.detach().reshape(module.out_channels, -1).tolist(),
                       [module.bias.detach().tolist()]]
        elif isinstance(module, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            values += [[module.weight.detach().tolist()], [module.bias.detach().tolist()],
                       [module.running_mean.tolist()], [module.running_var.tolist()]]
    return values


def purenn_state(network):
    values = []
    for layer in network.layers:
        values += [p.value for _, p in layer.named_parameters()]
        values += [b.value for name, b in layer.named_buffers() if name != "num_batches_tracked"]
    return values


@pytest.mark.parametrize("pair", [dense_pair, conv_pair], ids=["dense", "conv"])
def test_several_sgd_steps_match_torch_parameters_running_statistics_and_predictions(pair):
    network, model, shape, loss = pair(seed=7)
    rng = random.Random(8)
    x = [[rng.uniform(-1.0, 1.0) for _ in range(network.n_in)] for _ in range(6)]
    if loss is functional.cross_entropy:
        labels = [rng.randrange(3) for _ in x]
        y, target = labels, torch.tensor(labels)
    else:
        y = [[rng.uniform(-1.0, 1.0) for _ in range(2)] for _ in x]
        target = exact(y)
    network.fit(x, y, epochs=4, batch_size=3, shuffle=False, learning_rate=0.1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    for _ in range(4):
        for start in (0, 3):
            optimizer.zero_grad()
            loss(model(as_tensor(x[start:start + 3], shape)), target[start:start + 3]).backward()
            optimizer.step()
    for index, (ours, theirs) in enumerate(zip(purenn_state(network), torch_state(model))):
        assert mismatches(ours, theirs, f"state[{index}]") == []
    model.eval()
    assert mismatches(network.predict(x), as_rows(model(as_tensor(x, shape))), "predict") == []
    assert network.layers[1].num_batches_tracked.value == [[8.0]]
