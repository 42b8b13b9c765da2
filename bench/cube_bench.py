"""Counts kept per month (``statistics.cube``): what keeping them costs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opnrm_stats_bench \
        flock /tmp/opennrm-bench.lock .venv/bin/python bench/cube_bench.py

On the statistics benchmark's database (``bench/statistics_generate.py``):

1. *Counting every month from nothing* (``cube.refresh_all`` after the kept months are
   forgotten): what the first ``refresh_figures`` after an upgrade, or the first release of a
   new database, pays once.
2. *Counting again after one change*: a case's forms of exploitation changed (its months
   marked by the triggers), then ``refresh_all``; and the ten-year release that follows.
3. *The triggers' cost on writes*: ``--writes`` single-row statements of each kind an office
   makes all day (a case's facts updated, a service request added, an identification decision
   added), timed with the triggers on and off, alternated ``--rounds`` times, each inside a
   transaction rolled back (the database stays as generated).
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opennrm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from opennrm.statistics import cube  # noqa: E402
from opennrm.statistics.models import CountedMonth  # noqa: E402
from opennrm.statistics.tables import Period, build_tables, standard_tables  # noqa: E402

# The triggers' tables and events (the migration that makes them).
TRIGGERS = importlib.import_module("opennrm.statistics.migrations.0004_stale_month_triggers").EVENTS
DECADE = Period(date(2016, 1, 1), date(2025, 12, 31))


class Rollback(Exception):
    pass


def triggers(cursor, enable: bool) -> None:
    for table, events in TRIGGERS.items():
        for event in events:
            state = "ENABLE" if enable else "DISABLE"
            cursor.execute(f"ALTER TABLE {table} {state} TRIGGER opennrm_stale_{event.lower()}")


def writes(count: int, enable: bool) -> dict[str, float]:
    """Milliseconds per statement of each kind, triggers on or off; rolled back."""
    timings: dict[str, float] = {}
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            triggers(cursor, enable)
            cursor.execute(
                "SELECT id, presumed_victim_date FROM cases_case "
                "WHERE presumed_victim_date IS NOT NULL ORDER BY id LIMIT %s",
                [count],
            )
            cases = cursor.fetchall()
            cursor.execute("SELECT id FROM accounts_user WHERE username = 'vesna'")
            vesna = cursor.fetchone()[0]
            cursor.execute("SELECT agency_id FROM accounts_user WHERE id = %s", [vesna])
            centre = cursor.fetchone()[0]
            statements = {
                "case facts updated": (
                    "UPDATE cases_case SET forms_of_exploitation = "
                    '\'["ForcedLabour", "ForcedBegging"]\'::jsonb WHERE id = %s',
                    lambda case_id, day: [case_id],
                ),
                "service request added": (
                    "INSERT INTO cases_servicerequest (created_at, updated_at, version, "
                    "service_type, status, details, requested_at, decline_reason, case_id, "
                    "provider_agency_id, requested_by_id) VALUES (now(), now(), 1, 'legal_aid', "
                    "'requested', '', %s, '', %s, %s, %s)",
                    lambda case_id, day: [
                        timezone.make_aware(datetime.combine(day, datetime.min.time())),
                        case_id,
                        centre,
                        vesna,
                    ],
                ),
                "decision added": (
                    "INSERT INTO cases_identificationdecision (created_at, updated_at, outcome, "
                    "decided_on, decision_org, reasoning, case_id, decided_by_id) VALUES "
                    "(now(), now(), 'identified', %s, '', '', %s, %s)",
                    lambda case_id, day: [day + timedelta(days=30), case_id, vesna],
                ),
            }
            for name, (sql, params) in statements.items():
                started = time.perf_counter()
                for case_id, day in cases:
                    cursor.execute(sql, params(case_id, day))
                timings[name] = (time.perf_counter() - started) * 1000 / len(cases)
            raise Rollback
    except Rollback:
        pass
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Months are kept on PostgreSQL (set DATABASE_URL).")

    CountedMonth.objects.all().delete()
    started = time.perf_counter()
    counted = cube.refresh_all()
    print(
        f"Every month counted from nothing: {counted} months in {time.perf_counter() - started:.1f} s"
    )

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET forms_of_exploitation = '[\"ForcedLabour\"]'::jsonb "
            "WHERE id = (SELECT min(case_id) FROM cases_identificationdecision)"
        )
    started = time.perf_counter()
    counted = cube.refresh_all()
    print(
        f"After one change: {counted} months counted again in {time.perf_counter() - started:.2f} s"
    )
    started = time.perf_counter()
    build_tables(standard_tables().values(), DECADE)
    print(f"Then the ten-year tables: {time.perf_counter() - started:.3f} s")

    found: dict[bool, dict[str, list[float]]] = {True: {}, False: {}}
    for _round in range(args.rounds):
        for enable in (True, False):
            for name, ms in writes(args.writes, enable).items():
                found[enable].setdefault(name, []).append(ms)
    for name in found[True]:
        on, off = statistics.median(found[True][name]), statistics.median(found[False][name])
        print(
            f"{name}: {on:.3f} ms with the triggers, {off:.3f} ms without "
            f"(+{on - off:.3f} ms; median of {args.rounds} rounds of {args.writes})"
        )


if __name__ == "__main__":
    main()
