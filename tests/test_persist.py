"""purenn's own format: save, load, checkpoints, state_dict, and what a failed save leaves."""

import json
import os
import stat

import pytest
from budget import examples
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from image_strategies import conv_cases
from persist_helpers import assert_declared_shapes_are_the_state, bits, every_activation, networks
from sequence_cases import every_layer_net

import purenn as pn
from purenn.activations import ACTIVATIONS, Elementwise, sigmoid, sigmoid_derivative
from purenn.formats.architecture import describe_network
from purenn.formats.npz import TORCH_LAYOUTS
from purenn.formats.onnx import ONNX_LAYERS
from purenn.formats.standalone import PYTHON_LAYERS
from purenn.formats.support import FORMAT_LAYERS
from purenn.initializers import INITIALIZERS
from purenn.layers import LAYER_TYPES
from purenn.losses import LOSSES, SumSquaredError

X = [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]
Y = [[0.0], [1.0], [1.0], [0.0]]


def seed_network(seed=1):
    return pn.Network([pn.Dense(3, 4, "sigmoid"), pn.Dense(4, 1, "sigmoid")], loss="sse",
                      seed=seed)


@pytest.fixture(autouse=True, scope="module")
def _fast_fsync():
    """fsync costs milliseconds on a real disk and nothing a test can observe depends on it;
    the tests of atomic writes below make it fail on purpose, which shows that save calls it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda descriptor: None)
        yield


def leftovers(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


# -- round trips --------------------------------------------------------------------------------


@given(networks(), st.lists(st.lists(st.floats(-3, 3), min_size=4, max_size=4), min_size=1,
                            max_size=3))
def test_a_loaded_network_is_the_saved_one_bit_for_bit(tmp_path_factory, network, rows):
    path = tmp_path_factory.mktemp("round") / "model.json"
    pn.save(network, path)
    loaded = pn.load(path)
    assert bits(loaded.state_dict()) == bits(network.state_dict())
    assert describe_network(loaded, "t") == describe_network(network, "t")
    x = [row[: network.n_in] for row in rows]
    assert bits(loaded.predict(x)) == bits(network.predict(x))
    # Saving what was loaded writes the same bytes: nothing is lost or reformatted.
    again = path.with_name("again.json")
    pn.save(loaded, again)
    assert again.read_bytes() == path.read_bytes()


@st.composite
def image_networks(draw):
    """A convolutional network drawn whole: a Conv2D of any geometry conv_cases draws, then
    perhaps BatchNorm, Dropout and a pooling layer, then Flatten and a Dense head; every
    parameter and buffer drawn too (BatchNorm's running statistics included)."""
    case = draw(conv_cases())
    layers = [pn.Conv2D(**case.kwargs, activation=draw(st.sampled_from(["relu", "tanh", "elu"])),
                        bias=draw(st.booleans()), input_shape=case.shape)]
    shape = layers[0].build(case.shape)
    if draw(st.booleans()):
        layers.append(pn.BatchNorm(shape[0], draw(st.sampled_from(["identity", "sigmoid"]))))
    if draw(st.booleans()):
        layers.append(pn.Dropout(draw(st.sampled_from([0.0, 0.25, 0.5]))))
    if draw(st.booleans()):
        kind = draw(st.sampled_from([pn.MaxPool2D, pn.AvgPool2D]))
        pool = kind(1, stride=draw(st.integers(1, 2)))
        layers.append(pool)
        shape = pool.build(shape)
    layers += [pn.Flatten(), pn.Dense(shape[0] * shape[1] * shape[2], 2)]
    network = pn.Network(layers, seed=draw(st.integers(0, 9)))
    values = st.floats(-3, 3)
    for held in [*network.parameters(), *network.buffers()]:
        rows, columns = held.shape
        floats = st.floats(0.1, 3) if held.name.endswith("running_var") else values
        if held.name.endswith("num_batches_tracked"):
            floats = st.integers(0, 10**6).map(float)
        held.value = draw(st.lists(st.lists(floats, min_size=columns, max_size=columns),
                                   min_size=rows, max_size=rows))
    return network, case.x


@given(image_networks())
def test_a_loaded_image_network_is_the_saved_one_bit_for_bit(tmp_path_factory, drawn):
    network, x = drawn
    path = tmp_path_factory.mktemp("images") / "model.json"
    pn.save(network, path)
    loaded = pn.load(path)
    assert bits(loaded.state_dict()) == bits(network.state_dict())
    assert describe_network(loaded, "t") == describe_network(network, "t")
    assert bits(loaded.predict(x)) == bits(network.predict(x))
    again = path.with_name("again.json")
    pn.save(loaded, again)
    assert again.read_bytes() == path.read_bytes()


@pytest.mark.parametrize("activation", every_activation(), ids=repr)
@pytest.mark.parametrize("init", [*sorted(INITIALIZERS), pn.Uniform(-2, 3), pn.Normal(1, 0.5)],
                         ids=repr)
def test_every_activation_and_initializer_comes_back(tmp_path, activation, init):
    network = pn.Network([pn.Dense(2, 3, activation, init=init), pn.Dense(3, 2)], seed=3)
    pn.save(network, tmp_path / "m.json")
    loaded = pn.load(tmp_path / "m.json")
    layer = loaded.layers[0]
    assert layer.activation.name == network.layers[0].activation.name
    assert type(layer.activation) is type(network.layers[0].activation)
    assert repr(layer.init) == repr(network.layers[0].init) or layer.init is network.layers[0].init


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_every_loss_comes_back(tmp_path, loss):
    network = pn.Network([pn.Dense(2, 2, "sigmoid")], loss=loss, seed=0)
    pn.save(network, tmp_path / "m.json")
    assert pn.load(tmp_path / "m.json").loss_function is LOSSES[loss]


def test_an_equal_unregistered_instance_is_saved_by_the_registered_name(tmp_path):
    network = pn.Network([pn.Dense(2, 2, pn.ReLU())], loss=SumSquaredError(), seed=0)
    pn.save(network, tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["loss"] == {"name": "sse"}
    assert document["layers"][0]["activation"] == {"name": "relu"}


def test_the_seed_file_reads_as_documented(tmp_path):
    network = seed_network()
    network.fit(X, Y, epochs=10, learning_rate=1.0)
    pn.save(network, tmp_path / "seed.json")
    text = (tmp_path / "seed.json").read_text(encoding="ascii")
    document = json.loads(text)
    assert list(document) == ["format", "version", "loss", "layers", "state", "training"]
    assert document["layers"][1] == {"type": "Dense", "n_in": 4, "n_out": 1,
                                     "activation": {"name": "sigmoid"}, "bias": True,
                                     "init": {"name": "xavier_uniform"}}
    assert list(document["state"]) == ["layers.0.weight", "layers.0.bias", "layers.1.weight",
                                       "layers.1.bias"]
    assert document["training"] is None
    # One row of a matrix per line.
    assert f"      {json.dumps(document['state']['layers.0.weight'][0])}," in text.splitlines()


def test_negative_zero_and_subnormals_survive(tmp_path):
    network = pn.Network([pn.Dense(2, 2)], seed=0)
    network.load_state_dict({"layers.0.weight": [[-0.0, 5e-324], [1.7976931348623157e308, 0.1]],
                             "layers.0.bias": [[-5e-324, 0.0]]})
    pn.save(network, tmp_path / "m.json")
    assert bits(pn.load(tmp_path / "m.json").state_dict()) == bits(network.state_dict())


def test_paths_may_be_strings_or_path_objects(tmp_path):
    pn.save(seed_network(), str(tmp_path / "a.json"))
    pn.save(seed_network(), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert pn.load(str(tmp_path / "b.json")).n_in == 3


# -- checkpoints: resumed training is the uninterrupted run --------------------------------------

OPTIMIZERS = st.one_of(
    st.builds(pn.SGD, lr=st.sampled_from([0.01, 0.3]), momentum=st.sampled_from([0.0, 0.9]),
              weight_decay=st.sampled_from([0.0, 1e-3])),
    st.builds(pn.SGD, lr=st.just(0.1), momentum=st.just(0.5), nesterov=st.just(True)),
    st.builds(pn.Adam, lr=st.sampled_from([1e-3, 0.05]), weight_decay=st.sampled_from([0.0, 0.01])),
)


def fresh_optimizer(optimizer):
    return type(optimizer)(**optimizer.config())


@settings(max_examples=examples(30))
@given(network=networks(max_layers=2, weights=st.floats(-1, 1)), optimizer=OPTIMIZERS,
       epochs=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       batch_size=st.sampled_from([None, 1, 3]), seed=st.integers(0, 5))
def test_fit_resumed_from_a_checkpoint_equals_the_uninterrupted_run(
    tmp_path_factory, network, optimizer, epochs, batch_size, seed
):
    path = tmp_path_factory.mktemp("resume") / "checkpoint.json"
    x = [[((i * 7 + j * 3 + seed) % 11) / 5.0 - 1.0 for j in range(network.n_in)] for i in range(5)]
    if network.loss_function.name == "cross_entropy":
        y = [i % network.n_out for i in range(5)]
    else:
        y = [[((i + j) % 3) / 2.0 for j in range(network.n_out)] for i in range(5)]
    pn.save(network, path)  # the same starting weights twice
    uninterrupted, resumed = pn.load(path), pn.load(path)
    uninterrupted.rng.seed(seed)
    resumed.rng.seed(seed)
    first, second = fresh_optimizer(optimizer), fresh_optimizer(optimizer)
    options = {"batch_size": batch_size}
    try:
        uninterrupted.fit(x, y, epochs=sum(epochs), optimizer=first, **options)
    except pn.DivergenceError:
        assume(False)  # generated weights can diverge: there is no run to compare with
    resumed.fit(x, y, epochs=epochs[0], optimizer=second, **options)
    pn.save(resumed, path, optimizer=second)
    restored, optimizer_restored = pn.load_checkpoint(path)
    restored.fit(x, y, epochs=epochs[1], optimizer=optimizer_restored, **options)
    assert bits(restored.state_dict()) == bits(uninterrupted.state_dict())
    assert optimizer_restored.config() == first.config()
    assert bits(optimizer_restored.state_list(restored.parameters())) == bits(
        first.state_list(uninterrupted.parameters()))


def test_load_of_a_checkpoint_gives_the_network_with_its_generator(tmp_path):
    network = seed_network()
    sgd = pn.SGD(lr=0.5, momentum=0.9)
    network.fit(X, Y, epochs=3, optimizer=sgd, batch_size=2)
    pn.save(network, tmp_path / "c.json", optimizer=sgd)
    loaded = pn.load(tmp_path / "c.json")
    assert loaded.rng.getstate() == network.rng.getstate()
    assert bits(loaded.state_dict()) == bits(network.state_dict())


def test_load_checkpoint_refuses_a_file_without_training_state(tmp_path):
    pn.save(seed_network(), tmp_path / "m.json")
    with pytest.raises(pn.ModelFormatError, match=r"load_checkpoint: .*m\.json: holds no training"):
        pn.load_checkpoint(tmp_path / "m.json")


def test_a_checkpoint_of_a_fresh_optimizer_holds_no_state(tmp_path):
    network = seed_network()
    pn.save(network, tmp_path / "c.json", optimizer=pn.Adam())
    _, adam = pn.load_checkpoint(tmp_path / "c.json")
    assert adam.state == {}


# -- what cannot be saved ------------------------------------------------------------------------


def test_nan_and_infinite_weights_are_refused_by_name_and_nothing_is_written(tmp_path):
    network = seed_network()
    network.layers[1].weights.value[2][0] = float("nan")
    with pytest.raises(pn.DataError, match=r"save: .*state\['layers.1.weight'\]\[2\]\[0\] is NaN"):
        pn.save(network, tmp_path / "m.json")
    network.layers[1].weights.value[2][0] = float("-inf")
    with pytest.raises(pn.DataError, match="NaN or infinite"):
        pn.save(network, tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


def test_infinite_optimizer_state_is_refused(tmp_path):
    network = seed_network()
    adam = pn.Adam()
    network.fit(X, Y, epochs=1, optimizer=adam)
    adam.state[network.parameters()[0]].v[0][0] = float("inf")
    with pytest.raises(pn.DataError, match=r"training\['optimizer'\]\['state'\]\[0\]"):
        pn.save(network, tmp_path / "c.json", optimizer=adam)


def swish():
    return Elementwise("swish", lambda z: z * sigmoid(z), sigmoid_derivative)


def test_an_unregistered_activation_is_refused_naming_it_and_how_to_register(tmp_path):
    network = pn.Network([pn.Dense(2, 2, swish())], seed=0)
    with pytest.raises(pn.ConfigurationError, match=r"layers\[0\]\.activation <activation swish> "
                       r"is not a registered activation.*ACTIVATIONS\.register\('swish', it\)"):
        pn.save(network, tmp_path / "m.json")


def test_a_custom_activation_reusing_a_registered_name_is_refused(tmp_path):
    fake = Elementwise("sigmoid", sigmoid, sigmoid_derivative)  # same name, another object
    with pytest.raises(pn.ConfigurationError, match="not a registered activation"):
        pn.save(pn.Network([pn.Dense(2, 2, fake)], seed=0), tmp_path / "m.json")


def test_a_registered_custom_activation_saves_and_loads_only_where_registered(tmp_path):
    activation = swish()
    ACTIVATIONS.register("swish", activation)
    try:
        network = pn.Network([pn.Dense(2, 2, activation)], seed=0)
        pn.save(network, tmp_path / "m.json")
        assert pn.load(tmp_path / "m.json").layers[0].activation is activation
    finally:
        del ACTIVATIONS["swish"]
    with pytest.raises(pn.ModelFormatError, match=r"layers\[0\]\.activation names 'swish', which "
                       "is not a registered activation here"):
        pn.load(tmp_path / "m.json")


def test_an_unregistered_loss_or_initializer_is_refused(tmp_path):
    class Hinge(SumSquaredError):  # noqa: N818 (a loss, not an exception)
        name = "hinge"

    with pytest.raises(pn.ConfigurationError, match="loss <loss hinge> is not a registered loss"):
        pn.save(pn.Network([pn.Dense(2, 1)], loss=Hinge(), seed=0), tmp_path / "m.json")

    def ones(rng, n_in, n_out):
        return [[1.0] * n_out for _ in range(n_in)]

    network = pn.Network([pn.Dense(2, 1, init=ones)], seed=0)
    with pytest.raises(pn.ConfigurationError, match=r"layers\[0\]\.init \(the function ones\) "
                       r"is not a registered initializer.*INITIALIZERS\.register\('ones', it\)"):
        pn.save(network, tmp_path / "m.json")


def test_an_unknown_layer_class_or_optimizer_is_refused(tmp_path):
    class Wide(pn.Dense):
        pass

    with pytest.raises(pn.ModelFormatError, match=r"layers\[0\] is a Wide, a layer save does not "
                       r"take; no format takes a Wide: register its class"):
        pn.save(pn.Network([Wide(2, 2)], seed=0), tmp_path / "m.json")

    class Lion(pn.SGD):
        pass

    with pytest.raises(pn.ConfigurationError, match="a checkpoint can hold the optimizers SGD, "):
        pn.save(seed_network(), tmp_path / "m.json", optimizer=Lion())


@pytest.mark.parametrize("arguments, message", [
    (("not a network", "PATH"), r"save: .*m\.json: expected a Network, got 'not a network'"),
    (("NETWORK", 42), "save: the path must be a str or a path object, got 42"),
    (("NETWORK", "PATH", "adam"), "optimizer must be an Optimizer or None, got 'adam'"),
])
def test_bad_arguments_to_save(tmp_path, arguments, message):
    given = {"NETWORK": seed_network(), "PATH": tmp_path / "m.json"}
    with pytest.raises(pn.ConfigurationError, match=message):
        pn.save(*(given.get(a, a) if isinstance(a, str) else a for a in arguments))
    assert os.listdir(tmp_path) == []


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        pn.load(tmp_path / "nothing.json")


def image_network(bias=True, activation="relu"):
    """Every image layer, with unequal sizes, padding and strides."""
    return pn.Network([
        pn.Conv2D(2, 3, (3, 2), padding=(1, 0), activation=activation, bias=bias,
                  input_shape=(2, 7, 6)),
        pn.MaxPool2D(2, stride=(2, 1)),
        pn.Conv2D(3, 2, 2, stride=(1, 2), activation=pn.LeakyReLU(0.3), init=pn.Normal(0, 0.5)),
        pn.AvgPool2D((2, 1)),
        pn.Flatten(),
        pn.Dense(4, 3, "softmax"),
    ], loss="mse", seed=0)


IMAGES = [[((i * 7 + k * 3) % 17) / 4.0 - 2.0 for i in range(84)] for k in range(3)]


def test_each_format_declares_its_layers_and_json_takes_every_registered_one():
    """Each export declares the layer classes it takes, and its declaration is the table by
    which it writes them (a layer outside it is refused by name: tests/test_custom_layer.py).
    purenn's own layers are all registered, so purenn's JSON format takes each of them, and
    the state shapes a layer declares for its config are those its network holds."""
    assert FORMAT_LAYERS["export_npz"] is TORCH_LAYOUTS
    assert FORMAT_LAYERS["export_onnx"] is ONNX_LAYERS
    assert FORMAT_LAYERS["export_python"] is PYTHON_LAYERS
    exported = [getattr(pn, name) for name in pn.__all__]  # the lazily loaded names too
    layer_classes = {value for value in exported
                     if isinstance(value, type) and issubclass(value, pn.Layer)} - {pn.Layer}
    assert {LAYER_TYPES.get(cls.__name__) for cls in layer_classes} == layer_classes
    for bias in (True, False):
        assert_declared_shapes_are_the_state(image_network(bias))
        assert_declared_shapes_are_the_state(pn.Network([pn.Dense(3, 2, bias=bias)], seed=0))
    assert_declared_shapes_are_the_state(every_layer_net())


# A file written by purenn before layers registered themselves (every layer type, version 1):
# it must load, and saving the network again must write the same document.
VERSION_1_FILE = """{
  "format": "purenn", "version": 1, "loss": {"name": "bce"},
  "layers": [
    {"type": "Conv2D", "in_channels": 1, "out_channels": 1, "kernel_size": [1, 1],
     "stride": [1, 1], "padding": [0, 0], "activation": {"name": "identity"}, "bias": false,
     "init": {"name": "xavier_uniform"}, "input_shape": [1, 2, 2]},
    {"type": "MaxPool2D", "pool_size": [1, 1], "stride": [1, 1], "input_shape": null},
    {"type": "AvgPool2D", "pool_size": [1, 1], "stride": [1, 1], "input_shape": null},
    {"type": "Flatten", "input_shape": null},
    {"type": "Dropout", "rate": 0.5, "input_shape": null},
    {"type": "BatchNorm", "num_features": 4, "activation": {"name": "leaky_relu", "slope": 0.2},
     "eps": 1e-05, "momentum": null, "input_shape": null},
    {"type": "Dense", "n_in": 4, "n_out": 1, "activation": {"name": "sigmoid"}, "bias": true,
     "init": {"name": "uniform", "low": -0.5, "high": 0.5}}
  ],
  "state": {
    "layers.0.weight": [[1.5]],
    "layers.5.weight": [[1.0, 2.0, 1.0, 0.5]], "layers.5.bias": [[0.0, 0.25, 0.0, 0.0]],
    "layers.5.running_mean": [[0.5, 0.0, 0.0, 1.0]], "layers.5.running_var": [[1.0, 2.0, 1.0, 4.0]],
    "layers.5.num_batches_tracked": [[3.0]],
    "layers.6.weight": [[-1.0], [0.5], [-0.5], [0.25]], "layers.6.bias": [[0.125]]
  },
  "training": null
}
"""


def test_a_file_written_before_layers_registered_themselves_loads(tmp_path):
    (tmp_path / "old.json").write_text(VERSION_1_FILE)
    network = pn.load(tmp_path / "old.json")
    document = json.loads(VERSION_1_FILE)
    assert bits(network.state_dict()) == bits(document["state"])
    assert repr(network.layers[0]) == ("Conv2D(1, 1, 1, activation='identity', bias=False, "
                                       "input_shape=(1, 2, 2))")
    assert network.layers[5].momentum is None and network.layers[6].init.high == 0.5
    pn.save(network, tmp_path / "again.json")
    assert json.loads((tmp_path / "again.json").read_text()) == document


@pytest.mark.parametrize("bias", [True, False])
def test_an_image_network_comes_back_bit_for_bit(tmp_path, bias):
    network = image_network(bias)
    network.fit(IMAGES, [[0.2, 0.3, 0.5]] * 3, epochs=2, optimizer=pn.Adam(0.01))
    pn.save(network, tmp_path / "cnn.json")
    loaded = pn.load(tmp_path / "cnn.json")
    assert repr(loaded) == repr(network)
    assert bits(loaded.predict(IMAGES)) == bits(network.predict(IMAGES))
    document = json.loads((tmp_path / "cnn.json").read_text())
    assert document["layers"][1] == {"type": "MaxPool2D", "pool_size": [2, 2], "stride": [2, 1],
                                     "input_shape": None}
    assert document["layers"][0]["input_shape"] == [2, 7, 6]


# -- atomic writes: a failed save keeps the old file ----------------------------------------------


@pytest.fixture()
def saved(tmp_path):
    path = tmp_path / "model.json"
    pn.save(seed_network(seed=1), path)
    return path, path.read_bytes()


@pytest.mark.parametrize("failing", ["fsync", "replace", "fchmod", "write"])
def test_a_save_that_fails_in_the_os_keeps_the_old_file(monkeypatch, saved, failing):
    path, before = saved

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, broken)
    with pytest.raises(OSError, match="No space left"):
        pn.save(seed_network(seed=2), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []


def test_a_crash_halfway_through_writing_keeps_the_old_file(monkeypatch, saved):
    path, before = saved
    real_write = os.write

    def half_then_killed(descriptor, data):
        real_write(descriptor, bytes(data[: len(data) // 2]))
        raise KeyboardInterrupt  # the process is being killed

    monkeypatch.setattr(os, "write", half_then_killed)
    with pytest.raises(KeyboardInterrupt):
        pn.save(seed_network(seed=2), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []
    assert pn.load(path).predict(X) == seed_network(seed=1).predict(X)


def test_a_successful_save_replaces_the_file_and_keeps_its_permissions(saved):
    path, before = saved
    if os.name == "posix":
        os.chmod(path, 0o600)
    pn.save(seed_network(seed=2), path)
    assert path.read_bytes() != before
    assert leftovers(path.parent) == []
    if os.name == "posix":
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


# -- state_dict and load_state_dict (the core's plain-data view) ----------------------------------


def test_state_dict_has_pytorch_names_and_copies():
    network = pn.Network([pn.Dense(3, 4), pn.Dense(4, 2, bias=False)], seed=0)
    state = network.state_dict()
    assert list(state) == ["layers.0.weight", "layers.0.bias", "layers.1.weight"]
    assert [(len(v), len(v[0])) for v in state.values()] == [(3, 4), (1, 4), (4, 2)]
    state["layers.0.weight"][0][0] = 99.0
    assert network.layers[0].weights.value[0][0] != 99.0


def test_load_state_dict_round_trips_and_keeps_the_value_lists():
    source = pn.Network([pn.Dense(3, 4), pn.Dense(4, 2)], seed=0)
    target = pn.Network([pn.Dense(3, 4), pn.Dense(4, 2)], seed=1)
    kept = target.layers[0].weights.value
    target.load_state_dict(source.state_dict())
    assert target.layers[0].weights.value is kept
    assert target.predict([[1, 2, 3]]) == source.predict([[1, 2, 3]])


@pytest.mark.parametrize("change, error, message", [
    (lambda s: s.pop("layers.0.bias"), pn.ShapeError, "missing layers.0.bias; unexpected nothing"),
    (lambda s: s.update({"layers.9.weight": [[1.0]]}), pn.ShapeError,
     "unexpected 'layers.9.weight'"),
    (lambda s: s.update({"layers.1.bias": [[1.0, 2.0]]}), pn.ShapeError,
     "layers.1.bias is 1×2 but the network's is 1×1"),
    (lambda s: s.update({"layers.1.bias": [[float("inf")]]}), pn.DataError,
     r"layers\.1\.bias\[0\]\[0\] is inf; data must be finite"),
    (lambda s: s.update({"layers.1.bias": [["x"]]}), pn.ShapeError, "is not a number"),
])
def test_load_state_dict_refuses_and_changes_nothing(change, error, message):
    network = seed_network()
    before = network.state_dict()
    state = network.state_dict()
    state["layers.0.weight"][0][0] = 123.0  # would change first, if anything did
    change(state)
    with pytest.raises(error, match=message):
        network.load_state_dict(state)
    assert network.state_dict() == before


def test_load_state_dict_wants_a_dict():
    with pytest.raises(pn.ShapeError, match="state must be a dict"):
        seed_network().load_state_dict([1, 2])


# -- optimizers' state as plain lists ------------------------------------------------------------


@pytest.mark.parametrize("optimizer", [pn.SGD(lr=0.1, momentum=0.9), pn.Adam(lr=0.01)], ids=repr)
def test_state_lists_round_trip_into_another_optimizer(optimizer):
    network = seed_network()
    network.fit(X, Y, epochs=2, optimizer=optimizer)
    plain = optimizer.state_list(network.parameters())
    other = type(optimizer)(**optimizer.config())
    other.load_state_list(network.parameters(), plain)
    assert bits(other.state_list(network.parameters())) == bits(plain)
    plain[0][next(iter(plain[0]))] = "changed"  # a copy: the optimizer is not affected
    assert bits(optimizer.state_list(network.parameters())) != bits(plain)


def test_none_in_a_state_list_forgets_and_unstepped_parameters_give_none():
    network = seed_network()
    sgd = pn.SGD(lr=0.1, momentum=0.9)
    network.fit(X, Y, epochs=1, optimizer=sgd)
    parameters = network.parameters()
    sgd.load_state_list(parameters, [None] * len(parameters))
    assert sgd.state == {}
    assert sgd.state_list(parameters) == [None] * 4


@pytest.mark.parametrize("optimizer, plain, error, message", [
    (pn.Adam(), [{"step": 0, "exp_avg": [[0.0]], "exp_avg_sq": [[0.0]]}], pn.ConfigurationError,
     r"states\[0\]: step must be an int ≥ 1, got 0"),
    (pn.Adam(), [{"step": 1, "exp_avg": [[0.0]], "exp_avg_sq": [[-1.0]]}], pn.DataError,
     "exp_avg_sq must be ≥ 0"),
    (pn.Adam(), [{"step": 1, "exp_avg": [[0.0, 1.0]], "exp_avg_sq": [[0.0]]}], pn.ShapeError,
     "exp_avg is 1×2 but θ is 1×1"),
    (pn.SGD(momentum=0.5), [{"buffer": [[0.0]]}], pn.ShapeError, "a dict of momentum_buffer"),
    (pn.SGD(momentum=0.5), [], pn.ShapeError, "a list of 1 entries"),
])
def test_load_state_list_refuses_bad_state_and_changes_nothing(optimizer, plain, error, message):
    theta = pn.Parameter("θ", [[1.0]])
    with pytest.raises(error, match=message):
        optimizer.load_state_list([theta], plain)
    assert optimizer.state == {}


# -- the building blocks: checks of file values, temporary names, plain configs --------------------


def test_the_checks_name_the_field_and_what_it_must_be():
    from purenn.formats import checks

    where = "load: m.json"
    assert checks.expect_number(3, "x", where) == 3.0
    for value, message in [(10**400, "x must be a finite number, got 1000"),
                           (True, "x must be a finite number, got True"),
                           ("1", "x must be a finite number, got '1'")]:
        with pytest.raises(pn.ModelFormatError, match=message):
            checks.expect_number(value, "x", where)
    assert checks.expect_like("adam", "sgd", "name", where) == "adam"
    with pytest.raises(pn.ModelFormatError, match="name must be a string, got 3"):
        checks.expect_like(3, "sgd", "name", where)
    with pytest.raises(pn.ModelFormatError, match=r"n must be an int, got 2\.0"):
        checks.expect_like(2.0, 2, "n", where)
    with pytest.raises(pn.ModelFormatError, match="x has no plain form"):
        checks.expect_like(None, object(), "x", where)
    with pytest.raises(pn.ModelFormatError, match=r"w\[1\]\[0\] must be a finite number"):
        checks.expect_matrix([[1.0], [None]], "w", where)
    with pytest.raises(pn.ModelFormatError, match="w is ragged: row 0 has 1 numbers, row 1 2"):
        checks.expect_matrix([[1.0], [1.0, 2.0]], "w", where)
    with pytest.raises(pn.ModelFormatError, match="w must be a non-empty matrix"):
        checks.expect_matrix([[]], "w", where)
    with pytest.raises(pn.ModelFormatError, match="layer must be an object with a, b"):
        checks.expect_keys([1], ["a", "b"], "layer", where)


def test_a_taken_temporary_name_is_skipped(tmp_path, monkeypatch):
    from purenn.formats import files

    draws = iter([b"\x00" * 8, b"\x00" * 8, b"\x01" * 8])
    monkeypatch.setattr(os, "urandom", lambda size: next(draws))
    (tmp_path / f".m.json.{'00' * 8}.tmp").write_bytes(b"someone else's")
    # another save, still writing, holds the lock of its temporary file
    fcntl = pytest.importorskip("fcntl")
    held = open(tmp_path / f".m.json.{'00' * 8}.tmp", "rb")  # noqa: SIM115
    fcntl.flock(held.fileno(), fcntl.LOCK_EX)
    files.write_atomically(tmp_path / "m.json", b"data")
    assert (tmp_path / "m.json").read_bytes() == b"data"
    assert (tmp_path / f".m.json.{'00' * 8}.tmp").read_bytes() == b"someone else's"
    monkeypatch.setattr(files, "_NAME_ATTEMPTS", 1)
    monkeypatch.setattr(os, "urandom", lambda size: b"\x00" * 8)
    with pytest.raises(FileExistsError, match="no free temporary name"):
        files.write_atomically(tmp_path / "m.json", b"other")
    held.close()


def test_a_folder_that_refuses_fsync_does_not_fail_the_save(tmp_path, monkeypatch):
    real_fsync = os.fsync
    calls = []

    def fsync(descriptor):
        calls.append(descriptor)
        if len(calls) == 2:  # the folder's, after the file's
            raise OSError(22, "Invalid argument")
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    pn.save(seed_network(), tmp_path / "m.json")
    assert len(calls) == 2 and pn.load(tmp_path / "m.json").n_in == 3


def test_a_config_with_no_plain_form_is_refused(tmp_path):
    class Scaled(pn.LeakyReLU):
        def config(self):
            return {"slope": object()}

    ACTIVATIONS.register("scaled", Scaled())
    try:
        with pytest.raises(pn.ConfigurationError, match=r"activation\.slope has no plain form"):
            pn.save(pn.Network([pn.Dense(2, 2, Scaled())], seed=0), tmp_path / "m.json")
    finally:
        del ACTIVATIONS["scaled"]


def test_a_layer_whose_config_outgrew_its_format_is_refused(tmp_path):
    network = pn.Network([pn.Dense(2, 2)], seed=0)
    layer = network.layers[0]
    layer.config = lambda: {**pn.Dense.config(layer), "dropout": 0.5}
    with pytest.raises(pn.ConfigurationError, match=r"Dense\.config\(\) gives .*'dropout'"):
        pn.save(network, tmp_path / "m.json")
