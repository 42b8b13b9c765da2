"""Reads of transnational referral, through the access policy; reads of personal data audited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel import Locale
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.cases import services as case_services
from opennrm.cases import vocab as case_vocab
from opennrm.cases.models import Case, Person
from opennrm.core.errors import NotFoundError
from opennrm.transnational import dataset
from opennrm.transnational.models import (
    Direction,
    Package,
    Partner,
    PartnerStatus,
    TransnationalReferral,
)


def _not_found() -> NotFoundError:
    return NotFoundError(_("There is no such transnational referral, or you may not see it."))


def partner_list(*, actor: User) -> QuerySet[Partner]:
    """Every partner (administrators) or the active ones (caseworkers choosing where to send)."""
    if policy.can(actor, "trm.partner.manage"):
        return Partner.objects.prefetch_related("keys").order_by("country")
    policy.require(actor, "trm.send")
    return Partner.objects.filter(status=PartnerStatus.ACTIVE).order_by("country")


def partner_get(*, actor: User, pk: int) -> Partner:
    partner = partner_list(actor=actor).filter(pk=pk).first()
    if partner is None:
        raise NotFoundError(_("There is no such partner platform."))
    return partner


def queue(*, actor: User) -> QuerySet[Package]:
    """Packages sent and received, newest first (administrators: no personal data in them)."""
    policy.require(actor, "trm.partner.manage")
    return Package.objects.select_related("partner").order_by("-id")


def referral_list(*, actor: User, direction: str | None = None) -> QuerySet[TransnationalReferral]:
    policy.require(actor, "trm.view")
    referrals = TransnationalReferral.objects.select_related("partner", "case").order_by("-id")
    if direction:
        referrals = referrals.filter(direction=direction)
    return referrals


def referrals_of_case(*, actor: User, case: Case) -> QuerySet[TransnationalReferral]:
    policy.require(actor, "trm.view")
    policy.require(actor, "case.view", case)
    return referral_list(actor=actor).filter(case=case)


def _locale() -> Locale:
    language = (get_language() or "en").replace("-", "_")
    return Locale.parse("sr_Latn" if language.lower() == "sr_latn" else language)


def _country(code: str) -> str:
    """A country's name in the reader's language, from CLDR (Babel)."""
    return str(_locale().territories.get(code, code))


def _shown(name: str, value: Any) -> str:
    """A received value in the reader's language (coded values translated, text as sent)."""
    if name == "prs_Gender":
        return str(dict(case_vocab.Gender.choices).get(value, value))
    if name == "vic_TypeOfExploitation":
        labels = dict(case_vocab.TypeOfExploitation.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if name == "prs_Citizenship":
        return ", ".join(_country(v) for v in value)
    if name == "prs_PrimaryLanguage":
        return str(_locale().languages.get(value, value))
    if name == "vic_LocationOfExploitation":
        return _country(value) if value else ""
    if name == "vic_TraffickingStatus":
        return str(
            {
                "PossibleVictimOfTrafficking": _("Presumed victim"),
                "ActualVictimOfTrafficking": _("Identified victim"),
                "NotAVictimOfTrafficking": _("Not identified as a victim"),
            }.get(value, value)
        )
    return str(value)


@dataclass(frozen=True)
class ReferralView:
    referral: TransnationalReferral
    fields: list[tuple[str, str]]  # (label, value in the reader's language)
    sender_text: str  # the sender's own words, shown as such
    country_name: str


def referral_get(*, actor: User, pk: int, purpose: str = "") -> ReferralView:
    """One referral with its data shown in the reader's language; audited as a read of
    personal data (``case.view_pii`` needed to see it at all).
    """
    policy.require(actor, "trm.view")
    if not policy.can(actor, "case.view_pii"):
        raise _not_found()
    referral = referral_list(actor=actor).filter(pk=pk).first()
    if referral is None:
        raise _not_found()
    data = json.loads(referral.data or "{}")
    fields = [
        (str(dataset.LABELS.get(name, name)), _shown(name, value)) for name, value in data.items()
    ]
    free = json.loads(referral.free_text or "{}")
    record(actor=actor, verb="trm.referral.view", target=referral, purpose=purpose)
    return ReferralView(
        referral=referral,
        fields=fields,
        sender_text=str(free.get("reason", "")),
        country_name=_country(referral.partner.country),
    )


def inbox_count(*, actor: User) -> int:
    if not policy.can(actor, "trm.receive"):
        return 0
    return TransnationalReferral.objects.filter(
        direction=Direction.INCOMING, status="received"
    ).count()


def possible_duplicates(
    *, actor: User, referral: TransnationalReferral
) -> list[tuple[Person, str]]:
    """Earlier registrations of the person a received referral is about: the usual blind-index
    duplicate check (``cases.services.person_find_duplicates``, audited there).
    """
    data = json.loads(referral.data or "{}")
    birth = str(data.get("prs_Birthdate", ""))
    return case_services.person_find_duplicates(
        actor=actor,
        given_names=str(data.get("prs_FirstName", "")),
        family_name=str(data.get("prs_SecondName", "")),
        date_of_birth=date.fromisoformat(birth) if len(birth) == 10 else None,
        year_of_birth=int(birth) if len(birth) == 4 else None,
    )
