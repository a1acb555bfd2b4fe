"""What a save does to what is at its path (purenn.formats.files; docs/files-and-faults.md): a
link is written through, a FIFO or a device is written to and stays what it was, the temporary
file is private from the start, a killed save's temporary file is cleaned by the next save, and
an error names the caller's path.  POSIX only (links, FIFOs, modes, flock)."""

import os
import stat
import subprocess
import sys
import threading

import pytest
from oracles import require_native

import purenn as pn
from purenn.formats import files

pytestmark = pytest.mark.skipif(os.name != "posix", reason="links, FIFOs and modes are POSIX's")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def network(seed=0):
    return pn.Network([pn.Dense(2, 3, "tanh"), pn.Dense(3, 1)], seed=seed)


def leftovers(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def test_a_link_is_written_through_and_stays_a_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "model.json"
    pn.save(network(1), target)
    link = tmp_path / "link.json"
    link.symlink_to(os.path.join("real", "model.json"))  # relative, into another folder
    chained = tmp_path / "chained.json"
    chained.symlink_to(link)
    pn.save(network(2), chained)
    assert chained.is_symlink() and link.is_symlink() and not target.is_symlink()
    assert pn.load(target).state_dict() == network(2).state_dict()
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "real") == []


def test_a_dangling_link_gets_its_file(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to("made.json")
    pn.save(network(), link)
    assert link.is_symlink() and (tmp_path / "made.json").is_file()


def test_a_device_is_written_to_never_replaced(tmp_path):
    null = tmp_path / "null.json"
    null.symlink_to(os.devnull)  # the test never names /dev/null itself as a target
    pn.save(network(), null)
    pn.export_npz(network(), null)
    assert null.is_symlink() and stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here (Windows, Pyodide)")
def test_a_fifo_is_written_to_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    received = []
    # a daemon: if the save replaced the FIFO, the reader waits forever and must not hold pytest
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    pn.save(network(3), fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    reader.join(timeout=30)
    (tmp_path / "copy.json").write_bytes(received[0])
    assert pn.load(tmp_path / "copy.json").state_dict() == network(3).state_dict()


def test_a_folder_is_an_error_naming_it(tmp_path):
    with pytest.raises(IsADirectoryError) as caught:
        pn.save(network(), tmp_path)
    assert caught.value.filename == str(tmp_path)


def test_the_temporary_file_is_private_while_it_is_written(tmp_path, monkeypatch):
    modes = []
    real_write = os.write

    def watched(descriptor, data):
        modes.append(stat.S_IMODE(os.fstat(descriptor).st_mode))
        return real_write(descriptor, data)

    monkeypatch.setattr(os, "write", watched)
    old_umask = os.umask(0o022)
    try:
        pn.save(network(), tmp_path / "new.json")
    finally:
        os.umask(old_umask)
    assert modes and set(modes) == {0o600}
    assert stat.S_IMODE(os.stat(tmp_path / "new.json").st_mode) == 0o644  # 0666 less the umask
    (tmp_path / "new.json").chmod(0o640)
    pn.save(network(), tmp_path / "new.json")
    assert stat.S_IMODE(os.stat(tmp_path / "new.json").st_mode) == 0o640  # kept


KILLED_MID_SAVE = """
import os, signal, sys
import purenn as pn
def killed(*args):
    os.kill(os.getpid(), signal.SIGKILL)  # kill -9 just before the rename
os.replace = killed
pn.save(pn.Network([pn.Dense(2, 1)], seed=0), sys.argv[1])
"""


def test_a_killed_save_leaves_a_temporary_file_the_next_save_removes(tmp_path):
    require_native("start processes")
    path = tmp_path / "m.json"
    pn.save(network(1), path)
    done = subprocess.run([sys.executable, "-c", KILLED_MID_SAVE, str(path)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": ROOT}, capture_output=True, timeout=60)
    assert done.returncode == -9
    assert len(leftovers(tmp_path)) == 1  # what kill -9 leaves
    assert pn.load(path).state_dict() == network(1).state_dict()  # the old file, whole
    pn.save(network(2), path)
    assert leftovers(tmp_path) == []


def test_a_stale_temporary_file_of_another_name_is_left_alone(tmp_path):
    other = tmp_path / f".other.json.{'ab' * 8}.tmp"
    other.write_bytes(b"x")
    pn.save(network(), tmp_path / "m.json")
    assert other.exists()


def test_an_os_error_names_the_path_the_caller_gave(tmp_path, monkeypatch):
    path = tmp_path / "m.json"

    def full(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as caught:
        pn.save(network(), path)
    assert caught.value.filename == str(path) and caught.value.errno == 28
    monkeypatch.undo()
    with pytest.raises(FileNotFoundError) as caught:
        pn.save(network(), tmp_path / "missing" / "m.json")
    assert caught.value.filename == str(tmp_path / "missing" / "m.json")
    assert leftovers(tmp_path) == []


def test_a_pair_is_written_only_when_both_can_be(tmp_path, monkeypatch):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    files.write_all_atomically([(first, b"old a"), (second, b"old b")])
    calls = []
    real_fsync = os.fsync

    def fails_second(descriptor):
        calls.append(descriptor)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fails_second)
    with pytest.raises(OSError):
        files.write_all_atomically([(first, b"new a"), (second, b"new b")])
    assert first.read_bytes() == b"old a" and second.read_bytes() == b"old b"
    assert leftovers(tmp_path) == []


def test_without_locks_saves_work_and_remove_nothing(tmp_path, monkeypatch):
    fcntl = pytest.importorskip("fcntl")

    def unsupported(*args):
        raise OSError(37, "No locks available")  # ENOLCK: some network file systems

    monkeypatch.setattr(fcntl, "flock", unsupported)
    stale = tmp_path / f".m.json.{'cd' * 8}.tmp"
    stale.write_bytes(b"left by a killed save")
    pn.save(network(), tmp_path / "m.json")
    assert pn.load(tmp_path / "m.json").state_dict() == network().state_dict()
    assert stale.exists()  # without locks, no save can tell a killed one from a live one
