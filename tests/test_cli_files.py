"""The command line's files under faults: train --save checks both outputs before training and
writes the model and its labels as a pair; predict and export refuse a damaged labels file, or
one written with another version of the model, in one line; a Ctrl-C while the modules load
ends quietly."""

import hashlib
import json
import os
import pathlib
import subprocess
import sys
import threading

import pytest
from cli_helpers import environment, error_message, run
from oracles import require_native

import purenn as pn
from purenn.cli import sidecar


def error_line(result):
    assert result.status != 0 and "Traceback" not in result.err, result.err
    assert len(result.err.splitlines()) == 1, result.err
    return error_message(result)


@pytest.fixture()
def saved(capsys, tmp_path):
    """xor trained and saved with its labels, and a data file for predict."""
    model = tmp_path / "xor.json"
    assert run(capsys, "train", "xor", "--arch", "2-4-2", "--epochs", "2", "--quiet",
               "--save", str(model)).status == 0
    data = tmp_path / "data.csv"
    data.write_text("0,1\n1,1\n", encoding="utf-8")
    return model, data


def test_save_checks_the_labels_path_before_training(capsys, tmp_path):
    (tmp_path / "m.labels.json").mkdir()
    result = run(capsys, "train", "xor", "--epochs", "2", "--save", str(tmp_path / "m.json"))
    assert "m.labels.json: a folder" in error_line(result)
    assert "result:" not in result.out  # refused before any training
    assert not (tmp_path / "m.json").exists()


def test_a_failed_labels_write_leaves_the_old_pair(capsys, saved, monkeypatch):
    model, _ = saved
    labels = pathlib.Path(sidecar.labels_path(model))
    before = (model.read_bytes(), labels.read_bytes())
    real_fsync, calls = os.fsync, []

    def full_disk_on_the_second_file(descriptor):
        calls.append(descriptor)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", full_disk_on_the_second_file)
    result = run(capsys, "train", "xor", "--arch", "2-3-2", "--epochs", "2", "--quiet",
                 "--save", str(model))
    monkeypatch.undo()
    assert "No space left on device" in error_line(result)
    assert (model.read_bytes(), labels.read_bytes()) == before


def test_predict_refuses_labels_written_with_another_version_of_the_model(capsys, saved):
    model, data = saved
    assert run(capsys, "predict", "--model", str(model), str(data)).status == 0
    pn.save(pn.Network([pn.Dense(2, 2)], loss="cross_entropy", seed=5), model)  # no labels
    message = error_line(run(capsys, "predict", "--model", str(model), str(data)))
    assert "was written with another version of" in message
    os.unlink(sidecar.labels_path(model))
    assert run(capsys, "predict", "--model", str(model), str(data)).status == 0


def test_the_labels_file_names_its_model(saved):
    model, _ = saved
    labels = json.loads(pathlib.Path(sidecar.labels_path(model)).read_text(encoding="utf-8"))
    assert labels["model_sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()


def labels_of_a_csv(**changes):
    document = {"format": "purenn-labels", "version": 1, "task": "classify",
                "classes": ["a", "b"], "header": ["x", "y", "kind"], "target": 2, "columns": 3}
    return json.dumps({**document, **changes})


@pytest.mark.parametrize("text, message", [
    (labels_of_a_csv(columns=None), "target, header and columns do not agree"),
    (labels_of_a_csv(target=7, columns=None, header=["x"]), "do not agree"),
    (labels_of_a_csv(target=-1), "target must be an int in [0,"),
    (labels_of_a_csv(target=None), "target, header and columns do not agree"),
    (labels_of_a_csv().replace('"target": 2', '"target": ' + "9" * 5000), "is too long"),
    (labels_of_a_csv().replace('"columns": 3', '"columns": ' + "7" * 5000), "is too long"),
    ("[" * 100_000, "not a labels file: nested more than"),
    (labels_of_a_csv(version=2), "the file has no 'model_sha256'"),
], ids=["header-without-columns", "target-outside-header", "negative-target",
        "columns-without-target", "long-target", "long-columns", "deep", "v2-without-hash"])
@pytest.mark.parametrize("command", ["predict", "export"])
def test_damaged_labels_files_are_one_line_errors(capsys, saved, text, message, command):
    model, data = saved
    pathlib.Path(sidecar.labels_path(model)).write_text(text, encoding="utf-8")
    arguments = [str(data)] if command == "predict" else [str(model.with_name("out.py"))]
    line = error_line(run(capsys, command, "--model", str(model), *arguments))
    assert message in line, line


# Ctrl-C arriving while the command line's modules load: the import of one of them sends SIGINT
# to the process itself, as a user's Ctrl-C in the first fraction of a second would.
INTERRUPTED_WHILE_LOADING = """
import builtins, os, runpy, signal, sys
real_import = builtins.__import__
def interrupting(name, *args, **kwargs):
    if name == "purenn.cli.train":
        os.kill(os.getpid(), signal.SIGINT)
    return real_import(name, *args, **kwargs)
builtins.__import__ = interrupting
sys.argv = ["purenn", "--help"]
runpy.run_module("purenn", run_name="__main__")
"""


def test_ctrl_c_while_the_modules_load_is_quiet():
    require_native("start processes")
    done = subprocess.run([sys.executable, "-c", INTERRUPTED_WHILE_LOADING], capture_output=True,
                          text=True, env=environment(), timeout=60)
    assert done.returncode == 130 and done.stderr == "" and done.stdout == "", done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX's")
def test_a_model_read_from_a_pipe_is_read_once(capsys, saved):
    model, data = saved
    fifo = model.with_name("pipe.json")
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(model.read_bytes()), daemon=True)
    writer.start()
    result = run(capsys, "predict", "--model", str(fifo), str(data))
    writer.join(timeout=30)
    assert result.status == 0, result.err
