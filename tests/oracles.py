"""Oracles: the reference implementations and programs that tests compare purenn with.

A test that needs one asks for it by name; where it is missing the test is skipped with the
reason, so the suite passes on a machine that has none of them::

    from oracles import require, require_program

    torch = require("torch")                 # a module: imported, or the test is skipped
    chromium = require_program("chromium")   # a program on PATH: its path, or skipped

Inside WebAssembly (Pyodide) Python cannot start processes, threads or servers; a test that
needs one calls ``require_native("start processes")`` (or whatever it needs) first and is
skipped there with that reason (nothing else is).

An oracle that is found some other way (an npm package that node must resolve, say) reports
its absence with ``unavailable("pyodide", "node cannot resolve 'pyodide'")``.  All three may be
called in a test or at module level (then the whole module is skipped).

In a CI job that installs oracles, a skip would hide that the comparison never ran, so the
environment variable PURENN_REQUIRE lists, comma-separated, the names that must be present
there (``PURENN_REQUIRE=torch,numpy``): for those names a missing oracle FAILS the test instead.
Names are free-form; they only have to match what the tests ask for.  conftest.py reports any
required name that no test asked for, which catches a misspelt name.

The other way round, PURENN_OMIT lists oracles a job leaves to another one even where they are
installed (``PURENN_OMIT=chromium,node``): CI's interpreter jobs leave the external programs
(Chromium, node and what it runs) to the dev job, which requires them.  A test asking for one
is skipped with that reason; a name both lists require wins.
"""

import importlib
import os
import shutil
import sys
from types import ModuleType
from typing import FrozenSet, NoReturn, Optional, Set

import pytest

REQUIRE_VARIABLE = "PURENN_REQUIRE"
OMIT_VARIABLE = "PURENN_OMIT"

WEBASSEMBLY = sys.platform in ("emscripten", "wasi")
"""Whether this Python runs in WebAssembly (Pyodide in a browser or under node): no processes,
threads or sockets."""

# Every name a test asked for in this session, for conftest.py's report.
asked: Set[str] = set()


def listed(variable: str) -> FrozenSet[str]:
    """The comma-separated names in the environment variable ``variable`` (empty ones ignored)."""
    names = os.environ.get(variable, "")
    return frozenset(name.strip() for name in names.split(",") if name.strip())


def required() -> FrozenSet[str]:
    """The oracle names that PURENN_REQUIRE lists."""
    return listed(REQUIRE_VARIABLE)


def skip_if_omitted(name: str) -> None:
    """Skip the calling test (or module) where PURENN_OMIT lists ``name`` and PURENN_REQUIRE
    does not: this job leaves that oracle to another."""
    asked.add(name)
    if name in listed(OMIT_VARIABLE) and name not in required():
        pytest.skip(f"oracle {name!r} left to another job: {OMIT_VARIABLE} lists it",
                    allow_module_level=True)


def unavailable(name: str, reason: str) -> NoReturn:
    """Skip the calling test (or module) because oracle ``name`` is missing, or fail it when
    PURENN_REQUIRE lists ``name``."""
    asked.add(name)
    if name in required():
        pytest.fail(
            f"oracle {name!r} is required here ({REQUIRE_VARIABLE} lists it) but unavailable: "
            f"{reason}",
            pytrace=False,
        )
    pytest.skip(f"oracle {name!r} unavailable: {reason}", allow_module_level=True)


def require(name: str) -> ModuleType:
    """The module ``name``, imported; a missing (or broken) one skips, or fails if required."""
    skip_if_omitted(name)
    try:
        return importlib.import_module(name)
    except ImportError as error:
        reason = f"cannot import {name}: {error}"
    unavailable(name, reason)  # outside the except: the report shows no chained ImportError


def require_program(name: str, command: Optional[str] = None) -> str:
    """The full path of the program ``command`` (default: ``name``), an absolute path or a
    command looked up on PATH; a missing one skips, or fails if ``name`` is required."""
    skip_if_omitted(name)
    found = shutil.which(command or name)
    if found is None:
        unavailable(name, f"no executable {command or name!r} on PATH")
    return found


def require_native(capability: str) -> None:
    """Skip the calling test where Python runs in WebAssembly, which cannot do ``capability``
    ("start processes", "serve on a socket from a thread")."""
    if WEBASSEMBLY:
        pytest.skip(f"Python on {sys.platform} (WebAssembly) cannot {capability}")
