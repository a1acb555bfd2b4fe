"""The reference kernels (purenn.kernels): the arithmetic each product promises.

Every entry of a product is ``dot``: left to right from 0.0, except on CPython 3.12+ for rows
longer than LONGEST_SHORT_ROW, where it is math.sumprod.  Bits are compared with struct, so −0.0
counts.  The generated kernels of compile=True are held to these in test_compiled_kernels.py.
"""

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purenn import kernels

entries = st.one_of(
    st.floats(-1e3, 1e3, allow_nan=False),
    st.floats(-1e-300, 1e-300, allow_nan=False),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e16, -1e16, 0.1]),
)
rows = st.integers(1, 40).flatmap(
    lambda k: st.tuples(st.lists(entries, min_size=k, max_size=k),
                        st.lists(entries, min_size=k, max_size=k))
)


def bits(values):
    return [struct.pack("<d", v) for v in values]


def left_to_right(a, b):
    total = 0.0
    for x, y in zip(a, b):
        total = total + x * y
    return total


@given(pair=rows)
def test_dot_sums_left_to_right_or_by_sumprod_as_documented(pair):
    a, b = pair
    if kernels.HAS_SUMPROD and len(a) > kernels.LONGEST_SHORT_ROW:
        expected = math.sumprod(a, b)
    else:
        expected = left_to_right(a, b)
    assert bits([kernels.dot(a, b)]) == bits([expected])
    assert bits(kernels.rows_dot_columns([a], [b])[0]) == bits([expected])


@given(pair=rows)
def test_the_products_are_dot_products_of_rows_and_columns(pair):
    a, b = pair
    column = [[value] for value in b]
    assert bits(kernels.matmul([a], column)[0]) == bits([kernels.dot(a, b)])
    assert bits(kernels.matmul_tn([[value] for value in a], column)[0]) == bits(
        [kernels.dot(a, b)])
    assert bits(kernels.matmul_nt([a], [b])[0]) == bits([kernels.dot(a, b)])
    assert bits(kernels.affine([a], column, [0.5])[0]) == bits([kernels.dot(a, b) + 0.5])


def test_a_sum_of_negative_zeros_is_positive_zero():
    assert bits(kernels.matmul([[-0.0, -0.0]], [[1.0], [1.0]])[0]) == bits([0.0])


def test_complex_entries_flow_through():
    a = [[1.0, 2j, 3.0], [0.5, -1.0, 1e-30j]]
    b = [[1.0, 2.0], [3j, 1.0], [-1.0, 0.0]]
    expected = [[sum(x * y for x, y in zip(row, column)) for column in zip(*b)] for row in a]
    assert kernels.matmul(a, b) == expected


@pytest.mark.parametrize("wrong", [lambda a, b: sum(x * y for x, y in zip(reversed(a),
                                                                             reversed(b)))])
def test_negative_control_a_right_to_left_sum_differs(wrong):
    a, b = [1.0, 1e16, -1e16], [1.0, 1.0, 1.0]
    assert bits([kernels.dot(a, b)]) != bits([wrong(a, b)])
