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
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opennrm.settings")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from opennrm.accounts.models import User  # noqa: E402
from opennrm.accounts.services import token_issue  # noqa: E402
from opennrm.audit.services import seal_pending  # noqa: E402
from opennrm.cases import services  # noqa: E402
from opennrm.cases.imports import (  # noqa: E402
    COLUMNS,
    import_legacy_file,
    run_import_job,
    start_import_job,
)
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


def start_servers(args: argparse.Namespace) -> list[tuple[subprocess.Popen[bytes], str]]:
    servers = []
    if args.server == "gunicorn":
        # One gunicorn (its workers share the port), production settings with the keys the data
        # was generated with; plain HTTP on the loopback.
        env = {
            **os.environ,
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
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        servers.append((process, f"http://{address}"))
    else:
        for index in range(args.servers):
            address = f"127.0.0.1:{args.port + index}"
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
                pass
            time.sleep(0.5)
        else:
            raise SystemExit(f"The server at {url} did not start.")
    return servers


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
    scenarios: dict[str, list[str]],
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
            path = rng.choice(scenarios[name])
            started = time.monotonic()
            try:
                ok = session.get(base + path, timeout=60).status_code == 200
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
    _token, plaintext = token_issue(actor=None, user=vesna, name=f"bench {time.time():.0f}")
    scenarios = {
        "list, first page": ["/api/v1/cases/cases/"],
        "search by code": [f"/api/v1/cases/cases/?q={code}" for code in codes],
        "filter by status": [f"/api/v1/cases/cases/?status={status}" for status in statuses],
        "filter by agency": [f"/api/v1/cases/cases/?agency_id={agency}" for agency in agencies],
        "search by name (blind index)": [
            f"/api/v1/cases/cases/?q={requests.utils.quote(name)}" for name in names
        ],
    }
    servers = start_servers(args)
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
    """The import as a user runs it and for good: the upload stored as a job, then the worker
    task's body (``run_import_job``: validation, writing, the commit with its deferred foreign-key
    checks), timed to its end; then the sealing of its audit entries, timed apart, as the
    production sealer (``seal_audit --follow``, ``AUDIT_SEALER = "external"``) does it beside
    the worker. It adds the rows to the database for good: run it on a copy (``createdb -T``)."""
    settings.AUDIT_SEALER = "external"  # the README's production checklist
    data = import_file(args.import_rows)
    before = Person.objects.count()
    started = time.perf_counter()
    job = start_import_job(actor=vesna, data=data, filename="bench-committed.csv")
    finished = run_import_job(job.id)
    elapsed = time.perf_counter() - started
    assert finished is not None
    assert finished.stage == "done", (finished.message, finished.errors[:5])
    created = Person.objects.count() - before
    assert created == finished.result["created"], (created, finished.result)
    started = time.perf_counter()
    sealed = seal_pending()
    sealing = time.perf_counter() - started
    line = (
        f"Import, committed (job path): {finished.result['rows']:,} rows read, {created:,} "
        f"created in {elapsed:.1f} s to the end of the job (commit included); then "
        f"{sealed:,} audit entries sealed in {sealing:.1f} s by the sealer's sweep"
    )
    print(line, flush=True)
    return [line]


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
    parser.add_argument("--duplicate-checks", type=int, default=200)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument(
        "--no-vacuum", action="store_true", help="Leave the import's dead rows (no VACUUM)."
    )
    parser.add_argument(
        "--only",
        choices=["http", "duplicates", "import", "import-committed"],
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
    print("\n".join(report))


if __name__ == "__main__":
    main()
