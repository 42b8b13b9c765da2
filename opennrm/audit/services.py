"""Writing to the audit trail: ``record`` for every audited event, ``seal_pending`` for the chain."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from opennrm.audit import chain
from opennrm.audit.context import current
from opennrm.audit.models import AuditEntry, AuditSeal
from opennrm.audit.verification import Report, entry_columns, entry_values, verify_chain

if TYPE_CHECKING:
    from opennrm.accounts.models import User

log = logging.getLogger(__name__)

_PG_SEAL_LOCK = 7_200_7  # advisory-lock key: one sealer at a time across all processes
_SEAL_BATCH = 2000
# Sealing runs after commit at most this often per process; the worker and verify_audit catch up.
# With ``AUDIT_SEALER = "external"`` the web processes do not seal at all: one long-lived
# ``manage.py seal_audit --follow`` process does it this often (see ``seal_follow``).
SEAL_INTERVAL_SECONDS = 1.0
# After-commit sealing only looks at entries whose id is at most this far behind the chain head:
# an anti-join over the whole table costs seconds at ten million entries. An entry further behind
# (a transaction that stayed open while this many others were sealed) is sealed by the full sweep,
# which after-commit sealing runs every FULL_SWEEP_SECONDS, as do seal_audit and verify_audit.
SEAL_LOOKBACK_IDS = 10_000
FULL_SWEEP_SECONDS = 300.0
_last_seal_attempt = 0.0
_last_full_sweep = 0.0
_sealer_busy = threading.Lock()


def target_of(obj: models.Model | None) -> tuple[str, str, str]:
    """(type, id, label) for an audited object; the label must never contain personal data."""
    if obj is None:
        return "", "", ""
    meta = obj._meta
    label = getattr(obj, "audit_label", None) or f"{meta.verbose_name} #{obj.pk}"
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk), str(label)[:200]


def changes_of(obj: models.Model, before: Mapping[str, Any], fields: list[str]) -> dict[str, Any]:
    """What changed, for the entry: old/new values in clear fields, only the name for encrypted ones."""
    changes: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        old, new = before.get(name), getattr(obj, getattr(field, "attname", name))
        if old == new:
            continue
        if getattr(field, "encrypted", False):
            changes[name] = None
        else:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)


def record(
    *,
    actor: User | None,
    verb: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    purpose: str = "",
    recipient: str = "",
    changes: Mapping[str, Any] | None = None,
    flagged: bool = False,
    actor_label: str = "",
) -> AuditEntry:
    """Append one entry in the caller's transaction; the chain is sealed shortly after commit.

    ``purpose`` is required by policy for reads of personal data outside the caller's own cases;
    ``recipient`` names the agency a disclosure went to (referrals, exports).
    """
    if target is not None:
        target_type, target_id, target_label = target_of(target)
    entry = AuditEntry.objects.create(
        **entry_row(
            actor=actor,
            verb=verb,
            target_type=target_type,
            target_id=target_id,
            target_label=target_label,
            purpose=purpose,
            recipient=recipient,
            changes=changes,
            flagged=flagged,
            actor_label=actor_label,
        )
    )
    seal_after_commit()
    return entry


def entry_row(
    *,
    actor: User | None,
    verb: str,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    purpose: str = "",
    recipient: str = "",
    changes: Mapping[str, Any] | None = None,
    flagged: bool = False,
    actor_label: str = "",
) -> dict[str, Any]:
    """The column values of one entry, as ``record`` writes it: also for services that write
    their entries in bulk (the legacy import), so both paths write the same entry."""
    agency = getattr(actor, "agency", None) if actor is not None else None
    return {
        "actor_id": actor.pk if actor is not None and actor.pk else None,
        "actor_label": (actor.get_username() if actor is not None and actor.pk else actor_label)[
            :150
        ],
        "agency_label": (str(agency.name) if agency is not None else "")[:200],
        "verb": verb,
        "target_type": target_type,
        "target_id": target_id,
        "target_label": target_label,
        "purpose": purpose,
        "recipient": recipient,
        "changes": dict(changes or {}),
        "flagged": flagged,
        "ip": current().ip,
    }


def seal_after_commit() -> None:
    """Have the chain sealed once the current transaction commits, as ``record`` does: by the
    external sealer (``AUDIT_SEALER = "external"``), or by this process — at most once a
    ``SEAL_INTERVAL_SECONDS``, beside the request on PostgreSQL. For services that write their
    entries in bulk rather than through ``record`` (the legacy import); calling it once per batch
    is fine, the calls after the first are throttled to nothing."""
    transaction.on_commit(_seal_soon)


def update_recorded(
    obj: models.Model,
    *,
    actor: User,
    verb: str,
    expected_version: int,
    values: Mapping[str, Any],
) -> dict[str, Any]:
    """Set ``values`` on a versioned record, save it only if nobody saved it since
    ``expected_version`` (StaleRecordError otherwise), and record what changed; one transaction.

    The one place for the edit-and-audit step that every app's update services share. Returns
    the changes written to the audit entry. Permission checks stay with the calling service.
    """
    from opennrm.core.models import VersionedModel, save_versioned

    assert isinstance(obj, VersionedModel)
    fields = list(values)
    before = {name: getattr(obj, name) for name in fields}
    with transaction.atomic():
        for name, value in values.items():
            setattr(obj, name, value)
        save_versioned(obj, expected_version=expected_version, fields=fields)
        changes = changes_of(obj, before, fields)
        record(actor=actor, verb=verb, target=obj, changes=changes)
    return changes


def _seal_soon() -> None:
    global _last_seal_attempt
    if settings.AUDIT_SEALER == "external":
        return  # ``seal_audit --follow`` seals; the request's process does nothing more
    now = time.monotonic()
    if now - _last_seal_attempt < SEAL_INTERVAL_SECONDS:
        return
    _last_seal_attempt = now
    if connection.vendor != "postgresql" or _background_runs_inline():
        _seal_now()  # SQLite serialises writers anyway; a second writer thread would only wait
        return
    # On PostgreSQL the sealing runs beside the request, not in it: the request's response does
    # not wait for a transaction that is the chain's business. One such thread per process.
    if _sealer_busy.acquire(blocking=False):
        threading.Thread(target=_seal_in_thread, name="audit-sealer", daemon=True).start()


def _background_runs_inline() -> bool:
    """True where the project runs background work inline (tests, first run): seal inline too,
    so that no thread outlives the work that started it."""
    backend = str(settings.TASKS.get("default", {}).get("BACKEND", ""))
    return backend.endswith("ImmediateBackend")


def _seal_in_thread() -> None:
    try:
        _seal_now()
    finally:
        connection.close()  # the thread's own connection; never left open between runs
        _sealer_busy.release()


def _seal_now() -> None:
    global _last_full_sweep
    try:
        # One sealing transaction per interval across all processes, not one per process: a
        # seal commit costs a WAL flush like a request's, and several app processes would
        # otherwise multiply them. Reading the head's time is a plain read: it flushes nothing.
        head_at = AuditSeal.objects.order_by("-seq").values_list("sealed_at", flat=True).first()
        if head_at is not None and timezone.now() - head_at < timedelta(
            seconds=SEAL_INTERVAL_SECONDS
        ):
            return
        now = time.monotonic()
        full = now - _last_full_sweep >= FULL_SWEEP_SECONDS
        if full:
            _last_full_sweep = now
        seal_pending(full=full)
    except Exception:  # sealing is retried by the next attempt; never fail the user's request
        log.exception("Sealing the audit trail failed; it will be retried.")


def seal_pending(*, limit: int | None = None, full: bool = True) -> int:
    """Chain every committed, unsealed entry (in id order) after the current head; returns how many.

    One sealer at a time: PostgreSQL takes a transaction-level advisory lock (others skip, the
    holder seals their entries too); SQLite serialises writers anyway. A race that still slips
    through hits the primary key on ``seq`` (or the unique entry of a seal) and is rolled back,
    so an entry is never sealed twice. ``full=False`` looks only at entries near the head (see
    ``SEAL_LOOKBACK_IDS``); a full sweep finds every unsealed entry. Needs no permission: it only
    appends seals for entries that already exist.
    """

    def find(_seq: int, head_entry: int, batch: int) -> list[list[Any]]:
        if full:
            return _entry_rows(
                "NOT EXISTS (SELECT 1 FROM audit_auditseal s WHERE s.entry_id = e.id)", [], batch
            )
        return _unsealed_near(head_entry - SEAL_LOOKBACK_IDS, batch)

    return _seal_batches(find, limit, near=not full)


# Given the head's seq and entry id and a batch size, the entries to seal next, in id order, as
# their values in ``chain.HASHED_FIELDS`` order (the id first).
Finder = Callable[[int, int, int], list[list[Any]]]


def _entry_rows(where: str, params: list[Any], limit: int | None = None) -> list[list[Any]]:
    """Entries as hashed values, read and rendered exactly as verification reads them: what the
    sealer hashes is what ``verify_audit`` will hash, and no model instance is built per entry."""
    # ``where`` is one of this module's fixed conditions; values travel as parameters.
    sql = f"SELECT {entry_columns()} FROM audit_auditentry e WHERE {where} ORDER BY e.id"  # noqa: S608
    if limit is not None:
        sql, params = f"{sql} LIMIT %s", [*params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [entry_values(row) for row in cursor.fetchall()]


def _entries_by_id(ids: list[int]) -> list[list[Any]]:
    if not ids:
        return []
    if connection.vendor == "postgresql":
        return _entry_rows("e.id = ANY(%s)", [list(ids)])
    return _entry_rows(f"e.id IN ({', '.join(['%s'] * len(ids))})", list(ids))


def _seal_batches(find: Finder, limit: int | None = None, *, near: bool = True) -> int:
    """Seal, batch by batch, what ``find(head seq, head entry id, batch size)`` returns.

    ``near``: the finder reads only a window near the head. On PostgreSQL its queries are then
    kept on the indexes (``enable_seqscan`` off for this transaction): the audit tables grow by
    the second, their statistics always lag, and the planner was seen to scan the whole tables
    for ``id > %s`` (40–80 ms a round at 100,000 rows, growing with them).
    """
    sealed = 0
    while limit is None or sealed < limit:
        batch = _SEAL_BATCH if limit is None else min(_SEAL_BATCH, limit - sealed)
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_PG_SEAL_LOCK])
                        if not cursor.fetchone()[0]:
                            return sealed
                        if near:
                            cursor.execute("SET LOCAL enable_seqscan = off")
                head = (
                    AuditSeal.objects.order_by("-seq")
                    .values_list("seq", "hash", "entry_id")
                    .first()
                )
                seq, prev, head_entry = head if head else (0, chain.GENESIS, 0)
                entries = find(seq, head_entry, batch)
                if not entries:
                    return sealed
                now = timezone.now()
                seals = []
                for values in entries:
                    seq += 1
                    digest = chain.link(prev, values)
                    seals.append((seq, values[0], prev, digest, now))
                    prev = digest
                _insert_seals(seals)
                sealed += len(seals)
        except IntegrityError:
            return sealed
        if len(seals) < batch:
            # All that was pending is sealed; what committed meanwhile is the next round's. (Going
            # on while writers write would run one small transaction after another.)
            return sealed
    return sealed


def _insert_seals(seals: list[tuple[Any, ...]]) -> None:
    """One statement for many seals, which costs the database far less than one per row:
    PostgreSQL takes five arrays; SQLite multi-row VALUES of 500 (2,500 parameters, within its
    limit)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO audit_auditseal (seq, entry_id, prev_hash, hash, sealed_at) "
                "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::varchar[], "
                "%s::timestamptz[])",
                [list(column) for column in zip(*seals, strict=True)],
            )
            return
        for start in range(0, len(seals), 500):
            chunk = seals[start : start + 500]
            rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))  # placeholders only
            sql = f"INSERT INTO audit_auditseal (seq, entry_id, prev_hash, hash, sealed_at) VALUES {rows}"  # noqa: S608
            cursor.execute(sql, [value for seal in chunk for value in seal])


def _window(low: int, size: int) -> tuple[list[int], set[int]]:
    """The first ``size`` entry ids above ``low`` (in order), and which of them are sealed.

    Two index range scans compared here rather than one anti-join, which PostgreSQL plans as a
    hash over every seal (see ``_seal_batches`` for keeping them on the indexes).
    """
    ids = list(
        AuditEntry.objects.filter(id__gt=low).order_by("id").values_list("id", flat=True)[:size]
    )
    if not ids:
        return ids, set()
    sealed = (
        AuditSeal.objects.filter(entry_id__gt=low, entry_id__lte=ids[-1])
        .order_by("entry_id")
        .values_list("entry_id", flat=True)[: len(ids)]  # a sealed entry is a visible one
    )
    return ids, set(sealed)


def _unsealed_near(low: int, batch: int) -> list[list[Any]]:
    """The first ``batch`` unsealed entries with an id above ``low``, in id order."""
    ids, sealed = _window(low, 2 * SEAL_LOOKBACK_IDS)
    return _entries_by_id([pk for pk in ids if pk not in sealed][:batch])


# How long ``seal_follow`` keeps looking for an id it has not seen (a transaction still open, or
# rolled back) before leaving it to the full sweep.
HOLE_SECONDS = 10.0


class _Follower:
    """What ``seal_follow`` knows between rounds, so that a round reads only the new entries.

    Invariant: every entry id at or below ``low`` is sealed, or was not visible for longer than
    ``HOLE_SECONDS`` (the full sweep seals it if it ever commits). ``holes`` are the ids above
    ``low`` not yet seen (an open transaction's, or a rolled-back one's), with when they were first
    missed. Whenever the head is not where this sealer left it (its first round, another sealer,
    a failed round) it starts again from the look-back window near the head: it seals what is
    visible there, and watches for gaps only above the head's entry (``floor``); below it, a
    late commit is the full sweep's.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.head_seq: int | None = None
        self.low = self.floor = 0
        self.holes: dict[int, float] = {}

    def find(self, seq: int, head_entry: int, batch: int) -> list[list[Any]]:
        if seq != self.head_seq:
            self.low, self.floor, self.holes = head_entry - SEAL_LOOKBACK_IDS, head_entry, {}
        ids, sealed = _window(self.low, 2 * SEAL_LOOKBACK_IDS)
        todo = [pk for pk in ids if pk not in sealed]
        if len(todo) <= batch:  # the whole window is sealed by this batch: move past it
            now = self.clock()
            top = ids[-1] if ids else self.low
            seen = set(ids)
            missing = (pk for pk in range(max(self.low, self.floor) + 1, top + 1) if pk not in seen)
            self.holes = {pk: self.holes.get(pk, now) for pk in missing}
            self.holes = {pk: t for pk, t in self.holes.items() if now - t < HOLE_SECONDS}
            self.low = min(self.holes) - 1 if self.holes else top
        todo = todo[:batch]
        self.head_seq = seq + len(todo)
        return _entries_by_id(todo)


def seal_follow(
    *,
    interval: float = SEAL_INTERVAL_SECONDS,
    stop: Callable[[], bool] = lambda: False,
    on_sealed: Callable[[int], None] | None = None,
) -> None:
    """Seal continuously, once per ``interval``, until ``stop()`` says so (``seal_audit --follow``).

    The one sealer of a deployment that sets ``AUDIT_SEALER = "external"``: web processes then
    spend nothing on the chain beyond their own insert. A round reads only the entries written
    since the previous one (see ``_Follower``); a full sweep at the start and every
    ``FULL_SWEEP_SECONDS`` seals whatever a long transaction committed behind them. Errors are
    logged and retried next round.
    """
    follower = _Follower()
    last_full = float("-inf")
    while not stop():
        started = time.monotonic()
        full = started - last_full >= FULL_SWEEP_SECONDS
        try:
            sealed = seal_pending(full=True) if full else _seal_batches(follower.find)
            if full:
                last_full = started
            if sealed and on_sealed is not None:
                on_sealed(sealed)
        except Exception:
            log.exception("Sealing the audit trail failed; it will be retried.")
            follower.head_seq = None
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()  # reopened by the next round
        time.sleep(max(0.0, interval - (time.monotonic() - started)))


def chain_verify(*, actor: User) -> Report:
    """Seal what is pending, verify the whole chain in this process (a web worker never forks)
    and record who verified it and the outcome."""
    seal_pending(full=True)
    report = verify_chain(jobs=1)
    record(
        actor=actor,
        verb="audit.verify",
        changes={"ok": [None, report.ok], "checked": [None, report.checked]},
    )
    return report
