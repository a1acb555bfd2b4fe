"""Model and weight files crafted to exhaust a machine: each is refused (ModelFormatError) quickly
and in bounded memory, checked in a child process under a memory limit (resource.setrlimit), and
time compared with a generous multiple of an ordinary file's.  POSIX only (resource)."""

import io
import json
import os
import pathlib
import subprocess
import sys
import time
import zipfile

import pytest
from architectures import trainable_networks
from hypothesis import given, settings
from hypothesis import strategies as st

import purenn as pn
from purenn.formats.architecture import read_layer
from purenn.formats.limits import window_entries
from purenn.formats.npy import npy_bytes, parse_npz
from purenn.formats.savefile import nesting_depth

resource = pytest.importorskip("resource")

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The address space a child may use: Python with purenn imported takes ~40 MB of it, so 300 MB
# is several times what refusing a file needs, and a tenth of what the hostile files made
# purenn allocate before they were refused (1.4 to 1.8 GB).
MEMORY_LIMIT = 300 * 2**20
# Seconds a child may take: refusing takes milliseconds; the old behaviour took 30 s to hours.
TIME_LIMIT = 60


def refused_in_child(code: str) -> str:
    """Run ``code`` (which has ``pn`` imported) in a child under MEMORY_LIMIT; its stdout.  The
    code prints the outcome; a MemoryError or a crash fails the test."""
    prelude = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))\n"
        "import purenn as pn\n"
    )
    done = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True,
                          timeout=TIME_LIMIT, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def document_of(network: pn.Network, folder: pathlib.Path) -> dict:
    """The saved file of ``network`` as plain data."""
    pn.save(network, folder / "source.json")
    return json.loads((folder / "source.json").read_text())


def image_model_document(folder: pathlib.Path, input_side: int, pool: bool = False) -> dict:
    """The file of a tiny network whose first layer declares images input_side × input_side."""
    first = (pn.MaxPool2D(1, input_shape=(1, 4, 4)) if pool
             else pn.Conv2D(1, 1, 3, input_shape=(1, 4, 4)))
    document = document_of(pn.Network([first, pn.Flatten()], seed=0), folder)
    document["layers"][0]["input_shape"] = [1, input_side, input_side]
    return document


@pytest.mark.parametrize("pool", [False, True])
def test_a_few_hundred_bytes_cannot_make_huge_index_tables(tmp_path, pool):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(image_model_document(tmp_path, 2000, pool)))
    assert path.stat().st_size < 1000
    out = refused_in_child(
        f"try:\n    pn.load({str(path)!r})\nexcept pn.ModelFormatError as error:\n"
        "    print(error)\n"
    )
    assert "would bring the index tables of the image layers to" in out
    assert "MAX_WINDOW_ENTRIES" in out


def test_the_window_limit_can_be_raised_by_the_caller(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(image_model_document(tmp_path, 40)))
    monkeypatch.setattr(pn.formats.limits, "MAX_WINDOW_ENTRIES", 1000)
    with pytest.raises(pn.ModelFormatError, match="MAX_WINDOW_ENTRIES"):
        pn.load(path)
    monkeypatch.setattr(pn.formats.limits, "MAX_WINDOW_ENTRIES", 10**6)
    assert pn.load(path).input_shape == (1, 40, 40)


def _seconds(function, *arguments) -> float:
    start = time.perf_counter()
    function(*arguments)
    return time.perf_counter() - start


# How much slower than an ordinary text of the same length a hostile one may be scanned: a
# linear scan is within a small factor (~3 measured); the quadratic one was ~10⁴ times slower
# at this size and grows with it.
SLOWER_AT_MOST = 50


@pytest.mark.parametrize("hostile", ['"' + '\\"' * 100_000, '"\\' * 100_000,
                                     '["' * 100_000, '"\\\n' * 100_000],
                         ids=["escaped-quotes", "backslashes", "strings-in-lists", "newlines"])
def test_the_nesting_check_is_linear(hostile):
    ordinary = json.dumps([[1.5] * 10] * (len(hostile) // 60))
    baseline = min(_seconds(nesting_depth, ordinary) for _ in range(3))
    took = min(_seconds(nesting_depth, hostile) for _ in range(3))
    assert took <= SLOWER_AT_MOST * baseline + 0.05


def _bomb(path: pathlib.Path, name: str, megabytes: int) -> None:
    """An .npz whose member ``name`` deflates ``megabytes`` MB of zeros into a few hundred kB,
    its header claiming that many float64 values."""
    count = megabytes * 2**20 // 8
    header = npy_bytes((count,), [])  # the header alone: no values packed
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive, archive.open(info, "w", force_zip64=True) as member:
        member.write(header)
        for _ in range(megabytes):
            member.write(bytes(2**20))
    assert path.stat().st_size < 2**20


@pytest.mark.slow
def test_import_npz_compares_names_and_shapes_before_decompressing(tmp_path):
    path = tmp_path / "bomb.npz"
    _bomb(path, "layers.0.weight.npy", 600)
    out = refused_in_child(
        "net = pn.Network([pn.Dense(3, 2)], seed=0)\n"
        f"try:\n    pn.import_npz(net, {str(path)!r})\nexcept pn.ModelFormatError as error:\n"
        "    print(error)\n"
    )
    assert "missing layers.0.bias" in out


def test_a_member_longer_than_its_header_says_is_refused_before_reading(tmp_path):
    path = tmp_path / "long.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("w.npy", npy_bytes((2,), [1.0, 2.0]) + bytes(10**6))
    with pytest.raises(pn.ModelFormatError, match="should hold 2 values"):
        parse_npz(path.read_bytes(), "test")


@pytest.mark.parametrize("header, message", ids=["list-key", "huge-int", "empty-huge", "deep"],
                         argvalues=[
    ("{[]: 1}", "damaged header"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 10**30), }", "damaged header"),
    ("{'descr': '<f8', 'fortran_order': True, 'shape': (0, 10000000000000000000000), }", None),
    ("{" + "(" * 2000 + ")" * 2000 + "}", "damaged header"),
])
def test_malformed_npy_headers_are_model_format_errors(header, message):
    text = header.encode("latin-1")
    archive = _zipped({"a.npy": b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text})
    if message is None:  # an empty array of huge sizes: read as empty, nothing allocated
        assert parse_npz(archive, "test") == {"a": ((0, 10**22), [])}
        return
    with pytest.raises(pn.ModelFormatError, match=message):
        parse_npz(archive, "test")


def test_a_header_longer_than_numpy_writes_is_refused():
    data = b"\x93NUMPY\x02\x00" + (10**6).to_bytes(4, "little") + b" " * 100
    with pytest.raises(pn.ModelFormatError, match="numpy writes at most 10000"):
        parse_npz(_zipped({"a.npy": data}), "test")


def _zipped(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return buffer.getvalue()


def test_a_batch_count_that_could_not_be_written_does_not_load(tmp_path):
    document = document_of(pn.Network([pn.Dense(2, 2), pn.BatchNorm(2)], seed=0), tmp_path)
    document["state"]["layers.1.num_batches_tracked"] = [[1e300]]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(document))
    with pytest.raises(pn.ModelFormatError, match="from 0 to 2\\*\\*53"):
        pn.load(path)
    document["state"]["layers.1.num_batches_tracked"] = [[2.0**53]]
    path.write_text(json.dumps(document))
    pn.export_npz(pn.load(path), tmp_path / "w.npz")  # the largest count loads and is written


def test_every_file_up_to_a_megabyte_is_read_or_refused_in_about_a_second(tmp_path):
    """A megabyte of the hostile shapes that cost time before: refused within a generous bound
    measured against loading an ordinary file of the same size."""
    ordinary = pn.Network([pn.Dense(300, 100)], seed=0)
    pn.save(ordinary, tmp_path / "ordinary.json")
    size = (tmp_path / "ordinary.json").stat().st_size
    baseline = _seconds(pn.load, tmp_path / "ordinary.json")
    for name, text in [("quotes", '"' + '\\"' * (size // 2)), ("brackets", "[" * size),
                       ("bom", "\ufeff" + "[" * 10), ("digits", "[" + "9" * size + "]")]:
        path = tmp_path / f"{name}.json"
        path.write_text(text)
        start = time.perf_counter()
        with pytest.raises(pn.ModelFormatError):
            pn.load(path)
        assert time.perf_counter() - start <= SLOWER_AT_MOST * baseline + 0.5, name


def built_entries(network: pn.Network) -> int:
    """The index-table entries the image layers of ``network`` hold, as ``window_entries``
    counts them: P·K table entries plus one reader list per input."""
    return sum(sum(map(len, layer.windows.table)) + layer.windows.size
               for layer in network.layers if hasattr(layer, "windows"))


SIZE_FIELDS = ["input_shape", "kernel_size", "pool_size", "stride", "padding"]


@settings(max_examples=40, deadline=None)
@given(case=trainable_networks(), data=st.data())
def test_edited_sizes_load_within_the_limit_or_are_refused(tmp_path_factory, case, data):
    """Any architecture, one size in its file replaced by any int: the file loads with index
    tables within MAX_WINDOW_ENTRIES (the pre-check counts exactly what is built), or is refused
    with ModelFormatError."""
    folder = tmp_path_factory.mktemp("edited")
    document = document_of(case[0], folder)
    places = [(index, key) for index, layer in enumerate(document["layers"])
              for key in SIZE_FIELDS if isinstance(layer.get(key), list)]
    if places:
        index, key = data.draw(st.sampled_from(places))
        item = data.draw(st.integers(0, len(document["layers"][index][key]) - 1))
        document["layers"][index][key][item] = data.draw(
            st.one_of(st.integers(0, 40), st.integers(0, 10**6), st.just(10**9)))
    path = folder / "m.json"
    path.write_text(json.dumps(document))
    limit = 5000
    original = pn.formats.limits.MAX_WINDOW_ENTRIES
    pn.formats.limits.MAX_WINDOW_ENTRIES = limit
    try:
        network = pn.load(path)
    except pn.ModelFormatError:
        return
    finally:
        pn.formats.limits.MAX_WINDOW_ENTRIES = original
    assert built_entries(network) <= limit
    expected = check_counts(document)
    assert expected == built_entries(network)


def check_counts(document: dict) -> int:
    """The entries ``window_entries`` counts for the file's layers, walked as the loader does."""
    layers = [read_layer(plain, f"layers[{i}]", "test")
              for i, plain in enumerate(document["layers"])]
    total, shape = 0, layers[0][1].get("input_shape")
    for cls, config in layers:
        if shape is None:
            return total
        if issubclass(cls, (pn.Conv2D, pn.layers.Pool2D)):
            entries, shape = window_entries(cls, config, shape)
            total += entries
        else:
            arguments = {key: value for key, value in config.items() if key != "input_shape"}
            shape = tuple(cls(**arguments).build(shape))
    return total
