"""Shared by the command line's tests: running it in-process and in a subprocess, reading what
it prints with named regular expressions, and the contract of an error.

Most tests call ``purenn.cli.main`` in-process (a subprocess costs ~100 ms, and the suite runs on
seven interpreters); ``run_process`` is for what only a real process shows: the entry points,
exit codes as a shell sees them, a closed pipe.
"""

import os
import re
import subprocess
import sys
from typing import List, NamedTuple, Optional

from oracles import require_native

import purenn
from purenn.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The folder holding the purenn under test: the checkout, or site-packages where CI installs the
# wheel.  Subprocesses import purenn from there and start there, so a source tree in their
# working directory cannot stand in for the installed package.
PURENN_HOME = os.path.dirname(os.path.dirname(os.path.abspath(purenn.__file__)))

# The lines train prints on stdout, each a label and its fields.
DATA_LINE = re.compile(
    r"^data: +(?P<name>.+?), (?P<rows>\d+) rows × (?P<features>\d+) features?"
    r"(?:; target column (?P<column>\d+)(?: \((?P<column_name>[^)]*)\))?)?"
    r"; (?P<task>classify|regress) \((?P<reason>[^)]*)\)"
    r"(?:, (?P<n_classes>\d+) classes: (?P<classes>.*))?$"
)
NETWORK_LINE = re.compile(
    r"^network: +(?P<sizes>[\d-]+), activations (?P<activations>.+), loss (?P<loss>\w+) "
    r"\((?P<parameters>\d+) parameters\)$"
)
TRAINING_LINE = re.compile(
    r"^training: (?P<epochs>\d+) epochs, (?P<optimizer>\w+) at learning rate (?P<rate>\S+), "
    r"(?P<batches>full batch|batches of \d+), seed (?P<seed>-?\d+)$"
)
RESULT_LINE = re.compile(r"^result: +(?P<values>.+) \(the last epoch\)$")
WROTE_LINE = re.compile(r"^wrote (?P<path>.+?)(?: \((?P<format>\w+)\))?$")
ERROR_LINE = re.compile(r"^purenn: error: (?P<message>.+)$")


class Result(NamedTuple):
    """What one run of the command line gave: its exit status and its two streams."""

    status: int
    out: str
    err: str


def run(capsys, *arguments: str) -> Result:
    """``purenn.cli.main(arguments)`` in this process."""
    status = main(list(arguments))
    captured = capsys.readouterr()
    return Result(status, captured.out, captured.err)


def environment():
    """The environment of a subprocess that imports the purenn under test."""
    path = os.pathsep.join(filter(None, [PURENN_HOME, os.environ.get("PYTHONPATH")]))
    return dict(os.environ, PYTHONPATH=path)


def run_process(*arguments: str, cwd: Optional[str] = None) -> Result:
    """``python3 -m purenn arguments`` in a subprocess, in ``cwd`` (default PURENN_HOME)."""
    require_native("start processes")
    completed = subprocess.run(
        [sys.executable, "-m", "purenn", *arguments], capture_output=True, text=True,
        cwd=cwd or PURENN_HOME, env=environment(), check=False,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


def fields(pattern: "re.Pattern[str]", text: str) -> dict:
    """The named groups of the one line of ``text`` that ``pattern`` matches."""
    matches = [m for m in map(pattern.match, text.splitlines()) if m]
    assert len(matches) == 1, f"{len(matches)} lines match {pattern.pattern!r} in:\n{text}"
    return matches[0].groupdict()


def values(line: str) -> dict:
    """{"loss": 0.1, "accuracy": 1.0} from "loss 0.1  accuracy 1"."""
    pairs = re.findall(r"(\w+) (\S+)", line)
    return {name: float(value) for name, value in pairs}


def written(text: str) -> List[str]:
    """The paths of the "wrote PATH" lines, in order."""
    return [m["path"] for m in map(WROTE_LINE.match, text.splitlines()) if m]


def error_message(result: Result, status: int = 2) -> str:
    """The message of an error: the exit status is ``status``, stderr holds exactly one line,
    "purenn: error: <message>", and no traceback; nothing else of it on stdout."""
    assert result.status == status, result
    assert "Traceback" not in result.err + result.out
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    match = ERROR_LINE.match(lines[0])
    assert match, lines[0]
    return match["message"]
