"""The pure column matcher of the completion import (no database)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opennrm.training.importing import default_profession, match_columns, normalise

MODULES = [
    (1, "intro", "Introduction"),
    (2, "law", "Legal standards"),
    (3, "ids", "Identification"),
]


def test_moodle_headers_are_matched_by_title_or_number() -> None:
    columns = [
        normalise("Module 1: Introduction (Completion date)"),
        normalise("Legal standards - completed"),
        normalise("M3"),
        normalise("Last access to course"),
    ]
    assert match_columns(columns, MODULES, {}) == {
        "module_1_introduction_completion_date": "intro",
        "legal_standards_completed": "law",
        "m3": "ids",
    }


def test_a_saved_mapping_wins_over_guessing() -> None:
    assert match_columns(["intro", "quiz"], MODULES, {"quiz": "intro"}) == {"quiz": "intro"}


def test_a_saved_mapping_to_an_unknown_module_is_ignored() -> None:
    assert match_columns(["quiz"], MODULES, {"quiz": "gone"}) == {}


def test_mixed_groups_have_no_default_profession() -> None:
    assert default_profession("law_students") == "law_student"
    assert default_profession("judges_prosecutors") == ""


@given(st.lists(st.text(alphabet="abcdilmnotu_123 ", max_size=20), max_size=12))
def test_no_module_is_ever_taken_by_two_columns(headers: list[str]) -> None:
    columns = [normalise(h) for h in headers]
    mapping = match_columns(columns, MODULES, {})
    assert len(set(mapping.values())) == len(mapping)
    assert set(mapping) <= set(columns)
