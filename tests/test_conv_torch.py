"""The image layers against PyTorch in float64 (skipped without torch): conv2d, max_pool2d and
avg_pool2d, their outputs and the gradients of weights, bias and input, on hypothesis-drawn
geometries (stride, padding, channels, non-square images and kernels, windows that do not tile,
ties).  PyTorch's weight (F, C, kh, kw) is purenn's F × C·kh·kw matrix reshaped; its images
(N, C, H, W) are purenn's rows reshaped, since both are channel-major then row-major."""

import random

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from image_strategies import PoolCase, conv_cases, pool_cases
from oracles import require
from torch_helpers import as_rows, as_tensor, mismatches

import purenn as pn

torch = require("torch")
functional = torch.nn.functional

EXAMPLES = 40


def upstream(rows, columns, seed):
    """A random ∂L/∂Y to send back through both layers (L = Σ ∂L/∂Y ⊙ Y)."""
    rng = random.Random(seed)
    return [[rng.uniform(-1.0, 1.0) for _ in range(columns)] for _ in range(rows)]


def conv_mismatches(layer, x, seed=0):
    """Everything that differs between purenn's Conv2D and torch's conv2d on batch x."""
    weights = torch.tensor(layer.weights.value, dtype=torch.float64)
    weights = weights.reshape(layer.out_channels, layer.in_channels, *layer.kernel_size)
    weights.requires_grad_()
    bias = torch.tensor(layer.bias.value[0], dtype=torch.float64, requires_grad=True)
    images = as_tensor(x, layer.input_shape, grad=True)
    output = functional.conv2d(images, weights, bias, stride=layer.stride, padding=layer.padding)
    ours = layer.forward(x)
    grad = upstream(len(x), layer.n_out, seed)
    (output * torch.tensor(grad, dtype=torch.float64).reshape(output.shape)).sum().backward()
    grad_x = layer.backward(grad)
    return (
        mismatches(ours, as_rows(output), "Y")
        + mismatches(grad_x, as_rows(images.grad), "dX")
        + mismatches(layer.weights.grad, weights.grad.reshape(layer.out_channels, -1).tolist(),
                     "dW")
        + mismatches(layer.bias.grad, [bias.grad.tolist()], "db")
    )


def drawn_conv(case, seed):
    layer = pn.Conv2D(**case.kwargs, input_shape=case.shape)
    rng = random.Random(seed)
    layer.weights.value = [[rng.uniform(-1.0, 1.0) for _ in row] for row in layer.weights.value]
    layer.bias.value = [[rng.uniform(-1.0, 1.0) for _ in layer.bias.value[0]]]
    return layer


@settings(max_examples=examples(EXAMPLES))
@given(case=conv_cases(max_side=6), seed=st.integers(0, 10**6))
def test_conv2d_matches_torch(case, seed):
    assert conv_mismatches(drawn_conv(case, seed), case.x, seed) == []


def test_negative_control_a_flipped_kernel_disagrees_with_torch():
    layer = pn.Conv2D(2, 3, (2, 3), stride=(2, 1), padding=1, input_shape=(2, 4, 5))
    rng = random.Random(7)
    layer.weights.value = [[rng.uniform(-1.0, 1.0) for _ in range(12)] for _ in range(3)]
    x = [[rng.uniform(-1.0, 1.0) for _ in range(40)] for _ in range(2)]
    assert conv_mismatches(layer, x) == []
    weights = torch.tensor(layer.weights.value, dtype=torch.float64).reshape(3, 2, 2, 3)
    reference = as_rows(functional.conv2d(as_tensor(x, (2, 4, 5)), weights, stride=(2, 1),
                                          padding=1))
    # A layer that convolved in the textbook sense would turn every kernel by 180°:
    layer.weights.value = torch.flip(weights, (2, 3)).reshape(3, -1).tolist()
    assert mismatches(layer.forward(x), reference, "Y") != []


POOLS = {
    "max": (pn.MaxPool2D, functional.max_pool2d),
    "avg": (pn.AvgPool2D, functional.avg_pool2d),
}


def pool_mismatches(kind, case, seed=0):
    ours_class, theirs = POOLS[kind]
    layer = ours_class(case.pool_size, case.stride, input_shape=case.shape)
    images = as_tensor(case.x, case.shape, grad=True)
    output = theirs(images, case.pool_size, case.stride)
    ours = layer.forward(case.x)
    grad = upstream(len(case.x), layer.n_out, seed)
    (output * torch.tensor(grad, dtype=torch.float64).reshape(output.shape)).sum().backward()
    assert layer.output_shape == tuple(output.shape[1:])
    return (mismatches(ours, as_rows(output), "Y")
            + mismatches(layer.backward(grad), as_rows(images.grad), "dX"))


@pytest.mark.parametrize("kind", sorted(POOLS))
@settings(max_examples=examples(EXAMPLES))
@given(case=st.booleans().flatmap(lambda tied: pool_cases(tied=tied)), seed=st.integers(0, 99))
def test_pooling_matches_torch_including_ties_and_windows_that_do_not_tile(kind, case, seed):
    assert pool_mismatches(kind, case, seed) == []


def test_max_pool_breaks_a_tie_as_torch_does():
    case = PoolCase((2, 2), (1, 1), (1, 3, 3), [[1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0]])
    assert pool_mismatches("max", case) == []
