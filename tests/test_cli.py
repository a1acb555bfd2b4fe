"""The command line as a whole: the demo (the default command), help with worked examples, options
that belong to their commands, the entry points, and how it fails (one line, an exit status)."""

import io
import os
import pathlib
import re
import subprocess
import sys

import pytest
from cli_helpers import ROOT, environment, error_message, run, run_process, written
from oracles import require_native

from purenn import cli
from purenn.cli import failures

# "  epoch    500  loss 0.123456": one progress line of the demo.
PROGRESS_LINE = re.compile(r"^\s*epoch\s+(?P<epoch>\d+)\s+loss\s+(?P<loss>\S+)$")
# "[0, 1, 1]             1     0.9863": inputs, target and prediction of one table row.
TABLE_ROW = re.compile(r"^\[(?P<inputs>[^]]*)\]\s+(?P<target>\S+)\s+(?P<prediction>\S+)$")
# "loss █▆▃▁ 1.332 → 0.0403": the loss of every epoch as a sparkline, first and last values.
SPARKLINE = re.compile(r"^loss (?P<bars>[▁▂▃▄▅▆▇█]+) (?P<first>\S+) → (?P<last>\S+)$")

COMMANDS = ["demo", "train", "predict", "export", "gradcheck"]


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


# -- the demo ----------------------------------------------------------------------------------


def test_demo_prints_the_falling_loss_a_table_of_predictions_and_a_sparkline(capsys):
    result = run(capsys, "demo", "--epochs", "1500", "--every", "500")
    assert result.status == 0 and result.err == ""
    losses = progress(result.out)
    assert list(losses) == [500, 1000, 1500]
    assert losses[500] > losses[1000] > losses[1500]
    rows = table(result.out)
    assert [inputs for inputs, _, _ in rows] == [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
    assert [target for _, target, _ in rows] == [0, 1, 1, 0]
    assert all(abs(prediction - target) < 0.1 for _, target, prediction in rows)
    spark = SPARKLINE.match(result.out.splitlines()[-1])
    assert spark, result.out
    # 1500 epochs averaged into 60 bars, from the highest bar (the first loss) down to ▁
    assert len(spark["bars"]) == 60 and spark["bars"][0] == "█" and spark["bars"][-1] == "▁"
    assert float(spark["first"]) > float(spark["last"]) == pytest.approx(losses[1500], rel=1e-3)


def test_demo_options_change_the_run(capsys):
    out = run(capsys, "demo", "--epochs", "10", "--learning-rate", "0.5", "--seed", "3",
              "--every", "5").out
    assert "10 epochs, learning rate 0.5, seed 3" in out
    assert list(progress(out)) == [5, 10]


def test_the_demo_is_the_default_command(capsys):
    default = run(capsys, "--epochs", "4", "--every", "2")
    named = run(capsys, "demo", "--epochs", "4", "--every", "2")
    assert default == named and default.status == 0
    assert list(progress(default.out)) == [2, 4]


def test_demo_plots_write_the_loss_curve_and_the_architecture(capsys, tmp_path):
    folder = tmp_path / "new" / "pictures"
    result = run(capsys, "--epochs", "20", "--plots", str(folder))
    paths = written(result.out)
    assert [os.path.basename(path) for path in paths] == ["loss.svg", "architecture.svg"]
    for path in paths:
        assert os.path.dirname(path) == str(folder)
        assert pathlib.Path(path).read_text(encoding="utf-8").startswith("<svg")


def test_demo_of_zero_epochs_draws_no_loss_curve(capsys, tmp_path):
    result = run(capsys, "--epochs", "0", "--plots", str(tmp_path))
    assert result.status == 0 and not SPARKLINE.search(result.out)
    assert [os.path.basename(path) for path in written(result.out)] == ["architecture.svg"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--epochs", "-1"], "argument --epochs: must be an int ≥ 0, got '-1'"),
        (["--every", "0"], "argument --every: must be an int ≥ 1, got '0'"),
        (["--learning-rate", "-1"], "argument --learning-rate: must be a finite number ≥ 0"),
        (["--learning-rate", "inf"], "argument --learning-rate: must be a finite number ≥ 0"),
        (["--learning-rate", "nan"], "argument --learning-rate: must be a finite number ≥ 0"),
        (["--epochs", "x"], "argument --epochs: must be an int ≥ 0, got 'x'"),
        (["--sweep"], "demo has no option --sweep"),
    ],
)
def test_bad_demo_options_are_one_line_pointing_at_the_help(capsys, arguments, message):
    line = error_message(run(capsys, *arguments))
    assert line.startswith(message)
    assert line.endswith("(see python3 -m purenn demo --help)")


def test_plots_where_a_file_is_in_the_way(capsys, tmp_path):
    in_the_way = tmp_path / "pictures"
    in_the_way.write_text("a file")
    message = error_message(run(capsys, "--epochs", "1", "--plots", str(in_the_way)))
    assert message == f"--plots {in_the_way}: a file of that name is in the way; give a folder"


# -- options belong to their commands ----------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["gradcheck", "--epochs", "3"], "gradcheck has no option --epochs 3"),
        (["gradcheck", "--learning-rate", "0.1"], "gradcheck has no option --learning-rate"),
        (["train", "moons", "--every", "5"], "train has no option --every 5"),
        (["predict", "--model", "m.json", "--epochs", "3", "x.csv"], "predict has no option"),
        (["gradcheck", "--plot", "sweep.svg"], "--plot: it draws the step sweep; add --sweep"),
        (["gradcheck", "--sweep", "--method", "complex"], "--method: the sweep shows every"),
        (["gradcheck", "--plant-bug", "list", "--method", "forward"], "--method: the list of"),
        (["trian", "moons"], "argument COMMAND: invalid choice: 'trian'"),
    ],
)
def test_an_option_of_another_command_is_refused_not_ignored(capsys, arguments, message):
    assert error_message(run(capsys, *arguments)).startswith(message)


# -- help ----------------------------------------------------------------------------------------


def help_text(capsys, *arguments):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*arguments, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_commands_help_ends_with_a_worked_example(capsys, command):
    text = help_text(capsys, command)
    assert text.startswith(f"usage: python3 -m purenn {command} ")
    example = text.split("a worked example", 1)[1]
    commands = [line.strip() for line in example.splitlines() if line.startswith("  python")]
    assert any(line.startswith(f"python3 -m purenn {command} ") for line in commands), example
    if command != "demo":
        assert all(line.split()[3] in COMMANDS for line in commands)


def test_the_help_examples_run(capsys, tmp_path, monkeypatch):
    # The first example of train, predict and export, as their help prints them, in a folder.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "iris.csv").write_text(
        "sepal,petal,species\n" + "".join(f"{i % 7},{i % 3},{'ab'[i % 2]}\n" for i in range(12))
    )
    examples = {
        "train": "python3 -m purenn train moons --arch 2-16-16-2 --epochs 200 --plots out/ "
                 "--save moons.json",
        "predict": "python3 -m purenn predict --model iris.json iris.csv",
        "export": "python3 -m purenn export --model moons.json moons.onnx",
    }
    for command, line in examples.items():
        assert line in help_text(capsys, command)
    # Shortened to a couple of epochs: the commands and files are the point here.
    assert run(capsys, *examples["train"].replace("200", "2").split()[3:]).status == 0
    assert run(capsys, "train", "iris.csv", "--target", "species", "--save", "iris.json",
               "--epochs", "2", "--quiet").status == 0
    assert run(capsys, *examples["predict"].split()[3:]).out.splitlines()[0] == "species"
    assert written(run(capsys, *examples["export"].split()[3:]).out) == ["moons.onnx"]
    assert sorted(os.listdir("out")) == ["architecture.svg", "boundary.svg", "loss.svg"]


def test_the_top_level_help_lists_the_commands_and_the_default(capsys):
    text = help_text(capsys)
    for command in COMMANDS:
        assert re.search(rf"^ +{command}\b", text, re.MULTILINE), command
    assert "With no command, demo runs" in text
    assert "python3 -m purenn --epochs 3000 --plots out/" in text


def test_the_console_script_calls_itself_purenn(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", [os.path.join("venv", "bin", "purenn")])
    assert cli.program_name() == "purenn"
    assert help_text(capsys, "train").startswith("usage: purenn train ")
    monkeypatch.setattr(sys, "argv", ["purenn.exe"])
    assert cli.program_name() == "purenn"


# -- how it fails ------------------------------------------------------------------------------


@pytest.mark.parametrize("arguments", [["--epochs", "5"], ["train", "xor", "--quiet"]])
def test_a_keyboard_interrupt_exits_130_quietly(capsys, monkeypatch, arguments):
    def interrupted(*positional, **options):
        raise KeyboardInterrupt

    monkeypatch.setattr("purenn.network.Network.fit", interrupted)
    result = run(capsys, *arguments)
    assert result.status == 130 and result.err == ""


def test_an_error_of_purenn_itself_keeps_its_traceback(monkeypatch):
    # A bug is not a user's mistake: it must stay visible to be reported.
    def broken(args):
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError):
        failures.run_guarded(lambda: broken(None), io.StringIO())


def test_running_out_of_memory_is_one_line_and_status_1(capsys, monkeypatch):
    def exhausted(*positional, **options):
        raise MemoryError

    monkeypatch.setattr("purenn.network.Network.fit", exhausted)
    message = error_message(run(capsys, "train", "xor", "--quiet"), status=1)
    assert message == "out of memory: try a smaller network or data set"


def test_messages_name_the_file_of_an_os_error():
    error = PermissionError(13, "Permission denied", "/root/model.json")
    assert failures.describe(error) == "/root/model.json: Permission denied"
    assert failures.exit_status(error) == 2


# -- real processes ----------------------------------------------------------------------------


def test_module_entry_point_help_and_demo_from_a_fresh_process():
    result = run_process("--help")
    assert result.status == 0 and "commands:" in result.out
    result = run_process("--epochs", "3", "--every", "1")
    assert result.status == 0 and "prediction" in result.out


def test_an_error_in_a_fresh_process_is_one_line_and_status_2(tmp_path):
    result = run_process("train", str(tmp_path / "missing.csv"))
    assert error_message(result) == f"{tmp_path / 'missing.csv'}: No such file or directory"


def test_the_console_script_entry_point(tmp_path):
    # pyproject.toml names purenn.__main__:run (a quiet Ctrl-C while the modules load); a
    # script like the one pip writes runs it.
    text = (pathlib.Path(ROOT) / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^\[project\.scripts\]\npurenn = "purenn\.__main__:run"$', text,
                     re.MULTILINE)
    script = tmp_path / "purenn"
    script.write_text("import sys\nfrom purenn.__main__ import run\nsys.exit(run())\n")
    require_native("start processes")
    completed = subprocess.run(
        [sys.executable, str(script), "gradcheck", "--help"], capture_output=True, text=True,
        env=environment(), cwd=tmp_path, check=False,
    )
    assert completed.returncode == 0
    assert completed.stdout.startswith("usage: purenn gradcheck ")


def test_the_documented_command_lines_parse():
    # Every command line shown in docs/command-line.md is one the parser takes.
    section = (pathlib.Path(ROOT) / "docs" / "command-line.md").read_text(encoding="utf-8")
    lines = re.findall(r"^(?:\$ )?python3 -m purenn\b([^#>\n]*)", section, re.MULTILINE)
    lines += re.findall(r"`python3 -m purenn\b([^`]*)`", section)
    lines = [line for line in lines if "…" not in line]  # "python3 -m purenn COMMAND …"
    assert len(lines) >= 8
    refused = {"gradcheck --epochs 3"}  # shown as what is refused
    parser = cli.build_parser()
    for line in lines:
        words = cli.with_default_command(line.replace("\\|", "|").split())
        args, extra = parser.parse_known_args(words)
        assert (extra != []) == (line.strip() in refused) and callable(args.run), line


def test_a_closed_stdout_in_process_is_status_1_and_silent(capsys):
    def closed() -> int:
        raise BrokenPipeError(32, "Broken pipe")

    err = io.StringIO()
    assert failures.run_guarded(closed, err) == 1 and err.getvalue() == ""


def test_gradcheck_draws_the_sweep(capsys, tmp_path):
    path = tmp_path / "sweep.svg"
    result = run(capsys, "gradcheck", "--sweep", "--plot", str(path))
    assert result.status == 0 and written(result.out) == [str(path)]
    assert path.read_text(encoding="utf-8").startswith("<svg")


@pytest.mark.parametrize("word", ["fast", "0x1"])
def test_a_rate_that_is_no_number(capsys, word):
    message = error_message(run(capsys, "--learning-rate", word))
    assert message.startswith(f"argument --learning-rate: must be a finite number ≥ 0, got "
                              f"{word!r}")
