"""Throughput of an audited record view: chained audit (production) vs a plain insert vs a naive
chain that locks its head row inside the request transaction.

Each worker process calls the Django WSGI application directly (no HTTP parsing, no socket), the
way an app server's worker would, in a loop for a fixed time; the total requests per second of
all workers is the figure. Every view reads one row and writes one audit entry in a transaction.

Modes: ``plain`` (an unchained insert), ``chained`` (the production setting: the web processes
only insert, and one ``manage.py seal_audit --follow`` process, started for the run, seals),
``inline`` (the same view with ``AUDIT_SEALER = "inline"``: each web process seals after its
commits) and ``naive`` (a head row locked in the request).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opennrm_bench_tput \
        .venv/bin/python bench/audit_throughput.py --workers 4 --seconds 20 --rounds 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]
os.environ["DJANGO_SETTINGS_MODULE"] = "audit_settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

from opennrm.accounts.models import Agency  # noqa: E402
from opennrm.audit import chain  # noqa: E402
from opennrm.audit.models import AuditEntry, AuditSeal  # noqa: E402
from opennrm.audit.services import record, seal_pending, target_of  # noqa: E402
from opennrm.audit.verification import verify_chain  # noqa: E402

HEAD_TABLE = "bench_audit_head"


def _read(pk: int) -> Agency:
    return Agency.objects.get(pk=pk)


def chained(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        agency = _read(pk)
        record(actor=None, actor_label="bench", verb="agency.view", target=agency)
    return HttpResponse(agency.name)


def plain(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        agency = _read(pk)
        kind, key, label = target_of(agency)
        AuditEntry.objects.create(
            actor_label="bench",
            verb="agency.view",
            target_type=kind,
            target_id=key,
            target_label=label,
        )
    return HttpResponse(agency.name)


def naive(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        agency = _read(pk)
        kind, key, label = target_of(agency)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT seq, hash FROM {HEAD_TABLE} WHERE id = 1 FOR UPDATE")
            seq, prev = cursor.fetchone()
        entry = AuditEntry.objects.create(
            actor_label="bench",
            verb="agency.view",
            target_type=kind,
            target_id=key,
            target_label=label,
        )
        entry.refresh_from_db()  # hash what the database stores, as verification will
        digest = chain.link(prev, entry.hash_values())
        AuditSeal.objects.create(seq=seq + 1, entry_id=entry.pk, prev_hash=prev, hash=digest)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {HEAD_TABLE} SET seq = %s, hash = %s WHERE id = 1", [seq + 1, digest]
            )
    return HttpResponse(agency.name)


urlpatterns = [
    path("chained/<int:pk>/", chained),
    path("inline/<int:pk>/", chained),
    path("unsealed/<int:pk>/", chained),
    path("plain/<int:pk>/", plain),
    path("naive/<int:pk>/", naive),
]


def _environ(url: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": url,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": BytesIO(),
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "127.0.0.1",
    }


def _worker(args: tuple[str, list[int], float, float]) -> tuple[int, float, float]:
    """Requests done, and the CPU seconds spent by this worker and by its database backend."""
    mode, pks, start_at, seconds = args
    connection.connection = None  # a forked worker opens its own connection
    app = WSGIHandler()
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        statuses.append(status)

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    while time.time() < start_at:
        time.sleep(0.01)
    cpu, db_cpu = time.process_time(), _cpu_seconds(backend)
    done = 0
    stop = start_at + seconds
    while time.time() < stop:
        pk = pks[done % len(pks)]
        for _chunk in app(_environ(f"/{mode}/{pk}/"), start_response):
            pass
        done += 1
    cpu, db_cpu = time.process_time() - cpu, _cpu_seconds(backend) - db_cpu
    bad = [s for s in statuses if not s.startswith("200")]
    if bad:
        raise SystemExit(f"{mode}: {len(bad)} requests failed, first {bad[0]}")
    connection.close()
    return done, cpu, db_cpu


def _prepare() -> list[int]:
    from opennrm.demo.base import ensure_agencies

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {HEAD_TABLE} (id int PRIMARY KEY, seq bigint, hash text)"
        )
    pks = [agency.pk for agency in ensure_agencies().values()]
    seal_pending()
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, hash FROM audit_auditseal ORDER BY seq DESC LIMIT 1")
        head = cursor.fetchone() or (0, chain.GENESIS)
        cursor.execute(f"DELETE FROM {HEAD_TABLE}")
        cursor.execute(f"INSERT INTO {HEAD_TABLE} VALUES (1, %s, %s)", list(head))
    return pks


SEALER_INTERVAL = 1.0


def _start_sealer() -> subprocess.Popen[bytes]:
    """``manage.py seal_audit --follow`` as a deployment runs it: its own process, these settings.
    Returns once it has started (its first line), so that its start-up is not part of the run."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "audit_settings", "PYTHONPATH": str(BENCH)}
    process = subprocess.Popen(
        [
            sys.executable,
            str(BENCH.parent / "manage.py"),
            "seal_audit",
            "--follow",
            "--interval",
            str(SEALER_INTERVAL),
            "--skip-checks",
        ],
        env=env,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    process.stdout.readline()
    return process


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(mode: str, workers: int, seconds: float, pks: list[int]) -> tuple[float, int]:
    """Requests per second, and how many entries were still unsealed when the run ended."""
    seal_pending()  # leftovers of the previous run are not this run's work
    connection.close()
    # Inherited by the forked workers. "unsealed" is "chained" without its sealer: the web side alone.
    settings.AUDIT_SEALER = "external" if mode in {"chained", "unsealed"} else "inline"
    sealer = _start_sealer() if mode == "chained" else None
    sealer_cpu_at_start = _cpu_seconds(sealer.pid) if sealer is not None else 0.0
    if mode == "naive":
        # The naive chain continues the sealed chain: make its head the current one.
        with connection.cursor() as cursor:
            seal_pending()
            cursor.execute("SELECT seq, hash FROM audit_auditseal ORDER BY seq DESC LIMIT 1")
            head = cursor.fetchone() or (0, chain.GENESIS)
            cursor.execute(f"UPDATE {HEAD_TABLE} SET seq = %s, hash = %s WHERE id = 1", list(head))
        connection.close()
    start_at = time.time() + 1.0
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        results = pool.map(_worker, [(mode, pks, start_at, seconds)] * workers)
    counts = [done for done, _cpu, _db in results]
    total = max(1, sum(counts))
    web_ms = 1000 * sum(cpu for _done, cpu, _db in results) / total
    db_ms = 1000 * sum(db for _done, _cpu, db in results) / total
    print(
        f"  CPU per request: {web_ms:.2f} ms in the app, {db_ms:.2f} ms in its backend", flush=True
    )
    behind = AuditEntry.objects.filter(seal__isnull=True).count() if mode != "plain" else 0
    connection.close()
    if sealer is not None:
        cpu = _cpu_seconds(sealer.pid) - sealer_cpu_at_start
        per = 1000 * cpu / total
        print(
            f"  the sealer process used {cpu:.2f} s of CPU ({per:.2f} ms per request)", flush=True
        )
        sealer.terminate()
        if sealer.wait(30) != 0:
            raise SystemExit(f"seal_audit --follow ended with exit code {sealer.returncode}")
    return sum(counts) / seconds, behind


def main() -> None:
    global SEALER_INTERVAL
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--seal-interval",
        type=float,
        default=None,
        help="Override audit.services.SEAL_INTERVAL_SECONDS for inline sealing (its own cost).",
    )
    parser.add_argument(
        "--sealer-interval",
        type=float,
        default=SEALER_INTERVAL,
        help="Seconds between two rounds of the external sealer (seal_audit --follow --interval).",
    )
    parser.add_argument("--modes", default="plain,chained,inline,naive")
    options = parser.parse_args()
    SEALER_INTERVAL = options.sealer_interval
    if options.seal_interval is not None:
        from opennrm.audit import services

        services.SEAL_INTERVAL_SECONDS = options.seal_interval
    if connection.vendor != "postgresql":
        raise SystemExit("Run this benchmark on PostgreSQL (set DATABASE_URL).")
    pks = _prepare()
    results: dict[str, list[float]] = {mode: [] for mode in options.modes.split(",")}
    for round_number in range(1, options.rounds + 1):
        for mode in results:
            rate, behind = run(mode, options.workers, options.seconds, pks)
            results[mode].append(rate)
            lag = f", {behind} entries unsealed at the end" if mode != "plain" else ""
            print(f"round {round_number} {mode:8s} {rate:8.1f} requests/s{lag}", flush=True)
    base = sum(results["plain"]) / len(results["plain"]) if "plain" in results else 1.0
    print(f"\n{options.workers} workers, {options.seconds:.0f} s per run, {options.rounds} rounds")
    for mode, rates in results.items():
        mean = sum(rates) / len(rates)
        print(f"{mode:8s} mean {mean:8.1f} requests/s = {100 * mean / base:5.1f}% of plain")
    sealed = seal_pending()
    started = time.monotonic()
    report = verify_chain(jobs=1)
    print(
        f"after the run: sealed {sealed} remaining entries; verify_chain ok={report.ok}, "
        f"{report.checked:,} seals checked in {time.monotonic() - started:.1f} s, "
        f"{report.unsealed} unsealed"
    )
    if not report.ok:
        raise SystemExit(f"chain broken: {report.problems[0]}")


if __name__ == "__main__":
    main()
