"""``python3 -m purenn gradcheck``: the tables, the step sweep, the planted bugs and the help.

The printed tables are read back by regular expressions for their lines (the heading, one row
per parameter, the worst entry), never by splitting on words that may occur elsewhere."""

import os
import re
import subprocess
import sys

import pytest
from oracles import require_native

from purenn import cli
from purenn.gradient_checking.planted import PLANTED_BUGS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HEADING = re.compile(
    r"^gradient check, (?P<method>[^,]+), h = [^:]+: "
    r"(?P<status>PASSED|FAILED) ?(?:\((?P<failures>\d+) entr(?:y|ies)\))?$"
)
ROW = re.compile(
    r"^(?P<name>\S+)\s+(?P<shape>\d+×\d+)\s+(?P<checked>\d+)\s+(?P<skipped>\d+)\s+"
    r"(?P<abs_err>\S+)\s+(?P<rel_err>\S+)\s+"
    r"(?P<verdict>excellent|good|suspicious|wrong|not checked)\s+(?P<passed>yes|NO)$"
)
WORST = re.compile(
    r"^worst entry: (?P<name>\S+)\[(?P<i>\d+), (?P<j>\d+)\]: "
    r"analytic (?P<analytic>\S+), numeric (?P<numeric>\S+)$"
)

DEEP_PARAMETERS = [parameter.name for parameter in cli.deep_network(1).parameters()]
DEEP_BIASES = {name for name in DEEP_PARAMETERS if name.endswith(".bias")}
FIRST_LAYER = {"layers[0].weights", "layers[0].bias"}

# The rows of the deeper network's check that each planted bug fails.
FAILING_ROWS = {
    "sign_flip": FIRST_LAYER,
    "missing_factor_2": set(DEEP_PARAMETERS),
    "derivative_at_activation": FIRST_LAYER,
    "bias_not_summed": DEEP_BIASES,
    "bias_averaged": DEEP_BIASES,
}


def parse_checks(text):
    """Every gradient-check table in ``text``: a list of dicts with the heading's fields, the
    parameter rows by name, and the worst entry (None if the table has none)."""
    checks = []
    for line in text.splitlines():
        heading, row, worst = HEADING.match(line), ROW.match(line), WORST.match(line)
        if heading:
            checks.append({**heading.groupdict(), "rows": {}, "worst": None})
        elif row:
            checks[-1]["rows"][row["name"]] = row.groupdict()
        elif worst:
            checks[-1]["worst"] = worst.groupdict()
    return checks


def run(capsys, *arguments):
    status = cli.main(["gradcheck", *arguments])
    return status, capsys.readouterr().out


def test_the_parser_of_a_table_reads_what_it_should():
    # The parser itself, on one known table, so the tests below cannot pass by reading nothing.
    text = "\n".join([
        "gradient check, central differences, h = 6e-06·max(1, |θ|): PASSED",
        "layers[0].weights      3×4        0       12   0.00e+00   0.00e+00  not checked  yes",
        "no entry checked: every step crossed a kink",
        "gradient check, complex step, h = 1e-30: FAILED (1 entry)",
        "pass rule |a − n| ≤ 1e-11 + 1e-09·max(|a|, |n|); 3 entries checked, 0 skipped at kinks",
        "parameter            shape  checked  skipped  max |a−n|    max rel  verdict      pass",
        "layers[0].weights      2×1        2        0   1.11e-16   5.31e-15  excellent    yes",
        "layers[0].bias         1×1        1        0   2.50e-01   5.00e-01  wrong        NO",
        "worst entry: layers[0].bias[0, 0]: analytic 0.5, numeric 0.25",
    ])
    central, check = parse_checks(text)
    assert (central["method"], central["status"], central["worst"]) == (
        "central differences", "PASSED", None)
    assert central["rows"]["layers[0].weights"]["verdict"] == "not checked"
    assert (check["method"], check["status"], check["failures"]) == ("complex step", "FAILED", "1")
    assert list(check["rows"]) == ["layers[0].weights", "layers[0].bias"]
    assert check["rows"]["layers[0].bias"]["verdict"] == "wrong"
    assert check["worst"]["numeric"] == "0.25"


@pytest.mark.parametrize("method", ["central", "complex"])
def test_gradcheck_prints_a_passing_table_for_both_networks(capsys, method):
    status, out = run(capsys, "--method", method)
    assert status == 0
    assert "seed network" in out and "deeper network" in out
    seed, deep = parse_checks(out)
    assert list(seed["rows"]) == ["layers[0].weights", "layers[1].weights"]
    assert list(deep["rows"]) == DEEP_PARAMETERS
    for check in (seed, deep):
        assert check["status"] == "PASSED"
        assert all(row["verdict"] == "excellent" and row["passed"] == "yes"
                   for row in check["rows"].values())


@pytest.mark.parametrize("method", ["central", "complex"])
@pytest.mark.parametrize("bug", list(PLANTED_BUGS))
def test_a_planted_bug_is_named_described_and_fails_the_check(capsys, bug, method):
    status, out = run(capsys, "--plant-bug", bug, "--method", method)
    assert status == 1
    assert f"planted bug {bug!r} in " in out
    assert PLANTED_BUGS[bug].description in out
    assert out.rstrip().endswith("the check caught the planted bug")
    (check,) = parse_checks(out)
    assert check["status"] == "FAILED" and int(check["failures"]) > 0
    assert list(check["rows"]) == DEEP_PARAMETERS
    failing = {name for name, row in check["rows"].items() if row["passed"] == "NO"}
    assert failing == FAILING_ROWS[bug]
    assert all(check["rows"][name]["verdict"] in ("suspicious", "wrong") for name in failing)
    assert check["worst"]["name"] in failing


def test_the_halved_loss_gradient_shows_as_analytic_half_the_numeric(capsys):
    # What the help's worked example promises for missing_factor_2.
    _, out = run(capsys, "--plant-bug", "missing_factor_2")
    (check,) = parse_checks(out)
    assert all(row["verdict"] == "wrong" for row in check["rows"].values())
    worst = check["worst"]
    assert float(worst["analytic"]) == pytest.approx(float(worst["numeric"]) / 2, rel=1e-6)


def test_plant_bug_list_names_and_describes_every_bug(capsys):
    status, out = run(capsys, "--plant-bug", "list")
    assert status == 0
    lines = [line.strip() for line in out.splitlines()]
    for bug in PLANTED_BUGS.values():
        assert lines[lines.index(bug.name) + 1] == bug.description


def test_help_shows_a_worked_example_and_every_bug(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["gradcheck", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "a worked example" in out
    assert "python3 -m purenn gradcheck --plant-bug missing_factor_2" in out
    for bug in PLANTED_BUGS.values():
        assert bug.name in out and bug.description in out


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--plant-bug", "off_by_one"], "invalid choice"),
        (["--plant-bug", "sign_flip", "--sweep"], "not allowed with"),
    ],
)
def test_bad_plant_bug_options_are_one_line_and_status_2(capsys, arguments, words):
    status = cli.main(["gradcheck", *arguments])
    assert status == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("purenn: error: ") and words in line
    assert line.endswith("(see python3 -m purenn gradcheck --help)")


def test_a_planted_bug_from_a_fresh_process_exits_with_status_1():
    require_native("start processes")
    environment = dict(os.environ, PYTHONPATH=ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "purenn", "gradcheck", "--plant-bug", "bias_not_summed"],
        capture_output=True, text=True, cwd=ROOT, env=environment, check=False,
    )
    assert result.returncode == 1, result.stderr
    assert PLANTED_BUGS["bias_not_summed"].description in result.stdout
    (check,) = parse_checks(result.stdout)
    assert check["status"] == "FAILED"
    assert {name for name, row in check["rows"].items() if row["passed"] == "NO"} == DEEP_BIASES


# -- the step sweep ----------------------------------------------------------------------------


def parse_sweep(text):
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["h"])
    methods = lines[start].split()[1:]
    table = {method: {} for method in methods}
    for line in lines[start + 1 :]:
        step, *cells = line.split()
        for method, cell in zip(methods, cells):
            if cell != "·":
                table[method][float(step)] = float(cell)
    return table


def test_sweep_shows_the_u_curve(capsys):
    status, out = run(capsys, "--sweep")
    assert status == 0
    table = parse_sweep(out)
    assert list(table) == ["forward", "central", "richardson", "complex"]
    for method in ("forward", "central", "richardson"):
        assert sorted(table[method]) == [float(f"1e-{k}") for k in range(14, 0, -1)]
    central = table["central"]
    best = min(central, key=central.get)
    # truncation ∝ h² meets round-off ∝ ε/h near ∛ε ≈ 6e-6
    assert 1e-6 <= best <= 1e-5
    assert central[1e-1] > 1e3 * central[best] and central[1e-14] > 1e3 * central[best]
    forward = table["forward"]
    forward_best = min(forward.values())
    assert forward[1e-1] > 100 * forward_best and forward[1e-14] > 100 * forward_best
    # the complex step has no round-off term: still at rounding level at h = 1e-300
    assert min(table["complex"]) == 1e-300
    assert table["complex"][1e-300] < 1e-15 and table["complex"][1e-14] < 1e-15


def test_the_default_command_still_runs_the_seed_demo(capsys):
    status = cli.main(["--epochs", "20", "--every", "10"])
    out = capsys.readouterr().out
    assert status == 0
    assert re.search(r"epoch\s+20\s+loss", out) and "prediction" in out
