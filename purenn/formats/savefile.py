"""purenn's own file format: a network, and in a checkpoint its training state, as versioned JSON.

Version 1 is a JSON object with exactly these keys (``save`` writes them in this order)::

    "format":   "purenn"
    "version":  1
    "loss":     {"name": "sse"}                        registered name and arguments
    "layers":   [{"type": "Dense", "n_in": 3, …}, …]   purenn.formats.architecture
    "state":    {"layers.0.weight": [[…], …], …}       Network.state_dict(): every value,
                                                       buffers too (BatchNorm's running_mean,
                                                       running_var, num_batches_tracked)
    "training": null, or in a checkpoint:
        {"optimizer": {"type": "Adam", "config": {"lr": …, …},
                       "state": [one entry per net.parameters(), null or {"step": …, …}]},
         "rng": {"version": 3, "internal_state": [625 ints], "gauss_next": null}}

Floats are written by ``repr``, the shortest text that reads back as the same float, so every
value comes back bit for bit (−0.0 and subnormals included).  JSON has no NaN or infinity:
``save`` refuses a network or optimizer state holding one, naming the entry.

Every file holds the buffers with the weights (a network with BatchNorm predicts by its running
statistics).  A checkpoint also holds what ``fit`` changes besides them: the optimizer (its
type, hyper-parameters and per-parameter state: momentum buffers, Adam's moments and step
counts) and the network's random generator (it shuffles the mini-batches and draws the dropout
masks).  So ``fit(…, epochs=a)``, save,
load, ``fit(…, epochs=b)`` with the loaded optimizer gives bit for bit the weights of ``fit`` for
``a`` epochs then ``b`` more in one process.

Reading checks everything: the file must be UTF-8 JSON (no NaN, no duplicate keys), every key
present and no other, every value of its kind, every size consistent with the stored values
(before any layer is built), the optimizer state shaped as the parameters.  Any fault raises
ModelFormatError naming the file and the field, and nothing else is raised for any content.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ConfigurationError, DataError, PurennError
from purenn.formats.architecture import build_network, describe_network, read_layer, read_state
from purenn.formats.checks import (
    expect_int,
    expect_keys,
    expect_like,
    expect_list,
    expect_number,
    expect_text,
    fail,
)
from purenn.formats.files import file_path, read_bytes, write_atomically
from purenn.formats.names import from_spec
from purenn.losses import LOSSES
from purenn.network import Network
from purenn.optimizers import SGD, Adam, Optimizer

if TYPE_CHECKING:
    from typing import Any

    from purenn.formats.files import PathLike

__all__ = [
    "FORMAT", "VERSION", "OPTIMIZERS", "MAX_NESTING", "nesting_depth", "save", "model_bytes",
    "load", "load_checkpoint",
]

FORMAT = "purenn"
VERSION = 1
KEYS = ["format", "version", "loss", "layers", "state", "training"]

OPTIMIZERS: dict[str, type] = {"SGD": SGD, "Adam": Adam}
"""The optimizers a checkpoint can hold, by their name in the file.  A new optimizer is one entry
here, plus its ``config``, ``plain_state`` and ``state_from_plain`` methods."""

# random.Random.getstate(): (version 3, 624 words of the Mersenne Twister and the position in
# them, the cached second value of random.gauss or None).
RNG_VERSION = 3
RNG_WORDS = 624

# A JSON line this long or shorter stays on one line; longer objects and lists of lists open
# up one item per line (a matrix: one row per line; a row of numbers always stays on its line).
LINE_WIDTH = 100


# -- writing ----------------------------------------------------------------------------------


def _non_finite(value: Any, label: str) -> str | None:
    """The label of the first NaN or ±inf inside ``value`` (nested dicts and lists), or None."""
    if isinstance(value, float):
        return None if math.isfinite(value) else label
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, (list, tuple)):
        if all(type(item) is float for item in value) and math.isfinite(sum(value)):
            return None  # a row of floats whose sum is finite holds no inf or NaN
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _non_finite(item, f"{label}[{key!r}]")
        if found is not None:
            return found
    return None


def _training(network: Network, optimizer: Optimizer, where: str) -> dict[str, Any]:
    """The "training" object of a checkpoint: the optimizer and the network's generator."""
    names = [name for name, cls in OPTIMIZERS.items() if type(optimizer) is cls]
    if not names:
        raise ConfigurationError(
            f"{where}: a checkpoint can hold the optimizers {', '.join(OPTIMIZERS)}, not "
            f"{shown(optimizer)} (see purenn.formats.savefile.OPTIMIZERS)"
        )
    version, internal_state, gauss_next = network.rng.getstate()
    return {
        "optimizer": {
            "type": names[0],
            "config": optimizer.config(),
            "state": optimizer.state_list(network.parameters()),
        },
        "rng": {"version": version, "internal_state": list(internal_state),
                "gauss_next": gauss_next},
    }


def _document(network: Any, optimizer: Any, where: str) -> dict[str, Any]:
    """The whole file as plain data, checked to be writable."""
    if not isinstance(network, Network):
        raise ConfigurationError(f"{where}: expected a Network, got {shown(network)}")
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise ConfigurationError(f"{where}: optimizer must be an Optimizer or None, got "
                                 f"{shown(optimizer)}")
    document: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    document.update(describe_network(network, where))
    document["state"] = network.state_dict()
    document["training"] = None if optimizer is None else _training(network, optimizer, where)
    for key in ("state", "training"):
        found = _non_finite(document[key], key)
        if found is not None:
            raise DataError(f"{where}: {found} is NaN or infinite; a file holds finite numbers "
                            "only (JSON has no NaN)")
    return document


def _dumps(value: Any, indent: str = "") -> str:
    """JSON text for ``value``, indented by ``indent``: on one line when it fits in LINE_WIDTH
    or is a list of plain values (a row of numbers), else one item per line."""
    compact = json.dumps(value, allow_nan=False)
    flat = isinstance(value, (list, tuple)) and not any(
        isinstance(item, (dict, list, tuple)) for item in value
    )
    fits = len(indent) + len(compact) <= LINE_WIDTH
    if flat or fits or not isinstance(value, (dict, list, tuple)):
        return compact
    inner = indent + "  "
    if isinstance(value, dict):
        lines = [f"{inner}{json.dumps(key)}: {_dumps(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(lines) + "\n" + indent + "}"
    lines = [inner + _dumps(item, inner) for item in value]
    return "[\n" + ",\n".join(lines) + "\n" + indent + "]"


def save(network: Network, path: PathLike, optimizer: Optimizer | None = None) -> None:
    """Write ``network`` to ``path`` in purenn's JSON format; with ``optimizer``, a checkpoint
    that also holds the optimizer's state and the network's random generator, so that training
    resumes exactly (``load_checkpoint``).  The layout is in the module docstring.

    The write is atomic (``purenn.formats.files.write_atomically``): if anything fails, the
    file that was at ``path`` is left as it was.  Raises ConfigurationError for an activation,
    loss, initializer or optimizer a file cannot name (a custom one that is not registered),
    ModelFormatError for a layer whose class is not registered (``purenn.register_layer``),
    DataError for a NaN or infinite value, and OSError if the file cannot be written.

    >>> import os, tempfile
    >>> import purenn as pn
    >>> net = pn.Network([pn.Dense(3, 4, "tanh"), pn.Dense(4, 1, "sigmoid")], seed=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> pn.save(net, path)
    >>> pn.load(path).predict([[1, 2, 3]]) == net.predict([[1, 2, 3]])
    True
    """
    where = "save"
    target = file_path(path, where)
    write_atomically(target, model_bytes(network, optimizer, f"{where}: {target}"))


def model_bytes(network: Network, optimizer: Optimizer | None = None, where: str = "save") -> bytes:
    """The bytes ``save`` writes for ``network`` (and ``optimizer``): for a caller that writes
    them together with other files (``purenn.formats.files.write_all_atomically``) or hashes
    them.  Raises as ``save`` does, naming ``where``.

    >>> import purenn as pn
    >>> model_bytes(pn.Network([pn.Dense(1, 1)], seed=0)).splitlines()[1]
    b'  "format": "purenn",'
    """
    return (_dumps(_document(network, optimizer, where)) + "\n").encode("ascii")


# -- reading ----------------------------------------------------------------------------------


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: dict[str, None] = {}
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"the key {key!r} appears twice in one object")
            seen[key] = None
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a model file may hold")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:40]} is beyond a float's range")
    return number


def _small_int(text: str) -> int:
    # Every int in a file is a size, a count or a 32-bit word: 20 digits is more than plenty,
    # and stops a huge integer from costing time or overflowing a float later.
    if len(text) > 20:
        raise ValueError(f"the integer {text[:20]}… is too long")
    return int(text)


MAX_NESTING = 32
"""The deepest nesting of JSON arrays and objects a model file may have (a purenn file nests
at most 6 deep).  Checked before parsing: the JSON parser recurses once per level, and under
WebAssembly (Pyodide) a few thousand levels overflow the engine's stack and kill the
interpreter before Python's recursion limit can raise RecursionError."""

# A string, or an unterminated one up to the end of the text, then a bracket.  The string's
# pattern is unrolled ("plain run, then escape + plain run, …") and its closing quote is
# optional, so it never backtracks: one pass over the text, linear in its length (the form
# "(?:[^"\\]|\\.)*" retried from every quote of an unterminated string was quadratic).
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def nesting_depth(text: str) -> int:
    """The deepest nesting of [ and { in JSON ``text``, brackets inside strings not counted.

    >>> nesting_depth('{"a": [[1], "]]"]}')
    3
    """
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def _parse(data: bytes, where: str) -> Any:
    """The JSON value in ``data``, strictly: UTF-8, no NaN or infinity, no duplicate keys,
    nested at most MAX_NESTING deep."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        fail(where, f"not a purenn model: not UTF-8 text (byte {error.start} is invalid)")
    if nesting_depth(text) > MAX_NESTING:
        fail(where, "not a purenn model: damaged or truncated JSON (nested more than "
                    f"{MAX_NESTING} deep)")
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constant,
            parse_float=_finite_float,
            parse_int=_small_int,
        )
    except (ValueError, RecursionError) as error:
        fail(where, f"not a purenn model: damaged or truncated JSON ({error})")


def _check_version(document: Any, where: str) -> None:
    """The format name and version, before anything else: a newer file's other keys may
    differ, and its version is the useful message."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        fail(where, f"not a purenn model file (no \"format\": \"{FORMAT}\" at the top)")
    version = expect_int(document.get("version"), "version", where)
    if version > VERSION:
        fail(where, f"written by a newer purenn (format version {version}); this purenn reads "
                    f"version {VERSION}: upgrade purenn")
    if version != VERSION:
        fail(where, f"format version {version} does not exist (this purenn reads {VERSION})")


def _read_optimizer(plain: Any, where: str) -> tuple[Optimizer, list[Any]]:
    """(the optimizer, its state list, checked later against the network's parameters)."""
    label = "training.optimizer"
    spec = expect_keys(plain, ["type", "config", "state"], label, where)
    name = expect_text(spec["type"], f"{label}.type", where)
    if name not in OPTIMIZERS:
        fail(where, f"{label}.type is {shown(name, 40)}; known optimizers: {', '.join(OPTIMIZERS)}")
    cls = OPTIMIZERS[name]
    defaults = cls().config()
    config = expect_keys(spec["config"], list(defaults), f"{label}.config", where)
    arguments = {
        key: expect_like(config[key], default, f"{label}.config.{key}", where)
        for key, default in defaults.items()
    }
    try:
        optimizer = cls(**arguments)
    except PurennError as error:
        fail(where, f"{label}.config: {error}")
    return optimizer, expect_list(spec["state"], f"{label}.state", where)


def _read_rng(plain: Any, where: str) -> tuple[int, tuple[int, ...], float | None]:
    """A ``random.Random.getstate()`` tuple, every word checked so setstate cannot fail."""
    label = "training.rng"
    spec = expect_keys(plain, ["version", "internal_state", "gauss_next"], label, where)
    version = expect_int(spec["version"], f"{label}.version", where, RNG_VERSION, RNG_VERSION)
    words = expect_list(spec["internal_state"], f"{label}.internal_state", where, RNG_WORDS + 1)
    checked = words[:RNG_WORDS]
    if not all(type(word) is int and 0 <= word < 2**32 for word in checked):  # fast path first
        checked = [
            expect_int(word, f"{label}.internal_state[{index}]", where, 0, 2**32 - 1)
            for index, word in enumerate(checked)
        ]
    position = expect_int(words[RNG_WORDS], f"{label}.internal_state[{RNG_WORDS}]", where,
                          0, RNG_WORDS)
    gauss_next = spec["gauss_next"]
    if gauss_next is not None:
        gauss_next = expect_number(gauss_next, f"{label}.gauss_next", where)
    return version, (*checked, position), gauss_next


def _read(path: PathLike, where: str) -> tuple[Network, Optimizer | None]:
    """The network and (for a checkpoint) the optimizer in the file at ``path``."""
    target = file_path(path, where)
    where = f"{where}: {target}"
    document = _parse(read_bytes(target), where)
    _check_version(document, where)
    expect_keys(document, KEYS, "the file", where)
    layers = [
        read_layer(plain, f"layers[{index}]", where)
        for index, plain in enumerate(expect_list(document["layers"], "layers", where))
    ]
    if not layers:
        fail(where, "layers is empty; a network has at least one layer")
    loss = from_spec(document["loss"], LOSSES, "loss", where)
    state = read_state(document["state"], layers, where)
    training = document["training"]
    if training is None:
        return build_network(layers, loss, state, where), None
    expect_keys(training, ["optimizer", "rng"], "training", where)
    optimizer, states = _read_optimizer(training["optimizer"], where)
    rng_state = _read_rng(training["rng"], where)
    network = build_network(layers, loss, state, where)
    network.rng.setstate(rng_state)
    try:
        optimizer.load_state_list(network.parameters(), states)
    except PurennError as error:
        fail(where, f"training.optimizer.state: {error}")
    return network, optimizer


def load(path: PathLike) -> Network:
    """The network saved at ``path`` by ``save`` (a checkpoint too: its generator comes back,
    its optimizer is checked and left out; ``load_checkpoint`` returns it).  A network from a
    file without training state gets a fresh generator, seeded by the operating system.

    Raises ModelFormatError (a ValueError) naming the file and the field for any fault in the
    file, and OSError if it cannot be read.

    >>> import os, tempfile
    >>> import purenn as pn
    >>> path = os.path.join(tempfile.mkdtemp(), "broken.json")
    >>> with open(path, "w") as file:
    ...     _ = file.write('{"format": "purenn", "version": 1, "loss": ')
    >>> pn.load(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.ModelFormatError: load: ...broken.json: not a purenn model: damaged or trunc...
    """
    network, _ = _read(path, "load")
    return network


def load_checkpoint(path: PathLike) -> tuple[Network, Optimizer]:
    """(network, optimizer) from a checkpoint written by ``save(network, path, optimizer)``:
    continue training with ``network.fit(…, optimizer=optimizer)``.

    Raises ModelFormatError as ``load`` does, and also for a file saved without an optimizer.

    >>> import os, tempfile
    >>> import purenn as pn
    >>> net = pn.Network([pn.Dense(2, 1, "sigmoid")], seed=0)
    >>> adam = pn.Adam(lr=0.1)
    >>> _ = net.fit([[0, 1], [1, 0]], [[1], [0]], epochs=3, optimizer=adam)
    >>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.json")
    >>> pn.save(net, path, optimizer=adam)
    >>> net2, adam2 = pn.load_checkpoint(path)
    >>> adam2, adam2.state[net2.parameters()[0]]
    (Adam(lr=0.1, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0), <AdamState step 3>)
    """
    network, optimizer = _read(path, "load_checkpoint")
    if optimizer is None:
        fail(f"load_checkpoint: {file_path(path, 'load_checkpoint')}",
             "holds no training state (it was saved without optimizer=); use load")
    return network, optimizer
