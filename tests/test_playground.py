"""The playground's Python, natively: the session the page drives, and the server of the page.

The page itself, in a real browser with Pyodide, is tested in test_playground_browser.py."""

import json
import socket
import urllib.error
import urllib.request

import pytest
from cli_helpers import run
from oracles import require_native

import purenn as pn
from purenn.cli.playground import PYODIDE_CDN, make_server, package_files, serve_in_background
from purenn.cli.seednets import seed_network
from purenn.errors import ConfigurationError
from purenn.gradient_checking.numerical import METHODS
from purenn.gradient_checking.sweep import step_sweep
from purenn.playground import DATASETS, Session
from purenn.playground.session import CHECKED_ROWS, SWEEP_SAMPLE


@pytest.mark.parametrize("dataset", ["seed", *DATASETS])
def test_every_data_set_trains_and_its_loss_falls(dataset):
    session = Session(dataset, hidden=(6,), activation="tanh", optimizer="adam",
                      learning_rate=0.05)
    first = session.train(5)
    last = session.train(40)
    assert last["epoch"] == 45 and last["loss"] < first["loss"]
    assert last["loss_svg"].startswith("<svg") and last["picture_svg"].startswith("<svg")
    assert len(last["predictions"]) == len(session.x)


def test_the_seed_example_in_chunks_is_the_demo_to_the_last_bit():
    # The page trains a chunk at a time; plain SGD on the full batch makes that one long fit.
    session = Session("seed", learning_rate=1.0)
    for chunk in (10, 490, 1000):
        result = session.train(chunk)
    x, y = pn.datasets.seed_data()
    network = seed_network(0)
    network.fit(x, y, epochs=1500, learning_rate=1.0)
    assert result["predictions"] == network.predict(x)


def test_the_gradient_check_passes_with_its_table_and_sweep():
    session = Session("moons", hidden=(4,), activation="tanh", learning_rate=0.1)
    session.train(3)
    result = session.check()
    assert result["ok"] is True
    assert "PASSED" in result["table"] and "layers[0].weights" in result["table"]
    pictures = [session.sweep_method(method) for method in METHODS]
    assert all(picture.startswith("<svg") for picture in pictures)
    assert sorted(session.swept) == sorted(METHODS)  # every method's curve in the last picture


def test_the_sweep_checks_a_sample_of_each_parameter():
    session = Session("moons", hidden=(8,), activation="tanh", learning_rate=0.1)
    session.train(3)
    session.check()
    session.sweep_method("central")
    x, y = session.x[:CHECKED_ROWS], session.y[:CHECKED_ROWS]
    everything = step_sweep(session.network, x, y, ["central"])["central"]
    sampled = session.swept["central"]
    # The sampled entries are some of all the entries, so their largest error is at most the
    # largest of all, step by step, and the largest layer (8×2 weights) is not checked whole.
    assert [h for h, _ in sampled] == [h for h, _ in everything]
    assert all(part <= whole for (_, part), (_, whole) in zip(sampled, everything))
    assert SWEEP_SAMPLE < 8 * 2


@pytest.mark.parametrize("arguments, message", [
    ({"dataset": "iris"}, "dataset must be 'seed' or one of"),
    ({"optimizer": "rmsprop"}, "optimizer must be one of"),
])
def test_what_the_page_cannot_offer_is_a_configuration_error(arguments, message):
    with pytest.raises(ConfigurationError, match=message):
        Session(**arguments)


# -- the server ---------------------------------------------------------------------------------


@pytest.fixture
def pyodide_copy(tmp_path):
    """A folder that looks like a copy of Pyodide (the server needs only pyodide.mjs in it)."""
    (tmp_path / "pyodide.mjs").write_text("export {};\n")
    (tmp_path / "python_stdlib.zip").write_bytes(b"PK")
    return tmp_path


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read()


def status_of(url):
    try:
        return fetch(url)[0]
    except urllib.error.HTTPError as error:
        return error.code


def test_the_server_gives_the_page_purenns_files_and_the_local_pyodide(pyodide_copy):
    require_native("serve on a socket from a thread")
    server = make_server(0, str(pyodide_copy))
    try:
        url = serve_in_background(server)
        status, kind, page = fetch(url)
        assert status == 200 and kind.startswith("text/html") and b"playground.js" in page
        assert fetch(url + "playground.js")[1] == "text/javascript"
        assert json.loads(fetch(url + "config.json")[2]) == {"pyodide": "/pyodide/"}
        files = json.loads(fetch(url + "purenn/files.json")[2])
        assert files == package_files() and "playground/session.py" in files
        assert b"class Network" in fetch(url + "purenn/network.py")[2]
        assert fetch(url + "pyodide/pyodide.mjs")[1] == "text/javascript"
        for outside in ("purenn/../../../etc/passwd", "pyodide/../secret", "purenn/nothing.py",
                        "etc/passwd"):
            assert status_of(url + outside) == 404, outside
    finally:
        server.shutdown()
        server.server_close()


def test_without_a_local_copy_the_page_takes_pyodide_from_its_public_copy():
    require_native("serve on a socket from a thread")
    server = make_server(0)
    try:
        url = serve_in_background(server)
        assert json.loads(fetch(url + "config.json")[2]) == {"pyodide": PYODIDE_CDN}
        assert status_of(url + "pyodide/pyodide.mjs") == 404
    finally:
        server.shutdown()
        server.server_close()


def test_command_line_errors_are_one_line(tmp_path, capsys):
    require_native("serve on a socket from a thread")
    not_pyodide = run(capsys, "playground", "--pyodide", str(tmp_path))
    assert not_pyodide.status == 2 and "not a copy of Pyodide" in not_pyodide.err
    assert len(not_pyodide.err.splitlines()) == 1
    bad_port = run(capsys, "playground", "--port", "70000")
    assert bad_port.status == 2 and "--port must be 0 to 65535" in bad_port.err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        in_use = run(capsys, "playground", "--port", str(taken.getsockname()[1]))
    assert in_use.status == 2 and len(in_use.err.splitlines()) == 1
    assert "in use" in in_use.err.lower()


def raw_status(url, target: bytes) -> bytes:
    """The status line the server answers to a GET of ``target``, sent byte for byte (urllib
    refuses to send a NUL)."""
    host, port = url.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(b"GET " + target + b" HTTP/1.0\r\n\r\n")
        return connection.makefile("rb").readline().strip()


def test_paths_the_file_system_cannot_look_up_are_not_found(capsys):
    require_native("serve on a socket from a thread")
    server = make_server(0)
    try:
        url = serve_in_background(server)
        for target in (b"/purenn/a\x00b.py", b"/purenn/" + b"x" * 5000 + b".py",
                       b"/purenn/" + b"d/" * 3000 + b"x.py"):
            assert raw_status(url, target).split()[1] == b"404", target[:40]
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in capsys.readouterr().err
