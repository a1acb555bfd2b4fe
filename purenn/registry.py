"""Registries: tables from a name to an activation, a loss or an initializer.

``Dense(..., activation="tanh")`` and ``Network(..., loss="sse")`` look names up here.  A
registry is a plain dict (iterate it, index it) whose ``lookup`` fails helpfully: the error
names what was asked for and lists every name that would have worked.
"""

from typing import Dict, List, TypeVar

from purenn.errors import ConfigurationError

__all__ = ["Registry"]

Entry = TypeVar("Entry")


class Registry(Dict[str, Entry]):
    """A name → entry table for one kind of thing ("activation", "loss", "initializer")."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def register(self, name: str, entry: Entry) -> Entry:
        """Add (or replace) ``entry`` under ``name``; returns the entry."""
        self[name] = entry
        return entry

    def names(self) -> List[str]:
        """The registered names, sorted."""
        return sorted(self)

    def lookup(self, name: object, where: str = "") -> Entry:
        """The entry registered as ``name``.

        Raises ConfigurationError (a ValueError), e.g. "unknown loss 'hinge'; known losses:
        bce, cross_entropy, mse, sse", for a name that is not registered or not a string;
        ``where``, if given, names the function that asked ("evaluate: unknown metric …").
        """
        if isinstance(name, str) and name in self:
            return self[name]
        plural = "losses" if self.kind.endswith("s") else f"{self.kind}s"
        prefix = f"{where}: " if where else ""
        raise ConfigurationError(
            f"{prefix}unknown {self.kind} {name!r}; known {plural}: {', '.join(self.names())}"
        )
