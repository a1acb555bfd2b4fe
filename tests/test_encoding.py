"""One-hot encoding and argmax."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import purenn as pn
from purenn.encoding import argmax, is_label_list, one_hot


@given(st.lists(st.integers(0, 6), min_size=1, max_size=10))
def test_argmax_inverts_one_hot(labels):
    encoded = one_hot(labels)
    assert len(encoded) == len(labels)
    assert all(len(row) == max(labels) + 1 for row in encoded)
    assert all(sum(row) == 1.0 for row in encoded)
    assert argmax(encoded) == labels


def test_one_hot_with_explicit_width_and_argmax_ties():
    assert one_hot([1, 0], n_classes=3) == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    assert argmax([[1.0, 3.0, 3.0], [-1.0, -2.0, -3.0]]) == [1, 0]


@pytest.mark.parametrize("labels", [[], [-1], [1.5], [True], "abc", None])
def test_one_hot_rejects_bad_labels(labels):
    with pytest.raises(pn.ShapeError, match="one_hot"):
        one_hot(labels)


def test_one_hot_rejects_too_few_classes():
    with pytest.raises(pn.DataError, match="label 2 is out of range for n_classes=2"):
        one_hot([0, 2], n_classes=2)


@pytest.mark.parametrize("n_classes", [3.0, True, "3", 0])
def test_one_hot_rejects_a_class_count_that_is_not_a_count(n_classes):
    with pytest.raises(pn.ConfigurationError, match=r"one_hot: n_classes must be an int ≥ 1"):
        one_hot([0, 1], n_classes=n_classes)


def test_argmax_rejects_bad_matrix():
    with pytest.raises(pn.ShapeError, match="argmax"):
        argmax([[1.0], [2.0, 3.0]])


def test_is_label_list():
    assert is_label_list([0, 3, 1])
    assert not is_label_list([[0], [1]])
    assert not is_label_list([])
