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
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Ђ": "Đ", "Е": "E", "Ж": "Ž", "З": "Z",
    "И": "I", "Ј": "J", "К": "K", "Л": "L", "Љ": "Lj", "М": "M", "Н": "N", "Њ": "Nj", "О": "O",
    "П": "P", "Р": "R", "С": "S", "Т": "T", "Ћ": "Ć", "У": "U", "Ф": "F", "Х": "H", "Ц": "C",
    "Ч": "Č", "Џ": "Dž", "Ш": "Š",
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "е": "e", "ж": "ž", "з": "z",
    "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "č", "џ": "dž", "ш": "š",
}  # fmt: skip
_DIGRAPH_UPPER = {"Lj": "LJ", "Nj": "NJ", "Dž": "DŽ"}
_WORD_CAPS = re.compile(r"[ЉЊЏ](?=[А-ЯЂЈЉЊЋЏ])")
# Letters whose Latin form is not a base letter plus a combining mark.
_FOLD_SPECIAL = {"đ": "dj", "ð": "d", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "ı": "i"}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def to_latin(text: str) -> str:
    """Transliterate Serbian Cyrillic to Serbian Latin; other characters pass through.

    A digraph letter followed by another capital (``ЉУБА``) is written in capitals (``LJUBA``),
    while a title-case one (``Љуба``) stays ``Ljuba``.
    """
    out: list[str] = []
    for index, char in enumerate(text):
        latin = _CYR_TO_LAT.get(char)
        if latin is None:
            out.append(char)
            continue
        if latin in _DIGRAPH_UPPER and _WORD_CAPS.match(text, index):
            latin = _DIGRAPH_UPPER[latin]
        out.append(latin)
    return "".join(out)


def fold(text: str) -> str:
    """A name key: Latin script, lower case, no diacritics, single spaces, no punctuation."""
    lowered = to_latin(text).lower()
    for special, replacement in _FOLD_SPECIAL.items():
        lowered = lowered.replace(special, replacement)
    decomposed = unicodedata.normalize("NFKD", lowered)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(part for part in _NON_ALNUM.split(stripped) if part)
