"""Cases benchmark: case list and search under 50 concurrent users, duplicate check, import.

Run against a database filled by ``generate_cases`` (see bench/cases_README.md)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opennrm_bench_cases DEBUG=1 \\
        .venv/bin/python bench/cases_bench.py --requests 400 --concurrency 50

What it measures, each with a bounded number of operations:

1. ``GET /api/v1/cases/cases/`` through real HTTP servers on 127.0.0.1 (``manage.py runserver``,
   threaded; ``--servers`` of them behind a client-side round robin, as a stateless web tier
   behind a load balancer), signed in with Vesna's API token (a case manager, who sees every
   case of the Centre — the largest scope there is): the first page of the list, search by code,
   by status, by lead agency and by name (blind index). Latency p50 / p95 / max per scenario.
2. The duplicate check (``services.person_find_duplicates``), in-process, p50 / p95.
3. The legacy import of ``--import-rows`` rows (``imports.import_legacy_file``), in-process,
   inside a transaction rolled back afterwards so the database stays as generated.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opennrm.settings")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from opennrm.accounts.models import User  # noqa: E402
from opennrm.accounts.services import token_issue  # noqa: E402
from opennrm.cases import services  # noqa: E402
from opennrm.cases.imports import COLUMNS, import_legacy_file  # noqa: E402
from opennrm.cases.management.commands.generate_cases import (  # noqa: E402
    SERBIAN_FAMILY,
    SERBIAN_GIVEN_F,
)
from opennrm.cases.models import Case, Person  # noqa: E402
from opennrm.demo.base import ensure_agencies, ensure_personas, ensure_totp  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(name: str, latencies: list[float], errors: int) -> str:
    ms = [1000 * v for v in latencies]
    return (
        f"| {name} | {len(ms)} | {errors} | {statistics.median(ms):.0f} | "
        f"{percentile(ms, 0.95):.0f} | {max(ms):.0f} |"
    )


def start_servers(count: int, port: int) -> list[tuple[subprocess.Popen[bytes], str]]:
    servers = []
    for index in range(count):
        address = f"127.0.0.1:{port + index}"
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", address, "--noreload", "--skip-checks"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        servers.append((process, f"http://{address}"))
    for _process, url in servers:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise SystemExit(f"The server at {url} did not start.")
    return servers


def load(
    urls: list[str], token: str, paths: list[str], concurrency: int
) -> tuple[list[float], int]:
    local = threading.local()
    counter = iter(range(len(paths)))
    lock = threading.Lock()

    def one(path: str) -> tuple[float, bool]:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.headers["Authorization"] = f"Bearer {token}"
        with lock:
            base = urls[next(counter) % len(urls)]
        started = time.perf_counter()
        response = local.session.get(base + path, timeout=60)
        elapsed = time.perf_counter() - started
        return elapsed, response.status_code == 200

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, paths))
    return [r[0] for r in results], sum(1 for r in results if not r[1])


def http_scenarios(args: argparse.Namespace, vesna: User) -> list[str]:
    rng = random.Random(7)
    total = Case.objects.count()
    low, high = (
        Case.objects.order_by("id").values_list("id", flat=True)[0],
        Case.objects.order_by("-id").values_list("id", flat=True)[0],
    )
    codes = [
        Case.objects.filter(id__gte=rng.randrange(low, high + 1))
        .order_by("id")
        .values_list("code", flat=True)[0]
        for _ in range(50)
    ]
    statuses = ["referred", "under_assessment", "presumed_victim", "identified", "in_protection"]
    names = [f"{rng.choice(SERBIAN_GIVEN_F)} {rng.choice(SERBIAN_FAMILY)}" for _ in range(50)]
    agency = vesna.agency_id
    _token, plaintext = token_issue(actor=None, user=vesna, name=f"bench {time.time():.0f}")
    servers = start_servers(args.servers, args.port)
    urls = [url for _process, url in servers]
    n = args.requests
    scenarios = {
        "list, first page": ["/api/v1/cases/cases/"] * n,
        "search by code": [f"/api/v1/cases/cases/?q={rng.choice(codes)}" for _ in range(n)],
        "filter by status": [
            f"/api/v1/cases/cases/?status={rng.choice(statuses)}" for _ in range(n)
        ],
        "filter by agency": [f"/api/v1/cases/cases/?agency_id={agency}"] * n,
        "search by name (blind index)": [
            f"/api/v1/cases/cases/?q={requests.utils.quote(rng.choice(names))}" for _ in range(n)
        ],
    }
    lines = [
        f"HTTP: {total:,} cases, {args.concurrency} concurrent clients, {args.servers} server "
        f"process(es), {n} requests per scenario",
        "",
        "| scenario | requests | errors | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|---|",
    ]
    try:
        load(urls, plaintext, ["/api/v1/cases/cases/"] * 20, args.concurrency)  # warm-up
        for name, paths in scenarios.items():
            latencies, errors = load(urls, plaintext, paths, args.concurrency)
            lines.append(summary(name, latencies, errors))
            print(lines[-1], flush=True)
    finally:
        for process, _url in servers:
            process.terminate()
            process.wait(10)
    return lines


def duplicate_check(args: argparse.Namespace, vesna: User) -> list[str]:
    rng = random.Random(11)
    latencies = []
    with transaction.atomic():
        for _ in range(args.duplicate_checks):
            given, family = rng.choice(SERBIAN_GIVEN_F), rng.choice(SERBIAN_FAMILY)
            started = time.perf_counter()
            services.person_find_duplicates(
                actor=vesna, given_names=given, family_name=family, year_of_birth=1995
            )
            latencies.append(time.perf_counter() - started)
        transaction.set_rollback(True)  # the audit entries of the benchmark are not kept
    line = summary("duplicate check (in-process)", latencies, 0)
    print(line, flush=True)
    return [line]


def import_file(rows: int) -> bytes:
    rng = random.Random(5)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for number in range(rows):
        values = dict.fromkeys(COLUMNS, "")
        values.update(
            {
                "cas_CaseId": f"BENCH-{number}",
                "prs_FirstName": rng.choice(SERBIAN_GIVEN_F),
                "prs_SecondName": f"{rng.choice(SERBIAN_FAMILY)}-{number}",
                "prs_Birthdate": f"{rng.randrange(1960, 2005)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
                "prs_Gender": "Feminine",
                "prs_Citizenship": "RS",
                "vic_TraffickingStatus": rng.choice(
                    ["PossibleVictimOfTrafficking", "ActualVictimOfTrafficking"]
                ),
                "vic_TypeOfExploitation": "SexualExploitation",
                "cas_Status": "Active",
                "cas_ReferringOrganisation": "ASTRA",
                "cas_IncomingReferralDate": f"20{rng.randrange(10, 25)}-0{rng.randrange(1, 10)}-15",
            }
        )
        writer.writerow([values[c] for c in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def import_rows(args: argparse.Namespace, vesna: User) -> list[str]:
    data = import_file(args.import_rows)
    before = Person.objects.count()
    with transaction.atomic():
        started = time.perf_counter()
        result = import_legacy_file(actor=vesna, data=data, filename="bench.csv")
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    assert Person.objects.count() == before
    line = (
        f"Import: {result.rows:,} rows read, {result.created:,} created in {elapsed:.1f} s "
        f"({result.created / elapsed * 60:,.0f} rows/min; rolled back afterwards)"
    )
    print(line, flush=True)
    return [line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--duplicate-checks", type=int, default=200)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument(
        "--only", choices=["http", "duplicates", "import"], action="append", default=None
    )
    args = parser.parse_args()
    users = ensure_personas(ensure_agencies(), with_mfa=False)
    vesna = users["vesna"]
    ensure_totp(vesna)  # the API refuses case managers without two-factor authentication
    parts = args.only or ["http", "duplicates", "import"]
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    report = []
    if "http" in parts:
        report += http_scenarios(args, vesna)
    if "duplicates" in parts:
        report += duplicate_check(args, vesna)
    if "import" in parts:
        report += import_rows(args, vesna)
    print("\n".join(report))


if __name__ == "__main__":
    main()
