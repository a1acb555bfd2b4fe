"""Gradient checks of the image layers: Conv2D, MaxPool2D, AvgPool2D and their stacks, by central
differences and the complex step, on hypothesis-drawn geometries; and negative controls (an
off-by-one scatter-add, a wrong stride in the backward pass, a max pool that hides its ties)
that the same checks must catch.

Every tested layer sits above a 1×1 convolution (the "stem"), so that the input gradient it
returns (col2im, the pooling scatter) reaches a parameter the checker can see."""

import random

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from image_strategies import conv_cases, pool_cases
from strategies import matrices

import purenn as pn
from purenn.layers.im2col import Windows, convolution_table, output_size

METHODS = ["complex", "central"]
ACTIVATIONS = ["identity", "tanh", "relu"]
# Each example is a full check of every parameter entry; a few dozen per test keep the whole
# file to a few seconds while hypothesis still covers strides, paddings and odd shapes.
EXAMPLES = 20
COARSE_REL_ERR = 1e-2  # only a plainly wrong gradient breaks this


def stem(shape):
    """A 1×1 convolution C → C taking the images: the parameter below the layer under test."""
    return pn.Conv2D(shape[0], shape[0], 1, activation="tanh", input_shape=shape)


def with_drawn_values(layers, x, data, loss="sse"):
    """(network, X, Y): the layers with every parameter drawn from MODEST, and sse targets."""
    network = pn.Network(layers, loss=loss, seed=0)
    for parameter in network.parameters():
        parameter.value = data.draw(matrices(*parameter.shape))
    return network, x, data.draw(matrices(len(x), network.n_out))


def assert_passes(result):
    assert result.max_rel_err <= COARSE_REL_ERR, f"gradient plainly wrong:\n{result}"
    assert result.ok, str(result)


@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=examples(EXAMPLES))
@given(case=conv_cases(), activation=st.sampled_from(ACTIVATIONS), bias=st.booleans(),
       data=st.data())
def test_conv2d(method, case, activation, bias, data):
    layers = [stem(case.shape), pn.Conv2D(**case.kwargs, activation=activation, bias=bias)]
    network, x, y = with_drawn_values(layers, case.x, data)
    assert_passes(pn.gradcheck(network, x, y, method))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("pool", [pn.MaxPool2D, pn.AvgPool2D])
@settings(max_examples=examples(EXAMPLES))
@given(case=st.booleans().flatmap(lambda tied: pool_cases(tied=tied)), data=st.data())
def test_pooling_with_and_without_ties(method, pool, case, data):
    layers = [stem(case.shape), pool(case.pool_size, case.stride)]
    network, x, y = with_drawn_values(layers, case.x, data)
    assert_passes(pn.gradcheck(network, x, y, method))


@st.composite
def stacks(draw):
    """Conv → Pool → Conv → Flatten → Dense with every size drawn so that each layer fits."""
    shape = (draw(st.integers(1, 2)), draw(st.integers(3, 6)), draw(st.integers(3, 6)))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride, padding = (draw(st.integers(1, 2)),) * 2, (draw(st.integers(0, 1)),) * 2
    rows, columns = output_size(shape[1], shape[2], kernel, stride, padding)
    pool = (draw(st.integers(1, min(2, rows))), draw(st.integers(1, min(2, columns))))
    rows, columns = rows // pool[0], columns // pool[1]
    second = (draw(st.integers(1, min(2, rows))), draw(st.integers(1, min(2, columns))))
    filters = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    pooling = draw(st.sampled_from([pn.MaxPool2D, pn.AvgPool2D]))
    layers = [
        pn.Conv2D(shape[0], filters[0], kernel, stride, padding, "relu", input_shape=shape),
        pooling(pool),
        pn.Conv2D(filters[0], filters[1], second, activation="tanh"),
        pn.Flatten(),
    ]
    width = filters[1] * (rows - second[0] + 1) * (columns - second[1] + 1)
    layers.append(pn.Dense(width, draw(st.integers(1, 2))))
    batch = draw(st.integers(1, 2))
    x = draw(matrices(batch, shape[0] * shape[1] * shape[2]))
    return layers, x


@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=examples(EXAMPLES))
@given(stack=stacks(), data=st.data())
def test_conv_pool_conv_flatten_dense_stacks(method, stack, data):
    layers, x = stack
    network, x, y = with_drawn_values(layers, x, data)
    assert_passes(pn.gradcheck(network, x, y, method))


# -- ties of max pooling ------------------------------------------------------------------------


def all_tied_network(pooling=pn.MaxPool2D):
    """Zero convolution weights make every output equal to its filter's bias, so every pooling
    window is a tie, won by its first cell; a step of a weight breaks the tie (the winner
    becomes the cell with the largest input), a step of a bias moves the window as a whole."""
    network = pn.Network(
        [pn.Conv2D(1, 2, 2, input_shape=(1, 5, 5)), pooling(2), pn.Flatten(), pn.Dense(8, 1)],
        loss="sse", seed=3,
    )
    network.layers[0].weights.value = [[0.0] * 4, [0.0] * 4]
    network.layers[0].bias.value = [[0.3, -0.2]]
    rng = random.Random(5)
    x = [[rng.uniform(-1.0, 1.0) for _ in range(25)] for _ in range(2)]
    return network, x, [[0.5], [-1.0]]


def test_a_step_that_breaks_a_tie_is_skipped_and_the_rest_is_checked():
    network, x, y = all_tied_network()
    central = pn.gradcheck(network, x, y, "central")
    assert central.ok, str(central)
    skipped = {row.name: row.n_skipped for row in central.parameters}
    assert skipped == {"layers[0].weights": 8, "layers[0].bias": 0,
                       "layers[3].weights": 0, "layers[3].bias": 0}, str(central)
    # The complex step moves values only in the imaginary direction: no tie is broken, and the
    # tie rule (the first cell takes the gradient) is checked against the forward pass itself.
    complex_step = pn.gradcheck(network, x, y, "complex")
    assert complex_step.ok and complex_step.n_skipped == 0, str(complex_step)


class MaxPoolHidingItsTies(pn.MaxPool2D):
    """A negative control: a max pool that does not report its winners."""

    def branch_signature(self):
        return ()


def test_negative_control_unreported_ties_make_central_differences_fail():
    network, x, y = all_tied_network(MaxPoolHidingItsTies)
    assert not pn.gradcheck(network, x, y, "central").ok


# -- negative controls of the backward pass ------------------------------------------------------


def scatter_add(shift):
    """col2im as a loop of scattered additions, each landing ``shift`` pixels to the right of
    where it belongs: shift 0 is a correct (independent) col2im, shift 1 the off-by-one bug."""

    def col2im(self, columns):
        grad = [0.0] * (self.size + 1 + shift)
        for cells, row in zip(self.table, columns):
            for index, value in zip(cells, row):
                if index < self.size:
                    grad[index + shift] += value
        return grad[: self.size]

    return col2im


def conv_stack(stride):
    network = pn.Network(
        [stem((2, 5, 5)), pn.Conv2D(2, 2, 3, stride=stride, padding=1, activation="tanh")],
        loss="sse", seed=1,
    )
    rng = random.Random(2)
    x = [[rng.uniform(-1.0, 1.0) for _ in range(50)] for _ in range(2)]
    y = [[rng.uniform(-1.0, 1.0) for _ in range(network.n_out)] for _ in range(2)]
    return network, x, y


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("shift", "caught"), [(0, False), (1, True)])
def test_negative_control_an_off_by_one_scatter_add_is_caught(monkeypatch, method, shift, caught):
    monkeypatch.setattr(Windows, "col2im", scatter_add(shift))
    result = pn.gradcheck(*conv_stack(2), method)
    assert result.ok is not caught, str(result)


def backward_windows(layer, stride):
    """Windows for col2im computed with ``stride`` on the layer's real output grid: with a
    stride other than the layer's, the backward pass scatters onto the wrong pixels."""
    channels, height, width = layer.input_shape
    _, rows, columns = layer.output_shape
    wide = output_size(height, width, layer.kernel_size, stride, layer.padding)[1]
    table = convolution_table(layer.input_shape, layer.kernel_size, stride, layer.padding)
    grid = [table[oi * wide + oj] for oi in range(rows) for oj in range(columns)]
    return Windows(grid, channels * height * width)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("backward_stride", "caught"), [((2, 2), False), ((1, 1), True)])
def test_negative_control_a_wrong_stride_in_the_backward_pass_is_caught(
    method, backward_stride, caught
):
    network, x, y = conv_stack(2)
    layer = network.layers[1]
    layer.windows.col2im = backward_windows(layer, backward_stride).col2im
    result = pn.gradcheck(network, x, y, method)
    assert result.ok is not caught, str(result)
