"""ONNX export: the network as an ONNX model, encoded with the standard library.

The model is IR version 7 with opset 13 of the default domain (ONNX 1.8, 2020), so that
ONNX Runtime from 1.6 on and most other runtimes load it.  Its one graph, "purenn":

    input   "input"    tensor(T, ["batch", n_in])    the batch dimension is symbolic
    output  "output"   tensor(T, ["batch", n_out])
    initializers       "layers.<i>.weight" (n_in × n_out, purenn's orientation),
                       "layers.<i>.bias" (n_out,), and the scalar constants of the activations
                       (BatchNorm's are (C, 1): weight, bias, running_mean, inverse_std)

T is DOUBLE (float64) or FLOAT (float32, every weight rounded to the nearest float32).  Each
layer becomes nodes through ``ONNX_LAYERS``: a Dense layer is Gemm(X, W, b) with its default
alpha = beta = 1 (no attribute written), or MatMul(X, W) without a bias, then its activation
through ``ONNX_ACTIVATIONS``; a last Identity names the result "output".  Every tensor
between layers is (N, values of a sample), as purenn's rows, so the image layers are written
as purenn computes them, with its index tables (int64 initializers "layers.<i>.windows"):

    Conv2D      Pad a 0 onto each row; Gather the receptive fields (N, P, C·kh·kw);
                MatMul by Wᵀ; Add b; Transpose to (N, F, P); Reshape to (N, F·P); activation
    MaxPool2D   Gather the windows (N, C·OH·OW, ph·pw); ReduceMax over each
    AvgPool2D   the same with ReduceMean
    Flatten     nothing
    Dropout     nothing (an exported network predicts, in evaluation mode)
    BatchNorm   in evaluation mode, as purenn: Reshape to (N, C, S); Sub the running mean;
                Mul by k = 1/√(running_var + ε) (computed by purenn); Mul by γ; Add β, each
                (C, 1); Reshape back to (N, C·S); activation

(ONNX Runtime's CPU provider has no float64 Conv or AveragePool kernel; its BatchNormalization
divides by √(var + ε) where purenn multiplies by its inverse, a last-bit difference.)

    identity     nothing
    sigmoid      Sigmoid                    tanh     Tanh
    relu         Relu                       softmax  Softmax, axis −1 (each row)
    leaky_relu   Where(z > 0, z, slope·z)
    elu          Where(z > 0, z, α·(exp(min(z, 0)) − 1))
    softplus     max(z, 0) + ln(1 + exp(−|z|))
    gelu         z·½·erfc(−z/√2), erfc from exp and arithmetic (below)

Why compositions for the last four: ONNX Runtime's CPU provider has no float64 kernel for Erf,
Elu, Softplus or (from opset 16) LeakyRelu, and the alpha of LeakyRelu and Elu is a float32
attribute that would round a slope of 0.01 to 0.009999999776.  Built from elementary operators
with constants of the model's own type, every activation runs in float64 and agrees with purenn
to ~1e-16 (relative to max(1, |value|)).

erfc, for float64 where no runtime offers it: for w = |a|,

    erfc(w) = t·exp(−w² + P(t)),  t = 2/(2 + w),  P(t) = Σₖ cₖ·Tₖ(2t − 1)  (Press et al. §6.2)

with the 28 Chebyshev coefficients ``ERFC_CHEBYSHEV`` (tools/erfc_chebyshev.py derives them;
truncation error 3e-18) summed by Clenshaw's recurrence, and erfc(a) = 2 − erfc(|a|) for a < 0.
Its error against math.erfc is below 4e-15 relative for w ≤ 5, where GELU still differs from
0 and z, and grows with the rounding of w² to 1e-13 relative at w = 26, where erfc is 1e-296.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from purenn.activations import ACTIVATIONS, Activation
from purenn.arguments import shown
from purenn.errors import ConfigurationError, DataError
from purenn.formats import protobuf as pb
from purenn.formats.files import file_path, write_atomically
from purenn.formats.names import spec_of
from purenn.layers import Dense, Layer
from purenn.layers.batchnorm import BatchNorm, inverse_std
from purenn.layers.conv import Conv2D
from purenn.layers.dropout import Dropout
from purenn.layers.flatten import Flatten
from purenn.layers.im2col import convolution_table, pooling_table
from purenn.layers.pooling import AvgPool2D, MaxPool2D
from purenn.network import Network
from purenn.optimizers import all_finite

if TYPE_CHECKING:
    from typing import Callable, Dict, Sequence, Union

    from purenn.formats.files import PathLike

    AttributeValue = Union[int, Sequence[int]]
    ActivationNodes = Callable[["Graph", str, str, Dict[str, float]], str]
    LayerNodes = Callable[["Graph", Layer, int, str], str]

__all__ = [
    "IR_VERSION",
    "OPSET",
    "DTYPES",
    "ERFC_CHEBYSHEV",
    "Graph",
    "ONNX_LAYERS",
    "ONNX_ACTIVATIONS",
    "onnx_bytes",
    "export_onnx",
]

IR_VERSION = 7
OPSET = 13
# dtype → (TensorProto.DataType, struct format of one value)
DTYPES = {"float64": (11, "d"), "float32": (1, "f")}

ERFC_CHEBYSHEV = (
    -0.6513268598908547,
    0.6419697923564902,
    0.019476473204185836,
    -0.009561514786808632,
    -0.0009465953444820369,
    0.00036683949785276145,
    4.252332480690777e-05,
    -2.0278578112534242e-05,
    -1.6242900046470256e-06,
    1.3036558355805232e-06,
    1.5626441722066142e-08,
    -8.523809591492654e-08,
    6.5290544390988515e-09,
    5.059343495551469e-09,
    -9.91364156493033e-10,
    -2.273651222931836e-10,
    9.646791102015527e-11,
    2.3940380830391146e-12,
    -6.886027526497553e-12,
    8.944879273090725e-13,
    3.130921399342958e-13,
    -1.1270822361367252e-13,
    3.810905255189232e-16,
    7.106097613609237e-15,
    -1.5230282014571043e-15,
    -9.457494571291233e-17,
    1.210237189224279e-16,
    -2.816663087747177e-17,
)
"""cₖ of erfc(w) = t·exp(−w² + Σₖ cₖ·Tₖ(2t − 1)), t = 2/(2 + w), for w ≥ 0."""

_SQRT_HALF = 0.7071067811865476  # math.sqrt(0.5), as purenn.activations.gelu uses it

_INT64 = 7  # TensorProto.DataType of index tables and shapes

# AttributeProto.type: required by ONNX Runtime, which otherwise cannot tell the fields apart.
_ATTRIBUTE_INT = 2
_ATTRIBUTE_INTS = 7


class Graph:
    """An ONNX graph being built: nodes in order, initializers by name, all of element type
    ``element`` (a TensorProto.DataType) whose values ``struct`` packs with ``code``."""

    def __init__(self, element: int, code: str, where: str) -> None:
        self.element = element
        self.code = code
        self.where = where
        self.nodes: list[bytes] = []
        self.initializers: dict[str, bytes] = {}

    def tensor(self, name: str, dims: Sequence[int], values: Sequence[float]) -> str:
        """Add the initializer ``name`` (values in C order) unless it exists; return its name."""
        if name not in self.initializers:
            try:
                raw = struct.pack(f"<{len(values)}{self.code}", *values)
            except (OverflowError, struct.error):
                raise DataError(
                    f"{self.where}: {name} holds a value too large for float32 (±3.4e38)"
                ) from None
            fields = b"".join(pb.integer(1, size) for size in dims)
            fields += pb.integer(2, self.element) + pb.text(8, name) + pb.length_delimited(9, raw)
            self.initializers[name] = fields
        return name

    def indices(self, name: str, dims: Sequence[int], values: Sequence[int]) -> str:
        """Add the int64 initializer ``name`` (an index table or a shape); return its name."""
        fields = b"".join(pb.integer(1, size) for size in dims)
        raw = struct.pack(f"<{len(values)}q", *values)
        fields += pb.integer(2, _INT64) + pb.text(8, name) + pb.length_delimited(9, raw)
        self.initializers[name] = fields
        return name

    def constant(self, value: float) -> str:
        """A scalar initializer holding ``value``, shared by every node that needs it."""
        return self.tensor(f"constant.{value!r}", (), [value])

    def node(
        self, op_type: str, inputs: Sequence[str], output: str, **attributes: AttributeValue
    ) -> str:
        """Append the node ``op_type``(inputs) → output (also the node's name); return output."""
        fields = b"".join(pb.text(1, name) for name in inputs)
        fields += pb.text(2, output) + pb.text(3, output) + pb.text(4, op_type)
        for name, value in attributes.items():
            fields += pb.length_delimited(5, _attribute(name, value))
        self.nodes.append(fields)
        return output


def _attribute(name: str, value: AttributeValue) -> bytes:
    """An AttributeProto: name, type, and the int (field 3) or the ints (field 8)."""
    if isinstance(value, int):
        return pb.text(1, name) + pb.integer(20, _ATTRIBUTE_INT) + pb.integer(3, value)
    items = b"".join(pb.integer(8, item) for item in value)
    return pb.text(1, name) + pb.integer(20, _ATTRIBUTE_INTS) + items


# -- activations ------------------------------------------------------------------------------


def _single(op_type: str) -> ActivationNodes:
    """An activation that is one ONNX operator."""
    return lambda graph, z, prefix, spec: graph.node(op_type, [z], f"{prefix}.{op_type.lower()}")


def _identity(graph: Graph, z: str, prefix: str, spec: dict[str, float]) -> str:
    return z


def _softmax(graph: Graph, z: str, prefix: str, spec: dict[str, float]) -> str:
    return graph.node("Softmax", [z], f"{prefix}.softmax", axis=-1)


def _leaky_relu(graph: Graph, z: str, prefix: str, spec: dict[str, float]) -> str:
    """Where(z > 0, z, slope·z): purenn's branch, z ≤ 0 takes the slope."""
    positive = graph.node("Greater", [z, graph.constant(0.0)], f"{prefix}.positive")
    scaled = graph.node("Mul", [z, graph.constant(spec["slope"])], f"{prefix}.scaled")
    return graph.node("Where", [positive, z, scaled], f"{prefix}.leaky_relu")


def _elu(graph: Graph, z: str, prefix: str, spec: dict[str, float]) -> str:
    """Where(z > 0, z, α·(exp(min(z, 0)) − 1)); the min keeps exp from overflowing on the
    branch Where discards."""
    positive = graph.node("Greater", [z, graph.constant(0.0)], f"{prefix}.positive")
    negative_part = graph.node("Min", [z, graph.constant(0.0)], f"{prefix}.negative_part")
    exponential = graph.node("Exp", [negative_part], f"{prefix}.exp")
    minus_one = graph.node("Sub", [exponential, graph.constant(1.0)], f"{prefix}.expm1")
    scaled = graph.node("Mul", [minus_one, graph.constant(spec["alpha"])], f"{prefix}.scaled")
    return graph.node("Where", [positive, z, scaled], f"{prefix}.elu")


def _softplus(graph: Graph, z: str, prefix: str, spec: dict[str, float]) -> str:
    """max(z, 0) + ln(1 + e^−|z|): purenn's two branches in one formula, never overflowing."""
    magnitude = graph.node("Abs", [z], f"{prefix}.abs")
    negated = graph.node("Neg", [magnitude], f"{prefix}.neg")
    exponential = graph.node("Exp", [negated], f"{prefix}.exp")
    one_plus = graph.node("Add", [exponential, graph.constant(1.0)], f"{prefix}.one_plus")
    logarithm = graph.node("Log", [one_plus], f"{prefix}.log")
    positive_part = graph.node("Relu", [z], f"{prefix}.relu")
    return graph.node("Add", [positive_part, logarithm], f"{prefix}.softplus")


def _erfc(graph: Graph, a: str, prefix: str) -> str:
    """erfc(a) by the Chebyshev form of the module docstring (Clenshaw's recurrence:
    b_k = c_k + 2y·b_{k+1} − b_{k+2}, P = c_0 + y·b_1 − b_2, y = 2t − 1)."""
    constant = graph.constant
    w = graph.node("Abs", [a], f"{prefix}.w")
    two_plus_w = graph.node("Add", [w, constant(2.0)], f"{prefix}.two_plus_w")
    t = graph.node("Div", [constant(2.0), two_plus_w], f"{prefix}.t")
    twice_t = graph.node("Mul", [t, constant(2.0)], f"{prefix}.twice_t")
    y = graph.node("Sub", [twice_t, constant(1.0)], f"{prefix}.y")
    two_y = graph.node("Mul", [y, constant(2.0)], f"{prefix}.two_y")
    coefficients = ERFC_CHEBYSHEV
    b_next, b_after = constant(coefficients[-1]), constant(0.0)
    for k in range(len(coefficients) - 2, 0, -1):
        product = graph.node("Mul", [two_y, b_next], f"{prefix}.clenshaw{k}.product")
        difference = graph.node("Sub", [product, b_after], f"{prefix}.clenshaw{k}.difference")
        b_k = graph.node("Add", [difference, constant(coefficients[k])], f"{prefix}.clenshaw{k}")
        b_next, b_after = b_k, b_next
    product = graph.node("Mul", [y, b_next], f"{prefix}.series.product")
    difference = graph.node("Sub", [product, b_after], f"{prefix}.series.difference")
    series = graph.node("Add", [difference, constant(coefficients[0])], f"{prefix}.series")
    square = graph.node("Mul", [w, w], f"{prefix}.w_squared")
    exponent = graph.node("Sub", [series, square], f"{prefix}.exponent")
    exponential = graph.node("Exp", [exponent], f"{prefix}.exp")
    tail = graph.node("Mul", [t, exponential], f"{prefix}.erfc_w")
    reflected = graph.node("Sub", [constant(2.0), tail], f"{prefix}.two_minus")
    positive = graph.node("Greater", [a, constant(0.0)], f"{prefix}.positive")
    return graph.node("Where", [positive, tail, reflected], f"{prefix}.erfc")


def _gelu(graph: Graph, z: str, prefix: str, spec: dict[str, float]) -> str:
    """z·½·erfc(−z·√½), in purenn's order of operations."""
    argument = graph.node("Mul", [z, graph.constant(-_SQRT_HALF)], f"{prefix}.argument")
    erfc = _erfc(graph, argument, f"{prefix}.erfc")
    half_z = graph.node("Mul", [z, graph.constant(0.5)], f"{prefix}.half_z")
    return graph.node("Mul", [half_z, erfc], f"{prefix}.gelu")


ONNX_ACTIVATIONS: dict[str, ActivationNodes] = {
    "identity": _identity,
    "sigmoid": _single("Sigmoid"),
    "tanh": _single("Tanh"),
    "relu": _single("Relu"),
    "leaky_relu": _leaky_relu,
    "elu": _elu,
    "softplus": _softplus,
    "gelu": _gelu,
    "softmax": _softmax,
}
"""Registered activation name → the function adding its nodes: (graph, input name, name
prefix, the activation's spec with its arguments) → output name."""


# -- layers -----------------------------------------------------------------------------------


def _activation(graph: Graph, activation: Activation, index: int, z: str) -> str:
    """The nodes of layers[index]'s activation applied to z, by its registered name."""
    label = f"layers[{index}].activation"
    spec = spec_of(activation, ACTIVATIONS, label, graph.where)
    nodes = ONNX_ACTIVATIONS.get(spec["name"])
    if nodes is None:
        raise ConfigurationError(
            f"{graph.where}: {label} {spec['name']!r} has no ONNX form (no entry in "
            "purenn.formats.onnx.ONNX_ACTIVATIONS)"
        )
    return nodes(graph, z, f"layers.{index}", spec)


def _dense(graph: Graph, layer: Layer, index: int, x: str) -> str:
    """Gemm(X, W, b) (or MatMul(X, W)), then the activation."""
    assert isinstance(layer, Dense)
    rows, columns = layer.weights.shape
    flat = [value for row in layer.weights.value for value in row]
    weight = graph.tensor(f"layers.{index}.weight", (rows, columns), flat)
    if layer.bias is None:
        z = graph.node("MatMul", [x, weight], f"layers.{index}.z")
    else:
        bias = graph.tensor(f"layers.{index}.bias", (columns,), layer.bias.value[0])
        z = graph.node("Gemm", [x, weight, bias], f"layers.{index}.z")
    return _activation(graph, layer.activation, index, z)


def _gather(graph: Graph, x: str, table: list[list[int]], prefix: str) -> str:
    """Gather(X, table, axis=1): (N, rows of the table, entries of a row), the windows of
    every sample, as purenn's im2col reads them."""
    flat = [index for row in table for index in row]
    indices = graph.indices(f"{prefix}.windows", (len(table), len(table[0])), flat)
    return graph.node("Gather", [x, indices], f"{prefix}.fields", axis=1)


def _conv(graph: Graph, layer: Layer, index: int, x: str) -> str:
    """purenn's im2col and product: Pad one zero onto each row (what padding cells read),
    Gather the receptive fields (N, P, K), MatMul by Wᵀ (K × F), Add b, Transpose to
    (N, F, P) and Reshape to rows (N, F·P), channel-major; then the activation."""
    assert isinstance(layer, Conv2D) and layer.input_shape is not None
    prefix = f"layers.{index}"
    channels, height, width = layer.input_shape
    table = convolution_table((channels, height, width), layer.kernel_size, layer.stride,
                              layer.padding)
    padding = graph.indices(f"{prefix}.pads", (4,), [0, 0, 0, 1])
    padded = graph.node("Pad", [x, padding], f"{prefix}.padded")
    fields = _gather(graph, padded, table, prefix)
    filters, size = layer.weights.shape
    flat = [value for row in layer.weights.value for value in row]
    weight = graph.tensor(f"{prefix}.weight", (filters, size), flat)
    transposed = graph.node("Transpose", [weight], f"{prefix}.weight_transposed", perm=[1, 0])
    z = graph.node("MatMul", [fields, transposed], f"{prefix}.product")
    if layer.bias is not None:
        bias = graph.tensor(f"{prefix}.bias", (filters,), layer.bias.value[0])
        z = graph.node("Add", [z, bias], f"{prefix}.biased")
    planes = graph.node("Transpose", [z], f"{prefix}.planes", perm=[0, 2, 1])
    shape = graph.indices(f"{prefix}.shape", (2,), [-1, filters * len(table)])
    rows = graph.node("Reshape", [planes, shape], f"{prefix}.z")
    return _activation(graph, layer.activation, index, rows)


def _pool(graph: Graph, layer: Layer, index: int, x: str) -> str:
    """Gather each window (N, C·OH·OW, ph·pw), then ReduceMax or ReduceMean over it."""
    assert isinstance(layer, (MaxPool2D, AvgPool2D)) and layer.input_shape is not None
    channels, height, width = layer.input_shape
    table = pooling_table((channels, height, width), layer.pool_size, layer.stride)
    fields = _gather(graph, x, table, f"layers.{index}")
    reduce = "ReduceMax" if isinstance(layer, MaxPool2D) else "ReduceMean"
    return graph.node(reduce, [fields], f"layers.{index}.pooled", axes=[2], keepdims=0)


def _flatten(graph: Graph, layer: Layer, index: int, x: str) -> str:
    """Nothing: between layers every tensor is already (N, values of a sample).  Dropout's
    form too: an exported network runs in evaluation mode, where dropout is the identity."""
    return x


def _batchnorm(graph: Graph, layer: Layer, index: int, x: str) -> str:
    """Evaluation mode, in purenn's order of operations: each sample as (C, S); x̂ = (x − μ)·k
    with the running mean μ and k = 1/√(running_var + ε); z = x̂·γ + β; back to rows; the
    activation."""
    assert isinstance(layer, BatchNorm)
    prefix, channels = f"layers.{index}", layer.num_features
    column = (channels, 1)

    def constant(name: str, values: list[float]) -> str:
        return graph.tensor(f"{prefix}.{name}", column, values)

    by_channel = graph.indices(f"{prefix}.channels", (3,), [-1, channels, layer.positions])
    planes = graph.node("Reshape", [x, by_channel], f"{prefix}.planes")
    centred = graph.node("Sub", [planes, constant("running_mean", layer.running_mean.value[0])],
                         f"{prefix}.centred")
    factors = inverse_std(layer.running_var.value[0], layer.eps)
    normalised = graph.node("Mul", [centred, constant("inverse_std", factors)],
                            f"{prefix}.normalised")
    scaled = graph.node("Mul", [normalised, constant("weight", layer.gamma.value[0])],
                        f"{prefix}.scaled")
    shifted = graph.node("Add", [scaled, constant("bias", layer.beta.value[0])],
                         f"{prefix}.shifted")
    by_row = graph.indices(f"{prefix}.shape", (2,), [-1, layer.n_out])
    z = graph.node("Reshape", [shifted, by_row], f"{prefix}.z")
    return _activation(graph, layer.activation, index, z)


ONNX_LAYERS: dict[type, LayerNodes] = {
    Dense: _dense,
    Conv2D: _conv,
    MaxPool2D: _pool,
    AvgPool2D: _pool,
    Flatten: _flatten,
    Dropout: _flatten,
    BatchNorm: _batchnorm,
}
"""Layer class → the function adding its nodes: (graph, layer, index, input name) → output."""


# -- the model --------------------------------------------------------------------------------


def _value_info(name: str, element: int, dimensions: Sequence[int | str]) -> bytes:
    """ValueInfoProto: a name and a tensor type whose dimensions are sizes or symbols."""
    shape = b"".join(
        pb.length_delimited(1, pb.text(2, size) if isinstance(size, str) else pb.integer(1, size))
        for size in dimensions
    )
    tensor_type = pb.integer(1, element) + pb.length_delimited(2, shape)
    return pb.text(1, name) + pb.length_delimited(2, pb.length_delimited(1, tensor_type))


def _graph(network: Network, dtype: str, where: str) -> tuple[Graph, str]:
    """The graph with every layer's nodes; and the name of the last output."""
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise ConfigurationError(
            f"{where}: dtype must be 'float64' or 'float32', got {shown(dtype, 40)}"
        )
    if not isinstance(network, Network):
        raise ConfigurationError(f"{where}: expected a Network, got {shown(network)}")
    for key, value in network.state_dict().items():
        if not all_finite(value):
            raise DataError(f"{where}: {key} holds a NaN or infinite value")
    graph = Graph(*DTYPES[dtype], where)
    x = "input"
    for index, layer in enumerate(network.layers):
        nodes = ONNX_LAYERS.get(type(layer))
        if nodes is None:
            raise ConfigurationError(
                f"{where}: layers[{index}] is a {type(layer).__name__}, which has no ONNX form "
                "(no entry in purenn.formats.onnx.ONNX_LAYERS)"
            )
        x = nodes(graph, layer, index, x)
    return graph, x


def onnx_bytes(network: Network, dtype: str = "float64") -> bytes:
    """The ONNX model (a serialized ModelProto) of ``network``, as described in the module
    docstring; ``dtype`` is "float64" or "float32".

    Raises ConfigurationError for a dtype, layer or activation with no ONNX form (a custom one)
    and DataError for a non-finite weight or one beyond float32's range in float32.

    >>> import purenn as pn
    >>> model = onnx_bytes(pn.Network([pn.Dense(3, 2, "tanh")], seed=0))
    >>> model[:2], b"Gemm" in model, b"Tanh" in model
    (b'\\x08\\x07', True, True)
    """
    where = "export_onnx"
    graph, last = _graph(network, dtype, where)
    graph.node("Identity", [last], "output")  # the graph's output by its documented name
    body = b"".join(pb.length_delimited(1, node) for node in graph.nodes)
    body += pb.text(2, "purenn")
    body += b"".join(pb.length_delimited(5, tensor) for tensor in graph.initializers.values())
    body += pb.text(10, repr(network))
    body += pb.length_delimited(11, _value_info("input", graph.element, ["batch", network.n_in]))
    body += pb.length_delimited(12, _value_info("output", graph.element, ["batch", network.n_out]))
    opset = pb.text(1, "") + pb.integer(2, OPSET)
    return (
        pb.integer(1, IR_VERSION)
        + pb.text(2, "purenn")
        + pb.length_delimited(7, body)
        + pb.length_delimited(8, opset)
    )


def export_onnx(network: Network, path: PathLike, dtype: str = "float64") -> None:
    """Write ``network`` as an ONNX model to ``path`` (atomically): the graph of the module
    docstring, in float64 (default) or float32.  Run it with ONNX Runtime::

        session = onnxruntime.InferenceSession(path)
        session.run(None, {"input": numpy.array(X, dtype=numpy.float64)})[0]

    Raises ConfigurationError or DataError as ``onnx_bytes`` does, and OSError if the file
    cannot be written.

    >>> import os, tempfile
    >>> import purenn as pn
    >>> path = os.path.join(tempfile.mkdtemp(), "model.onnx")
    >>> pn.export_onnx(pn.Network([pn.Dense(3, 1, "sigmoid")], seed=0), path, dtype="float32")
    >>> os.path.getsize(path) > 0
    True
    """
    target = file_path(path, "export_onnx")
    write_atomically(target, onnx_bytes(network, dtype))
