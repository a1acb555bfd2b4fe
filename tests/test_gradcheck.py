"""The gradient checker's public surface: numerical_gradient on functions with known derivatives,
gradcheck's result, restoring parameters, sampling, raising and bad input.  The command line is
in test_gradcheck_cli.py, the planted bugs in test_gradcheck_controls.py."""

import copy
import math
import warnings

import pytest

import purenn as pn
from purenn import cli, kernels
from purenn.activations import Elementwise
from purenn.datasets import seed_data
from purenn.gradient_checking import DEFAULT_TOLERANCES, METHODS, verdict
from purenn.losses import SumSquaredError
from purenn.scalar import exp

X, Y = seed_data()


def seed_and_deep_networks():
    return [cli.seed_network(1), cli.deep_network(1)]


def within_tolerance(got, want, method):
    rtol, atol = DEFAULT_TOLERANCES[method]
    return all(
        abs(g - w) <= atol + rtol * max(abs(g), abs(w))
        for got_matrix, want_matrix in zip(got, want)
        for got_row, want_row in zip(got_matrix, want_matrix)
        for g, w in zip(got_row, want_row)
    )


# -- numerical_gradient against derivatives known in closed form ---------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_numerical_gradient_of_a_cubic_is_3p_squared(method):
    p = [[0.5, -1.25, 2.0], [3.0, 0.0, -0.75]]

    def f(params):
        return sum(v * v * v for row in params[0] for v in row)

    (gradient,) = pn.numerical_gradient(f, [p], method)
    assert within_tolerance([gradient], [[[3 * v * v for v in row] for row in p]], method)


@pytest.mark.parametrize("method", METHODS)
def test_numerical_gradient_of_an_exponential_of_a_weighted_sum(method):
    # f = exp(Σ c_ij p_ij): ∂f/∂p_ij = c_ij · f
    c = [[0.5, -0.25], [0.125, 1.0]]
    p = [[0.1, 0.2], [-0.3, 0.4]]

    def f(params):
        return exp(sum(ci * pi for cr, pr in zip(c, params[0]) for ci, pi in zip(cr, pr)))

    value = f([p])
    (gradient,) = pn.numerical_gradient(f, [p], method)
    assert within_tolerance([gradient], [[[ci * value for ci in row] for row in c]], method)


@pytest.mark.parametrize("method", METHODS)
def test_numerical_gradient_of_a_matrix_product(method):
    # f(A, B) = Σ_ij C_ij (A·B)_ij = tr(Cᵀ A B):  ∂f/∂A = C·Bᵀ,  ∂f/∂B = Aᵀ·C
    a = [[1.0, 2.0, -1.0], [0.5, -0.5, 3.0]]
    b = [[0.2, 1.0], [-1.0, 0.3], [0.7, 0.7]]
    c = [[1.0, -2.0], [0.25, 0.5]]

    def f(params):
        product = kernels.matmul(params[0], params[1])
        return sum(kernels.dot(cr, pr) for cr, pr in zip(c, product))

    grad_a, grad_b = pn.numerical_gradient(f, [a, b], method)
    want = [kernels.matmul_nt(c, b), kernels.matmul_tn(a, c)]
    assert within_tolerance([grad_a, grad_b], want, method)


def test_numerical_gradient_restores_the_matrices_and_keeps_their_identity():
    a = [[1.0, 2.0], [3.0, 4.0]]
    rows = list(a)
    before = copy.deepcopy(a)
    for method in METHODS:
        pn.numerical_gradient(lambda params: params[0][0][0] * params[0][1][1], [a], method)
    assert a == before and all(x is y for x, y in zip(a, rows))


def test_numerical_gradient_does_not_warn_for_entries_f_ignores():
    # f uses only two of the four entries: perturbing the others leaves its value real, which
    # is a zero derivative, not a complex-safety bug.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gradient = pn.numerical_gradient(lambda p: p[0][0][0] * p[0][1][1], [[[2.0, 5.0],
                                                                              [7.0, 3.0]]],
                                         "complex")
    assert gradient == [[[3.0, 0.0], [0.0, 2.0]]]


def test_numerical_gradient_warns_when_f_drops_the_imaginary_part():
    with pytest.warns(pn.ComplexStepWarning):
        gradient = pn.numerical_gradient(lambda p: abs(p[0][0][0]) ** 2, [[[1.5]]], "complex")
    assert gradient == [[[0.0]]]  # the derivative 3.0 was lost: the reason for the warning


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"method": "backward"}, pn.ConfigurationError),
        ({"eps": 0.0}, pn.ConfigurationError),
        ({"eps": -1e-6}, pn.ConfigurationError),
        ({"eps": math.nan}, pn.ConfigurationError),
        ({"eps": "small"}, pn.ConfigurationError),
        ({"params": [[[1.0, 2.0], [3.0]]]}, pn.ShapeError),
        ({"params": [[]]}, pn.ShapeError),
        ({"params": [[["x"]]]}, pn.ShapeError),
        ({"params": ([[1.0]],)}, pn.ConfigurationError),
        ({"params": [[(1.0,)]]}, pn.ConfigurationError),
        ({"f": 3.0}, pn.ConfigurationError),
    ],
)
def test_numerical_gradient_rejects_bad_input(kwargs, error):
    arguments = {"f": lambda params: 0.0, "params": [[[1.0]]], **kwargs}
    with pytest.raises(error, match="numerical_gradient"):
        pn.numerical_gradient(**arguments)


def test_unknown_method_error_lists_the_methods():
    with pytest.raises(pn.ConfigurationError) as raised:
        pn.gradcheck(cli.seed_network(1), X, Y, "sideways")
    for method in METHODS:
        assert method in str(raised.value)


def test_a_step_below_the_float_spacing_is_refused():
    with pytest.raises(pn.ConfigurationError, match="spacing"):
        pn.numerical_gradient(lambda p: p[0][0][0], [[[1.0]]], "central", eps=1e-20)


# -- gradcheck's result ------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_gradcheck_checks_every_entry_and_reports_it(method):
    for network in seed_and_deep_networks():
        result = pn.gradcheck(network, X, Y, method)
        assert result.ok and bool(result), str(result)
        total = sum(r * c for r, c in (p.shape for p in network.parameters()))
        assert (result.n_checked, result.n_skipped) == (total, 0)
        text = str(result)
        for parameter in network.parameters():
            assert parameter.name in text
        assert result.max_abs_err == max(row.max_abs_err for row in result.parameters)
        worst = result.worst
        assert worst.rel_err == result.max_rel_err
        _, grads = network.gradients(X, Y)
        index = [p.name for p in network.parameters()].index(worst.parameter)
        i, j = worst.index
        assert worst.analytic == grads[index][i][j]
        assert "PASSED" in text and "excellent" in text


def test_richardson_is_more_accurate_than_central_and_the_complex_step_most():
    # Truncation O(h⁴) at h = 7e-4 against O(h²) at 6e-6: the issue measured ~50×; ask for 5×.
    # The complex step has no round-off term at all: ~1e-16 against central's ~1e-11.
    network = cli.deep_network(1)
    errors = {m: pn.gradcheck(network, X, Y, m).max_abs_err for m in METHODS}
    assert errors["richardson"] * 5 < errors["central"]
    assert errors["complex"] * 100 < errors["richardson"]


class DoubledSquaredError(SumSquaredError):
    """The sum of squares with twice its gradient: a wrong gradient for the report to show."""

    name = "sse_doubled"

    def gradient(self, output, target):
        return kernels.scale(super().gradient(output, target), 2.0)


def test_a_wrong_gradient_is_reported_with_its_entry_and_verdict():
    layers = [pn.Dense(3, 2, "tanh"), pn.Dense(2, 1)]
    network = pn.Network(layers, loss=DoubledSquaredError(), seed=4)
    result = pn.gradcheck(network, X, Y)
    assert not result.ok
    text = str(result)
    assert "FAILED" in text and "wrong" in text and " NO" in text
    worst = result.worst
    assert worst.analytic == pytest.approx(2 * worst.numeric, rel=1e-6)
    assert f"{worst.parameter}[{worst.index[0]}, {worst.index[1]}]" in text


def test_the_whole_check_is_summarised_as_each_row_is():
    # One implementation of the summaries: the result's are those of all the rows' entries.
    network = pn.Network([pn.Dense(3, 2, "relu"), pn.Dense(2, 1)], DoubledSquaredError(), seed=4)
    network.layers[0].bias.value = [[0.0, 0.0]]
    network.layers[0].weights.value = [[0.0, 1.0], [0.0, -1.0], [0.0, 0.5]]  # z = 0: skips
    result = pn.gradcheck(network, X, Y)
    rows = result.parameters
    assert result.entries == tuple(entry for row in rows for entry in row.entries)
    assert result.failures == [entry for row in rows for entry in row.failures]
    assert result.n_checked == sum(row.n_checked for row in rows)
    assert result.n_skipped == sum(row.n_skipped for row in rows) > 0
    assert result.max_abs_err == max(row.max_abs_err for row in rows)
    assert result.max_rel_err == max(row.max_rel_err for row in rows) == result.worst.rel_err
    assert (result.ok, result.verdict) == (False, "wrong")
    assert "not checked" not in str(result)


def test_a_check_that_skipped_every_entry_says_so_and_fails_nothing():
    # One relu unit with z = 0 on every row: every step of every entry crosses the kink.
    network = pn.Network([pn.Dense(3, 1, "relu")], seed=0)
    network.layers[0].weights.value = [[0.0], [0.0], [0.0]]
    result = pn.gradcheck(network, X, Y)
    assert (result.n_checked, result.n_skipped, result.worst) == (0, 4, None)
    assert result.ok and result.verdict == "not checked"
    assert "no entry checked: every step crossed a kink" in str(result)


def test_a_nan_error_is_judged_wrong():
    # NaN compares false with every bound, so it must not fall through to a passing verdict.
    assert verdict(math.nan) == "wrong"


def test_the_table_counts_one_entry_in_the_singular():
    network = pn.Network([pn.Dense(3, 1, bias=False)], loss=DoubledSquaredError(), seed=0)
    text = str(pn.gradcheck(network, X, Y, sample=1))
    assert "FAILED (1 entry)" in text and "; 1 entry checked, 0 skipped" in text


def test_raise_on_failure_raises_gradient_check_error_with_the_table():
    wrong = Elementwise("wrong", math.tanh, lambda z, a: 1.0)
    network = pn.Network([pn.Dense(3, 2, wrong), pn.Dense(2, 1)], seed=4)
    with pytest.raises(pn.GradientCheckError) as raised:
        pn.gradcheck(network, X, Y, raise_on_failure=True)
    assert isinstance(raised.value, AssertionError)
    assert "layers[0].weights" in str(raised.value) and "verdict" in str(raised.value)
    # and a passing check does not raise
    assert pn.gradcheck(cli.seed_network(1), X, Y, raise_on_failure=True).ok


def test_tolerances_are_applied_as_given():
    network = cli.seed_network(1)
    assert not pn.gradcheck(network, X, Y, "central", rtol=0.0, atol=0.0).ok
    assert pn.gradcheck(network, X, Y, "central", rtol=0.0, atol=1e-9).ok


def test_complex_step_warns_when_the_forward_drops_the_imaginary_part():
    # math.tanh(z.real) is the right value but loses Im z: the derivative reads as 0.
    lossy = Elementwise("lossy_tanh", lambda z: math.tanh(z.real), lambda z, a: 1.0 - a * a)
    network = pn.Network([pn.Dense(3, 2, lossy), pn.Dense(2, 1)], seed=4)
    with pytest.warns(pn.ComplexStepWarning, match="imaginary part"):
        result = pn.gradcheck(network, X, Y, "complex")
    assert not result.ok
    assert pn.gradcheck(network, X, Y, "central").ok  # the analytic gradient itself is right


# -- parameters restored, determinism ----------------------------------------------------------


def snapshot(network):
    return [(p.value, [list(row) for row in p.value], list(p.value)) for p in network.parameters()]


def assert_restored(network, saved):
    for parameter, (matrix, values, rows) in zip(network.parameters(), saved):
        assert parameter.value is matrix and parameter.value == values
        assert all(a is b for a, b in zip(parameter.value, rows))
        assert all(type(v) is float for row in parameter.value for v in row)


@pytest.mark.parametrize("method", METHODS)
def test_parameters_are_restored(method):
    network = cli.deep_network(2)
    saved = snapshot(network)
    pn.gradcheck(network, X, Y, method)
    assert_restored(network, saved)


class ExplodingSquaredError(SumSquaredError):
    """The sum of squares, raising on its ``fuse``-th evaluation."""

    name = "exploding"

    def __init__(self, fuse):
        self.calls = 0
        self.fuse = fuse

    def value(self, output, target):
        self.calls += 1
        if self.calls == self.fuse:
            raise RuntimeError("loss exploded mid-check")
        return super().value(output, target)


@pytest.mark.parametrize("method", METHODS)
def test_parameters_are_restored_when_the_loss_raises_mid_check(method):
    layers = [pn.Dense(3, 3, "tanh"), pn.Dense(3, 1)]
    network = pn.Network(layers, loss=ExplodingSquaredError(7), seed=1)
    saved = snapshot(network)
    with pytest.raises(RuntimeError, match="mid-check"):
        pn.gradcheck(network, X, Y, method)
    assert network.loss_function.calls == 7
    assert_restored(network, saved)


def checked_entries(result):
    return [(e.parameter, e.index) for row in result.parameters for e in row.entries]


def test_sample_checks_k_entries_per_parameter_deterministically():
    network = cli.deep_network(1)
    first = pn.gradcheck(network, X, Y, sample=3, seed=11)
    again = pn.gradcheck(network, X, Y, sample=3, seed=11)
    other = pn.gradcheck(network, X, Y, sample=3, seed=12)
    assert checked_entries(first) == checked_entries(again)
    assert checked_entries(first) != checked_entries(other)
    sizes = [r * c for r, c in (p.shape for p in network.parameters())]
    assert first.n_checked == sum(min(3, size) for size in sizes)
    assert len(set(checked_entries(first))) == first.n_checked
    full = pn.gradcheck(network, X, Y, sample=1000)
    assert checked_entries(full) == checked_entries(pn.gradcheck(network, X, Y))


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"method": "backward"}, pn.ConfigurationError, "central"),
        ({"rtol": -1e-5}, pn.ConfigurationError, "rtol"),
        ({"atol": math.inf}, pn.ConfigurationError, "atol"),
        ({"atol": True}, pn.ConfigurationError, "atol"),
        ({"eps": 0.0}, pn.ConfigurationError, "eps"),
        ({"sample": 0}, pn.ConfigurationError, "sample"),
        ({"sample": 2.0}, pn.ConfigurationError, "sample"),
        ({"sample": True}, pn.ConfigurationError, "sample"),
        ({"seed": "one"}, pn.ConfigurationError, "seed"),
        ({"X": [[0.0, 1.0]] * 4}, pn.ShapeError, "X is 4×2"),
        ({"X": [[0.0, 1.0, 2.0], [1.0]]}, pn.ShapeError, "ragged"),
        ({"Y": [[0.0, 1.0]] * 4}, pn.ShapeError, "Y is 4×2"),
        ({"Y": [[0.0]] * 3}, pn.ShapeError, "Y is 3×1"),
        ({"net": "not a network"}, pn.ConfigurationError, "Network"),
    ],
)
def test_gradcheck_rejects_bad_input(kwargs, error, words):
    arguments = {"net": cli.seed_network(1), "X": X, "Y": Y, **kwargs}
    with pytest.raises(error, match="gradcheck") as raised:
        pn.gradcheck(**arguments)
    assert words in str(raised.value)
