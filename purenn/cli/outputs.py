"""Where commands write, checked before the work starts: a mistake in an output path is one
error line at once, not a confusing one (about a temporary file) after a long training run.

``--plots DIR`` is made if missing; ``--save PATH`` and export's OUTPUT must name a file in a
folder that exists.
"""

import os

from purenn.cli.options import UsageError

__all__ = ["prepare_folder", "check_output_file"]


def prepare_folder(folder: str, option: str = "--plots") -> str:
    """Make ``folder`` (and its parents) unless it exists; returns it.  Raises UsageError
    naming ``option`` when a file of that name is in the way, OSError when the folder cannot
    be made (no permission).

    >>> import os, tempfile
    >>> folder = prepare_folder(os.path.join(tempfile.mkdtemp(), "out", "run1"))
    >>> os.path.isdir(folder)
    True
    """
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise UsageError(f"{option} {folder}: a file of that name is in the way; give a folder")
    os.makedirs(folder, exist_ok=True)
    return folder


def check_output_file(path: str, option: str) -> str:
    """``path`` if a file can be written there: its folder exists and it is not a folder
    itself; else UsageError naming ``option`` ("--save").

    >>> import tempfile
    >>> check_output_file(tempfile.mkdtemp(), "--save")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.cli.options.UsageError: --save ...: a folder; give the path of a file
    """
    if os.path.isdir(path):
        raise UsageError(f"{option} {path}: a folder; give the path of a file")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"{option} {path}: there is no folder {folder} to write into")
    return path
