"""``python -m purenn``: the seed demo and its options."""

import os
import re
import subprocess
import sys

import pytest

from purenn.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_demo(capsys, *arguments):
    status = main(list(arguments))
    return status, capsys.readouterr().out


# "  epoch    500  loss 0.123456": one progress line of the demo.
PROGRESS_LINE = re.compile(r"^\s*epoch\s+(?P<epoch>\d+)\s+loss\s+(?P<loss>\S+)$")
# "[0, 1, 1]             1     0.9863": inputs, target and prediction of one table row.
TABLE_ROW = re.compile(r"^\[(?P<inputs>[^]]*)\]\s+(?P<target>\S+)\s+(?P<prediction>\S+)$")


def progress(out):
    """{epoch: loss} from the demo's progress lines."""
    matches = (PROGRESS_LINE.match(line) for line in out.splitlines())
    return {int(m["epoch"]): float(m["loss"]) for m in matches if m}


def table(out):
    """[(inputs, target, prediction)] from the demo's final table."""
    matches = (TABLE_ROW.match(line) for line in out.splitlines())
    return [
        ([float(v) for v in m["inputs"].split(",")], float(m["target"]), float(m["prediction"]))
        for m in matches
        if m
    ]


def test_demo_prints_the_falling_loss_and_a_table_of_predictions(capsys):
    status, out = run_demo(capsys, "--epochs", "1500", "--every", "500")
    assert status == 0
    losses = progress(out)
    assert list(losses) == [500, 1000, 1500]
    assert losses[500] > losses[1000] > losses[1500]
    rows = table(out)
    assert [inputs for inputs, _, _ in rows] == [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
    assert [target for _, target, _ in rows] == [0, 1, 1, 0]
    assert all(abs(prediction - target) < 0.1 for _, target, prediction in rows)


def test_demo_options_change_the_run(capsys):
    _, out = run_demo(capsys, "--epochs", "10", "--learning-rate", "0.5", "--seed", "3",
                      "--every", "5")
    assert "10 epochs, learning rate 0.5, seed 3" in out
    assert list(progress(out)) == [5, 10]


@pytest.mark.parametrize("arguments", [["--epochs", "-1"], ["--every", "0"],
                                       ["--learning-rate", "-1"], ["--epochs", "x"]])
def test_bad_options_exit_with_usage(capsys, arguments):
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
    assert exit_info.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_module_entry_point_and_help_from_a_fresh_process():
    environment = dict(os.environ, PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, "-m", "purenn", "--help"], capture_output=True,
                            text=True, cwd=ROOT, env=environment, check=True)
    for option in ("--epochs", "--learning-rate", "--seed"):
        assert option in result.stdout
    result = subprocess.run([sys.executable, "-m", "purenn", "--epochs", "3", "--every", "1"],
                            capture_output=True, text=True, cwd=ROOT, env=environment, check=True)
    assert "prediction" in result.stdout
