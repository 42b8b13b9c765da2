"""Statistics benchmark: the full set of standard tables with disclosure control, side by side
with hand-written SQL computing the same aggregates on the same database, then the CTDC export.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opnrm_stats_bench \
        .venv/bin/python bench/statistics_generate.py 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opnrm_stats_bench \
        .venv/bin/python bench/statistics_bench.py

Each round runs the application path (``selectors.statistics_release``: on PostgreSQL one
``GROUPING SETS`` query per victim population for its eight breakdowns, the reflection-period
table counted in the presumed victims' scan, one query for each other table, assembly,
restricted-profile suppression with linked margins) and the hand-written SQL
(the same 21 aggregates as the per-table ``GROUP BY`` queries an analyst would write, rows
fetched) one after the other; the medians of the rounds are compared. The
CTDC export runs ``manage.py export_ctdc --k 11`` in a child process whose peak RSS is read from
``wait4``; the file is then read back to check that every group of identical rows has at least 11
members; then ``manage.py export_synthetic`` the same way. The hand-written SQL is timed twice:
per table (21 queries) and at its best (each victim population's eight breakdowns in one
``GROUPING SETS`` query, 7 queries). After the command's CTDC export, the same file as the
background worker makes it (``services.ctdc_make`` in a ``manage.py shell`` process: recoding,
temporary file, the file and its report kept; removed afterwards). Options: ``--skip-year``,
``--skip-decade``, ``--skip-ctdc``, ``--skip-ctdc-worker``, ``--skip-synthetic``;
``BENCH_ROUNDS`` (default 5).
"""

from __future__ import annotations

import csv
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opennrm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from opennrm.accounts.models import User  # noqa: E402
from opennrm.statistics import published, selectors  # noqa: E402
from opennrm.statistics.disclosure import Profile  # noqa: E402
from opennrm.statistics.tables import Period  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SEX = "CASE p.gender WHEN 'Feminine' THEN 'female' WHEN 'Masculine' THEN 'male' ELSE 'other' END"
AGE_GROUP = "CASE WHEN c.is_child THEN 'child' ELSE 'adult' END"


REFERRAL_JOIN = (
    "LEFT JOIN cases_referral r ON r.case_id = c.id "
    "LEFT JOIN accounts_agency a ON a.id = r.from_agency_id"
)
# Per victim population: its FROM … WHERE (``{join}`` for the referral join), its eight row
# expressions and its count; filled by ``hand_written_sql``.
POPULATIONS: list[tuple[str, list[str], str]] = []


def _ctdc_age(day: str) -> str:
    brackets = [(8, "0--8"), (17, "9--17"), (20, "18--20"), (23, "21--23"), (26, "24--26")]
    brackets += [(29, "27--29"), (38, "30--38"), (47, "39--47")]
    whens = " ".join(
        f"WHEN extract(year FROM {day}) - p.year_of_birth <= {high} THEN '{label}'"
        for high, label in brackets
    )
    return f"CASE WHEN p.year_of_birth IS NULL THEN 'unknown' {whens} ELSE '48+' END"


def hand_written_sql() -> list[str]:
    """The 21 aggregates as an analyst would write them (%s, %s = period start and end)."""
    form = (
        "CASE WHEN jsonb_array_length(c.forms_of_exploitation) > 1 THEN 'multiple' "
        "ELSE coalesce(c.forms_of_exploitation->>0, 'unknown') END"
    )
    nationality = (
        "CASE WHEN p.citizenship->>0 = 'RS' THEN 'national' "
        "WHEN p.citizenship->>0 IS NULL THEN 'unknown' ELSE 'foreign' END"
    )
    populations = {
        "presumed": (
            "FROM cases_case c JOIN cases_person p ON p.id = c.person_id {join} "
            "WHERE c.presumed_victim_date BETWEEN %s AND %s",
            "c.presumed_victim_date",
            "count(*)",
        ),
        "identified": (
            "FROM cases_identificationdecision d JOIN cases_case c ON c.id = d.case_id "
            "JOIN cases_person p ON p.id = c.person_id {join} "
            "WHERE d.outcome = 'identified' AND d.decided_on BETWEEN %s AND %s",
            "d.decided_on",
            "count(DISTINCT d.case_id)",
        ),
    }
    referral_join = REFERRAL_JOIN
    queries = []
    POPULATIONS.clear()
    for source, day, count in populations.values():
        rows = {
            "year": (f"extract(year FROM {day})", ""),
            "age_group": (AGE_GROUP, ""),
            "ctdc_age": (_ctdc_age(day), ""),
            "form": (form, ""),
            "nationality": (nationality, ""),
            "country": ("coalesce(p.citizenship->>0, 'unknown')", ""),
            "agency_type": ("coalesce(a.type, 'unknown')", referral_join),
            "scope": ("c.trafficking_scope", ""),
        }
        POPULATIONS.append((source, [row for row, _join in rows.values()], count))
        for row, join in rows.values():
            queries.append(f"SELECT {row}, {SEX}, {count} {source.format(join=join)} GROUP BY 1, 2")
    local = "AT TIME ZONE 'Europe/Belgrade'"
    queries += [
        f"SELECT {AGE_GROUP}, {SEX}, count(*) FROM cases_case c "
        "JOIN cases_person p ON p.id = c.person_id "
        "WHERE c.reflection_period_start BETWEEN %s AND %s GROUP BY 1, 2",
        f"SELECT rp.permit_type, {SEX}, count(DISTINCT rp.case_id) FROM cases_residencepermit rp "
        "JOIN cases_case c ON c.id = rp.case_id JOIN cases_person p ON p.id = c.person_id "
        "WHERE rp.granted_on BETWEEN %s AND %s GROUP BY 1, 2",
        f"SELECT s.service_type, {SEX}, count(DISTINCT s.case_id) FROM cases_servicerequest s "
        "JOIN cases_case c ON c.id = s.case_id JOIN cases_person p ON p.id = c.person_id "
        f"WHERE (s.requested_at {local})::date BETWEEN %s AND %s "
        "AND s.status IN ('accepted', 'in_progress', 'completed') GROUP BY 1, 2",
        "SELECT a.type, r.status, count(*) FROM cases_referral r "
        "JOIN accounts_agency a ON a.id = r.from_agency_id "
        f"WHERE (r.sent_at {local})::date BETWEEN %s AND %s GROUP BY 1, 2",
        "SELECT a.type, CASE WHEN s.outcome = '' THEN 'unknown' ELSE s.outcome END, count(*) "
        "FROM screening_screening s JOIN accounts_agency a ON a.id = s.agency_id "
        "WHERE s.status = 'submitted' AND s.screened_on BETWEEN %s AND %s GROUP BY 1, 2",
    ]
    return queries


def grouping_sets_sql() -> list[str]:
    """The best hand-written SQL: the eight breakdowns of each victim population in one
    ``GROUPING SETS`` query (as the application counts them on PostgreSQL, without the record
    keys and without disclosure control), and the other five tables as above."""
    queries = []
    for source, rows, count in POPULATIONS:
        columns = ", ".join(f"{row} AS d{i}" for i, row in enumerate(rows))
        distinct = "DISTINCT" in count
        sets = ", ".join(f"(d{i}, sex)" for i in range(len(rows)))
        queries.append(
            f"SELECT {', '.join(f'd{i}' for i in range(len(rows)))}, sex, "
            f"{'count(DISTINCT counted)' if distinct else 'count(*)'} "
            f"FROM (SELECT {columns}, {SEX} AS sex, {'c.id' if distinct else 'NULL'} AS counted "
            f"{source.format(join=REFERRAL_JOIN)}) AS rows GROUP BY GROUPING SETS ({sets})"
        )
    return queries + hand_written_sql()[16:]


def run_sql(queries: list[str], period: Period) -> int:
    rows = 0
    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(sql, [period.start, period.end])
            rows += len(cursor.fetchall())
    return rows


def run_app(actor: User, period: Period) -> int:
    # Restricted (cell-key method) is released for a calendar year at most; a longer period is
    # an official release (exact, audited), the same counting and key sums without perturbation.
    year = period.start.year == period.end.year
    profile = Profile.RESTRICTED if year else Profile.OFFICIAL
    # Counted now, not read from the tables the pages keep (``statistics.published``).
    with published.afresh():
        release = selectors.statistics_release(actor=actor, period=period, profile=profile)
    return sum(t.protected.withheld for t in release)


def compare(actor: User, period: Period, label: str) -> None:
    print(f"{label}: {ROUNDS} rounds…", flush=True)
    queries = hand_written_sql()
    assert len(queries) == 21
    grouped = grouping_sets_sql()  # after hand_written_sql (POPULATIONS)
    assert len(grouped) == 7
    started = time.perf_counter()
    run_app(actor, period)
    print(
        f"{label}: first release {time.perf_counter() - started:.3f} s "
        "(counts the months not yet kept, statistics.cube)",
        flush=True,
    )
    run_sql(queries, period)  # warm the caches for all three
    run_sql(grouped, period)
    app, sql, best = [], [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        suppressed = run_app(actor, period)
        app.append(time.perf_counter() - started)
        started = time.perf_counter()
        run_sql(queries, period)
        sql.append(time.perf_counter() - started)
        started = time.perf_counter()
        run_sql(grouped, period)
        best.append(time.perf_counter() - started)
    a, s, b = statistics.median(app), statistics.median(sql), statistics.median(best)
    print(
        f"{label}: application (21 tables + disclosure control) median {a:.3f} s "
        f"(min {min(app):.3f}); per-table SQL median {s:.3f} s (min {min(sql):.3f}), "
        f"ratio {a / s:.2f}; GROUPING SETS SQL median {b:.3f} s (min {min(best):.3f}), "
        f"ratio {a / b:.2f}; {suppressed} figures withheld",
        flush=True,
    )


def _tree_pss_mb(pid: int) -> float:
    """Memory of a process and its descendants now (MB): the sum of their proportional set sizes
    (PSS, from /proc/PID/smaps_rollup), so that pages a forked worker shares with its parent
    count once, not once per process as summed RSS would."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
            with open(f"/proc/{current}/task/{current}/children") as handle:
                pending.extend(int(child) for child in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total / 1024


def child(*args: str, log: Path | None = None) -> tuple[float, float, float]:
    """Run ``manage.py *args``, its output kept quiet (or written to ``log``): wall time (s),
    peak RSS of its largest process (MB, from ``wait4``) and peak memory of it and its worker
    processes together (MB, PSS sampled every second)."""
    started = time.perf_counter()
    output = log.open("w", encoding="utf-8") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**os.environ, "DEBUG": "1"},
        stdout=output,
    )
    peak_tree = 0.0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        peak_tree = max(peak_tree, _tree_pss_mb(process.pid))
        time.sleep(1.0)
    elapsed = time.perf_counter() - started
    if log:
        output.close()
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"manage.py {' '.join(args)} failed")
    return elapsed, usage.ru_maxrss / 1024, peak_tree


def ctdc(out: Path) -> None:
    elapsed, peak_mb, _tree = child("export_ctdc", "--k", "11", "--out", str(out))
    with out.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        groups = Counter(tuple(row) for row in reader)
    print(
        f"CTDC export: {elapsed:.1f} s, peak RSS of the export process {peak_mb:.0f} MB, "
        f"{sum(groups.values())} records in {len(groups)} distinct rows, "
        f"smallest group {min(groups.values()) if groups else 0}"
    )


# The CTDC file as the background worker makes it (``services.ctdc_make``: the recoding, the rows
# written to a temporary file, kept in MEDIA_ROOT with the export report), in a process of its own.
_WORKER_CTDC = """
from opennrm.accounts.models import User
from opennrm.statistics import services
from opennrm.statistics.models import CtdcExport
export = CtdcExport.objects.create(k=11, requested_by=User.objects.get(username="nada"))
services.ctdc_make(export_id=export.pk)
print(export.pk)
"""


def ctdc_worker() -> None:
    from opennrm.statistics.models import CtdcExport

    elapsed, peak_mb, _tree = child("shell", "-c", _WORKER_CTDC)
    export = CtdcExport.objects.latest("created_at")
    with export.file.open("rb") as handle:
        reader = csv.reader(line.decode("utf-8-sig") for line in handle)
        next(reader)
        groups = Counter(tuple(row) for row in reader)
    print(
        f"CTDC file by the worker's service: {elapsed:.1f} s, peak RSS {peak_mb:.0f} MB, "
        f"{export.records_released} records ({sum(groups.values())} in the file) in {len(groups)} "
        f"distinct rows, smallest group {min(groups.values()) if groups else 0}, status {export.status}"
    )
    # The bench's file and record go: they are not the register's.
    export.file.delete(save=False)
    export.delete()


def synthetic(out: Path) -> None:
    log = out.with_suffix(".log")
    elapsed, peak_mb, peak_tree = child("export_synthetic", "--out", str(out), log=log)
    with out.open(encoding="utf-8") as handle:
        rows = sum(1 for _ in handle) - 1
    errors = [line for line in log.read_text().splitlines() if "2-way mean" in line]
    print(
        f"Synthetic dataset: {elapsed:.1f} s, peak RSS {peak_mb:.0f} MB (largest process), "
        f"{peak_tree:.0f} MB PSS with its workers, {rows} rows released; {' '.join(errors)}"
    )


def main() -> None:
    actor = User.objects.get(username="nada")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        print(f"{cursor.fetchone()[0]} cases in the database.")
    if "--skip-year" not in sys.argv:
        compare(actor, Period(date(2024, 1, 1), date(2024, 12, 31)), "One year (2024)")
    if "--skip-decade" not in sys.argv:
        compare(actor, Period(date(2016, 1, 1), date(2025, 12, 31)), "All ten years (2016-2025)")
    if "--skip-ctdc" not in sys.argv:
        ctdc(Path(os.environ.get("CTDC_OUT", "/tmp/statistics_bench_ctdc.csv")))
    if "--skip-ctdc-worker" not in sys.argv:
        ctdc_worker()
    if "--skip-synthetic" not in sys.argv:
        synthetic(Path(os.environ.get("SYNTHETIC_OUT", "/tmp/statistics_bench_synthetic.csv")))


if __name__ == "__main__":
    main()
