"""CSV files as people have them, and what a trained model is worth on rows it has not seen:
separators (detected or --sep), --drop, the row-id warning, messages that name the likely
cause, standard input (its byte-order mark, bytes that are not UTF-8, under a C locale),
``train --test-split``, ``evaluate`` (text and the confusion matrix's SVG), ``predict --proba``
and the score predict prints when the file holds the answers."""

import csv
import io
import json
import math
import os
import pathlib
import random
import subprocess
import sys

import pytest
from cli_helpers import PURENN_HOME, environment, error_message, run, values
from oracles import require_native

import purenn as pn
from purenn.cli.csvfile import read_table
from purenn.cli.data import csv_data
from purenn.cli.options import UsageError
from purenn.cli.train import split_test
from purenn.errors import DataError
from purenn.training import shuffled_indices

ROWS = 40


def pets_text(sep=",", rows=ROWS, with_id=False):
    """A header and ROWS rows: two features on very different scales and a text label."""
    header = ["weight_g", "tail_ratio", "kind"]
    lines = [sep.join((["id"] if with_id else []) + header)]
    for i in range(rows):
        kind = ["cat", "dog"][i % 2]
        weight = 4000.0 + 20000.0 * (i % 2) + 37.0 * (i % 7)
        cells = [repr(weight), repr(0.001 * (i % 5)), kind]
        lines.append(sep.join(([str(i + 1)] if with_id else []) + cells))
    return "\n".join(lines) + "\n"


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def train(capsys, *arguments):
    result = run(capsys, "train", *arguments, "--quiet", "--epochs", "20")
    assert result.status == 0, result
    return result


# -- separators, --drop, row ids, messages ------------------------------------------------------


@pytest.mark.parametrize("sep", [",", ";", "\t", " "], ids=["comma", "semicolon", "tab", "space"])
def test_the_separator_is_detected(tmp_path, sep):
    path = write(tmp_path / "pets.txt", pets_text(sep).replace(" ", "   ") if sep == " " else
                 pets_text(sep))
    table = read_table(path)
    assert table.header == ["weight_g", "tail_ratio", "kind"] and len(table.rows) == ROWS


def test_sep_overrides_detection(tmp_path, capsys):
    path = write(tmp_path / "odd.csv", "a;b,c\n1;2,3\n5;6,7\n")
    assert read_table(path).header == ["a;b", "c"]
    assert read_table(path, ";").header == ["a", "b,c"]
    result = run(capsys, "train", path, "--sep", "|")
    assert "--sep: must be one of" in error_message(result)


def test_a_ragged_file_names_the_separator_it_looks_like(tmp_path, capsys):
    path = write(tmp_path / "mixed.csv", "x,y,kind\n1,2,cat\n3;4;dog\n")
    result = run(capsys, "train", path)
    message = error_message(result)
    assert "line 3 has 1 cells but line 1 has 3" in message
    assert "separated by ';': --sep ';'" in message


def test_a_decimal_comma_is_named(tmp_path, capsys):
    path = write(tmp_path / "euro.csv", "x;y;kind\n1,5;2;cat\n3,25;4;dog\n")
    message = error_message(run(capsys, "train", path))
    assert "'1,5' is not a number (a decimal comma?" in message


def test_a_long_bad_cell_is_quoted_in_at_most_60_characters(tmp_path, capsys):
    path = write(tmp_path / "long.csv", "x,kind\n1,cat\n" + "w" * 500 + ",dog\n")
    message = error_message(run(capsys, "train", path))
    quoted = message.split("column 1 (x): ")[1].split(" is not a number")[0]
    assert len(quoted) <= 61 and quoted.endswith("…")


def test_drop_leaves_columns_out_by_name_or_number(tmp_path):
    path = write(tmp_path / "pets.csv", pets_text(with_id=True))
    assert csv_data(path, None, None, drop=["id"]).feature_names == ["weight_g", "tail_ratio"]
    assert csv_data(path, None, None, drop=["1", "3"]).feature_names == ["weight_g"]
    with pytest.raises(DataError, match=r"--drop 'age': .* has no such column"):
        csv_data(path, None, None, drop=["age"])
    with pytest.raises(UsageError, match=r"--drop: it names the target, column 4 \(kind\)"):
        csv_data(path, None, None, drop=["kind"])
    # --target counts the file's columns, dropped ones included.
    data = csv_data(path, "3", None, drop=["1", "kind"])
    assert data.feature_names == ["weight_g"] and data.header[data.target_column] == "tail_ratio"


def test_a_row_id_is_warned_about_and_drop_silences_it(tmp_path, capsys):
    path = write(tmp_path / "pets.csv", pets_text(with_id=True))
    result = train(capsys, path)
    assert "column 1 (id) holds a different whole number in every row: a row id?" in result.err
    assert train(capsys, path, "--drop", "id").err == ""


def test_sep_and_drop_are_for_csv_files_only(capsys):
    message = error_message(run(capsys, "train", "moons", "--sep", ";"))
    assert message.startswith("--sep: for CSV files only")


# -- standard input --------------------------------------------------------------------------


class BinaryStdin(io.TextIOWrapper):
    """A standard input whose bytes are what the test says (sys.stdin.buffer)."""

    def __init__(self, data):
        super().__init__(io.BytesIO(data), encoding="ascii")


def test_stdin_skips_a_byte_order_mark_and_keeps_the_first_row(monkeypatch, tmp_path):
    rows = "".join(f"{i},{i % 3 * 0.5},{'ab'[i % 2]}\n" for i in range(12))
    monkeypatch.setattr(sys, "stdin", BinaryStdin(b"\xef\xbb\xbf" + rows.encode()))
    table = read_table("-")
    assert table.header is None and len(table.rows) == 12 and table.rows[0] == ["0", "0.0", "a"]


def test_stdin_refuses_bytes_that_are_not_utf8(monkeypatch):
    monkeypatch.setattr(sys, "stdin", BinaryStdin(b"x,kind\n1,caf\xe9\n"))
    with pytest.raises(DataError, match=r"<stdin>: not UTF-8 text \(byte 13 is 0xe9\)"):
        read_table("-")


@pytest.mark.parametrize(("data", "expected"), [
    (b"\xef\xbb\xbf0,1,a\n1,0,b\n2,1,a\n3,0,b\n", "data:     <stdin>, 4 rows"),
    ("x,kind\n1,café\n2,thé\n".encode("latin-1"), "not UTF-8 text"),
], ids=["bom", "latin-1"])
def test_stdin_under_a_c_locale(data, expected):
    """Python's UTF-8 mode, on by default under the C locale, would let bad bytes through
    text-mode stdin as surrogates: purenn reads the bytes and decodes them itself."""
    require_native("start processes")
    env = dict(environment(), LC_ALL="C", LANG="C")
    env.pop("PYTHONIOENCODING", None)
    env.pop("PYTHONUTF8", None)
    completed = subprocess.run(
        [sys.executable, "-m", "purenn", "train", "-", "--epochs", "1",
         "--quiet"], input=data, capture_output=True, cwd=PURENN_HOME, env=env, check=False)
    assert expected in (completed.stdout + completed.stderr).decode("utf-8", "replace")


# -- held-out rows ---------------------------------------------------------------------------


def test_test_split_holds_rows_out_of_everything_that_learns(tmp_path, capsys):
    path = write(tmp_path / "pets.csv", pets_text())
    model = str(tmp_path / "pets.json")
    result = train(capsys, path, "--test-split", "0.25", "--seed", "4", "--save", model)
    test_line = [line for line in result.out.splitlines() if line.startswith("test:")]
    assert len(test_line) == 1 and "(10 rows) held out" in test_line[0]
    assert 0.0 <= values(test_line[0].split("(")[0])["accuracy"] <= 1.0
    assert "data:     " + path + ", 30 rows" in result.out
    kept, _ = split_test(csv_data(path, None, None), 0.25, 4)
    norm = pn.load(model).layers[0]
    expected = [math.fsum(column) / len(column) for column in zip(*kept.x)]
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(norm.mean.value[0], expected))


def test_a_test_split_that_leaves_nothing_to_train_on_is_refused(capsys):
    message = error_message(run(capsys, "train", "xor", "--test-split", "0.9"))
    assert message == "--test-split 0.9 of 4 rows leaves no rows to train on"


@pytest.fixture
def pets_model(tmp_path, capsys):
    path = write(tmp_path / "pets.csv", pets_text())
    model = str(tmp_path / "pets.json")
    train(capsys, path, "--save", model)
    return path, model


def test_evaluate_prints_the_report_and_draws_the_confusion_matrix(pets_model, tmp_path, capsys):
    path, model = pets_model
    svg = str(tmp_path / "confusion.svg")
    result = run(capsys, "evaluate", "--model", model, path, "--confusion", svg)
    assert result.status == 0 and result.err == "", result
    network = pn.load(model)
    table = read_table(path)
    x = [[float(row[0]), float(row[1])] for row in table.rows]
    truth = [["cat", "dog"].index(row[2]) for row in table.rows]
    report = pn.metrics.class_report(truth, network.predict_classes(x), 2)
    assert report.text(["cat", "dog"]) in result.out
    assert f"accuracy {report.accuracy:.4g} ({ROWS} rows)" in result.out
    text = pathlib.Path(svg).read_text(encoding="utf-8")
    assert text.startswith("<svg") and all(f">{n}</text>" in text for row in report.confusion
                                           for n in row)


def test_evaluate_a_regression_and_a_file_without_the_target(tmp_path, capsys):
    path = write(tmp_path / "line.csv", "a,b,y\n" + "".join(
        f"{i},{1000 * (i % 3)},{3 * i + 0.1 * (i % 3)}\n" for i in range(30)))
    model = str(tmp_path / "line.json")
    train(capsys, path, "--save", model)
    result = run(capsys, "evaluate", "--model", model, path)
    assert result.status == 0, result
    scores = values(result.out.splitlines()[1].split("(")[0])
    assert set(scores) == {"r2", "mae", "rmse"} and scores["r2"] <= 1.0
    write(tmp_path / "new.csv", "a,b\n1,2\n")
    message = error_message(run(capsys, "evaluate", "--model", model, str(tmp_path / "new.csv")))
    assert "no target column to score the model against" in message


def test_evaluate_refuses_a_class_the_model_does_not_know(pets_model, tmp_path, capsys):
    _, model = pets_model
    path = write(tmp_path / "eel.csv", "weight_g,tail_ratio,kind\n4000,0.1,eel\n")
    message = error_message(run(capsys, "evaluate", "--model", model, path))
    assert ("line 2, column 3 (kind): 'eel' is not one of the model's classes ['cat', 'dog']"
            in message)


def test_predict_proba_gives_a_column_per_class_named_by_class(pets_model, capsys):
    path, model = pets_model
    result = run(capsys, "predict", "--model", model, "--proba", path)
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == ["cat", "dog"]
    network = pn.load(model)
    x = [[float(row[0]), float(row[1])] for row in read_table(path).rows]
    assert [[float(value) for value in row] for row in rows[1:]] == network.predict_proba(x)


def test_predict_prints_the_accuracy_when_the_file_holds_the_answers(pets_model, capsys):
    path, model = pets_model
    result = run(capsys, "predict", "--model", model, path)
    assert result.status == 0
    assert result.err.startswith("purenn: accuracy ") and "against column 3 (kind)" in result.err
    predicted = [row[0] for row in csv.reader(io.StringIO(result.out))][1:]
    truth = [row[2] for row in read_table(path).rows]
    accuracy = sum(p == t for p, t in zip(predicted, truth)) / len(truth)
    assert f"accuracy {accuracy:.4g} ({ROWS} rows)" in result.err


def test_proba_of_a_regression_is_refused(tmp_path, capsys):
    model = str(tmp_path / "sine.json")
    train(capsys, "sine", "--save", model)
    path = write(tmp_path / "x.csv", "0.5\n")
    message = error_message(run(capsys, "predict", "--model", model, "--proba", path))
    assert message == "--proba: the model regresses; it has no classes to give probabilities of"


def test_the_labels_file_and_the_model_agree_on_the_standardisation(pets_model):
    _, model = pets_model
    plain = json.loads(pathlib.Path(model).read_text(encoding="utf-8"))
    assert plain["layers"][0] == {"type": "Normalization", "num_features": 2, "invert": False}
    assert os.path.exists(model.replace(".json", ".labels.json"))


def test_exports_carry_the_class_names_and_predict_from_raw_rows(pets_model, tmp_path, capsys):
    path, model = pets_model
    predicted = [row[0] for row in csv.reader(io.StringIO(
        run(capsys, "predict", "--model", model, path).out))][1:]
    script = str(tmp_path / "pets.py")
    assert run(capsys, "export", "--model", model, script).status == 0
    namespace = {}
    exec(compile(pathlib.Path(script).read_text(encoding="utf-8"), script, "exec"), namespace)
    rows = [[float(row[0]), float(row[1])] for row in read_table(path).rows]
    assert namespace["CLASS_NAMES"] == ["cat", "dog"]
    assert namespace["predict_labels"](rows) == predicted
    onnx_path = str(tmp_path / "pets.onnx")
    assert run(capsys, "export", "--model", model, onnx_path).status == 0
    assert b'["cat", "dog"]' in pathlib.Path(onnx_path).read_bytes()


def test_patience_stops_early_and_keeps_the_best_epochs_weights(tmp_path, capsys):
    model = str(tmp_path / "moons.json")
    out = train(capsys, "moons", "--patience", "3", "--seed", "2", "--save", model).out
    assert "stopping after 3 epochs without a better loss on 0.1 of the rows" in out
    stopped = next(line for line in out.splitlines() if line.startswith("stopped:"))
    # The same run in Python: the CLI shuffles the rows with the seed, then fit validates on
    # the last tenth and restores the best epoch.
    x, labels = pn.datasets.two_moons()
    norm = pn.Normalization(2)
    norm.adapt(x)  # before the shuffle: the order of a sum shows in its last bit
    order = shuffled_indices(len(x), random.Random(2))
    x, labels = [x[i] for i in order], [labels[i] for i in order]
    net = pn.Network([norm, pn.Dense(2, 16, "tanh"), pn.Dense(16, 2)], loss="cross_entropy",
                     seed=2)
    stopper = pn.EarlyStopping(patience=3)
    history = net.fit(x, labels, epochs=20, optimizer=pn.Adam(lr=0.01), batch_size=32,
                      validation_split=0.1, early_stopping=stopper, metrics=["accuracy"])
    assert stopped == (f"stopped:  after epoch {history.epochs}; the weights of epoch "
                       f"{stopper.best_epoch}, whose validation loss was the best, are kept")
    assert pn.load(model).state_dict() == net.state_dict()
