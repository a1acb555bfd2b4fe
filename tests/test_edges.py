"""Edge paths of the public surface: bad input raises the documented error, complex input takes
the cmath path, and the small helpers (reprs, registries, the demo) do what they say.
"""

import cmath
import io
import math
import random
import runpy
import sys
from typing import Any, Callable, List

import pytest

import purenn as pn
from purenn import scalar
from purenn.activations import ACTIVATIONS, relu, relu_derivative
from purenn.cli import main, run_demo
from purenn.initializers import INITIALIZERS, Normal, Uniform, xavier_uniform
from purenn.layers import Layer
from purenn.losses import LOSSES, Loss
from purenn.matrix import check_matrix
from purenn.optimizers import SGD

Matrix = List[List[float]]

# -- the complex-safe scalar functions ----------------------------------------------------------

SCALAR_PAIRS = [
    (scalar.exp, math.exp, cmath.exp),
    (scalar.log, math.log, cmath.log),
    (scalar.tanh, math.tanh, cmath.tanh),
    (scalar.sqrt, math.sqrt, cmath.sqrt),
]


@pytest.mark.parametrize("function, real, complex_", SCALAR_PAIRS)
def test_scalar_functions_use_math_for_reals_and_cmath_for_complex(
    function: Callable[[Any], Any], real: Callable[[float], float], complex_: Callable[[Any], Any]
) -> None:
    assert function(0.7) == real(0.7)
    assert type(function(0.7)) is float
    assert function(0.7 + 1e-30j) == complex_(0.7 + 1e-30j)


def test_log1p_of_a_complex_step_carries_the_derivative() -> None:
    # Complex step: Im f(x + ih)/h = f'(x) = 1/(1 + x) for f = log1p; h = 1e-30 is far below
    # round-off of the real part, so the imaginary part is exact to machine precision.
    x, h = 0.25, 1e-30
    assert scalar.log1p(x) == math.log1p(x)
    assert math.isclose(scalar.log1p(complex(x, h)).imag / h, 1 / (1 + x), rel_tol=1e-15)


# -- activations, losses, initializers: registries and bad names ----------------------------------


def test_relu_and_its_derivative() -> None:
    assert [relu(z) for z in (-2.0, 0.0, 3.0)] == [0.0, 0.0, 3.0]
    assert [relu_derivative(z, relu(z)) for z in (-2.0, 0.0, 3.0)] == [0.0, 0.0, 1.0]


def test_registries_hand_back_instances_and_reject_unknown_names() -> None:
    sigmoid = ACTIVATIONS.resolve("sigmoid")
    assert ACTIVATIONS.resolve(sigmoid) is sigmoid
    assert "sigmoid" in repr(sigmoid)
    sse = LOSSES.resolve("sse")
    assert LOSSES.resolve(sse) is sse
    assert "sse" in repr(sse)
    assert INITIALIZERS.resolve(xavier_uniform) is xavier_uniform
    with pytest.raises(pn.ConfigurationError, match=r"unknown activation 'nope'.*sigmoid"):
        ACTIVATIONS.resolve("nope")
    with pytest.raises(pn.ConfigurationError, match=r"unknown loss 'nope'.*sse"):
        LOSSES.resolve("nope")
    with pytest.raises(pn.ConfigurationError, match=r"unknown initializer 'nope'.*uniform"):
        INITIALIZERS.resolve("nope")


@pytest.mark.parametrize(
    "low, high, wrong",
    [(1.0, 1.0, "high"), (2.0, 1.0, "high"), (0.0, math.inf, "high"), (math.nan, 1.0, "low"),
     ("0", 1.0, "low"), (0.0, True, "high")],
)
def test_uniform_rejects_bad_bounds(low: Any, high: Any, wrong: str) -> None:
    with pytest.raises(pn.ConfigurationError, match=f"Uniform: {wrong} must be a finite number"):
        Uniform(low, high)


@pytest.mark.parametrize(
    "mean, std, wrong",
    [(0.0, 0.0, "std"), (0.0, -1.0, "std"), (math.inf, 1.0, "mean"), (0.0, True, "std"),
     (0.0, "1", "std")],
)
def test_normal_rejects_bad_parameters(mean: Any, std: Any, wrong: str) -> None:
    with pytest.raises(pn.ConfigurationError, match=f"Normal: {wrong} must be a finite number"):
        Normal(mean, std)


@pytest.mark.parametrize(
    "initializer", [xavier_uniform, pn.xavier_normal, pn.he_uniform, pn.he_normal, Uniform()]
)
@pytest.mark.parametrize("fans", [(0, 0), (3, 0), (-1, 2), (2.0, 3)])
def test_initializers_refuse_sizes_that_are_not_sizes(initializer: Any, fans: Any) -> None:
    with pytest.raises(pn.ConfigurationError, match=r"n_(in|out) must be an int ≥ 1"):
        initializer(random.Random(0), *fans)


# -- layers ------------------------------------------------------------------------------------


def test_parameter_and_dense_reprs_name_shapes_and_options() -> None:
    layer = pn.Dense(3, 2, activation="tanh", bias=False)
    assert repr(layer) == "Dense(3, 2, activation='tanh', bias=False)"
    assert repr(layer.weights) == "<Parameter weights 3×2>"


@pytest.mark.parametrize("n_in, n_out", [(0, 2), (2, -1), (True, 2), (2.0, 2)])
def test_dense_rejects_bad_sizes(n_in: Any, n_out: Any) -> None:
    with pytest.raises(pn.ConfigurationError, match=r"Dense: n_(in|out) must be an int ≥ 1"):
        pn.Dense(n_in, n_out)


def test_dense_backward_before_forward_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="before forward"):
        pn.Dense(2, 2).backward([[1.0, 1.0]])


def test_a_parameterless_layer_has_no_parameters() -> None:
    assert Layer().named_parameters() == []


# -- network boundaries -----------------------------------------------------------------------


def test_network_rejects_bad_layer_lists() -> None:
    with pytest.raises(pn.ConfigurationError, match="at least one layer"):
        pn.Network([])
    with pytest.raises(pn.ConfigurationError, match=r"layers\[1\] is not a Layer"):
        pn.Network([pn.Dense(2, 2), "dense"])  # type: ignore[list-item]
    with pytest.raises(pn.ConfigurationError, match=r"layers\[0\] gives 3 outputs.*takes 4"):
        pn.Network([pn.Dense(2, 3), pn.Dense(4, 1)])


def test_network_rejects_inputs_and_targets_of_the_wrong_width() -> None:
    network = pn.Network([pn.Dense(3, 1)], seed=0)
    with pytest.raises(pn.ShapeError, match=r"predict: X is 1×2 but the network takes 3"):
        network.predict([[1.0, 2.0]])
    with pytest.raises(pn.ShapeError, match=r"loss: Y is 1×2 but the network gives 1×1"):
        network.loss([[1.0, 2.0, 3.0]], [[1.0, 2.0]])


@pytest.mark.parametrize(
    "options, message",
    [
        ({"epochs": -1}, "epochs must be an int ≥ 0"),
        ({"epochs": 1.5}, "epochs must be an int ≥ 0"),
        ({"batch_size": 0}, "batch_size must be an int ≥ 1"),
        ({"learning_rate": -0.1}, "learning_rate must be a finite number ≥ 0"),
        ({"learning_rate": math.nan}, "learning_rate must be a finite number ≥ 0"),
        ({"learning_rate": "fast"}, "learning_rate must be a finite number ≥ 0"),
        ({"batch_size": 2.0}, "batch_size must be an int ≥ 1"),
        ({"batchsize": 2}, "unknown option 'batchsize'; options: epochs, learning_rate, "),
        ({"optimizer_in_use": pn.SGD()}, "unknown option 'optimizer_in_use'"),
        ({"shuffle": "yes"}, "shuffle must be True or False"),
        ({"verbose": 2}, "verbose must be True or False"),
        ({"optimizer": "adam"}, "optimizer must be an Optimizer or None"),
        ({"schedule": 0.5}, "schedule must be a Schedule or None"),
        ({"early_stopping": 3}, "early_stopping must be an EarlyStopping or None"),
        ({"callback": 3}, "callback must be callable"),
        ({"metrics": "accuracy"}, "metrics must be a list of names"),
        ({"metrics": [len]}, "metrics are given by name"),
        ({"validation_split": 1.0}, r"validation_split must be a finite number in \(0, 1\)"),
        ({"validation_split": 0.5, "validation_data": ([[1.0]], [[1.0]])}, "not both"),
        ({"optimizer": pn.SGD(), "learning_rate": 0.1}, "either learning_rate"),
    ],
)
def test_fit_rejects_bad_options(options: Any, message: str) -> None:
    network = pn.Network([pn.Dense(1, 1)], seed=0)
    with pytest.raises(pn.ConfigurationError, match=message):
        network.fit([[1.0]], [[1.0]], **options)


class MeanSquaredErrorForTest(Loss):
    """L = (1/N) Σ_ij (T_ij − P_ij)² over N samples: a "mean" reduction to exercise fit with."""

    name = "mse-test"
    reduction = "mean"

    def value(self, output: Matrix, target: Matrix) -> float:
        return sum((p - t) ** 2 for o, y in zip(output, target) for p, t in zip(o, y)) / len(output)

    def gradient(self, output: Matrix, target: Matrix) -> Matrix:
        return [[2.0 * (p - t) / len(output) for p, t in zip(o, y)] for o, y in zip(output, target)]


def test_fit_with_a_mean_loss_records_the_size_weighted_mean_of_batch_losses() -> None:
    # With learning rate 0 the weights never move, so every batch loss is the loss at the
    # initial weights and their size-weighted mean over batches of 2, 2 and 1 is the full loss.
    x = [[0.0], [1.0], [2.0], [3.0], [4.0]]
    y = [[1.0], [0.0], [1.0], [0.0], [1.0]]
    network = pn.Network([pn.Dense(1, 1)], loss=MeanSquaredErrorForTest(), seed=3)
    history = network.fit(x, y, epochs=2, learning_rate=0.0, batch_size=2)
    assert history.epochs == 2
    for loss in history.loss:
        assert math.isclose(loss, network.loss(x, y), rel_tol=1e-15)
    assert repr(network) == "Network([Dense(1, 1, activation='identity')], loss='mse-test')"


def test_fit_calls_back_after_every_epoch_and_history_reports_itself() -> None:
    seen: List[int] = []
    network = pn.Network([pn.Dense(1, 1)], seed=0)
    history = network.fit(
        [[1.0]], [[2.0]], epochs=3, learning_rate=0.1, callback=lambda e, h: seen.append(e)
    )
    assert seen == [1, 2, 3]
    assert repr(history).startswith("<History 3 epochs, last loss ")
    assert repr(pn.History()) == "<History 0 epochs>"
    assert repr(SGD(0.5)) == "SGD(lr=0.5, momentum=0.0, nesterov=False, weight_decay=0.0)"


def test_check_matrix_rejects_a_row_that_is_not_a_list() -> None:
    with pytest.raises(pn.ShapeError, match="M row 1 is not a list"):
        check_matrix([[1.0], 2.0], "test", "M")


# -- the demo ------------------------------------------------------------------------------------


def test_demo_prints_falling_loss_and_the_prediction_table() -> None:
    out = io.StringIO()
    history = run_demo(epochs=500, learning_rate=1.0, seed=1, every=250, out=out)
    text = out.getvalue()
    assert "epoch    250" in text and "epoch    500" in text
    assert history.loss[-1] < history.loss[0]
    assert text.count("\n[") == 4  # one table row per seed example


def test_main_runs_the_demo_with_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--epochs", "3", "--every", "1", "--learning-rate", "0.5", "--seed", "2"]) == 0
    assert "epoch      3" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--epochs", "-1"], "argument --epochs: must be an int ≥ 0"),
        (["--every", "0"], "argument --every: must be an int ≥ 1"),
        (["--learning-rate", "nan"], "argument --learning-rate: must be a finite number ≥ 0"),
    ],
)
def test_main_rejects_bad_options(
    argv: List[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_python_dash_m_purenn_runs_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["purenn", "--epochs", "1"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("purenn", run_name="__main__")
    assert exit_info.value.code == 0
    assert "final loss" in capsys.readouterr().out
