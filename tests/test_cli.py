"""``python -m purenn``: the seed demo and its options."""

import os
import subprocess
import sys

import pytest

from purenn.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_demo(capsys, *arguments):
    status = main(list(arguments))
    return status, capsys.readouterr().out


def test_demo_prints_the_falling_loss_and_a_table_of_predictions(capsys):
    status, out = run_demo(capsys, "--epochs", "1500", "--every", "500")
    assert status == 0
    losses = [float(line.split("loss")[1]) for line in out.splitlines() if "epoch" in line
              and "loss" in line and line.strip().startswith("epoch")]
    assert len(losses) == 3
    assert losses[0] > losses[1] > losses[2]
    table = out.split("prediction")[1].strip().splitlines()
    assert len(table) == 4
    for line, target in zip(table, [0, 1, 1, 0]):
        assert float(line.split()[-2]) == target
        assert abs(float(line.split()[-1]) - target) < 0.1


def test_demo_options_change_the_run(capsys):
    _, out = run_demo(capsys, "--epochs", "10", "--learning-rate", "0.5", "--seed", "3",
                      "--every", "5")
    assert "10 epochs, learning rate 0.5, seed 3" in out
    assert sum(line.strip().startswith("epoch") for line in out.splitlines()) == 2


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
