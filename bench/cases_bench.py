"""Cases benchmark: case list and search under 50 concurrent users, duplicate check, import.

Run against a database filled by ``generate_cases`` (see the "Cases" section of bench/README.md)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opnrm_cases_bench DEBUG=1 \\
        .venv/bin/python bench/cases_bench.py --users 50 --duration 180

What it measures:

1. ``GET /api/v1/cases/cases/`` through real HTTP servers on 127.0.0.1, signed in with Vesna's API
   token (a case manager, who sees every case of the Centre — the largest scope there is): the
   first page of the list, search by code, by status, by lead agency and by name (blind index).
   The servers are ``gunicorn`` (the production WSGI server; ``--workers`` sync workers, default
   2 × cores + 1) with ``DEBUG`` off, or ``manage.py runserver`` (``--server runserver``).

   *Users* (the target's "50 concurrent users"): ``--users`` simulated people, each in a loop of
   one request (a scenario drawn at random, equal shares) then a think time drawn uniformly
   from ``--think`` seconds (default 1–3 s). A case manager reads a page of 50 rows or types the
   next search between two requests; 1–3 s is a short, pessimistic think time (it offers about
   ``users / 2`` requests per second — 25/s for 50 users — several times what 50 people really
   send). Requests of the first ``--warm-up`` seconds are not counted; the run lasts
   ``--duration`` seconds, enough for about 900 requests per scenario at 50 users, so the p95
   rests on some 45 slower requests each. Latency p50 / p95 / max per scenario.

   *Saturation*: then ``--users`` clients with no think time at all for ``--saturation``
   seconds — the most requests per second the servers deliver on this machine, and the latency
   when every request queues behind others. It measures capacity, not 50 people.
2. The duplicate check (``services.person_find_duplicates``), in-process, p50 / p95.
3. The legacy import of ``--import-rows`` rows (``imports.import_legacy_file``), in-process,
   inside a transaction rolled back afterwards so the database stays as generated.
4. Only when asked (``--only import-committed``): the import as a user runs it, for good — the
   upload stored as a job and the worker task's body run to its end, commit and sealing of the
   audit chain included. It adds the rows for good: run it on a copy of the database
   (``createdb -T opnrm_cases_bench opnrm_cases_commit``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opennrm.settings")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from opennrm.accounts.models import TokenScope, User  # noqa: E402
from opennrm.accounts.services import token_issue  # noqa: E402
from opennrm.audit.services import seal_pending  # noqa: E402
from opennrm.cases import services  # noqa: E402
from opennrm.cases.imports import COLUMNS, import_legacy_file  # noqa: E402
from opennrm.cases.management.commands.generate_cases import (  # noqa: E402
    SERBIAN_FAMILY,
    SERBIAN_GIVEN_F,
)
from opennrm.cases.models import Case, Person  # noqa: E402
from opennrm.demo.base import ensure_agencies, ensure_personas, ensure_totp  # noqa: E402
from opennrm.imports import services as pipeline  # noqa: E402
from opennrm.imports.models import ColumnMapping, Stage, ValueMapping  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(name: str, latencies: list[float], errors: int) -> str:
    ms = [1000 * v for v in latencies]
    return (
        f"| {name} | {len(ms)} | {errors} | {statistics.median(ms):.0f} | "
        f"{percentile(ms, 0.95):.0f} | {max(ms):.0f} |"
    )


METRICS_TOKEN = "bench-metrics-token-0123456789abcdef"


def start_servers(
    args: argparse.Namespace, *, metrics: bool = True
) -> list[tuple[subprocess.Popen[bytes], str]]:
    """The app servers. ``metrics``: with ``MetricsMiddleware`` as deployed (its counters in a
    fresh ``PROMETHEUS_MULTIPROC_DIR``, as deploy/gunicorn.conf.py sets it for several workers),
    or without it (``bench/lifecycle_nometrics_settings.py``: the same settings less that one
    middleware)."""
    servers = []
    if metrics:
        metrics_env = {
            "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="opennrm-bench-metrics-"),
            "OPENNRM_METRICS_TOKEN": METRICS_TOKEN,
        }
    else:
        metrics_env = {
            "DJANGO_SETTINGS_MODULE": "lifecycle_nometrics_settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
        }
    if args.server == "gunicorn":
        # One gunicorn (its workers share the port), production settings with the keys the data
        # was generated with; plain HTTP on the loopback.
        env = {
            **os.environ,
            **metrics_env,
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "OPENNRM_DATA_KEYS": settings.OPENNRM_DATA_KEYS,
            "OPENNRM_BLIND_INDEX_KEY": settings.OPENNRM_BLIND_INDEX_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            # Persistent connections, as the README's production checklist sets them: a new
            # PostgreSQL connection per request cost 20 ms (48 vs 28 ms for one client, measured).
            "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "600"),
        }
        address = f"127.0.0.1:{args.port}"
        command = [sys.executable, "-m", "gunicorn", "opennrm.wsgi:application"]
        command += ["--bind", address, "--workers", str(args.workers), "--log-level", "warning"]
        # The servers' JSON request log goes to a file, not over the benchmark's output.
        log = open(Path(tempfile.gettempdir()) / "opennrm-bench-gunicorn.log", "ab")  # noqa: SIM115
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        servers.append((process, f"http://{address}"))
    else:
        for index in range(args.servers):
            address = f"127.0.0.1:{args.port + index}"
            process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", address, "--noreload", "--skip-checks"],
                cwd=ROOT,
                env={**os.environ, **metrics_env},
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
                pass
            time.sleep(0.5)
        else:
            raise SystemExit(f"The server at {url} did not start.")
    return servers


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL when gunicorn has not stopped in 60 s (a loaded machine)."""
    process.terminate()
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


Sample = tuple[str, float, float, bool]  # scenario, started (monotonic), seconds, ok


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of one process, 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(servers: list[subprocess.Popen[bytes]]) -> dict[str, float]:
    """CPU seconds so far of the app servers (and their workers), of this database's backends,
    of this client process, and of the whole machine (Linux /proc)."""
    app = 0.0
    for server in servers:
        pids = [server.pid]
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        app += sum(_proc_cpu(pid) for pid in pids)
    name = str(connection.settings_dict["NAME"])
    database = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if cmdline.startswith(b"postgres: ") and f" {name} ".encode() in cmdline:
                database += _proc_cpu(int(entry.name))
    times = os.times()
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(ticks) - ticks[3] - ticks[4]  # all but idle and iowait
    return {
        "app": app,
        "database": database,
        "client": times.user + times.system,
        "machine": busy / os.sysconf("SC_CLK_TCK"),
    }


def cpu_line(before: dict[str, float], after: dict[str, float], requests_done: int) -> str:
    """CPU milliseconds per request by part (backends that closed meanwhile are not counted)."""
    per = {k: 1000 * (after[k] - before[k]) / max(requests_done, 1) for k in before}
    other = per["machine"] - per["app"] - per["database"] - per["client"]
    return (
        f"CPU per request: app {per['app']:.1f} ms, database {per['database']:.1f} ms, "
        f"load client {per['client']:.1f} ms, rest of the machine {other:.1f} ms "
        f"(machine {per['machine']:.1f} ms)"
    )


def run_users(
    *,
    urls: list[str],
    token: str,
    scenarios: dict[str, list[Any]],  # a path (GET) or (path, JSON body) for a POST
    users: int,
    seconds: float,
    think: tuple[float, float],
) -> list[Sample]:
    """``users`` threads, each a person: request, think (uniform in ``think``), again, until
    ``seconds`` have passed. A think time of (0, 0) is a closed loop at saturation."""
    samples: list[Sample] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    names = list(scenarios)

    def user(number: int) -> None:
        rng = random.Random(number)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        base = urls[number % len(urls)]  # each user sticks to a server, as behind a balancer
        time.sleep(rng.uniform(*think))  # users do not all arrive in the same instant
        while time.monotonic() < stop:
            name = rng.choice(names)
            target = rng.choice(scenarios[name])
            started = time.monotonic()
            try:
                if isinstance(target, tuple):  # a search by name: POSTed, never in the URL
                    path, body = target
                    response = session.post(base + path, json=body, timeout=60)
                else:
                    response = session.get(base + target, timeout=60)
                ok = response.status_code == 200
            except requests.RequestException:
                ok = False
            elapsed = time.monotonic() - started
            with lock:
                samples.append((name, started, elapsed, ok))
            if think[1]:
                time.sleep(rng.uniform(*think))

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


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
        for _ in range(200)
    ]
    statuses = ["referred", "under_assessment", "presumed_victim", "identified", "in_protection"]
    names = [f"{rng.choice(SERBIAN_GIVEN_F)} {rng.choice(SERBIAN_FAMILY)}" for _ in range(200)]
    agencies = [vesna.agency_id]
    # A write-scope token: the search by name is a POST (names never go in a URL), and a read
    # token may use safe methods only (accounts.services.token_issue).
    _token, plaintext = token_issue(
        actor=None, user=vesna, name=f"bench {time.time():.0f}", scope=TokenScope.WRITE
    )
    scenarios = {
        "list, first page": ["/api/v1/cases/cases/"],
        "search by code": [f"/api/v1/cases/cases/?q={code}" for code in codes],
        "filter by status": [f"/api/v1/cases/cases/?status={status}" for status in statuses],
        "filter by agency": [f"/api/v1/cases/cases/?agency_id={agency}" for agency in agencies],
        "search by name (blind index)": [
            ("/api/v1/cases/cases/search/", {"q": name}) for name in names
        ],
    }
    if args.metrics == "both":
        return metrics_overhead(args, scenarios, plaintext, total)
    servers = start_servers(args, metrics=args.metrics == "on")
    urls = [url for _process, url in servers]
    server = (
        f"gunicorn, {args.workers} sync workers"
        if args.server == "gunicorn"
        else f"{args.servers} runserver processes"
    )
    low_think, high_think = args.think
    lines = []
    try:
        run_users(
            urls=urls, token=plaintext, scenarios=scenarios, users=4, seconds=5, think=(0, 0)
        )  # warm-up: workers started, connections open, caches filled
        processes = [process for process, _url in servers]
        cpu_before = cpu_snapshot(processes)
        samples = run_users(
            urls=urls,
            token=plaintext,
            scenarios=scenarios,
            users=args.users,
            seconds=args.warm_up + args.duration,
            think=(low_think, high_think),
        )
        cpu_used = cpu_line(cpu_before, cpu_snapshot(processes), len(samples))
        counted_from = min(s[1] for s in samples) + args.warm_up
        counted = [s for s in samples if s[1] >= counted_from]
        span = max(s[1] + s[2] for s in counted) - counted_from
        lines += [
            f"HTTP: {total:,} cases, {server}; {args.users} users, think time uniform "
            f"{low_think:g}–{high_think:g} s, {args.duration:g} s counted after "
            f"{args.warm_up:g} s of warm-up: {len(counted):,} requests, "
            f"{len(counted) / span:.1f} requests/s",
            "",
            "| scenario | requests | errors | p50 ms | p95 ms | max ms |",
            "|---|---|---|---|---|---|",
        ]
        for name in scenarios:
            mine = [s for s in counted if s[0] == name]
            lines.append(summary(name, [s[2] for s in mine], sum(1 for s in mine if not s[3])))
        lines.append(summary("all", [s[2] for s in counted], sum(1 for s in counted if not s[3])))
        lines += ["", cpu_used + " (warm-up included)"]
        print("\n".join(lines), flush=True)
        if args.saturation:
            cpu_before = cpu_snapshot(processes)
            flat = run_users(
                urls=urls,
                token=plaintext,
                scenarios=scenarios,
                users=args.users,
                seconds=args.saturation,
                think=(0, 0),
            )
            span = max(s[1] + s[2] for s in flat) - min(s[1] for s in flat)
            line = (
                f"Saturation ({args.users} clients, no think time, {args.saturation:g} s): "
                f"{len(flat) / span:.1f} requests/s; "
                + summary("all scenarios", [s[2] for s in flat], sum(1 for s in flat if not s[3]))
            )
            line += "\n" + cpu_line(cpu_before, cpu_snapshot(processes), len(flat))
            lines += ["", line]
            print(line, flush=True)
    finally:
        for process, _url in servers:
            stop_server(process)
    return lines


def loadavg() -> str:
    return "load " + " / ".join(Path("/proc/loadavg").read_text().split()[:3])


MIDDLEWARE_MICRO = r"""
import os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opennrm.settings")
import django
django.setup()
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve
from opennrm.lifecycle.metrics import MetricsMiddleware
request = RequestFactory().get("/api/v1/cases/cases/")
request.resolver_match = resolve("/api/v1/cases/cases/")
response = HttpResponse()
bare = lambda r: response
wrapped = MetricsMiddleware(bare)
n = 50_000
best = {}
for name, call in (("bare", bare), ("metrics", wrapped)) * 3:
    started = time.perf_counter()
    for _ in range(n):
        call(request)
    best[name] = min(best.get(name, 1e9), (time.perf_counter() - started) / n)
print(f"{(best['metrics'] - best['bare']) * 1e6:.1f}")
"""


def metrics_overhead(
    args: argparse.Namespace, scenarios: dict[str, list[Any]], token: str, total: int
) -> list[str]:
    """Issue 15: what /metrics (``MetricsMiddleware``) adds to the case list's p95. The same
    load (users, think time, duration) against servers without the middleware and with it (as
    deployed, counters in ``PROMETHEUS_MULTIPROC_DIR``, Prometheus scraping ``/metrics`` every
    15 s), in ``--rounds`` rounds, the order alternating (off, on; on, off; ...) so that a drift
    of the machine's load falls on both sides; latencies pooled per side. Then the middleware's
    own cost per request, measured in a process of its own (multiprocess mode, best of 3 ×
    50,000 calls, minus the same calls without it)."""
    low_think, high_think = args.think
    pooled: dict[bool, list[Sample]] = {False: [], True: []}
    app_cpu: dict[bool, list[float]] = {False: [], True: []}
    lines = [
        f"Metrics overhead: {total:,} cases, gunicorn {args.workers} sync workers; "
        f"{args.users} users, think {low_think:g}–{high_think:g} s, {args.duration:g} s counted "
        f"after {args.warm_up:g} s per side and round, {args.rounds} rounds",
        "",
        "| round | metrics | requests | list p50 ms | list p95 ms | all p95 ms | app CPU ms/request "
        "| load before → after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    for number in range(args.rounds):
        order = (False, True) if number % 2 == 0 else (True, False)
        for metrics in order:
            before = loadavg()
            servers = start_servers(args, metrics=metrics)
            urls = [url for _process, url in servers]
            processes = [process for process, _url in servers]
            stop = threading.Event()
            scrapes: list[int] = []

            def scrape(
                url: str = urls[0],
                stop: threading.Event = stop,
                scrapes: list[int] = scrapes,
            ) -> None:  # Prometheus, every 15 s
                while not stop.wait(15):
                    response = requests.get(
                        f"{url}/metrics",
                        headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
                        timeout=30,
                    )
                    scrapes.append(response.status_code)

            try:
                run_users(
                    urls=urls, token=token, scenarios=scenarios, users=4, seconds=5, think=(0, 0)
                )
                scraper = threading.Thread(target=scrape, daemon=True)
                if metrics:
                    scraper.start()
                cpu_before = cpu_snapshot(processes)
                samples = run_users(
                    urls=urls,
                    token=token,
                    scenarios=scenarios,
                    users=args.users,
                    seconds=args.warm_up + args.duration,
                    think=(low_think, high_think),
                )
                cpu_after = cpu_snapshot(processes)
                stop.set()
                if metrics:
                    scraper.join(35)
            finally:
                for process, _url in servers:
                    stop_server(process)
            if metrics and (not scrapes or any(code != 200 for code in scrapes)):
                raise SystemExit(f"/metrics scrapes answered {scrapes}")
            counted_from = min(s[1] for s in samples) + args.warm_up
            counted = [s for s in samples if s[1] >= counted_from]
            failed = sum(1 for s in counted if not s[3])
            if failed:
                raise SystemExit(f"{failed} requests failed")
            pooled[metrics] += counted
            per_request = 1000 * (cpu_after["app"] - cpu_before["app"]) / len(samples)
            app_cpu[metrics].append(per_request)
            listed = [1000 * s[2] for s in counted if s[0] == "list, first page"]
            line = (
                f"| {number + 1} | {'on' if metrics else 'off'} | {len(counted):,} | "
                f"{statistics.median(listed):.1f} | {percentile(listed, 0.95):.1f} | "
                f"{percentile([1000 * s[2] for s in counted], 0.95):.1f} | {per_request:.2f} | "
                f"{before} → {loadavg()} |"
            )
            print(line, flush=True)
            lines.append(line)
    summary_lines = ["", "| pooled | list p50 ms | list p95 ms | all p95 ms | app CPU ms/request |"]
    summary_lines.append("|---|---|---|---|---|")
    figures: dict[bool, tuple[float, float]] = {}
    for metrics in (False, True):
        listed = [1000 * s[2] for s in pooled[metrics] if s[0] == "list, first page"]
        everything = [1000 * s[2] for s in pooled[metrics]]
        figures[metrics] = (percentile(listed, 0.95), percentile(everything, 0.95))
        summary_lines.append(
            f"| metrics {'on' if metrics else 'off'} ({len(listed):,} list requests) | "
            f"{statistics.median(listed):.1f} | {figures[metrics][0]:.1f} | "
            f"{figures[metrics][1]:.1f} | {statistics.mean(app_cpu[metrics]):.2f} |"
        )
    list_change = 100 * (figures[True][0] / figures[False][0] - 1)
    all_change = 100 * (figures[True][1] / figures[False][1] - 1)
    micro = subprocess.run(
        [sys.executable, "-c", MIDDLEWARE_MICRO],
        cwd=ROOT,
        env={
            **os.environ,
            "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="opennrm-bench-metrics-"),
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    summary_lines += [
        "",
        f"p95 with metrics vs without: case list {list_change:+.1f} %, all scenarios "
        f"{all_change:+.1f} %; the middleware's own time: {micro} µs per request "
        f"({float(micro) / 10 / figures[False][0]:.3f} % of the list's p95 without it)",
    ]
    print("\n".join(summary_lines), flush=True)
    return lines + summary_lines


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
        # The foreign keys are DEFERRABLE INITIALLY DEFERRED: a committing import checks them
        # at commit. The bench rolls back, so it runs those checks now, timed apart.
        checks = 0.0
        if connection.vendor == "postgresql":
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            checks = time.perf_counter() - started
        transaction.set_rollback(True)
    assert Person.objects.count() == before
    line = (
        f"Import: {result.rows:,} rows read, {result.created:,} created in {elapsed:.1f} s "
        f"({result.created / elapsed * 60:,.0f} rows/min; rolled back afterwards); "
        f"deferred foreign-key checks a commit would run: {checks:.1f} s"
    )
    print(line, flush=True)
    if connection.vendor == "postgresql" and not args.no_vacuum:
        # The rolled-back rows stay as dead tuples, and their entries in every index; with
        # autovacuum off (as on the development machine) each run would import into more
        # bloated indexes than the last. VACUUM removes them: the next run starts as this one.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for table in IMPORT_TABLES:
                cursor.execute(f"VACUUM {table}")
        print(f"VACUUM of the written tables: {time.perf_counter() - started:.1f} s", flush=True)
    return [line]


def import_committed(args: argparse.Namespace, vesna: User) -> list[str]:
    """The import as a user runs it and for good, through the import pipeline: the upload stored
    as a job with its suggested column mapping, the mapping confirmed, then the worker task's body
    (``imports.services.job_run``: the mapping and value mappings applied, validation, writing,
    the commit with its deferred foreign-key checks), timed to its end; then the sealing of its
    audit entries, timed apart, as the production sealer (``seal_audit --follow``,
    ``AUDIT_SEALER = "external"``) does it beside the worker. Peak RSS of this process is printed
    (``ru_maxrss``). It adds the rows to the database for good: run it on a copy
    (``createdb -T``)."""
    import resource

    settings.AUDIT_SEALER = "external"  # the README's production checklist
    data = import_file(args.import_rows)
    before = Person.objects.count()
    started = time.perf_counter()
    job = pipeline.job_create(
        actor=vesna, spec_key="cases", filename="bench-committed.csv", data=data
    )
    job = pipeline.job_map_columns(actor=vesna, job=job, mapping=job.mapping)
    # What ``job_queue`` does, without handing the job to a worker: this process runs it.
    job.stage = Stage.QUEUED
    job.save(update_fields=["stage", "updated_at"])
    finished = pipeline.job_run(job_id=str(job.pk))
    elapsed = time.perf_counter() - started
    assert finished is not None
    assert finished.stage == Stage.DONE, (finished.message, finished.report[:500])
    created = Person.objects.count() - before
    assert created == finished.result["created"], (created, finished.result)
    started = time.perf_counter()
    sealed = seal_pending()
    sealing = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = (
        f"Import, committed (pipeline job path): {finished.result['rows']:,} rows read, "
        f"{created:,} created in {elapsed:.1f} s to the end of the job (commit included); peak "
        f"RSS {peak:.0f} MB; then {sealed:,} audit entries sealed in {sealing:.1f} s by the "
        "sealer's sweep"
    )
    print(line, flush=True)
    return [line]


# Issue 19: a register as an office keeps it — Serbian headers the pipeline suggests a mapping
# for, one it does not know (mapped by hand), one it leaves out (a note), dd.mm.yyyy dates, and
# values both known to the vocabularies ("Ž", "Srbija", "Radna eksploatacija", "CSR Beograd") and
# not ("žensko lice", "rad na crno", "Žrtva", "MUP", "Policija": mapped once, remembered).
PIPELINE_HEADER = [
    "Broj predmeta",
    "Ime",
    "Prezime",
    "Datum rođenja",
    "Pol",
    "Državljanstvo",
    "Status žrtve",
    "Oblik eksploatacije",
    "Gde je eksploatisana",
    "Status",
    "Uputio",
    "Datum upućivanja",
    "Napomena",
]
PIPELINE_HAND_MAPPED = {"Gde je eksploatisana": "vic_LocationOfExploitation"}
PIPELINE_VALUE_MAPS = {
    ("prs_Gender", "žensko lice"): "Feminine",
    ("vic_TypeOfExploitation", "rad na crno"): "ForcedLabour",
    ("vic_TraffickingStatus", "Žrtva"): "ActualVictimOfTrafficking",
}


def pipeline_file(rows: int, police: str) -> tuple[bytes, dict[tuple[str, str], str]]:
    """The register (CSV, UTF-8) and the value mappings a clerk gives for its unknown values."""
    rng = random.Random(19)
    run = f"{time.time():.0f}"  # each run's case identifiers are new: every row is created
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PIPELINE_HEADER)
    for number in range(rows):
        writer.writerow(
            [
                f"REG-{run}-{number}",
                rng.choice(SERBIAN_GIVEN_F),
                f"{rng.choice(SERBIAN_FAMILY)}-{run}-{number}",
                f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.{rng.randrange(1960, 2005)}",
                rng.choice(["Ž", "Ž", "ženski", "žensko lice", "M"]),
                rng.choice(["Srbija", "Srbija", "SRB", "Србија", "Ukrajina"]),
                rng.choice(["Žrtva", "potencijalna žrtva", "Actual victim of trafficking"]),
                rng.choice(["Radna eksploatacija", "Prosjačenje", "rad na crno"]),
                rng.choice(["Srbija", "Nemačka", ""]),
                rng.choice(["Aktivan", "U toku"]),
                rng.choice(["CSR Beograd", "MUP", "Policija", "ASTRA"]),
                f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.20{rng.randrange(13, 25)}",
                rng.choice(["", "", "premeštena u sklonište"]),
            ]
        )
    maps = dict(PIPELINE_VALUE_MAPS)
    maps[("cas_ReferringOrganisation", "MUP")] = police
    maps[("cas_ReferringOrganisation", "Policija")] = police
    return buffer.getvalue().encode("utf-8"), maps


WORKER = r"""
import json, os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opennrm.settings")
import django
django.setup()
from django.conf import settings
settings.AUDIT_SEALER = "external"
from opennrm.imports.services import job_run
def peak_mb():  # VmHWM: this process's own peak (ru_maxrss counts the parent's from the fork)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
baseline = peak_mb()
started = time.perf_counter()
job = job_run(job_id=sys.argv[1])
elapsed = time.perf_counter() - started
print(json.dumps({
    "seconds": elapsed,
    "stage": job.stage,
    "message": str(job.message),
    "result": job.result,
    "baseline_mb": baseline,
    "peak_mb": peak_mb(),
}))
"""


def import_pipeline(args: argparse.Namespace, vesna: User) -> list[str]:
    """Issue 19: the whole pipeline as a clerk and the worker run it, for good. Upload (the job
    with its suggested column mapping), one column mapped by hand and the mapping confirmed, the
    unknown values listed (the value-mapping screen) and mapped, the preview (what the preview
    page computes in its request), then the commit by the worker's task body
    (``imports.services.job_run``) in a process of its own, like ``db_worker``: its wall time
    and its peak RSS (``ru_maxrss``; the process's size after ``django.setup`` is printed
    beside it). Then the sealing of its audit entries, as the production sealer does beside the
    worker, timed apart. It adds the rows for good: run it on a copy (``createdb -T``)."""
    from opennrm.cases.import_specs import _vocabularies

    agencies = _vocabularies()["cas_ReferringOrganisation"]
    police = next(code for code, label in agencies.choices() if "Police" in label)
    data, value_maps = pipeline_file(args.import_rows, police)
    # A clerk's first file of this layout: nothing remembered from an earlier run of the bench.
    ColumnMapping.objects.filter(spec="cases", agency=vesna.agency).delete()
    ValueMapping.objects.filter(agency=vesna.agency).delete()
    before = Person.objects.count()
    lines = [
        f"Import pipeline: {args.import_rows:,} rows, {len(data) / 2**20:.1f} MiB CSV, "
        f"{Case.objects.count():,} cases before; {loadavg()}"
    ]
    timings: list[tuple[str, float]] = []

    def step(name: str, started: float) -> None:
        timings.append((name, time.perf_counter() - started))

    started = time.perf_counter()
    job = pipeline.job_create(
        actor=vesna, spec_key="cases", filename="registar-2013-2016.csv", data=data
    )
    step("upload (read, suggest mapping, store)", started)
    mapping = list(job.mapping)
    for index, cell in enumerate(job.header):
        if cell in PIPELINE_HAND_MAPPED:
            mapping[index] = PIPELINE_HAND_MAPPED[cell]
    started = time.perf_counter()
    job = pipeline.job_map_columns(actor=vesna, job=job, mapping=mapping)
    step("column mapping confirmed", started)
    started = time.perf_counter()
    unknown = pipeline.job_unknown_values(actor=vesna, job=job)
    step("unknown values listed", started)
    found = {(u.column.key, u.raw) for u in unknown}
    assert found == set(value_maps), (found, set(value_maps))
    pipeline.values_remember(actor=vesna, job=job, choices=value_maps)
    assert not pipeline.job_unknown_values(actor=vesna, job=job)
    started = time.perf_counter()
    preview = pipeline.job_preview(actor=vesna, job=job)
    preview_seconds = time.perf_counter() - started
    step("preview", started)
    assert preview.ok, preview.errors[:5]
    assert preview.create == args.import_rows, (preview.create, preview.rows)
    job.stage = Stage.QUEUED  # what ``job_queue`` does, without handing the job to db_worker
    job.save(update_fields=["stage", "updated_at"])
    load_before = loadavg()
    started = time.perf_counter()
    worker = subprocess.run(
        [sys.executable, "-c", WORKER, str(job.pk)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    outcome = json.loads(worker.stdout.strip().splitlines()[-1])
    assert outcome["stage"] == Stage.DONE, outcome
    created = Person.objects.count() - before
    assert created == outcome["result"]["created"] == args.import_rows, (created, outcome)
    started = time.perf_counter()
    sealed = seal_pending()
    sealing = time.perf_counter() - started
    lines += [
        "",
        "| step | seconds |",
        "|---|---|",
        *(f"| {name} | {seconds:.1f} |" for name, seconds in timings),
        f"| commit: job_run in a worker process ({created:,} created) | {outcome['seconds']:.1f} "
        f"(process {wall:.1f} with Django's start) |",
        f"| sealing its {sealed:,} audit entries (the sealer, apart) | {sealing:.1f} |",
        "",
        f"Preview {preview_seconds:.1f} s; commit {outcome['seconds']:.1f} s, worker peak RSS "
        f"{outcome['peak_mb']:.0f} MB (after django.setup {outcome['baseline_mb']:.0f} MB); "
        f"{load_before} → {loadavg()}",
    ]
    print("\n".join(lines), flush=True)
    return lines


IMPORT_TABLES = (
    "cases_person",
    "cases_case",
    "cases_codesequence",
    "cases_referral",
    "cases_casestatuschange",
    "cases_identificationdecision",
    "cases_guardian",
    "audit_auditentry",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="Simulated people.")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"))
    parser.add_argument("--duration", type=float, default=180, help="Seconds counted.")
    parser.add_argument("--warm-up", type=float, default=15, help="Seconds not counted.")
    parser.add_argument(
        "--saturation", type=float, default=30, help="Seconds at no think time (0: skip)."
    )
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--servers", type=int, default=2, help="runserver processes.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--metrics",
        choices=["on", "off", "both"],
        default="on",
        help="HTTP with MetricsMiddleware (as deployed), without, or both side by side.",
    )
    parser.add_argument("--rounds", type=int, default=2, help="Rounds of --metrics both.")
    parser.add_argument("--duplicate-checks", type=int, default=200)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument(
        "--no-vacuum", action="store_true", help="Leave the import's dead rows (no VACUUM)."
    )
    parser.add_argument(
        "--only",
        choices=["http", "duplicates", "import", "import-committed", "pipeline"],
        action="append",
        default=None,
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
    if "import-committed" in parts:  # never by default: it writes for good
        report += import_committed(args, vesna)
    if "pipeline" in parts:  # never by default: it writes for good
        report += import_pipeline(args, vesna)
    print("\n".join(report))


if __name__ == "__main__":
    main()
