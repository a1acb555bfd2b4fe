"""How the command line fails: one line on stderr and an exit status, never a traceback, for
anything a user can cause.

``run_guarded`` wraps a command.  What it catches, and the exit status it gives:

    purenn's errors (PurennError: a bad value, shape, file or command line)     2
    OSError (a missing file, no permission), UnicodeDecodeError, csv.Error      2
    DivergenceError (training blew up), a failed gradient check (returned)      1
    MemoryError: "out of memory"                                               1
    BrokenPipeError: stdout closed early (``… | head -1``); nothing printed    1
    KeyboardInterrupt (Ctrl-C); nothing printed                                 130

Each message is printed as ``purenn: error: <message>`` on one line.  Anything else is a bug in
purenn and keeps its traceback, so it can be reported.
"""

from __future__ import annotations

import csv
import os
import sys
from typing import TYPE_CHECKING

from purenn.errors import DivergenceError, PurennError

if TYPE_CHECKING:
    from typing import Callable, TextIO

__all__ = [
    "EXIT_OK",
    "EXIT_FAILED",
    "EXIT_USAGE",
    "EXIT_INTERRUPTED",
    "PREFIX",
    "describe",
    "exit_status",
    "run_guarded",
]

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and failed: a check caught a bug, training diverged
EXIT_USAGE = 2  # the command could not run: bad options or bad input (argparse's status)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C

PREFIX = "purenn: error: "

# What a user can cause; anything else is a bug and keeps its traceback.
USER_ERRORS: tuple[type[BaseException], ...] = (
    PurennError, OSError, UnicodeError, csv.Error, MemoryError
)


def describe(error: BaseException) -> str:
    """The one-line message for ``error``: an OSError as "<file>: <reason>", anything else as
    its text, line breaks folded into spaces.

    >>> describe(FileNotFoundError(2, "No such file or directory", "data.csv"))
    'data.csv: No such file or directory'
    >>> describe(ValueError("two\\nlines"))
    'two lines'
    """
    if isinstance(error, MemoryError):
        text = "out of memory: try a smaller network or data set"
    elif isinstance(error, OSError) and error.filename is not None and error.strerror:
        text = f"{error.filename}: {error.strerror}"
    else:
        text = str(error) or type(error).__name__
    return " ".join(part.strip() for part in text.splitlines())


def exit_status(error: BaseException) -> int:
    """EXIT_FAILED for a run that diverged or ran out of memory, EXIT_USAGE for every other
    error a user causes.

    >>> exit_status(DivergenceError("fit: the loss became nan")), exit_status(OSError())
    (1, 2)
    """
    return EXIT_FAILED if isinstance(error, (DivergenceError, MemoryError)) else EXIT_USAGE


def _silence_stdout() -> None:
    """Point stdout at the null device, so that Python's final flush at exit does not fail
    again on the closed pipe (and print "Exception ignored …").  Only the process's own stdout:
    where a caller (a test, a program embedding main) has put another stream in its place, the
    descriptor behind that stream is not ours to redirect."""
    own = sys.__stdout__
    if own is None or sys.stdout is not own:
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, own.fileno())
    except (OSError, ValueError):
        pass


def run_guarded(command: Callable[[], int], err: TextIO) -> int:
    """``command()``'s exit status; a user's error is printed to ``err`` as one line and gives
    its exit status (see the module docstring).  stdout is flushed before returning, so a
    closed pipe is noticed here rather than at exit.

    >>> import io
    >>> def missing() -> int:
    ...     return len(open("no-such-file.csv").read())
    >>> err = io.StringIO()
    >>> run_guarded(missing, err), err.getvalue()
    (2, 'purenn: error: no-such-file.csv: No such file or directory\\n')
    """
    try:
        status = command()
        sys.stdout.flush()
        return status
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_FAILED
    except USER_ERRORS as error:
        print(PREFIX + describe(error), file=err)
        return exit_status(error)
