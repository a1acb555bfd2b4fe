"""Files: paths as users give them, and writes that never leave half a file behind.

Every format writes through ``write_atomically``: the bytes go to a temporary file in the same
folder, which is flushed and fsynced, then renamed over the target with ``os.replace``.  A rename
within one folder is atomic on POSIX and Windows, so a crash, a full disk or an exception at any
moment leaves either the old file or the new one, never a mixture; the temporary file is removed
if anything fails before the rename.

Errors of the operating system (a missing folder, no permission, a full disk) are raised as the
OSError they are: they name the path, and nothing in the file is at fault.
"""

from __future__ import annotations

import contextlib
import os
import stat
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ConfigurationError

if TYPE_CHECKING:
    from typing import Any, Union

    PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["file_path", "write_atomically", "read_bytes"]


# Attempts at a fresh temporary name before giving up (a clash needs the same 8 random bytes).
_NAME_ATTEMPTS = 100


def file_path(path: Any, where: str) -> str:
    """``path`` (a str or a path-like object such as ``pathlib.Path``) as a str.

    >>> file_path(123, "save")
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: save: the path must be a str or a path object, got 123
    >>> file_path("model\\0.json", "save")
    Traceback (most recent call last):
    ...
    purenn.errors.ConfigurationError: save: the path 'model\\x00.json' holds a NUL character
    """
    if isinstance(path, (str, os.PathLike)):
        text = os.fspath(path)
        if isinstance(text, str) and "\0" in text:
            # os.open would raise ValueError("embedded null byte"), naming neither call nor path.
            raise ConfigurationError(f"{where}: the path {shown(text)} holds a NUL character")
        if isinstance(text, str) and text:
            return text
    raise ConfigurationError(f"{where}: the path must be a str or a path object, got {shown(path)}")


def _create_temporary(folder: str, name: str) -> tuple[int, str]:
    """(descriptor, path) of a new, empty file next to the target, created exclusively, with
    the permissions a new file gets from the umask (mode 0o666 before the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_NAME_ATTEMPTS):
        temporary = os.path.join(folder, f".{name}.{os.urandom(8).hex()}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name for {name!r} in {folder!r}")


def _sync_folder(folder: str) -> None:
    """Flush the folder's entry for the renamed file to disk (POSIX; Windows cannot open a
    folder, and there the rename is flushed with the file).  A file system that refuses is
    not an error: the file itself is already on disk."""
    if os.name != "posix":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def write_atomically(path: PathLike, data: bytes) -> None:
    """Replace the file at ``path`` by ``data``, all or nothing.

    The bytes are written to a temporary file in the target's folder, flushed and fsynced,
    given the old file's permissions if there was one, and renamed over ``path``
    (``os.replace``).  On any failure the temporary file is removed, the old file is untouched,
    and the error is raised.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> target = os.path.join(folder, "greeting.txt")
    >>> write_atomically(target, b"hello")
    >>> open(target, "rb").read(), os.listdir(folder)
    (b'hello', ['greeting.txt'])
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    descriptor, temporary = _create_temporary(folder, os.path.basename(target))
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if os.path.exists(target):
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)


def read_bytes(path: str) -> bytes:
    """The whole file at ``path`` (an OSError if it cannot be read).

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "m.json")
    >>> write_atomically(path, b"{}")
    >>> read_bytes(path)
    b'{}'
    """
    with open(path, "rb") as file:
        return file.read()
