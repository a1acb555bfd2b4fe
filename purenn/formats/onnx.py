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
    Normalization  Sub the mean; Div by the standard deviation, each (n,) (inverted: Mul by
                the deviation, Add the mean)

(ONNX Runtime's CPU provider has no float64 Conv or AveragePool kernel; its BatchNormalization
divides by √(var + ε) where purenn multiplies by its inverse, a last-bit difference.)

The model's metadata (``metadata_props``) holds "class_names", a JSON list, when the exporter
is given them, so a runtime can name the classes an output column stands for; its
producer_version is purenn's version.  The activations' nodes, and the Graph that collects
nodes and initializers, are in ``purenn.formats.onnxgraph``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ConfigurationError, DataError
from purenn.formats import protobuf as pb
from purenn.formats.files import file_path, write_atomically
from purenn.formats.onnxgraph import Graph, activation_nodes
from purenn.formats.support import check_layers, declare_layers
from purenn.layers import Dense, Layer
from purenn.layers.batchnorm import BatchNorm, inverse_std
from purenn.layers.conv import Conv2D
from purenn.layers.dropout import Dropout
from purenn.layers.flatten import Flatten
from purenn.layers.im2col import convolution_table, pooling_table
from purenn.layers.normalization import Normalization
from purenn.layers.pooling import AvgPool2D, MaxPool2D
from purenn.network import Network
from purenn.optimizers import all_finite
from purenn.version import VERSION

if TYPE_CHECKING:
    from typing import Any, Callable, Sequence

    from purenn.formats.files import PathLike

    LayerNodes = Callable[[Graph, Layer, int, str], str]

__all__ = [
    "IR_VERSION",
    "OPSET",
    "DTYPES",
    "ONNX_LAYERS",
    "check_class_names",
    "onnx_bytes",
    "export_onnx",
]

IR_VERSION = 7
OPSET = 13
# dtype → (TensorProto.DataType, struct format of one value)
DTYPES = {"float64": (11, "d"), "float32": (1, "f")}

# -- layers -----------------------------------------------------------------------------------


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
    return activation_nodes(graph, layer.activation, index, z)


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
    return activation_nodes(graph, layer.activation, index, rows)


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
    return activation_nodes(graph, layer.activation, index, z)


def _normalization(graph: Graph, layer: Layer, index: int, x: str) -> str:
    """(X − μ) / σ, or X·σ + μ inverted, each (n,), broadcast over the rows: purenn's two
    operations."""
    assert isinstance(layer, Normalization)
    prefix, size = f"layers.{index}", (layer.num_features,)
    mean = graph.tensor(f"{prefix}.mean", size, layer.mean.value[0])
    std = graph.tensor(f"{prefix}.std", size, layer.std.value[0])
    if layer.invert:
        scaled = graph.node("Mul", [x, std], f"{prefix}.scaled")
        return graph.node("Add", [scaled, mean], f"{prefix}.restored")
    centred = graph.node("Sub", [x, mean], f"{prefix}.centred")
    return graph.node("Div", [centred, std], f"{prefix}.standardised")


ONNX_LAYERS: dict[type, LayerNodes] = {
    Dense: _dense,
    Conv2D: _conv,
    MaxPool2D: _pool,
    AvgPool2D: _pool,
    Flatten: _flatten,
    Dropout: _flatten,
    BatchNorm: _batchnorm,
    Normalization: _normalization,
}
"""Layer class → the function adding its nodes: (graph, layer, index, input name) → output."""
declare_layers("export_onnx", ONNX_LAYERS)


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
    check_layers(network, "export_onnx", where)
    graph = Graph(*DTYPES[dtype], where)
    x = "input"
    for index, layer in enumerate(network.layers):
        x = ONNX_LAYERS[type(layer)](graph, layer, index, x)
    return graph, x


def check_class_names(network: Network, class_names: Any, where: str) -> list[str] | None:
    """``class_names`` as a list of str, one per output column, or two for a single sigmoid
    output (classes 0 and 1); None stays None.  ConfigurationError otherwise.

    >>> import purenn as pn
    >>> check_class_names(pn.Network([pn.Dense(2, 1)]), ("no", "yes"), "export_onnx")
    ['no', 'yes']
    """
    if class_names is None:
        return None
    wanted = 2 if network.n_out == 1 else network.n_out
    if (not isinstance(class_names, (list, tuple)) or len(class_names) != wanted
            or not all(isinstance(name, str) for name in class_names)):
        raise ConfigurationError(
            f"{where}: class_names must be a list of {wanted} strings (one per class), got "
            f"{shown(class_names)}"
        )
    return list(class_names)


def _metadata(key: str, value: str) -> bytes:
    """A StringStringEntryProto of ModelProto.metadata_props."""
    return pb.length_delimited(14, pb.text(1, key) + pb.text(2, value))


def onnx_bytes(
    network: Network, dtype: str = "float64", class_names: Sequence[str] | None = None
) -> bytes:
    """The ONNX model (a serialized ModelProto) of ``network``, as described in the module
    docstring; ``dtype`` is "float64" or "float32"; ``class_names`` (one per output column,
    or two for one sigmoid output), when given, go into the metadata as a JSON list.

    Raises ModelFormatError for a layer with no ONNX form (naming the formats that take it),
    ConfigurationError for a dtype or activation with none (a custom one) or class names that
    do not fit, and DataError for a non-finite weight or one beyond float32's range in float32.

    >>> import purenn as pn
    >>> model = onnx_bytes(pn.Network([pn.Dense(3, 2, "tanh")], seed=0), class_names=["a", "b"])
    >>> model[:2], b"Gemm" in model, b"Tanh" in model, b'["a", "b"]' in model
    (b'\\x08\\x07', True, True, True)
    """
    where = "export_onnx"
    names = check_class_names(network, class_names, where)
    graph, last = _graph(network, dtype, where)
    graph.node("Identity", [last], "output")  # the graph's output by its documented name
    body = b"".join(pb.length_delimited(1, node) for node in graph.nodes)
    body += pb.text(2, "purenn")
    body += b"".join(pb.length_delimited(5, tensor) for tensor in graph.initializers.values())
    body += pb.text(10, repr(network))
    body += pb.length_delimited(11, _value_info("input", graph.element, ["batch", network.n_in]))
    body += pb.length_delimited(12, _value_info("output", graph.element, ["batch", network.n_out]))
    opset = pb.text(1, "") + pb.integer(2, OPSET)
    metadata = b"" if names is None else _metadata("class_names", json.dumps(names))
    return (
        pb.integer(1, IR_VERSION)
        + pb.text(2, "purenn")
        + pb.text(3, VERSION)
        + pb.length_delimited(7, body)
        + pb.length_delimited(8, opset)
        + metadata
    )


def export_onnx(
    network: Network, path: PathLike, dtype: str = "float64",
    class_names: Sequence[str] | None = None,
) -> None:
    """Write ``network`` as an ONNX model to ``path`` (atomically): the graph of the module
    docstring, in float64 (default) or float32, with ``class_names`` in its metadata when
    given.  Run it with ONNX Runtime::

        session = onnxruntime.InferenceSession(path)
        session.run(None, {"input": numpy.array(X, dtype=numpy.float64)})[0]

    Raises as ``onnx_bytes`` does, and OSError if the file
    cannot be written.

    >>> import os, tempfile
    >>> import purenn as pn
    >>> path = os.path.join(tempfile.mkdtemp(), "model.onnx")
    >>> pn.export_onnx(pn.Network([pn.Dense(3, 1, "sigmoid")], seed=0), path, dtype="float32")
    >>> os.path.getsize(path) > 0
    True
    """
    target = file_path(path, "export_onnx")
    write_atomically(target, onnx_bytes(network, dtype, class_names))
