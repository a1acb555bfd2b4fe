# Finding the interpreters CI tests on.  Sourced by .ci/run and .ci/interpreter-job.sh.
#
#   python_minor PYTHON        prints "3.11" for that interpreter
#   find_cpython MINOR         prints the path of a working CPython MINOR (e.g. 3.8): the newest
#                              patch release under `pyenv root`/versions, else python3.X on PATH;
#                              returns 1 when there is none
#   ensure_pypy3               prints the path of PyPy 3, installing Debian's pypy3 and
#                              pypy3-venv with apt-get when absent (needs root); returns 1 when
#                              it cannot be had
#
# "Working" means it runs, reports the expected version and has venv and ensurepip, so the
# job can make its own virtual environment.

python_minor() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

usable_python() {  # usable_python PATH MINOR
    [ -x "$1" ] || return 1
    [ "$(python_minor "$1" 2>/dev/null)" = "$2" ] || return 1
    "$1" -c 'import venv, ensurepip' >/dev/null 2>&1
}

pyenv_root() {
    if command -v pyenv >/dev/null 2>&1; then
        pyenv root
    else
        echo "${PYENV_ROOT:-${HOME:-/root}/.pyenv}"
    fi
}

find_cpython() {
    local minor="$1" root candidate
    root="$(pyenv_root)"
    if [ -d "$root/versions" ]; then
        # Release builds only (3.8.18, not 3.8-dev or 3.13.0t), newest patch first.
        for candidate in $(find "$root/versions" -mindepth 1 -maxdepth 1 -printf '%f\n' \
                | grep -E "^${minor//./\\.}\.[0-9]+$" | sort -rV); do
            if usable_python "$root/versions/$candidate/bin/python" "$minor"; then
                echo "$root/versions/$candidate/bin/python"
                return 0
            fi
        done
    fi
    candidate="$(command -v "python$minor" 2>/dev/null || true)"
    if [ -n "$candidate" ] && usable_python "$candidate" "$minor"; then
        echo "$candidate"
        return 0
    fi
    return 1
}

pypy3_ready() {
    command -v pypy3 >/dev/null 2>&1 && pypy3 -c 'import venv, ensurepip' >/dev/null 2>&1
}

ensure_pypy3() {
    if ! pypy3_ready; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "installing Debian's pypy3 and pypy3-venv with apt-get" >&2
            # Output goes to stderr so that stdout carries only the path.
            { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
                --no-install-recommends pypy3 pypy3-venv; } >&2 </dev/null || true
        else
            echo "cannot install pypy3: needs root and apt-get" >&2
        fi
    fi
    pypy3_ready || return 1
    command -v pypy3
}
