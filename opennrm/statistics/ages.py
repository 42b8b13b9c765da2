"""The one age rule of the platform's figures: the age at the date of the event counted.

Every table, export and report that shows an age, an age group or an age bracket takes it from
here, so a person is a child in one table exactly when she is a child in every other.

The rule
--------
* With the **date of birth**: the age in completed years on the event's date (a person born
  1997-09-23 is 17 on 2015-05-04 and 18 from 2015-09-23).
* With only the **year of birth** (the convention, stated on the statistics explanation page):
  the year of the event minus the year of birth, minus one — the birthday is taken not to have
  come yet in the year of the event. A person born in 1997 counts as 17 throughout 2015. That is
  the youngest age the person can have (on any day but 31 December), the presumption of minority
  of the Council of Europe Convention (Art. 10(3)): when the age is uncertain and the person may
  be a child, she is treated as one. It also keeps one age per calendar year, so a case has the
  same age in every table of a one-year release.
* With neither: the age is not recorded. The age group then follows the case's *child* flag
  (set by the caseworker when the age is uncertain but the person looks a child), so a child
  whose age nobody knows is still counted as a child, in its own row of the bracket table.

The statistics tables are counted in SQL and the date of birth is encrypted at rest, so the
database cannot read it: :func:`age_expression` is the same rule over the clear year of birth,
and :func:`age_at` is what Python code (exports, reports) calls; a test holds the two equal.
"""

from __future__ import annotations

from datetime import date
from typing import Any

ADULT_AGE = 18

CHILD = "child"
ADULT = "adult"
UNKNOWN = "unknown"
# A child (by the case's flag) whose age is not recorded: a row of the bracket table, so that
# the children of the bracket table are exactly those of the age-group table.
CHILD_AGE_UNKNOWN = "child_unknown"

# CTDC age brackets (lowest age, highest age, label), as the CTDC global dataset publishes them.
CTDC_AGE_BRACKETS: tuple[tuple[int, int, str], ...] = (
    (0, 8, "0--8"),
    (9, 17, "9--17"),
    (18, 20, "18--20"),
    (21, 23, "21--23"),
    (24, 26, "24--26"),
    (27, 29, "27--29"),
    (30, 38, "30--38"),
    (39, 47, "39--47"),
    (48, 200, "48+"),
)


def age_at(
    event: date, *, date_of_birth: date | None = None, year_of_birth: int | None = None
) -> int | None:
    """The age on ``event``: exact from the date of birth; from the year of birth alone, the
    year of the event minus the year of birth minus one; None when neither is known. A birth
    after the event gives None (an error in the record, not a negative age)."""
    if date_of_birth is not None:
        before_birthday = (event.month, event.day) < (date_of_birth.month, date_of_birth.day)
        age = event.year - date_of_birth.year - int(before_birthday)
    elif year_of_birth is not None:
        age = event.year - year_of_birth - 1
    else:
        return None
    return age if age >= 0 else None


def age_group(age: int | None, *, flagged_child: bool = False) -> str:
    """``child`` / ``adult`` by the age; with no age, ``child`` when the case is flagged as a
    child's, else ``unknown``."""
    if age is None:
        return CHILD if flagged_child else UNKNOWN
    return CHILD if age < ADULT_AGE else ADULT


def ctdc_bracket(age: int | None, *, flagged_child: bool = False) -> str:
    """The CTDC bracket of ``age``; with no age, ``child_unknown`` for a flagged child, else
    ``unknown``."""
    if age is None:
        return CHILD_AGE_UNKNOWN if flagged_child else UNKNOWN
    for _low, high, label in CTDC_AGE_BRACKETS:
        if age <= high:
            return label
    return CTDC_AGE_BRACKETS[-1][2]


# --- the same rule as ORM expressions, for tables counted in the database ----------------------


def age_expression(event: Any, year_of_birth: str) -> Any:
    """The age on the date expression ``event`` from the field path ``year_of_birth``, by the
    rule of :func:`age_at` without a date of birth (NULL when the year is not recorded; a birth
    after the event is not filtered here, see :func:`age_group_expression`)."""
    from django.db.models import F, IntegerField, Value
    from django.db.models.functions import Cast, ExtractYear

    # PostgreSQL's EXTRACT gives a numeric, and the age brackets test the age up to a dozen
    # times a row: integer arithmetic makes the one-year scan of the cases ~10 % faster.
    return Cast(ExtractYear(event), IntegerField()) - F(year_of_birth) - Value(1)


def _missing(age: str) -> Any:
    from django.db.models import Q

    return Q(**{f"{age}__isnull": True}) | Q(**{f"{age}__lt": 0})


def age_group_expression(age: str, flagged_child: str) -> Any:
    """:func:`age_group` over the annotation ``age`` and the boolean field ``flagged_child``."""
    from django.db.models import Case as Switch
    from django.db.models import CharField, Q, Value, When

    return Switch(
        When(_missing(age), **{flagged_child: True}, then=Value(CHILD)),
        When(_missing(age), then=Value(UNKNOWN)),
        When(Q(**{f"{age}__lt": ADULT_AGE}), then=Value(CHILD)),
        default=Value(ADULT),
        output_field=CharField(),
    )


def ctdc_bracket_expression(age: str, flagged_child: str) -> Any:
    """:func:`ctdc_bracket` over the annotation ``age`` and the boolean field ``flagged_child``."""
    from django.db.models import Case as Switch
    from django.db.models import CharField, Q, Value, When

    whens = [
        When(_missing(age), **{flagged_child: True}, then=Value(CHILD_AGE_UNKNOWN)),
        When(_missing(age), then=Value(UNKNOWN)),
    ]
    # Brackets are tested in ascending order, so "age <= high" picks the right one.
    for _low, high, label in CTDC_AGE_BRACKETS[:-1]:
        whens.append(When(Q(**{f"{age}__lte": high}), then=Value(label)))
    return Switch(*whens, default=Value(CTDC_AGE_BRACKETS[-1][2]), output_field=CharField())
