"""Files: paths as users give them, and writes that never leave half a file behind.

Every format writes through ``write_atomically`` (``write_all_atomically`` for files that belong
together, a model and its labels).  What a write does depends on what is at the path:

- nothing, or a regular file: the bytes go to a temporary file in the same folder, created
  readable by its owner only (0600), flushed and fsynced, given the old file's permissions (or
  a new file's, 0666 less the umask) and renamed over the target with ``os.replace``.  A rename
  within one folder is atomic on POSIX and Windows, so a crash, a full disk or an exception at
  any moment leaves either the old file or the new one, never a mixture.
- a symbolic link: followed, to the end of its chain; the file it points to is replaced as
  above (in that file's folder) and the link stays a link.
- anything else that exists (a FIFO, a character or block device such as /dev/null or a
  terminal behind /dev/stdout): written to directly, as ``open(path, "wb")`` would, without a
  temporary file; nothing can make such a write atomic, and it is never replaced by a file.
  A folder is an error (IsADirectoryError).

The temporary file is removed if anything fails before the rename.  A process killed outright
(``kill -9``, a power cut) cannot remove its own: each save holds a lock (``fcntl.flock``) on its
temporary file while it writes, and the next save to the same path removes every temporary file
of that path whose lock no process holds.  (Where there is no flock, on Windows, a killed save's
temporary file stays; its name, ``.<name>.<16 hex digits>.tmp``, says what it is.)

Errors of the operating system (a missing folder, no permission, a full disk) are raised as the
OSError they are, naming the path the caller gave (never the hidden temporary file): nothing in
the file is at fault.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ConfigurationError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, so no clean-up of a killed save's temporary
    fcntl = None  # type: ignore[assignment]
if sys.platform == "emscripten":  # Pyodide: flock succeeds and locks nothing, so a lock there
    fcntl = None  # type: ignore[assignment]  # could not tell a live save from a killed one

if TYPE_CHECKING:
    from typing import Any, Iterator, Sequence, Union

    PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["file_path", "write_atomically", "write_all_atomically", "read_bytes"]


# Attempts at a fresh temporary name before giving up (a clash needs the same 8 random bytes).
_NAME_ATTEMPTS = 100
# A new file's permissions before the umask: what open(path, "w") gives.
_NEW_FILE_MODE = 0o666


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


def _temporary_pattern(name: str) -> re.Pattern[str]:
    """The names of the temporary files of a target called ``name``."""
    return re.compile(re.escape(f".{name}.") + r"[0-9a-f]{16}\.tmp")


def _lock(descriptor: int, wait: bool) -> bool:
    """Take the exclusive lock of an open file, waiting for it or not: True if it is held now.
    A writer (``wait``) goes on without a lock where the file system has none (Windows, some
    network file systems, Pyodide's): its temporary file is then never removed by another
    save, as a cleaner that cannot lock never removes anything."""
    if fcntl is None:
        return wait
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        return wait
    return True


def _remove_if_abandoned(path: str) -> None:
    """Remove the temporary file ``path`` if no live save holds its lock (its writer was killed).
    The lock is taken on an open descriptor and the name is removed only while it still names
    that same file, so a save that is still writing, or has just renamed its file into place,
    keeps it."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return
    try:
        if _lock(descriptor, wait=False) and os.path.samestat(os.fstat(descriptor), os.stat(path)):
            os.unlink(path)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _remove_abandoned(folder: str, name: str) -> None:
    """Remove the temporary files that killed saves of ``name`` left in ``folder``."""
    if fcntl is None:
        return
    pattern = _temporary_pattern(name)
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        if pattern.fullmatch(entry):
            _remove_if_abandoned(os.path.join(folder, entry))


def _create_temporary(folder: str, name: str) -> tuple[int, str]:
    """(descriptor, path) of a new, empty file next to the target, created exclusively,
    readable and writable by its owner only, and locked for as long as the descriptor is open
    (a lock taken after a clean-up removed the new name is noticed: the name is tried again)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_NAME_ATTEMPTS):
        temporary = os.path.join(folder, f".{name}.{os.urandom(8).hex()}.tmp")
        try:
            descriptor = os.open(temporary, flags, 0o600)
        except FileExistsError:
            continue
        if _lock(descriptor, wait=True) and os.fstat(descriptor).st_nlink > 0:
            return descriptor, temporary
        os.close(descriptor)
    raise FileExistsError(f"no free temporary name for {name!r} in {folder!r}")


def _new_file_mode() -> int:
    """The permissions a new file gets: 0666 less the umask (read from /proc where Linux
    shows it, as setting the umask to read it would race with other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return _NEW_FILE_MODE & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return _NEW_FILE_MODE & ~umask


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


def _is_special(path: str) -> bool:
    """Whether something other than a regular file is at ``path`` (links followed): a FIFO,
    a device, a socket, a folder."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False  # nothing there (or a dangling link): a new file is made


@contextlib.contextmanager
def _naming(path: str) -> Iterator[None]:
    """Raise an OSError from inside as the same error about ``path``, the caller's path."""
    try:
        yield
    except OSError as error:
        if error.errno is None or error.filename == path:
            raise
        raise type(error)(error.errno, error.strerror, path) from None


def _prepare(path: str, data: bytes) -> tuple[str, str, int]:
    """(temporary path, final path, the temporary's descriptor, still locked): ``data`` written
    and flushed to disk with the final permissions, ready to be renamed over the final path."""
    final = os.path.realpath(path)  # a link is written through: its target is replaced
    folder, name = os.path.split(final)
    _remove_abandoned(folder, name)
    descriptor, temporary = _create_temporary(folder, name)
    try:
        _write_all(descriptor, data)
        os.fsync(descriptor)
        mode = stat.S_IMODE(os.stat(final).st_mode) if os.path.exists(final) else _new_file_mode()
        if hasattr(os, "fchmod"):
            os.fchmod(descriptor, mode)
        else:
            os.chmod(temporary, mode)
    except BaseException:
        _discard(temporary, descriptor)
        raise
    return temporary, final, descriptor


def _write_all(descriptor: int, data: bytes) -> None:
    """Write every byte of ``data`` (os.write may write fewer than it is given)."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]


def _discard(temporary: str, descriptor: int) -> None:
    """Remove an unused temporary file and release its lock."""
    with contextlib.suppress(OSError):
        os.unlink(temporary)
    with contextlib.suppress(OSError):
        os.close(descriptor)


def _write_directly(path: str, data: bytes) -> None:
    """Write ``data`` to what is at ``path``, a FIFO or a device: it cannot be replaced."""
    descriptor = os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    try:
        _write_all(descriptor, data)
    finally:
        os.close(descriptor)


def write_all_atomically(files: Sequence[tuple[PathLike, bytes]]) -> None:
    """Write each (path, data) of ``files`` as ``write_atomically`` does, all or nothing as far
    as renames allow: every file is written to its temporary file and flushed first, so a full
    disk or an error leaves every target untouched; then the temporary files are renamed over
    their targets in the order given (a crash between two renames, microseconds apart, is the
    only way to see some new and some old, which is why the labels file names its model).

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> write_all_atomically([(os.path.join(folder, "a"), b"1"), (os.path.join(folder, "b"), b"2")])
    >>> sorted(os.listdir(folder))
    ['a', 'b']
    """
    prepared: list[tuple[str, str, int, str]] = []  # (temporary, final, descriptor, path)
    try:
        for path, data in files:
            target = os.fspath(path)
            with _naming(target):
                if _is_special(target):
                    _write_directly(target, data)
                else:
                    prepared.append((*_prepare(target, data), target))
        while prepared:
            temporary, final, descriptor, target = prepared[0]
            with _naming(target):
                os.replace(temporary, final)
            prepared.pop(0)
            os.close(descriptor)  # releases the lock, now that the name is gone
            _sync_folder(os.path.dirname(final))
    finally:
        for temporary, _, descriptor, _ in prepared:
            _discard(temporary, descriptor)


def write_atomically(path: PathLike, data: bytes) -> None:
    """Replace the file at ``path`` by ``data``, all or nothing; what happens to a link, a FIFO
    or a device at ``path`` is in the module docstring.

    The bytes are written to a temporary file (0600) in the target's folder, flushed and
    fsynced, given the old file's permissions if there was one, and renamed over ``path``
    (``os.replace``).  On any failure the temporary file is removed, the old file is untouched,
    and the error is raised, naming ``path``.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> target = os.path.join(folder, "greeting.txt")
    >>> write_atomically(target, b"hello")
    >>> open(target, "rb").read(), os.listdir(folder)
    (b'hello', ['greeting.txt'])
    """
    write_all_atomically([(path, data)])


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
