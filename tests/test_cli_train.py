"""``python3 -m purenn train``: built-in sets and CSV files, the network and loss it chooses, the
pictures, the saved model, and every way a command line can be wrong."""

import hashlib
import io
import json
import os

import pytest
from cli_helpers import (
    DATA_LINE,
    NETWORK_LINE,
    RESULT_LINE,
    TRAINING_LINE,
    error_message,
    fields,
    run,
    values,
    written,
)

import purenn as pn


def train(capsys, *arguments):
    """A quick train run (few epochs, no progress line) that must succeed."""
    result = run(capsys, "train", *arguments, "--quiet")
    assert result.status == 0 and result.err == "", result
    return result.out


@pytest.fixture
def pets(tmp_path):
    """A CSV file with a header, text labels and the target in the middle column."""
    path = tmp_path / "pets.csv"
    rows = ["weight,kind,height"] + [
        f"{1 + (i % 5) * 0.5 + 3 * (i % 3)},{['dog', 'cat', 'eel'][i % 3]},{(i % 3) * 10 + i % 2}"
        for i in range(30)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_built_in_classification_set(capsys):
    out = train(capsys, "moons", "--arch", "2-8-2", "--epochs", "3", "--seed", "4")
    data = fields(DATA_LINE, out)
    assert (data["name"], data["rows"], data["features"], data["task"]) == (
        "moons", "200", "2", "classify")
    assert (data["reason"], data["n_classes"], data["classes"]) == ("a built-in set", "2", "0, 1")
    network = fields(NETWORK_LINE, out)
    assert network == {"sizes": "2-8-2", "activations": "tanh → identity",
                       "loss": "cross_entropy", "parameters": str(2 * 8 + 8 + 8 * 2 + 2)}
    assert fields(TRAINING_LINE, out) == {"epochs": "3", "optimizer": "adam", "rate": "0.01",
                                          "batches": "batches of 32", "seed": "4"}
    assert set(values(fields(RESULT_LINE, out)["values"])) == {"loss", "accuracy"}


def test_the_run_is_the_one_fit_gives_with_the_same_settings(capsys, tmp_path):
    model = tmp_path / "xor.json"
    train(capsys, "xor", "--arch", "2-4-2", "--epochs", "7", "--seed", "3",
          "--learning-rate", "0.05", "--batch-size", "2", "--save", str(model))
    x, labels = pn.datasets.xor()
    norm = pn.Normalization(2)
    norm.adapt(x)  # standardised by default, by the statistics of the training rows
    net = pn.Network([norm, pn.Dense(2, 4, "tanh"), pn.Dense(4, 2)], loss="cross_entropy",
                     seed=3)
    net.fit(x, labels, epochs=7, optimizer=pn.Adam(lr=0.05), batch_size=2)
    assert pn.load(model).state_dict() == net.state_dict()


def test_without_standardising_the_run_is_the_plain_networks(capsys, tmp_path):
    model = tmp_path / "xor.json"
    out = train(capsys, "xor", "--arch", "2-4-2", "--epochs", "7", "--seed", "3",
                "--no-standardize", "--save", str(model))
    assert "inputs:   raw features" in out
    net = pn.Network([pn.Dense(2, 4, "tanh"), pn.Dense(4, 2)], loss="cross_entropy", seed=3)
    x, labels = pn.datasets.xor()
    net.fit(x, labels, epochs=7, optimizer=pn.Adam(lr=0.01), batch_size=32)
    assert pn.load(model).state_dict() == net.state_dict()


def test_the_seed_data_as_classes(capsys):
    out = train(capsys, "seed", "--arch", "3-4-1", "--loss", "sse", "--epochs", "2")
    data = fields(DATA_LINE, out)
    assert (data["rows"], data["features"], data["classes"]) == ("4", "3", "0, 1")
    assert fields(NETWORK_LINE, out)["activations"] == "tanh → sigmoid"


def test_one_output_for_two_classes_is_bce_with_a_sigmoid(capsys):
    out = train(capsys, "xor", "--arch", "2-4-1", "--epochs", "2")
    assert fields(NETWORK_LINE, out)["activations"] == "tanh → sigmoid"
    assert fields(NETWORK_LINE, out)["loss"] == "bce"


@pytest.mark.parametrize(
    ("arguments", "sizes", "activations", "loss"),
    [
        (["--loss", "bce"], "2-16-1", "tanh → sigmoid", "bce"),
        (["--loss", "mse", "--arch", "2-3-2"], "2-3-2", "tanh → sigmoid", "mse"),
        (["--layers", "8:relu,4,2:identity", "--activation", "elu"], "2-8-4-2",
         "relu → elu → identity", "cross_entropy"),
        (["--layers", "5:gelu,2"], "2-5-2", "gelu → identity", "cross_entropy"),
    ],
)
def test_the_network_and_loss_chosen(capsys, arguments, sizes, activations, loss):
    out = train(capsys, "circles", "--epochs", "1", *arguments)
    network = fields(NETWORK_LINE, out)
    assert (network["sizes"], network["activations"], network["loss"]) == (sizes, activations,
                                                                          loss)


def test_regression_is_mse_with_an_identity_output(capsys):
    out = train(capsys, "sine", "--epochs", "2", "--optimizer", "sgd", "--batch-size", "full")
    assert fields(DATA_LINE, out)["task"] == "regress"
    network = fields(NETWORK_LINE, out)
    assert (network["sizes"], network["activations"], network["loss"]) == (
        "1-16-1", "tanh → identity", "mse")
    training = fields(TRAINING_LINE, out)
    assert (training["optimizer"], training["rate"], training["batches"]) == (
        "sgd", "0.1", "full batch")
    assert set(values(fields(RESULT_LINE, out)["values"])) == {"loss", "r2"}


def test_validation_split_is_reported(capsys):
    out = train(capsys, "spirals", "--epochs", "2", "--validation-split", "0.25")
    assert set(values(fields(RESULT_LINE, out)["values"])) == {
        "loss", "val_loss", "accuracy", "val_accuracy"}


def test_progress_goes_to_stderr_and_ends_with_a_sparkline(capsys):
    result = run(capsys, "train", "xor", "--epochs", "3")
    assert result.status == 0
    lines = result.err.splitlines()
    assert lines[0].startswith("epoch 1/3  loss ") and lines[-1].startswith("loss ")


# -- CSV files ---------------------------------------------------------------------------------


def test_a_csv_file_with_a_header_and_text_labels(capsys, pets):
    out = train(capsys, str(pets), "--target", "kind", "--epochs", "2")
    data = fields(DATA_LINE, out)
    assert (data["rows"], data["features"], data["column"], data["column_name"]) == (
        "30", "2", "2", "kind")
    assert (data["task"], data["reason"]) == ("classify", "the target holds text")
    assert data["classes"] == "cat, dog, eel"  # sorted
    assert fields(NETWORK_LINE, out)["sizes"] == "2-16-3"


def test_the_target_by_number_and_the_task_inferred_from_few_integers(capsys, tmp_path):
    rows = ["size,weight,height"] + [f"{(i % 3) * 10 + i % 2},{i / 2},{i % 4}" for i in range(30)]
    path = write(tmp_path / "sizes.csv", "\n".join(rows))
    out = train(capsys, path, "--target", "1", "--epochs", "1", "--arch", "2-4-6")
    data = fields(DATA_LINE, out)
    assert (data["column_name"], data["task"], data["n_classes"]) == ("size", "classify", "6")
    assert data["reason"] == "the target holds 6 distinct integers"
    assert data["classes"] == "0, 1, 10, 11, 20, 21"  # as numbers, not as text


def test_many_numbers_are_regressed_unless_the_task_is_forced(capsys, tmp_path):
    path = write(tmp_path / "line.csv", "".join(f"{i},{2 * i}\n" for i in range(12)))
    assert fields(DATA_LINE, train(capsys, path, "--epochs", "1")) ["reason"] == (
        "the target holds numbers")
    data = fields(DATA_LINE, train(capsys, path, "--epochs", "1", "--task", "classify"))
    assert (data["task"], data["reason"], data["n_classes"]) == ("classify", "--task", "12")


def test_a_csv_without_a_header_and_from_stdin(capsys, monkeypatch):
    text = "".join(f"{i % 4},{i % 3},{i % 2}\n" for i in range(12))
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    out = train(capsys, "-", "--epochs", "1")
    data = fields(DATA_LINE, out)
    assert (data["name"], data["rows"], data["column"], data["column_name"]) == (
        "<stdin>", "12", "3", None)
    assert data["classes"] == "0, 1"


# -- pictures and the saved model --------------------------------------------------------------


def test_plots_of_a_2d_classifier_include_its_decision_boundary(capsys, tmp_path):
    out = train(capsys, "xor", "--epochs", "2", "--plots", str(tmp_path / "pics"))
    names = [os.path.basename(path) for path in written(out)]
    assert names == ["loss.svg", "architecture.svg", "boundary.svg"]
    loss_svg = (tmp_path / "pics" / "loss.svg").read_text(encoding="utf-8")
    assert "accuracy" in loss_svg


def test_plots_of_a_regression_have_no_boundary(capsys, tmp_path):
    out = train(capsys, "sine", "--epochs", "2", "--plots", str(tmp_path))
    assert [os.path.basename(path) for path in written(out)] == ["loss.svg", "architecture.svg"]


def test_save_writes_the_model_and_its_labels(capsys, tmp_path, pets):
    model = tmp_path / "pets.json"
    out = train(capsys, str(pets), "--target", "kind", "--epochs", "2", "--save", str(model))
    assert written(out) == [str(model), str(tmp_path / "pets.labels.json")]
    assert pn.load(model).n_out == 3
    labels = json.loads((tmp_path / "pets.labels.json").read_text(encoding="utf-8"))
    assert labels == {"format": "purenn-labels", "version": 2, "task": "classify",
                      "classes": ["cat", "dog", "eel"], "header": ["weight", "kind", "height"],
                      "target": 1, "columns": 3,
                      "model_sha256": hashlib.sha256(model.read_bytes()).hexdigest()}


# -- errors: one line, an exit status, no traceback --------------------------------------------


def write(path, text):
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["moonz"], "unknown dataset 'moonz'; datasets: bars, circles, digits, moons, seed, "
                    "sine, spirals, xor (or the path of a CSV file)"),
        (["moons", "--activation", "sigmod"],
         "argument --activation: unknown activation 'sigmod'; known activations: elu, gelu, "
         "identity, leaky_relu, relu, sigmoid, softmax, softplus, tanh"),
        (["moons", "--loss", "hinge"],
         "argument --loss: unknown loss 'hinge'; known losses: bce, cross_entropy, mse, "
         "sequence_cross_entropy, sse"),
        (["moons", "--layers", "8:rellu,2"], "argument --layers: in '8:rellu,2': unknown "
                                            "activation 'rellu'; known activations: elu"),
        (["moons", "--learning-rate", "inf"], "argument --learning-rate: must be a finite "
                                             "number ≥ 0, got 'inf'"),
        (["moons", "--learning-rate", "nan"], "argument --learning-rate: must be a finite "
                                             "number ≥ 0, got 'nan'"),
        (["moons", "--learning-rate", "1e999"], "argument --learning-rate: must be a finite"),
        (["moons", "--validation-split", "1"], "argument --validation-split: must be a finite "
                                              "number in (0, 1), got '1'"),
        (["moons", "--batch-size", "0"], "argument --batch-size: must be an int ≥ 1, got '0'"),
        (["moons", "--arch", "2"], "argument --arch: '2' is not an architecture"),
        (["moons", "--arch", "2-0-2"], "argument --arch: in '2-0-2': '0' is not a width"),
        (["moons", "--arch", "2-4-2", "--layers", "4,2"], "argument --layers: not allowed with "
                                                          "argument --arch"),
        (["moons", "--arch", "3-4-2"], "--arch 3-4-2 starts with 3 inputs but moons has 2 "
                                       "feature columns: start it with 2"),
        (["moons", "--arch", "2-4-3"], "--arch 2-4-3 ends in 3 outputs but moons has 2 classes "
                                       "(0, 1): end it in 2 (a score per class), or in 1 (one "
                                       "sigmoid output, loss bce)"),
        (["spirals", "--layers", "4,1"], "--layers ends in 1 outputs but spirals has 3 classes "
                                         "(0, 1, 2): end it in 3 (a score per class)"),
        (["moons", "--arch", "2-4-1", "--loss", "cross_entropy"],
         "--loss cross_entropy needs an output per class: end --arch 2-4-1 in 2"),
        (["sine", "--arch", "1-4-2"], "--arch 1-4-2 ends in 2 outputs but sine has one target"),
        (["sine", "--loss", "bce"], "--loss bce is for classes, but sine is regression (a "
                                    "built-in set): use mse or sse"),
        (["moons", "--target", "2"], "--target: for CSV files only; moons is a built-in "
                                     "classification set"),
        (["sine", "--task", "classify"], "--task: for CSV files only; sine is a built-in "
                                         "regression set"),
        ([], "the following arguments are required: DATA"),
        (["moons", "--arch", "2-60000000-2"], "--arch 2-60000000-2 would make 300,000,002 "
                                              "parameters; at most 100,000,000 fit"),
    ],
)
def test_bad_command_lines(capsys, arguments, message):
    assert error_message(run(capsys, "train", *arguments)).startswith(message)


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        ("x,y,label\n1,2,a\n3,4\n", [], "{path}: line 3 has 2 cells but line 1 has 3; every row "
                                       "needs the same number of cells"),
        ("x,y,label\n1,2,a\n3,abc,b\n", [], "{path}: line 3, column 2 (y): 'abc' is not a "
                                           "number"),
        ("1,2,0\n3,inf,1\n", [], "{path}: line 2, column 2: 'inf' is not a finite number"),
        ("x,y,label\n1,,a\n3,4,b\n", [], "{path}: line 2, column 2 (y): the cell is empty"),
        ("x,y,label\n1,2,a\n3,4,\n", [], "{path}: line 3, column 3 (label): the cell is empty"),
        ("x,y,label\n1,2,a\n3,4,b\n", ["--task", "regress"],
         "{path}: line 2, column 3 (label): 'a' is not a number"),
        ("x,y,label\n1,2,a\n3,4,a\n", [], "{path}: the target, column 3 (label), holds one "
                                         "class ('a'); classification needs two or more"),
        ("x,y,label\n1,2,a\n", ["--target", "size"], "--target 'size': {path} has no column of "
                                                    "that name; names: x, y, label"),
        ("x,y,label\n1,2,a\n", ["--target", "4"], "--target 4: {path} has 3 columns (1 to 3"),
        ("x,x,label\n1,2,a\n", [], "{path}: line 1: the header names the column 'x' twice"),
        ("x,y,label\n", [], "{path}: a header and no rows of data"),
        ("\n\n", [], "{path}: no rows: the file is empty"),
        ("label\na\nb\n", [], "{path}: one column; a feature column besides the target needed"),
        (b"x,y\n1,\xff\n", [], "{path}: not UTF-8 text (byte 7 is 0xff); save the file as UTF-8"),
        ('x,y\n1,"2\n', [], "{path}: line 2: "),  # the quote never closes
    ],
)
def test_bad_csv_files(capsys, tmp_path, content, arguments, message):
    path = write(tmp_path / "data.csv", content)
    line = error_message(run(capsys, "train", path, *arguments))
    assert line.startswith(message.format(path=path))


def test_a_missing_file(capsys, tmp_path):
    path = tmp_path / "absent.csv"
    assert error_message(run(capsys, "train", str(path))) == (
        f"{path}: No such file or directory")


def test_save_into_a_missing_folder_fails_before_training(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("purenn.network.Network.fit", None)  # training would crash
    path = tmp_path / "nowhere" / "m.json"
    assert error_message(run(capsys, "train", "xor", "--save", str(path))) == (
        f"--save {path}: there is no folder {tmp_path / 'nowhere'} to write into")


def test_save_onto_a_folder_is_refused(capsys, tmp_path):
    assert error_message(run(capsys, "train", "xor", "--save", str(tmp_path))) == (
        f"--save {tmp_path}: a folder; give the path of a file")


@pytest.mark.parametrize("data, optimizer", [("sine", "sgd"), ("moons", "adam")])
def test_divergence_exits_1_with_one_line(capsys, data, optimizer):
    # The first step would take the weights beyond ±1.3e154 (where their squares overflow):
    # divergence, for a classifier with Adam (whose steps are ~lr, the loss staying finite) too.
    result = run(capsys, "train", data, "--optimizer", optimizer, "--learning-rate", "1e300",
                 "--quiet")
    message = error_message(result, status=1)
    assert message.startswith("fit: at epoch 1, batch 1 of ")
    assert "the update would make layers[" in message
    assert "learning rate 1e+300: try a smaller one" in message
