"""Every kernel formulation, forced on this interpreter, against the plain reference, bit for bit.

purenn picks a formulation of its matrix products per interpreter and shape (purenn.kernels).
CI runs this file on every interpreter, so every formulation an interpreter offers is checked
there: left-to-right ones give exactly ``dot_reference``'s bits (and each other's), sumprod gives
``math.sumprod``'s.  The fast activations are checked against the per-entry reference the same
way.  Bits are compared with struct, so −0.0 and NaN count too.
"""

import math
import struct
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

import purenn as pn
from purenn import kernels
from purenn.activations import ACTIVATIONS, Elementwise, ReLU, Sigmoid, Tanh
from purenn.cli import seed_network
from purenn.datasets import seed_data

FORMULATIONS = sorted(kernels.FORMULATIONS)

# Entries that make rounding matter: wide exponents, signed zeros, exact cancellations.
entries = st.one_of(
    st.floats(-1e3, 1e3, allow_nan=False),
    st.floats(-1e-300, 1e-300, allow_nan=False),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e16, -1e16, 0.1]),
)


def matrix(rows, columns):
    return st.lists(st.lists(entries, min_size=columns, max_size=columns),
                    min_size=rows, max_size=rows)


# k (the row length) up to 40 crosses LONGEST_SHORT_ROW (16); k·m crosses LARGEST_UNROLLED_BLOCK.
products = st.tuples(st.integers(1, 4), st.integers(1, 40), st.integers(1, 12)).flatmap(
    lambda s: st.tuples(matrix(s[0], s[1]), matrix(s[1], s[2]))
)


def bits(values):
    """The exact bits of every number of a matrix (or a row), complex parts included."""
    flat = [v for row in values for v in row] if isinstance(values[0], list) else values
    return [struct.pack("<dd", complex(v).real, complex(v).imag) for v in flat]


def reference_product(a, b):
    return [[kernels.dot_reference(row, column) for column in zip(*b)] for row in a]


def expected(formulation, a, b):
    """What a formulation must give: the reference's arithmetic for its kind of sum."""
    columns = list(zip(*b))
    if kernels.FORMULATIONS[formulation].left_to_right:
        return [[left_to_right(row, column) for column in columns] for row in a]
    return [[math.sumprod(row, column) for column in columns] for row in a]


def left_to_right(a, b):
    total = 0.0
    for x, y in zip(a, b):
        total = total + x * y
    return total


@contextmanager
def forcing(name):
    """The block runs with formulation ``name`` forced, then the automatic choice is back."""
    kernels.use_formulation(name)
    try:
        yield
    finally:
        kernels.use_formulation(None)


@pytest.fixture
def forced():
    """use_formulation for the test, and the automatic choice back afterwards."""
    yield kernels.use_formulation
    kernels.use_formulation(None)


@pytest.mark.parametrize("formulation", FORMULATIONS)
@given(pair=products)
def test_every_formulation_gives_its_arithmetic_bit_for_bit(formulation, pair):
    a, b = pair
    bias = [float(j) - 0.5 for j in range(len(b[0]))]
    with_bias = [[z + c for z, c in zip(row, bias)] for row in expected(formulation, a, b)]
    with forcing(formulation):
        assert kernels.formulation_for(len(b), len(b[0])) == formulation
        assert bits(kernels.matmul(a, b)) == bits(expected(formulation, a, b))
        assert bits(kernels.affine(a, b, bias)) == bits(with_bias)


@given(pair=products)
def test_the_automatic_choice_is_the_reference(pair):
    a, b = pair
    assert bits(kernels.matmul(a, b)) == bits(reference_product(a, b))
    assert bits(kernels.matmul_tn(kernels.transpose(a), b)) == bits(reference_product(a, b))
    assert bits(kernels.matmul_nt(a, kernels.transpose(b))) == bits(reference_product(a, b))


@pytest.mark.parametrize("formulation", FORMULATIONS)
def test_complex_entries_flow_through_every_formulation(forced, formulation):
    forced(formulation)
    a = [[1.0, 2j, 3.0], [0.5, -1.0, 1e-30j]]
    b = [[1.0, 2.0], [3j, 1.0], [-1.0, 0.0]]
    assert kernels.matmul(a, b) == reference_product(a, b)


def test_long_rows_beyond_the_unrolled_limit(forced):
    k = kernels.LONGEST_UNROLLED + 1
    a, b = [[1.0] * k], [[0.5]] * k
    for formulation in FORMULATIONS:
        forced(formulation)
        assert kernels.matmul(a, b) == [[k * 0.5]]


def test_a_sum_of_negative_zeros_is_positive_zero_everywhere(forced):
    # sum() starts from 0, so every formulation starts from 0.0: (−0.0)·1 + (−0.0)·1 is +0.0.
    for formulation in FORMULATIONS:
        forced(formulation)
        assert bits(kernels.matmul([[-0.0, -0.0]], [[1.0], [1.0]])) == bits([[0.0]])


def test_unknown_formulation_is_refused():
    with pytest.raises(ValueError, match="unknown formulation 'blas'"):
        kernels.use_formulation("blas")


@pytest.mark.parametrize("formulation", FORMULATIONS)
def test_seed_training_is_the_same_with_every_left_to_right_formulation(forced, formulation):
    # The seed's rows are at most 4 long: every formulation but sumprod sums them as the
    # automatic choice does, so training gives the same bits.
    x, y = seed_data()

    def trained():
        network = seed_network(3)
        network.fit(x, y, epochs=50, learning_rate=1.0)
        return [bits(p.value) for p in network.parameters()]

    automatic = trained()
    forced(formulation)
    if kernels.FORMULATIONS[formulation].left_to_right:
        assert trained() == automatic
    else:  # sumprod rounds once per dot product: the same weights to round-off
        for ours, theirs in zip(trained(), automatic):
            for a, b in zip(ours, theirs):
                x_, y_ = struct.unpack("<dd", a)[0], struct.unpack("<dd", b)[0]
                assert abs(x_ - y_) <= 1e-12 * max(1.0, abs(y_))


def test_the_unrolled_source_compiles_and_reads():
    for k, m in ((1, 1), (3, 4), (2, None), (17, None)):
        source = kernels.unrolled_source(k, m)
        namespace = {}
        exec(compile(source, "<test>", "exec"), {}, namespace)
        rows = [[float(i + p) for p in range(k)] for i in range(3)]
        columns = [[1.0] * k for _ in range(m or 2)]
        assert namespace["products"](rows, columns) == kernels.rows_dot_columns(rows, columns)
    assert "0.0 + r0 * c0_0 + r1 * c0_1 + r2 * c0_2" in kernels.unrolled_source(3, 4)


# -- the fast activations against the per-entry reference ----------------------------------

FAST = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}
values = st.one_of(st.floats(-800, 800, allow_nan=False), st.sampled_from([0.0, -0.0, -745.2]),
                   st.floats(allow_nan=True, allow_infinity=True))
matrices = st.integers(1, 4).flatmap(lambda n: st.lists(
    st.lists(values, min_size=n, max_size=n), min_size=1, max_size=3))


@pytest.mark.parametrize("name", sorted(FAST))
@given(z=matrices, grad=st.floats(-10, 10))
def test_fast_activations_are_the_reference_bit_for_bit(name, z, grad):
    fast = ACTIVATIONS[name]
    assert type(fast) is FAST[name]
    reference = Elementwise(name, fast.function, fast.derivative)
    a = fast.forward(z)
    assert bits(a) == bits(reference.forward(z))
    grads = [[grad * (j + 1) for j in range(len(row))] for row in z]
    assert bits(fast.backward(z, a, grads)) == bits(reference.backward(z, a, grads))


@pytest.mark.parametrize("name", sorted(FAST))
def test_fast_activations_hand_complex_numbers_to_the_reference(name):
    fast = ACTIVATIONS[name]
    reference = Elementwise(name, fast.function, fast.derivative)
    z = [[0.5 + 1e-30j, -2.0], [3.0, -0.25 + 1e-30j]]
    a = fast.forward(z)
    assert a == reference.forward(z) and any(isinstance(v, complex) for row in a for v in row)
    grads = [[1.0, 2.0], [3.0, 4.0]]
    assert fast.backward(z, a, grads) == reference.backward(z, a, grads)


def test_complex_step_gradcheck_passes_through_the_fast_paths():
    x, y = seed_data()
    network = pn.Network([pn.Dense(3, 4, "relu"), pn.Dense(4, 3, "tanh"),
                          pn.Dense(3, 1, "sigmoid")], loss="sse", seed=2)
    assert pn.gradcheck(network, x, y, "complex").ok
