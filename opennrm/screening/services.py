"""Every write of the screening app: catalogue versions and screening interviews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from opennrm.core.models import save_versioned
from opennrm.screening import engine
from opennrm.screening.catalogue_io import CatalogueSpec, create_version
from opennrm.screening.models import (
    AgeGroup,
    Answer,
    Exploitation,
    Indicator,
    IndicatorCatalogue,
    Outcome,
    Screening,
    ScreeningAnswer,
)
from opennrm.screening.selectors import current_catalogue, engine_catalogue

MAX_TEXT = 5000


def catalogue_import(*, actor: User | None, spec: CatalogueSpec) -> IndicatorCatalogue:
    """Store ``spec`` as a NEW version of its list; earlier versions and their screenings stay.

    The spec has been validated whole by ``catalogue_io`` (all or nothing). ``actor`` is None when
    an operator runs ``manage.py import_catalogue``; the audit entry then names the command.
    """
    with transaction.atomic():
        catalogue: IndicatorCatalogue = create_version(
            spec,
            catalogue_model=IndicatorCatalogue,
            indicator_model=Indicator,
            imported_by_id=actor.pk if actor else None,
        )
        record(
            actor=actor,
            actor_label="" if actor else "manage.py import_catalogue",
            verb="screening.catalogue_import",
            target=catalogue,
            changes={"indicators": len(spec.indicators), "verified": spec.verified},
        )
    return catalogue


def age_group_for(*, age: int | None, believed_child: bool) -> str:
    """Convention Art. 10(3): a known age under 18 is a child; an uncertain age with reasons to
    believe the person is a child is a presumed child; otherwise an adult."""
    if age is not None and age < 18:
        return AgeGroup.CHILD
    if believed_child and (age is None or age < 18):
        return AgeGroup.PRESUMED_CHILD
    return AgeGroup.ADULT


def screening_start(
    *,
    actor: User,
    age_group: str,
    exploitation: Sequence[str],
    screened_on: dt.date | None = None,
    place: str = "",
    age_reasons: str = "",
) -> Screening:
    """Open a draft screening on the current catalogue version of each chosen list.

    Requires ``screening.create``. Children and presumed children are screened on the child lists;
    a presumed child needs the reasons stated.
    """
    policy.require(actor, "screening.create")
    errors: dict[str, str] = {}
    if actor.agency_id is None:
        raise PermissionDeniedError(_("Your account belongs to no agency, so it cannot screen."))
    if age_group not in AgeGroup.values:
        errors["age_group"] = _("Choose the person's age group.")
    chosen = [e for e in Exploitation.values if e in set(exploitation)]
    if not chosen or len(set(exploitation)) != len(chosen):
        errors["exploitation"] = _("Choose labour exploitation, sexual exploitation or both.")
    age_reasons = (age_reasons or "").strip()
    if age_group == AgeGroup.PRESUMED_CHILD and not age_reasons:
        errors["age_reasons"] = _("State why you believe the person may be a child.")
    today = timezone.localdate()
    if screened_on is not None and screened_on > today:
        errors["screened_on"] = _("The date of the screening cannot be in the future.")
    if len(place) > 100:
        errors["place"] = _("The place is too long (100 characters at most).")
    if len(age_reasons) > MAX_TEXT:
        errors["age_reasons"] = _("The text is too long (5000 characters at most).")
    if errors:
        raise ValidationFailed(
            _("The screening could not be started; see the fields."), fields=errors
        )
    prefix = "child" if age_group in (AgeGroup.CHILD, AgeGroup.PRESUMED_CHILD) else "adult"
    with transaction.atomic():
        screening = Screening.objects.create(
            screener=actor,
            agency_id=actor.agency_id,
            age_group=age_group,
            screened_on=screened_on or today,
            place=place.strip(),
            age_reasons=age_reasons,
            labour_catalogue=current_catalogue(f"{prefix}_labour") if "labour" in chosen else None,
            sexual_catalogue=current_catalogue(f"{prefix}_sexual") if "sexual" in chosen else None,
        )
        record(
            actor=actor,
            verb="screening.create",
            target=screening,
            changes={"age_group": [None, age_group], "lists": [None, chosen]},
        )
    return screening


def _require_editable(actor: User, screening: Screening) -> None:
    if screening.screener_id != actor.pk or not policy.can(actor, "screening.create"):
        raise PermissionDeniedError(_("Only the person who runs a screening can change it."))
    if screening.is_submitted:
        raise ConflictError(
            _("This screening has been submitted and is locked; it can no longer be changed."),
            code="screening_locked",
        )


def screening_save_answers(
    *,
    actor: User,
    screening: Screening,
    expected_version: int,
    answers: Mapping[str, str],
    observations: str | None = None,
) -> Screening:
    """Record answers (code → present / absent / unknown) and, if given, the observations.

    Only the screener may change their draft; a submitted screening is refused
    (``screening_locked``); a stale ``expected_version`` is refused (StaleRecordError, 409).
    Answers not mentioned keep their previous value, so autosave can send one answer at a time.
    """
    _require_editable(actor, screening)
    codes = {i.code: i for c in screening.catalogues for i in c.indicators.all()}
    errors = {
        code: _("“%(code)s” is not a question of this screening.") % {"code": code}
        for code in answers
        if code not in codes
    }
    errors.update(
        {
            code: _("Answer present, absent or not known.")
            for code, value in answers.items()
            if code in codes and value not in Answer.values
        }
    )
    if observations is not None and len(observations) > MAX_TEXT:
        errors["observations"] = _("The text is too long (5000 characters at most).")
    if errors:
        raise ValidationFailed(_("The answers could not be saved; see the fields."), fields=errors)
    with transaction.atomic():
        existing = {a.indicator.code: a for a in screening.answers.select_related("indicator")}
        changed = 0
        for code, value in answers.items():
            current = existing.get(code)
            if current is None:
                ScreeningAnswer.objects.create(
                    screening=screening, indicator=codes[code], value=value
                )
                changed += 1
            elif current.value != value:
                current.value = value
                current.save(update_fields=["value"])
                changed += 1
        fields = []
        if observations is not None and observations != screening.observations:
            screening.observations = observations
            fields.append("observations")
        # The version moves even when only answers changed, so a second tab's stale form is refused.
        save_versioned(screening, expected_version=expected_version, fields=fields)
        changes: dict[str, object] = {"answers_changed": changed}
        if fields:
            changes["observations"] = None
        record(actor=actor, verb="screening.update", target=screening, changes=changes)
    return screening


def screening_submit(*, actor: User, screening: Screening, expected_version: int) -> Screening:
    """Compute the result on each list with the engine, freeze it and lock the screening.

    Unanswered questions count as "not known" (gaps to explore, never indicators). Only the
    screener may submit; a submitted screening is refused.
    """
    _require_editable(actor, screening)
    answers = dict(screening.answers.values_list("indicator__code", "value"))
    result = {}
    for catalogue in screening.catalogues:
        spec = engine_catalogue(catalogue)
        mine = {i.code: answers.get(i.code, engine.UNKNOWN) for i in spec.indicators}
        evaluated = engine.evaluate(spec, mine).as_dict()
        evaluated["catalogue_version"] = catalogue.version
        result[catalogue.list_name] = evaluated
    positive = any(r["outcome"] == engine.INDICATORS_OF_TRAFFICKING for r in result.values())
    with transaction.atomic():
        screening.result = result
        screening.outcome = (
            Outcome.INDICATORS_OF_TRAFFICKING if positive else Outcome.INSUFFICIENT_INDICATORS
        )
        screening.status = Screening.Status.SUBMITTED
        screening.submitted_at = timezone.now()
        save_versioned(
            screening,
            expected_version=expected_version,
            fields=["result", "outcome", "status", "submitted_at"],
        )
        record(
            actor=actor,
            verb="screening.submit",
            target=screening,
            changes={"outcome": [None, screening.outcome]},
        )
    return screening


def screening_discard(*, actor: User, screening: Screening, expected_version: int) -> None:
    """Delete a draft (only its screener); a submitted screening is kept for the record."""
    _require_editable(actor, screening)
    with transaction.atomic():
        # Compare-and-set first: a draft changed in another tab since it was read is not deleted.
        save_versioned(screening, expected_version=expected_version, fields=[])
        record(actor=actor, verb="screening.discard", target=screening)
        screening.delete()
