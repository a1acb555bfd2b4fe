"""Public calls that escaped with raw Python errors, each now a purenn error naming the call and
the argument, with nothing changed before it is raised."""

import copy

import pytest

import purenn as pn
from purenn.gradient_checking.numerical import numerical_gradient
from purenn.losses import LOSSES


def test_clip_grad_norm_checks_every_row_before_scaling_any():
    first = [[3.0, 4.0]]
    gradients = [first, [(3.0, 4.0)]]  # a tuple row cannot be scaled in place
    with pytest.raises(pn.ShapeError, match=r"clip_grad_norm: gradients\[1\]\[0\] must be a list"):
        pn.clip_grad_norm(gradients, 1.0)
    assert first == [[3.0, 4.0]]  # the first gradient was not scaled


@pytest.mark.parametrize("parameters, gradients, message", [
    (5, [[[0.0]]], "parameters must be a list of Parameters, got 5"),
    ("w", [[[0.0]]], "parameters must be a list of Parameters, got 'w'"),
    (None, None, "parameters must be a list of Parameters, got None"),
    ([[[0.0]]], [[[0.0]]], "parameters must be a list of Parameters"),
    ("params", "grads", "parameters must be a list of Parameters"),
    (["P"], 7, "parameters must be a list of Parameters"),
    ("P", 7, "parameters must be a list"),
    (pn.Network([pn.Dense(1, 1)], seed=0).parameters(), 7, "gradients must be a list of matrices"),
], ids=["int", "str", "none", "matrix", "strs", "list-of-str", "str-int", "int-gradients"])
@pytest.mark.parametrize("make", [pn.SGD, pn.Adam], ids=["sgd", "adam"])
def test_optimizer_step_refuses_what_is_not_a_list(make, parameters, gradients, message):
    optimizer = make()
    with pytest.raises(pn.ShapeError, match=message):
        optimizer.step(parameters, gradients)
    assert optimizer.state == {}


@pytest.mark.parametrize("dtype", [["float32"], {"float32": 1}, None, 32, b"float32"])
def test_export_onnx_refuses_a_dtype_that_is_no_name(tmp_path, dtype):
    with pytest.raises(pn.ConfigurationError, match="dtype must be 'float64' or 'float32'"):
        pn.export_onnx(pn.Network([pn.Dense(2, 1)], seed=0), tmp_path / "m.onnx", dtype=dtype)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("output, target, error", [
    ([], [], pn.ShapeError), ([[]], [[]], pn.ShapeError),
    ([[0.1, 0.9]], [[0.0, 1.0], [1.0, 0.0]], pn.ShapeError), ([[0.1]], [[1.0, 0.0]], pn.ShapeError),
    (None, [[1.0]], pn.ShapeError),
])
def test_a_metric_refuses_an_empty_or_mismatched_batch(output, target, error):
    with pytest.raises(error, match="accuracy: "):
        pn.accuracy(output, target, LOSSES["cross_entropy"])


def test_a_metric_refuses_a_loss_that_is_not_one():
    with pytest.raises(pn.ConfigurationError, match="accuracy: loss must be a Loss"):
        pn.accuracy([[0.1, 0.9]], [[0.0, 1.0]], "cross_entropy")
    assert pn.accuracy([[0.1, 0.9]], [[0.0, 1.0]], LOSSES["cross_entropy"]) == 1.0  # control


@pytest.mark.parametrize("returned", [None, "1.0", [1.0], True])
@pytest.mark.parametrize("method", ["central", "forward", "complex"])
def test_a_numerical_derivative_of_a_function_that_returns_no_number(returned, method):
    params = [[[1.0, 2.0]]]
    before = copy.deepcopy(params)
    with pytest.raises(pn.ConfigurationError, match="numerical_gradient: f must return a number"):
        numerical_gradient(lambda p: returned, params, method)
    assert params == before  # every perturbed entry restored


@pytest.mark.parametrize("flag", ["False", "True", "", None, 2, 0.0, [False]])
@pytest.mark.parametrize("call", [
    lambda flag: pn.Dense(2, 1, bias=flag),
    lambda flag: pn.Conv2D(1, 1, 1, bias=flag),
    lambda flag: pn.SGD(momentum=0.5, nesterov=flag),
    lambda flag: pn.EarlyStopping(restore_best_weights=flag),
    lambda flag: pn.gradcheck(pn.Network([pn.Dense(1, 1)], seed=0), [[1.0]], [[1.0]],
                              raise_on_failure=flag),
], ids=["Dense.bias", "Conv2D.bias", "SGD.nesterov", "EarlyStopping", "gradcheck"])
def test_boolean_flags_take_true_or_false_only(call, flag):
    with pytest.raises(pn.ConfigurationError, match="must be True or False"):
        call(flag)


def test_a_string_false_no_longer_makes_a_bias():
    # The negative control of the test above: True and False still work, and mean what they say.
    assert pn.Dense(2, 1, bias=False).bias is None and pn.Dense(2, 1, bias=True).bias is not None


PAYLOAD = '__import__("builtins").__dict__.__setitem__("PWNED", 1)'


class Sneaky(float):
    """A weight whose repr is code."""

    def __repr__(self):
        return PAYLOAD


@pytest.mark.parametrize("name", [
    f'leaky_relu"""; {PAYLOAD}; """', f'leaky_relu\n{PAYLOAD}\n', f"leaky_relu\r{PAYLOAD}",
    f'x\\"""; {PAYLOAD}; """', f"x'''; {PAYLOAD}; '''",
], ids=["triple-quote", "newline", "carriage-return", "backslash-quote", "single-quotes"])
def test_export_python_quotes_what_it_embeds(tmp_path, name):
    import builtins

    activation = pn.LeakyReLU(0.1)
    activation.name = name  # shown in the network's repr: the file's docstring and comments
    network = pn.Network([pn.Dense(2, 2, activation), pn.Dense(2, 1)], seed=0)
    network.layers[1].weights.value = [[Sneaky(0.5)], [Sneaky(-0.25)]]
    path = tmp_path / "model.py"
    pn.export_python(network, path)
    namespace = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    assert not hasattr(builtins, "PWNED")
    assert namespace["predict"]([[1.0, 2.0]]) == network.predict([[1.0, 2.0]])
    # the docstring reads back as the network's repr, whatever its text
    assert namespace["__doc__"].split("\nexported by")[0].replace("\n", " ") == repr(network)
