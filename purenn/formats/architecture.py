"""A network's architecture as plain data, and a network built back from it.

The architecture is the loss and, for each layer, its type (the name its class is registered
under, ``purenn.layers.register_layer``) and every argument that rebuilds it
(``Layer.config()``)::

    {"type": "Dense", "n_in": 3, "n_out": 4, "activation": {"name": "sigmoid"}, "bias": true,
     "init": {"name": "xavier_uniform"}}

Nothing here knows a layer type: a registered layer is written and read through its config
alone.  The values are plain data (numbers, flags, strings, null; tuples are written as lists
and read back as tuples), except the arguments that hold a registered thing, by their names:
an activation ("activation" or "…_activation") and an initializer ("init" or "…_init"), written
by its registered name and arguments (``purenn.formats.names``).

Reading checks everything before it builds anything: the type is registered, the keys are
exactly the constructor's arguments, every value is plain data of the kind its default has (a
flag is true or false, never 1), or a registered name where one belongs, and the stored state has
the shape that each layer's ``state_shapes(config)`` gives it, so a damaged size cannot make
purenn allocate more than the file holds.  The constructors then check the rest (kinds, ranges,
and with ``check_entries`` the sizes of what they allocate), and the network checks the state of
a layer that does not declare its shapes (``Network.load_state_dict``).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

from purenn.activations import ACTIVATIONS
from purenn.arguments import shown
from purenn.errors import ConfigurationError, PurennError
from purenn.formats.checks import expect_flag, expect_keys, expect_matrix, expect_plain, fail
from purenn.formats.limits import check_window_tables
from purenn.formats.names import from_spec, plain_value, spec_of
from purenn.formats.support import JSON, check_layers
from purenn.initializers import INITIALIZERS
from purenn.layers import LAYER_TYPES, Layer
from purenn.losses import LOSSES
from purenn.network import Network
from purenn.registry import Registry
from purenn.state import STATE_NAMES

if TYPE_CHECKING:
    from typing import Any, Dict, Sequence, Tuple, Type

    from purenn.kernels import Matrix

    Shape = Tuple[int, int]
    ReadLayer = Tuple[Type[Layer], Dict[str, Any]]
    """A layer read from a file, not built: its class and its checked config."""

__all__ = [
    "REGISTERED_ARGUMENTS",
    "holds_layers",
    "registry_of",
    "arguments_of",
    "describe_layer",
    "describe_network",
    "read_layer",
    "read_state",
    "build_network",
]

REGISTERED_ARGUMENTS: dict[str, Registry[Any]] = {"activation": ACTIVATIONS, "init": INITIALIZERS}
"""An argument named one of these keys, or ending in "_" and one ("recurrent_activation"), holds
a thing of that registry, written by its registered name."""


def holds_layers(key: str) -> bool:
    """Whether the config argument ``key`` holds layers (a Residual's ``layers``): written as
    a list of layers, each as ``describe_layer`` writes it, and read back built.

    >>> holds_layers("layers"), holds_layers("inner_layers"), holds_layers("n_layers_x")
    (True, True, False)
    """
    return key == "layers" or key.endswith("_layers")


def registry_of(key: str) -> Registry[Any] | None:
    """The registry whose things the config argument ``key`` holds, or None for plain data.

    >>> registry_of("activation").kind, registry_of("recurrent_init").kind, registry_of("bias")
    ('activation', 'initializer', None)
    """
    for suffix, registry in REGISTERED_ARGUMENTS.items():
        if key == suffix or key.endswith(f"_{suffix}"):
            return registry
    return None


def arguments_of(cls: type) -> dict[str, Any]:
    """The arguments of ``cls``'s constructor by name, each with its default (or
    ``inspect.Parameter.empty``): the keys a config of ``cls`` has.

    >>> from purenn.layers import Flatten
    >>> arguments_of(Flatten)
    {'input_shape': None}
    """
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {
        name: parameter.default
        for name, parameter in inspect.signature(cls).parameters.items()
        if parameter.kind in named
    }


def describe_layer(layer: Layer, label: str, where: str) -> dict[str, Any]:
    """{"type": name, **arguments}: the layer as plain data.  ConfigurationError naming
    ``label`` for a config that is not every argument of the constructor, or a value no file
    could hold (an unregistered activation, an object).

    >>> from purenn.layers import Dense
    >>> describe_layer(Dense(3, 4, "tanh"), "layers[0]", "save")["activation"]
    {'name': 'tanh'}
    """
    cls = type(layer)
    config = layer.config()
    arguments = list(arguments_of(cls))
    if sorted(config) != sorted(arguments):
        raise ConfigurationError(
            f"{where}: {label}: {cls.__name__}.config() gives {sorted(config)} but its "
            f"constructor takes {sorted(arguments)}: a file rebuilds it as "
            f"{cls.__name__}(**config)"
        )
    plain: dict[str, Any] = {"type": cls.__name__}
    for key in arguments:
        registry, value = registry_of(key), config[key]
        if holds_layers(key) and isinstance(value, (list, tuple)):
            plain[key] = [describe_layer(inner, f"{label}.{key}[{index}]", where)
                          for index, inner in enumerate(value)]
        elif registry is None:
            plain[key] = plain_value(value, f"{label}.{key}", where)
        else:
            plain[key] = spec_of(value, registry, f"{label}.{key}", where)
    return plain


def describe_network(network: Network, where: str) -> dict[str, Any]:
    """{"loss": spec, "layers": [layer, …]}: the architecture of ``network`` as plain data;
    ModelFormatError naming a layer whose class is not registered.

    >>> from purenn.layers import Dense
    >>> describe_network(Network([Dense(2, 1, "sigmoid")], loss="bce"), "save")["loss"]
    {'name': 'bce'}
    """
    check_layers(network, JSON, where)
    return {
        "loss": spec_of(network.loss_function, LOSSES, "loss", where),
        "layers": [
            describe_layer(layer, f"layers[{index}]", where)
            for index, layer in enumerate(network.layers)
        ],
    }


def _read_value(value: Any, default: Any, key: str, label: str, where: str) -> Any:
    """One argument read back: held layers built, a registered thing by its spec, a flag where
    the default is one (JSON's 1 is not true), plain data otherwise."""
    if holds_layers(key):
        return _read_layers(value, label, where)
    registry = registry_of(key)
    if registry is not None:
        return from_spec(value, registry, label, where)
    if isinstance(default, bool):
        return expect_flag(value, label, where)
    return expect_plain(value, label, where)


def _read_layers(value: Any, label: str, where: str) -> list[Layer]:
    """The layers a layer holds, each read and built (ModelFormatError for one that cannot
    be): their constructors bound what they allocate."""
    if not isinstance(value, list) or not value:
        fail(where, f"{label} must be a list of layers, got {shown(value)}")
    layers = []
    for index, item in enumerate(value):
        cls, config = read_layer(item, f"{label}[{index}]", where)
        try:
            layers.append(cls(**config))
        except PurennError as error:
            fail(where, f"{label}[{index}]: {error}")
    return layers


def read_layer(plain: Any, label: str, where: str) -> ReadLayer:
    """(class, config) of a layer written by ``describe_layer``, every argument checked to be
    of its kind; nothing is built.

    >>> from purenn.layers import Dense
    >>> cls, config = read_layer(describe_layer(Dense(2, 1), "l", "save"), "l", "load")
    >>> cls.__name__, config["n_out"], config["activation"]
    ('Dense', 1, <activation identity>)
    """
    if not isinstance(plain, dict) or not isinstance(plain.get("type"), str):
        fail(where, f"{label} must be an object with a \"type\", got {shown(plain)}")
    if plain["type"] not in LAYER_TYPES:
        fail(where, f"{label} has type {shown(plain['type'], 40)}; known types: "
                    f"{', '.join(LAYER_TYPES.names())} (a custom layer: register its class, "
                    "@purenn.register_layer, before loading)")
    cls = LAYER_TYPES[plain["type"]]
    arguments = arguments_of(cls)
    expect_keys(plain, ["type", *arguments], label, where)
    config = {
        key: _read_value(plain[key], default, key, f"{label}.{key}", where)
        for key, default in arguments.items()
    }
    return cls, config


def _declared_shapes(layer: ReadLayer, index: int, where: str) -> dict[str, Shape] | None:
    """The state-dict key → shape of each parameter and buffer the layer declares for its
    config (``Layer.state_shapes``), or None if it does not declare them."""
    cls, config = layer
    try:
        shapes = cls.state_shapes(config)
    except PurennError as error:
        fail(where, f"layers[{index}]: {error}")
    if shapes is None:
        return None
    return {f"layers.{index}.{STATE_NAMES.get(name, name)}": shape
            for name, shape in shapes.items()}


def read_state(plain: Any, layers: Sequence[ReadLayer], where: str) -> dict[str, Matrix]:
    """The state entries, each checked to be a matrix of finite numbers, of the shape its
    layer's arguments give it where the layer declares one; an entry of a layer that does not
    declare its shapes is checked against the built layer (``build_network``).

    >>> from purenn.layers import Dense
    >>> layers = [read_layer(describe_layer(Dense(2, 1, bias=False), "l", "s"), "l", "load")]
    >>> read_state({"layers.0.weight": [[1], [2]]}, layers, "load")
    {'layers.0.weight': [[1.0], [2.0]]}
    """
    shapes: dict[str, Shape] = {}
    undeclared: list[str] = []  # "layers.<i>." of each layer that does not declare its shapes
    for index, layer in enumerate(layers):
        declared = _declared_shapes(layer, index, where)
        if declared is None:
            undeclared.append(f"layers.{index}.")
        else:
            shapes.update(declared)
    if not isinstance(plain, dict):
        fail(where, f"state must be an object of matrices, got {shown(plain)}")
    for key in shapes:
        if key not in plain:
            fail(where, f"state has no {shown(key)}")
    for key in plain:
        if key not in shapes and not key.startswith(tuple(undeclared)):
            fail(where, f"state has an unexpected {shown(key)}")
    return {
        key: expect_matrix(value, f"state[{key!r}]", where, shapes.get(key))
        for key, value in plain.items()
    }


def build_network(layers: Sequence[ReadLayer], loss: Any, state: dict[str, Matrix],
                  where: str) -> Network:
    """The network of checked layers, loss and state (from ``read_layer``, ``from_spec`` and
    ``read_state``).  What only the layers and the network can check (the arguments' ranges,
    sizes that chain, a loss that fits the last layer, the state of a layer that does not
    declare its shapes) raises ModelFormatError naming ``where``.

    >>> from purenn.layers import Dense
    >>> layers = [read_layer(describe_layer(Dense(2, 1, bias=False), "l", "s"), "l", "load")]
    >>> build_network(layers, "sse", {"layers.0.weight": [[1.0], [2.0]]}, "load").predict([[1, 1]])
    [[3.0]]
    """
    check_window_tables(layers, where)
    built = []
    for index, (cls, config) in enumerate(layers):
        try:
            built.append(cls(**config))
        except PurennError as error:
            fail(where, f"layers[{index}]: {error}")
    try:
        network = Network(built, loss=loss)
        network.load_state_dict(state)
    except PurennError as error:
        fail(where, str(error))
    return network
