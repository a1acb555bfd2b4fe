"""Hypothesis strategies for matrices and small networks, shared by the test modules."""

from typing import Any, List, Optional, Tuple

from hypothesis import strategies as st

import purenn as pn

Matrix = List[List[float]]

# Values in a modest range: large enough to exercise saturation of sigmoid/tanh a little, small
# enough that losses stay near 1 and finite differences are not drowned in round-off.
MODEST = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)

SMOOTH_ACTIVATIONS = ["identity", "sigmoid", "tanh"]


def matrices(
    rows: Optional[int] = None,
    columns: Optional[int] = None,
    elements: st.SearchStrategy[float] = MODEST,
    max_side: int = 5,
) -> st.SearchStrategy[Matrix]:
    """Rectangular matrices; a side given as None is drawn from 1..max_side."""
    row_count = st.just(rows) if rows is not None else st.integers(1, max_side)
    column_count = st.just(columns) if columns is not None else st.integers(1, max_side)
    return st.tuples(row_count, column_count).flatmap(
        lambda shape: st.lists(
            st.lists(elements, min_size=shape[1], max_size=shape[1]),
            min_size=shape[0],
            max_size=shape[0],
        )
    )


@st.composite
def networks_with_data(
    draw: st.DrawFn,
    activations: Tuple[str, ...] = tuple(SMOOTH_ACTIVATIONS),
    max_layers: int = 3,
    max_width: int = 5,
    max_batch: int = 4,
    loss: str = "sse",
    output_activations: Optional[Tuple[str, ...]] = None,
) -> Tuple[pn.Network, Matrix, Any]:
    """(network, X, Y): 1..max_layers Dense layers of widths 1..max_width, weights, inputs and
    targets from MODEST, a batch of 1..max_batch rows, each layer with or without a bias.

    ``output_activations`` (default: the same as ``activations``) is what the last layer draws
    from.  ``loss`` picks the targets: a MODEST matrix for "sse"/"mse", probabilities in [0, 1]
    for "bce", a list of class indices for "cross_entropy" (whose output then has ≥ 2 columns).
    With the defaults the draws are exactly those of the original strategy.
    """
    depth = draw(st.integers(1, max_layers))
    widths = draw(st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1))
    if loss == "cross_entropy":
        widths[-1] = max(widths[-1], 2)
    last_choices = activations if output_activations is None else output_activations
    layers = [
        pn.Dense(
            widths[i],
            widths[i + 1],
            activation=draw(st.sampled_from(activations if i < depth - 1 else last_choices)),
            bias=draw(st.booleans()),
        )
        for i in range(depth)
    ]
    network = pn.Network(layers, loss=loss, seed=0)
    for parameter in network.parameters():
        rows, columns = parameter.shape
        parameter.value = draw(matrices(rows, columns))
    batch = draw(st.integers(1, max_batch))
    x = draw(matrices(batch, widths[0]))
    y: Any
    if loss == "cross_entropy":
        y = draw(st.lists(st.integers(0, widths[-1] - 1), min_size=batch, max_size=batch))
    elif loss == "bce":
        y = draw(matrices(batch, widths[-1], st.floats(min_value=0.0, max_value=1.0)))
    else:
        y = draw(matrices(batch, widths[-1]))
    return network, x, y
