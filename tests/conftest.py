"""Hypothesis profiles shared by the whole suite, and what the run's header and summary report.

"ci" is deterministic (derandomize, no deadline, no example database), so CI never flakes: CI's
py313 and slow jobs run it; "quick" is the same with a quarter of the examples, the default (the
README's command, and CI's other jobs); "dev" explores ten times more.  Choose with
HYPOTHESIS_PROFILE=<name>.  A test that sets its own count scales it by the profile
(``budget.examples``).

The header names the purenn under test (the source tree, or the wheel installed in a CI
environment), the oracles PURENN_REQUIRE makes mandatory and those PURENN_OMIT leaves to
another job (see oracles.py).
"""

import os

import oracles
from budget import PROFILE
from hypothesis import HealthCheck, settings

import purenn

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=100,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("quick", parent=settings.get_profile("ci"), max_examples=25)
settings.register_profile("dev", deadline=None, max_examples=1000, print_blob=True)
settings.load_profile(PROFILE)


def pytest_report_header(config):
    """Where purenn was imported from, and which oracles must be present."""
    required = ", ".join(sorted(oracles.required())) or "none"
    omitted = ", ".join(sorted(oracles.listed(oracles.OMIT_VARIABLE))) or "none"
    return [
        f"purenn under test: {os.path.dirname(purenn.__file__)}",
        f"hypothesis profile: {PROFILE}; required oracles: {required}; left to another job: "
        f"{omitted}",
    ]


def pytest_terminal_summary(terminalreporter):
    """Name the required oracles that no test asked for (a misspelt or unused name)."""
    unused = sorted(oracles.required() - oracles.asked)
    if unused:
        terminalreporter.write_line(
            f"{oracles.REQUIRE_VARIABLE} lists oracles no test asked for: {', '.join(unused)}"
        )
