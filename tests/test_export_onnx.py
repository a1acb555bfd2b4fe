"""export_onnx: the model's structure (read back by a small protobuf reader here), the erfc series,
and the real consumers: onnx's checker and ONNX Runtime's predictions against net.predict."""

import math
import os
import random

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from persist_helpers import (
    every_activation,
    image_network,
    networks,
    require_numpy,
    require_onnx,
    require_onnxruntime,
)

import purenn as pn
from purenn.activations import ACTIVATIONS, Elementwise, sigmoid, sigmoid_derivative
from purenn.formats.onnx import IR_VERSION, OPSET, onnx_bytes
from purenn.formats.onnxgraph import ERFC_CHEBYSHEV

FLOAT64_TOLERANCE = 1e-12
# float32 carries 24 bits (ε = 6e-8 per rounding); a few layers of sums accumulate ~30 of them.
FLOAT32_TOLERANCE = 2e-6


@pytest.fixture(autouse=True, scope="module")
def _fast_fsync():
    """fsync costs milliseconds and no test here can observe it (test_persist tests it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda descriptor: None)
        yield


# -- a protobuf reader, enough to check the structure without the onnx package -------------------


def read_varint(data, position):
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, position


def fields(data):
    """{field number: [values]} of one message: ints for varints, bytes otherwise."""
    found = {}
    position = 0
    while position < len(data):
        key, position = read_varint(data, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, position = read_varint(data, position)
        else:
            assert wire_type == 2, wire_type
            length, position = read_varint(data, position)
            value, position = data[position: position + length], position + length
        found.setdefault(number, []).append(value)
    return found


def shape_of(value_info):
    """(name, element type, dimensions) of a ValueInfoProto."""
    info = fields(value_info)
    tensor = fields(fields(info[2][0])[1][0])
    dimensions = []
    for dimension in fields(tensor[2][0]).get(1, []):
        parts = fields(dimension)
        dimensions.append(parts[2][0].decode() if 2 in parts else parts[1][0])
    return info[1][0].decode(), tensor[1][0], dimensions


def test_the_model_header_graph_inputs_and_outputs():
    network = pn.Network([pn.Dense(3, 4, "tanh"), pn.Dense(4, 2, bias=False)], seed=0)
    model = fields(onnx_bytes(network))
    assert model[1] == [IR_VERSION] and model[2] == [b"purenn"]
    opset = fields(model[8][0])
    assert opset[2] == [OPSET] and opset[1] == [b""]
    graph = fields(model[7][0])
    assert shape_of(graph[11][0]) == ("input", 11, ["batch", 3])
    assert shape_of(graph[12][0]) == ("output", 11, ["batch", 2])
    nodes = [fields(node) for node in graph[1]]
    assert [node[4][0] for node in nodes] == [b"Gemm", b"Tanh", b"MatMul", b"Identity"]
    assert nodes[0][1] == [b"input", b"layers.0.weight", b"layers.0.bias"]
    assert nodes[-1][2] == [b"output"]
    tensors = {fields(t)[8][0].decode(): fields(t) for t in graph[5]}
    assert tensors["layers.0.weight"][1] == [3, 4] and tensors["layers.0.bias"][1] == [4]
    assert len(tensors["layers.0.weight"][9][0]) == 12 * 8
    graph32 = fields(fields(onnx_bytes(network, "float32"))[7][0])
    weights32 = next(fields(t) for t in graph32[5] if fields(t)[8][0] == b"layers.0.weight")
    assert weights32[2] == [1] and len(weights32[9][0]) == 12 * 4  # FLOAT, 4 bytes a value


def test_every_attribute_carries_its_type():
    graph = fields(fields(onnx_bytes(pn.Network([pn.Dense(2, 3, "softmax")], seed=0)))[7][0])
    softmax = next(fields(node) for node in graph[1] if fields(node)[4] == [b"Softmax"])
    attribute = fields(softmax[5][0])
    assert attribute[1] == [b"axis"] and attribute[20] == [2]  # type INT
    assert attribute[3] == [(1 << 64) - 1]  # −1 as an int64 varint


OPERATORS = {
    "identity": [],
    "sigmoid": ["Sigmoid"],
    "tanh": ["Tanh"],
    "relu": ["Relu"],
    "softmax": ["Softmax"],
    "leaky_relu": ["Greater", "Mul", "Where"],
    "elu": ["Greater", "Min", "Exp", "Sub", "Mul", "Where"],
    "softplus": ["Abs", "Neg", "Exp", "Add", "Log", "Relu", "Add"],
}


@pytest.mark.parametrize("activation", every_activation(), ids=repr)
def test_each_activation_becomes_the_documented_operators(activation):
    graph = fields(fields(onnx_bytes(pn.Network([pn.Dense(2, 2, activation)], seed=0)))[7][0])
    operators = [fields(node)[4][0].decode() for node in graph[1]]
    assert operators[0] == "Gemm" and operators[-1] == "Identity"
    name = activation if isinstance(activation, str) else activation.name.split("(")[0]
    if name == "gelu":
        # −z/√2; |a|, t and y (6 nodes); Clenshaw: 3 nodes for each of c₂₆ … c₁, 3 for c₀;
        # −w², exp, t·exp, 2 − it, a > 0, Where (7); ½z and the product; the output.
        assert operators[1:4] == ["Mul", "Abs", "Add"] and operators[-3:] == ["Mul", "Mul",
                                                                              "Identity"]
        assert len(operators) == 1 + 1 + 6 + 3 * 26 + 3 + 7 + 2 + 1
        assert operators.count("Exp") == 1 and operators.count("Where") == 1
    else:
        assert operators[1:-1] == OPERATORS[name]


def test_the_same_network_gives_the_same_bytes():
    assert onnx_bytes(pn.Network([pn.Dense(2, 2, "gelu")], seed=4)) == onnx_bytes(
        pn.Network([pn.Dense(2, 2, "gelu")], seed=4))


# -- erfc from arithmetic and exp, as the graph computes it ----------------------------------------


def erfc_as_the_graph_computes(a):
    w = abs(a)
    t = 2.0 / (w + 2.0)
    y = t * 2.0 - 1.0
    two_y = y * 2.0
    b_next, b_after = ERFC_CHEBYSHEV[-1], 0.0
    for k in range(len(ERFC_CHEBYSHEV) - 2, 0, -1):
        b_next, b_after = two_y * b_next - b_after + ERFC_CHEBYSHEV[k], b_next
    series = y * b_next - b_after + ERFC_CHEBYSHEV[0]
    tail = t * math.exp(series - w * w)
    return tail if a > 0 else 2.0 - tail


def test_the_erfc_series_agrees_with_math_erfc():
    generator = random.Random(0)
    worst = 0.0
    for _ in range(20000):
        w = generator.uniform(0.0, 5.0)
        worst = max(worst, abs(erfc_as_the_graph_computes(w) - math.erfc(w)) / math.erfc(w))
    # The series is within 4e-15 of CPython's erfc; PyPy's own erfc strays by up to 1e-14.
    assert worst < 2e-14
    for w in (10.0, 20.0, 26.0):  # relative accuracy far into the tail, where erfc is tiny
        assert math.isclose(erfc_as_the_graph_computes(w), math.erfc(w), rel_tol=2e-13)
    assert erfc_as_the_graph_computes(0.0) == 1.0
    assert math.isclose(erfc_as_the_graph_computes(-1.5), math.erfc(-1.5), rel_tol=1e-15)


def test_gelu_from_the_series_agrees_with_purenn():
    gelu = ACTIVATIONS["gelu"].function
    for step in range(-4000, 4001):
        z = step / 200.0
        ours = z * 0.5 * erfc_as_the_graph_computes(-z * 0.7071067811865476)
        assert abs(ours - gelu(z)) <= 1e-15 * max(1.0, abs(gelu(z))), z


# -- what cannot be exported ---------------------------------------------------------------------


def test_refusals_name_what_is_wrong(tmp_path):
    network = pn.Network([pn.Dense(2, 1)], seed=0)
    with pytest.raises(pn.ConfigurationError, match="dtype must be 'float64' or 'float32'"):
        pn.export_onnx(network, tmp_path / "m.onnx", dtype="float16")
    network.layers[0].weights.value[0][0] = 1e39
    with pytest.raises(pn.DataError, match=r"layers\.0\.weight holds a value too large for float"):
        pn.export_onnx(network, tmp_path / "m.onnx", dtype="float32")
    network.layers[0].weights.value[0][0] = math.nan
    with pytest.raises(pn.DataError, match=r"layers\.0\.weight holds a NaN or infinite value"):
        pn.export_onnx(network, tmp_path / "m.onnx")
    with pytest.raises(pn.ConfigurationError, match="expected a Network"):
        pn.export_onnx([1], tmp_path / "m.onnx")
    assert os.listdir(tmp_path) == []


def test_a_custom_activation_is_refused_even_when_registered(tmp_path):
    swish = Elementwise("swish", lambda z: z * sigmoid(z), sigmoid_derivative)
    network = pn.Network([pn.Dense(2, 1, swish)], seed=0)
    with pytest.raises(pn.ConfigurationError, match="is not a registered activation"):
        pn.export_onnx(network, tmp_path / "m.onnx")
    ACTIVATIONS.register("swish", swish)
    try:
        with pytest.raises(pn.ConfigurationError, match=r"layers\[0\]\.activation 'swish' has "
                           r"no ONNX form \(no entry in purenn\.formats\.onnxgraph\."
                           r"ONNX_ACTIVATIONS\)"):
            pn.export_onnx(network, tmp_path / "m.onnx")
    finally:
        del ACTIVATIONS["swish"]


def test_a_layer_without_an_onnx_form_is_refused(tmp_path):
    class Custom(pn.Dense):
        pass

    with pytest.raises(pn.ModelFormatError,
                       match=r"layers\[0\] is a Custom, a layer export_onnx does not take"):
        pn.export_onnx(pn.Network([Custom(2, 2)], seed=0), tmp_path / "m.onnx")


# -- the real consumers ----------------------------------------------------------------------------


def check_and_run(network, x, dtype, tmp_path):
    """Check the exported model with onnx's full checker; return ONNX Runtime's outputs."""
    onnx, runtime = require_onnx(), require_onnxruntime()
    numpy = require_numpy()
    path = tmp_path / f"model-{dtype}.onnx"
    pn.export_onnx(network, path, dtype=dtype)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    session = runtime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (output,) = session.run(None, {"input": numpy.array(x, dtype=dtype)})
    assert output.dtype == numpy.dtype(dtype)
    return output.astype(float).tolist()


def assert_close(got, expected, tolerance):
    assert len(got) == len(expected)
    for row, other in zip(got, expected):
        for value, wanted in zip(row, other):
            assert abs(value - wanted) <= tolerance * max(1.0, abs(wanted)), (value, wanted)


def inputs(n_in, rows=7, scale=3.0):
    generator = random.Random(n_in)
    return [[scale * generator.gauss(0.0, 1.0) for _ in range(n_in)] for _ in range(rows)]


@pytest.mark.parametrize("activation", every_activation(), ids=repr)
@pytest.mark.parametrize("dtype, tolerance", [("float64", FLOAT64_TOLERANCE),
                                              ("float32", FLOAT32_TOLERANCE)])
def test_onnxruntime_predicts_what_purenn_predicts(tmp_path, activation, dtype, tolerance):
    network = pn.Network([pn.Dense(3, 5, activation), pn.Dense(5, 4, activation, bias=False),
                          pn.Dense(4, 2, activation)], seed=1)
    x = inputs(3)
    assert_close(check_and_run(network, x, dtype, tmp_path), network.predict(x), tolerance)


def test_the_batch_dimension_is_symbolic(tmp_path):
    network = pn.Network([pn.Dense(2, 3, "tanh"), pn.Dense(3, 1, "sigmoid")], seed=0)
    for rows in (1, 2, 50):
        x = inputs(2, rows)
        assert_close(check_and_run(network, x, "float64", tmp_path), network.predict(x),
                     FLOAT64_TOLERANCE)


@settings(max_examples=examples(15))
@given(network=networks(weights=st.floats(-2.0, 2.0)), dtype=st.sampled_from(["float64",
                                                                              "float32"]))
def test_generated_networks_run_the_same_in_onnxruntime(tmp_path_factory, network, dtype):
    x = inputs(network.n_in, 5)
    got = check_and_run(network, x, dtype, tmp_path_factory.mktemp("onnx"))
    tolerance = FLOAT64_TOLERANCE if dtype == "float64" else FLOAT32_TOLERANCE
    assert_close(got, network.predict(x), tolerance)


# -- image layers ------------------------------------------------------------------------------


def test_image_layers_become_gathers_products_and_reductions():
    graph = fields(fields(onnx_bytes(image_network("identity")))[7][0])
    operators = [fields(node)[4][0].decode() for node in graph[1]]
    assert operators == [
        "Pad", "Gather", "Transpose", "MatMul", "Add", "Transpose", "Reshape",  # Conv2D
        "Gather", "ReduceMax",                                                  # MaxPool2D
        "Pad", "Gather", "Transpose", "MatMul", "Transpose", "Reshape",         # Conv2D, no b
        "Gather", "ReduceMean",                                                 # AvgPool2D
        "Gemm", "Identity",                                                     # Dense, output
    ]
    tensors = {fields(t)[8][0].decode(): fields(t) for t in graph[5]}
    windows = tensors["layers.0.windows"]
    assert windows[2] == [7] and windows[1] == [7 * 5, 2 * 3 * 2]  # int64, P × K
    assert tensors["layers.0.weight"][1] == [3, 12]


@pytest.mark.parametrize("activation", every_activation(), ids=repr)
@pytest.mark.parametrize("dtype, tolerance", [("float64", FLOAT64_TOLERANCE),
                                              ("float32", FLOAT32_TOLERANCE)])
def test_onnxruntime_runs_image_networks_as_purenn(tmp_path, activation, dtype, tolerance):
    for bias in (True, False):
        network = image_network(activation, bias)
        x = inputs(84, rows=4, scale=2.0)
        assert_close(check_and_run(network, x, dtype, tmp_path), network.predict(x), tolerance)
