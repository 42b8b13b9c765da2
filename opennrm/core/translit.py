"""Serbian Cyrillic → Latin transliteration and name folding (pure, no Django).

Cyrillic → Latin is deterministic (one letter or digraph per letter), which is why ``sr`` is the
master catalogue and ``sr-latn`` is generated from it. Latin → Cyrillic is not (``nj`` may be
``н``+``ј``), so nothing here goes that way. ``fold`` reduces a name to a script- and
diacritic-free key so "Đorđević", "Djordjevic" and "Ђорђевић" all become ``djordjevic``.
"""

from __future__ import annotations

import re
import unicodedata

_CYR_TO_LAT = {
    "А": "A",
    "Б": "B",
    "В": "V",
    "Г": "G",
    "Д": "D",
    "Ђ": "Đ",
    "Е": "E",
    "Ж": "Ž",
    "З": "Z",
    "И": "I",
    "Ј": "J",
    "К": "K",
    "Л": "L",
    "Љ": "Lj",
    "М": "M",
    "Н": "N",
    "Њ": "Nj",
    "О": "O",
    "П": "P",
    "Р": "R",
    "С": "S",
    "Т": "T",
    "Ћ": "Ć",
    "У": "U",
    "Ф": "F",
    "Х": "H",
    "Ц": "C",
    "Ч": "Č",
    "Џ": "Dž",
    "Ш": "Š",
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "ђ": "đ",
    "е": "e",
    "ж": "ž",
    "з": "z",
    "и": "i",
    "ј": "j",
    "к": "k",
    "л": "l",
    "љ": "lj",
    "м": "m",
    "н": "n",
    "њ": "nj",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "ћ": "ć",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "c",
    "ч": "č",
    "џ": "dž",
    "ш": "š",
}
_LATIN = str.maketrans(_CYR_TO_LAT)
# A digraph letter followed by another capital is written in capitals (ЉУБА → LJUBA).
_WORD_CAPS = re.compile(r"[ЉЊЏ](?=[А-ЯЂЈЉЊЋЏ])")
_DIGRAPH_CAPS = {"Љ": "LJ", "Њ": "NJ", "Џ": "DŽ"}
# Letters whose Latin form is not a base letter plus a combining mark.
_FOLD_SPECIAL = {"đ": "dj", "ð": "d", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "ı": "i"}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# ASCII bytes folded: A-Z lowered, 0-9a-z kept, anything else a space.
_ASCII_FOLD = bytes(
    ord(chr(c).lower()) if chr(c).lower() in "0123456789abcdefghijklmnopqrstuvwxyz" else 32
    for c in range(256)
)


class _FoldedChars(dict[str, str]):
    """Each character's folded form, computed on first use: Latin, lower case, decomposed
    (NFKD), combining marks dropped, anything but ``0-9a-z`` a space. Folding is character by
    character (the case of a digraph, the only context ``to_latin`` uses, is lowered anyway), so
    a name folds with one dictionary look-up per character. Bounded: a text of unusual
    characters cannot grow it without limit."""

    LIMIT = 8192

    def __missing__(self, char: str) -> str:
        lowered = _CYR_TO_LAT.get(char, char).lower()
        for special, replacement in _FOLD_SPECIAL.items():
            lowered = lowered.replace(special, replacement)
        decomposed = unicodedata.normalize("NFKD", lowered)
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        folded = _NON_ALNUM.sub(" ", stripped)
        if len(self) < self.LIMIT:
            self[char] = folded
        return folded


_FOLDED = _FoldedChars()


def to_latin(text: str) -> str:
    """Transliterate Serbian Cyrillic to Serbian Latin; other characters pass through.

    A digraph letter followed by another capital (``ЉУБА``) is written in capitals (``LJUBA``),
    while a title-case one (``Љуба``) stays ``Ljuba``. One ``str.translate`` pass (plus one
    substitution for the capital digraphs) rather than a loop per character: the import folds
    every name of a 100,000-row file.
    """
    if text.isascii():
        return text
    return _WORD_CAPS.sub(lambda m: _DIGRAPH_CAPS[m.group()], text).translate(_LATIN)


def fold(text: str) -> str:
    """A name key: Latin script, lower case, no diacritics, single spaces, no punctuation.

    ASCII text (most keys, and every value already folded once, such as the name key that the
    blind index folds again) needs only lower case and spaces; other text maps each character
    through ``_FOLDED``. The import folds every name of a 100,000-row file several times.
    """
    if text.isascii():
        return b" ".join(text.encode("ascii").translate(_ASCII_FOLD).split()).decode("ascii")
    return " ".join("".join(map(_FOLDED.__getitem__, text)).split())
