"""One age rule: the age on the event's date, the same in every table (issue 14, finding 2)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opennrm.cases import vocab
from opennrm.statistics import ages
from opennrm.statistics.tables import Period, standard_tables
from tests.statistics.data import make_case


def test_the_age_is_exact_from_the_date_of_birth():
    born = date(1997, 9, 23)
    assert ages.age_at(date(2015, 5, 4), date_of_birth=born) == 17
    assert ages.age_at(date(2015, 9, 22), date_of_birth=born) == 17
    assert ages.age_at(date(2015, 9, 23), date_of_birth=born) == 18
    # 29 February: the birthday is 1 March in other years (not yet on 28 February).
    assert ages.age_at(date(2021, 2, 28), date_of_birth=date(2004, 2, 29)) == 16
    assert ages.age_at(date(2021, 3, 1), date_of_birth=date(2004, 2, 29)) == 17


def test_with_only_the_year_of_birth_the_birthday_is_taken_not_to_have_come_yet():
    assert ages.age_at(date(2015, 5, 4), year_of_birth=1997) == 17
    assert ages.age_at(date(2015, 1, 1), year_of_birth=1997) == 17
    assert ages.age_at(date(2015, 12, 31), year_of_birth=1997) == 17
    assert ages.age_at(date(2015, 12, 31), year_of_birth=None) is None
    # A birth after the event is an error in the record, not a negative age.
    assert ages.age_at(date(2015, 5, 4), year_of_birth=2016) is None
    assert ages.age_at(date(2015, 5, 4), date_of_birth=date(2015, 6, 1)) is None


def test_groups_and_brackets_follow_the_age_and_the_child_flag_only_without_one():
    assert [ages.ctdc_bracket(a) for a in (0, 8, 9, 17, 18, 20, 21, 47, 48, 90)] == [
        "0--8",
        "0--8",
        "9--17",
        "9--17",
        "18--20",
        "18--20",
        "21--23",
        "39--47",
        "48+",
        "48+",
    ]
    assert ages.age_group(17, flagged_child=False) == "child"
    assert ages.age_group(18, flagged_child=True) == "adult"
    assert ages.age_group(None, flagged_child=True) == "child"
    assert ages.age_group(None) == "unknown"
    assert ages.ctdc_bracket(None, flagged_child=True) == "child_unknown"
    assert ages.ctdc_bracket(None) == "unknown"


def _counts(table_id: str, period: Period) -> Counter:
    built = standard_tables()[table_id].build(period)
    t = built.table
    return Counter(
        {
            (r, c): t.cells[i][j]
            for i, r in enumerate(t.row_labels)
            for j, c in enumerate(t.column_labels)
            if t.cells[i][j]
        }
    )


YEAR_2015 = Period(date(2015, 1, 1), date(2015, 12, 31))


def test_the_girl_born_in_1997_referred_in_may_2015_is_a_child_in_both_tables(agencies, personas):
    # The case of the issue: 17 on 2015-05-04, counted in 18–20 by the bracket table before.
    make_case(
        centre=agencies["cptv"],
        caseworker=personas["vesna"],
        year_of_birth=1997,
        is_child=True,
        presumed_on=date(2015, 5, 4),
        identified_on=date(2015, 5, 4),
    )
    for population in ("presumed", "identified"):
        assert _counts(f"{population}_by_ctdc_age", YEAR_2015) == {("9--17", "female"): 1}
        assert _counts(f"{population}_by_age_group", YEAR_2015) == {("child", "female"): 1}


CHILD_ROWS = {"0--8", "9--17", "child_unknown"}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(1940, 2016)),  # year of birth
            st.booleans(),  # the case's child flag
            st.dates(date(2014, 1, 1), date(2016, 12, 31)),  # presumed-victim date
            st.one_of(st.none(), st.dates(date(2014, 1, 1), date(2016, 12, 31))),  # identified
            st.sampled_from([vocab.Gender.FEMININE, vocab.Gender.MASCULINE]),
        ),
        max_size=12,
    ),
    st.sampled_from(
        [
            Period(date(2015, 1, 1), date(2015, 12, 31)),
            Period(date(2015, 3, 1), date(2015, 3, 31)),
            Period(date(2014, 1, 1), date(2016, 12, 31)),
        ]
    ),
)
@pytest.mark.django_db
def test_the_age_group_and_age_bracket_tables_always_agree_on_children(
    agencies, personas, people, period
):
    with transaction.atomic():
        for born, flagged, presumed, identified, gender in people:
            make_case(
                centre=agencies["cptv"],
                caseworker=personas["vesna"],
                gender=gender,
                year_of_birth=born,
                is_child=flagged,
                presumed_on=presumed,
                identified_on=identified,
            )
        for population in ("presumed", "identified"):
            groups = _counts(f"{population}_by_age_group", period)
            brackets = _counts(f"{population}_by_ctdc_age", period)
            for sex in ("female", "male", "other"):
                children = sum(
                    n for (row, s), n in brackets.items() if s == sex and row in CHILD_ROWS
                )
                assert groups[("child", sex)] == children, (population, sex)
                unknown = brackets[("unknown", sex)]
                assert groups[("unknown", sex)] == unknown, (population, sex)
        transaction.set_rollback(True)
