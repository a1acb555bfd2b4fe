"""Dropout and BatchNorm in every format: purenn's file (running statistics are state, saved with
the weights; a checkpoint resumes training with dropout and BatchNorm bit for bit), state_dict
under PyTorch's names, .npz in PyTorch's layout (to and from a PyTorch model with
BatchNorm1d/BatchNorm2d), ONNX (evaluation mode, against ONNX Runtime) and standalone Python (bit
for bit); and files whose BatchNorm state cannot be right."""

import json
import os
import random

import pytest
from persist_helpers import (
    assert_declared_shapes_are_the_state,
    bits,
    require_numpy,
    require_onnx,
    require_onnxruntime,
    require_torch,
)

import purenn as pn
from purenn.formats.npy import parse_npz
from purenn.formats.onnx import onnx_bytes
from purenn.formats.standalone import python_source


@pytest.fixture(autouse=True, scope="module")
def _fast_fsync():
    """fsync costs milliseconds and no test here can observe it (test_persist tests it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda descriptor: None)
        yield


def dense_network(seed=0, momentum=0.1):
    return pn.Network([pn.Dense(3, 4), pn.BatchNorm(4, "relu", momentum=momentum, eps=1e-3),
                       pn.Dropout(0.25), pn.Dense(4, 2)], loss="mse", seed=seed)


def conv_network(seed=0):
    return pn.Network([pn.Conv2D(2, 3, 2, input_shape=(2, 3, 4)), pn.BatchNorm(3, "tanh"),
                       pn.Dropout(0.5), pn.MaxPool2D((2, 1)), pn.Flatten(), pn.Dense(9, 2),
                       pn.BatchNorm(2, momentum=None)], loss="mse", seed=seed)


NETWORKS = {"dense": dense_network, "conv": conv_network}


def data(network, rows=6, seed=1):
    rng = random.Random(seed)
    x = [[rng.uniform(-2.0, 2.0) for _ in range(network.n_in)] for _ in range(rows)]
    return x, [[rng.uniform(-1.0, 1.0) for _ in range(network.n_out)] for _ in range(rows)]


def trained(build, seed=0):
    network = build(seed)
    x, y = data(network)
    network.fit(x, y, epochs=3, batch_size=3, optimizer=pn.Adam(0.05))
    return network, x


# -- purenn's file and state_dict -------------------------------------------------------------


def test_state_dict_holds_parameters_then_buffers_under_pytorchs_names():
    network, _ = trained(dense_network)
    assert list(network.state_dict()) == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
        "layers.1.running_mean", "layers.1.running_var", "layers.1.num_batches_tracked",
        "layers.3.weight", "layers.3.bias"]
    layer = network.layers[1]
    assert network.state_dict()["layers.1.weight"] == layer.gamma.value
    assert network.state_dict()["layers.1.running_var"] == layer.running_var.value
    assert network.state_dict()["layers.1.num_batches_tracked"] == [[6.0]]


@pytest.mark.parametrize("build", NETWORKS.values(), ids=list(NETWORKS))
def test_a_saved_network_comes_back_with_its_running_statistics_bit_for_bit(tmp_path, build):
    network, x = trained(build)
    pn.save(network, tmp_path / "model.json")
    loaded = pn.load(tmp_path / "model.json")
    assert repr(loaded) == repr(network)
    assert bits(loaded.state_dict()) == bits(network.state_dict())
    assert bits(loaded.predict(x)) == bits(network.predict(x))
    assert loaded.training  # a loaded network starts in training mode, as a new one does
    document = json.loads((tmp_path / "model.json").read_text())
    assert document["layers"][1]["type"] == "BatchNorm"
    assert document["layers"][2] == {"type": "Dropout", "rate": network.layers[2].rate,
                                     "input_shape": None}


def test_a_batchnorm_declares_the_state_it_has():
    for build in NETWORKS.values():
        assert_declared_shapes_are_the_state(build())


@pytest.mark.parametrize("build", NETWORKS.values(), ids=list(NETWORKS))
def test_training_resumed_from_a_checkpoint_equals_the_uninterrupted_run(tmp_path, build):
    # The generator (shuffles and dropout masks), the running statistics and Adam's moments
    # all come back: the resumed run is the uninterrupted one, bit for bit.
    network = build(3)
    x, y = data(network, rows=8)
    pn.save(network, tmp_path / "start.json")
    uninterrupted, resumed = pn.load(tmp_path / "start.json"), pn.load(tmp_path / "start.json")
    for net in (uninterrupted, resumed):
        net.rng.seed(4)
    options = {"batch_size": 3}
    uninterrupted.fit(x, y, epochs=4, optimizer=pn.Adam(0.02), **options)
    adam = pn.Adam(0.02)
    resumed.fit(x, y, epochs=2, optimizer=adam, **options)
    pn.save(resumed, tmp_path / "checkpoint.json", optimizer=adam)
    restored, adam = pn.load_checkpoint(tmp_path / "checkpoint.json")
    restored.fit(x, y, epochs=2, optimizer=adam, **options)
    assert bits(restored.state_dict()) == bits(uninterrupted.state_dict())
    # Negative control: without the buffers the running statistics would start afresh.
    assert restored.layers[1].num_batches_tracked.value == [[12.0]]


@pytest.mark.parametrize(("entry", "value", "message"), [
    ("layers.1.running_var", [[1.0, 1.0, -0.5, 1.0]],
     r"running_var\[2\] is -0\.5, but a variance is ≥ 0"),
    ("layers.1.num_batches_tracked", [[2.5]], "num_batches_tracked is 2.5, but it counts"),
    ("layers.1.num_batches_tracked", [[-1.0]], "num_batches_tracked is -1.0, but it counts"),
])
def test_buffers_a_batchnorm_cannot_have_are_refused_and_nothing_changes(tmp_path, entry, value,
                                                                         message):
    network, _ = trained(dense_network)
    state = network.state_dict()
    before = bits(state)
    state[entry] = value
    with pytest.raises(pn.DataError,
                       match=rf"^load_state_dict: layers\.1: BatchNorm\(4, .*\): {message}"):
        network.load_state_dict(state)
    assert bits(network.state_dict()) == before
    pn.save(network, tmp_path / "model.json")
    document = json.loads((tmp_path / "model.json").read_text())
    document["state"][entry] = value
    (tmp_path / "model.json").write_text(json.dumps(document))
    refused = r"load: .*model\.json: load_state_dict: layers\.1: "
    with pytest.raises(pn.ModelFormatError, match=refused):
        pn.load(tmp_path / "model.json")


@pytest.mark.parametrize(("layer", "key", "value", "message"), [
    (1, "momentum", "fast", r"layers\[1\]: BatchNorm: momentum must be a finite number in \[0, 1\] "
                            "or None, got 'fast'"),
    (1, "momentum", 2.0, r"BatchNorm: momentum must be a finite number in \[0, 1\] or None"),
    (1, "eps", None, r"layers\[1\]: BatchNorm: eps must be a finite number > 0, got None"),
    (2, "rate", 1.0, r"Dropout: rate must be a finite number in \[0, 1\), got 1\.0"),
    (1, "num_features", 5, "state\\['layers.1.weight'\\]"),
])
def test_damaged_dropout_and_batchnorm_entries_are_refused_by_name(tmp_path, layer, key, value,
                                                                   message):
    network, _ = trained(dense_network)
    pn.save(network, tmp_path / "model.json")
    document = json.loads((tmp_path / "model.json").read_text())
    document["layers"][layer][key] = value
    (tmp_path / "model.json").write_text(json.dumps(document))
    with pytest.raises(pn.ModelFormatError, match=message):
        pn.load(tmp_path / "model.json")


# -- .npz in PyTorch's layout --------------------------------------------------------------------


def test_the_archive_holds_pytorchs_batchnorm_entries(tmp_path):
    network, _ = trained(dense_network)
    pn.export_npz(network, tmp_path / "weights.npz")
    arrays = parse_npz((tmp_path / "weights.npz").read_bytes(), "test")
    assert {key: shape for key, (shape, _) in arrays.items() if key.startswith("layers.1.")} == {
        "layers.1.weight": (4,), "layers.1.bias": (4,), "layers.1.running_mean": (4,),
        "layers.1.running_var": (4,), "layers.1.num_batches_tracked": ()}
    assert arrays["layers.1.num_batches_tracked"][1] == [6]  # an int: written as int64
    other = dense_network(seed=9)
    pn.import_npz(other, tmp_path / "weights.npz")
    assert bits(other.state_dict()) == bits(network.state_dict())
    numpy = require_numpy()
    loaded = numpy.load(tmp_path / "weights.npz")
    assert loaded["layers.1.num_batches_tracked"].dtype == numpy.int64
    assert loaded["layers.1.running_var"].tolist() == network.layers[1].running_var.value[0]


def torch_twin(torch, network):
    """The network as PyTorch layers in a ModuleList ``layers`` (indexed as purenn's), float64,
    evaluated as purenn predicts."""
    modules = []
    for layer in network.layers:
        if isinstance(layer, pn.Dense):
            modules.append(torch.nn.Linear(layer.n_in, layer.n_out))
        elif isinstance(layer, pn.Conv2D):
            modules.append(torch.nn.Conv2d(layer.in_channels, layer.out_channels,
                                           layer.kernel_size))
        elif isinstance(layer, pn.BatchNorm):
            kind = torch.nn.BatchNorm1d if len(layer.input_shape) == 1 else torch.nn.BatchNorm2d
            modules.append(kind(layer.num_features, eps=layer.eps, momentum=layer.momentum))
        elif isinstance(layer, pn.Dropout):
            modules.append(torch.nn.Dropout(layer.rate))
        elif isinstance(layer, pn.MaxPool2D):
            modules.append(torch.nn.MaxPool2d(layer.pool_size))
        else:
            modules.append(torch.nn.Flatten())
    activations = {"relu": torch.relu, "tanh": torch.tanh, "identity": lambda z: z}

    class Twin(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList(modules)

        def forward(self, x):
            x = x.reshape(len(x), *network.input_shape)
            for layer, module in zip(network.layers, self.layers):
                x = module(x)
                if isinstance(layer, pn.BatchNorm):
                    x = activations[layer.activation.name](x)
            return x.reshape(len(x), -1)

    return Twin().double().eval()


@pytest.mark.parametrize("build", NETWORKS.values(), ids=list(NETWORKS))
def test_a_purenn_network_goes_to_pytorch_and_back(tmp_path, build):
    torch, numpy = require_torch(), require_numpy()
    network, x = trained(build)
    pn.export_npz(network, tmp_path / "weights.npz")
    twin = torch_twin(torch, network)
    state = {key: torch.from_numpy(value) for key, value in numpy.load(tmp_path / "weights.npz")
             .items()}
    twin.load_state_dict(state)  # strict: every entry, num_batches_tracked included
    with torch.no_grad():
        theirs = twin(torch.tensor(x, dtype=torch.float64)).tolist()
    for row, other in zip(network.predict(x), theirs):
        assert all(abs(a - b) <= 1e-12 * max(1.0, abs(b)) for a, b in zip(row, other))
    # And back: PyTorch's own state dict, saved by NumPy, comes into a fresh purenn network.
    numpy.savez(tmp_path / "from_torch.npz",
                **{key: value.numpy() for key, value in twin.state_dict().items()})
    fresh = build(7)
    pn.import_npz(fresh, tmp_path / "from_torch.npz")
    assert bits(fresh.state_dict()) == bits(network.state_dict())


# -- ONNX and standalone Python: evaluation mode -------------------------------------------------


def test_onnx_writes_batchnorm_as_purenn_computes_it_and_dropout_as_nothing():
    model = onnx_bytes(dense_network())
    for op_type in (b"Reshape", b"Sub", b"Mul", b"Add", b"Relu"):
        assert op_type in model
    for name in (b"layers.1.running_mean", b"layers.1.inverse_std", b"layers.1.weight",
                 b"layers.1.bias"):
        assert name in model
    # No node or initializer of layers[2], and no Dropout operator (a NodeProto's op_type is
    # field 4: tag byte 0x22, then the length); the name appears only in the model's repr.
    assert b"layers.2." not in model and b"\x22\x07Dropout" not in model


@pytest.mark.parametrize("build", NETWORKS.values(), ids=list(NETWORKS))
@pytest.mark.parametrize(("dtype", "tolerance"), [("float64", 1e-12), ("float32", 2e-6)])
def test_onnxruntime_predicts_what_purenn_predicts(tmp_path, build, dtype, tolerance):
    onnx, runtime, numpy = require_onnx(), require_onnxruntime(), require_numpy()
    network, x = trained(build)
    pn.export_onnx(network, tmp_path / "model.onnx", dtype=dtype)
    onnx.checker.check_model(onnx.load(str(tmp_path / "model.onnx")), full_check=True)
    session = runtime.InferenceSession(str(tmp_path / "model.onnx"),
                                       providers=["CPUExecutionProvider"])
    (output,) = session.run(None, {"input": numpy.array(x, dtype=dtype)})
    for row, other in zip(output.astype(float).tolist(), network.predict(x)):
        assert all(abs(a - b) <= tolerance * max(1.0, abs(b)) for a, b in zip(row, other))


@pytest.mark.parametrize("build", NETWORKS.values(), ids=list(NETWORKS))
def test_standalone_python_predicts_bit_for_bit(build):
    network, x = trained(build)
    namespace = {}
    exec(compile(python_source(network), "model.py", "exec"), namespace)
    assert bits(namespace["predict"](x)) == bits(network.predict(x))
    # Negative control: the training-mode output (batch statistics, a mask) is another one.
    assert bits(namespace["predict"](x)) != bits(network.forward(x))
