"""How useful the CTDC microdata is: the share of released values per column, from the output.

    DATABASE_URL=postgres://…/opennrm_stats_reports_300k DEBUG=1 \
        .venv/bin/python bench/ctdc_utility.py [--json out.json]

For every column of the release: the share of released records whose value is **as given** (a
value the column takes before any generalisation: a country code, an age bracket, a flag),
**generalised** (a coarser value: a region, a broad bracket, "Other") or **withheld** ("-99");
and the share of released records that keep their **type of exploitation** (every exploitation
column released, not "-99"). It reads the released rows only, so it measures any engine the same
way; it also checks, independently of the engine, that every released row occurs at least k times.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opennrm.settings")

import django

django.setup()

from opennrm.statistics import exports  # noqa: E402
from opennrm.statistics.kanon import MISSING  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    columns = exports.ctdc_columns()
    # The values each column takes before generalisation, from the raw rows.
    base_values: list[set[str]] = [set() for _ in columns]
    read = 0
    for raw in exports._ctdc_source():
        read += 1
        for j, column in enumerate(columns):
            base_values[j].add(column.base(raw[j]))
    started = time.monotonic()
    headers, rows, report = exports.ctdc_release(actor=None)
    classes: Counter[tuple[str, ...]] = Counter(rows)
    seconds = time.monotonic() - started
    released = sum(classes.values())
    smallest = min(classes.values(), default=0)
    exploitation = [
        j for j, name in enumerate(headers) if name.startswith("is") or name.startswith("typeOf")
    ]
    kept_type = sum(n for row, n in classes.items() if all(row[j] != MISSING for j in exploitation))
    table = {}
    for j, name in enumerate(headers):
        given = generalised = withheld = 0
        for row, n in classes.items():
            value = row[j]
            if value == MISSING:
                withheld += n
            elif value in base_values[j]:
                given += n
            else:
                generalised += n
        table[name] = {
            "given": given / released if released else 0.0,
            "generalised": generalised / released if released else 0.0,
            "withheld": withheld / released if released else 0.0,
        }
    summary = {
        "records_read": read,
        "records_released": released,
        "records_suppressed": report.records_suppressed,
        "k": report.k,
        "smallest_class": smallest,
        "type_of_exploitation_kept": kept_type / released if released else 0.0,
        "seconds": round(seconds, 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "columns": table,
    }
    print(f"read {read}, released {released}, suppressed {report.records_suppressed}, k {report.k}")
    print(
        f"smallest class {smallest}; type of exploitation kept {summary['type_of_exploitation_kept']:.1%}"
    )
    print(f"{'column':42} {'given':>7} {'general.':>8} {'withheld':>8}")
    for name, shares in table.items():
        print(
            f"{name:42} {shares['given']:7.1%} {shares['generalised']:8.1%} "
            f"{shares['withheld']:8.1%}"
        )
    print(f"{seconds:.1f} s, peak RSS {summary['peak_rss_mb']} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1))
    assert smallest >= report.k or released == 0, "a released row occurs fewer than k times"


if __name__ == "__main__":
    main()
