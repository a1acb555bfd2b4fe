"""NumPy's .npy and .npz formats, written and read with the standard library only.

An .npy file (format version 1.0, as ``numpy.save`` writes float64 arrays; int64 likewise,
'<i8', for a count)::

    bytes 0–5    b"\\x93NUMPY"                     the magic string
    bytes 6–7    1, 0                             format version 1.0
    bytes 8–9    H, uint16 little-endian          the header's length
    H bytes      "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }"
                 ASCII, padded with spaces and ended by "\\n" so that 10 + H is a multiple of
                 64 (the data then starts aligned)
    8·n bytes    the n values, float64 little-endian ('<f8'), in row-major (C) order

An .npz file is a zip archive holding NAME.npy for each array; ``numpy.load(path)[NAME]`` reads
it back.  Members are stored uncompressed with a fixed date, so the same arrays give the same
bytes.

Reading accepts every float array numpy writes, and int64 ones: format versions 1.0, 2.0
(uint32 header length) and 3.0 (UTF-8 header); descr '<f8', '>f8', '<f4' or '>f4' (float32
widens to float64 exactly), '<i8' or '>i8' (int64, read as ints: PyTorch's count of
BatchNorm's batches); C or Fortran order; stored or deflated members
(``numpy.savez_compressed``).  It never unpickles: object arrays are refused.  An array is
(shape, values in C order).
"""

from __future__ import annotations

import ast
import io
import itertools
import math
import struct
import zipfile
import zlib
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ModelFormatError
from purenn.formats.checks import expect_flag, expect_keys, expect_text, fail

if TYPE_CHECKING:
    from typing import Any, Callable, List, Sequence, Tuple

    Array = Tuple[Tuple[int, ...], List[float]]
    Shape = Tuple[int, ...]
    Header = Tuple[Shape, str, bool, int, zipfile.ZipInfo]

__all__ = ["npy_bytes", "parse_npy", "read_header", "npz_bytes", "parse_npz"]


MAGIC = b"\x93NUMPY"
ALIGNMENT = 64
# descr → (struct byte order, struct format, bytes per value)
DESCRIPTIONS = {"<f8": ("<", "d", 8), ">f8": (">", "d", 8), "<f4": ("<", "f", 4),
                ">f4": (">", "f", 4), "<i8": ("<", "q", 8), ">i8": (">", "q", 8)}
# Each member's date in the archive: the zip format's earliest, so output does not vary.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
# The longest header read: numpy's own limit (numpy.lib.format's max_header_size), far above
# the ~120 bytes numpy writes, and small enough that no header can cost time or memory.
MAX_HEADER = 10000
# Bytes before the header: magic, version, and the header's length (4 bytes from version 2).
PREAMBLE = 12


def npy_bytes(shape: Sequence[int], values: Sequence[float]) -> bytes:
    """The .npy file of an array of ``shape`` holding ``values`` in C order: float64, or
    int64 when every value is a Python int (a count, such as BatchNorm's batches).

    >>> data = npy_bytes((2,), [1.0, -0.5])
    >>> data[10:70].decode().rstrip(), len(data)
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 144)
    >>> npy_bytes((), [3])[10:66].decode().rstrip()
    "{'descr': '<i8', 'fortran_order': False, 'shape': (), }"
    """
    integers = bool(values) and all(type(value) is int for value in values)
    descr, code = ("<i8", "q") if integers else ("<f8", "d")
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {tuple(shape)!r}, }}"
    padding = -(len(MAGIC) + 4 + len(header) + 1) % ALIGNMENT
    text = (header + " " * padding + "\n").encode("ascii")
    return MAGIC + bytes([1, 0]) + struct.pack("<H", len(text)) + text + struct.pack(
        f"<{len(values)}{code}", *values
    )


def _header(data: bytes, label: str, where: str) -> tuple[dict[str, Any], int]:
    """(the header dict, where the data starts), for format versions 1, 2 and 3."""
    if data[: len(MAGIC)] != MAGIC or len(data) < 10:
        fail(where, f"{label} is not a .npy array (no \\x93NUMPY at its start)")
    major = data[6]
    if major not in (1, 2, 3):
        fail(where, f"{label} is in .npy format version {major}.{data[7]}; purenn reads 1 to 3")
    size_format, start = ("<H", 10) if major == 1 else ("<I", 12)
    if len(data) < start:
        fail(where, f"{label} is truncated in its header")
    (length,) = struct.unpack(size_format, data[start - struct.calcsize(size_format): start])
    if length > MAX_HEADER or len(data) < start + length:
        fail(where, f"{label}'s header is {length} bytes long; numpy writes at most "
                    f"{MAX_HEADER}, and this file holds {max(len(data) - start, 0)} after the size")
    try:
        text = data[start: start + length].decode("latin-1" if major < 3 else "utf-8")
        header = ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        # TypeError: a literal that cannot be built, such as {[]: 1} (a list as a key)
        fail(where, f"{label} has a damaged header")
    return header, start + length


def _c_order(values: list[float], shape: tuple[int, ...]) -> list[float]:
    """Values stored in Fortran order (first index fastest) rearranged into C order."""
    if len(shape) < 2 or not values:
        return values  # (an empty array's sizes may be huge: never make ranges of them)
    strides = [1]
    for size in shape[:-1]:
        strides.append(strides[-1] * size)
    return [
        values[sum(i * stride for i, stride in zip(index, strides))]
        for index in itertools.product(*(range(size) for size in shape))
    ]


def parse_npy(data: bytes, label: str, where: str) -> Array:
    """(shape, values in C order) of an .npy file's bytes; ModelFormatError naming ``label``
    for anything that is not a float array numpy could have written.

    >>> parse_npy(npy_bytes((1, 2), [3.0, 4.0]), "w", "import_npz")
    ((1, 2), [3.0, 4.0])
    """
    shape, descr, fortran, start = read_header(data, label, where)
    order, code, width = DESCRIPTIONS[descr]
    count = math.prod(shape)
    if len(data) - start != count * width:
        fail(where, f"{label} should hold {count} values ({count * width} bytes) after its "
                    f"header but has {len(data) - start} bytes")
    values = list(struct.unpack(f"{order}{count}{code}", data[start:]))
    return shape, _c_order(values, shape) if fortran else values


def read_header(data: bytes, label: str, where: str) -> tuple[tuple[int, ...], str, bool, int]:
    """(shape, descr, fortran_order, where the values start) from the start of an .npy file
    (its first PREAMBLE + MAX_HEADER bytes are enough); ModelFormatError naming ``label``.

    >>> read_header(npy_bytes((1, 2), [3.0, 4.0]), "w", "import_npz")
    ((1, 2), '<f8', False, 128)
    """
    header, start = _header(data, label, where)
    expect_keys(header, ["descr", "fortran_order", "shape"], f"{label}'s header", where)
    descr = expect_text(header["descr"], f"{label}'s descr", where)
    if descr not in DESCRIPTIONS:
        fail(where, f"{label} holds {shown(descr, 20)} values; purenn reads float64, float32 and "
                    "int64 only")
    fortran = expect_flag(header["fortran_order"], f"{label}'s fortran_order", where)
    shape = header["shape"]
    if not isinstance(shape, tuple) or not all(
        type(size) is int and size >= 0 for size in shape
    ):
        fail(where, f"{label} has a damaged shape {shown(shape, 40)}")
    return shape, descr, fortran, start


def npz_bytes(arrays: dict[str, Array]) -> bytes:
    """The .npz archive of ``arrays`` (name → (shape, values)), one NAME.npy per array.

    >>> import io, zipfile
    >>> zipfile.ZipFile(io.BytesIO(npz_bytes({"b": ((1,), [0.5])}))).namelist()
    ['b.npy']
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, (shape, values) in arrays.items():
            member = zipfile.ZipInfo(f"{name}.npy", date_time=FIXED_DATE)
            member.external_attr = 0o644 << 16  # an ordinary file, readable by all
            archive.writestr(member, npy_bytes(shape, values))
    return buffer.getvalue()


def parse_npz(
    data: bytes, where: str, check: Callable[[dict[str, Shape]], None] | None = None
) -> dict[str, Array]:
    """name → (shape, values) of every array in an .npz archive's bytes; ModelFormatError for
    a damaged archive, a member that is not NAME.npy, or an array purenn cannot read.

    ``check``, when given, sees name → shape from every member's header before any member's
    values are read: it raises to refuse the archive, so names and shapes are compared before
    anything is decompressed, and a member is then read only up to the size its header gives
    (a compressed member that would unpack to gigabytes never does).

    >>> parse_npz(npz_bytes({"w": ((2, 1), [1.0, 2.0])}), "import_npz")
    {'w': ((2, 1), [1.0, 2.0])}
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        headers = {name: _member_header(archive, member, where)
                   for name, member in _members(archive, where).items()}
        if check is not None:
            check({name: header[0] for name, header in headers.items()})
        return {name: _member_array(archive, name, header, where)
                for name, header in headers.items()}
    except ModelFormatError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError,
            ValueError, struct.error, OverflowError) as error:
        fail(where, f"not an .npz archive, or a damaged one ({shown(str(error))})")


def _members(archive: zipfile.ZipFile, where: str) -> dict[str, zipfile.ZipInfo]:
    """Array name → its member, every member checked to be NAME.npy, stored or deflated."""
    members = {}
    for member in archive.infolist():
        name = member.filename
        if not name.endswith(".npy"):
            fail(where, f"the archive holds {shown(name)}, which is not an .npy array")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            fail(where, f"{name} is compressed in a way numpy does not write")
        members[name[: -len(".npy")]] = member
    return members


def _member_header(archive: zipfile.ZipFile, member: zipfile.ZipInfo, where: str) -> Header:
    """(shape, descr, fortran_order, start, member) of one member, reading only its start."""
    with archive.open(member) as stream:
        start = stream.read(PREAMBLE + MAX_HEADER)
    shape, descr, fortran, offset = read_header(start, member.filename, where)
    count = math.prod(shape)
    size = count * DESCRIPTIONS[descr][2]
    if member.file_size != offset + size:  # the archive's directory says what it unpacks to
        fail(where, f"{member.filename} should hold {count} values ({size} bytes) after its "
                    f"header but has {member.file_size - offset} bytes")
    return shape, descr, fortran, offset, member


def _member_array(archive: zipfile.ZipFile, name: str, header: Header, where: str) -> Array:
    """(shape, values) of one member whose header was read and whose size was checked:
    zipfile unpacks no more than that size."""
    member = header[4]
    with archive.open(member) as stream:
        data = stream.read(member.file_size)
    return parse_npy(data, member.filename, where)
