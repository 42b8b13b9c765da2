"""Writes for criminal proceedings. Every function: keyword-only, one transaction, audited.

All require ``proceeding.edit`` on the proceeding (its prosecutor's office, court or police), except
creation, which requires the actor's agency to be one of the proceeding's agencies.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import Agency, User
from opennrm.accounts.roles import AgencyType
from opennrm.audit.services import changes_of, record, update_recorded
from opennrm.core.errors import InvalidTransitionError, NotFoundError, ValidationFailed
from opennrm.core.models import save_versioned
from opennrm.justice import stages, vocab
from opennrm.justice.models import (
    Charge,
    Defendant,
    Hearing,
    Offence,
    Proceeding,
    StageChange,
    VictimInProceeding,
)


def _next_code(prefix: str, year: int, width: int) -> str:
    """Draw the next pseudonymous code from the shared sequence table (row-locked)."""
    from opennrm.cases.models import CodeSequence

    name = f"{prefix}:{year}"
    CodeSequence.objects.get_or_create(name=name)
    sequence = CodeSequence.objects.select_for_update().get(name=name)
    sequence.value += 1
    sequence.save(update_fields=["value"])
    return f"{prefix}-{year}-{sequence.value:0{width}d}"


def _require_edit(actor: User, proceeding: Proceeding) -> None:
    policy.require(actor, "proceeding.edit", proceeding)
    if proceeding.status != vocab.ProceedingStatus.ACTIVE and proceeding.stage != vocab.Stage.FINAL:
        raise InvalidTransitionError(_("This proceeding is closed; it can no longer be changed."))


def _check_agency(agency: Agency | None, expected: str, field: str) -> None:
    if agency is not None and agency.type != expected:
        raise ValidationFailed(
            _("Choose an agency of the right type."),
            fields={field: _("This agency is not of the right type.")},
        )


def proceeding_create(
    *,
    actor: User,
    prosecutor_office: Agency,
    started_on: date,
    stage: str = vocab.Stage.INVESTIGATION,
    court: Agency | None = None,
    police_agency: Agency | None = None,
    file_number: str = "",
    ex_officio: bool = True,
    forms_of_exploitation: Iterable[str] = (),
) -> Proceeding:
    """Open a proceeding (``proceeding.edit``; the actor's agency must take part in it)."""
    policy.require(actor, "proceeding.edit")
    _check_agency(prosecutor_office, AgencyType.PROSECUTION, "prosecutor_office")
    _check_agency(court, AgencyType.COURT, "court")
    _check_agency(police_agency, AgencyType.POLICE, "police_agency")
    if stage not in (vocab.Stage.PRE_INVESTIGATION, vocab.Stage.INVESTIGATION):
        raise ValidationFailed(
            _(
                "A proceeding starts at pre-investigation or investigation; record later stages as moves."
            ),
            fields={"stage": _("Choose pre-investigation or investigation.")},
        )
    if started_on > timezone.localdate():
        raise ValidationFailed(
            _("The start date is in the future."), fields={"started_on": _("Not in the future.")}
        )
    agencies = {
        prosecutor_office.pk,
        getattr(court, "pk", None),
        getattr(police_agency, "pk", None),
    }
    if actor.agency_id not in agencies:
        raise ValidationFailed(
            _(
                "Your agency must be the prosecutor's office, the court or the police of this proceeding."
            )
        )
    with transaction.atomic():
        proceeding = Proceeding.objects.create(
            code=_next_code("JP", started_on.year, 4),
            file_number=file_number.strip(),
            prosecutor_office=prosecutor_office,
            court=court,
            police_agency=police_agency,
            stage=stage,
            ex_officio=ex_officio,
            started_on=started_on,
            forms_of_exploitation=sorted(set(forms_of_exploitation)),
            created_by=actor,
        )
        StageChange.objects.create(
            proceeding=proceeding, stage=stage, entered_on=started_on, by=actor
        )
        record(actor=actor, verb="proceeding.create", target=proceeding)
    return proceeding


def proceeding_move(
    *,
    actor: User,
    proceeding: Proceeding,
    expected_version: int,
    stage: str,
    on: date,
    note: str = "",
) -> Proceeding:
    """Move to the next stage (``stages.NEXT``); reaching the final judgment concludes it."""
    _require_edit(actor, proceeding)
    refusal = stages.check_move(proceeding.stage, stage)
    if refusal is not None:
        allowed = ", ".join(
            str(vocab.Stage(s).label) for s in stages.NEXT.get(proceeding.stage, ())
        )
        raise InvalidTransitionError(
            _(
                "A proceeding at “%(current)s” cannot move to “%(requested)s”. Possible next stages: %(allowed)s."
            )
            % {
                "current": vocab.Stage(proceeding.stage).label,
                "requested": vocab.Stage(stage).label if stage in vocab.Stage.values else stage,
                "allowed": allowed or _("none"),
            }
        )
    last = proceeding.stage_changes.order_by("-entered_on", "-id").first()
    if last is not None and on < last.entered_on:
        raise ValidationFailed(
            _("The date is before the start of the current stage (%(date)s).")
            % {"date": date_format(last.entered_on, "DATE_FORMAT")},
            fields={"on": _("Not before the current stage began.")},
        )
    before = {"stage": proceeding.stage, "status": proceeding.status}
    with transaction.atomic():
        proceeding.stage = stage
        fields = ["stage"]
        if stage == vocab.Stage.FINAL:
            proceeding.status = vocab.ProceedingStatus.CONCLUDED
            proceeding.closed_on = on
            fields += ["status", "closed_on"]
        save_versioned(proceeding, expected_version=expected_version, fields=fields)
        StageChange.objects.create(
            proceeding=proceeding, stage=stage, entered_on=on, by=actor, note=note.strip()
        )
        record(
            actor=actor,
            verb="proceeding.stage",
            target=proceeding,
            changes=changes_of(proceeding, before, ["stage", "status"]),
        )
    return proceeding


def proceeding_close(
    *,
    actor: User,
    proceeding: Proceeding,
    expected_version: int,
    status: str,
    on: date,
    reason: str,
) -> Proceeding:
    """Dismiss or discontinue before the final judgment, with the reason."""
    _require_edit(actor, proceeding)
    if status not in (vocab.ProceedingStatus.DISMISSED, vocab.ProceedingStatus.DISCONTINUED):
        raise ValidationFailed(
            _("Choose dismissed or discontinued."), fields={"status": _("Choose one.")}
        )
    if proceeding.stage not in stages.CLOSABLE:
        raise InvalidTransitionError(
            _("A proceeding with a final judgment cannot be dismissed or discontinued.")
        )
    if len(reason.strip()) < 5:
        raise ValidationFailed(
            _("Give the reason for closing the proceeding."),
            fields={"reason": _("A reason is required.")},
        )
    before = {"status": proceeding.status}
    with transaction.atomic():
        proceeding.status = status
        proceeding.closed_on = on
        proceeding.closure_reason = reason.strip()
        save_versioned(
            proceeding,
            expected_version=expected_version,
            fields=["status", "closed_on", "closure_reason"],
        )
        record(
            actor=actor,
            verb="proceeding.close",
            target=proceeding,
            changes=changes_of(proceeding, before, ["status"]),
        )
    return proceeding


def _offence(code: str, field: str) -> Offence:
    offence = Offence.objects.filter(code=code, is_active=True).first()
    if offence is None:
        raise ValidationFailed(
            _("Unknown offence “%(code)s”.") % {"code": code},
            fields={field: _("Choose an offence from the list.")},
        )
    return offence


def defendant_add(
    *,
    actor: User,
    proceeding: Proceeding,
    sex: str,
    offences: Iterable[str],
    year_of_birth: int | None = None,
    citizenship: Iterable[str] = (),
    full_name: str = "",
) -> Defendant:
    """Add a defendant with the offences charged; a name is optional and stored encrypted."""
    _require_edit(actor, proceeding)
    if sex not in vocab.Sex.values:
        raise ValidationFailed(_("Choose the defendant's sex."), fields={"sex": _("Choose one.")})
    codes = list(dict.fromkeys(offences))
    if not codes:
        raise ValidationFailed(
            _("Charge at least one offence."), fields={"offences": _("Choose an offence.")}
        )
    if year_of_birth is not None and not 1900 <= year_of_birth <= timezone.localdate().year:
        raise ValidationFailed(
            _("The year of birth is not plausible."), fields={"year_of_birth": _("Check the year.")}
        )
    charged = [_offence(code, "offences") for code in codes]
    countries = sorted({c.strip().upper() for c in citizenship if c.strip()})
    if any(len(c) != 2 or not c.isalpha() for c in countries):
        raise ValidationFailed(
            _("Citizenship uses two-letter ISO 3166 codes."),
            fields={"citizenship": _("For example RS, AL, VN.")},
        )
    with transaction.atomic():
        number = proceeding.defendants.count() + 1
        defendant = Defendant.objects.create(
            proceeding=proceeding,
            code=f"{proceeding.code}-D{number}",
            sex=sex,
            year_of_birth=year_of_birth,
            citizenship=countries,
            full_name=full_name.strip(),
        )
        Charge.objects.bulk_create(
            Charge(defendant=defendant, offence=o, initial_offence=o) for o in charged
        )
        record(
            actor=actor,
            verb="defendant.create",
            target=defendant,
            changes={"offences": [None, codes], "full_name": None}
            if full_name.strip()
            else {"offences": [None, codes]},
        )
    return defendant


def charge_requalify(*, actor: User, charge: Charge, offence_code: str, on: date) -> Charge:
    """Change the qualification of a charge, keeping the initial offence (GRETA watches this)."""
    _require_edit(actor, charge.defendant.proceeding)
    offence = _offence(offence_code, "offence")
    if offence.pk == charge.offence_id:
        raise ValidationFailed(
            _("The charge already has this qualification."),
            fields={"offence": _("Choose another offence.")},
        )
    before = {"offence": charge.offence_id}
    with transaction.atomic():
        charge.offence = offence
        charge.requalified_on = on
        charge.save(update_fields=["offence", "requalified_on"])
        record(
            actor=actor,
            verb="charge.requalify",
            target=charge.defendant,
            changes={"offence": [before["offence"], offence.pk]},
        )
    return charge


def defendant_record_outcome(
    *,
    actor: User,
    defendant: Defendant,
    expected_version: int,
    outcome: str,
    on: date,
    prison_months: int | None = None,
    suspended: bool = False,
    fine_eur: Decimal | None = None,
    assets_confiscated_eur: Decimal | None = None,
    appeal_result: str = "",
) -> Defendant:
    """Record a judgment for one defendant: conviction with its sentence, acquittal or dismissal."""
    _require_edit(actor, defendant.proceeding)
    if outcome not in vocab.Outcome.values or outcome == vocab.Outcome.PENDING:
        raise ValidationFailed(_("Choose the outcome."), fields={"outcome": _("Choose one.")})
    if outcome == vocab.Outcome.CONVICTED and not prison_months and not fine_eur:
        raise ValidationFailed(
            _("A conviction needs a sentence: prison months or a fine."),
            fields={"prison_months": _("Enter the sentence.")},
        )
    if outcome != vocab.Outcome.CONVICTED and (prison_months or fine_eur):
        raise ValidationFailed(
            _("Only a conviction carries a sentence."), fields={"prison_months": _("Leave empty.")}
        )
    values = {
        "outcome": outcome,
        "outcome_on": on,
        "prison_months": prison_months,
        "suspended": suspended,
        "fine_eur": fine_eur,
        "assets_confiscated_eur": assets_confiscated_eur,
        "appeal_result": appeal_result.strip(),
    }
    update_recorded(
        defendant,
        actor=actor,
        verb="defendant.outcome",
        expected_version=expected_version,
        values=values,
    )
    return defendant


def victim_link(
    *,
    actor: User,
    proceeding: Proceeding,
    case_code: str,
    role: str = vocab.VictimRole.INJURED_PARTY,
) -> VictimInProceeding:
    """Link a victim by case code. The justice user learns nothing but the code and the
    identification status; a wrong code is refused without saying whether it exists elsewhere."""
    from opennrm.cases.models import Case

    _require_edit(actor, proceeding)
    if role not in vocab.VictimRole.values:
        raise ValidationFailed(_("Choose the victim's role."), fields={"role": _("Choose one.")})
    case = Case.objects.filter(code=case_code.strip().upper()).first()
    if case is None:
        raise NotFoundError(
            _("No case has the code “%(code)s”. Check it with the identification centre.")
            % {"code": case_code.strip()}
        )
    if proceeding.victims.filter(case=case).exists():
        raise ValidationFailed(
            _("This victim is already linked to the proceeding."),
            fields={"case_code": _("Already linked.")},
        )
    with transaction.atomic():
        link = VictimInProceeding.objects.create(proceeding=proceeding, case=case, role=role)
        record(
            actor=actor,
            verb="proceeding.victim_link",
            target=proceeding,
            changes={"case": [None, case.code]},
        )
    return link


VICTIM_FIELDS = (
    "role",
    "protective_measures",
    "legal_aid",
    "compensation_claimed_eur",
    "compensation_awarded_eur",
    "compensation_paid_eur",
    "compensation_source",
    "prosecuted_for_offence",
    "compelled_offence",
    "non_punishment_applied",
)


def victim_update(
    *, actor: User, link: VictimInProceeding, expected_version: int, **values: Any
) -> VictimInProceeding:
    """Protective measures, legal aid, compensation (claimed ≥ awarded ≥ paid) and non-punishment."""
    _require_edit(actor, link.proceeding)
    unknown = set(values) - set(VICTIM_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    merged = {name: values.get(name, getattr(link, name)) for name in VICTIM_FIELDS}
    measures = list(dict.fromkeys(merged["protective_measures"] or []))
    if any(m not in vocab.ProtectiveMeasure.values for m in measures):
        raise ValidationFailed(
            _("Unknown protective measure."),
            fields={"protective_measures": _("Choose from the list.")},
        )
    claimed, awarded, paid = (
        Decimal(merged[f"compensation_{k}_eur"] or 0) for k in ("claimed", "awarded", "paid")
    )
    errors: dict[str, str] = {}
    if min(claimed, awarded, paid) < 0:
        errors["compensation_claimed_eur"] = _("Amounts cannot be negative.")
    if paid > awarded:
        errors["compensation_paid_eur"] = _("More cannot be paid than was awarded.")
    if (awarded or paid) and not merged["compensation_source"]:
        errors["compensation_source"] = _("Say who pays: the perpetrator or a state fund.")
    if merged["non_punishment_applied"] is not None and not merged["prosecuted_for_offence"]:
        errors["non_punishment_applied"] = _(
            "Non-punishment applies only to a victim prosecuted or punished for an offence."
        )
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    merged["protective_measures"] = measures
    before = {name: getattr(link, name) for name in VICTIM_FIELDS}
    with transaction.atomic():
        for name, value in merged.items():
            setattr(link, name, value)
        save_versioned(link, expected_version=expected_version, fields=list(VICTIM_FIELDS))
        record(
            actor=actor,
            verb="proceeding.victim_update",
            target=link.proceeding,
            changes=changes_of(link, before, list(VICTIM_FIELDS)),
        )
    return link


def hearing_schedule(
    *,
    actor: User,
    proceeding: Proceeding,
    at: datetime,
    place: str,
    kind: str = vocab.HearingKind.HEARING,
    notes: str = "",
) -> Hearing:
    """Schedule a hearing; caseworkers of linked victims see it and are reminded before it."""
    _require_edit(actor, proceeding)
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if not place.strip():
        raise ValidationFailed(
            _("Say where the hearing takes place."), fields={"place": _("Required.")}
        )
    if kind not in vocab.HearingKind.values:
        raise ValidationFailed(_("Choose the kind of hearing."), fields={"kind": _("Choose one.")})
    with transaction.atomic():
        hearing = Hearing.objects.create(
            proceeding=proceeding, at=at, place=place.strip(), kind=kind, notes=notes.strip()
        )
        record(
            actor=actor,
            verb="hearing.schedule",
            target=proceeding,
            changes={"hearing": [None, at.isoformat()]},
        )
    return hearing
