"""Retention schedules: how long each kind of record is kept, and why (the purpose it serves).

The periods are settings (``OPENNRM_RETENTION_*_DAYS``); this module declares, in one place, what
each schedule covers and the purpose that justifies its length, so the README, the retention job
and the register of processing activities read the same text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Schedule:
    kind: str
    setting: str
    record: Promise
    purpose: Promise
    # True where the retention job proposes erasures; False where the schedule is declared (for
    # the register and operators) and enforced elsewhere or by hand.
    automated: bool

    @property
    def days(self) -> int:
        return int(getattr(settings, self.setting))


SCHEDULES = (
    Schedule(
        "closed_case",
        "OPENNRM_RETENTION_CLOSED_CASE_DAYS",
        _("A person whose every case is closed: names, contacts, documents, notes, plans"),
        _(
            "Kept ten years after the last case closed: the limitation period for claims for "
            "compensation and for the prosecution of trafficking (Criminal Code Art. 388), and "
            "for re-trafficking to be recognised as such."
        ),
        automated=True,
    ),
    Schedule(
        "declined_referral",
        "OPENNRM_RETENTION_DECLINED_REFERRAL_DAYS",
        _("A declined referral's subject details and reasons"),
        _("Kept one year: a repeated referral of the same person can be recognised and answered."),
        automated=False,
    ),
    Schedule(
        "negative_screening",
        "OPENNRM_RETENTION_NEGATIVE_SCREENING_DAYS",
        _("A screening that led to no referral: its observations"),
        _("Kept six months: the screener's supervisor can review the decision not to refer."),
        automated=False,
    ),
    Schedule(
        "audit_trail",
        "OPENNRM_RETENTION_AUDIT_DAYS",
        _("Audit entries (pseudonymous: codes, never names)"),
        _(
            "Kept ten years: accountability for every access to a victim's data for as long as "
            "the data or claims about its use can exist."
        ),
        automated=False,
    ),
    Schedule(
        "import_report",
        "OPENNRM_RETENTION_IMPORT_REPORT_DAYS",
        _("Uploaded import files and their error reports"),
        _("Kept ninety days: enough to correct and re-run an import, no longer."),
        automated=False,
    ),
    Schedule(
        "task_results",
        "OPENNRM_RETENTION_TASK_RESULTS_DAYS",
        _("The background worker's record of each finished task: its arguments, result or error"),
        _(
            "Kept thirty days: enough to see what the worker did and why a task failed; the "
            "daily retention run removes older ones."
        ),
        automated=True,
    ),
)


def schedule(kind: str) -> Schedule:
    return next(item for item in SCHEDULES if item.kind == kind)
