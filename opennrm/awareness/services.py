"""Every write to grants and campaigns: one function per use case, audited, in one transaction.

Permission: ``awareness.edit`` (coordinators) for every write here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import Agency, User
from opennrm.accounts.roles import AgencyType
from opennrm.audit.services import changes_of, record
from opennrm.awareness.models import (
    Campaign,
    Channel,
    Grant,
    GrantReport,
    ReachReport,
)
from opennrm.core.errors import ConflictError, ValidationFailed
from opennrm.core.models import save_versioned

EDIT = "awareness.edit"


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationFailed(
            _("The end of the period must not be before its start."),
            fields={"end": _("The end must be on or after the start.")},
        )


def grant_create(
    *,
    actor: User,
    code: str,
    title: str,
    grantee: Agency,
    amount: Decimal,
    currency: str,
    start: date,
    end: date,
    status: str = "planned",
    reports_due: Sequence[tuple[str, date]] = (),
) -> Grant:
    """Award a grant to a civil society organisation, with the reports it owes ``(kind, due)``.

    Needs ``awareness.edit``; the grantee must be a CSO and the amount positive.
    """
    policy.require(actor, EDIT)
    _check_period(start, end)
    if grantee.type != AgencyType.CSO:
        raise ValidationFailed(
            _("Grants go to civil society organisations only."),
            fields={"grantee": _("Choose a civil society organisation.")},
        )
    if amount <= 0:
        raise ValidationFailed(
            _("The amount of a grant must be positive."),
            fields={"amount": _("Enter an amount greater than zero.")},
        )
    if Grant.objects.filter(code=code).exists():
        raise ConflictError(
            _("A record with the code “%(code)s” already exists.") % {"code": code},
            fields={"code": _("This code is already used.")},
        )
    with transaction.atomic():
        grant = Grant.objects.create(
            code=code,
            title=title,
            grantee=grantee,
            amount=amount,
            currency=currency,
            start=start,
            end=end,
            status=status,
        )
        GrantReport.objects.bulk_create(
            GrantReport(grant=grant, kind=kind, due_on=due_on) for kind, due_on in reports_due
        )
        record(
            actor=actor,
            verb="awareness.grant_create",
            target=grant,
            recipient=grantee.name,
            changes={"amount": [None, f"{amount} {currency}"]},
        )
    return grant


def grant_report_submit(*, actor: User, report: GrantReport, submitted_on: date) -> GrantReport:
    """Mark a grant report as received; refused if it already was. ``awareness.edit``."""
    policy.require(actor, EDIT)
    if report.submitted_on is not None:
        raise ConflictError(_("This report was already marked as submitted."))
    with transaction.atomic():
        report.submitted_on = submitted_on
        report.save(update_fields=["submitted_on", "updated_at"])
        record(
            actor=actor,
            verb="awareness.grant_report_submit",
            target=report.grant,
            changes={"report": [None, f"{report.kind} {report.due_on.isoformat()}"]},
        )
    return report


def campaign_create(
    *,
    actor: User,
    code: str,
    title: str,
    topic: str,
    audience: str,
    channels: Sequence[str],
    start: date,
    end: date,
    status: str = "planned",
    grant: Grant | None = None,
) -> Campaign:
    """Plan an awareness campaign, optionally funded by a grant; ``awareness.edit``."""
    policy.require(actor, EDIT)
    _check_period(start, end)
    unknown = sorted(set(channels) - set(Channel.values))
    if unknown:
        raise ValidationFailed(
            _("Unknown channels: %(names)s.") % {"names": ", ".join(unknown)},
            fields={"channels": _("Choose channels from the list.")},
        )
    if Campaign.objects.filter(code=code).exists():
        raise ConflictError(
            _("A record with the code “%(code)s” already exists.") % {"code": code},
            fields={"code": _("This code is already used.")},
        )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            code=code,
            title=title,
            topic=topic,
            audience=audience,
            channels=list(channels),
            start=start,
            end=end,
            status=status,
            grant=grant,
        )
        record(actor=actor, verb="awareness.campaign_create", target=campaign)
    return campaign


def campaign_set_status(
    *, actor: User, campaign: Campaign, status: str, expected_version: int
) -> Campaign:
    """Move a campaign to another status; StaleRecordError if saved meanwhile. ``awareness.edit``."""
    policy.require(actor, EDIT)
    before = {"status": campaign.status}
    with transaction.atomic():
        campaign.status = status
        save_versioned(campaign, expected_version=expected_version, fields=["status"])
        record(
            actor=actor,
            verb="awareness.campaign_status",
            target=campaign,
            changes=changes_of(campaign, before, ["status"]),
        )
    return campaign


def reach_report(
    *,
    actor: User,
    campaign: Campaign,
    on: date,
    people_reached: int = 0,
    events_held: int = 0,
    materials_distributed: int = 0,
    hotline_calls: int = 0,
) -> ReachReport:
    """Report a campaign's reach for the period ending ``on`` (replacing a report of that date).

    Needs ``awareness.edit``; the date must fall within the campaign and figures be non-negative.
    """
    policy.require(actor, EDIT)
    figures = {
        "people_reached": people_reached,
        "events_held": events_held,
        "materials_distributed": materials_distributed,
        "hotline_calls": hotline_calls,
    }
    negative = {name: _("Enter zero or more.") for name, value in figures.items() if value < 0}
    if negative:
        raise ValidationFailed(_("Reach figures cannot be negative."), fields=negative)
    if not campaign.start <= on <= campaign.end:
        raise ValidationFailed(
            _("The reporting date must fall within the campaign (%(start)s – %(end)s).")
            % {
                "start": date_format(campaign.start, "DATE_FORMAT"),
                "end": date_format(campaign.end, "DATE_FORMAT"),
            },
            fields={"on": _("Enter a date within the campaign.")},
        )
    with transaction.atomic():
        report, _created = ReachReport.objects.update_or_create(
            campaign=campaign, on=on, defaults=figures
        )
        record(
            actor=actor,
            verb="awareness.reach_report",
            target=campaign,
            changes={name: [None, value] for name, value in figures.items()}
            | {"on": [None, on.isoformat()]},
        )
    return report
