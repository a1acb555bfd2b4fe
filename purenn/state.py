"""A network's numbers as plain data: the entries of ``Network.state_dict`` and their loading.

Keys are PyTorch's (``torch.nn.Module.state_dict``), "layers.0.weight", so code written for
PyTorch finds its way; purenn's Dense "weights" and BatchNorm's γ and β are "weight" and "bias"
there.  Per layer, its parameters come first, then its buffers, as PyTorch orders a state dict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import DataError, ShapeError
from purenn.matrix import as_float_matrix, format_shape

if TYPE_CHECKING:
    from typing import Any, Mapping, Sequence

    from purenn.kernels import Matrix
    from purenn.layers import Layer, Stored

__all__ = ["STATE_NAMES", "named_state", "state_items", "load_state"]

STATE_NAMES: dict[str, str] = {"weights": "weight", "gamma": "weight", "beta": "bias"}
"""purenn's local names that PyTorch spells otherwise."""


def named_state(layer: Layer) -> list[tuple[str, Stored]]:
    """The layer's (local name, parameter or buffer) pairs: its parameters, then its buffers.

    >>> from purenn import Dense
    >>> [name for name, _ in named_state(Dense(2, 1))]
    ['weights', 'bias']
    """
    named: list[tuple[str, Stored]] = [*layer.named_parameters(), *layer.named_buffers()]
    return named


def state_items(layers: Sequence[Layer]) -> list[tuple[str, Stored]]:
    """(key, parameter or buffer) of every state entry of ``layers``, in order.

    >>> from purenn import Dense
    >>> [key for key, _ in state_items([Dense(2, 1, bias=False), Dense(1, 1)])]
    ['layers.0.weight', 'layers.1.weight', 'layers.1.bias']
    """
    return [
        (f"layers.{index}.{STATE_NAMES.get(name, name)}", held)
        for index, layer in enumerate(layers)
        for name, held in named_state(layer)
    ]


def load_state(layers: Sequence[Layer], state: Mapping[str, Any], where: str) -> None:
    """Set every parameter and buffer of ``layers`` from ``state`` (see
    ``Network.load_state_dict``): all checked, each layer's buffers by the layer itself, before
    any value changes; errors name ``where`` and the entry.

    >>> from purenn import Dense
    >>> layers = [Dense(1, 1, bias=False)]
    >>> load_state(layers, {"layers.0.weight": [[2]]}, "example")
    >>> layers[0].weights.value
    [[2.0]]
    """
    items = state_items(layers)
    # A mapping as dict() tells one: keys() and indexing.
    if not (hasattr(state, "keys") and hasattr(state, "__getitem__")):
        raise ShapeError(f"{where}: state must be a dict, got {shown(state)}")
    expected = [key for key, _ in items]
    missing = [key for key in expected if key not in state]
    unexpected = [repr(key) for key in state if key not in expected]
    if missing or unexpected:
        raise ShapeError(
            f"{where}: missing {', '.join(missing) or 'nothing'}; unexpected "
            f"{', '.join(unexpected) or 'nothing'} (this network has {', '.join(expected)})"
        )
    values = [_state_value(state[key], key, held.shape, where) for key, held in items]
    loaded = {id(held): value for (_, held), value in zip(items, values)}
    for index, layer in enumerate(layers):
        buffers = {name: loaded[id(buffer)] for name, buffer in layer.named_buffers()}
        try:
            layer.check_buffers(buffers)
        except DataError as error:
            raise DataError(f"{where}: layers.{index}: {error}") from None
    for (_, held), value in zip(items, values):
        held.value[:] = value


def _state_value(value: Any, key: str, expected: tuple[int, int], where: str) -> Matrix:
    """``value`` as a float matrix of shape ``expected`` (as_float_matrix refuses NaN and ±inf
    with a DataError)."""
    matrix = as_float_matrix(value, where, key)
    if (len(matrix), len(matrix[0])) != expected:
        raise ShapeError(
            f"{where}: {key} is {format_shape((len(matrix), len(matrix[0])))} but "
            f"the network's is {format_shape(expected)}"
        )
    return matrix
