"""``python3 -m purenn`` and the ``purenn`` command: see ``purenn.cli``.

Loading the command line's modules takes a fraction of a second; a Ctrl-C meanwhile ends the
program quietly with status 130, as a Ctrl-C during a command does, instead of a traceback from
whichever import it interrupted.  (The few milliseconds in which Python loads ``purenn`` itself,
before this module runs, cannot be covered from inside the package.)
"""

import signal
import sys
from types import FrameType
from typing import Optional

INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a program Ctrl-C stopped


def _quit_quietly(signum: int, frame: Optional[FrameType]) -> None:
    """SIGINT while the modules load: exit with status 130 and no traceback."""
    raise SystemExit(INTERRUPTED)


signal.signal(signal.SIGINT, _quit_quietly)
from purenn.cli import main  # noqa: E402 (after the handler, so that the loading is covered)

signal.signal(signal.SIGINT, signal.default_int_handler)


def run() -> None:
    """The ``purenn`` command: run the command line and exit with its status."""
    sys.exit(main())


if __name__ == "__main__":
    run()
