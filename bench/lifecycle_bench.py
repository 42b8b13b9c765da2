"""Lifecycle benchmark (issue 15): backup, restore and the retention job at 1,000,000 cases.

Run against the 1 M case database of the "Cases" section of bench/README.md, under the lock::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opnrm_cases_bench DEBUG=1 \\
        flock /tmp/opennrm-bench.lock .venv/bin/python bench/lifecycle_bench.py

Every part runs the real command in a process of its own, as an operator runs it, timed by
``/usr/bin/time`` (wall time and peak RSS):

1. ``backup``: ``manage.py backup`` of the database (pg_dump's custom format inside an exported
   snapshot, encrypted in chunks, checksummed) to a file in ``--work`` (a fresh random key).
2. ``restore``: ``manage.py restore`` of that file into a new empty database
   (``<name>_restore``), which then checks every table's row count and verifies the audit chain
   from genesis to the recorded head. The database is dropped afterwards (``--keep`` keeps it).
3. ``retention``: ``manage.py retention_job`` twice on a copy of the database
   (``createdb -T``, ``<name>_retention``; it writes proposals): the first run proposes every
   erasure that fell due, the second finds them all already proposed (the daily run's usual
   case). The copy is dropped afterwards.

``--root`` runs the commands of another checkout (a ``git archive`` of an older commit) against
the same database: "before" and "after" side by side in one locked job. The source database is
only read (backup, and as the template of the copies).
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PSQL = ["-h", "127.0.0.1", "-U", "postgres"]


def loadavg() -> str:
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return f"load {one} / {five} / {fifteen}"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def timed(
    command: list[str], *, env: dict[str, str], cwd: Path, timeout: float | None = None
) -> tuple[float, float, str]:
    """Run ``command`` under /usr/bin/time: (wall seconds, peak RSS MB, its output). After
    ``timeout`` seconds the command (its whole process group) is stopped: peak RSS is then 0
    and the output says so."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as measure:
        started = time.perf_counter()
        process = subprocess.Popen(
            ["/usr/bin/time", "-o", measure.name, "-f", "%e %M", *command],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            process.communicate()
            return time.perf_counter() - started, 0.0, f"STOPPED after {timeout:.0f} s"
        wall = time.perf_counter() - started
        output = output.strip()
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{output}")
        fields = measure.read().split()
    return wall, int(fields[-1]) / 1024, output


def proposals(url: str) -> int:
    out = subprocess.run(
        ["psql", *PSQL, "-Atc", "SELECT count(*) FROM lifecycle_erasureproposal", database_of(url)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out.strip())


def createdb(name: str, template: str | None = None) -> None:
    subprocess.run(["dropdb", *PSQL, "--if-exists", name], check=True)
    extra = ["-T", template] if template else []
    subprocess.run(["createdb", *PSQL, *extra, name], check=True)


def dropdb(name: str) -> None:
    subprocess.run(["dropdb", *PSQL, "--if-exists", name], check=True)


def cases(url: str) -> int:
    out = subprocess.run(
        ["psql", *PSQL, "-Atc", "SELECT count(*) FROM cases_case", database_of(url)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", choices=["backup", "restore", "retention"], action="append", default=None
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="Checkout whose commands run.")
    parser.add_argument("--work", type=Path, default=None, help="Where the backup file goes.")
    parser.add_argument("--keep", action="store_true", help="Keep the restored database.")
    parser.add_argument("--label", default="", help="A name for this checkout in the output.")
    parser.add_argument(
        "--timeout", type=float, default=None, help="Stop a retention run after this many seconds."
    )
    args = parser.parse_args()
    parts = args.only or ["backup", "restore", "retention"]
    url = os.environ["DATABASE_URL"]
    source = database_of(url)
    root = args.root.resolve()
    python = str(ROOT / ".venv" / "bin" / "python")
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    work = Path(args.work or tempfile.mkdtemp(prefix="opennrm-lifecycle-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    key_file = work / "backup.key"
    if not key_file.exists():
        key_file.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
        key_file.chmod(0o600)
    backup_file = work / f"{source}.backup"
    label = f" [{args.label}]" if args.label else ""
    print(f"Database {source}: {cases(url):,} cases; code {root}{label}", flush=True)
    lines: list[str] = []

    def report(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    manage = [python, "manage.py"]
    if "backup" in parts:
        before = loadavg()
        backup_file.unlink(missing_ok=True)
        wall, rss, output = timed(
            [*manage, "backup", "--out", str(backup_file), "--key-file", str(key_file)],
            env=env,
            cwd=root,
        )
        size = backup_file.stat().st_size / 2**20
        rows = re.search(r"([\d,]+) rows", output)
        report(
            f"backup{label}: {wall:.1f} s wall, peak RSS {rss:.0f} MB, file {size:,.0f} MiB "
            f"({rows.group(1) if rows else '?'} rows); {before} → {loadavg()}"
        )
    if "restore" in parts:
        if not backup_file.exists():
            raise SystemExit(f"No backup at {backup_file}: run the backup part first.")
        target = f"{source}_restore"
        createdb(target)
        before = loadavg()
        wall, rss, output = timed(
            [*manage, "restore", str(backup_file), "--key-file", str(key_file)],
            env={**env, "DATABASE_URL": with_database(url, target)},
            cwd=root,
        )
        checked = re.search(r"verifies \(([\d,]+) seals\)", output)
        report(
            f"restore{label}: {wall:.1f} s wall (decrypt, pg_restore, row counts, audit chain "
            f"{checked.group(1) if checked else '?'} seals verified), peak RSS {rss:.0f} MB; "
            f"{before} → {loadavg()}"
        )
        if not args.keep:
            dropdb(target)
    if "retention" in parts:
        copy = f"{source}_retention"
        started = time.perf_counter()
        createdb(copy, template=source)
        copying = time.perf_counter() - started
        copy_env = {**env, "DATABASE_URL": with_database(url, copy)}
        try:
            for run in ("first run (proposes)", "second run (all already proposed)"):
                before = loadavg()
                wall, rss, output = timed(
                    [*manage, "retention_job"], env=copy_env, cwd=root, timeout=args.timeout
                )
                if output.startswith("STOPPED"):
                    made = proposals(copy_env["DATABASE_URL"])
                    report(
                        f"retention_job{label}, {run}: {output}, {made:,} proposals written by "
                        f"then ({made / wall:,.0f}/s); {before} → {loadavg()}"
                    )
                    break
                report(
                    f"retention_job{label}, {run}: {wall:.1f} s wall, peak RSS {rss:.0f} MB — "
                    f"{output.splitlines()[-1] if output else ''} {before} → {loadavg()}"
                )
                # What the job left unsealed, sealed as the production sealer does, apart.
                wall, _rss, output = timed([*manage, "seal_audit"], env=copy_env, cwd=root)
                report(f"  then seal_audit (the sealer's sweep): {wall:.1f} s — {output[-200:]}")
        finally:
            dropdb(copy)
        print(f"(copy of the database made in {copying:.0f} s, not counted)", flush=True)
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
