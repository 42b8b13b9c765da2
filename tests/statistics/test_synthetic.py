"""The differentially private synthetic dataset: real synthesis (pac-synth), the k rule checked
independently of the filter, the utility report, and the command, API and page that offer it."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import date
from itertools import combinations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opennrm.audit.models import AuditEntry
from opennrm.statistics import exports, synthetic
from opennrm.statistics.synthetic import HEADERS, Utility, k_filter, marginal_errors, release_rows
from tests.conftest import assert_access
from tests.statistics.data import make_case
from tests.statistics.test_ctdc_useful import generated

K = 11


def _true(count: int) -> list[tuple[str, ...]]:
    columns = exports.ctdc_columns()
    names = [c.name for c in columns]
    age = columns[names.index("ageBroad")].base
    rows = []
    for raw in generated(count, seed=3):
        bracket = age(raw[names.index("ageBroad")])
        rows.append(synthetic.from_ctdc(names, raw, "" if bracket == "-99" else bracket))
    return rows


def _rarest_combination(row: tuple[str, ...], masks: dict[tuple[int, str], int]) -> int:
    """Independent of ``k_filter``: the true rows holding each value are a bit mask; a
    combination's count is the population of the masks' intersection. The smallest count over
    the combinations of up to three present values of ``row``."""
    items = [(j, v) for j, v in enumerate(row) if v]
    smallest = None
    for size in (1, 2, 3):
        for combination in combinations(items, size):
            mask = -1
            for item in combination:
                mask &= masks.get(item, 0)
            held = mask.bit_count()
            smallest = held if smallest is None else min(smallest, held)
    return smallest if smallest is not None else K


def test_no_released_row_holds_a_combination_rarer_than_k_in_the_true_data() -> None:
    true = _true(10_000)
    released, utility = release_rows(true, epsilon=4.0, k=K)
    assert utility.records_true == 10_000
    assert 0 < utility.records_released == len(released) <= utility.records_synthesised
    masks: dict[tuple[int, str], int] = {}
    for i, row in enumerate(true):
        for item in enumerate(row):
            masks[item] = masks.get(item, 0) | (1 << i)
    for row in set(released):
        assert _rarest_combination(row, masks) >= K, row
    # The checker itself sees a rare combination: the rarest (year, citizenship, country).
    triples = Counter((row[0], row[3], row[4]) for row in true)
    (year, citizenship, country), rarest = min(triples.items(), key=lambda item: item[1])
    probe = (year, "", "", citizenship, country) + ("",) * (len(HEADERS) - 5)
    assert _rarest_combination(probe, masks) == rarest < K
    # The synthesis keeps the distributions: every single-column share within a few points.
    assert set(utility.one_way) == set(HEADERS)
    assert len(utility.two_way) == len(HEADERS) * (len(HEADERS) - 1) // 2
    # The synthesis follows the data: its marginals are far closer to the true ones than those
    # of rows drawn uniformly from each column's values, which ignore how they are distributed.
    rng = random.Random(5)
    values = [sorted({row[j] for row in true}) for j in range(len(HEADERS))]
    uniform = [tuple(rng.choice(v) for v in values) for _ in range(len(true))]
    baseline = marginal_errors(true, uniform, Utility(epsilon=0.0, k=K))
    assert utility.one_way_mean < baseline.one_way_mean / 2
    assert utility.two_way_mean < baseline.two_way_mean / 2


def test_the_filter_withholds_the_values_of_a_rare_combination() -> None:
    width = len(HEADERS)
    blank = ("",) * (width - 3)
    common = ("2020", "Female", "18--20", *blank)
    rare = ("2020", "Female", "9--17", *blank)
    true = [common] * 12 + [rare] * 10 + [("2021", "Male", "9--17", *blank)] * 5
    # "9--17" alone occurs 15 times, but with 2020 or with Female only 10: it is withheld from
    # the row (it is in both rare pairs), which then holds only common combinations.
    assert k_filter([common, rare], true, k=K) == [common, ("2020", "Female", "", *blank)]
    # A row whose every value is rare is dropped.
    assert k_filter([("1999", "Male", "48+", *blank)], true, k=K) == []


def test_marginal_errors_are_zero_for_the_same_data_and_one_for_disjoint_data() -> None:
    width = len(HEADERS)
    a = [("2020",) + ("x",) * (width - 1)] * 4
    b = [("2021",) + ("y",) * (width - 1)] * 4
    same = marginal_errors(a, a, Utility(epsilon=1.0, k=K))
    assert (same.one_way_max, same.two_way_max) == (0.0, 0.0)
    apart = marginal_errors(a, b, Utility(epsilon=1.0, k=K))
    assert (apart.one_way_mean, apart.two_way_mean) == (1.0, 1.0)


@pytest.fixture
def cases(agencies, personas):
    for _ in range(30):
        make_case(
            centre=agencies["cptv"], caseworker=personas["vesna"], presumed_on=date(2026, 2, 1)
        )
    return agencies


@pytest.fixture
def many(settings, monkeypatch):
    """The 3,000 generated rows as the true data (the synthesis needs more than a few cases)."""
    rows = _true(3_000)
    monkeypatch.setattr(synthetic, "true_rows", lambda: rows)
    return rows


@pytest.mark.django_db
def test_the_api_offers_the_synthetic_dataset_to_coordinators_only(client_for, many) -> None:
    assert_access(client_for, "/api/v1/statistics/synthetic/", allowed=["dragan", "nada", "sanja"])
    response = client_for("dragan").get("/api/v1/statistics/synthetic/", {"epsilon": 50})
    assert response.status_code == 200
    assert response["X-Epsilon"] == "4.0"  # never above the setting
    assert response["X-K"] == "11"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(HEADERS)
    assert len(rows) - 1 == int(response["X-Records-Released"])
    entry = AuditEntry.objects.filter(verb="statistics.export_synthetic").latest("at")
    assert entry.changes["records_released"] == len(rows) - 1


@pytest.mark.django_db
def test_too_few_cases_get_a_clear_refusal_not_a_crash(client_for, cases) -> None:
    response = client_for("dragan").get("/api/v1/statistics/synthetic/")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "There are too few cases (30) for a synthetic dataset: at least 1000 are needed for its "
        "counts to mean anything."
    )
    page = client_for("nada").get("/statistics/synthetic.csv", follow=True).content.decode()
    assert "There are too few cases (30) for a synthetic dataset" in page
    assert "/statistics/synthetic.csv" in page  # back on the CTDC page, with the link
    assert "ε = 4.0" in page
    assert client_for("cedomir").get("/statistics/synthetic.csv").status_code in (302, 403)
    assert not AuditEntry.objects.filter(verb="statistics.export_synthetic").exists()


@pytest.mark.django_db
def test_the_command_writes_the_file_and_its_utility(many, tmp_path) -> None:
    out = io.StringIO()
    call_command("export_synthetic", "--out", str(tmp_path / "s.csv"), stdout=out)
    assert "Marginal errors (total variation distance): 1-way mean" in out.getvalue()
    header = (tmp_path / "s.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(HEADERS)
    with pytest.raises(CommandError, match=r"epsilon must be above 0 and at most 4\.0"):
        call_command("export_synthetic", "--epsilon", "9", "--out", str(tmp_path / "x.csv"))
    assert Counter(e.verb for e in AuditEntry.objects.all())["statistics.export_synthetic"] == 1
