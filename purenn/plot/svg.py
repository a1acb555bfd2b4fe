"""SVG as text, with the standard library: escaping, numbers, elements, and a drawing.

Every picture of ``purenn.plot`` is built from the functions here.  An element is a string; a
``Drawing`` collects elements and ``Drawing.finish`` returns the whole document, writing it to a
file when given a path.  Documents are self-contained: no scripts, no external images, no web
fonts (text names common installed families and falls back to the generic sans-serif), so they
open the same way in any browser.  Coordinates are rounded to two decimals, which is finer than
a pixel and keeps the files small.

Not a general SVG library: only the few elements the pictures need, and no parsing.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ConfigurationError

if TYPE_CHECKING:
    from typing import Mapping, Union

    Attribute = Union[str, float, int]
    PathArgument = Union[str, "os.PathLike[str]", None]

__all__ = [
    "FONT_FAMILY",
    "escape",
    "number",
    "element",
    "text",
    "text_width",
    "Drawing",
]

FONT_FAMILY = "DejaVu Sans, Helvetica, Arial, sans-serif"


# Characters XML 1.0 forbids even when escaped (C0 controls other than tab, newline and carriage
# return, lone surrogates, U+FFFE and U+FFFF): a title holding one would make the file unreadable.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# "&" first, so the references made after it are not escaped again.
_REFERENCES = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\t", "&#9;"),
    ("\n", "&#10;"),
    ("\r", "&#13;"),
)


def escape(value: str) -> str:
    """``value`` made safe inside XML text and double-quoted attributes.

    & < > " become entities; tab, newline and carriage return become character references (a
    parser would otherwise turn them into spaces in attributes, and "\\r" into "\\n" anywhere);
    characters XML cannot hold at all become U+FFFD (�).

    >>> escape('loss < 1 & "val" > 0')
    'loss &lt; 1 &amp; &quot;val&quot; &gt; 0'
    """
    value = _FORBIDDEN.sub("\ufffd", value)
    for character, reference in _REFERENCES:
        value = value.replace(character, reference)
    return value


def number(value: float, decimals: int = 2) -> str:
    """A coordinate as SVG text: rounded to ``decimals`` places, without trailing zeros or "-0".

    >>> number(12.3456), number(12.3456, 1), number(3.0), number(-0.001)
    ('12.35', '12.3', '3', '0')
    """
    formatted = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if formatted in ("-0", "") else formatted


def _attribute_text(value: Attribute) -> str:
    if isinstance(value, str):
        return escape(value)
    return number(value)


def _attributes(attributes: Mapping[str, Attribute]) -> str:
    return "".join(f' {name}="{_attribute_text(value)}"' for name, value in attributes.items())


def element(tag: str, attributes: Mapping[str, Attribute], content: str = "") -> str:
    """``<tag a="v" …>content</tag>``, or ``<tag … />`` when there is no content.

    Numbers are formatted by ``number`` and strings escaped; ``content`` is inserted as it is
    (other elements, or text already escaped: see ``text``).

    >>> element("circle", {"cx": 1.005, "cy": 2, "r": 3, "fill": "#fff"})
    '<circle cx="1" cy="2" r="3" fill="#fff"/>'
    """
    pairs = _attributes(attributes)
    if not content:
        return f"<{tag}{pairs}/>"
    return f"<{tag}{pairs}>{content}</{tag}>"


def text(
    x: float,
    y: float,
    content: str,
    attributes: Mapping[str, Attribute] | None = None,
    superscript: str = "",
) -> str:
    """A ``<text>`` element at (x, y) holding ``content`` escaped, and ``superscript`` raised
    and smaller after it (as in 10⁻⁵), in a ``<tspan>``.

    >>> text(5, 10, "a < b", {"font-size": 12})
    '<text x="5" y="10" font-size="12">a &lt; b</text>'
    >>> text(0, 0, "10", superscript="-5")
    '<text x="0" y="0">10<tspan dy="-0.5em" font-size="75%">-5</tspan></text>'
    """
    body = escape(content)
    if superscript:
        body += element("tspan", {"dy": "-0.5em", "font-size": "75%"}, escape(superscript))
    return element("text", {"x": x, "y": y, **(attributes or {})}, body)


def text_width(content: str, font_size: float) -> float:
    """An estimate of the width of ``content`` in pixels: 0.6·font_size per character.

    Layouts reserve room for labels with it; 0.6 em is a little wider than the average
    character of common sans-serif fonts, so estimates err on the side of room.

    >>> text_width("epoch", 10)
    30.0
    """
    return 0.6 * font_size * len(content)


class Drawing:
    """An SVG document of ``width`` × ``height`` pixels on a white background, built by ``add``.

    ``title`` becomes the document's ``<title>`` (what a browser tab shows).  ``finish`` returns
    the text and writes it when given a path.

    >>> drawing = Drawing(120, 80, "demo")
    >>> drawing.add(element("circle", {"cx": 60, "cy": 40, "r": 20}))
    >>> drawing.finish().startswith('<svg xmlns="http://www.w3.org/2000/svg" width="120"')
    True
    """

    def __init__(self, width: float, height: float, title: str) -> None:
        self.width = width
        self.height = height
        self.title = title
        self.elements: list[str] = []

    def add(self, *elements: str) -> None:
        """Append elements, drawn after (on top of) those already added."""
        self.elements.extend(elements)

    def to_text(self) -> str:
        """The document: one element per line, white background first.

        >>> Drawing(10, 10, "demo").to_text().startswith('<svg xmlns="http://www.w3.org/2000/svg"')
        True
        """
        root = _attributes(
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "width": self.width,
                "height": self.height,
                "viewBox": f"0 0 {number(self.width)} {number(self.height)}",
                "font-family": FONT_FAMILY,
                "font-size": 12,
            }
        )
        background = element(
            "rect", {"width": self.width, "height": self.height, "fill": "#ffffff"}
        )
        heading = element("title", {}, escape(self.title))
        return "\n".join([f"<svg{root}>", heading, background, *self.elements, "</svg>\n"])

    def finish(self, path: PathArgument = None, where: str = "Drawing.finish") -> str:
        """The document's text; also written to ``path`` (UTF-8) unless path is None.

        A path that is not a str or os.PathLike raises ConfigurationError naming ``where``.
        """
        document = self.to_text()
        if path is None:
            return document
        if not isinstance(path, (str, os.PathLike)):
            raise ConfigurationError(
                f"{where}: path must be a str, an os.PathLike or None, got {shown(path)}"
            )
        with open(path, "w", encoding="utf-8", newline="\n") as file:
            file.write(document)
        return document
