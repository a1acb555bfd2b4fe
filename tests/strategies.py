"""Hypothesis strategies for matrices and small networks, shared by the test modules."""

from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

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


# -- network specs for the gradient checker -----------------------------------------------------
#
# A spec is pure data (widths, bias flags, parameter values, inputs, and a matrix U of numbers in
# [0, 1] from which each loss derives its targets), so one spec builds a network for any
# activation and any loss, and hypothesis ``@example``s can be written out by hand.

UNIT = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_infinity=False)


class NetworkSpec(NamedTuple):
    """Widths (n_in, hidden..., n_out), a bias flag per layer, each parameter's value (layer by
    layer, weights before bias), inputs X and a target seed matrix U (batch × n_out, in [0, 1])."""

    widths: List[int]
    biases: List[bool]
    values: List[Matrix]
    x: Matrix
    u: Matrix


@st.composite
def network_specs(
    draw: st.DrawFn, max_layers: int = 3, max_width: int = 4, max_batch: int = 3
) -> NetworkSpec:
    """Specs of 1..max_layers Dense layers of widths 1..max_width, values from MODEST."""
    depth = draw(st.integers(1, max_layers))
    widths = draw(st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1))
    biases = draw(st.lists(st.booleans(), min_size=depth, max_size=depth))
    values = []
    for n_in, n_out, bias in zip(widths, widths[1:], biases):
        values.append(draw(matrices(n_in, n_out)))
        if bias:
            values.append(draw(matrices(1, n_out)))
    batch = draw(st.integers(1, max_batch))
    return NetworkSpec(widths, biases, values, draw(matrices(batch, widths[0])),
                       draw(matrices(batch, widths[-1], elements=UNIT)))


def real_targets(u: Matrix) -> Any:
    """Targets for a regression loss: U itself (any real matrix would do)."""
    return [row[:] for row in u]


def probability_targets(u: Matrix) -> Any:
    """Targets for binary cross-entropy: probabilities in [0, 1], U itself."""
    return [row[:] for row in u]


def class_targets(u: Matrix) -> Any:
    """Targets for softmax cross-entropy: the class of each row is argmax U; given as one-hot
    rows or, when U[0][0] < 0.5, as a list of class indices (both forms are accepted)."""
    labels = pn.argmax(u)
    if u[0][0] < 0.5:
        return labels
    return pn.one_hot(labels, len(u[0]))


def always(output: Matrix) -> bool:
    """Every output is fine for central differences."""
    return True


def probabilities_away_from_0_and_1(output: Matrix) -> bool:
    """Outputs in [1e-3, 1 − 1e-3].  Binary cross-entropy on probabilities needs 1 − p, which
    is only known to ε/(1 − p) relative when p is near 1 (p near 0 for log p).  Backprop
    (through (p − t)/(p(1 − p)) and σ′ = p(1 − p)) and the complex step (Im log(1 − p)) both
    inherit that relative error: ~2e-13 at p = 1 − 1e-3, within the complex step's rtol 1e-9,
    but 2e-6 at p = 1 − 1e-10.  Central differences lose it divided by the step 6e-6: ~4e-8 at
    p = 1 − 1e-3, within atol 1e-7.  Saturated probabilities are the loss's conditioning, not a
    wrong gradient, so the checks only run where they are well-conditioned."""
    return all(1e-3 <= p <= 1.0 - 1e-3 for row in output for p in row)


class LossSetup(NamedTuple):
    """How to pair a loss with a network: the output layer's activation (None: the activation
    under test), how to turn U into targets the loss accepts, and on which network outputs the
    loss is well-conditioned enough for the gradient checks' default tolerances."""

    output_activation: Optional[str]
    targets: Callable[[Matrix], Any]
    conditioned: Callable[[Matrix], bool] = always


# loss name -> compatible output layer and targets.  A loss not listed gets DEFAULT_LOSS_SETUP
# (any output activation, real targets in [0, 1]); a listed loss not yet registered is not used.
LOSS_SETUPS: Dict[str, LossSetup] = {
    "sse": LossSetup(None, real_targets),
    "mse": LossSetup(None, real_targets),
    # outputs must be probabilities in (0, 1)
    "bce": LossSetup("sigmoid", probability_targets, probabilities_away_from_0_and_1),
    # the loss applies log-softmax itself, so the output layer gives raw logits
    "cross_entropy": LossSetup("identity", class_targets),
}
DEFAULT_LOSS_SETUP = LossSetup(None, real_targets)


def loss_setup(loss: str) -> LossSetup:
    """LOSS_SETUPS[loss], or DEFAULT_LOSS_SETUP for a loss this table does not know."""
    return LOSS_SETUPS.get(loss, DEFAULT_LOSS_SETUP)


def build_network(
    spec: NetworkSpec, activation: Any, loss: str, dense: Callable[..., Any] = pn.Dense
) -> Tuple[pn.Network, Matrix, Any]:
    """(network, X, Y) from a spec: every layer uses ``activation`` except the output layer when
    the loss needs a particular one; ``dense`` builds each layer (a broken Dense subclass for a
    negative control)."""
    setup = loss_setup(loss)
    depth = len(spec.biases)
    layers = []
    for index, (n_in, n_out, bias) in enumerate(zip(spec.widths, spec.widths[1:], spec.biases)):
        chosen = activation
        if index == depth - 1 and setup.output_activation is not None:
            chosen = setup.output_activation
        layers.append(dense(n_in, n_out, activation=chosen, bias=bias))
    network = pn.Network(layers, loss=loss, seed=0)
    for parameter, value in zip(network.parameters(), spec.values):
        parameter.value = [row[:] for row in value]
    return network, [row[:] for row in spec.x], setup.targets(spec.u)
