"""A network's architecture as plain data, and a network built back from it.

The architecture is the loss and, for each layer, its type name and every argument that
rebuilds it (``Layer.config()``), with activations, initializers and losses written by their
registered names (``purenn.formats.names``)::

    {"type": "Dense", "n_in": 3, "n_out": 4, "activation": {"name": "sigmoid"}, "bias": true,
     "init": {"name": "xavier_uniform"}}

``LAYER_FORMATS`` is the one table that knows the layer types: for each class, its name in
files, how each argument is written and read (``Field``), and the shapes of the state entries
(``Network.state_dict()``: parameters and buffers, such as BatchNorm's running statistics) that
a layer with given arguments has.  Those shapes are checked
against the stored values before any layer is built, so a corrupt size cannot make purenn
allocate a huge matrix.  A new layer type is one entry here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from purenn.activations import ACTIVATIONS
from purenn.arguments import shown
from purenn.errors import ConfigurationError, PurennError
from purenn.formats.checks import (
    expect_flag,
    expect_int,
    expect_keys,
    expect_list,
    expect_matrix,
    expect_number,
    fail,
)
from purenn.formats.names import from_spec, spec_of
from purenn.initializers import INITIALIZERS
from purenn.layers import Dense, Layer
from purenn.layers.attention import CausalSelfAttention
from purenn.layers.batchnorm import BatchNorm
from purenn.layers.conv import Conv2D
from purenn.layers.dropout import Dropout
from purenn.layers.embedding import Embedding, PositionEmbedding
from purenn.layers.flatten import Flatten
from purenn.layers.norm import LayerNorm, RMSNorm
from purenn.layers.pooling import AvgPool2D, MaxPool2D
from purenn.layers.positionwise import SequenceDense
from purenn.layers.residual import Residual
from purenn.losses import LOSSES
from purenn.network import Network
from purenn.registry import Registry

if TYPE_CHECKING:
    from typing import Any, Callable, Sequence, Tuple

    from purenn.kernels import Matrix

    Shape = Tuple[int, int]

__all__ = [
    "Field",
    "Count",
    "Flag",
    "Pair",
    "OptionalShape",
    "Number",
    "Registered",
    "LayerFormat",
    "LAYER_FORMATS",
    "layer_format",
    "describe_layer",
    "describe_network",
    "read_layer",
    "read_state",
    "build_network",
]


class Field:
    """One argument of a layer in a file: ``write`` turns the layer's value into plain data,
    ``read`` checks plain data and turns it back (raising ModelFormatError)."""

    def write(self, value: Any, label: str, where: str) -> Any:
        """The plain form of ``value`` (the value itself, unless a subclass says otherwise)."""
        return value

    def read(self, value: Any, label: str, where: str) -> Any:
        """``value`` checked and converted back."""
        raise NotImplementedError


class Count(Field):
    """A size: an int ≥ 1."""

    def read(self, value: Any, label: str, where: str) -> Any:
        """``value`` if it is an int ≥ 1."""
        return expect_int(value, label, where, 1)


class Flag(Field):
    """A switch: true or false."""

    def read(self, value: Any, label: str, where: str) -> Any:
        """``value`` if it is a bool."""
        return expect_flag(value, label, where)


class Pair(Field):
    """A size per image axis, (h, w), each an int ≥ ``minimum``: written as a list [h, w]."""

    def __init__(self, minimum: int) -> None:
        self.minimum = minimum

    def write(self, value: Any, label: str, where: str) -> Any:
        """[h, w]."""
        return list(value)

    def read(self, value: Any, label: str, where: str) -> Any:
        """(h, w) from a list of two ints ≥ minimum."""
        items = expect_list(value, label, where, 2)
        return tuple(expect_int(item, f"{label}[{index}]", where, self.minimum)
                     for index, item in enumerate(items))


# A sample of more values than this is refused as an input shape: no file purenn wrote holds
# one (a pure-Python forward pass of a single such sample would take minutes), and building
# the windows of a corrupt, huge shape would allocate without end.
MAX_SAMPLE_SIZE = 10**8


class OptionalShape(Field):
    """A layer's declared input shape: null, or a list of ints ≥ 1 such as [C, H, W]."""

    def write(self, value: Any, label: str, where: str) -> Any:
        """null or the list of sizes."""
        return None if value is None else list(value)

    def read(self, value: Any, label: str, where: str) -> Any:
        """None, or the sizes as a tuple."""
        if value is None:
            return None
        items = expect_list(value, label, where)
        shape = tuple(expect_int(item, f"{label}[{index}]", where, 1)
                      for index, item in enumerate(items))
        if not shape or math.prod(shape) > MAX_SAMPLE_SIZE:
            fail(where, f"{label} must be a list of 1 to a few sizes holding at most "
                        f"{MAX_SAMPLE_SIZE} values, got {shown(value)}")
        return shape


class Number(Field):
    """A finite number (a rate, ε, a momentum), or with ``optional`` also null; its range is
    the layer's to check, when it is built from the file."""

    def __init__(self, optional: bool = False) -> None:
        self.optional = optional

    def read(self, value: Any, label: str, where: str) -> Any:
        """``value`` as a float, or None where allowed."""
        if value is None and self.optional:
            return None
        return expect_number(value, label, where)


class Registered(Field):
    """An activation or initializer, written by its registered name (``formats.names``)."""

    def __init__(self, registry: Registry[Any]) -> None:
        self.registry = registry

    def write(self, value: Any, label: str, where: str) -> Any:
        """{"name": …, **arguments}; ConfigurationError for an unregistered one."""
        return spec_of(value, self.registry, label, where)

    def read(self, value: Any, label: str, where: str) -> Any:
        """The registered object the spec names, rebuilt with its arguments."""
        return from_spec(value, self.registry, label, where)


class Layers(Field):
    """The layers a layer holds (Residual's): written as a list of layers, each as
    ``describe_layer`` writes it, and read back built."""

    def write(self, value: Any, label: str, where: str) -> Any:
        """[layer, …] as plain data."""
        return [describe_layer(layer, f"{label}[{index}]", where)
                for index, layer in enumerate(value)]

    def read(self, value: Any, label: str, where: str) -> Any:
        """The layers, each read and built (ModelFormatError for one that cannot be)."""
        layers = []
        for index, item in enumerate(expect_list(value, label, where)):
            cls, config, _ = read_layer(item, f"{label}[{index}]", where)
            try:
                layers.append(cls(**config))
            except PurennError as error:
                fail(where, f"{label}[{index}]: {error}")
        return layers


COUNT = Count()
FLAG = Flag()
SIZE = Pair(1)
PADDING = Pair(0)
SHAPE = OptionalShape()
NUMBER = Number()
OPTIONAL_NUMBER = Number(optional=True)
ACTIVATION = Registered(ACTIVATIONS)
INITIALIZER = Registered(INITIALIZERS)


class LayerFormat(NamedTuple):
    """How one layer class appears in files.

    ``name`` is its "type" in a file; ``fields`` maps each key of the layer's ``config()`` to
    its Field; ``state_shapes(config)`` gives the shape of each of the layer's state entries,
    by the name after "layers.<i>." in ``Network.state_dict()`` ("weight", "bias"), for a
    layer built from ``config``.
    """

    name: str
    fields: dict[str, Field]
    state_shapes: Callable[[dict[str, Any]], dict[str, Shape]]


def _dense_state_shapes(config: dict[str, Any]) -> dict[str, Shape]:
    """W is n_in × n_out; b, when there is one, 1 × n_out."""
    shapes = {"weight": (config["n_in"], config["n_out"])}
    if config["bias"]:
        shapes["bias"] = (1, config["n_out"])
    return shapes


def _conv_state_shapes(config: dict[str, Any]) -> dict[str, Shape]:
    """W is F × C·kh·kw (one filter per row); b, when there is one, 1 × F."""
    height, width = config["kernel_size"]
    shapes = {"weight": (config["out_channels"], config["in_channels"] * height * width)}
    if config["bias"]:
        shapes["bias"] = (1, config["out_channels"])
    return shapes


def _no_state(config: dict[str, Any]) -> dict[str, Shape]:
    """A layer without parameters."""
    return {}


def _batchnorm_state_shapes(config: dict[str, Any]) -> dict[str, Shape]:
    """γ ("weight") and β ("bias"), then the buffers: running mean and variance, 1 × C each,
    and the count of training batches, 1 × 1."""
    row = (1, config["num_features"])
    return {"weight": row, "bias": row, "running_mean": row, "running_var": row,
            "num_batches_tracked": (1, 1)}


def _held_state_shapes(config: dict[str, Any]) -> dict[str, Shape]:
    """A Residual's: each inner layer j's parameters and buffers, "layers.j.<name>", by the
    shapes the built inner layers hold."""
    return {
        f"layers.{index}.{name}": held.shape
        for index, layer in enumerate(config["layers"])
        for name, held in [*layer.named_parameters(), *layer.named_buffers()]
    }


def _attention_state_shapes(config: dict[str, Any]) -> dict[str, Shape]:
    """W_q, W_k, W_v, W_o, each C × C."""
    square = (config["dim"], config["dim"])
    return dict.fromkeys(("query", "key", "value", "output"), square)


def _norm_state_shapes(config: dict[str, Any]) -> dict[str, Shape]:
    """RMSNorm's gain ("weight", 1 × C) when it has one; LayerNorm's γ and β."""
    row = (1, config["dim"])
    if "gain" in config:
        return {"weight": row} if config["gain"] else {}
    return {"weight": row, "bias": row}


_POOLING = {"pool_size": SIZE, "stride": SIZE, "input_shape": SHAPE}
_DENSE = {"n_in": COUNT, "n_out": COUNT, "activation": ACTIVATION, "bias": FLAG,
          "init": INITIALIZER}

LAYER_FORMATS: dict[type, LayerFormat] = {
    Dense: LayerFormat(
        "Dense",
        {"n_in": COUNT, "n_out": COUNT, "activation": ACTIVATION, "bias": FLAG,
         "init": INITIALIZER},
        _dense_state_shapes,
    ),
    Conv2D: LayerFormat(
        "Conv2D",
        {"in_channels": COUNT, "out_channels": COUNT, "kernel_size": SIZE, "stride": SIZE,
         "padding": PADDING, "activation": ACTIVATION, "bias": FLAG, "init": INITIALIZER,
         "input_shape": SHAPE},
        _conv_state_shapes,
    ),
    MaxPool2D: LayerFormat("MaxPool2D", _POOLING, _no_state),
    AvgPool2D: LayerFormat("AvgPool2D", _POOLING, _no_state),
    Flatten: LayerFormat("Flatten", {"input_shape": SHAPE}, _no_state),
    Dropout: LayerFormat("Dropout", {"rate": NUMBER, "input_shape": SHAPE}, _no_state),
    BatchNorm: LayerFormat(
        "BatchNorm",
        {"num_features": COUNT, "activation": ACTIVATION, "eps": NUMBER,
         "momentum": OPTIONAL_NUMBER, "input_shape": SHAPE},
        _batchnorm_state_shapes,
    ),
    SequenceDense: LayerFormat("SequenceDense", _DENSE, _dense_state_shapes),
    Embedding: LayerFormat(
        "Embedding",
        {"vocab_size": COUNT, "embed_dim": COUNT, "block_size": COUNT, "init_std": NUMBER},
        lambda config: {"weight": (config["vocab_size"], config["embed_dim"])},
    ),
    PositionEmbedding: LayerFormat(
        "PositionEmbedding",
        {"block_size": COUNT, "embed_dim": COUNT, "init_std": NUMBER},
        lambda config: {"weight": (config["block_size"], config["embed_dim"])},
    ),
    RMSNorm: LayerFormat("RMSNorm", {"dim": COUNT, "eps": NUMBER, "gain": FLAG},
                         _norm_state_shapes),
    LayerNorm: LayerFormat("LayerNorm", {"dim": COUNT, "eps": NUMBER}, _norm_state_shapes),
    CausalSelfAttention: LayerFormat(
        "CausalSelfAttention", {"dim": COUNT, "n_head": COUNT, "init_std": NUMBER},
        _attention_state_shapes,
    ),
    Residual: LayerFormat("Residual", {"layers": Layers()}, _held_state_shapes),
}
"""Layer class → its LayerFormat: the layer types purenn's files know."""

_BY_NAME = {layer_format.name: (cls, layer_format) for cls, layer_format in LAYER_FORMATS.items()}


def layer_format(layer: Layer, label: str, where: str) -> LayerFormat:
    """The LayerFormat of ``layer``'s class (exactly that class: a subclass may compute
    something else); ConfigurationError naming ``label`` for a class with none.

    >>> layer_format(Dense(2, 1), "layers[0]", "save").name
    'Dense'
    """
    found = LAYER_FORMATS.get(type(layer))
    if found is None:
        raise ConfigurationError(
            f"{where}: {label} is a {type(layer).__name__}, which purenn's file formats do not "
            "know (no entry in purenn.formats.architecture.LAYER_FORMATS)"
        )
    return found


def describe_layer(layer: Layer, label: str, where: str) -> dict[str, Any]:
    """{"type": name, **arguments}: the layer as plain data.

    >>> describe_layer(Dense(3, 4, "tanh"), "layers[0]", "save")["activation"]
    {'name': 'tanh'}
    """
    found = layer_format(layer, label, where)
    config = layer.config()
    if set(config) != set(found.fields):
        raise ConfigurationError(
            f"{where}: {label}: {type(layer).__name__}.config() gives {sorted(config)} but "
            f"its file format knows {sorted(found.fields)}"
        )
    plain = {"type": found.name}
    for key, field in found.fields.items():
        plain[key] = field.write(config[key], f"{label}.{key}", where)
    return plain


def describe_network(network: Network, where: str) -> dict[str, Any]:
    """{"loss": spec, "layers": [layer, …]}: the architecture of ``network`` as plain data.

    >>> describe_network(Network([Dense(2, 1, "sigmoid")], loss="bce"), "save")["loss"]
    {'name': 'bce'}
    """
    return {
        "loss": spec_of(network.loss_function, LOSSES, "loss", where),
        "layers": [
            describe_layer(layer, f"layers[{index}]", where)
            for index, layer in enumerate(network.layers)
        ],
    }


def read_layer(plain: Any, label: str, where: str) -> tuple[type, dict[str, Any], LayerFormat]:
    """(class, config, format) of a layer written by ``describe_layer``, every argument
    checked; nothing is built.

    >>> cls, config, _ = read_layer(describe_layer(Dense(2, 1), "l", "save"), "l", "load")
    >>> cls.__name__, config["n_out"], config["activation"]
    ('Dense', 1, <activation identity>)
    """
    if not isinstance(plain, dict) or not isinstance(plain.get("type"), str):
        fail(where, f"{label} must be an object with a \"type\", got {shown(plain)}")
    if plain["type"] not in _BY_NAME:
        fail(where, f"{label} has type {shown(plain['type'], 40)}; known types: "
                    f"{', '.join(_BY_NAME)}")
    cls, found = _BY_NAME[plain["type"]]
    expect_keys(plain, ["type", *found.fields], label, where)
    config = {
        key: field.read(plain[key], f"{label}.{key}", where) for key, field in found.fields.items()
    }
    return cls, config, found


def read_state(
    plain: Any, layers: Sequence[tuple[type, dict[str, Any], LayerFormat]], where: str
) -> dict[str, Matrix]:
    """The state entries, each checked to have the shape its layer's arguments give it.

    >>> layers = [read_layer(describe_layer(Dense(2, 1, bias=False), "l", "s"), "l", "load")]
    >>> read_state({"layers.0.weight": [[1], [2]]}, layers, "load")
    {'layers.0.weight': [[1.0], [2.0]]}
    """
    shapes: dict[str, Shape] = {}
    for index, (_, config, found) in enumerate(layers):
        for name, shape in found.state_shapes(config).items():
            shapes[f"layers.{index}.{name}"] = shape
    entries = expect_keys(plain, list(shapes), "state", where)
    return {
        key: expect_matrix(entries[key], f"state[{key!r}]", where, shape)
        for key, shape in shapes.items()
    }


def build_network(
    layers: Sequence[tuple[type, dict[str, Any], LayerFormat]],
    loss: Any,
    state: dict[str, Matrix],
    where: str,
) -> Network:
    """The network of checked layers, loss and state (from ``read_layer``, ``from_spec`` and
    ``read_state``).  What only the layers and the network can check (sizes that chain, a
    loss that fits the last layer) raises ModelFormatError naming ``where``.

    >>> layers = [read_layer(describe_layer(Dense(2, 1, bias=False), "l", "s"), "l", "load")]
    >>> build_network(layers, "sse", {"layers.0.weight": [[1.0], [2.0]]}, "load").predict([[1, 1]])
    [[3.0]]
    """
    try:
        network = Network([cls(**config) for cls, config, _ in layers], loss=loss)
        network.load_state_dict(state)
    except PurennError as error:
        fail(where, str(error))
    return network

