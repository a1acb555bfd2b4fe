"""export_npz / import_npz: the archive format, its real readers (NumPy) and a real model (PyTorch).

The PyTorch tests build the same network on both sides, a torch module keeping its float64
``nn.Linear`` layers in ``self.layers`` as the README shows, and require predictions equal to
1e-12: first a model initialised by PyTorch, saved through NumPy and imported into purenn, then
a purenn model exported and loaded into PyTorch.
"""

import io
import math
import os
import struct
import zipfile

import pytest
from budget import examples
from hypothesis import given, settings
from persist_helpers import bits, networks, require_numpy, require_torch

import purenn as pn
from purenn.formats.npy import npy_bytes, npz_bytes, parse_npy, parse_npz

TOLERANCE = 1e-12


@pytest.fixture(autouse=True, scope="module")
def _fast_fsync():
    """fsync costs milliseconds and no test here can observe it (test_persist tests it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda descriptor: None)
        yield


def two_layer(seed=0, activation="tanh", bias=True):
    return pn.Network([pn.Dense(3, 4, activation, bias=bias), pn.Dense(4, 2)], seed=seed)


def arrays_in(path):
    with open(path, "rb") as file:
        return parse_npz(file.read(), "test")


# -- the archive, read back with the standard library ---------------------------------------------


def test_the_archive_holds_pytorch_names_shapes_and_transposed_values(tmp_path):
    network = two_layer()
    pn.export_npz(network, tmp_path / "w.npz")
    arrays = arrays_in(tmp_path / "w.npz")
    assert list(arrays) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    shape, values = arrays["layers.0.weight"]
    weights = network.layers[0].weights.value  # 3 × 4
    assert shape == (4, 3)
    assert values == [weights[i][j] for j in range(4) for i in range(3)]
    assert arrays["layers.1.bias"] == ((2,), network.layers[1].bias.value[0])


def test_the_archive_is_the_same_bytes_every_time(tmp_path):
    pn.export_npz(two_layer(), tmp_path / "a.npz")
    pn.export_npz(two_layer(), tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_each_header_is_aligned_and_terminated():
    data = npy_bytes((4, 3), [0.0] * 12)
    (length,) = struct.unpack("<H", data[8:10])
    assert (10 + length) % 64 == 0 and data[10 + length - 1: 10 + length] == b"\n"
    assert len(data) == 10 + length + 12 * 8


@settings(max_examples=examples(40))
@given(networks())
def test_export_then_import_gives_back_every_bit(tmp_path_factory, network):
    path = tmp_path_factory.mktemp("npz") / "w.npz"
    pn.export_npz(network, path)
    same_shapes = pn.Network([pn.Dense(layer.n_in, layer.n_out, bias=layer.bias is not None)
                              for layer in network.layers], seed=1)
    pn.import_npz(same_shapes, path)
    assert bits(same_shapes.state_dict()) == bits(network.state_dict())


# -- what import refuses ------------------------------------------------------------------------


def archive(tmp_path, arrays, raw=None):
    path = tmp_path / "w.npz"
    path.write_bytes(raw if raw is not None else npz_bytes(arrays))
    return path


def good_arrays(network):
    """The arrays export_npz writes for ``network``, written out here independently."""
    arrays = {}
    for key, value in network.state_dict().items():
        if key.endswith("weight"):
            transposed = [v for column in zip(*value) for v in column]
            arrays[key] = ((len(value[0]), len(value)), transposed)
        else:
            arrays[key] = ((len(value[0]),), value[0])
    return arrays


@pytest.mark.parametrize("change, message", [
    (lambda a: a.pop("layers.1.bias"), "missing layers.1.bias; unexpected nothing"),
    (lambda a: a.update({"extra": ((1,), [0.0])}), "missing nothing; unexpected extra"),
    (lambda a: a.update({"layers.0.weight": ((3, 4), [0.0] * 12)}),
     "layers.0.weight is (3, 4) but this network needs (4, 3) (PyTorch's layout of purenn's 3×4)"),
    (lambda a: a.update({"layers.0.bias": ((1, 4), [0.0] * 4)}),
     "layers.0.bias is (1, 4) but this network needs (4,)"),
    (lambda a: a.update({"layers.1.bias": ((2,), [0.0, math.nan])}),
     "layers.1.bias[0][1] is nan; data must be finite numbers"),
])
def test_import_refuses_what_does_not_fit_and_changes_nothing(tmp_path, change, message):
    network = two_layer()
    arrays = good_arrays(two_layer(seed=5))
    change(arrays)
    before = network.state_dict()
    with pytest.raises(pn.ModelFormatError, match=r"import_npz: .*w\.npz: ") as caught:
        pn.import_npz(network, archive(tmp_path, arrays))
    assert message in str(caught.value)
    assert network.state_dict() == before


def member(name, data, compression=zipfile.ZIP_STORED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zipped:
        zipped.writestr(name, data)
    return buffer.getvalue()


HEADER = b"\x93NUMPY\x01\x00"


def npy_with_header(text, payload=b""):
    encoded = text.encode("latin-1")
    return HEADER + struct.pack("<H", len(encoded)) + encoded + payload


@pytest.mark.parametrize("raw, message", [
    (b"not a zip at all", "not an .npz archive, or a damaged one"),
    (b"", "not an .npz archive, or a damaged one"),
    (member("notes.txt", b"hello"), "the archive holds 'notes.txt', which is not an .npy array"),
    (member("a.npy", b"hello"), "a.npy is not a .npy array"),
    (member("a.npy", b"\x93NUMPY\x07\x00\x10\x00"), "a.npy is in .npy format version 7.0"),
    (member("a.npy", npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), ")),
     "a.npy has a damaged header"),
    (member("a.npy", npy_with_header("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }")),
     "a.npy holds '|O' values; purenn reads float64, float32 and int64 only"),
    (member("a.npy", npy_with_header("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,), }")),
     "a.npy's fortran_order must be true or false"),
    (member("a.npy", npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }")),
     "a.npy has a damaged shape"),
    (member("a.npy", npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                                     b"\x00" * 15)),
     "a.npy should hold 2 values (16 bytes) after its header but has 15 bytes"),
    (member("a.npy", npy_with_header("{'descr': '<f8', 'shape': (2,), }")),
     "a.npy's header has no 'fortran_order'"),
    (member("a.npy", b"\x93NUMPY\x02\x00\x10\x00"), "a.npy is truncated in its header"),
])
def test_damaged_archives_raise_model_format_error(tmp_path, raw, message):
    with pytest.raises(pn.ModelFormatError) as caught:
        pn.import_npz(two_layer(), archive(tmp_path, None, raw))
    assert message in str(caught.value)


def test_a_member_compressed_otherwise_than_numpy_does_is_refused(tmp_path):
    path = tmp_path / "w.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as zipped:
        zipped.writestr("a.npy", npy_bytes((1,), [0.0]))
    with pytest.raises(pn.ModelFormatError, match=r"a\.npy is compressed in a way numpy does not"):
        pn.import_npz(two_layer(), path)


def test_export_and_import_refuse_what_is_not_a_network(tmp_path):
    with pytest.raises(pn.ConfigurationError, match="export_npz: expected a Network"):
        pn.export_npz("net", tmp_path / "w.npz")
    with pytest.raises(pn.ConfigurationError, match="import_npz: expected a Network"):
        pn.import_npz(None, tmp_path / "w.npz")


def test_a_layer_without_a_layout_is_refused_by_name(tmp_path):
    class Custom(pn.Dense):
        pass

    with pytest.raises(pn.ModelFormatError,
                       match=r"layers\[0\] is a Custom, a layer export_npz does not take"):
        pn.export_npz(pn.Network([Custom(2, 2)], seed=0), tmp_path / "w.npz")


def test_fortran_order_and_float32_are_read_exactly():
    # A 2 × 3 array [[1, 2, 3], [4, 5, 6]] stored column by column, in float32, big-endian.
    values = [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
    data = npy_with_header("{'descr': '>f4', 'fortran_order': True, 'shape': (2, 3), }",
                           struct.pack(">6f", *values))
    assert parse_npy(data, "a", "test") == ((2, 3), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    vector = npy_with_header("{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }",
                             struct.pack("<2d", 1.0, 2.0))
    assert parse_npy(vector, "v", "test") == ((2,), [1.0, 2.0])


# -- NumPy reads the archive as it is, and writes archives purenn reads ---------------------------


def test_numpy_reads_the_archive_as_float64_in_pytorchs_layout(tmp_path):
    numpy = require_numpy()
    network = two_layer(bias=True)
    pn.export_npz(network, tmp_path / "w.npz")
    with numpy.load(tmp_path / "w.npz") as loaded:
        assert loaded.files == ["layers.0.weight", "layers.0.bias", "layers.1.weight",
                                "layers.1.bias"]
        weight = loaded["layers.0.weight"]
        assert weight.dtype == numpy.dtype("<f8") and weight.shape == (4, 3)
        assert weight.T.tolist() == network.layers[0].weights.value
        assert loaded["layers.0.bias"].tolist() == network.layers[0].bias.value[0]


@pytest.mark.parametrize("writer", ["savez", "savez_compressed", "fortran", "float32",
                                    "big_endian"])
def test_archives_written_by_numpy_are_read(tmp_path, writer):
    numpy = require_numpy()
    generator = numpy.random.default_rng(0)
    arrays = {"layers.0.weight": generator.standard_normal((4, 3)),
              "layers.0.bias": generator.standard_normal(4),
              "layers.1.weight": generator.standard_normal((2, 4)),
              "layers.1.bias": generator.standard_normal(2)}
    if writer == "fortran":
        arrays = {key: numpy.asfortranarray(value) for key, value in arrays.items()}
    if writer == "float32":
        arrays = {key: value.astype(numpy.float32) for key, value in arrays.items()}
    if writer == "big_endian":
        arrays = {key: value.astype(">f8") for key, value in arrays.items()}
    save = numpy.savez_compressed if writer == "savez_compressed" else numpy.savez
    save(tmp_path / "w.npz", **arrays)
    network = two_layer()
    pn.import_npz(network, tmp_path / "w.npz")
    assert network.layers[0].weights.value == arrays["layers.0.weight"].T.astype(float).tolist()
    assert network.layers[1].bias.value == [arrays["layers.1.bias"].astype(float).tolist()]


# -- PyTorch: a model trained there predicts the same here, and back ------------------------------


def torch_activation(torch, activation):
    """The torch function computing the same as a purenn activation (name or object)."""
    functional = torch.nn.functional
    spec = activation if isinstance(activation, str) else activation.name
    if isinstance(activation, pn.LeakyReLU):
        return lambda z: functional.leaky_relu(z, negative_slope=activation.slope)
    if isinstance(activation, pn.ELU):
        return lambda z: functional.elu(z, alpha=activation.alpha)
    return {
        "identity": lambda z: z,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": functional.leaky_relu,
        "elu": functional.elu,
        # threshold: PyTorch returns z itself above 20; purenn keeps z + log1p(e^-z) there.
        "softplus": lambda z: functional.softplus(z, threshold=50.0),
        "gelu": lambda z: functional.gelu(z, approximate="none"),
        "softmax": lambda z: torch.softmax(z, dim=1),
    }[spec]


def torch_module(torch, sizes, biases, activations):
    """A float64 torch module with the layers in a ModuleList ``layers``, as in the README."""

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList(
                torch.nn.Linear(n_in, n_out, bias=bias, dtype=torch.float64)
                for n_in, n_out, bias in zip(sizes, sizes[1:], biases)
            )
            self.functions = [torch_activation(torch, a) for a in activations]

        def forward(self, x):
            for layer, function in zip(self.layers, self.functions):
                x = function(layer(x))
            return x

    return Net()


ARCHITECTURES = [
    ([3, 5, 4, 2], [True, False, True], ["tanh", "relu", "identity"]),
    ([2, 6, 3], [True, True], ["sigmoid", "softmax"]),
    ([4, 4, 4, 1], [False, True, True], ["gelu", "softplus", "sigmoid"]),
    ([3, 3, 3, 3], [True, True, True], ["leaky_relu", pn.LeakyReLU(0.2), pn.ELU(0.5)]),
    ([2, 3, 2], [True, True], ["elu", "identity"]),
]


def purenn_network(sizes, biases, activations, seed=0):
    return pn.Network([pn.Dense(n_in, n_out, activation, bias=bias)
                       for n_in, n_out, bias, activation
                       in zip(sizes, sizes[1:], biases, activations)], seed=seed)


def assert_close(ours, theirs):
    for row, other in zip(ours, theirs):
        for value, expected in zip(row, other):
            assert abs(value - expected) <= TOLERANCE * max(1.0, abs(expected)), (value, expected)


INPUTS = [[(((i * 7 + j * 5) % 13) - 6) / 3.0 for j in range(4)] for i in range(9)]


@pytest.mark.parametrize("sizes, biases, activations", ARCHITECTURES)
def test_a_pytorch_model_saved_through_numpy_predicts_the_same_in_purenn(
    tmp_path, sizes, biases, activations
):
    numpy, torch = require_numpy(), require_torch()
    torch.manual_seed(0)
    model = torch_module(torch, sizes, biases, activations)
    x = [row[: sizes[0]] for row in INPUTS]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)  # trained a little, in PyTorch
    for _ in range(3):
        optimizer.zero_grad()
        model(torch.tensor(x, dtype=torch.float64)).square().sum().backward()
        optimizer.step()
    numpy.savez(tmp_path / "torch.npz",
                **{key: value.detach().numpy() for key, value in model.state_dict().items()})
    network = purenn_network(sizes, biases, activations, seed=9)
    pn.import_npz(network, tmp_path / "torch.npz")
    with torch.no_grad():
        expected = model(torch.tensor(x, dtype=torch.float64)).tolist()
    assert_close(network.predict(x), expected)


@pytest.mark.parametrize("sizes, biases, activations", ARCHITECTURES)
def test_a_purenn_model_exported_predicts_the_same_in_pytorch(tmp_path, sizes, biases, activations):
    numpy, torch = require_numpy(), require_torch()
    network = purenn_network(sizes, biases, activations, seed=3)
    x = [row[: sizes[0]] for row in INPUTS]
    network.fit(x, [[0.5] * sizes[-1]] * len(x), epochs=3, learning_rate=0.1)
    pn.export_npz(network, tmp_path / "purenn.npz")
    model = torch_module(torch, sizes, biases, activations)
    with numpy.load(tmp_path / "purenn.npz") as arrays:
        model.load_state_dict({key: torch.from_numpy(arrays[key]) for key in arrays.files})
    with torch.no_grad():
        expected = model(torch.tensor(x, dtype=torch.float64)).tolist()
    assert_close(network.predict(x), expected)


# -- image layers: Conv2D's kernels are PyTorch's (F, C, kh, kw) ----------------------------------


def image_network(seed=0):
    return pn.Network([
        pn.Conv2D(2, 3, (3, 2), padding=(1, 0), activation="tanh", input_shape=(2, 7, 6)),
        pn.MaxPool2D(2, stride=(2, 1)),
        pn.Conv2D(3, 2, 2, stride=(1, 2), activation=pn.LeakyReLU(0.3), bias=False),
        pn.AvgPool2D((2, 1)),
        pn.Flatten(),
        pn.Dense(4, 3, "softmax"),
    ], seed=seed)


IMAGES = [[((i * 7 + k * 3) % 17) / 4.0 - 2.0 for i in range(84)] for k in range(3)]


def test_an_image_network_round_trips_with_kernels_in_pytorchs_shape(tmp_path):
    network = image_network()
    pn.export_npz(network, tmp_path / "cnn.npz")
    arrays = arrays_in(tmp_path / "cnn.npz")
    assert list(arrays) == ["layers.0.weight", "layers.0.bias", "layers.2.weight",
                            "layers.5.weight", "layers.5.bias"]
    assert arrays["layers.0.weight"] == (
        (3, 2, 3, 2), [v for row in network.layers[0].weights.value for v in row])
    assert arrays["layers.2.weight"][0] == (2, 3, 2, 2)
    other = image_network(seed=1)
    pn.import_npz(other, tmp_path / "cnn.npz")
    assert bits(other.predict(IMAGES)) == bits(network.predict(IMAGES))


def torch_image_module(torch):
    """image_network in PyTorch: the layers in a ModuleList, indexed as purenn's."""
    functional = torch.nn.functional

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList([
                torch.nn.Conv2d(2, 3, (3, 2), padding=(1, 0), dtype=torch.float64),
                torch.nn.MaxPool2d(2, stride=(2, 1)),
                torch.nn.Conv2d(3, 2, 2, stride=(1, 2), bias=False, dtype=torch.float64),
                torch.nn.AvgPool2d((2, 1)),
                torch.nn.Flatten(),
                torch.nn.Linear(4, 3, dtype=torch.float64),
            ])

        def forward(self, x):
            x = torch.tanh(self.layers[0](x.reshape(-1, 2, 7, 6)))
            x = functional.leaky_relu(self.layers[2](self.layers[1](x)), 0.3)
            x = self.layers[4](self.layers[3](x))
            return torch.softmax(self.layers[5](x), dim=1)

    return Net()


def test_a_pytorch_cnn_comes_to_purenn_and_back(tmp_path):
    numpy, torch = require_numpy(), require_torch()
    torch.manual_seed(0)
    model = torch_image_module(torch)
    numpy.savez(tmp_path / "torch.npz",
                **{key: value.detach().numpy() for key, value in model.state_dict().items()})
    network = image_network(seed=5)
    pn.import_npz(network, tmp_path / "torch.npz")
    with torch.no_grad():
        expected = model(torch.tensor(IMAGES, dtype=torch.float64)).tolist()
    assert_close(network.predict(IMAGES), expected)
    network.fit(IMAGES, [[1, 0, 0], [0, 1, 0], [0, 0, 1]], epochs=2, learning_rate=0.1)
    pn.export_npz(network, tmp_path / "purenn.npz")
    with numpy.load(tmp_path / "purenn.npz") as arrays:
        model.load_state_dict({key: torch.from_numpy(arrays[key]) for key in arrays.files})
    with torch.no_grad():
        expected = model(torch.tensor(IMAGES, dtype=torch.float64)).tolist()
    assert_close(network.predict(IMAGES), expected)
