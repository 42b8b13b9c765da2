"""The restore drill: backup → wipe → restore, on a SQLite file and on a scratch PostgreSQL
database, finds 0 differences (every table's row count, every decrypted personal-data value, the
audit chain and its head). A wrong key and a damaged file are refused and change nothing.

Each database is built and driven by ``manage.py`` in a subprocess, as an operator would: the
suite's own test database is in memory (SQLite) or inside pytest-django's transaction.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.passes import suite_database

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@dataclass
class Site:
    vendor: str
    env: dict[str, str]
    wipe: Any  # () -> None
    tmp: Path

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result

    def tables(self) -> dict[str, int]:
        out = self.manage(
            "shell",
            "-c",
            "import json; from opennrm.lifecycle.backups import current_manifest; "
            "print(json.dumps(current_manifest()['tables']))",
        ).stdout
        return dict(json.loads(out.strip().splitlines()[-1]))

    def fingerprint(self) -> dict[str, Any]:
        out = self.manage(
            "shell",
            "-c",
            "import json; from opennrm.lifecycle.backups import fingerprint; "
            "print(json.dumps(fingerprint()))",
        ).stdout
        return json.loads(out.strip().splitlines()[-1])


def _base_env(tmp: Path, database_url: str) -> dict[str, str]:
    key = tmp / "backup.key"
    key.write_text(base64.b64encode(os.urandom(32)).decode())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="1",
        DATABASE_URL=database_url,
        OPENNRM_BACKUP_KEY_FILE=str(key),
        OPENNRM_DATA_KEYS="drill1:" + base64.b64encode(os.urandom(32)).decode(),
        OPENNRM_BLIND_INDEX_KEY="drill-blind-index",
        OPENNRM_VAR_DIR=str(tmp / "var"),
        OPENNRM_TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend",
    )
    return env


def _pg_admin_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.rsplit("/", 1)[0] + "/postgres"
    return "postgres://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    if request.param != suite_database():
        pytest.skip(f"the {request.param} drill runs in the suite's {request.param} pass")
    if request.param == "sqlite":
        db_file = tmp_path / "drill.sqlite3"

        def wipe_sqlite() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_file}{suffix}").unlink(missing_ok=True)

        yield Site("sqlite", _base_env(tmp_path, f"sqlite:///{db_file}"), wipe_sqlite, tmp_path)
        return
    admin_url = _pg_admin_url()
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server to make a scratch database on ({exc})")
    name = f"opennrm_drill_{os.getpid()}"

    def wipe_pg() -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')

    wipe_pg()
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield Site("postgresql", _base_env(tmp_path, url), wipe_pg, tmp_path)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_backup_wipe_restore_finds_no_difference(site: Site) -> None:
    site.manage("migrate", "--noinput", "-v", "0")
    site.manage("generate_cases", "--count", "40", "--seed", "7")
    before = site.fingerprint()
    assert before["tables"]["cases_person"] == 40
    assert before["audit_head"]["seq"] > 40
    backup = site.tmp / "nightly.onrmbak"
    written = site.manage("backup", "--out", str(backup)).stdout
    assert f"audit chain head seal {before['audit_head']['seq']}" in written
    assert backup.stat().st_mode & 0o777 == 0o600
    # The names are nowhere in the file, compressed or not: it is encrypted.
    assert b"cases_person" not in backup.read_bytes()

    site.wipe()
    wrong = site.tmp / "wrong.key"
    wrong.write_text(base64.b64encode(os.urandom(32)).decode())
    refused = site.manage("restore", str(backup), "--key-file", str(wrong), check=False)
    assert refused.returncode != 0
    assert "does not match the key this backup was written with" in refused.stderr

    damaged = site.tmp / "damaged.onrmbak"
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x40
    damaged.write_bytes(bytes(data))
    refused = site.manage("restore", str(damaged), check=False)
    assert refused.returncode != 0
    assert "nothing was restored" in refused.stderr
    assert "damaged" in refused.stderr
    assert site.tables() == {}  # both refusals left the wiped database untouched

    restored = site.manage("restore", str(backup)).stdout
    assert "every row count matches" in restored
    assert f"up to the recorded head, seal {before['audit_head']['seq']}" in restored
    after = site.fingerprint()
    differences = [key for key in set(before) | set(after) if before.get(key) != after.get(key)]
    assert differences == []
    assert (
        after["decrypted"]["cases_person.family_name"]
        == before["decrypted"]["cases_person.family_name"]
    )

    # A second restore over the restored database needs --replace, and then also finds nothing.
    again = site.manage("restore", str(backup), check=False)
    assert "The database is not empty" in again.stderr
    site.manage("restore", str(backup), "--replace")
    assert site.fingerprint() == before
