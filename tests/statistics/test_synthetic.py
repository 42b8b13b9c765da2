"""The differentially private synthetic dataset: real synthesis (pac-synth), the k rule checked
independently of the filter, the utility report, and the command, API and page that offer it."""

from __future__ import annotations

import csv
import io
import os
import random
from collections import Counter
from datetime import date, timedelta
from itertools import combinations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from opennrm.audit.models import AuditEntry
from opennrm.statistics import exports, services, synthetic
from opennrm.statistics.models import LOST_AFTER, SyntheticDataset
from opennrm.statistics.synthetic import HEADERS, Utility, k_filter, marginal_errors, release_rows
from tests.conftest import assert_access
from tests.statistics.data import make_case
from tests.statistics.test_ctdc_useful import generated

K = 11


def synthetic_true_rows(count: int) -> list[tuple[str, ...]]:
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
    true = synthetic_true_rows(10_000)
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


def _share_of_both(rows: list[tuple[str, ...]], a: str, b: str) -> float:
    i, j = HEADERS.index(a), HEADERS.index(b)
    return sum(1 for row in rows if row[i] and row[j]) / len(rows)


def test_the_synthesis_learns_which_flags_go_together_and_which_do_not() -> None:
    """pac-synth counts present values only: with one attribute per flag it never saw a row
    *without* a flag, and on these rows it gave forced labour and sexual exploitation together
    to 19 % of the released rows where 2.6 % of the true ones hold both (that pair's total
    variation distance 0.38-0.41). The flags are synthesised as patterns, so each pair's joint
    follows the data."""
    true = synthetic_true_rows(10_000)
    released, utility = release_rows(true, epsilon=4.0, k=K)
    for pair in (("isForcedLabour", "isSexualExploit"), ("isForcedLabour", "isOtherExploit")):
        assert utility.two_way[" × ".join(pair)] < 0.1, pair
        assert abs(_share_of_both(released, *pair) - _share_of_both(true, *pair)) < 0.05, pair
    means = [name for name in HEADERS if name.startswith("means")]
    for pair in combinations(means, 2):
        assert utility.two_way[" × ".join(pair)] < 0.15, pair


def test_the_synthesis_keeps_what_was_not_recorded_and_makes_up_no_gaps() -> None:
    """An empty value is "absent" to pac-synth, which reproduces combinations of present values
    only. On these rows (every sex and place recorded, 5 % of ages not) it left values out where
    the data has them (10-12 % of the rows had no sex, no place, or nothing at all); on the
    benchmark's cases it all but never gave a recorded sex an unrecorded age (46 rows in 50,000
    against 1,676). "Not recorded" is now a value of its own for the synthesizer (empty again in
    the file). Measured before the k rule, which withholds values of its own."""
    true = synthetic_true_rows(10_000)
    synthesised = synthetic.synthesise(true, epsilon=4.0)

    def gaps(row: tuple[str, ...]) -> tuple[bool, ...]:
        return tuple(not value for value in row[:5])

    seen = {gaps(row) for row in true}
    made_up = sum(1 for row in synthesised if gaps(row) not in seen) / len(synthesised)
    assert made_up < 0.03
    sex, age = HEADERS.index("gender"), HEADERS.index("ageBroad")

    def share(rows: list[tuple[str, ...]]) -> float:
        return sum(1 for row in rows if row[sex] and not row[age]) / len(rows)

    assert share(true) > 0.03
    assert abs(share(synthesised) - share(true)) < 0.02


def test_each_means_of_control_flag_keeps_its_share() -> None:
    """With the eight means-of-control flags as one pattern (245 of its 256 values occur), the
    rare patterns fell under the synthesizer's noise and each flag's share drifted: on these
    10,000 rows the worst means column's 1-way error was 0.037-0.039 and the mean 2-way error
    0.033-0.039 in four runs (now 0.006-0.013 and 0.011-0.013). As two patterns of four, every
    pattern is common."""
    true = synthetic_true_rows(10_000)
    synthesised = synthetic.synthesise(true, epsilon=4.0)
    utility = marginal_errors(true, synthesised, Utility(epsilon=4.0, k=K))
    means = [name for name in HEADERS if name.startswith("means")]
    assert len(means) == 8
    worst = max(utility.one_way[name] for name in means)
    assert worst < 0.025, {name: round(utility.one_way[name], 4) for name in means}
    assert utility.two_way_mean < 0.022


@given(
    st.tuples(*(st.sampled_from(["", "2020", "Female", "UKR"]) for _ in range(5))),
    st.lists(st.sampled_from(["", "1"]), min_size=11, max_size=11),
)
def test_packing_a_row_for_the_synthesizer_keeps_every_value(person, flags) -> None:
    row = (*person, *flags)
    assert len(row) == len(HEADERS)
    packed = synthetic.pack(row)
    assert len(packed) == len(synthetic.PACKED_HEADERS) == 8
    assert all(packed)  # every attribute present: "not recorded" and "no flag" are values too
    # Each pattern has few values, so that the synthesizer sees every one often.
    assert [len(value) for value in packed[5:]] == [4, 4, 3]
    assert synthetic.unpack(packed) == row
    # A pattern the synthesizer left absent reads as no flag, never as a made-up one.
    assert synthetic.unpack((*person, "", "", "")) == (*person, *[""] * 11)


_SYNTHESISE_PART = synthetic._synthesise_part


def _part_with_a_marker(task: tuple[int, float, int]) -> list[tuple[str, ...]]:
    """The worker's job, with a first row saying which part it synthesised, of how many records,
    in which process (module level: the pool sends the function to its workers by name)."""
    part = synthetic._PARTS[task[0]]
    marker = ("part", str(task[0]), str(len(part)), str(os.getpid()), "", "0000", "0000", "000")
    return [marker, *_SYNTHESISE_PART(task)]


def test_a_large_dataset_is_synthesised_in_random_parts_in_worker_processes(monkeypatch) -> None:
    true = synthetic_true_rows(6_000)
    monkeypatch.setattr(synthetic, "_synthesise_part", _part_with_a_marker)
    calls: list[tuple[int, int]] = []
    rows = synthetic.synthesise(
        true,
        epsilon=4.0,
        part_size=2_500,
        processes=2,
        progress=lambda done, parts: calls.append((done, parts)),
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert synthetic._PARTS == []  # nothing kept in the parent
    markers = [row for row in rows if row[0] == "part"]
    assert sorted(int(m[1]) for m in markers) == [0, 1, 2]
    assert sum(int(m[2]) for m in markers) == 6_000  # every record in exactly one part
    assert str(os.getpid()) not in {m[3] for m in markers}  # synthesised in the workers
    rows = [row for row in rows if row[0] != "part"]
    assert abs(len(rows) - 6_000) < 300  # each part's noisy count, three times
    assert all(len(row) == len(HEADERS) for row in rows)
    assert {v for row in rows for v in row[5:]} <= {"", "1"}
    utility = marginal_errors(true, rows, Utility(epsilon=4.0, k=K))
    assert utility.one_way_mean < 0.1  # parts of 2,000 are noisier than the whole


def test_each_record_is_dealt_to_its_part_alone() -> None:
    """Parallel composition needs two neighbouring datasets to differ in one part by one record:
    a record more leaves every other record in its part (for the same generator), every record is
    in exactly one part, and each part gets about its share."""
    import numpy as np

    before = synthetic.deal(10_000, 4, np.random.default_rng(7))
    after = synthetic.deal(10_001, 4, np.random.default_rng(7))
    assert sorted(i for part in before for i in part) == list(range(10_000))
    changed = [i for i in range(4) if before[i] != after[i]]
    assert len(changed) == 1
    assert after[changed[0]] == [*before[changed[0]], 10_000]
    assert all(2_300 < len(part) < 2_700 for part in before)


def _naive_counts(rows: list[tuple[str, ...]]) -> Counter[tuple[tuple[int, str], ...]]:
    counts: Counter[tuple[tuple[int, str], ...]] = Counter()
    for row in rows:
        items = [(j, v) for j, v in enumerate(row) if v]
        for size in (1, 2, 3):
            counts.update(combinations(items, size))
    return counts


_ROWS = st.lists(
    st.tuples(*(st.sampled_from(["", "a", "b", "c"]) for _ in range(len(HEADERS)))),
    min_size=1,
    max_size=40,
)


@given(_ROWS, _ROWS, st.booleans())
def test_combination_counts_agree_with_counting_row_by_row(true, probes, sparse) -> None:
    """The numpy counting (joint-code tables, or sorted keys past the table limit) gives every
    combination's count, and flags exactly the rows holding one rarer than k."""
    counts = synthetic.CombinationCounts(true, 3)
    if sparse:
        counts.TABLE_LIMIT = 1
    naive = _naive_counts(true)
    for combination, n in naive.items():
        assert counts.count(combination) == n
    assert counts.count(((0, "zzz"),)) == 0  # a value never seen
    for k in (1, 2, 3):
        expected = [
            any(
                naive[c] < k
                for size in (1, 2, 3)
                for c in combinations([(j, v) for j, v in enumerate(row) if v], size)
            )
            for row in probes
        ]
        assert counts.rare(probes, k) == expected


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
    rows = synthetic_true_rows(3_000)
    monkeypatch.setattr(synthetic, "true_rows", lambda: rows)
    monkeypatch.setattr(synthetic, "case_count", lambda: len(rows))
    return rows


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.django_db
def test_the_api_makes_the_synthetic_dataset_in_the_background(
    client_for, many, django_capture_on_commit_callbacks
) -> None:
    """Asked for, the dataset is queued and answered at once (202); the worker makes it after
    the commit; its status then gives the utility and the address of a CSV whose headers state
    ε, k and the errors. Coordinators only, at every step."""
    assert_access(
        client_for,
        "/api/v1/statistics/synthetic/",
        allowed=["dragan", "nada", "sanja"],
        method="post",
        ok_statuses=(202,),
    )
    SyntheticDataset.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for("dragan").post("/api/v1/statistics/synthetic/?epsilon=50")
    assert response.status_code == 202
    queued = response.json()
    assert (queued["status"], queued["epsilon"], queued["k"]) == ("queued", 4.0, 11)  # ε capped
    assert queued["download_url"] is None
    requested = AuditEntry.objects.filter(verb="statistics.synthetic.request")
    assert requested.latest("at").target_id == str(queued["id"])
    assert not AuditEntry.objects.filter(verb="statistics.export_synthetic").exists()
    # Asked again while it waits: the same dataset, not a second synthesis.
    again = client_for("nada").post("/api/v1/statistics/synthetic/")
    assert again.json()["id"] == queued["id"]
    assert requested.filter(target_id=str(queued["id"])).count() == 1
    for callback in callbacks:
        callback()  # the worker (the tests' tasks backend runs the task at once)
    status = client_for("sanja").get(f"/api/v1/statistics/synthetic/{queued['id']}").json()
    assert (status["status"], status["progress"]) == ("done", 100)
    assert status["records_true"] == len(many)
    assert 0 <= status["one_way_mean"] <= status["two_way_mean"] < 0.5
    assert client_for("cedomir").get(status["download_url"]).status_code == 403
    download = client_for("dragan").get(status["download_url"])
    assert download.status_code == 200
    assert download["X-Epsilon"] == "4.0"
    assert download["X-K"] == "11"
    rows = _csv_rows(download)
    assert rows[0] == list(HEADERS)
    assert len(rows) - 1 == status["records_released"] == int(download["X-Records-Released"])
    entry = AuditEntry.objects.filter(verb="statistics.export_synthetic").latest("at")
    assert entry.changes["records_released"] == len(rows) - 1
    assert AuditEntry.objects.filter(verb="statistics.synthetic.download").count() == 1


@pytest.mark.django_db
def test_the_page_follows_the_dataset_and_offers_it_when_made(
    client_for, many, django_capture_on_commit_callbacks
) -> None:
    client = client_for("nada")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/statistics/synthetic/")
    dataset = SyntheticDataset.objects.get()
    assert response["Location"] == f"/statistics/synthetic/{dataset.pk}/"
    # The tests' tasks backend ran the worker after the request's commit.
    dataset.refresh_from_db()
    page = client.get(response["Location"]).content.decode()
    assert f"/statistics/synthetic/{dataset.pk}/csv" in page
    assert f"{dataset.records_released} rows from 3000 cases" in page
    assert "hx-trigger" not in page  # made: no more polling
    ctdc = client.get("/statistics/ctdc/").content.decode()
    assert f"/statistics/synthetic/{dataset.pk}/csv" in ctdc
    assert "Datasets kept: the newest 3. When a new one is made, older ones are removed." in ctdc
    download = client.get(f"/statistics/synthetic/{dataset.pk}/csv")
    assert _csv_rows(download)[0] == list(HEADERS)


@pytest.mark.django_db
def test_a_dataset_being_made_is_polled_and_a_failure_is_shown(
    client_for, many, monkeypatch
) -> None:
    def fail(*args, **kwargs):
        raise RuntimeError("synthesizer crashed")

    client = client_for("dragan")
    queued = SyntheticDataset.objects.create(epsilon=4.0, k=11, requested_by=dataset_user())
    page = client.get(f"/statistics/synthetic/{queued.pk}/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert client.get(f"/statistics/synthetic/{queued.pk}/csv").status_code == 404  # not made
    monkeypatch.setattr(synthetic, "release_rows", fail)
    with pytest.raises(RuntimeError):
        services.synthetic_make(dataset_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == "failed"
    shown = client.get(f"/statistics/synthetic/{queued.pk}/").content.decode()
    assert "The synthetic dataset could not be made. Try again" in shown
    assert "synthesizer crashed" not in shown  # a crash's internals stay in the worker's log
    # A failed dataset holds nothing back: the next request makes a new one.
    assert services.synthetic_request(actor=dataset_user()).pk != queued.pk


@pytest.mark.django_db
def test_superseded_datasets_are_removed_when_a_new_one_is_made(
    client_for, many, settings, django_capture_on_commit_callbacks
) -> None:
    """Each made dataset is a file of every case: the worker keeps the newest
    OPENNRM_SYNTHETIC_KEEP, and removes the older ones and the failures and lost requests before
    them (records at once, files after the commit), in one audited entry. A request still within
    its time is never removed."""
    settings.OPENNRM_SYNTHETIC_KEEP = 2
    user = dataset_user()
    failed = SyntheticDataset.objects.create(epsilon=4.0, k=11, requested_by=user, status="failed")
    # Asked for seven hours ago, no progress since (the worker stopped while making it): lost.
    lost = SyntheticDataset.objects.create(epsilon=4.0, k=11, requested_by=user, status="running")
    SyntheticDataset.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - LOST_AFTER - timedelta(hours=1),
        updated_at=timezone.now() - LOST_AFTER - timedelta(hours=1),
    )
    waiting = SyntheticDataset.objects.create(epsilon=4.0, k=11, requested_by=user)
    made = []
    for _ in range(3):
        queued = SyntheticDataset.objects.create(epsilon=4.0, k=11, requested_by=user)
        with django_capture_on_commit_callbacks(execute=True):
            made.append(services.synthetic_make(dataset_id=queued.pk))
    storage = SyntheticDataset._meta.get_field("file").storage
    first, *newest = made
    assert all(dataset.status == "done" for dataset in made)
    assert set(SyntheticDataset.objects.values_list("pk", flat=True)) == {
        waiting.pk,
        *(d.pk for d in newest),
    }
    assert not storage.exists(first.file.name)
    assert all(storage.exists(dataset.file.name) for dataset in newest)
    # The failure went with the first dataset made after it; the first dataset with the third.
    entries = AuditEntry.objects.filter(verb="statistics.synthetic.prune").order_by("at")
    assert [entry.changes for entry in entries] == [
        {"removed": [failed.pk, lost.pk], "kept": [first.pk]},
        {"removed": [first.pk], "kept": [newest[1].pk, newest[0].pk]},
    ]
    assert all(entry.actor is None for entry in entries)
    client = client_for("dragan")
    assert client.get(f"/statistics/synthetic/{first.pk}/csv").status_code == 404
    assert client.get(f"/statistics/synthetic/{newest[0].pk}/csv").status_code == 200


def dataset_user():
    from opennrm.accounts.models import User

    return User.objects.get(username="dragan")


@pytest.mark.django_db
def test_too_few_cases_get_a_clear_refusal_not_a_crash(client_for, cases) -> None:
    response = client_for("dragan").post("/api/v1/statistics/synthetic/")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "There are too few cases (30) for a synthetic dataset: at least 1000 are needed for its "
        "counts to mean anything."
    )
    page = client_for("nada").post("/statistics/synthetic/", follow=True).content.decode()
    assert "There are too few cases (30) for a synthetic dataset" in page
    assert "/statistics/synthetic/" in page  # back on the CTDC page, with the button
    assert "ε = 4.0" in page
    assert client_for("cedomir").post("/statistics/synthetic/").status_code in (302, 403)
    assert not SyntheticDataset.objects.exists()
    assert not AuditEntry.objects.filter(verb="statistics.export_synthetic").exists()


@pytest.mark.django_db
def test_the_command_writes_the_file_and_its_utility(many, tmp_path) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_synthetic", "--out", str(tmp_path / "s.csv"), stdout=out, stderr=err)
    assert "Marginal errors (total variation distance): 1-way mean" in out.getvalue()
    assert "synthesised part 1 of 1 (" in err.getvalue()  # progress, one part of 3,000 records
    header = (tmp_path / "s.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(HEADERS)
    with pytest.raises(CommandError, match=r"epsilon must be above 0 and at most 4\.0"):
        call_command("export_synthetic", "--epsilon", "9", "--out", str(tmp_path / "x.csv"))
    assert Counter(e.verb for e in AuditEntry.objects.all())["statistics.export_synthetic"] == 1
