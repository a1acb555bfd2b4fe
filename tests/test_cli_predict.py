"""``predict`` and ``export``: a trained model's predictions as CSV, equal to what the loaded model
computes in Python; the columns it reads; its labels file; the formats it exports; a closed pipe."""

import contextlib
import csv
import io
import json
import re
import subprocess
import sys

import pytest
from cli_helpers import environment, error_message, run, written
from oracles import require_native

import purenn as pn
from purenn.cli import main


def rows_of(text):
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Models trained once for this module: a 3-class classifier of a CSV file with a header
    (pets.json), a bce classifier of xor (xor.json) and a regression (sine.json)."""
    folder = tmp_path_factory.mktemp("models")
    pets = folder / "pets.csv"
    pets.write_text("weight,kind,height\n" + "".join(
        f"{1 + (i % 5) * 0.5 + 3 * (i % 3)},{['dog', 'cat', 'eel'][i % 3]},{(i % 3) * 10}\n"
        for i in range(30)), encoding="utf-8")
    for arguments in (
        [str(pets), "--target", "kind", "--save", str(folder / "pets.json")],
        ["xor", "--arch", "2-4-1", "--save", str(folder / "xor.json")],
        ["sine", "--save", str(folder / "sine.json")],
    ):
        with contextlib.redirect_stdout(io.StringIO()):  # module-scoped: capsys is per test
            assert main(["train", *arguments, "--epochs", "20", "--quiet"]) == 0
    return folder


# The one line predict writes on stderr when the file holds the target column.
SCORE_LINE = re.compile(r"purenn: (accuracy|r2) \S+.* \(\d+ rows\) against column \d+.*\n")


def predict(capsys, *arguments):
    result = run(capsys, "predict", *arguments)
    assert result.status == 0 and SCORE_LINE.sub("", result.err) == "", result
    return rows_of(result.out)


def test_predictions_are_the_loaded_models_by_label_and_raw(capsys, trained):
    model = pn.load(trained / "pets.json")
    table = rows_of((trained / "pets.csv").read_text(encoding="utf-8"))
    x = [[float(row[0]), float(row[2])] for row in table[1:]]
    classes = ["cat", "dog", "eel"]
    expected = [classes[k] for k in model.predict_classes(x)]
    labels = predict(capsys, "--model", str(trained / "pets.json"), str(trained / "pets.csv"))
    assert labels == [["kind"]] + [[label] for label in expected]
    raw = predict(capsys, "--model", str(trained / "pets.json"), "--raw",
                  str(trained / "pets.csv"))
    assert raw[0] == ["output_1", "output_2", "output_3"]
    assert [[float(v) for v in row] for row in raw[1:]] == model.predict(x)  # bit for bit


def test_columns_are_found_by_name_in_any_order(capsys, trained, tmp_path):
    path = tmp_path / "new.csv"
    path.write_text("height,note,weight\n0,a,1.5\n20,b,7.5\n", encoding="utf-8")
    expected = pn.load(trained / "pets.json").predict([[1.5, 0.0], [7.5, 20.0]])
    raw = predict(capsys, "--model", str(trained / "pets.json"), "--raw", str(path))
    assert [[float(v) for v in row] for row in raw[1:]] == expected


def test_a_file_without_header_as_wide_as_the_inputs_or_the_training_file(capsys, trained,
                                                                            tmp_path):
    inputs, whole = tmp_path / "inputs.csv", tmp_path / "whole.csv"
    inputs.write_text("1.5,0\n7.5,20\n", encoding="utf-8")
    whole.write_text("1.5,dog,0\n7.5,eel,20\n", encoding="utf-8")
    model = str(trained / "pets.json")
    first = predict(capsys, "--model", model, str(inputs))
    assert len(first) == 2 and first == predict(capsys, "--model", model, str(whole))
    assert first == predict(capsys, "--model", model, "--target", "2", str(whole))


def test_a_bce_classifier_and_a_regression(capsys, trained, tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("0,0\n0,1\n1,0\n1,1\n", encoding="utf-8")
    net = pn.load(trained / "xor.json")
    predicted = predict(capsys, "--model", str(trained / "xor.json"), str(points))
    assert predicted == [[str(k)] for k in net.predict_classes([[0, 0], [0, 1], [1, 0], [1, 1]])]
    line = tmp_path / "x.csv"
    line.write_text("x\n-1\n0.5\n", encoding="utf-8")
    values = predict(capsys, "--model", str(trained / "sine.json"), str(line))
    assert values[0] == ["prediction"]
    assert [[float(v) for v in row] for row in values[1:]] == pn.load(
        trained / "sine.json").predict([[-1.0], [0.5]])


def test_without_a_labels_file_classes_are_indices(capsys, trained, tmp_path):
    model = tmp_path / "bare.json"
    pn.save(pn.load(trained / "pets.json"), model)  # from Python: no labels file
    path = tmp_path / "new.csv"
    path.write_text("weight,height\n1.5,0\n7.5,20\n", encoding="utf-8")
    predicted = predict(capsys, "--model", str(model), str(path))
    assert predicted[0] == ["class"] and all(row[0] in ("0", "1", "2") for row in predicted[1:])


def test_predict_reads_stdin(capsys, trained, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("1.5,0\n"))
    assert len(predict(capsys, "--model", str(trained / "pets.json"), "-")) == 1


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        ("weight\n1\n", [], "{data} has no column 'height', an input of the model (its inputs: "
                            "weight, height)"),
        ("1,2,3,4\n", [], "{data} has 4 input columns but the model takes 2 (--target "
                          "NAME|NUMBER leaves out a target column)"),
        ("1,2,3,4\n", ["--target", "1"], "{data} has 3 input columns but the model takes 2"),
        ("1,2\n3,x\n", [], "{data}: line 2, column 2: 'x' is not a number"),
        ("1,2\n3\n", [], "{data}: line 2 has 1 cells but line 1 has 2"),
    ],
)
def test_bad_data_files(capsys, trained, tmp_path, content, arguments, message):
    data = tmp_path / "data.csv"
    data.write_text(content, encoding="utf-8")
    line = error_message(run(capsys, "predict", "--model", str(trained / "pets.json"),
                             *arguments, str(data)))
    assert line.startswith(message.format(data=data))


def labels_text(**changes):
    """A labels file of the pets model, with ``changes``."""
    document = {"format": "purenn-labels", "version": 1, "task": "classify",
                "classes": ["cat", "dog", "eel"], "header": ["weight", "kind", "height"],
                "target": 1, "columns": 3}
    return json.dumps({**document, **changes})


def test_bad_models_and_labels_files(capsys, trained, tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("1,2\n", encoding="utf-8")
    missing = tmp_path / "missing.json"
    assert error_message(run(capsys, "predict", "--model", str(missing), str(data))) == (
        f"{missing}: No such file or directory")
    damaged = tmp_path / "damaged.json"
    damaged.write_text('{"format": "purenn", ', encoding="utf-8")
    assert error_message(run(capsys, "predict", "--model", str(damaged), str(data))).startswith(
        f"load: {damaged}: not a purenn model: damaged or truncated JSON")
    model = tmp_path / "m.json"
    pn.save(pn.load(trained / "pets.json"), model)
    labels = tmp_path / "m.labels.json"
    for text, message in [
        ("[1, 2", "not a labels file: damaged JSON"),
        ('{"format": "other"}', 'not a labels file (no "format": "purenn-labels")'),
        ((trained / "xor.labels.json").read_text(encoding="utf-8"),
         "2 classes for a model of 3 outputs: this labels file belongs to another model"),
        (labels_text(task="sort"), "task must be one of classify, regress, got 'sort'"),
        (labels_text(columns=4, header=None, target=None),
         "3 input columns for a model of 2 inputs: this labels file belongs to another model"),
        (labels_text(target=3), "target, header and columns do not agree"),
        (labels_text(header=["a", "b"]), "target, header and columns do not agree"),
        (labels_text(version=3), "version must be an int in [1, 2], got 3"),
    ]:
        labels.write_text(text, encoding="utf-8")
        line = error_message(run(capsys, "predict", "--model", str(model), str(data)))
        assert line.startswith(f"{labels}: {message}")


def test_predict_piped_into_head_exits_quietly(tmp_path):
    # A real pipe whose reader goes away: the writer must not print a traceback or
    # "Exception ignored … BrokenPipeError" at exit.  The output (≈ 400 kB) is far more than a
    # pipe holds, so the writer is still writing when the reader closes.
    model, data = tmp_path / "m.json", tmp_path / "d.csv"
    pn.save(pn.Network([pn.Dense(2, 2)], loss="cross_entropy", seed=0), model)
    data.write_text("".join(f"{i},{-i}\n" for i in range(10000)), encoding="utf-8")
    require_native("start processes")
    process = subprocess.Popen(
        [sys.executable, "-m", "purenn", "predict", "--model", str(model), "--raw", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment(), cwd=tmp_path,
    )
    first = process.stdout.readline()
    process.stdout.close()  # what head does after its line
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait() == 1
    assert first.count(b",") == 1
    assert err == b""


# -- export -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "arguments", "chosen"),
    [
        ("copy.json", [], "json"),
        ("weights.npz", [], "npz"),
        ("model.onnx", [], "onnx"),
        ("model32.onnx", ["--dtype", "float32"], "onnx"),
        ("standalone.py", [], "python"),
        ("weights.bin", ["--format", "npz"], "npz"),
    ],
)
def test_export_writes_each_format(capsys, trained, tmp_path, name, arguments, chosen):
    output = tmp_path / name
    result = run(capsys, "export", "--model", str(trained / "pets.json"), *arguments,
                 str(output))
    assert result.status == 0 and result.err == ""
    assert result.out.splitlines()[0] == f"wrote {output} ({chosen})"
    assert output.stat().st_size > 0


def test_an_exported_json_keeps_its_labels(capsys, trained, tmp_path):
    output = tmp_path / "copy.json"
    out = run(capsys, "export", "--model", str(trained / "pets.json"), str(output)).out
    assert written(out) == [str(output), str(tmp_path / "copy.labels.json")]
    assert json.loads((tmp_path / "copy.labels.json").read_text(encoding="utf-8"))[
        "classes"] == ["cat", "dog", "eel"]
    assert pn.load(output).state_dict() == pn.load(trained / "pets.json").state_dict()


def test_the_standalone_file_predicts_as_the_model(capsys, trained, tmp_path):
    output = tmp_path / "standalone_sine.py"
    run(capsys, "export", "--model", str(trained / "sine.json"), str(output))
    namespace = {}
    exec(compile(output.read_text(encoding="utf-8"), str(output), "exec"), namespace)
    assert namespace["predict"]([[0.5]]) == pn.load(trained / "sine.json").predict([[0.5]])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["out.bin"], "cannot tell a format from 'out.bin': give --format json, npz, onnx or "
                      "python"),
        (["--dtype", "float32", "out.npz"], "--dtype: only for --format onnx"),
        (["--format", "tflite", "out.x"], "argument --format: invalid choice: 'tflite'"),
        ([], "the following arguments are required: OUTPUT"),
        (["nowhere/m.onnx"], "OUTPUT nowhere/m.onnx: there is no folder "),
    ],
)
def test_bad_export_command_lines(capsys, trained, arguments, message):
    line = error_message(run(capsys, "export", "--model", str(trained / "pets.json"), *arguments))
    assert line.startswith(message)
