"""oracles.py: a missing oracle skips the test, or fails it where PURENN_REQUIRE names it; one
that PURENN_OMIT names is skipped even where it is installed."""

import math

import pytest
from oracles import (
    OMIT_VARIABLE,
    REQUIRE_VARIABLE,
    require,
    require_program,
    required,
    skip_if_omitted,
    unavailable,
)

MISSING = "purenn_no_such_oracle"


def test_a_present_module_is_returned(monkeypatch):
    monkeypatch.setenv(REQUIRE_VARIABLE, "math")
    assert require("math") is math


def test_a_present_program_gives_its_path(tmp_path):
    # A program of its own: WebAssembly's Python has no executable of its own to find.
    program = tmp_path / "a-program"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    assert require_program("a program", str(program)) == str(program)


def test_a_missing_oracle_skips_with_its_name(monkeypatch):
    monkeypatch.delenv(REQUIRE_VARIABLE, raising=False)
    with pytest.raises(pytest.skip.Exception, match=MISSING):
        require(MISSING)
    with pytest.raises(pytest.skip.Exception, match=MISSING):
        require_program(MISSING)


def test_a_required_missing_oracle_fails(monkeypatch):
    monkeypatch.setenv(REQUIRE_VARIABLE, f"torch, {MISSING} ,")
    assert required() == {"torch", MISSING}
    with pytest.raises(pytest.fail.Exception, match="required"):
        require(MISSING)
    with pytest.raises(pytest.fail.Exception, match="required"):
        require_program(MISSING)
    with pytest.raises(pytest.fail.Exception, match="node cannot resolve"):
        unavailable(MISSING, "node cannot resolve it")


def test_a_requirement_names_one_oracle_only(monkeypatch):
    monkeypatch.setenv(REQUIRE_VARIABLE, "torch")
    with pytest.raises(pytest.skip.Exception):
        require(MISSING)


def test_an_omitted_oracle_skips_though_installed_and_a_required_one_does_not(monkeypatch):
    monkeypatch.delenv(REQUIRE_VARIABLE, raising=False)
    monkeypatch.setenv(OMIT_VARIABLE, "math, node")
    with pytest.raises(pytest.skip.Exception, match="'math' left to another job"):
        require("math")
    with pytest.raises(pytest.skip.Exception, match="'node' left to another job"):
        skip_if_omitted("node")
    skip_if_omitted("chromium")  # negative control: a name not listed is not skipped
    monkeypatch.setenv(REQUIRE_VARIABLE, "math")
    assert require("math") is math
