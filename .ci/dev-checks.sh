#!/usr/bin/env bash
# Lint, types and branch coverage, on the default interpreter, with the pinned tools of the
# dev extra (pyproject.toml).
#
#   .ci/dev-checks.sh WORKDIR
#
# WORKDIR holds src/, a private copy of the repository; the venv goes to WORKDIR/venv.
set -euo pipefail

workdir="$1"
python3 -m venv "$workdir/venv"
cd "$workdir/src"
py="$workdir/venv/bin/python"
"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet -e ".[dev]"
"$py" -c 'import importlib.metadata as m; print("installed: " + ", ".join(
    n + " " + m.version(n) for n in ("ruff", "mypy", "coverage", "pytest", "hypothesis")))'

echo "--- ruff check"
paths=()
for path in purenn tests .ci benchmarks examples; do
    [ -e "$path" ] && paths+=("$path")
done
"$py" -m ruff check "${paths[@]}"

# mypy reads strict = true from pyproject.toml.  It checks as the running interpreter by
# default; a second pass as 3.10 (the oldest version this mypy accepts) flags standard-library
# names newer than 3.10 used outside a version guard.  3.8 and 3.9 are covered by running the
# whole suite on them (see .ci/run).
echo "--- mypy --strict purenn"
"$py" -m mypy purenn
echo "--- mypy --strict --python-version 3.10 purenn"
"$py" -m mypy --python-version 3.10 purenn

echo "--- branch coverage of purenn (threshold: [tool.coverage.report] fail_under)"
"$py" -m coverage run -m pytest -p no:cacheprovider -q
"$py" -m coverage report -m
