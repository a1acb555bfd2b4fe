"""Hypothesis strategies for matrices and small networks, shared by the test modules."""

from typing import List, Optional, Tuple

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
) -> Tuple[pn.Network, Matrix, Matrix]:
    """(network, X, Y): 1..max_layers Dense layers of widths 1..max_width, weights, inputs and
    targets from MODEST, a batch of 1..max_batch rows, each layer with or without a bias."""
    depth = draw(st.integers(1, max_layers))
    widths = draw(st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1))
    layers = [
        pn.Dense(
            widths[i],
            widths[i + 1],
            activation=draw(st.sampled_from(activations)),
            bias=draw(st.booleans()),
        )
        for i in range(depth)
    ]
    network = pn.Network(layers, loss="sse", seed=0)
    for parameter in network.parameters():
        rows, columns = parameter.shape
        parameter.value = draw(matrices(rows, columns))
    batch = draw(st.integers(1, max_batch))
    x = draw(matrices(batch, widths[0]))
    y = draw(matrices(batch, widths[-1]))
    return network, x, y
