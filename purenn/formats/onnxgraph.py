"""The ONNX graph being built, and the activations as ONNX nodes (``purenn.formats.onnx`` adds
the layers and writes the model).

``Graph`` collects the nodes in order and the initializers by name, encoded with
``purenn.formats.protobuf``.  Each activation becomes nodes through ``ONNX_ACTIVATIONS``:

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
from purenn.errors import ConfigurationError, DataError
from purenn.formats import protobuf as pb
from purenn.formats.names import spec_of

if TYPE_CHECKING:
    from typing import Callable, Dict, Sequence, Union

    AttributeValue = Union[int, Sequence[int]]
    ActivationNodes = Callable[["Graph", str, str, Dict[str, float]], str]

__all__ = ["ERFC_CHEBYSHEV", "Graph", "ONNX_ACTIVATIONS", "activation_nodes"]

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


def activation_nodes(graph: Graph, activation: Activation, index: int, z: str) -> str:
    """The nodes of layers[index]'s activation applied to z, by its registered name."""
    label = f"layers[{index}].activation"
    spec = spec_of(activation, ACTIVATIONS, label, graph.where)
    nodes = ONNX_ACTIVATIONS.get(spec["name"])
    if nodes is None:
        raise ConfigurationError(
            f"{graph.where}: {label} {spec['name']!r} has no ONNX form (no entry in "
            "purenn.formats.onnxgraph.ONNX_ACTIVATIONS)"
        )
    return nodes(graph, z, f"layers.{index}", spec)
