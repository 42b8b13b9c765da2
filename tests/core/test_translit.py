from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

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
