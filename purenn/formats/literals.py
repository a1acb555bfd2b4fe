"""Text that generated Python source embeds, quoted so that nothing in it can become code:
numbers by float's and int's own repr, a repr in a comment with its line breaks escaped, text in
a docstring with its backslashes and quotes escaped.  ``export_python`` writes through these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import DataError

if TYPE_CHECKING:
    from typing import Any, Sequence

__all__ = ["number_literal", "ints_literal", "comment_text", "docstring_text"]


def number_literal(value: Any) -> str:
    """The Python literal of a number, by float's or int's own repr (so that a subclass with a
    __repr__ of its own cannot write code into the file).

    >>> class Sneaky(float):
    ...     def __repr__(self):
    ...         return "__import__('os')"
    >>> number_literal(Sneaky(0.5)), number_literal(3)
    ('0.5', '3')
    """
    if isinstance(value, float):
        return float.__repr__(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__repr__(value)
    raise DataError(f"export_python: {shown(value)} is not a number a file can hold")


def ints_literal(values: Sequence[int]) -> str:
    """A tuple of ints as a literal, each by ``number_literal``.

    >>> ints_literal((1, 28, 28)), ints_literal((3,))
    ('(1, 28, 28)', '(3,)')
    """
    return "(" + ", ".join(map(number_literal, values)) + ("," if len(values) == 1 else "") + ")"


def comment_text(value: Any) -> str:
    """``repr(value)`` made safe for the rest of a # comment: every line break and other
    control character escaped, so nothing after it can start a line of code.

    >>> class Odd:
    ...     def __repr__(self):
    ...         return "x" + chr(10) + "import os"
    >>> comment_text(Odd()) == "x" + chr(92) + "n" + "import os"  # a backslash and an n
    True
    """
    text = repr(value)
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def docstring_text(text: str) -> str:
    """``text`` escaped for the inside of a triple-quoted docstring: backslashes doubled and
    every double quote escaped, so the docstring reads back as ``text`` and nothing in it can
    end it.

    >>> quote = chr(34)
    >>> text = f"name{quote * 3}; import os"
    >>> eval(quote * 3 + docstring_text(text) + quote * 3) == text
    True
    """
    return text.replace("\\", "\\\\").replace('"', '\\"')
