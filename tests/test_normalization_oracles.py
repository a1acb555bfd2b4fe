"""Normalization against the oracles (each test skipped without its oracle): PyTorch float64's
(x - mean) / std and its autograd input gradient, with the wrong backward as a negative control;
a network going to PyTorch through npz; ONNX Runtime predicting from raw rows with the class
names and purenn's version in the metadata; and the standalone file on MicroPython."""

import json
import random

import pytest
from persist_helpers import (
    require_numpy,
    require_onnx,
    require_onnxruntime,
    require_torch,
    run_micropython,
)
from test_normalization import (
    WrongNormalization,
    regression_network,
    scaled_rows,
    trained_network,
)

import purenn as pn
from purenn.formats.standalone import python_source

# Both sides divide the same float64 numbers; only the order of a Dense layer's sums differs.
FLOAT64_REL = 1e-12
# MicroPython's exp may differ from CPython's in the last bit (test_export_python says so).
MICROPYTHON_REL = 1e-13


def close(rows, others, rel):
    return all(abs(a - b) <= rel * max(1.0, abs(b))
               for row, other in zip(rows, others) for a, b in zip(row, other))


def torch_forward_and_grad(torch, layer, x, upstream):
    """(Y, ∂L/∂X) of PyTorch's (x − mean)/std for L = Σ upstream ⊙ Y."""
    inputs = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    mean = torch.tensor(layer.mean.value[0], dtype=torch.float64)
    std = torch.tensor(layer.std.value[0], dtype=torch.float64)
    output = inputs * std + mean if layer.invert else (inputs - mean) / std
    (output * torch.tensor(upstream, dtype=torch.float64)).sum().backward()
    return output.tolist(), inputs.grad.tolist()


@pytest.mark.parametrize("invert", [False, True], ids=["standardise", "invert"])
@pytest.mark.parametrize("seed", range(3))
def test_forward_and_input_gradient_equal_pytorchs(seed, invert):
    torch = require_torch()
    x = scaled_rows(rows=6, seed=seed)
    layer = pn.Normalization(3, invert=invert)
    layer.adapt(x)
    upstream = [[random.Random(seed).uniform(-1.0, 1.0) for _ in range(3)] for _ in range(6)]
    output, grad = torch_forward_and_grad(torch, layer, x, upstream)
    # The same two IEEE operations per entry: equal bits, not just close.
    assert layer.forward(x) == output
    assert layer.backward(upstream) == grad


def test_negative_control_the_wrong_backward_disagrees_with_pytorch():
    torch = require_torch()
    x = scaled_rows(rows=6)
    layer = WrongNormalization(3)
    layer.adapt(x)
    upstream = [[1.0, 1.0, 1.0]] * 6
    _, grad = torch_forward_and_grad(torch, layer, x, upstream)
    layer.forward(x)
    assert not close(layer.backward(upstream), grad, 1e-3)


def test_a_network_goes_to_pytorch_through_npz(tmp_path):
    torch, numpy = require_torch(), require_numpy()
    network, x = trained_network()
    pn.export_npz(network, tmp_path / "m.npz")

    class Twin(torch.nn.Module):
        def __init__(self):
            super().__init__()
            norm = torch.nn.Module()
            norm.register_buffer("mean", torch.zeros(3, dtype=torch.float64))
            norm.register_buffer("std", torch.ones(3, dtype=torch.float64))
            self.layers = torch.nn.ModuleList([norm, torch.nn.Linear(3, 5), torch.nn.Linear(5, 3)])

        def forward(self, inputs):
            norm, first, second = self.layers
            return second(torch.tanh(first((inputs - norm.mean) / norm.std)))

    twin = Twin().double()
    state = {k: torch.from_numpy(v) for k, v in numpy.load(tmp_path / "m.npz").items()}
    twin.load_state_dict(state)
    with torch.no_grad():
        theirs = twin(torch.tensor(x, dtype=torch.float64)).tolist()
    assert close(network.predict(x), theirs, FLOAT64_REL)


def test_onnxruntime_predicts_from_raw_rows_and_reads_the_class_names(tmp_path):
    onnx, runtime, numpy = require_onnx(), require_onnxruntime(), require_numpy()
    network, x = trained_network()
    pn.export_onnx(network, tmp_path / "m.onnx", class_names=["low", "mid", "high"])
    model = onnx.load(str(tmp_path / "m.onnx"))
    onnx.checker.check_model(model, full_check=True)
    assert model.producer_name == "purenn" and model.producer_version == pn.__version__
    metadata = {entry.key: entry.value for entry in model.metadata_props}
    assert json.loads(metadata["class_names"]) == ["low", "mid", "high"]
    session = runtime.InferenceSession(str(tmp_path / "m.onnx"),
                                       providers=["CPUExecutionProvider"])
    assert session.get_modelmeta().custom_metadata_map["class_names"] == metadata["class_names"]
    (output,) = session.run(None, {"input": numpy.array(x, dtype="float64")})
    assert close(output.tolist(), network.predict(x), FLOAT64_REL)


def test_onnxruntime_restores_a_standardised_target(tmp_path):
    onnx, runtime, numpy = require_onnx(), require_onnxruntime(), require_numpy()
    network, x = regression_network()
    pn.export_onnx(network, tmp_path / "r.onnx")
    onnx.checker.check_model(onnx.load(str(tmp_path / "r.onnx")), full_check=True)
    session = runtime.InferenceSession(str(tmp_path / "r.onnx"),
                                       providers=["CPUExecutionProvider"])
    (output,) = session.run(None, {"input": numpy.array(x, dtype="float64")})
    assert close(output.tolist(), network.predict(x), FLOAT64_REL)


def test_class_names_that_do_not_fit_are_refused(tmp_path):
    network, _ = trained_network()
    with pytest.raises(pn.ConfigurationError, match="class_names must be a list of 3 strings"):
        pn.export_onnx(network, tmp_path / "m.onnx", class_names=["a", "b"])
    assert not (tmp_path / "m.onnx").exists()


def test_the_standalone_file_runs_on_micropython_from_raw_rows(tmp_path):
    network, x = trained_network()
    script = python_source(network, ["low", "mid", "high"]) + (
        f"\nX = {x!r}\nfor row in predict(X):\n    print(repr(row))\n"
        "for row in predict_proba(X):\n    print(repr(row))\nprint(predict_labels(X))\n"
    )
    lines = run_micropython(script, tmp_path).splitlines()
    rows = len(x)
    outputs = [eval(line) for line in lines[:rows]]
    probabilities = [eval(line) for line in lines[rows:2 * rows]]
    assert close(outputs, network.predict(x), MICROPYTHON_REL)
    assert close(probabilities, network.predict_proba(x), MICROPYTHON_REL)
    names = ["low", "mid", "high"]
    assert eval(lines[2 * rows]) == [names[c] for c in network.predict_classes(x)]


def test_a_standardised_target_is_restored_on_micropython(tmp_path):
    network, x = regression_network()
    script = python_source(network) + (
        f"\nfor row in predict({x!r}):\n    print(repr(row))\n"
    )
    lines = run_micropython(script, tmp_path).splitlines()
    outputs = [eval(line) for line in lines[:len(x)]]
    assert close(outputs, network.predict(x), MICROPYTHON_REL)
