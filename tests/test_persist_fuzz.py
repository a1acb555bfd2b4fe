"""Damaged files: whatever is wrong in a model file, load raises ModelFormatError, nothing else.

A small checkpoint (two layers, Adam state, the generator) is saved once, then damaged in every
way listed in issue 12: truncated at every length, bytes flipped, every field removed, every
value replaced by values of other types, the version changed.  Each damaged file either still
is a valid model (a flipped digit of a weight is just another weight) or raises
ModelFormatError; any other exception fails.  Where the damage cannot leave a valid file
(truncation, a removed field, a wrong version), ModelFormatError is required.
"""

import json

import pytest

import purenn as pn
from purenn.formats import savefile

OTHER_VALUES = [None, True, -1, 2.5, "x", [], {}, [[1.0]]]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """(path, bytes, document) of a small checkpoint file."""
    network = pn.Network([pn.Dense(2, 2, pn.LeakyReLU(0.2)), pn.Dense(2, 1, "sigmoid")],
                         loss="bce", seed=0)
    adam = pn.Adam(lr=0.1)
    network.fit([[0, 1], [1, 0], [1, 1]], [0, 1, 1], epochs=2, optimizer=adam, batch_size=2)
    path = tmp_path_factory.mktemp("fuzz") / "checkpoint.json"
    pn.save(network, path, optimizer=adam)
    data = path.read_bytes()
    return path, data, json.loads(data)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """(path, bytes) of a small model file without training state."""
    path = tmp_path_factory.mktemp("fuzz") / "model.json"
    pn.save(pn.Network([pn.Dense(2, 1, "tanh")], seed=0), path)
    return path, path.read_bytes()


@pytest.fixture(autouse=True, scope="module")
def _contents_from_memory():
    """The file's bytes come from ``CONTENTS`` instead of the disk: thousands of damaged files
    are parsed, and writing each one costs milliseconds on some disks.  Everything after the
    read is the real load."""
    real = savefile.read_bytes
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(savefile, "read_bytes",
                      lambda path: CONTENTS[path] if path in CONTENTS else real(path))
        yield


CONTENTS = {}


def outcome(path, data):
    """'ok' if ``data`` loads as a checkpoint (or as a model), or the ModelFormatError's text;
    any other exception propagates and fails the test."""
    CONTENTS[str(path)] = data
    try:
        pn.load_checkpoint(path)
    except pn.ModelFormatError as error:
        if "holds no training state" not in str(error):
            return str(error)
    pn.load(path)
    return "ok"


def paths_in(value, prefix=()):
    """Every path (a tuple of keys and indices) to a value inside the document, depth first;
    the long lists (the generator's words, matrix rows) contribute their first two items."""
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))[:2]
    else:
        return
    for key, item in items:
        yield (*prefix, key)
        yield from paths_in(item, (*prefix, key))


def replaced(document, path, new=None, remove=False):
    changed = json.loads(json.dumps(document))  # a deep copy, several times faster
    holder = changed
    for key in path[:-1]:
        holder = holder[key]
    if remove:
        del holder[path[-1]]
    else:
        holder[path[-1]] = new
    return json.dumps(changed).encode()


def test_every_truncation_is_refused(model, tmp_path):
    _, data = model
    target = tmp_path / "cut.json"
    end = len(data.rstrip())
    for length in range(end):
        message = outcome(target, data[:length])
        assert message != "ok", length
        assert message.startswith(f"load_checkpoint: {target}: "), message
    assert outcome(target, data[:end]) == "ok"  # only the final newline was cut


def test_every_truncation_of_a_checkpoint_is_refused(checkpoint, tmp_path):
    _, data, _ = checkpoint
    target = tmp_path / "cut.json"
    for length in range(0, len(data.rstrip()), 13):
        assert outcome(target, data[:length]) != "ok", length


@pytest.mark.parametrize("mask", [0x01, 0x04, 0x20, 0x80])
def test_flipped_bytes_load_or_raise_model_format_error(model, tmp_path, mask):
    _, data = model
    target = tmp_path / "flipped.json"
    refused = 0
    for position in range(len(data)):
        damaged = bytearray(data)
        damaged[position] ^= mask
        refused += outcome(target, bytes(damaged)) != "ok"
    assert refused > len(data) // 2  # most flips break the file; the rest are other numbers


def test_flipped_bytes_in_a_checkpoint(checkpoint, tmp_path):
    _, data, _ = checkpoint
    target = tmp_path / "flipped.json"
    for position in range(0, len(data), 11):
        damaged = bytearray(data)
        damaged[position] ^= 0x10
        outcome(target, bytes(damaged))


def test_every_removed_field_is_refused(checkpoint, tmp_path):
    _, _, document = checkpoint
    target = tmp_path / "removed.json"
    checked = 0
    for path in paths_in(document):
        if isinstance(path[-1], int):
            continue  # list items: a shorter list, checked by the next test
        message = outcome(target, replaced(document, path, remove=True))
        assert message != "ok", path
        checked += 1
    assert checked > 30


def test_shortened_lists_are_refused(checkpoint, tmp_path):
    _, _, document = checkpoint
    target = tmp_path / "short.json"
    for path in paths_in(document):
        value = document
        for key in path:
            value = value[key]
        if isinstance(value, list) and value and path[0] != "layers":
            assert outcome(target, replaced(document, path, value[:-1])) != "ok", path


def test_values_of_other_types_load_or_raise_model_format_error(checkpoint, tmp_path):
    _, _, document = checkpoint
    target = tmp_path / "retyped.json"
    refused = total = 0
    for path in paths_in(document):
        for new in OTHER_VALUES:
            refused += outcome(target, replaced(document, path, new)) != "ok"
            total += 1
    assert refused > 0.9 * total


@pytest.mark.parametrize("version", [0, 2, -1, "1", 1.0, True, None, 10**30])
def test_other_versions_are_refused(checkpoint, tmp_path, version):
    _, _, document = checkpoint
    message = outcome(tmp_path / "v.json", replaced(document, ("version",), version))
    assert "version" in message
    if version == 2:
        assert "a newer purenn (format version 2); this purenn reads version 1" in message


@pytest.mark.parametrize("value", ["PureNN", "", None, 1, ["purenn"]])
def test_other_format_names_are_refused(checkpoint, tmp_path, value):
    _, _, document = checkpoint
    message = outcome(tmp_path / "f.json", replaced(document, ("format",), value))
    assert 'not a purenn model file (no "format": "purenn" at the top)' in message


@pytest.mark.parametrize("data, message", [
    (b"", "damaged or truncated JSON"),
    (b"\x00\xff\xfe binary", "not UTF-8 text"),
    ("{}".encode("utf-16"), "not UTF-8 text"),
    (b"\xef\xbb\xbf{}", "damaged or truncated JSON"),
    (b"[" * 100_000, "damaged or truncated JSON"),
    (b"[1, 2]", "not a purenn model file"),
    (b'{"format": "purenn", "format": "purenn"}', "the key 'format' appears twice"),
])
def test_what_is_not_a_model_file_at_all(tmp_path, data, message):
    assert message in outcome(tmp_path / "x.json", data)


def test_json_nested_past_the_limit_is_refused_before_parsing(tmp_path):
    # The parser recurses per level: under WebAssembly thousands of levels kill the interpreter
    # before Python's recursion limit, so depth is measured first; brackets in strings do not
    # count, and a file at the limit parses as usual (here: not a model, for its content).
    deep = savefile.MAX_NESTING + 1
    assert "nested more than" in outcome(tmp_path / "x.json", b"[" * deep + b"]" * deep)
    at_limit = b"[" * savefile.MAX_NESTING + b"]" * savefile.MAX_NESTING
    assert "not a purenn model file" in outcome(tmp_path / "y.json", at_limit)
    assert savefile.nesting_depth('{"key": "[[[[{{{{"}') == 1


def numbers_replaced(checkpoint, text):
    """The checkpoint's text with its first weight replaced by ``text``."""
    _, data, document = checkpoint
    first = json.dumps(document["state"]["layers.0.weight"][0][0]).encode()
    return data.replace(first, text.encode(), 1)


@pytest.mark.parametrize("text, message", [
    ("NaN", "NaN is not a number a model file may hold"),
    ("-Infinity", "-Infinity is not a number a model file may hold"),
    ("1e999", "the number 1e999 is beyond a float's range"),
    ("1" + "0" * 400, "is too long"),
    ('"0.5"', "must be a finite number, got '0.5'"),
    ("true", "must be a finite number, got True"),
])
def test_non_numbers_as_weights_are_refused(checkpoint, tmp_path, text, message):
    assert message in outcome(tmp_path / "n.json", numbers_replaced(checkpoint, text))


def edited(document, edit):
    changed = json.loads(json.dumps(document))
    edit(changed)
    return json.dumps(changed).encode()


def optimizer_state(document, index):
    return document["training"]["optimizer"]["state"][index]


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["layers"][0].update(n_out=3),
     "state['layers.0.weight'] is 2×2 but must be 2×3"),
    (lambda d: d["layers"][0].update(n_in=10**9),
     "state['layers.0.weight'] is 2×2 but must be 1000000000×2"),
    (lambda d: d["layers"][1].update(n_in=3) or d["state"].update(
        {"layers.1.weight": [[0.5], [0.5], [0.5]]}),
     "takes 3 inputs, not 2"),
    (lambda d: d["layers"][1].update(activation={"name": "tanh"}),
     "the bce loss needs outputs in [0, 1]"),
    (lambda d: d["layers"][0].update(bias=False), "has an unexpected 'layers.0.bias'"),
    (lambda d: d["layers"][0].update(bias=1), "layers[0].bias must be true or false, got 1"),
    (lambda d: d["layers"][0].update(type="Conv9D"), "layers[0] has type 'Conv9D'; known types"),
    (lambda d: d["layers"][0].update(activation={"name": "leaky_relu"}),
     "layers[0].activation has no 'slope'"),
    (lambda d: d["layers"][0]["activation"].update(slope=True),
     "layers[0].activation.slope must be a finite number, got True"),
    (lambda d: d["layers"][0].update(init={"name": "uniform", "low": 1.0, "high": 0.0}),
     "layers[0].init: Uniform: high must be a finite number > 1"),
    (lambda d: d.update(layers=[]), "layers is empty"),
    (lambda d: d["training"]["optimizer"].update(type="RMSprop"),
     "training.optimizer.type is 'RMSprop'; known optimizers: SGD, Adam"),
    (lambda d: d["training"]["optimizer"]["config"].update(lr=-1.0),
     "training.optimizer.config: Adam: learning rate must be a finite number ≥ 0, got -1.0"),
    (lambda d: d["training"]["optimizer"]["config"].update(betas=[0.9]),
     "training.optimizer.config.betas must hold 2 items, got 1"),
    (lambda d: optimizer_state(d, 0).update(step=0), "step must be an int ≥ 1, got 0"),
    (lambda d: optimizer_state(d, 0).update(step=2.0), "step must be an int ≥ 1, got 2.0"),
    (lambda d: optimizer_state(d, 0)["exp_avg_sq"][0].__setitem__(0, -1.0),
     "exp_avg_sq must be ≥ 0"),
    (lambda d: optimizer_state(d, 1).update(exp_avg=[[0.0]]), "exp_avg is 1×1 but layers[0].bias"),
    (lambda d: d["training"]["optimizer"]["state"].pop(), "states must be a list of 4 entries"),
    (lambda d: d["training"]["rng"]["internal_state"].__setitem__(624, 625),
     "internal_state[624] must be an int in [0, 624], got 625"),
    (lambda d: d["training"]["rng"]["internal_state"].__setitem__(3, 2**32),
     "internal_state[3] must be an int in [0, 4294967295]"),
    (lambda d: d["training"]["rng"].update(version=2),
     "training.rng.version must be an int in [3, 3]"),
    (lambda d: d["training"]["rng"].update(gauss_next="x"), "gauss_next must be a finite number"),
])
def test_inconsistent_contents_are_refused_by_name(checkpoint, tmp_path, edit, message):
    _, _, document = checkpoint
    got = outcome(tmp_path / "e.json", edited(document, edit))
    assert message in got


@pytest.fixture(scope="module")
def image_model(tmp_path_factory):
    """The document of a small convolutional network's file."""
    network = pn.Network([pn.Conv2D(1, 2, 2, input_shape=(1, 3, 3)), pn.MaxPool2D(2),
                          pn.Flatten(), pn.Dense(2, 1)], seed=0)
    path = tmp_path_factory.mktemp("fuzz") / "cnn.json"
    pn.save(network, path)
    return json.loads(path.read_bytes())


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["layers"][0].update(kernel_size=[3, 2]),
     "state['layers.0.weight'] is 2×4 but must be 2×6"),
    (lambda d: d["layers"][0].update(kernel_size=[2]),
     "layers[0]: Conv2D: kernel_size must be an int ≥ 1 or a pair (h, w) of them, got (2,)"),
    (lambda d: d["layers"][0].update(padding=[-1, 0]),
     "layers[0]: Conv2D: padding must be an int ≥ 0 or a pair (h, w) of them, got (-1, 0)"),
    (lambda d: d["layers"][0].update(input_shape=[1, 100000, 100000]),
     "layers[0] (Conv2D) on inputs 1×100000×100000 would bring the index tables"),
    (lambda d: d["layers"][0].update(input_shape=[]),
     "layers[0]: Conv2D: input_shape must be a tuple of ints ≥ 1"),
    (lambda d: d["layers"][0].update(input_shape=[2, 3, 3]), "takes 1 channel, not the 2"),
    (lambda d: d["layers"][0].update(input_shape=None), "does not know the shape of its input"),
    (lambda d: d["layers"][1].update(pool_size=[5, 5]), "is larger than the image"),
    # A padding that would make index tables of billions of entries: refused before building.
    (lambda d: d["layers"][0].update(padding=[100000, 100000]),
     "layers[0] (Conv2D) on inputs 1×3×3 would bring the index tables of the image layers to"),
    (lambda d: d["layers"][2].update(input_shape="flat"),
     "layers[2]: Flatten: input_shape must be a tuple of ints ≥ 1"),
])
def test_inconsistent_image_layers_are_refused_by_name(image_model, tmp_path, edit, message):
    got = outcome(tmp_path / "e.json", edited(image_model, edit))
    assert message in got, got
