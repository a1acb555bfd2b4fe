"""export_python: the standalone file predicts bit for bit what purenn predicts on the same
interpreter (every interpreter CI runs), imports only math, and runs on MicroPython (~1e-15)."""

import ast
import os
import random
import subprocess
import sys

import pytest
from budget import examples
from hypothesis import given, settings
from oracles import require_native
from persist_helpers import bits, every_activation, image_network, networks, run_micropython

import purenn as pn
from purenn.activations import ACTIVATIONS, Elementwise, sigmoid, sigmoid_derivative
from purenn.formats.pysource import CHUNK
from purenn.formats.standalone import python_source

# MicroPython's tanh, exp and log1p may differ from CPython's in the last bit.
MICROPYTHON_TOLERANCE = 1e-14


@pytest.fixture(autouse=True, scope="module")
def _fast_fsync():
    """fsync costs milliseconds and no test here can observe it (test_persist tests it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda descriptor: None)
        yield


def predict_of(network):
    namespace = {}
    exec(compile(python_source(network), "model.py", "exec"), namespace)
    return namespace["predict"]


def inputs(n_in, rows=9, seed=0, scale=4.0):
    generator = random.Random(seed)
    return [[scale * generator.gauss(0.0, 1.0) for _ in range(n_in)] for _ in range(rows)]


def three_layers(activation, bias=True, seed=0):
    return pn.Network([pn.Dense(4, 6, activation, bias=bias), pn.Dense(6, 5, activation),
                       pn.Dense(5, 3, activation, bias=bias)], seed=seed)


@pytest.mark.parametrize("activation", every_activation(), ids=repr)
@pytest.mark.parametrize("bias", [True, False])
def test_every_activation_predicts_bit_for_bit(activation, bias):
    network = three_layers(activation, bias)
    x = inputs(4)
    assert bits(predict_of(network)(x)) == bits(network.predict(x))


@settings(max_examples=examples(40))
@given(networks())
def test_generated_networks_predict_bit_for_bit(network):
    x = inputs(network.n_in, rows=3, seed=network.n_in, scale=2.0)
    assert bits(predict_of(network)(x)) == bits(network.predict(x))


def test_the_file_imports_math_and_nothing_else(tmp_path):
    network = pn.Network([pn.Dense(2, 3, "softplus"), pn.Dense(3, 2, "gelu"),
                          pn.Dense(2, 2, "softmax")], seed=0)
    pn.export_python(network, tmp_path / "model.py")
    tree = ast.parse((tmp_path / "model.py").read_text(encoding="utf-8"))
    imports = [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert [(type(node), [alias.name for alias in node.names]) for node in imports] == [
        (ast.Import, ["math"])
    ]


def test_the_file_run_by_this_interpreter_prints_purenns_predictions(tmp_path):
    network = three_layers("tanh")
    x = inputs(4)
    pn.export_python(network, tmp_path / "model.py")
    script = f"from model import predict\nfor row in predict({x!r}):\n    print(repr(row))\n"
    require_native("start processes")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                            text=True, check=True)
    assert result.stdout.splitlines() == [repr(row) for row in network.predict(x)]


def test_big_layers_are_written_in_chunks_and_still_predict_bit_for_bit():
    network = pn.Network([pn.Dense(1100, 3, "tanh"), pn.Dense(3, 1)], seed=0)
    source = python_source(network)
    literals = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.List)]
    assert max(len(node.elts) for node in literals) == CHUNK
    assert source.count("LAYER0_COLUMNS[-1].extend([") == 3 * 2  # 1100 = 500 + 500 + 100
    x = inputs(1100, rows=2)
    assert bits(predict_of(network)(x)) == bits(network.predict(x))


def test_predict_checks_its_rows():
    predict = predict_of(pn.Network([pn.Dense(3, 1)], seed=0))
    assert predict([[1, 2, 3]]) == predict([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="predict: row 1 has 2 numbers; the network takes 3"):
        predict([[1, 2, 3], [1, 2]])


def test_refusals_name_what_is_wrong(tmp_path):
    network = pn.Network([pn.Dense(2, 1)], seed=0)
    network.layers[0].bias.value[0][0] = float("inf")
    with pytest.raises(pn.DataError, match=r"export_python: layers\.0\.bias holds a NaN"):
        pn.export_python(network, tmp_path / "m.py")
    with pytest.raises(pn.ConfigurationError, match="export_python: expected a Network"):
        pn.export_python("net", tmp_path / "m.py")

    class Custom(pn.Dense):
        pass

    with pytest.raises(pn.ModelFormatError,
                       match=r"layers\[0\] is a Custom, a layer export_python does not take"):
        pn.export_python(pn.Network([Custom(2, 2)], seed=0), tmp_path / "m.py")
    swish = Elementwise("swish", lambda z: z * sigmoid(z), sigmoid_derivative)
    with pytest.raises(pn.ConfigurationError, match="is not a registered activation"):
        pn.export_python(pn.Network([pn.Dense(2, 1, swish)], seed=0), tmp_path / "m.py")
    ACTIVATIONS.register("swish", swish)
    try:
        with pytest.raises(pn.ConfigurationError, match="'swish' has no Python form"):
            pn.export_python(pn.Network([pn.Dense(2, 1, swish)], seed=0), tmp_path / "m.py")
    finally:
        del ACTIVATIONS["swish"]
    assert os.listdir(tmp_path) == []


# -- MicroPython --------------------------------------------------------------------------------


def assert_close(lines, expected):
    assert len(lines) == len(expected)
    for line, row in zip(lines, expected):
        got = [float(text) for text in line.split()]
        assert len(got) == len(row)
        for value, wanted in zip(got, row):
            assert abs(value - wanted) <= MICROPYTHON_TOLERANCE * max(1.0, abs(wanted))


PRINT_ROWS = "for row in {call}:\n    print(' '.join(repr(value) for value in row))\n"


def test_every_activation_runs_on_micropython(tmp_path):
    scripts, expected = [], []
    for seed, activation in enumerate(every_activation()):
        network = three_layers(activation, bias=seed % 2 == 0, seed=seed)
        x = inputs(4, seed=seed)
        scripts.append(f"namespace = {{}}\nexec({python_source(network)!r}, namespace)\n"
                       + PRINT_ROWS.format(call=f"namespace['predict']({x!r})"))
        expected.extend(network.predict(x))
    output = run_micropython("\n".join(scripts), tmp_path)
    assert_close(output.splitlines()[:-1], expected)


def test_a_big_file_runs_on_micropython_as_it_is(tmp_path):
    """The exported file itself, its weights in chunks, with a few lines of test appended."""
    network = pn.Network([pn.Dense(520, 3, "sigmoid"), pn.Dense(3, 2, "softmax")], seed=0)
    x = inputs(520, rows=2, scale=0.2)
    script = python_source(network) + "\n" + PRINT_ROWS.format(call=f"predict({x!r})")
    assert_close(run_micropython(script, tmp_path).splitlines()[:-1], network.predict(x))


# -- image layers -------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", every_activation(), ids=repr)
def test_an_image_network_predicts_bit_for_bit(activation):
    for bias in (True, False):
        network = image_network(activation, bias)
        x = inputs(84, rows=4, seed=1, scale=2.0)
        assert bits(predict_of(network)(x)) == bits(network.predict(x))


def test_max_pool_ties_and_signed_zeros_are_purenns():
    network = pn.Network([pn.MaxPool2D(2, input_shape=(1, 2, 4)), pn.Flatten()], seed=0)
    x = [[0.0, -0.0, 2.0, 2.0, -0.0, 0.0, 1.0, 2.0], [-0.0, 0.0, -1.0, -1.0, 0.0, -0.0, -1.0, -1.0]]
    assert bits(predict_of(network)(x)) == bits(network.predict(x))


def test_an_image_network_runs_on_micropython(tmp_path):
    scripts, expected = [], []
    for seed, activation in enumerate(["relu", "tanh", "softmax", "gelu"]):
        network = image_network(activation, bias=seed % 2 == 0, seed=seed)
        x = inputs(84, rows=2, seed=seed, scale=2.0)
        scripts.append(f"namespace = {{}}\nexec({python_source(network)!r}, namespace)\n"
                       + PRINT_ROWS.format(call=f"namespace['predict']({x!r})"))
        expected.extend(network.predict(x))
    output = run_micropython("\n".join(scripts), tmp_path)
    assert_close(output.splitlines()[:-1], expected)
