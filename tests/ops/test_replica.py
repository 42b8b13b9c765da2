"""The read replica: statistics requests read from it, everything else from the primary; and a
real streaming replica (a second PostgreSQL cluster made with pg_basebackup on this machine)
serves the statistics."""

from __future__ import annotations

import base64
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from opennrm.lifecycle import replica
from tests.passes import only_in_pass

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/statistics/", True),
        ("get", "/api/v1/statistics/tables/", True),
        ("post", "/statistics/", False),
        ("get", "/cases/", False),
        ("get", "/audit/", False),
    ],
)
def test_only_statistics_reads_go_to_the_replica(
    monkeypatch: pytest.MonkeyPatch, method: str, path: str, expected: bool
) -> None:
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    seen: list[str | None] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(replica.ReplicaRouter().db_for_read(object))
        return HttpResponse()

    replica.ReplicaReadsMiddleware(view)(getattr(RequestFactory(), method)(path))
    assert seen == (["replica"] if expected else [None])
    assert replica.ReplicaRouter().db_for_write(object) == "default"
    assert replica.ReplicaRouter().allow_migrate("replica", "cases") is False


# -- a real streaming replica ------------------------------------------------------------------


def _bindir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        path = Path(candidate)
        if all((path / tool).exists() for tool in ("initdb", "pg_ctl", "pg_basebackup")):
            return path
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Clusters:
    def __init__(self, bindir: Path, base: Path) -> None:
        self.bindir, self.base = bindir, base
        self.as_postgres = os.geteuid() == 0
        self.started: list[Path] = []

    def run(self, tool: str, *args: str) -> str:
        command = [str(self.bindir / tool), *args]
        if self.as_postgres:  # PostgreSQL refuses to run as root; CI runs as root
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
        if result.returncode != 0:
            raise AssertionError(f"{tool} failed: {result.stderr}")
        return result.stdout

    def start(self, data: Path, port: int) -> None:
        with open(data / "postgresql.auto.conf", "a") as conf:
            conf.write(f"port = {port}\nlisten_addresses = '127.0.0.1'\n")
            conf.write(f"unix_socket_directories = '{self.base}'\n")
        self.run(
            "pg_ctl", "-D", str(data), "-l", str(self.base / f"{data.name}.log"), "-w", "start"
        )
        self.started.append(data)

    def stop_all(self) -> None:
        for data in reversed(self.started):
            self.run("pg_ctl", "-D", str(data), "-m", "immediate", "stop")


@pytest.fixture
def clusters() -> Iterator[Clusters]:
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are not installed")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run a cluster as")
    base = Path(tempfile.mkdtemp(prefix="opennrm-replica-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    made = Clusters(bindir, base)
    try:
        yield made
    finally:
        try:
            made.stop_all()
        finally:
            shutil.rmtree(base, ignore_errors=True)


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


PROBE = """
from django.db import connections
from opennrm.lifecycle.replica import reads_from_replica
from opennrm.cases.models import Case
from opennrm.statistics.tables import Period, build_tables, standard_tables
from django.utils import timezone
import datetime, json
year = timezone.localdate().year
period = Period(datetime.date(year - 10, 1, 1), datetime.date(year, 12, 31))
def figures():
    return [[list(r) for r in t.table.cells] for t in build_tables(standard_tables().values(), period)]
primary = figures()
primary_cases = Case.objects.count()
before = len(connections['replica'].queries)
with reads_from_replica():
    served = figures()
    replica_cases = Case.objects.count()
replica_queries = len(connections['replica'].queries) - before
with connections['replica'].cursor() as c:
    c.execute('SELECT pg_is_in_recovery()')
    in_recovery = c.fetchone()[0]
print(json.dumps({"same": served == primary, "cases": [primary_cases, replica_cases],
                  "replica_queries": replica_queries, "in_recovery": in_recovery}))
"""


@pytest.mark.slow
@only_in_pass("postgresql")
def test_statistics_are_served_by_a_streaming_replica(clusters: Clusters) -> None:
    import json

    primary, standby = clusters.base / "primary", clusters.base / "standby"
    clusters.run("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    primary_port, standby_port = _free_port(), _free_port()
    clusters.start(primary, primary_port)
    clusters.run("createdb", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres", "nrm")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="1",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{primary_port}/nrm",
        OPENNRM_DATA_KEYS="r1:" + base64.b64encode(os.urandom(32)).decode(),
        OPENNRM_BLIND_INDEX_KEY="replica-test",
        OPENNRM_TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend",
    )
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "generate_cases", "--count", "30", "--seed", "3")
    clusters.run(
        "pg_basebackup",
        "-h",
        "127.0.0.1",
        "-p",
        str(primary_port),
        "-U",
        "postgres",
        "-D",
        str(standby),
        "-R",
        "-X",
        "stream",
    )
    clusters.start(standby, standby_port)
    # Written after the copy: only streaming brings these to the standby.
    _manage(env, "generate_cases", "--count", "12", "--seed", "4")
    env["DATABASE_REPLICA_URL"] = f"postgres://postgres@127.0.0.1:{standby_port}/nrm"
    for _ in range(60):
        result = json.loads(_manage(env, "shell", "-c", PROBE).strip().splitlines()[-1])
        if result["cases"][0] == result["cases"][1]:
            break
        time.sleep(1)
    assert result["in_recovery"] is True  # the replica alias is the standby, read-only
    assert result["cases"] == [42, 42]  # streamed, not only copied
    assert result["replica_queries"] > 0  # the statistics were read there
    assert result["same"] is True  # and they are the primary's figures
