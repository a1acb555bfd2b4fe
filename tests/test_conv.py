"""The image layers without gradients: shapes, the forward pass against the formula written out
as loops, im2col against col2im, pooling windows that do not tile, errors, summary, config,
training, and the digits and bars data."""

import collections
import gzip
import random

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from image_strategies import conv_cases, pool_cases

import purenn as pn
from purenn.layers.im2col import Windows, convolution_table, output_size

# Both sides add the same products in another order: a few ulps of difference.
REFERENCE_TOL = 1e-12


def correlate(image, weights, bias, shape, kernel, stride, padding):
    """The textbook cross-correlation, one output at a time, straight from the formula
    Z[f, oi, oj] = b_f + Σ_c Σ_ki Σ_kj W[f, c, ki, kj] · X[c, oi·sh + ki − ph, oj·sw + kj − pw]."""
    channels, height, width = shape
    rows, columns = output_size(height, width, kernel, stride, padding)
    result = []
    for f, weight_row in enumerate(weights):
        for oi in range(rows):
            for oj in range(columns):
                total = bias[f]
                for c in range(channels):
                    for ki in range(kernel[0]):
                        for kj in range(kernel[1]):
                            i = oi * stride[0] + ki - padding[0]
                            j = oj * stride[1] + kj - padding[1]
                            if 0 <= i < height and 0 <= j < width:
                                w = weight_row[(c * kernel[0] + ki) * kernel[1] + kj]
                                total += w * image[(c * height + i) * width + j]
                result.append(total)
    return result


def built_conv(case, seed=0):
    layer = pn.Conv2D(**case.kwargs, input_shape=case.shape)
    rng = random.Random(seed)
    layer.weights.value = [[rng.uniform(-1, 1) for _ in row] for row in layer.weights.value]
    layer.bias.value = [[rng.uniform(-1, 1) for _ in layer.bias.value[0]]]
    return layer


def reference_outputs(layer, x):
    return [correlate(image, layer.weights.value, layer.bias.value[0], layer.input_shape,
                      layer.kernel_size, layer.stride, layer.padding) for image in x]


def close(a, b):
    return all(abs(u - v) <= REFERENCE_TOL * max(1.0, abs(v))
               for row_a, row_b in zip(a, b) for u, v in zip(row_a, row_b))


@settings(max_examples=examples(50))
@given(case=conv_cases())
def test_conv2d_computes_the_cross_correlation_of_the_formula(case):
    layer = built_conv(case)
    output = layer.forward(case.x)
    assert len(output[0]) == layer.n_out == len(reference_outputs(layer, case.x)[0])
    assert close(output, reference_outputs(layer, case.x))


def flipped(weights, channels, kernel):
    """Each filter turned by 180° in every channel: what a true (flipped) convolution uses."""
    kh, kw = kernel
    return [[row[(c * kh + kh - 1 - ki) * kw + kw - 1 - kj]
             for c in range(channels) for ki in range(kh) for kj in range(kw)]
            for row in weights]


def test_negative_control_a_flipped_kernel_is_caught_by_the_formula():
    # A layer that convolved (flipped its kernel) would compute this; the formula catches it.
    layer = pn.Conv2D(2, 2, (2, 3), stride=(1, 2), padding=1, input_shape=(2, 4, 5))
    rng = random.Random(4)
    layer.weights.value = [[rng.uniform(-1, 1) for _ in range(12)] for _ in range(2)]
    x = [[rng.uniform(-1, 1) for _ in range(40)]]
    expected = reference_outputs(layer, x)
    assert close(layer.forward(x), expected)
    layer.weights.value = flipped(layer.weights.value, 2, (2, 3))
    assert not close(layer.forward(x), expected)


def test_a_hand_computed_correlation():
    layer = pn.Conv2D(1, 1, 2, input_shape=(1, 3, 3))
    layer.weights.value = [[1.0, 2.0, 3.0, 4.0]]  # W = [[1, 2], [3, 4]], not symmetric
    image = [[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]]
    # top left: 1·1 + 2·2 + 3·4 + 4·5 = 37; a convolution would give 4·1 + 3·2 + 2·4 + 1·5 = 23
    assert layer.forward(image) == [[37.0, 47.0, 67.0, 77.0]]


@settings(max_examples=examples(50))
@given(case=conv_cases(), seed=st.integers(0, 1000))
def test_col2im_is_the_transpose_of_im2col(case, seed):
    # ⟨im2col(x), G⟩ = ⟨x, col2im(G)⟩ for every G: the defining property of the backward pass.
    table = convolution_table(case.shape, case.kwargs["kernel_size"], case.kwargs["stride"],
                              case.kwargs["padding"])
    windows = Windows(table, len(case.x[0]))
    rng = random.Random(seed)
    g = [[rng.uniform(-1, 1) for _ in row] for row in table]
    columns = windows.im2col(case.x[0])
    left = sum(a * b for row, g_row in zip(columns, g) for a, b in zip(row, g_row))
    right = sum(a * b for a, b in zip(case.x[0], windows.col2im(g)))
    assert abs(left - right) <= 1e-12 * max(1.0, abs(left))


def test_stride_padding_and_non_square_shapes():
    # (⌊(5 + 2 − 2)/2⌋ + 1, ⌊(6 − 3)/1⌋ + 1) = (3, 4)
    assert pn.Conv2D(3, 4, (2, 3), stride=(2, 1), padding=(1, 0)).build((3, 5, 6)) == (4, 3, 4)
    assert pn.Conv2D(1, 2, 5, padding=2).build((1, 8, 8)) == (2, 8, 8)
    assert pn.MaxPool2D((2, 3)).build((2, 6, 6)) == (2, 3, 2)
    assert pn.AvgPool2D(3, stride=1).build((1, 4, 5)) == (1, 2, 3)


def naive_pool(image, shape, pool, stride, reduce):
    channels, height, width = shape
    rows, columns = output_size(height, width, pool, stride, (0, 0))
    return [reduce([image[(c * height + oi * stride[0] + ki) * width + oj * stride[1] + kj]
                    for ki in range(pool[0]) for kj in range(pool[1])])
            for c in range(channels) for oi in range(rows) for oj in range(columns)]


@settings(max_examples=examples(50))
@given(case=pool_cases(tied=True))
def test_pooling_computes_max_and_mean_of_each_window(case):
    for layer, reduce in ((pn.MaxPool2D, max), (pn.AvgPool2D, lambda v: sum(v) / len(v))):
        output = layer(case.pool_size, case.stride, input_shape=case.shape).forward(case.x)
        expected = [naive_pool(image, case.shape, case.pool_size, case.stride, reduce)
                    for image in case.x]
        assert close(output, expected)


def test_windows_that_do_not_tile_leave_out_the_last_rows_and_columns():
    # 5 × 5 pooled by 2: PyTorch's floor gives 2 × 2; row 4 and column 4 reach no window.
    image = [[float(k) for k in range(25)]]
    for pool in (pn.MaxPool2D(2, input_shape=(1, 5, 5)), pn.AvgPool2D(2, input_shape=(1, 5, 5))):
        assert pool.output_shape == (1, 2, 2)
        pool.forward(image)
        grad = pool.backward([[1.0, 1.0, 1.0, 1.0]])[0]
        left_out = [grad[4 * 5 + j] for j in range(5)] + [grad[i * 5 + 4] for i in range(5)]
        assert left_out == [0.0] * 10
        assert sum(grad) == 4.0
    assert pn.MaxPool2D(2, input_shape=(1, 5, 5)).forward(image) == [[6.0, 8.0, 16.0, 18.0]]


def test_max_pool_ties_go_to_the_first_cell_and_overlapping_winners_add_up():
    pool = pn.MaxPool2D(2, stride=1, input_shape=(1, 2, 3))
    assert pool.forward([[1.0, 1.0, 0.0, 1.0, 1.0, 0.0]]) == [[1.0, 1.0]]
    assert pool.cache == [[0, 1]]  # each window's first 1.0 in row-major order wins
    assert pool.backward([[2.0, 3.0]]) == [[2.0, 3.0, 0.0, 0.0, 0.0, 0.0]]
    pool.forward([[0.0, 5.0, 0.0, 0.0, 0.0, 0.0]])
    assert pool.backward([[2.0, 3.0]]) == [[0.0, 5.0, 0.0, 0.0, 0.0, 0.0]]  # 5 wins both


def test_max_pool_compares_real_parts_so_the_complex_step_passes_through():
    pool = pn.MaxPool2D(2, input_shape=(1, 2, 2))
    assert pool.forward([[1.0, complex(2.0, 1e-30), 0.5, complex(2.0, 5.0)]]) == [
        [complex(2.0, 1e-30)]
    ]


# -- shapes through a network ------------------------------------------------------------------


def cnn(**first):
    return [pn.Conv2D(1, 4, 3, padding=1, activation="relu", **first), pn.MaxPool2D(2),
            pn.Flatten(), pn.Dense(64, 3)]


def test_the_network_learns_every_shape_from_the_first_layer():
    network = pn.Network(cnn(input_shape=(1, 8, 8)), loss="cross_entropy", seed=0)
    assert network.input_shape == (1, 8, 8) and network.n_in == 64
    assert [layer.output_shape for layer in network.layers] == [(4, 8, 8), (4, 4, 4), (64,), (3,)]
    assert network.output_shape == (3,) and network.n_out == 3
    prediction = network.predict([[0.5] * 64, [0.0] * 64])
    assert isinstance(prediction[0], list) and len(prediction) == 2 and len(prediction[0]) == 3


def test_summary_lists_each_layer_with_its_output_shape_and_parameters():
    network = pn.Network(cnn(input_shape=(1, 8, 8)), loss="cross_entropy", seed=0)
    assert network.summary() == "\n".join([
        "layer                                                                           "
        "output shape  parameters",
        "-" * 104,
        "input                                                                           "
        "       1×8×8           0",
        "layers[0] Conv2D(1, 4, 3, padding=1, activation='relu', input_shape=(1, 8, 8))  "
        "       4×8×8          40",
        "layers[1] MaxPool2D(2)                                                          "
        "       4×4×4           0",
        "layers[2] Flatten()                                                             "
        "          64           0",
        "layers[3] Dense(64, 3, activation='identity')                                   "
        "           3         195",
        "-" * 104,
        "total                                                                           "
        "                     235",
    ])


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        (cnn(), r"layers\[0\] Conv2D\(1, 4, 3, .*\) does not know the shape of its input: give "
                r"the first layer input_shape=\(C, H, W\)"),
        ([pn.Conv2D(1, 4, 3, input_shape=(1, 8, 8)), pn.Dense(144, 3)],
         r"layers\[0\] gives output shape 4×6×6 but layers\[1\] Dense\(144, 3, .*\) takes 144 "
         r"inputs, not 4×6×6 \(a flat vector: put Flatten\(\) before it\); layers\[0\] is "
         r"Conv2D\(1, 4, 3, activation='identity', input_shape=\(1, 8, 8\)\)"),
        ([pn.Conv2D(1, 4, 3, input_shape=(1, 8, 8)), pn.Conv2D(3, 2, 3)],
         r"layers\[0\] gives output shape 4×6×6 but layers\[1\] Conv2D\(3, 2, 3, .*\) "
         r"takes 3 channels, not the 4 of an input 4×6×6; layers\[0\] is Conv2D"),
        ([pn.Conv2D(1, 4, 3, input_shape=(1, 8, 8)), pn.MaxPool2D(7)],
         r"layers\[1\] MaxPool2D\(7\): its window 7×7 is larger than the image 4×6×6"),
        ([pn.Conv2D(1, 4, 3, input_shape=(1, 8, 8)), pn.Flatten(), pn.Conv2D(4, 1, 1)],
         r"layers\[1\] gives 144 outputs but layers\[2\] Conv2D\(4, 1, 1, .*\) "
         r"takes images C×H×W, not 144; layers\[1\] is Flatten\(\)"),
        ([pn.Flatten(input_shape=(2, 3, 3)), pn.Flatten(input_shape=(3, 3, 2))],
         r"layers\[1\] Flatten\(input_shape=\(3, 3, 2\)\) was made for input shape 3×3×2, "
         r"not 18"),
        ([pn.Dense(2, 3), pn.Dense(4, 1)],
         r"layers\[0\] gives 3 outputs but layers\[1\] Dense\(4, 1, .*\) takes 4 inputs, "
         r"not 3; layers\[0\] is Dense\(2, 3, activation='identity'\)$"),
    ],
)
def test_a_mismatch_is_refused_when_the_network_is_built_naming_both_layers(layers, message):
    with pytest.raises(pn.ConfigurationError, match=message):
        pn.Network(layers)


def test_a_kernel_larger_than_the_padded_image_is_refused_with_the_shapes():
    with pytest.raises(pn.ShapeError, match=r"Conv2D\(1, 4, 5, padding=1, .*\): its window 5×5 "
                                            r"is larger than the image 1×2×4 padded to 4×6"):
        pn.Conv2D(1, 4, 5, padding=1, input_shape=(1, 2, 4))
    with pytest.raises(pn.ShapeError, match="takes 2 channels, not the 1 of an input 1×8×8"):
        pn.Conv2D(2, 4, 3, input_shape=(1, 8, 8))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: pn.Conv2D(1, 4, 3, stride=0), r"Conv2D: stride must be an int ≥ 1 or a pair"),
        (lambda: pn.Conv2D(1, 4, (3, 0)), r"Conv2D: kernel_size must be an int ≥ 1 or a pair"),
        (lambda: pn.Conv2D(1, 4, (3, 3, 3)), r"kernel_size must be .* got \(3, 3, 3\)"),
        (lambda: pn.Conv2D(1, 4, 3, padding=-1), r"Conv2D: padding must be an int ≥ 0"),
        (lambda: pn.Conv2D(0, 4, 3), r"Conv2D: in_channels must be an int ≥ 1, got 0"),
        (lambda: pn.Conv2D(1, 4, 3, activation="nope"), r"unknown activation 'nope'"),
        (lambda: pn.Conv2D(1, 4, 3, input_shape=(1, 0, 8)), r"Conv2D: input_shape must be"),
        (lambda: pn.MaxPool2D(2, stride=(1, True)), r"MaxPool2D: stride must be an int ≥ 1"),
        (lambda: pn.AvgPool2D(0), r"AvgPool2D: pool_size must be an int ≥ 1"),
        (lambda: pn.Flatten(input_shape=8), r"Flatten: input_shape must be a tuple of ints"),
    ],
)
def test_bad_arguments_are_configuration_errors_naming_the_layer(build, message):
    with pytest.raises(pn.ConfigurationError, match=message):
        build()


def test_an_image_row_of_the_wrong_length_names_the_first_layer_and_its_shape():
    network = pn.Network(cnn(input_shape=(1, 8, 8)), loss="cross_entropy", seed=0)
    with pytest.raises(pn.ShapeError, match=r"predict: X is 2×63 but the network takes 64 "
                                            r"inputs per row \(samples of shape 1×8×8 for "
                                            r"layers\[0\] Conv2D\(1, 4, 3, "):
        network.predict([[0.0] * 63] * 2)


@pytest.mark.parametrize("layer", [pn.Conv2D(1, 1, 1, input_shape=(1, 2, 2)),
                                   pn.MaxPool2D(1, input_shape=(1, 2, 2))])
def test_backward_before_forward_is_a_state_error(layer):
    with pytest.raises(pn.StateError, match="before forward"):
        layer.backward([[1.0] * 4])


@pytest.mark.parametrize("layer, grad, expected", [
    (pn.AvgPool2D(2, input_shape=(1, 2, 2)), [[4.0]], [[1.0, 1.0, 1.0, 1.0]]),
    (pn.Flatten(input_shape=(1, 2, 2)), [[1.0, 2.0, 3.0, 4.0]], [[1.0, 2.0, 3.0, 4.0]]),
])
def test_a_fixed_linear_backward_needs_no_forward_pass(layer, grad, expected):
    # Their backward is the transpose of a fixed linear map: nothing cached, nothing to miss.
    assert layer.backward(grad) == expected
    assert layer.backward(grad, need_input_grad=False) is None


@pytest.mark.parametrize("layer", [pn.Conv2D(1, 1, 1), pn.MaxPool2D(1), pn.AvgPool2D(1)])
def test_forward_before_the_input_shape_is_known_is_a_state_error(layer):
    with pytest.raises(pn.StateError, match=r"not built, so its input shape is unknown"):
        layer.forward([[1.0]])


def test_layers_report_no_branches_before_a_forward_pass():
    for layer in (pn.Conv2D(1, 1, 1, activation="relu", input_shape=(1, 2, 2)),
                  pn.MaxPool2D(1, input_shape=(1, 2, 2)), pn.Dense(2, 2, "relu")):
        assert layer.branch_signature() == ()


def test_a_pooling_layer_can_come_first_and_passes_no_gradient_below_itself():
    network = pn.Network([pn.AvgPool2D(2, input_shape=(1, 4, 4)), pn.MaxPool2D(2),
                          pn.Flatten(), pn.Dense(1, 1)], seed=0)
    loss, grads = network.gradients([[float(k) for k in range(16)]], [[1.0]])
    assert [len(g) for g in grads] == [1, 1] and loss >= 0.0
    assert network.layers[0].backward([[1.0, 1.0, 1.0, 1.0]], need_input_grad=False) is None
    assert network.layers[1].backward([[1.0]], need_input_grad=False) is None


class DeclaresTooLittle(pn.Layer):
    """A custom layer that declares an input shape its own build refuses."""

    n_in, n_out = 4, 1

    def declared_input_shape(self):
        return (2, 2)


def test_a_first_layer_refusing_its_own_declared_shape_is_a_configuration_error():
    with pytest.raises(pn.ConfigurationError, match=r"Network: layers\[0\] <.*> takes 4 inputs, "
                                                    r"not 2×2 \(a flat vector"):
        pn.Network([DeclaresTooLittle()])


@pytest.mark.parametrize("layer", [
    pn.Conv2D(2, 3, (1, 2), stride=2, padding=(0, 1), activation="relu", bias=False,
              init="he_normal", input_shape=(2, 4, 4)),
    pn.Conv2D(1, 1, 3),
    pn.MaxPool2D((2, 1), stride=1, input_shape=(1, 3, 3)),
    pn.AvgPool2D(2),
    pn.Flatten(),
    pn.Flatten(input_shape=(3, 2, 2)),
])
def test_config_rebuilds_the_layer(layer):
    rebuilt = type(layer)(**layer.config())
    assert rebuilt.config() == layer.config()
    assert repr(rebuilt) == repr(layer)
    assert rebuilt.declared_input_shape() == layer.declared_input_shape()


def test_reprs_show_what_differs_from_the_defaults():
    assert repr(pn.Conv2D(1, 8, 3)) == "Conv2D(1, 8, 3, activation='identity')"
    assert repr(pn.Conv2D(3, 8, (3, 5), stride=2, padding=(1, 2), activation="relu",
                          bias=False)) == (
        "Conv2D(3, 8, (3, 5), stride=2, padding=(1, 2), activation='relu', bias=False)"
    )
    assert repr(pn.MaxPool2D(2, stride=1)) == "MaxPool2D(2, stride=1)"
    assert repr(pn.Flatten(input_shape=(1, 2, 2))) == "Flatten(input_shape=(1, 2, 2))"


def test_a_seed_draws_the_same_filters_and_he_init_has_the_fan_in_of_a_receptive_field():
    def weights(seed):
        layer = pn.Conv2D(2, 8, 3, init="he_uniform", input_shape=(2, 5, 5))
        return pn.Network([layer], seed=seed).parameters()[0].value

    first = weights(0)
    assert first == weights(0) and first != weights(1)
    assert (len(first), len(first[0])) == (8, 18)
    limit = (6.0 / 18) ** 0.5  # fan-in C·kh·kw = 18
    assert all(-limit <= w < limit for row in first for w in row)


def test_a_small_cnn_learns_horizontal_against_vertical_bars():
    x, labels = pn.datasets.bars(40, size=5, seed=0)
    network = pn.Network(
        [pn.Conv2D(1, 4, 3, activation="relu", init="he_normal", input_shape=(1, 5, 5)),
         pn.MaxPool2D(3), pn.Flatten(), pn.Dense(4, 2)],
        loss="cross_entropy", seed=0,
    )
    network.fit(x, labels, epochs=30, optimizer=pn.Adam(lr=0.05))
    assert network.evaluate(x, labels, metrics=["accuracy"])["accuracy"] == 1.0


# -- data ---------------------------------------------------------------------------------------


def test_digits_is_the_uci_test_set():
    x, labels = pn.datasets.digits()
    assert len(x) == len(labels) == 1797 and {len(row) for row in x} == {64}
    assert collections.Counter(labels) == {0: 178, 1: 182, 2: 177, 3: 183, 4: 181, 5: 182,
                                           6: 181, 7: 179, 8: 174, 9: 180}
    assert {round(16 * v) for row in x for v in row} == set(range(17))
    assert all(16 * v == round(16 * v) for row in x for v in row)  # exactly k/16
    assert pn.datasets.DIGITS_SHAPE == (1, 8, 8)
    assert pn.datasets.digits() == (x, labels)


def test_the_digits_file_names_its_source_and_licence():
    header = gzip.decompress(pn.datasets.DIGITS_FILE.read_bytes()).split(b"\n\n")[0].decode()
    for fact in ("Optical Recognition of Handwritten Digits", "optdigits.tes", "Alpaydin",
                 "CC BY 4.0", "10.24432/C50P49"):
        assert fact in header


def test_bars_draws_lines_of_both_orientations():
    x, labels = pn.datasets.bars(6, size=4, noise=0.0, seed=3)
    assert labels == [0, 1, 0, 1, 0, 1]
    for row, label in zip(x, labels):
        image = [row[i * 4:(i + 1) * 4] for i in range(4)]
        lines = image if label == 0 else [list(column) for column in zip(*image)]
        assert sorted(map(sum, lines)) == [0.0, 0.0, 0.0, 4.0]
    assert pn.datasets.bars(6, seed=1) == pn.datasets.bars(6, seed=1) != pn.datasets.bars(6)
    with pytest.raises(pn.ConfigurationError, match="bars: size must be an int ≥ 2"):
        pn.datasets.bars(size=1)
