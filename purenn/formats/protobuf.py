"""Protocol Buffers' wire format, the writing half, as far as ONNX files need it.

A message is a sequence of fields.  Each field is a key, the varint of
``field_number << 3 | wire_type``, followed by its value:

    wire type 0  varint    an integer in 7-bit groups, least significant first, the high bit
                           set on every byte but the last (300 → ac 02); a negative int64 is
                           taken modulo 2⁶⁴ first, so it always takes ten bytes
    wire type 2  length-delimited   varint(length) and the bytes: strings (UTF-8), bytes,
                           embedded messages, packed repeated numbers

A repeated field is its key and value written once per item; fields may come in any order.
A message is the concatenation of its fields, so embedding one message in another is a
length-delimited field holding its bytes.  The fixed-width wire types (1: 64-bit, 5: 32-bit,
little-endian) are not needed: purenn writes tensors as raw bytes and no float attribute.
"""

__all__ = ["varint", "key", "integer", "length_delimited", "text"]

VARINT = 0
LENGTH_DELIMITED = 2


def varint(value: int) -> bytes:
    """The varint encoding of an int64 (negative values as their two's complement).

    >>> varint(1), varint(300), varint(-1).hex()
    (b'\\x01', b'\\xac\\x02', 'ffffffffffffffffff01')
    """
    value &= (1 << 64) - 1
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def key(field: int, wire_type: int) -> bytes:
    """The key of a field: varint(field << 3 | wire_type).

    >>> key(1, VARINT), key(2, LENGTH_DELIMITED)
    (b'\\x08', b'\\x12')
    """
    return varint(field << 3 | wire_type)


def integer(field: int, value: int) -> bytes:
    """An int32, int64, enum or bool field.

    >>> integer(1, 150).hex()
    '089601'
    """
    return key(field, VARINT) + varint(value)


def length_delimited(field: int, data: bytes) -> bytes:
    """A bytes field, an embedded message or a packed repeated field.

    >>> length_delimited(3, integer(1, 150)).hex()
    '1a03089601'
    """
    return key(field, LENGTH_DELIMITED) + varint(len(data)) + data


def text(field: int, value: str) -> bytes:
    """A string field, UTF-8.

    >>> text(2, "testing").hex()
    '120774657374696e67'
    """
    return length_delimited(field, value.encode("utf-8"))
