"""``python3 -m purenn gradcheck``: backpropagation against numerical derivatives, as a table.

It prints gradient-check tables for the seed network and a deeper one; ``--sweep`` prints the
error of each numerical derivative against its step size (the U-curve of finite differences),
and ``--plot PATH`` draws it; ``--plant-bug NAME`` plants a classic backprop bug into the deeper
network and prints the check failing (``--plant-bug list`` names the bugs).  The exit status
is 1 when a check fails, so a planted bug exits with 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from purenn import plot
from purenn.cli.options import CommandParser, add_command, given_options, refuse_options
from purenn.cli.seednets import deep_network, seed_network
from purenn.datasets import seed_data
from purenn.gradient_checking import (
    METHODS,
    PLANTED_BUGS,
    format_planted_bugs,
    format_sweep,
    gradcheck,
    plant_bug,
    step_sweep,
)

if TYPE_CHECKING:
    from typing import TextIO

__all__ = [
    "add_gradcheck_command",
    "run_gradcheck",
    "run_sweep",
    "run_planted_bug",
    "run_gradcheck_command",
]

_GRADCHECK_EXAMPLE = """\
a worked example, for a class:
  python3 -m purenn gradcheck
      every entry of both networks passes: verdicts "excellent", exit status 0
  python3 -m purenn gradcheck --plant-bug list
      the bugs that can be planted, and what each gets wrong
  python3 -m purenn gradcheck --plant-bug missing_factor_2
      the same check of the deeper network with the loss gradient halved: FAILED, every
      parameter's row says "wrong" and "NO", and the worst entry's analytic value is half
      its numeric one; exit status 1
  python3 -m purenn gradcheck --plant-bug sign_flip --method complex
      the complex step catches a planted bug as well
  python3 -m purenn gradcheck --sweep --plot sweep.svg
      why central differences step by 6e-6: their error against the step size, as a table
      and as a log-log chart in sweep.svg

"""

_PLANTED_HEADING = "planted bugs (--plant-bug NAME):"

DEFAULT_METHOD = "central"


def add_gradcheck_command(
    commands: argparse._SubParsersAction[CommandParser],
) -> CommandParser:
    """The ``gradcheck`` command's parser, with a worked example and the plantable bugs.

    >>> parser = CommandParser(prog="purenn")
    >>> check = add_gradcheck_command(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["gradcheck", "--plant-bug", "sign_flip"]).plant_bug
    'sign_flip'
    """
    check = add_command(
        commands,
        "gradcheck",
        "check backprop against numerical derivatives",
        "Check backpropagation against numerical derivatives of the loss, entry by entry,\n"
        "for the seed network and a deeper 3-5-4-1 tanh/sigmoid network with biases.",
        f"{_GRADCHECK_EXAMPLE}{_PLANTED_HEADING}\n{format_planted_bugs()}",
    )
    check.add_argument(
        "--method", choices=METHODS, help=f"numerical method (default {DEFAULT_METHOD})"
    )
    check.add_argument("--seed", type=int, default=1, help="seed of the weights (default 1)")
    instead = check.add_mutually_exclusive_group()
    instead.add_argument(
        "--sweep",
        action="store_true",
        help="print the error of every method against the step size instead (the U-curve)",
    )
    instead.add_argument(
        "--plant-bug",
        choices=[*PLANTED_BUGS, "list"],
        metavar="NAME",
        help="plant the bug NAME into the deeper network and show the check fail (exit "
        "status 1); 'list' lists the bugs (also below)",
    )
    check.add_argument("--plot", metavar="PATH", help="with --sweep: draw it as SVG into PATH")
    check.set_defaults(run=run_gradcheck_command)
    return check


def run_gradcheck(method: str, seed: int, out: TextIO) -> bool:
    """Print the gradcheck table of the seed network and of ``deep_network``; True if both pass.

    >>> import io
    >>> run_gradcheck("complex", 1, io.StringIO())
    True
    """
    x, y = seed_data()
    passed = True
    for title, network in (("seed", seed_network(seed)), ("deeper", deep_network(seed))):
        result = gradcheck(network, x, y, method)
        print(f"{title} network: {network}\n{result}\n", file=out)
        passed = passed and result.ok
    return passed


def run_sweep(seed: int, out: TextIO, plot_path: str | None = None) -> None:
    """Print the step sweep of every method on the seed network; with ``plot_path``, draw it
    there as SVG too.

    >>> import io
    >>> out = io.StringIO()
    >>> run_sweep(1, out)
    >>> "richardson" in out.getvalue()
    True
    """
    x, y = seed_data()
    network = seed_network(seed)
    print(
        f"max |backprop − numerical| over every weight of the seed network\n{network}\n"
        "against the step h (every |θ| < 1 here, so h is the step taken).  The difference\n"
        "methods fall, then rise again: truncation ∝ hᵖ against round-off ∝ ε/h.  The complex\n"
        "step subtracts nothing, so it has no round-off term and keeps falling to ~1e-16.\n",
        file=out,
    )
    results = step_sweep(network, x, y)
    print(format_sweep(results), file=out)
    if plot_path is not None:
        plot.sweep(results, plot_path)
        print(f"\nwrote {plot_path}", file=out)


def run_planted_bug(name: str, method: str, seed: int, out: TextIO) -> bool:
    """Plant the bug ``name`` into ``deep_network``, then print which bug, where, and the
    check's table; True if the check passed (it should not).

    >>> import io
    >>> run_planted_bug("sign_flip", "central", 1, io.StringIO())
    False
    """
    x, y = seed_data()
    network = deep_network(seed)
    place = plant_bug(network, name)
    print(f"planted bug {name!r} in {place}:\n  {PLANTED_BUGS[name].description}\n", file=out)
    result = gradcheck(network, x, y, method)
    caught = "the check caught the planted bug" if not result.ok else "the bug went unnoticed"
    print(f"deeper network: {network}\n{result}\n\n{caught}", file=out)
    return result.ok


def run_gradcheck_command(args: argparse.Namespace) -> int:
    """Run ``gradcheck`` as ``args`` asks, writing to stdout; returns the exit status (1 when a
    check failed).  Options that do not apply are refused: ``--plot`` without ``--sweep``,
    ``--method`` with ``--sweep`` (the sweep shows every method) or with ``--plant-bug list``.

    >>> run_gradcheck_command(argparse.Namespace(method=None, seed=1, sweep=False,
    ...                                          plant_bug="list", plot=None))  # doctest: +ELLIPSIS
    planted bugs (--plant-bug NAME):
    ...
    0
    """
    out = sys.stdout
    if not args.sweep:
        refuse_options(given_options(args, "--plot"), "it draws the step sweep; add --sweep")
    if args.sweep:
        refuse_options(given_options(args, "--method"), "the sweep shows every method")
    if args.plant_bug == "list":
        refuse_options(given_options(args, "--method"), "the list of bugs runs no check")
    method = args.method or DEFAULT_METHOD
    if args.sweep:
        run_sweep(args.seed, out, args.plot)
        return 0
    if args.plant_bug == "list":
        print(f"{_PLANTED_HEADING}\n{format_planted_bugs()}", file=out)
        return 0
    if args.plant_bug is not None:
        return 0 if run_planted_bug(args.plant_bug, method, args.seed, out) else 1
    return 0 if run_gradcheck(method, args.seed, out) else 1
