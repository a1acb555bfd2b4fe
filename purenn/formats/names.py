"""Activations, losses and initializers as plain data: a registered name and its arguments.

A file cannot hold a function, so it names each activation, loss and initializer by the name it
is registered under (``purenn.registry``), with the arguments that rebuild it::

    {"name": "sigmoid"}
    {"name": "leaky_relu", "slope": 0.2}
    {"name": "uniform", "low": -1.0, "high": 1.0}

The rules, the same for every registry:

* An object with a ``config()`` method (``LeakyReLU``, ``ELU``, ``Uniform``, ``Normal``) is
  written as the name of a registered entry of its class, plus its config; it is read back as
  ``type(entry)(**arguments)``.
* Any other object is written as the name under which it is registered, or under which an equal
  object is (same class, same attributes: a fresh ``pn.ReLU()`` or ``pn.MeanSquaredError()``);
  it is read back as that registered entry.  Functions are only ever equal to themselves.
* Anything else (a custom activation, loss or initializer nobody registered) is refused when
  writing, by name, because no file could rebuild it: register it where you save and where you
  load.  A file naming an unregistered entry is refused when reading.
"""

from __future__ import annotations

import inspect
import math
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ConfigurationError, PurennError
from purenn.formats.checks import expect_keys, expect_like, expect_text, fail
from purenn.registry import Registry

if TYPE_CHECKING:
    from typing import Any

__all__ = ["plain_value", "spec_of", "from_spec"]

# Where a user registers each kind, for the message that tells them to.
_REGISTRIES = {
    "activation": "purenn.activations.ACTIVATIONS",
    "loss": "purenn.losses.LOSSES",
    "initializer": "purenn.initializers.INITIALIZERS",
}


def _equal(entry: Any, thing: Any) -> bool:
    """Same class and same attributes: ``thing`` behaves exactly as the registered ``entry``.
    Functions (and methods) carry their behaviour in code, not attributes: never equal."""
    if inspect.isroutine(thing) or type(entry) is not type(thing):
        return False
    entry_attributes = getattr(entry, "__dict__", None)
    return entry_attributes is not None and entry_attributes == getattr(thing, "__dict__", None)


def plain_value(value: Any, label: str, where: str) -> Any:
    """A config value as JSON holds it: None, a bool, an int, a finite float or a string as it
    is, a tuple or list as a list of plain values; ConfigurationError naming ``label`` for
    anything else (an object, NaN), which no file could hold.

    >>> plain_value((3, [0.5, None]), "kernel_size", "save")
    [3, [0.5, None]]
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, (list, tuple)):
        return [plain_value(item, f"{label}[{index}]", where) for index, item in enumerate(value)]
    raise ConfigurationError(f"{where}: {label} has no plain form (a file holds numbers, flags, "
                             f"strings, null and lists): {shown(value)}")


def _unregistered(
    thing: Any, registry: Registry[Any], label: str, where: str
) -> ConfigurationError:
    kind = registry.kind
    suggestion = getattr(thing, "name", None) or getattr(thing, "__name__", f"my_{kind}")
    described = f"(the function {thing.__name__})" if inspect.isroutine(thing) else shown(thing)
    return ConfigurationError(
        f"{where}: {label} {described} is not a registered {kind}, so no file could rebuild "
        f"it; register it, e.g. {_REGISTRIES.get(kind, kind)}.register({shown(suggestion)}, it), "
        "in the program that saves and in the one that loads"
    )


def spec_of(thing: Any, registry: Registry[Any], label: str, where: str) -> dict[str, Any]:
    """{"name": registered name, **arguments} for an activation, loss or initializer (the
    rules are in the module docstring).  Raises ConfigurationError naming ``label`` for one
    that is not registered.

    >>> from purenn.activations import ACTIVATIONS, LeakyReLU
    >>> spec_of(LeakyReLU(0.2), ACTIVATIONS, "activation", "save")
    {'name': 'leaky_relu', 'slope': 0.2}
    """
    config = getattr(thing, "config", None)
    named_itself = [name for name, entry in registry.items() if entry is thing]
    if callable(config):
        family = named_itself + [
            name for name, entry in registry.items() if type(entry) is type(thing)
        ]
        if family:
            arguments = {key: plain_value(value, f"{label}.{key}", where)
                         for key, value in config().items()}
            return {"name": family[0], **arguments}
    else:
        equals = named_itself + [name for name, entry in registry.items() if _equal(entry, thing)]
        if equals:
            return {"name": equals[0]}
    raise _unregistered(thing, registry, label, where)


def from_spec(spec: Any, registry: Registry[Any], label: str, where: str) -> Any:
    """The activation, loss or initializer that ``spec`` (as ``spec_of`` writes it) names.

    Raises ModelFormatError naming ``label`` for a spec that is not an object with a
    registered "name" and exactly the arguments of that entry, each of the right kind and
    accepted by its constructor.

    >>> from purenn.activations import ACTIVATIONS
    >>> from_spec({"name": "elu", "alpha": 0.5}, ACTIVATIONS, "activation", "load: m.json")
    <activation elu(alpha=0.5)>
    """
    if not isinstance(spec, dict) or "name" not in spec:
        fail(where, f"{label} must be an object with a \"name\", got {shown(spec)}")
    name = expect_text(spec["name"], f"{label}.name", where)
    if name not in registry:
        plural = "losses" if registry.kind.endswith("s") else f"{registry.kind}s"
        fail(
            where,
            f"{label} names {shown(name)}, which is not a registered {registry.kind} here (known "
            f"{plural}: {', '.join(registry.names())}); register a custom one before loading",
        )
    entry = registry[name]
    config = getattr(entry, "config", None)
    defaults: dict[str, Any] = config() if callable(config) else {}
    keys: list[str] = ["name", *defaults]
    expect_keys(spec, keys, label, where)
    if not callable(config):
        return entry
    arguments = {
        key: expect_like(spec[key], default, f"{label}.{key}", where)
        for key, default in defaults.items()
    }
    try:
        return type(entry)(**arguments)
    except PurennError as error:
        fail(where, f"{label}: {error}")
