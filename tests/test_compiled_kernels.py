"""Every generated kernel formulation, forced on this interpreter, against the reference.

compile=True picks a formulation of the matrix products per interpreter and shape
(purenn.compiled.kernels).  CI runs this file on every interpreter, so every formulation an
interpreter offers is checked there: left-to-right ones give exactly a left-to-right sum's bits
(and each other's), sumprod gives ``math.sumprod``'s, and the automatic choice gives the
reference kernels' (purenn.kernels.dot).  The entry formulas a written-out step spells are
checked against the activations' reference functions the same way.  Bits are compared with
struct, so −0.0 and NaN count too.
"""

import math
import struct
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

import purenn as pn
from purenn import kernels as reference
from purenn.activations import ACTIVATIONS
from purenn.cli import seed_network
from purenn.compiled import kernels, straightline
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
    return [[reference.dot(row, column) for column in zip(*b)] for row in a]


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
    with forcing(formulation), kernels.installed():
        assert kernels.formulation_for(len(b), len(b[0])) == formulation
        assert bits(reference.matmul(a, b)) == bits(expected(formulation, a, b))
        assert bits(reference.affine(a, b, bias)) == bits(with_bias)


@given(pair=products)
def test_the_automatic_choice_is_the_reference(pair):
    a, b = pair
    bias = [float(j) - 0.5 for j in range(len(b[0]))]
    plain = (reference.matmul(a, b), reference.matmul_tn(reference.transpose(a), b),
             reference.matmul_nt(a, reference.transpose(b)), reference.affine(a, b, bias))
    assert bits(plain[0]) == bits(reference_product(a, b))
    with kernels.installed():
        assert reference.generated is kernels.GENERATED
        assert bits(reference.matmul(a, b)) == bits(plain[0])
        assert bits(reference.matmul_tn(reference.transpose(a), b)) == bits(plain[1])
        assert bits(reference.matmul_nt(a, reference.transpose(b))) == bits(plain[2])
        assert bits(reference.affine(a, b, bias)) == bits(plain[3])
    assert reference.generated is None


@pytest.mark.parametrize("formulation", FORMULATIONS)
def test_complex_entries_flow_through_every_formulation(forced, formulation):
    forced(formulation)
    a = [[1.0, 2j, 3.0], [0.5, -1.0, 1e-30j]]
    b = [[1.0, 2.0], [3j, 1.0], [-1.0, 0.0]]
    with kernels.installed():
        assert reference.matmul(a, b) == reference_product(a, b)


def test_long_rows_beyond_the_unrolled_limit(forced):
    k = kernels.LONGEST_UNROLLED + 1
    a, b = [[1.0] * k], [[0.5]] * k
    for formulation in FORMULATIONS:
        forced(formulation)
        with kernels.installed():
            assert reference.matmul(a, b) == [[k * 0.5]]


def test_a_sum_of_negative_zeros_is_positive_zero_everywhere(forced):
    # sum() starts from 0, so every formulation starts from 0.0: (−0.0)·1 + (−0.0)·1 is +0.0.
    assert bits(reference.matmul([[-0.0, -0.0]], [[1.0], [1.0]])) == bits([[0.0]])
    for formulation in FORMULATIONS:
        forced(formulation)
        with kernels.installed():
            assert bits(reference.matmul([[-0.0, -0.0]], [[1.0], [1.0]])) == bits([[0.0]])


def test_unknown_formulation_is_refused():
    with pytest.raises(pn.ConfigurationError, match="unknown formulation 'blas'"):
        kernels.use_formulation("blas")


@pytest.mark.parametrize("formulation", FORMULATIONS)
def test_seed_training_is_the_same_with_every_left_to_right_formulation(forced, formulation):
    # The seed's rows are at most 4 long: every formulation but sumprod sums them as the
    # automatic choice does, so training gives the same bits.
    x, y = seed_data()

    def trained():
        network = seed_network(3)
        network.fit(x, y, epochs=50, learning_rate=1.0, compile=True)
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
        assert namespace["products"](rows, columns) == reference.rows_dot_columns(rows, columns)
    assert "0.0 + r0 * c0_0 + r1 * c0_1 + r2 * c0_2" in kernels.unrolled_source(3, 4)


# -- the entry formulas a written-out step spells, against the activations' functions ----------

values = st.one_of(st.floats(-800, 800, allow_nan=False), st.sampled_from([0.0, -0.0, -745.2]),
                   st.floats(allow_nan=False, allow_infinity=True))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
@given(z=values, grad=st.floats(-10, 10))
def test_written_out_entry_formulas_are_the_reference_bit_for_bit(name, z, grad):
    activation = ACTIVATIONS[name]
    kind = type(activation)
    namespace = {"exp": math.exp, "tanh": math.tanh}
    forward = straightline._FORWARD[kind].format(z="z")
    a = eval(forward, namespace, {"z": z})
    assert bits([a]) == bits([activation.function(z)])
    backward = straightline._BACKWARD[kind].format(g="g", a="a", z="z")
    delta = eval(backward, namespace, {"g": grad, "a": a, "z": z})
    assert bits([delta]) == bits([grad * activation.derivative(z, a)])


def test_complex_step_gradcheck_passes_through_the_fast_paths():
    x, y = seed_data()
    network = pn.Network([pn.Dense(3, 4, "relu"), pn.Dense(4, 3, "tanh"),
                          pn.Dense(3, 1, "sigmoid")], loss="sse", seed=2)
    assert pn.gradcheck(network, x, y, "complex").ok
