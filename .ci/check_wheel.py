"""What users install is what we test: check a wheel built from this tree.

1. The wheel holds exactly the files under purenn/ that git tracks: every module of every
   subpackage, py.typed and any data file, and nothing else (a file git does not track, such as
   a leftover from an old build, fails the check too).
2. It installs with pip into a fresh virtual environment, with nothing else installed.
3. From there, in an empty directory (so no source tree is importable), ``python3 -m purenn``
   trains the seed network and the ``purenn`` command answers ``--help``.

Usage: python .ci/check_wheel.py [WHEEL]   (default: $TOX_PACKAGE, the wheel tox built for the
env that runs this: CI's tox env "wheel")
"""

import os
import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path
from typing import List, Set

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "purenn"


def tracked_files() -> Set[str]:
    """Paths (relative to the repository, '/'-separated) of the files git tracks under purenn/."""
    listing = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--", PACKAGE],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {path for path in listing.split("\0") if path}


def wheel_files(wheel: Path) -> Set[str]:
    """Paths of the files in the wheel under purenn/ (its .dist-info folder left out)."""
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if name.startswith(PACKAGE + "/")}


def content_problems(wheel: Path) -> List[str]:
    """One line per file missing from the wheel or present in it without being tracked."""
    tracked, packed = tracked_files(), wheel_files(wheel)
    if not tracked:
        return [f"git tracks no file under {PACKAGE}/ in {ROOT}"]
    return [f"missing from the wheel: {path}" for path in sorted(tracked - packed)] + [
        f"in the wheel but not tracked by git: {path}" for path in sorted(packed - tracked)
    ]


def run(command: List[str], cwd: Path) -> str:
    """Run ``command`` in ``cwd``, echo and return its output; raise if it fails."""
    print("$", " ".join(command), flush=True)
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    print(result.stdout + result.stderr, end="", flush=True)
    result.check_returncode()
    return result.stdout


def install_and_run(wheel: Path) -> List[str]:
    """Install the wheel in a fresh venv and run the demo and the command from an empty folder;
    the problems found (empty if none)."""
    with tempfile.TemporaryDirectory() as scratch:
        environment, empty = Path(scratch, "venv"), Path(scratch, "empty")
        empty.mkdir()
        venv.create(environment, with_pip=True)
        python = str(environment / "bin" / "python")
        run([python, "-m", "pip", "install", "--quiet", "--no-index", str(wheel)], empty)
        location = run([python, "-c", "import purenn; print(purenn.__file__)"], empty)
        demo = run([python, "-m", "purenn"], empty)
        run([str(environment / "bin" / "purenn"), "--help"], empty)
        problems = []
        if not location.startswith(str(environment)):
            problems.append(f"purenn was imported from {location.strip()}, not from the venv")
        if "prediction" not in demo:
            problems.append("python3 -m purenn printed no table of predictions")
        return problems


def main(arguments: List[str]) -> int:
    """Check the wheel named by the argument or TOX_PACKAGE; exit status 1 on any problem."""
    named = arguments or os.environ.get("TOX_PACKAGE", "").split(os.pathsep)
    if len(named) != 1 or not named[0].endswith(".whl"):
        print(__doc__, file=sys.stderr)
        return 2
    wheel = Path(named[0]).resolve()
    print(f"checking {wheel.name}")
    problems = content_problems(wheel)
    if not problems:
        print(f"the wheel holds the {len(wheel_files(wheel))} files git tracks under {PACKAGE}/")
        problems = install_and_run(wheel)
    for problem in problems:
        print(f"WHEEL CHECK FAILED: {problem}")
    if not problems:
        print("wheel OK: complete, installs in a fresh venv, python3 -m purenn runs from it")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
