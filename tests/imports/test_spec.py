"""The import spec contract (no database)."""

from __future__ import annotations

from django.utils.translation import override

from opennrm.imports.spec import Choices, Column, Vocabulary, match_key

GENDER = Choices(
    name="test.gender",
    labels=[("Feminine", "Feminine"), ("Masculine", "Masculine")],
    synonyms={"Ž": "Feminine", "ženski": "Feminine", "M": "Masculine"},
)


def test_choices_match_codes_labels_and_synonyms_ignoring_case_and_punctuation() -> None:
    assert GENDER.match("feminine") == "Feminine"
    assert GENDER.match(" ž ") == "Feminine"
    assert GENDER.match("ŽENSKI") == "Feminine"
    assert GENDER.match("m.") == "Masculine"
    assert GENDER.match("женско") is None
    assert GENDER.match("") is None


def test_choices_is_a_vocabulary_and_lists_its_codes_in_order() -> None:
    assert isinstance(GENDER, Vocabulary)
    with override("en"):
        assert GENDER.choices() == [("Feminine", "Feminine"), ("Masculine", "Masculine")]


def test_match_key_keeps_cyrillic_letters() -> None:
    assert match_key("Е-пошта") == "епошта"
    assert match_key("vic_TraffickingStatus") == "victraffickingstatus"


def test_a_column_is_recognised_by_its_key_label_and_aliases() -> None:
    column = Column(key="first_name", label="First name", aliases=("Име", "Ime"))
    assert column.headers() == ["first_name", "First name", "Име", "Ime"]


def test_choices_match_a_label_in_any_of_the_platforms_languages(db) -> None:
    from opennrm.training.models import Profession

    professions = Choices(name="test.profession", labels=list(Profession.choices))
    with override("en"):
        assert professions.match("Судија") == "judge"
        assert professions.match("sudija") == "judge"
        assert professions.match("Judge") == "judge"
