"""docs/tabular.md runs and says what happens: its ```python blocks, pasted in order into a
fresh interpreter, run; its three commands run on the file the first block makes and print
what the page shows (the lines it writes out in full, the others masked); and its claim about
--no-standardize holds."""

import csv
import io
import pathlib
import re
import shlex
import subprocess
import sys

import pytest
from cli_helpers import environment, run
from oracles import require_native

from purenn.cli.data import csv_data
from purenn.cli.train import split_test

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "tabular.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", PAGE, re.S)
COMMANDS = re.findall(r"```sh\n(.*?)```", PAGE, re.S)[0].splitlines()
SHOWN_OUTPUT = re.findall(r"```text\n(.*?)```", PAGE, re.S)[0].splitlines()
# The held-out accuracy without standardisation is "about what always answering one cultivar
# gets": within this of the commonest cultivar's share of the held-out rows.
ABOUT = 0.15

pytestmark = pytest.mark.slow


def test_every_python_block_runs_pasted_in_order_into_a_fresh_interpreter(tmp_path):
    require_native("start processes")
    completed = subprocess.run(
        [sys.executable, "-"], input="\n".join(PYTHON_BLOCKS), capture_output=True, text=True,
        cwd=tmp_path, env=environment(), check=False, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[-1] == lines[-2]  # the Python file's labels are the network's


def make_files(folder, monkeypatch):
    monkeypatch.chdir(folder)
    exec(compile(PYTHON_BLOCKS[0], "tabular.md", "exec"), {})


def command(capsys, line):
    words = shlex.split(line.split(">")[0])
    assert words[:3] == ["python3", "-m", "purenn"]
    result = run(capsys, *words[3:])
    assert result.status == 0, result
    return result


def masked(line):
    return line.split("…")[0]


def test_the_three_commands_print_what_the_page_shows(tmp_path, monkeypatch, capsys):
    make_files(tmp_path, monkeypatch)
    train, evaluate, predict = (command(capsys, line) for line in COMMANDS)
    printed = [line for line in train.out.splitlines() if not line.startswith("wrote")]
    assert len(printed) == len(SHOWN_OUTPUT)
    for shown, line in zip(SHOWN_OUTPUT, printed):
        assert line.startswith(masked(shown)), (shown, line)
    assert "confusion (rows: true, columns: predicted)" in evaluate.out
    assert (tmp_path / "confusion.svg").read_text(encoding="utf-8").startswith("<svg")
    header = next(csv.reader(io.StringIO(predict.out)))
    assert header == ["barbera", "barolo", "grignolino"]
    assert predict.err.startswith("purenn: accuracy")


def held_out_accuracy(capsys, *options):
    out = run(capsys, "train", "wine.csv", "--test-split", "0.25", "--quiet", *options).out
    line = next(line for line in out.splitlines() if line.startswith("test:"))
    return float(line.split()[2])


def test_without_standardising_the_network_learns_next_to_nothing(tmp_path, monkeypatch,
                                                                   capsys):
    make_files(tmp_path, monkeypatch)
    raw = held_out_accuracy(capsys, "--no-standardize")
    standardised = held_out_accuracy(capsys)
    _, held_out = split_test(csv_data("wine.csv", None, None), 0.25, seed=0)  # train's draw
    labels = held_out.target.labels
    commonest = max(labels.count(k) for k in set(labels)) / len(labels)
    assert raw <= commonest + ABOUT < standardised


def test_the_exports_the_page_names_carry_the_class_names(tmp_path, monkeypatch, capsys):
    make_files(tmp_path, monkeypatch)
    command(capsys, COMMANDS[0])
    assert run(capsys, "export", "--model", "wine.json", "wine.onnx").status == 0
    assert b'["barbera", "barolo", "grignolino"]' in (tmp_path / "wine.onnx").read_bytes()
    assert run(capsys, "export", "--model", "wine.json", "wine_model.py").status == 0
    source = (tmp_path / "wine_model.py").read_text(encoding="utf-8")
    assert all(f"def {name}(" in source for name in ("predict", "predict_proba",
                                                     "predict_labels"))
