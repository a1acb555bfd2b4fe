"""Names as a data set: a file of one name a line (makemore's ``names.txt``, 32,033 names, is
the one microgpt trains on; purenn does not ship it, so pass its path), a character tokenizer
with microgpt's BOS, and made-up names for tests and demos without the file."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from purenn.arguments import check_int, shown
from purenn.errors import DataError

if TYPE_CHECKING:
    from typing import Sequence

__all__ = ["read_names", "Tokenizer", "made_up_names"]


def read_names(path: str) -> list[str]:
    """The non-empty lines of the text file ``path``, stripped, in file order (microgpt's
    ``[line.strip() for line in open(path) if line.strip()]``).

    Raises DataError naming the file when it cannot be read or holds no name.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            names = [line.strip() for line in handle if line.strip()]
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"read_names: cannot read {shown(path)}: {error}") from None
    if not names:
        raise DataError(f"read_names: {shown(path)} holds no names")
    return names


class Tokenizer:
    """microgpt's tokenizer: the distinct characters of the documents, sorted, are the ids
    0 … n − 1, and BOS = n marks a sequence's beginning and end; vocab_size = n + 1.

    >>> tokenizer = Tokenizer(["emma", "ava"])
    >>> tokenizer.chars, tokenizer.bos, tokenizer.encode("ava")
    (['a', 'e', 'm', 'v'], 4, [4, 0, 3, 0, 4])
    >>> tokenizer.decode([0, 3, 0])
    'ava'
    """

    def __init__(self, documents: Sequence[str]) -> None:
        self.chars = sorted(set("".join(documents)))
        self.bos = len(self.chars)
        self.vocab_size = self.bos + 1
        self._ids = {char: index for index, char in enumerate(self.chars)}

    def encode(self, document: str) -> list[int]:
        """[BOS, ids of the characters…, BOS]; DataError for a character it does not know."""
        try:
            return [self.bos, *(self._ids[char] for char in document), self.bos]
        except KeyError as error:
            raise DataError(
                f"Tokenizer.encode: {shown(error.args[0])} is not among its characters"
            ) from None

    def decode(self, ids: Sequence[int]) -> str:
        """The characters of ``ids``, BOS left out."""
        return "".join(self.chars[token] for token in ids if token != self.bos)


_ONSETS = ["", "b", "d", "j", "k", "l", "m", "n", "r", "s", "t", "v", "z", "br", "ch", "sh"]
_VOWELS = ["a", "e", "i", "o", "u", "ia", "ie", "ay", "ee"]
_CODAS = ["", "", "n", "l", "r", "s", "h", "lyn", "nna", "x"]


def made_up_names(count: int, seed: int = 0) -> list[str]:
    """``count`` made-up lowercase names of two or three syllables, from ``random.Random(seed)``:
    data with a name's structure, for tests and demos when names.txt is not at hand.

    >>> made_up_names(3, seed=1) == made_up_names(3, seed=1)
    True
    """
    rng = random.Random(seed)
    names = []
    for _ in range(check_int(count, "count", "made_up_names", 1)):
        syllables = rng.choice((2, 2, 3))
        body = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))
        names.append((body + rng.choice(_CODAS))[:15])
    return names
