"""A layer written only to the contract (purenn.layers), registered once, is a full citizen.

``Scale`` below knows nothing of the network, the training loop, the gradient checker or any
file format, and nothing there knows it: it implements the contract's must-haves (a checking
constructor, forward, backward, config) and named_parameters, and is registered with
``@pn.register_layer``.  It then trains, gradient-checks by finite differences and the complex
step, saves to purenn's JSON format and loads back bit for bit (checkpoints too), and every
export that does not take it refuses it by name, saying which format does.
"""

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
from oracles import require_native
from persist_helpers import bits

import purenn as pn
from purenn.activations import ACTIVATIONS
from purenn.arguments import check_entries, check_int, check_real
from purenn.formats.support import formats_taking


@pn.register_layer
class Scale(pn.Layer):
    """A = f(X ⊙ s): each of the n features times its own learned scale s (1 × n, starting at
    ``start``), then an activation f.

    Z = X ⊙ s (s broadcast over the rows), A = f(Z);
    ∂L/∂s_j = Σ_rows δ_ij x_ij and ∂L/∂x_ij = δ_ij s_j, with δ = ∂L/∂Z = f's backward of ∂L/∂A.
    """

    def __init__(self, n, activation="identity", *, start=1.0):
        self.n = check_int(n, "n", "Scale", 1)
        check_entries(self.n, "the scales", "Scale")
        self.activation = ACTIVATIONS.resolve(activation, "Scale")
        self.start = check_real(start, "start", "Scale")
        self.n_in = self.n_out = self.n
        self.scale = pn.Parameter("scale", [[self.start] * self.n])
        self.cache = None

    def named_parameters(self):
        return [("scale", self.scale)]

    def forward(self, x):
        z = [[value * s for value, s in zip(row, self.scale.value[0])] for row in x]
        a = self.activation.forward(z)
        self.cache = (x, z, a)
        return a

    def backward(self, grad_output, need_input_grad=True):
        if self.cache is None:
            raise pn.StateError("Scale.backward: called before forward (nothing cached)")
        x, z, a = self.cache
        delta = self.activation.backward(z, a, grad_output)
        self.scale.grad = [[sum(d[j] * row[j] for d, row in zip(delta, x)) for j in range(self.n)]]
        if not need_input_grad:
            return None
        return [[d * s for d, s in zip(row, self.scale.value[0])] for row in delta]

    def config(self):
        return {"n": self.n, "activation": self.activation, "start": self.start}

    def __repr__(self):
        return f"Scale({self.n}, activation={self.activation.name!r}, start={self.start!r})"


@pn.register_layer
class DeclaredScale(Scale):
    """Scale, declaring the shape of its state for a config (the contract's optional
    ``state_shapes``): a file's sizes are then checked before anything is built."""

    built = 0  # how many were made, to show that a damaged file builds none

    def __init__(self, n, activation="identity", *, start=1.0):
        DeclaredScale.built += 1
        super().__init__(n, activation, start=start)

    @classmethod
    def state_shapes(cls, config):
        return {"scale": (1, check_int(config["n"], "n", "DeclaredScale", 1))}


class WrongScale(Scale):
    """A negative control: ∂L/∂s without its factor x (unregistered: never saved)."""

    def backward(self, grad_output, need_input_grad=True):
        result = super().backward(grad_output, need_input_grad)
        self.scale.grad = [[sum(d[j] for d in grad_output) for j in range(self.n)]]
        return result


X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 1.0, 1.0], [0.0, 2.0, -1.5]]
Y = [[1.0], [0.0], [1.0], [0.0]]


def network(layer=Scale, seed=0):
    return pn.Network([pn.Dense(3, 3, "tanh"), layer(3, "tanh", start=0.5), pn.Dense(3, 1)],
                      loss="mse", seed=seed)


@pytest.fixture(autouse=True, scope="module")
def _fast_fsync():
    """fsync costs milliseconds and nothing here depends on it (test_persist tests it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda descriptor: None)
        yield


def test_it_trains():
    net = network()
    history = net.fit(X, Y, epochs=30, optimizer=pn.Adam(0.05))
    assert history.loss[-1] < history.loss[0] / 2
    assert net.layers[1].scale.value != [[0.5] * 3]  # its own parameter was trained


@pytest.mark.parametrize("method", ["central", "complex"])
def test_it_gradient_checks(method):
    result = pn.gradcheck(network(), X, Y, method)
    assert result.ok and result.n_checked == 9 + 3 + 3 + 3 + 1  # every entry of every θ
    assert not pn.gradcheck(network(WrongScale), X, Y, method).ok  # a wrong ∂L/∂s is caught


@pytest.mark.parametrize("layer", [Scale, DeclaredScale])
def test_it_saves_and_loads_bit_for_bit(tmp_path, layer):
    net = network(layer)
    adam = pn.Adam(0.05)
    net.fit(X, Y, epochs=3, optimizer=adam, batch_size=2)
    pn.save(net, tmp_path / "model.json", optimizer=adam)
    document = json.loads((tmp_path / "model.json").read_text())
    assert document["layers"][1] == {"type": layer.__name__, "n": 3,
                                     "activation": {"name": "tanh"}, "start": 0.5}
    loaded, loaded_adam = pn.load_checkpoint(tmp_path / "model.json")
    assert type(loaded.layers[1]) is layer and repr(loaded) == repr(net)
    assert bits(loaded.state_dict()) == bits(net.state_dict())
    # Training resumes exactly: the parameter, its Adam moments and the generator came back.
    net.fit(X, Y, epochs=2, optimizer=adam, batch_size=2)
    loaded.fit(X, Y, epochs=2, optimizer=loaded_adam, batch_size=2)
    assert bits(loaded.predict(X)) == bits(net.predict(X))


@pytest.mark.parametrize("writer, export", [
    ("export_npz", lambda net, path: pn.export_npz(net, path / "w.npz")),
    ("import_npz", lambda net, path: pn.import_npz(net, path / "w.npz")),
    ("export_onnx", lambda net, path: pn.export_onnx(net, path / "m.onnx")),
    ("export_python", lambda net, path: pn.export_python(net, path / "m.py")),
])
def test_every_other_format_refuses_it_by_name_and_says_which_takes_it(tmp_path, writer, export):
    pn.export_npz(pn.Network([pn.Dense(3, 3)]), tmp_path / "w.npz")  # for import_npz to read
    taken_by = writer.replace("import", "export")
    message = (rf"^{writer}: .*layers\[1\] is a Scale, a layer {taken_by} does not take; the "
               r"formats that take a Scale: save \(purenn's JSON\)$")
    with pytest.raises(pn.ModelFormatError, match=message):
        export(network(), tmp_path)
    assert formats_taking(Scale) == ["save"]
    assert sorted(os.listdir(tmp_path)) == ["w.npz"]


def test_an_unregistered_subclass_is_refused_by_every_format(tmp_path):
    with pytest.raises(pn.ModelFormatError, match=r"layers\[1\] is a WrongScale, a layer save "
                       r"does not take; no format takes a WrongScale: register its class"):
        pn.save(network(WrongScale), tmp_path / "m.json")
    assert formats_taking(WrongScale) == []


def saved_then_damaged(tmp_path, layer, change):
    """The path of a file of ``network(layer)`` whose document ``change`` has edited."""
    pn.save(network(layer), tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    change(document)
    (tmp_path / "m.json").write_text(json.dumps(document))
    return tmp_path / "m.json"


def test_a_damaged_size_is_refused_before_any_layer_is_built_when_the_layer_declares_it(tmp_path):
    path = saved_then_damaged(tmp_path, DeclaredScale,
                              lambda document: document["layers"][1].update(n=10**7))
    made = DeclaredScale.built
    with pytest.raises(pn.ModelFormatError,
                       match=r"state\['layers\.1\.scale'\] is 1×3 but must be 1×10000000"):
        pn.load(path)
    assert DeclaredScale.built == made  # refused before building: no 10⁷ scales allocated


@pytest.mark.parametrize("change, message", [
    (lambda document: document["state"].update({"layers.1.scale": [[1.0, 2.0]]}),
     r"load_state_dict: layers\.1\.scale is 1×2 but the network's is 1×3"),
    (lambda document: document["layers"][1].update(n=10**9),
     r"layers\[1\]: Scale: the scales would hold 1000000000 numbers; at most"),
    (lambda document: document["layers"][1].update(n=True),
     r"layers\[1\]: Scale: n must be an int ≥ 1, got True"),
])
def test_a_damaged_size_is_refused_by_the_layer_or_the_network_when_it_does_not(
        tmp_path, change, message):
    with pytest.raises(pn.ModelFormatError, match=message):
        pn.load(saved_then_damaged(tmp_path, Scale, change))


@pytest.mark.parametrize("change, message", [
    (lambda layer: layer.update(start="big"), r"layers\[1\]: Scale: start must be a finite"),
    (lambda layer: layer.update(start={"x": 1}), r"layers\[1\]\.start must be a number, a flag"),
    (lambda layer: layer.update(activation="tanh"), r"layers\[1\]\.activation must be an object"),
    (lambda layer: layer.pop("start"), r"layers\[1\] has no 'start'"),
    (lambda layer: layer.update(scale=2.0), r"layers\[1\] has an unexpected 'scale'"),
])
def test_damaged_arguments_are_refused_by_name(tmp_path, change, message):
    path = saved_then_damaged(tmp_path, Scale, lambda document: change(document["layers"][1]))
    with pytest.raises(pn.ModelFormatError, match=message):
        pn.load(path)


def test_a_config_that_is_not_the_constructors_arguments_is_refused_when_saving(tmp_path):
    net = network()
    layer = net.layers[1]
    layer.config = lambda: {"n": 3, "activation": layer.activation}  # "start" forgotten
    with pytest.raises(pn.ConfigurationError, match=r"Scale\.config\(\) gives \['activation', "
                       r"'n'\] but its constructor takes \['activation', 'n', 'start'\]"):
        pn.save(net, tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


def test_registration_refuses_what_a_file_could_not_tell_apart():
    with pytest.raises(pn.ConfigurationError, match="register_layer: expected a subclass of Layer"):
        pn.register_layer(int)
    imposter = type("Scale", (pn.Layer,), {"__module__": "elsewhere"})
    with pytest.raises(pn.ConfigurationError, match=r"the name 'Scale' is taken by "
                       r"test_custom_layer\.Scale; a file could not tell it from elsewhere\.Scale"):
        pn.register_layer(imposter)
    assert pn.register_layer(Scale) is Scale  # the same class again: nothing changes


DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs" / "writing-a-layer.md"


def test_the_page_on_writing_a_layer_runs_and_prints_what_it_says(tmp_path):
    # Its python blocks, in order, in a fresh interpreter (as a reader pastes them), in an
    # empty folder; each print's output is the comment after it on the page.
    require_native("start processes")
    page = DOCS.read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```python\n(.*?)```", page, re.DOTALL))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(DOCS.parent.parent)},
                            check=True)
    said = re.findall(r"print\(.*\) +# (.*)", code)
    error = " ".join(re.findall(r"^# (.*)$", code, re.MULTILINE))
    assert result.stdout.splitlines() == [*said, error]
    assert sorted(os.listdir(tmp_path)) == ["scaled.json"]
