"""Registries: tables from a name to an activation, a loss, an initializer or a metric.

``Dense(..., activation="tanh")``, ``Network(..., loss="sse")``, ``init="he_normal"`` and
``metrics=["accuracy"]`` are looked up here.  A registry is a plain dict (iterate it, index it)
that knows what kind of thing it holds: ``resolve`` takes either a registered name or a thing of
that kind, and an unknown name fails helpfully, naming what was asked for and listing every name
that would have worked.  This is the one place where purenn turns a name into an object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, TypeVar

from purenn.arguments import shown
from purenn.errors import ConfigurationError

if TYPE_CHECKING:
    from typing import Callable

Entry = TypeVar("Entry")

__all__ = ["Registry"]


class Registry(Dict[str, Entry]):
    """A name → entry table for one ``kind`` of thing ("activation", "loss", …).

    ``accepts(spec)`` says whether ``spec`` already is such a thing (an Activation instance, a
    callable initializer), in which case ``resolve`` returns it as it is.

    >>> colours = Registry("colour", lambda spec: isinstance(spec, tuple))
    >>> colours.register("red", (255, 0, 0))
    (255, 0, 0)
    >>> colours.resolve("red"), colours.resolve((0, 0, 255))
    ((255, 0, 0), (0, 0, 255))
    """

    def __init__(self, kind: str, accepts: Callable[[object], bool]) -> None:
        super().__init__()
        self.kind = kind
        self.accepts = accepts

    def register(self, name: str, entry: Entry) -> Entry:
        """Add (or replace) ``entry`` under ``name``; returns the entry.

        >>> Registry("colour", callable).register("blue", (0, 0, 255))
        (0, 0, 255)
        """
        self[name] = entry
        return entry

    def names(self) -> list[str]:
        """The registered names, sorted.

        >>> registry = Registry("colour", callable)
        >>> _ = registry.register("red", 1), registry.register("blue", 2)
        >>> registry.names()
        ['blue', 'red']
        """
        return sorted(self)

    def resolve(self, spec: object, where: str = "") -> Entry:
        """``spec`` itself if it is already a thing of this kind, else the entry named ``spec``.

        Raises ConfigurationError (a ValueError), e.g. "unknown loss 'hinge'; known losses:
        bce, cross_entropy, mse, sse", for a name that is not registered or a spec that is
        neither; ``where``, if given, names the function that asked ("evaluate: unknown metric …").

        >>> registry = Registry("colour", lambda spec: isinstance(spec, tuple))
        >>> registry.resolve("red", "paint")
        Traceback (most recent call last):
        ...
        purenn.errors.ConfigurationError: paint: unknown colour 'red'; known colours: (none)
        """
        if self.accepts(spec):
            return spec  # type: ignore[return-value]
        if isinstance(spec, str) and spec in self:
            return self[spec]
        plural = "losses" if self.kind.endswith("s") else f"{self.kind}s"
        prefix = f"{where}: " if where else ""
        known = ", ".join(self.names()) or "(none)"
        raise ConfigurationError(
            f"{prefix}unknown {self.kind} {shown(spec)}; known {plural}: {known}"
        )
