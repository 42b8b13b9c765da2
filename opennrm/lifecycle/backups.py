"""Backups that restore: ``write_backup`` and ``restore_backup`` (used by the two commands).

PostgreSQL is dumped by ``pg_dump`` in its custom format (compressed, restorable table by table by
``pg_restore``), inside a snapshot exported from a REPEATABLE READ transaction: the manifest (row
counts, the audit chain's head) is read from the very snapshot that is dumped, so the recorded head
is the head in the dump. SQLite is copied with its online backup API (consistent while the platform
runs) and compressed with zlib. Either payload is then encrypted by ``container`` under the backup
key, which is not one of the data keys: the ciphertexts inside still need ``OPENNRM_DATA_KEYS``, so
keep both keys, apart, where the backups are not.

A restore first decrypts and checks the whole file into a private temporary directory (a wrong key
or a damaged file stops it there, before the database is touched), then loads it, then checks the
result against the manifest: every table's row count and the audit chain, verified from genesis to
the recorded head.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection, connections

from opennrm.lifecycle import container
from opennrm.lifecycle.container import BackupError

_READ = 1 << 20


def backup_key(override_file: str | None = None) -> bytes:
    """The backup key from ``--key-file`` or the ``OPENNRM_BACKUP_KEY`` setting."""
    if override_file:
        try:
            text = Path(override_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise BackupError(f"The key file {override_file} cannot be read: {exc}.") from None
    else:
        text = settings.OPENNRM_BACKUP_KEY
    if not text:
        raise BackupError(
            "No backup key: set OPENNRM_BACKUP_KEY_FILE (or OPENNRM_BACKUP_KEY) to base64 of "
            "32 random bytes, or pass --key-file."
        )
    return container.parse_key(text)


# -- what a database holds ---------------------------------------------------------------------


def _tables(cursor: Any) -> list[str]:
    return sorted(
        name
        for name in connection.introspection.table_names(cursor)
        if not name.startswith("sqlite_")
    )


def manifest_from(cursor: Any, vendor: str) -> dict[str, Any]:
    """Row counts of every table, the audit chain's head and the applied migrations."""
    quote = connection.ops.quote_name
    counts: dict[str, int] = {}
    for table in _tables(cursor):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - introspected names
        counts[table] = int(cursor.fetchone()[0])
    head: dict[str, Any] = {"seq": 0, "hash": ""}
    if "audit_auditseal" in counts:
        cursor.execute("SELECT seq, hash FROM audit_auditseal ORDER BY seq DESC LIMIT 1")
        row = cursor.fetchone()
        if row:
            head = {"seq": int(row[0]), "hash": str(row[1])}
    migrations = 0
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations_digest = hashlib.sha256(
            "\n".join(f"{app}.{name}" for app, name in cursor.fetchall()).encode()
        ).hexdigest()
        migrations = counts["django_migrations"]
    else:
        migrations_digest = ""
    return {
        "vendor": vendor,
        "tables": counts,
        "audit_head": head,
        "migrations": migrations,
        "migrations_digest": migrations_digest,
    }


def current_manifest() -> dict[str, Any]:
    with connection.cursor() as cursor:
        return manifest_from(cursor, connection.vendor)


def fingerprint() -> dict[str, Any]:
    """The manifest plus a digest of every decrypted personal-data value (for restore drills):
    two databases with equal fingerprints hold the same rows, the same plaintexts and the same
    audit chain."""
    from opennrm.core.fields import encrypted_fields

    result = current_manifest()
    values: dict[str, str] = {}
    for model, field in encrypted_fields():
        digest = hashlib.sha256()
        for pk, value in model._base_manager.order_by("pk").values_list("pk", field.attname):
            digest.update(f"{pk}\x1f{value}\x1e".encode())
        values[f"{model._meta.db_table}.{field.column}"] = digest.hexdigest()
    result["decrypted"] = values
    return result


# -- writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    path: Path
    sha256: str
    size: int
    manifest: dict[str, Any]


def write_backup(out_path: Path, *, key: bytes, tmp_dir: str | None = None) -> Written:
    """Write an encrypted backup of the default database to ``out_path`` (and ``.sha256``)."""
    from opennrm.audit.services import seal_pending

    # Entries committed but not yet chained are sealed first, so the head recorded covers them.
    seal_pending()
    out_path = Path(out_path)
    partial = out_path.with_name(out_path.name + ".partial")
    header = {
        "created_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "vendor": connection.vendor,
    }
    try:
        with open(partial, "wb") as out:
            os.chmod(partial, 0o600)
            if connection.vendor == "postgresql":
                trailer = _write_postgresql(out, key, header)
            elif connection.vendor == "sqlite":
                trailer = _write_sqlite(out, key, header, tmp_dir)
            else:
                raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
            out.flush()
            os.fsync(out.fileno())
        partial.replace(out_path)
    finally:
        partial.unlink(missing_ok=True)
    digest = container.file_sha256(out_path)
    Path(f"{out_path}.sha256").write_text(f"{digest}  {out_path.name}\n", encoding="utf-8")
    return Written(out_path, digest, out_path.stat().st_size, trailer["manifest"])


@contextmanager
def _private_dir(tmp_dir: str | None) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="opennrm-backup-", dir=tmp_dir))
    try:
        os.chmod(path, 0o700)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _sqlite_path() -> str:
    name = str(settings.DATABASES["default"]["NAME"])
    if name in {":memory:", ""} or name.startswith("file::memory:"):
        raise BackupError("The database is in memory: there is no file to back up or restore.")
    return name


def _write_sqlite(out: Any, key: bytes, header: dict[str, Any], tmp_dir: str | None) -> Any:
    source_path = _sqlite_path()
    with _private_dir(tmp_dir) as private:
        copy = private / "copy.sqlite3"
        source = sqlite3.connect(source_path)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)  # the online backup API: a consistent copy of a live file
            manifest = manifest_from(target.cursor(), "sqlite")
        finally:
            target.close()
            source.close()

        def payload() -> Iterator[bytes]:
            packer = zlib.compressobj(6)
            with open(copy, "rb") as handle:
                while block := handle.read(_READ):
                    yield packer.compress(block)
            yield packer.flush()

        return container.write(
            out,
            key,
            payload(),
            header=dict(header, compression="zlib"),
            manifest_after=lambda: manifest,
        )


# -- PostgreSQL tools --------------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _major(version_text: str) -> int:
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", version_text)
    if not match:
        raise BackupError(f"Cannot read a PostgreSQL version from {version_text!r}.")
    return int(match.group(1))


def pg_tool(name: str) -> str:
    """The ``pg_dump``/``pg_restore`` whose major version matches the server's.

    A pg_dump older than the server refuses to dump it, and one from another major version may
    write an archive the server's own pg_restore cannot read. ``OPENNRM_PG_BINDIR`` names the
    directory; otherwise Debian's ``/usr/lib/postgresql/<major>/bin`` is preferred to ``PATH``.
    """
    server = connection.pg_version // 10000  # type: ignore[attr-defined]
    candidates = []
    if settings.OPENNRM_PG_BINDIR:
        candidates.append(Path(settings.OPENNRM_PG_BINDIR) / name)
    candidates.append(Path(f"/usr/lib/postgresql/{server}/bin/{name}"))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    seen = []
    for candidate in candidates:
        if not candidate.is_file():
            continue
        output = subprocess.run(  # noqa: S603 - a fixed tool with --version
            [str(candidate), "--version"], capture_output=True, text=True, check=False
        ).stdout
        major = _major(output)
        if major == server:
            return str(candidate)
        seen.append(f"{candidate} ({major})")
    raise BackupError(
        f"No {name} for PostgreSQL {server} was found (seen: {', '.join(seen) or 'none'}). "
        f"Install postgresql-client-{server} or set OPENNRM_PG_BINDIR."
    )


def _write_postgresql(out: Any, key: bytes, header: dict[str, Any]) -> Any:
    pg_dump = pg_tool("pg_dump")
    connection.ensure_connection()
    raw = connection.connection
    # The exported snapshot lives as long as this transaction: until pg_dump has finished.
    # pg_dump's messages go to a file, not a pipe: a full pipe would stall it.
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    previous = (raw.autocommit, raw.isolation_level, raw.read_only)
    raw.autocommit = False
    # psycopg opens the transaction itself at the first statement, with these characteristics.
    raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    raw.read_only = True
    try:
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            manifest = manifest_from(cursor, "postgresql")
        process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [
                pg_dump,
                "--format=custom",
                "--compress=6",
                f"--snapshot={snapshot}",
                "--no-owner",
                "--no-privileges",
            ],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=_pg_env(),
        )
        assert process.stdout is not None

        def payload() -> Iterator[bytes]:
            while block := process.stdout.read(_READ):  # type: ignore[union-attr]
                yield block

        def finished() -> dict[str, Any]:
            if process.wait() != 0:
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip()
                raise BackupError(f"pg_dump failed: {message}")
            return manifest

        trailer = container.write(
            out,
            key,
            payload(),
            header=dict(header, compression="pg_dump-custom"),
            manifest_after=finished,
        )
    finally:
        raw.rollback()
        raw.autocommit, raw.isolation_level, raw.read_only = previous
        errors.close()
    return trailer


# -- restoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    differences: list[str]
    chain_checked: int

    @property
    def ok(self) -> bool:
        return not self.differences


def check_file(path: Path, key: bytes, into: Path) -> dict[str, Any]:
    """Decrypt and authenticate the whole backup into ``into`` (the payload as written by the
    producer: zlib-compressed SQLite or a pg_dump archive); returns the header and trailer."""
    sidecar = Path(f"{path}.sha256")
    if sidecar.exists():
        recorded = sidecar.read_text(encoding="utf-8").split()[0]
        if recorded != container.file_sha256(path):
            raise container.DamagedBackupError(
                f"The backup's SHA-256 does not match {sidecar.name}: the file is damaged; "
                "nothing was restored."
            )
    with open(path, "rb") as source:
        reader = container.Reader(source, key)
        with open(into, "wb") as out:
            for block in reader.chunks():
                out.write(block)
    return {"header": reader.header.values, "trailer": reader.trailer}


def restore_backup(
    path: Path, *, key: bytes, replace: bool, tmp_dir: str | None = None
) -> Restored:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file {path}.")
    with _private_dir(tmp_dir) as private:
        payload = private / "payload"
        info = check_file(path, key, payload)
        header, trailer = info["header"], info["trailer"]
        if header.get("vendor") != connection.vendor:
            raise BackupError(
                f"This is a backup of a {header.get('vendor')} database; the configured database "
                f"is {connection.vendor}. Nothing was restored."
            )
        if not replace and _has_tables():
            raise BackupError(
                "The database is not empty: restore into an empty database, or pass --replace "
                "to overwrite it. Nothing was restored."
            )
        if connection.vendor == "sqlite":
            _restore_sqlite(payload, private)
        else:
            _restore_postgresql(payload, replace=replace)
    return verify_restored(trailer["manifest"])


def _has_tables() -> bool:
    with connection.cursor() as cursor:
        return bool(_tables(cursor))


def _restore_sqlite(payload: Path, private: Path) -> None:
    target_path = _sqlite_path()
    unpacked = private / "restored.sqlite3"
    unpacker = zlib.decompressobj()
    with open(payload, "rb") as source, open(unpacked, "wb") as out:
        while block := source.read(_READ):
            out.write(unpacker.decompress(block))
        out.write(unpacker.flush())
    check = sqlite3.connect(unpacked)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise container.DamagedBackupError(
                "The restored SQLite file fails its integrity check."
            )
        connections.close_all()
        target = sqlite3.connect(target_path)
        try:
            check.backup(target)  # replaces the whole target, pages and schema, in one step
        finally:
            target.close()
    finally:
        check.close()


def _restore_postgresql(payload: Path, *, replace: bool) -> None:
    pg_restore = pg_tool("pg_restore")
    connections.close_all()
    env = _pg_env()
    command = [
        pg_restore,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={env.get('PGDATABASE', '')}",
    ]
    if replace:
        command += ["--clean", "--if-exists"]
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [*command, str(payload)], capture_output=True, text=True, env=env, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            f"pg_restore failed (nothing was restored: one transaction): {result.stderr.strip()}"
        )


def verify_restored(manifest: dict[str, Any]) -> Restored:
    """Compare the database with the manifest: row counts, migrations, and the audit chain
    verified from genesis up to the head recorded at backup time."""
    from opennrm.audit.verification import verify_chain

    now = current_manifest()
    differences: list[str] = []
    for table, count in manifest["tables"].items():
        found = now["tables"].get(table)
        if found != count:
            differences.append(f"table {table}: {count} rows in the backup, {found} restored")
    for table in sorted(set(now["tables"]) - set(manifest["tables"])):
        differences.append(f"table {table} is not in the backup")
    if now["migrations_digest"] != manifest["migrations_digest"]:
        differences.append("the applied migrations differ from the backup's")
    report = verify_chain(stop_at_first=True)
    for problem in report.problems:
        differences.append(
            f"audit chain: seal {problem.seq} (entry {problem.entry_id}): {problem.reason}"
        )
    head = manifest["audit_head"]
    if now["audit_head"] != head:
        differences.append(
            f"audit chain head: the backup recorded seal {head['seq']} {head['hash']}, "
            f"the database has seal {now['audit_head']['seq']} {now['audit_head']['hash']}"
        )
    return Restored(manifest=manifest, differences=differences, chain_checked=report.checked)
