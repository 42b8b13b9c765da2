"""Pure rules of the completion-report import (no Django): which column holds which module.

An e-learning platform (Moodle's "course completion" report, for instance) writes one column per
module, headed by the module's name and often its number ("Module 3: Victims' rights (Completion
date)"). A column is matched, in order of trust, by the mapping saved for the course, by the
module's code, by the module's title contained in the header, or by "module N" = position N.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

IDENTITY_COLUMNS = ("first_name", "last_name", "email", "profession", "sex")

_NUMBERED = re.compile(r"^(?:module|modul|m|lesson|unit)_?(\d{1,2})(?:_|$)")

# The profession a new learner gets when the file does not say, where the cohort's target group
# leaves no doubt; mixed groups (judges and prosecutors) need the column.
_DEFAULT_PROFESSION = {
    "law_students": "law_student",
    "labour_inspectors": "labour_inspector",
    "shelter_staff": "shelter_staff",
    "educators": "educator",
}


@dataclass
class ImportResult:
    rows: int = 0
    learners_created: int = 0
    enrolled: int = 0
    completions_added: int = 0
    completed_course: int = 0


def normalise(text: str) -> str:
    """The same normalisation as the tabular reader applies to headers."""
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lower()).strip("_")


def default_profession(target_group: str) -> str:
    return _DEFAULT_PROFESSION.get(target_group, "")


def match_columns(
    columns: Sequence[str],
    modules: Sequence[tuple[int, str, str]],
    saved: Mapping[str, str],
) -> dict[str, str]:
    """Map normalised column names to module codes; each module is taken by one column at most.

    ``modules`` are ``(position, code, title)``; ``saved`` is the course's stored mapping.
    Columns that match no module (last access, grade, course total) are left out.
    """
    codes = {code for _position, code, _title in modules}
    by_code = {normalise(code): code for _position, code, _title in modules}
    by_title = [(normalise(title), code) for _position, code, title in modules if title.strip()]
    by_position = {position: code for position, code, _title in modules}
    mapping: dict[str, str] = {}
    taken: set[str] = set()

    def take(column: str, code: str | None) -> None:
        if code and code in codes and code not in taken:
            mapping[column] = code
            taken.add(code)

    for column in columns:
        take(column, saved.get(column))
    for column in columns:
        if column in mapping:
            continue
        if column in by_code:
            take(column, by_code[column])
            continue
        title_match = next((code for title, code in by_title if title and title in column), None)
        if title_match:
            take(column, title_match)
            continue
        numbered = _NUMBERED.match(column)
        if numbered:
            take(column, by_position.get(int(numbered.group(1))))
    return mapping
