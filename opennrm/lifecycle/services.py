"""Retention and erasure: the daily proposal, four-eyes approval, legal holds, erasure.

Erasure of a person means:

- every encrypted value that belongs to them is blanked — found generically: each
  ``EncryptedTextField`` of a model that reaches ``cases.Person`` through at most two foreign keys
  (the person, their referrals, cases and everything hanging off a case, and the screenings their
  referrals came from), so a new app's personal data is covered without editing this module;
- the blind indexes of their names are blanked, so no duplicate search can find them again;
- their pseudonymous code and the clear statistical columns (sex, year of birth, citizenship, the
  case facts) stay, so every published figure stays the same;
- audit entries stay as they are: they name codes, never people (``audit.services.target_of``), and
  the trail is append-only;
- a signed erasure record goes into the audit trail: what was erased (counts per column), on whose
  two approvals, signed with the installation's key (``django.core.signing``) and hash-chained
  like every entry.

Erasure lives here rather than in ``cases/services.py`` because it crosses apps (screening,
transnational, whatever comes next) and must not be forgotten by any of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import batched
from typing import Any

from django.core import signing
from django.db import models, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts.models import User
from opennrm.accounts.roles import Role
from opennrm.audit.models import AuditEntry
from opennrm.audit.services import entry_row, record, seal_after_commit, target_of
from opennrm.cases import vocab as case_vocab
from opennrm.cases.models import Case, Person
from opennrm.core.errors import ConflictError, PermissionDeniedError
from opennrm.core.fields import encrypted_fields
from opennrm.lifecycle.models import ErasureProposal, ErasureStatus
from opennrm.lifecycle.retention import schedule

# Who may approve an erasure: the identification centre's case managers (who know the case) and
# the data protection officer (auditor role). Two different people, whatever their roles.
APPROVER_ROLES = frozenset({Role.CASE_MANAGER, Role.AUDITOR})
SIGNING_SALT = "opennrm.lifecycle.erasure"
_NOT_ERASED = ("audit.", "imports.", "accounts.", "lifecycle.")
_BLIND_INDEXES = ("name_index", "name_dob_index", "name_yob_index")


def may_approve(user: User) -> bool:
    return user.is_active and bool(user.roles & APPROVER_ROLES)


# -- the retention job -------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRun:
    proposed: int
    already_open: int
    held: int


_OPEN = (ErasureStatus.PROPOSED, ErasureStatus.APPROVED_ONCE, ErasureStatus.HELD)
_HOLDS = ("hold_open_case", "hold_pending_request", "hold_restricted", "hold_proceeding")
# Proposals written per transaction by the retention job (and their audit entries).
RETENTION_BATCH = 5000


def _hold_flags() -> dict[str, Exists]:
    """The legal holds as EXISTS expressions over a Person queryset: one definition for the
    single person an approver is about to erase and for the million the retention job scans."""
    from opennrm.justice.models import VictimInProceeding
    from opennrm.justice.vocab import ProceedingStatus
    from opennrm.lifecycle.models import DataSubjectRequest, RequestStatus

    person = OuterRef("pk")
    return {
        "hold_open_case": Exists(
            Case.objects.filter(person=person).exclude(status=case_vocab.CaseStatus.CLOSED)
        ),
        "hold_pending_request": Exists(
            DataSubjectRequest.objects.filter(person=person, status=RequestStatus.OPEN).exclude(
                kind="erasure"
            )
        ),
        "hold_restricted": Exists(
            DataSubjectRequest.objects.filter(person=person, restricted=True)
        ),
        "hold_proceeding": Exists(
            VictimInProceeding.objects.filter(
                case__person=person, proceeding__status=ProceedingStatus.ACTIVE
            )
        ),
    }


def _hold_reason(flags: Mapping[str, bool]) -> str:
    if flags["hold_open_case"]:
        return _("a case of this person is open")
    if flags["hold_pending_request"]:
        return _("a data-subject request of this person is pending")
    if flags["hold_restricted"]:
        return _("a restriction of processing is in force")
    if flags["hold_proceeding"]:
        return _("a court proceeding in which this person is a victim is active")
    return ""


def legal_hold(person: Person) -> str:
    """Why this person's data must not be erased now ("" when nothing holds it): an open case,
    a pending data-subject request or a restriction in force, an active proceeding in which they
    are a victim."""
    flags = Person.objects.filter(pk=person.pk).annotate(**_hold_flags()).values(*_HOLDS).get()
    return _hold_reason(flags)


def retention_propose_due(*, today: date | None = None) -> RetentionRun:
    """Propose the erasure of every person whose cases all closed more than the retention period
    ago (``OPENNRM_RETENTION_CLOSED_CASE_DAYS``). Proposes only: nothing is erased without two
    approvals. Idempotent: a person with an open proposal is not proposed twice, an erased one
    never again, and one whose proposal was rejected not until a case of theirs closes after
    that proposal. System action (the daily task and ``manage.py retention_job``), audited per
    proposal.

    Set-based, for a register of millions: one query finds the people due with their open
    proposals and legal holds (EXISTS on indexed keys), and the proposals and their audit
    entries (the same entry ``record`` writes) go in by batches of ``RETENTION_BATCH``, one
    transaction each, the chain sealed after each."""
    today = today or timezone.localdate()
    rule = schedule("closed_case")
    cutoff = today - timedelta(days=rule.days)
    proposals = ErasureProposal.objects.filter(person=OuterRef("pk"))
    candidates = (
        Person.objects.filter(cases__isnull=False)
        .exclude(cases__status__in=[s for s in case_vocab.CaseStatus if s != "closed"])
        .annotate(last_closed=Max("cases__closed_at"))
        .filter(last_closed__date__lte=cutoff)
        .annotate(
            open_proposal=Exists(proposals.filter(status__in=_OPEN)),
            erased=Exists(proposals.filter(status=ErasureStatus.ERASED)),
        )
        .filter(erased=False)
        .order_by()
    )
    # A rejected proposal holds until a case of the person closes after it (rejections are few).
    rejected = dict(
        ErasureProposal.objects.filter(status=ErasureStatus.REJECTED)
        .values("person_id")
        .annotate(last=Max("proposed_at"))
        .values_list("person_id", "last")
    )
    # One pass over the people due (the aggregate is the costly part): those with an open
    # proposal are counted, the others proposed.
    due = (
        candidates.annotate(**_hold_flags())
        .values_list("pk", "code", "last_closed", "open_proposal", *_HOLDS)
        .order_by("pk")
    )
    proposed = held = already = 0
    for batch in batched(due.iterator(chunk_size=RETENTION_BATCH), RETENTION_BATCH):
        rows = []
        for pk, code, last_closed, open_proposal, *flags in batch:
            if open_proposal:
                already += 1
                continue
            if pk in rejected and rejected[pk] >= last_closed:
                continue
            hold = _hold_reason(dict(zip(_HOLDS, flags, strict=True)))
            rows.append(
                (
                    code,
                    hold,
                    ErasureProposal(
                        person_id=pk,
                        kind=rule.kind,
                        due_on=last_closed.date() + timedelta(days=rule.days),
                        status=ErasureStatus.HELD if hold else ErasureStatus.PROPOSED,
                        hold_reason=hold[:200],
                    ),
                )
            )
        if not rows:
            continue
        with transaction.atomic():
            ErasureProposal.objects.bulk_create([proposal for _code, _hold, proposal in rows])
            AuditEntry.objects.bulk_create(
                [
                    AuditEntry(
                        **entry_row(
                            actor=None,
                            actor_label="retention job",
                            verb="lifecycle.erasure_proposed",
                            target_type=target[0],
                            target_id=target[1],
                            target_label=target[2],
                            changes={"person": code, "kind": rule.kind, "held": bool(hold)},
                        )
                    )
                    for code, hold, proposal in rows
                    for target in (target_of(proposal),)
                ]
            )
            seal_after_commit()
        batch_held = sum(1 for _code, hold, _proposal in rows if hold)
        held += batch_held
        proposed += len(rows) - batch_held
    return RetentionRun(proposed=proposed, already_open=already, held=held)


def task_results_prune(*, now: datetime | None = None, days: int | None = None) -> int:
    """Remove the background worker's records of the tasks that finished (succeeded or failed)
    more than ``days`` (``OPENNRM_RETENTION_TASK_RESULTS_DAYS``) ago; returns how many. Each record keeps
    its task's arguments and its result or traceback: a worker that delivers a package every
    minute leaves half a million a year, and a traceback may quote what it failed on. Tasks still
    waiting or running are never touched. Called by the daily retention run; the same rule as
    django-tasks-db's ``prune_db_task_results``, over every queue."""
    from django_tasks_db.models import DBTaskResult

    keep_days = schedule("task_results").days if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=keep_days)
    deleted, _by_model = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


# -- four-eyes approval ------------------------------------------------------------------------


def erasure_approve(*, actor: User, proposal_id: int) -> ErasureProposal:
    """Approve an erasure. The first approval only records itself; the second, by a different
    authorised person, checks the legal holds again and erases. Raises PermissionDeniedError for
    someone not allowed, ConflictError for a second approval by the same person, a proposal no
    longer open, or a legal hold found now."""
    if not may_approve(actor):
        raise PermissionDeniedError(
            _("Only case managers and the data protection officer approve erasures.")
        )
    with transaction.atomic():
        proposal = ErasureProposal.objects.select_for_update().get(pk=proposal_id)
        now = timezone.now()
        if proposal.status == ErasureStatus.PROPOSED:
            proposal.first_approver = actor
            proposal.first_approved_at = now
            proposal.status = ErasureStatus.APPROVED_ONCE
            proposal.save(update_fields=["first_approver", "first_approved_at", "status"])
            record(
                actor=actor,
                verb="lifecycle.erasure_approved",
                target=proposal,
                changes={"approval": 1},
            )
            return proposal
        if proposal.status != ErasureStatus.APPROVED_ONCE:
            raise ConflictError(_("This erasure is no longer waiting for approval."))
        if proposal.first_approver_id == actor.pk:
            raise ConflictError(
                _("A second, different person must approve: you approved this erasure already.")
            )
        hold = legal_hold(proposal.person)
        if hold:
            # The hold is recorded (and committed) before the refusal is raised.
            proposal.status = ErasureStatus.HELD
            proposal.hold_reason = hold[:200]
            proposal.save(update_fields=["status", "hold_reason"])
            record(
                actor=actor, verb="lifecycle.erasure_held", target=proposal, changes={"hold": hold}
            )
        else:
            _erase_with_second_approval(proposal, actor=actor, now=now)
    if hold:
        raise ConflictError(_("Erasure is blocked by a legal hold: %(hold)s.") % {"hold": hold})
    return proposal


def _erase_with_second_approval(proposal: ErasureProposal, *, actor: User, now: datetime) -> None:
    """The second approval: erase, close the proposal, write the signed record (in the
    caller's transaction)."""
    proposal.second_approver = actor
    proposal.second_approved_at = now
    erased = _erase_person(proposal.person)
    proposal.status = ErasureStatus.ERASED
    proposal.erased_at = now
    proposal.save(update_fields=["second_approver", "second_approved_at", "status", "erased_at"])
    assert proposal.first_approver is not None
    body = {
        "proposal": proposal.pk,
        "person": proposal.person.code,
        "kind": proposal.kind,
        "approvers": [proposal.first_approver.get_username(), actor.get_username()],
        "erased_at": now.isoformat(),
        "erased": erased,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    signature = signing.Signer(salt=SIGNING_SALT).signature(canonical)
    record(
        actor=actor,
        verb="lifecycle.erasure",
        target=proposal.person,
        changes={**body, "signature": signature},
    )


def erasure_reject(*, actor: User, proposal_id: int) -> ErasureProposal:
    """Keep the data: the proposal ends; the next retention run will not propose it again until
    a new case of the person closes and falls due."""
    if not may_approve(actor):
        raise PermissionDeniedError(
            _("Only case managers and the data protection officer approve erasures.")
        )
    with transaction.atomic():
        proposal = ErasureProposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.status not in (
            ErasureStatus.PROPOSED,
            ErasureStatus.APPROVED_ONCE,
            ErasureStatus.HELD,
        ):
            raise ConflictError(_("This erasure is no longer waiting for approval."))
        proposal.status = ErasureStatus.REJECTED
        proposal.rejected_by = actor
        proposal.save(update_fields=["status", "rejected_by"])
        record(actor=actor, verb="lifecycle.erasure_rejected", target=proposal)
    return proposal


def verify_erasure_record(changes: dict[str, Any]) -> bool:
    """True when an erasure entry's signature matches its content."""
    body = {key: value for key, value in changes.items() if key != "signature"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    try:
        signing.Signer(salt=SIGNING_SALT).unsign(f"{canonical}:{changes.get('signature', '')}")
    except signing.BadSignature:
        return False
    return True


# -- erasure -----------------------------------------------------------------------------------

# Paths from a model to the person beyond foreign keys (reverse relations).
_EXTRA_PATHS = {"screening.screening": ("referrals__person",)}


def _paths_to_person(model: type[models.Model]) -> list[str]:
    """Lookups from ``model`` to ``cases.Person`` through at most two foreign keys."""
    label = model._meta.label_lower
    if model is Person:
        return ["pk"]
    paths = list(_EXTRA_PATHS.get(label, ()))
    for field in model._meta.concrete_fields:
        target = getattr(field, "related_model", None)
        if not isinstance(field, models.ForeignKey) or target is None:
            continue
        if target is Person:
            paths.append(field.name)
            continue
        for inner in target._meta.concrete_fields:
            if isinstance(inner, models.ForeignKey) and inner.related_model is Person:
                paths.append(f"{field.name}__{inner.name}")
            elif isinstance(inner, models.ForeignKey) and inner.related_model is Case:
                paths.append(f"{field.name}__{inner.name}__person")
    return paths


def personal_columns() -> list[tuple[type[models.Model], str, list[str]]]:
    """Every encrypted column that belongs to a person, with the paths that tie it to them."""
    found = []
    for model, field in encrypted_fields():
        if model._meta.label_lower.startswith(_NOT_ERASED):
            continue
        paths = _paths_to_person(model)
        if paths:
            found.append((model, field.name, paths))
    return found


def _erase_person(person: Person) -> dict[str, int]:
    erased: dict[str, int] = {}
    for model, column, paths in personal_columns():
        condition = Q()
        for path in paths:
            condition |= Q(**{path: person.pk})
        # Encrypted columns support no lookup but isnull: every row of the person is blanked.
        rows = model._base_manager.filter(condition)
        updates: dict[str, Any] = {column: ""}
        if any(f.name == "version" for f in model._meta.concrete_fields):
            updates["version"] = models.F("version") + 1  # open forms go stale, never overwrite
        count = model._base_manager.filter(pk__in=list(rows.values_list("pk", flat=True))).update(
            **updates
        )
        if count:
            erased[f"{model._meta.label_lower}.{column}"] = count
    Person.objects.filter(pk=person.pk).update(
        **dict.fromkeys(_BLIND_INDEXES, ""), version=models.F("version") + 1
    )
    erased["cases.person.blind_indexes"] = 1
    return erased


def proposal_list(*, actor: User) -> models.QuerySet[ErasureProposal]:
    """Proposals for the approvers' page; empty for anyone else."""
    if not may_approve(actor):
        return ErasureProposal.objects.none()
    return ErasureProposal.objects.select_related("person", "first_approver").filter(
        status__in=[ErasureStatus.PROPOSED, ErasureStatus.APPROVED_ONCE, ErasureStatus.HELD]
    )
