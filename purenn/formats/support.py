"""Which layers each file format takes, and the error that refuses any other by name.

purenn's own JSON format (``save``, ``load``, checkpoints) takes every registered layer type
(``purenn.layers.LAYER_TYPES``, filled by ``register_layer``): it writes a layer's ``config()``
and needs nothing else.  Every other format writes each layer in its own way, so it declares
the layer classes it takes (``declare_layers``, next to its table of how it writes each one).
A network holding a layer that a format does not take is refused with a ModelFormatError that
names the layer and the formats that do take it.  A new layer can therefore land, saved as
JSON, before every export knows it.

The formats are named by the function that writes them: "save", "export_npz" (and its reverse,
``import_npz``), "export_onnx", "export_python".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.errors import ModelFormatError
from purenn.layers import LAYER_TYPES

if TYPE_CHECKING:
    from typing import Collection

    from purenn.network import Network

__all__ = ["JSON", "FORMAT_LAYERS", "declare_layers", "takes", "formats_taking", "check_layers"]

JSON = "save"
"""purenn's own format, by the function that writes it: it takes every registered layer."""

FORMAT_LAYERS: dict[str, Collection[type]] = {}
"""The function that writes a format ("export_onnx") → the layer classes it takes, as its
module declares them.  Exactly these classes: a subclass may compute something else."""


def declare_layers(writer: str, layer_types: Collection[type]) -> None:
    """Declare that the format ``writer`` writes takes exactly the classes in ``layer_types``.
    The collection is kept, not copied: a format's table keyed by layer class (its way of
    writing each) is its declaration, and a class added to the table is taken.

    >>> from purenn.layers import Dense
    >>> declare_layers("export_example", {Dense: "how it writes one"})
    >>> takes("export_example", Dense)
    True
    >>> del FORMAT_LAYERS["export_example"]
    """
    FORMAT_LAYERS[writer] = layer_types


def takes(writer: str, cls: type) -> bool:
    """Whether the format ``writer`` writes takes layers of class ``cls``: for purenn's JSON, a
    registered class; for any other format, one it declares.

    >>> from purenn.layers import Dense
    >>> takes("save", Dense), takes("save", type("Wide", (Dense,), {}))
    (True, False)
    """
    if writer == JSON:
        return LAYER_TYPES.get(cls.__name__) is cls
    return cls in FORMAT_LAYERS[writer]


def formats_taking(cls: type) -> list[str]:
    """The formats that take layers of class ``cls``, purenn's JSON first.

    >>> import purenn as pn
    >>> formats_taking(pn.Dense)
    ['save', 'export_npz', 'export_onnx', 'export_python']
    """
    return [writer for writer in (JSON, *FORMAT_LAYERS) if takes(writer, cls)]


def _article(name: str) -> str:
    """ "an Embedding", "a Dense": the name with its article."""
    return f"{'an' if name[:1] in 'AEIOU' else 'a'} {name}"


def _refusal(writer: str, cls: type) -> str:
    """What ``writer`` says of ``cls``: that it does not take it, and what does."""
    name = _article(cls.__name__)
    others = formats_taking(cls)
    if others:
        described = ", ".join(f"{other} (purenn's JSON)" if other == JSON else other
                              for other in others)
        return f"a layer {writer} does not take; the formats that take {name}: {described}"
    return (f"a layer {writer} does not take; no format takes {name}: register its class "
            f"(@purenn.register_layer) and {JSON} takes it")


def check_layers(network: Network, writer: str, where: str) -> None:
    """ModelFormatError naming ``where``, the first layer of ``network`` that the format
    ``writer`` writes does not take, and the formats that do take it.

    >>> import purenn as pn
    >>> class Wide(pn.Dense):
    ...     pass
    >>> check_layers(pn.Network([Wide(2, 2)]), "export_npz", "export_npz")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.ModelFormatError: export_npz: layers[0] is a Wide, a layer export_npz does not ...
    """
    for index, layer in enumerate(network.layers):
        cls = type(layer)
        if not takes(writer, cls):
            raise ModelFormatError(
                f"{where}: layers[{index}] is {_article(cls.__name__)}, {_refusal(writer, cls)}"
            )
