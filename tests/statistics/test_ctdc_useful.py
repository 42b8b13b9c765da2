"""The CTDC microdata stays useful: local recoding (Mondrian) instead of withholding columns.

The cases here are drawn like ``manage.py generate_cases`` draws them (one main form of
exploitation, sometimes forced labour too; none to three means of control; seven citizenships;
five countries of exploitation), straight into ``ctdc_release``'s source, so the test needs no
database for 20,000 records. k is checked independently of the engine: every released row must
occur at least k times (a Counter of whole rows, as the CTDC codebook defines the sets).
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opennrm.cases import vocab
from opennrm.statistics import exports
from opennrm.statistics.kanon import MISSING, Column, local_recode

FORMS = (
    ["ForcedLabour"] * 5
    + ["SexualExploitation"] * 4
    + ["ForcedBegging", "ForcedCriminality"]
    + ["ForcedMarriage", "Servitude", "OrganRemoval", "Other"]
)
MEANS = [value for values in exports.MEANS_FLAGS.values() for value in values]
CITIZENSHIPS = ["RS"] * 6 + ["UA", "AF", "RO", "BA", "NP", "VN"]
COUNTRIES = ["RS", "RS", "RS", "DE", "AT", "TR", "AE"]


def generated(count: int, seed: int = 7) -> list[tuple[str, ...]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        year = rng.randrange(2012, 2027)
        born = year - rng.randrange(8, 60) if rng.random() < 0.95 else None
        forms = [rng.choice(FORMS)]
        if rng.random() < 0.1:
            forms.append("ForcedLabour")
        person = exports._person_part(
            year, rng.choice([vocab.Gender.FEMININE, vocab.Gender.MASCULINE]), born, False
        )
        forms_text = json.dumps(sorted(set(forms)))
        means_text = json.dumps(rng.sample(MEANS, rng.randrange(0, 4)))
        place = (rng.choice(CITIZENSHIPS), rng.choice(COUNTRIES))
        forms_part, means_part = exports._forms_part(forms_text), exports._means_part(means_text)
        rows.append((*person, *place, *forms_part, *means_part))
    return rows


def _exploitation(headers: list[str]) -> list[int]:
    return [j for j, name in enumerate(headers) if name.startswith(("is", "typeOf"))]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2_000, 20_000])
def test_the_export_keeps_the_type_of_exploitation_and_means_where_k_allows(count: int) -> None:
    source = generated(count)
    headers, rows, report = exports.ctdc_release(actor=None, source=lambda: iter(source))
    released = list(rows)
    classes = Counter(released)
    assert min(classes.values()) >= 11  # k over all released columns, checked independently
    assert len(released) == report.records_released == count - report.records_suppressed
    exploitation = _exploitation(headers)
    kept = sum(1 for row in released if all(row[j] != MISSING for j in exploitation))
    assert kept / len(released) >= 0.9
    means = [j for j, name in enumerate(headers) if name.startswith("meansOfControl")]
    assert all(any(row[j] != MISSING for row in released) for j in means)
    # No column is withheld from every record, and the report accounts for every value.
    assert report.withheld_columns == []
    for name, loss in report.columns.items():
        assert loss.given + loss.generalised + loss.withheld + loss.not_recorded == count, name
    assert report.columns["isForcedLabour"].shares()["given"] >= 0.9


@pytest.mark.django_db
def test_the_command_states_the_information_loss_per_column(tmp_path) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("export_ctdc", "--out", str(tmp_path / "ctdc.csv"), stdout=out)
    assert "Released values per column (as given / generalised / withheld / not recorded):" in (
        out.getvalue()
    )


def test_the_ctdc_age_follows_the_one_age_rule() -> None:
    # Born 1997, registered 2015: 17 by the year-of-birth convention, a minor in the bracket too.
    year, _source, _gender, age, majority = exports._person_part(
        2015, vocab.Gender.FEMININE, 1997, False
    )
    assert (year, age, majority) == ("2015", "17", "Minor")
    assert exports.ctdc_columns()[3].base(age) == "9--17"


COLUMNS = [
    Column("kind"),
    Column("age", steps=(lambda v: "young" if v in ("a", "b") else "old",)),
    Column("flag"),
]


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["x", "y", "z"]),
            st.sampled_from(["a", "b", "c", "d"]),
            st.sampled_from(["0", "1"]),
        ),
        max_size=300,
    ),
    k=st.integers(min_value=2, max_value=15),
)
def test_every_released_row_occurs_at_least_k_times(rows, k) -> None:
    released, report = local_recode(lambda: iter(rows), COLUMNS, k=k)
    out = list(released)
    if len(rows) < k:
        assert out == []
        assert report.records_suppressed == len(rows)
        return
    assert len(out) == len(rows)  # local recoding suppresses nobody once there are k records
    assert min(Counter(out).values()) >= k
    # A released value is the record's own, its generalisation, or withheld: never another's.
    before, after = Counter(), Counter()
    for row in rows:
        before.update([("kind", row[0]), ("age", row[1]), ("flag", row[2])])
        before[("age", "young" if row[1] in ("a", "b") else "old")] += 1
    for row in out:
        after.update([("kind", row[0]), ("age", row[1]), ("flag", row[2])])
    for (name, value), n in after.items():
        assert value == MISSING or n <= before[(name, value)], (name, value)


def test_a_partition_keeps_what_its_records_share_and_withholds_the_rest() -> None:
    rows = [("x", "a", "1")] * 11 + [("x", "b", "0")] * 11 + [("y", "c", "1")] * 5
    released, report = local_recode(lambda: iter(rows), COLUMNS, k=11)
    # "kind" cannot split (y has 5); "age" can: a and b, with the 5 c joining a.
    assert Counter(released) == {(MISSING, MISSING, "1"): 16, ("x", "b", "0"): 11}
    assert (report.records_suppressed, report.partitions) == (0, 2)
    kind = report.columns["kind"]
    assert (kind.given, kind.generalised, kind.withheld) == (11, 0, 16)
    assert report.columns["flag"].given == 27
