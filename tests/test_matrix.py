"""The matrix core: algebraic laws as properties, shapes of every op, and bad input."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import matrices

import purenn as pn
from purenn import kernels
from purenn import matrix as mx

# Below the normal range (2.2e-308) rounding is absolute: each operation may be off by half the
# smallest subnormal, 2.5e-324.  A dot product of k ≤ 5 terms makes ≤ 10 such roundings per side.
SUBNORMAL_ABS_TOL = 20 * 5e-324

# Float matmul is not exactly distributive: each of the k products and k−1 sums of a dot product
# rounds once, by at most ε = 2.2e-16 of the magnitudes involved.  For k ≤ 5 the two sides of
# A(B + C) = AB + AC differ by at most about (2k + 2)ε × Σ_k |A_ik|(|B_kj| + |C_kj|); 1e-14 of
# that scale leaves a factor of ~4 of margin and still catches any real indexing error, which
# would be of the order of the entries themselves.
DISTRIBUTIVE_REL_TOL = 1e-14

# The kernels against an index-loop reference: math.sumprod (3.12+) rounds once instead of once
# per term, so results can differ from a plain left-to-right loop by a few ε of the scale.
REFERENCE_REL_TOL = 1e-14


def reference_matmul(a, b):
    return [
        [sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))]
        for i in range(len(a))
    ]


def shape_of(a):
    return len(a), len(a[0])


pairs_for_matmul = st.tuples(
    st.integers(1, 5), st.integers(1, 5), st.integers(1, 5)
).flatmap(lambda s: st.tuples(matrices(s[0], s[1]), matrices(s[1], s[2])))

same_shape_pairs = st.tuples(st.integers(1, 5), st.integers(1, 5)).flatmap(
    lambda s: st.tuples(matrices(*s), matrices(*s))
)


@given(pairs_for_matmul)
def test_transpose_of_product_is_product_of_transposes(pair):
    a, b = pair
    # (AB)ᵀ_ij and (BᵀAᵀ)_ij add the same products in the same order: equal to the last bit.
    assert mx.transpose(mx.matmul(a, b)) == mx.matmul(mx.transpose(b), mx.transpose(a))


@given(
    st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5)).flatmap(
        lambda s: st.tuples(matrices(s[0], s[1]), matrices(s[1], s[2]), matrices(s[1], s[2]))
    )
)
def test_matmul_distributes_over_addition(triple):
    a, b, c = triple
    left = mx.matmul(a, mx.add(b, c))
    right = mx.add(mx.matmul(a, b), mx.matmul(a, c))
    for i, (left_row, right_row) in enumerate(zip(left, right)):
        for j, (p, q) in enumerate(zip(left_row, right_row)):
            scale = sum(abs(a[i][k]) * (abs(b[k][j]) + abs(c[k][j])) for k in range(len(b)))
            assert abs(p - q) <= DISTRIBUTIVE_REL_TOL * scale + SUBNORMAL_ABS_TOL


@given(matrices())
def test_transpose_is_an_involution(a):
    assert mx.transpose(mx.transpose(a)) == a
    assert shape_of(mx.transpose(a)) == (len(a[0]), len(a))


@given(pairs_for_matmul)
def test_matmul_matches_index_loops(pair):
    a, b = pair
    product = mx.matmul(a, b)
    assert shape_of(product) == (len(a), len(b[0]))
    for got_row, want_row, a_row in zip(product, reference_matmul(a, b), a):
        for j, (got, want) in enumerate(zip(got_row, want_row)):
            scale = sum(abs(a_row[k]) * abs(b[k][j]) for k in range(len(b)))
            assert abs(got - want) <= REFERENCE_REL_TOL * scale + SUBNORMAL_ABS_TOL


@given(
    st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5)).flatmap(
        lambda s: st.tuples(matrices(s[0], s[1]), matrices(s[0], s[2]), matrices(s[1], s[2]))
    )
)
def test_transposed_products_match_explicit_transposes(triple):
    a, b, c = triple
    # Same products, same order of summation: exact.
    assert kernels.matmul_tn(a, b) == mx.matmul(mx.transpose(a), b)
    assert kernels.matmul_nt(b, c) == mx.matmul(b, mx.transpose(c))


@given(same_shape_pairs, st.floats(-3, 3))
def test_entrywise_operations(pair, factor):
    a, b = pair
    rows, columns = shape_of(a)
    cells = [(i, j) for i in range(rows) for j in range(columns)]
    results = {
        "add": (mx.add(a, b), lambda i, j: a[i][j] + b[i][j]),
        "subtract": (mx.subtract(a, b), lambda i, j: a[i][j] - b[i][j]),
        "multiply": (mx.multiply(a, b), lambda i, j: a[i][j] * b[i][j]),
        "scale": (mx.scale(a, factor), lambda i, j: factor * a[i][j]),
        "apply": (mx.apply(math.sin, a), lambda i, j: math.sin(a[i][j])),
        "add_row": (mx.add_row(a, b[0]), lambda i, j: a[i][j] + b[0][j]),
    }
    for name, (result, entry) in results.items():
        assert shape_of(result) == (rows, columns), name
        assert all(result[i][j] == entry(i, j) for i, j in cells), name


@given(matrices())
def test_column_sums_and_shape(a):
    sums = mx.column_sums(a)
    assert len(sums) == len(a[0])
    for j, total in enumerate(sums):
        assert total == pytest.approx(math.fsum(row[j] for row in a), rel=1e-12, abs=1e-12)
    assert mx.shape(a) == shape_of(a)


@given(st.integers(1, 6), st.integers(1, 6))
def test_zeros(rows, columns):
    z = mx.zeros(rows, columns)
    assert shape_of(z) == (rows, columns)
    assert all(value == 0.0 for row in z for value in row)
    z[0][0] = 1.0
    assert all(row[0] == 0.0 for row in z[1:]), "rows must not alias each other"


def test_operations_do_not_modify_arguments():
    a = [[1.0, 2.0], [3.0, 4.0]]
    b = [[5.0, 6.0], [7.0, 8.0]]
    snapshot = ([row[:] for row in a], [row[:] for row in b])
    for operation in (mx.matmul, mx.add, mx.subtract, mx.multiply):
        operation(a, b)
    mx.transpose(a), mx.scale(a, 2.0), mx.add_row(a, b[0]), mx.column_sums(a)
    assert (a, b) == snapshot


def test_complex_entries_flow_through_the_kernels():
    a = [[1.0, 2j], [3.0, 4.0]]
    assert mx.matmul(a, [[1.0], [1.0]]) == [[1.0 + 2j], [7.0]]


@pytest.mark.skipif(not kernels.HAS_SUMPROD, reason="math.sumprod is CPython 3.12+")
def test_long_rows_use_sumprod_where_available():
    # sumprod rounds once per dot product, so on 3.12+ a product whose plain left-to-right sum
    # cancels catastrophically comes out exact: 1e16 + 1 − 1e16 is 1, not 0.  Short rows are
    # unrolled left to right (faster there), so the row is padded past LONGEST_SHORT_ROW.
    padding = [0.0] * kernels.LONGEST_SHORT_ROW
    row = [1e16, 1.0, -1e16, *padding]
    assert kernels.matmul([row], [[1.0]] * len(row)) == [[1.0]]


def test_short_rows_are_summed_left_to_right():
    # The unrolled short-row code adds in order, so the same cancellation loses the 1.
    assert kernels.matmul([[1e16, 1.0, -1e16]], [[1.0], [1.0], [1.0]]) == [[0.0]]


# --- bad input ------------------------------------------------------------------------------

BAD_MATRICES = {
    "empty": [],
    "empty row": [[]],
    "ragged": [[1.0, 2.0], [3.0]],
    "not a list": 3.0,
    "row not a list": [1.0, 2.0],
    "string entry": [[1.0, "2"]],
    "None entry": [[None]],
    "bool entry": [[True]],
}

GOOD = [[1.0, 2.0], [3.0, 4.0]]

UNARY = {
    "transpose": mx.transpose,
    "shape": mx.shape,
    "column_sums": mx.column_sums,
    "scale": lambda a: mx.scale(a, 2.0),
    "apply": lambda a: mx.apply(abs, a),
    "add_row": lambda a: mx.add_row(a, [1.0, 2.0]),
}
BINARY = {
    "matmul": mx.matmul,
    "add": mx.add,
    "subtract": mx.subtract,
    "multiply": mx.multiply,
}


@pytest.mark.parametrize("bad", BAD_MATRICES.values(), ids=list(BAD_MATRICES))
@pytest.mark.parametrize("name", UNARY)
def test_unary_operations_reject_bad_matrices(name, bad):
    with pytest.raises(pn.ShapeError, match=name):
        UNARY[name](bad)


@pytest.mark.parametrize("bad", BAD_MATRICES.values(), ids=list(BAD_MATRICES))
@pytest.mark.parametrize("name", BINARY)
def test_binary_operations_reject_bad_matrices_on_either_side(name, bad):
    with pytest.raises(pn.ShapeError, match=name):
        BINARY[name](bad, GOOD)
    with pytest.raises(pn.ShapeError, match=name):
        BINARY[name](GOOD, bad)


@pytest.mark.parametrize("name", ["add", "subtract", "multiply"])
def test_entrywise_operations_name_both_shapes(name):
    with pytest.raises(pn.ShapeError, match=rf"{name}: .*2×2.*2×3"):
        BINARY[name](GOOD, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def test_matmul_names_both_shapes():
    with pytest.raises(pn.ShapeError, match=r"matmul: .*2×2.*3×1"):
        mx.matmul(GOOD, [[1.0], [2.0], [3.0]])


def test_add_row_rejects_wrong_length():
    with pytest.raises(pn.ShapeError, match=r"add_row: row has 3 entries but A is 2×2"):
        mx.add_row(GOOD, [1.0, 2.0, 3.0])


def test_scale_and_apply_reject_arguments_that_are_not_matrices_as_configuration_errors():
    # A factor or a function is not a matrix: its mistake is not about shapes.
    with pytest.raises(pn.ConfigurationError, match="scale: factor must be a number"):
        mx.scale(GOOD, "2")
    with pytest.raises(pn.ConfigurationError, match="apply: function must be callable"):
        mx.apply("abs", GOOD)


@pytest.mark.parametrize("sizes", [(0, 1), (1, 0), (-1, 2), (1.5, 2), (True, 2)])
def test_zeros_rejects_bad_sizes(sizes):
    with pytest.raises(pn.ConfigurationError, match=r"zeros: (rows|columns) must be an int ≥ 1"):
        mx.zeros(*sizes)


def test_shape_error_is_a_value_error():
    assert issubclass(pn.ShapeError, ValueError)
    assert issubclass(pn.ShapeError, pn.PurennError)


def test_as_float_matrix_converts_and_rejects_complex():
    assert mx.as_float_matrix([[1, 2]], "f") == [[1.0, 2.0]]
    assert all(type(v) is float for v in mx.as_float_matrix([[1, 2]], "f")[0])
    with pytest.raises(pn.ShapeError, match="f: X must hold real numbers"):
        mx.as_float_matrix([[1j]], "f", "X")


@pytest.mark.parametrize(
    ("bad", "where"),
    [(math.nan, r"X\[1\]\[0\] is nan"), (math.inf, r"X\[1\]\[0\] is inf"),
     (-math.inf, r"X\[1\]\[0\] is -inf"), (10**400, r"X\[1\]\[0\] is 1000.*too large for a float")],
    ids=["nan", "inf", "-inf", "10**400"],
)
def test_data_that_is_not_finite_is_refused_naming_row_and_column(bad, where):
    with pytest.raises(pn.DataError, match=f"fit: {where}"):
        mx.as_float_matrix([[1.0, 2.0], [bad, 3.0]], "fit", "X")


def test_finite_entries_whose_row_sum_overflows_are_accepted():
    # Negative control for the row-sum shortcut: 1e308 + 1e308 overflows, the entries do not.
    assert mx.as_float_matrix([[1e308, 1e308]], "fit", "X") == [[1e308, 1e308]]


@pytest.mark.parametrize("method", ["predict", "loss", "fit", "gradients", "evaluate"])
def test_every_network_method_refuses_nan_data(method):
    network = pn.Network([pn.Dense(2, 1)], seed=0)
    arguments = ([[0.0, math.nan]],) if method == "predict" else ([[0.0, 1.0]], [[math.nan]])
    with pytest.raises(pn.DataError, match=f"{method}: (X|Y)\\[0\\]"):
        getattr(network, method)(*arguments)
