"""What every command's parser shares: a parser whose errors are one line, argument types that
refuse bad values by name, and help that ends with a worked example.

argparse prints its usage and exits when a command line is wrong.  ``CommandParser`` raises
``UsageError`` instead, so the command line's one error printer (``purenn.cli.failures``)
reports it like any other bad input: one line on stderr, exit status 2.

The types (``count``, ``number``, ``registered_name``) turn a word of the command line into a
value or refuse it with a message naming what it must be: ``--learning-rate inf`` is refused
here, before anything runs.
"""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

from purenn.errors import ConfigurationError
from purenn.registry import Registry

if TYPE_CHECKING:
    from typing import Any, Callable, NoReturn, Sequence

    Runner = Callable[[argparse.Namespace], int]
    """A command's body: it takes the parsed arguments, writes to sys.stdout, returns the exit
    status.  Each command's parser names its runner with ``set_defaults(run=…)``."""

__all__ = [
    "UsageError",
    "CommandParser",
    "count",
    "number",
    "registered_name",
    "add_command",
    "given_options",
    "refuse_options",
]


class UsageError(ConfigurationError):
    """A command line purenn cannot run: an unknown option, a bad value, options that do not go
    together, or an option that does not apply to the command.

    >>> raise UsageError("--plot: it draws the step sweep; add --sweep")
    Traceback (most recent call last):
    ...
    purenn.cli.options.UsageError: --plot: it draws the step sweep; add --sweep
    """


class CommandParser(argparse.ArgumentParser):
    """An ArgumentParser that raises UsageError (one line, pointing at ``--help``) where
    argparse would print its usage and exit; ``--help`` still prints and exits.

    >>> parser = CommandParser(prog="purenn demo")
    >>> _ = parser.add_argument("--epochs", type=count(0))
    >>> parser.parse_args(["--epochs", "-1"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.cli.options.UsageError: argument --epochs: must be an int ≥ 0, got '-1' (see purenn ...
    """

    def error(self, message: str) -> NoReturn:
        """Raise UsageError("<message> (see <prog> --help)").

        >>> CommandParser(prog="purenn demo").error("argument --epochs: must be ≥ 1")
        Traceback (most recent call last):
        purenn.cli.options.UsageError: argument --epochs: must be ≥ 1 (see purenn demo --help)
        """
        raise UsageError(f"{message} (see {self.prog} --help)")


def count(minimum: int) -> Callable[[str], int]:
    """An argparse type: the word as an int ≥ ``minimum``.

    >>> count(1)("3")
    3
    >>> count(1)("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an int ≥ 1, got '0'
    """

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an int ≥ {minimum:d}, got {text!r}")
        return value

    return convert


def number(
    low: float, high: float | None = None, include_low: bool = True
) -> Callable[[str], float]:
    """An argparse type: the word as a finite float ≥ ``low`` (> low when not
    ``include_low``) and < ``high`` when given.  "inf", "nan" and "1e999" are refused.

    >>> number(0.0)("0.5")
    0.5
    >>> number(0.0)("inf")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a finite number ≥ 0, got 'inf'
    >>> number(0.0, 1.0, include_low=False)("1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a finite number in (0, 1), got '1'
    """
    if high is None:
        wanted = f"{'≥' if include_low else '>'} {low:g}"
    else:
        wanted = f"in {'[' if include_low else '('}{low:g}, {high:g})"

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        above = value > low or (include_low and value == low)
        if not (math.isfinite(value) and above and (high is None or value < high)):
            raise argparse.ArgumentTypeError(f"must be a finite number {wanted}, got {text!r}")
        return value

    return convert


def registered_name(registry: Registry[Any]) -> Callable[[str], str]:
    """An argparse type: a name registered in ``registry``, else the registry's own message
    listing every known name.

    >>> from purenn.losses import LOSSES
    >>> registered_name(LOSSES)("mse")
    'mse'
    >>> registered_name(LOSSES)("hinge")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: unknown loss 'hinge'; known losses: bce, cross_entropy, mse, ...
    """

    def convert(text: str) -> str:
        try:
            registry.resolve(text)
        except ConfigurationError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return text

    return convert


def add_command(
    commands: argparse._SubParsersAction[CommandParser],
    name: str,
    summary: str,
    description: str,
    epilog: str,
) -> CommandParser:
    """A command's parser: ``summary`` in the list of commands, ``description`` at the top of
    its help and ``epilog`` (a worked example) at the end, laid out as written.  ``%(prog)s``
    in the epilog becomes the command as invoked ("python3 -m purenn train").

    >>> parser = CommandParser(prog="purenn")
    >>> commands = parser.add_subparsers()
    >>> hello = add_command(commands, "hello", "greet", "Say hello.", "  %(prog)s")
    >>> hello.format_help().splitlines()[-1]
    '  purenn hello'
    """
    return commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def given_options(args: argparse.Namespace, *options: str) -> list[str]:
    """Those of ``options`` ("--target") that the command line gave: their value in ``args``
    is neither None nor False (the defaults of options that must be asked for).

    >>> given_options(argparse.Namespace(target="kind", task=None), "--target", "--task")
    ['--target']
    """
    return [
        option for option in options
        if getattr(args, option.lstrip("-").replace("-", "_")) not in (None, False)
    ]


def refuse_options(given: Sequence[str], reason: str) -> None:
    """Raise UsageError "<options>: <reason>" if ``given`` lists options the command line gave
    where they do not apply; do nothing if it is empty.

    >>> refuse_options([], "it draws the step sweep; add --sweep")
    >>> refuse_options(["--plot"], "it draws the step sweep; add --sweep")
    Traceback (most recent call last):
    ...
    purenn.cli.options.UsageError: --plot: it draws the step sweep; add --sweep
    """
    if given:
        raise UsageError(f"{' and '.join(given)}: {reason}")
