from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from opennrm.core import translit
from opennrm.core.translit import fold, to_latin


def test_cyrillic_is_transliterated_letter_by_letter() -> None:
    assert to_latin("Ђорђевић, Љубица Његовановић, Џаја") == "Đorđević, Ljubica Njegovanović, Džaja"


def test_digraphs_follow_the_case_of_the_word() -> None:
    assert to_latin("ЉУБА") == "LJUBA"
    assert to_latin("Љуба") == "Ljuba"
    assert to_latin("ЏЕП") == "DŽEP"


def test_latin_and_other_characters_pass_through() -> None:
    assert to_latin("OpenNRM 2026 – %(count)d") == "OpenNRM 2026 – %(count)d"


def test_names_fold_to_one_key_across_scripts_and_diacritics() -> None:
    keys = {
        fold(name) for name in ("Đorđević", "Djordjevic", "ĐORĐEVIĆ", "Ђорђевић", "  djordjević ")
    }
    assert keys == {"djordjevic"}


def test_folding_drops_punctuation_and_collapses_spaces() -> None:
    assert fold("Marija-Ana   O'Brien") == "marija ana o brien"


@given(st.text())
def test_placeholders_survive_transliteration(text: str) -> None:
    marked = f"%(name)s {text} %(count)d"
    result = to_latin(marked)
    assert result.startswith("%(name)s ")
    assert result.endswith(" %(count)d")


@given(st.text(alphabet=st.characters(min_codepoint=0x0400, max_codepoint=0x045F)))
def test_transliterated_serbian_has_no_cyrillic_letters_left(text: str) -> None:
    serbian = "".join(
        ch for ch in text if ch in "АБВГДЂЕЖЗИЈКЛЉМНЊОПРСТЋУФХЦЧЏШабвгдђежзијклљмнњопрстћуфхцчџш"
    )
    assert not any("\u0400" <= ch <= "\u04ff" for ch in to_latin(serbian))


# The straightforward definition of ``fold`` (before it was made fast): transliterate, lower,
# replace the special letters, decompose, drop combining marks, keep runs of 0-9a-z. The fast
# version must give the same key for every text, or stored blind indexes would stop matching.
_SPECIAL = {"đ": "dj", "ð": "d", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "ı": "i"}


def reference_fold(text: str) -> str:
    lowered = to_latin(text).lower()
    for special, replacement in _SPECIAL.items():
        lowered = lowered.replace(special, replacement)
    decomposed = unicodedata.normalize("NFKD", lowered)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(part for part in re.split(r"[^0-9a-z]+", stripped) if part)


@given(st.text())
def test_fold_matches_its_definition_for_any_text(text: str) -> None:
    assert fold(text) == reference_fold(text)


@given(st.text(alphabet="ЉЊЏљњџЂђĐđŽžČčĆćŠšAaZz09 -|.'ßæøœłıİΣσς\u0301\u030c\u00a0\t"))
def test_fold_matches_its_definition_for_names_in_both_scripts(text: str) -> None:
    assert fold(text) == reference_fold(text)


def test_every_character_folds_as_defined() -> None:
    for codepoint in range(0x3000):
        char = chr(codepoint)
        for text in (char, f"a{char}b", f"Љ{char}"):
            assert fold(text) == reference_fold(text), hex(codepoint)


def test_folding_is_the_same_once_the_character_cache_is_full() -> None:
    text = "Ђорђевић Ǆ ½ Ωmega"
    before = fold(text)
    cache = translit._FOLDED
    saved = dict(cache)
    try:
        cache.clear()
        cache.update({chr(0x10000 + n): "x" for n in range(cache.LIMIT)})
        assert fold(text) == before == reference_fold(text)
        assert len(cache) == cache.LIMIT  # nothing more was stored
    finally:
        cache.clear()
        cache.update(saved)
