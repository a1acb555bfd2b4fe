#!/usr/bin/env bash
# One interpreter's CI job: its own virtual environment with the newest pytest and hypothesis it
# supports (pip picks them: the test extra sets no upper bounds), the test suite, and its
# determinism record.
#
#   .ci/interpreter-job.sh SPEC WORKDIR RESULT_JSON
#
# SPEC is a CPython minor version ("3.8") or "pypy3".  WORKDIR holds src/, a private copy of the
# repository (so jobs running side by side never write the same egg-info); the venv goes to
# WORKDIR/venv.  Exit status 3 means the interpreter cannot be had (CI reports it and skips).
set -euo pipefail

spec="$1" workdir="$2" result="$3"
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=interpreters.sh
source "$here/interpreters.sh"

if [ "$spec" = pypy3 ]; then
    python="$(ensure_pypy3)" || { echo "UNAVAILABLE: PyPy 3 (Debian's pypy3) cannot be had"; exit 3; }
    label="pypy3"
else
    python="$(find_cpython "$spec")" || {
        echo "UNAVAILABLE: CPython $spec not found under $(pyenv_root)/versions nor on PATH"
        exit 3
    }
    label="cpython-$spec"
fi
echo "interpreter: $python = $("$python" -c 'import sys; print(sys.version.replace("\n", " "))')"

venv="$workdir/venv"
"$python" -m venv "$venv"
cd "$workdir/src"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e ".[test]"
"$venv/bin/python" -c 'import importlib.metadata as m; print("installed: " + ", ".join(
    n + " " + m.version(n) for n in ("pip", "pytest", "hypothesis")))'

# The quicker hypothesis profile: these interpreters repeat what the default one checked fully.
HYPOTHESIS_PROFILE=quick "$venv/bin/python" -m pytest -p no:cacheprovider
"$venv/bin/python" .ci/determinism.py --label "$label" --out "$result"
