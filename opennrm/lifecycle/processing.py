"""The register of processing activities (GDPR Art. 30; Serbia's ZZPL Art. 47), built from the
code's own declarations.

Each activity below names its purpose, legal basis, data subjects, recipients, retention schedule
(``retention.SCHEDULES``) and the models that hold its data. The categories of personal data are not
written here: they are read from those models — every encrypted field (personal data) and the clear
fields that statistics use — so a field added to a model appears in the next register without
anyone remembering to update a document.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from opennrm.core.fields import EncryptedTextField
from opennrm.lifecycle.retention import schedule


@dataclass(frozen=True)
class Activity:
    name: Promise
    purpose: Promise
    legal_basis: Promise
    subjects: Promise
    recipients: Promise
    retention: str  # a retention schedule's kind
    models: tuple[str, ...]  # "app_label.ModelName"


ACTIVITIES = (
    Activity(
        _("Identification of and assistance to victims of trafficking"),
        _(
            "Identify presumed victims, refer them, decide identification, plan and provide protection and services."
        ),
        _(
            "Legal obligation and tasks in the public interest (Law on Social Protection; Council of Europe Convention Arts. 10-16); vital interests; explicit consent for referral of adults."
        ),
        _("Presumed and identified victims of trafficking, their legal guardians"),
        _(
            "The identification centre; assigned service providers (shelters, health, CSOs) for minimum fields; no one else"
        ),
        "closed_case",
        (
            "cases.Person",
            "cases.Referral",
            "cases.Case",
            "cases.IdentificationDecision",
            "cases.Guardian",
            "cases.ServiceRequest",
            "cases.CasePlan",
            "cases.CaseNote",
        ),
    ),
    Activity(
        _("Screening for indicators of trafficking"),
        _(
            "Front-line screening of a person against the operational indicators, to decide on referral."
        ),
        _(
            "Tasks in the public interest of the screening agency (labour inspection, police, social welfare)."
        ),
        _("People screened by front-line staff"),
        _("The screening agency; the identification centre when referred"),
        "negative_screening",
        ("screening.Screening",),
    ),
    Activity(
        _("Accountability: the audit trail"),
        _(
            "Record who did what to which record, for the data protection officer and supervisory authority."
        ),
        _("Legal obligation (security of processing, accountability)."),
        _("Users of the platform; persons by pseudonymous code only"),
        _("The data protection officer; the supervisory authority on request"),
        "audit_trail",
        ("audit.AuditEntry",),
    ),
    Activity(
        _("Data-subject requests"),
        _(
            "Register and answer requests for access, rectification, restriction, erasure and objection."
        ),
        _("Legal obligation (rights of the data subject)."),
        _("Victims registered in the platform"),
        _("The identification centre; the data protection officer"),
        "closed_case",
        ("lifecycle.DataSubjectRequest",),
    ),
)


@dataclass(frozen=True)
class Row:
    activity: Activity
    personal: list[str]
    statistical: list[str]
    retention_days: int
    retention_purpose: str


def register_rows() -> list[Row]:
    rows = []
    for activity in ACTIVITIES:
        personal: list[str] = []
        statistical: list[str] = []
        for label in activity.models:
            model = apps.get_model(label)
            for field in model._meta.concrete_fields:
                text = f"{model._meta.verbose_name}: {field.verbose_name}"
                if isinstance(field, EncryptedTextField):
                    personal.append(text)
                elif field.name in {
                    "gender",
                    "year_of_birth",
                    "citizenship",
                    "languages",
                    "forms_of_exploitation",
                    "is_child",
                }:
                    statistical.append(text)
        rule = schedule(activity.retention)
        rows.append(Row(activity, personal, statistical, rule.days, str(rule.purpose)))
    return rows


def render_docx() -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(str(_("Register of processing activities")), level=0)
    document.add_paragraph(
        str(
            _(
                "Controller: the national referral mechanism's operator. Generated on %(day)s from the platform's code."
            )
        )
        % {"day": timezone.localdate().isoformat()}
    )
    for row in register_rows():
        document.add_heading(str(row.activity.name), level=1)
        table = document.add_table(rows=0, cols=2)
        for label, value in _cells(row):
            cells = table.add_row().cells
            cells[0].text = label
            cells[1].text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _cells(row: Row) -> list[tuple[str, str]]:
    return [
        (str(_("Purpose")), str(row.activity.purpose)),
        (str(_("Legal basis")), str(row.activity.legal_basis)),
        (str(_("Data subjects")), str(row.activity.subjects)),
        (str(_("Personal data (encrypted at rest)")), "; ".join(row.personal)),
        (str(_("Data kept for statistics")), "; ".join(row.statistical) or "—"),
        (str(_("Recipients")), str(row.activity.recipients)),
        (
            str(_("Retention")),
            str(_("%(days)s days. %(purpose)s"))
            % {"days": row.retention_days, "purpose": row.retention_purpose},
        ),
        (
            str(_("Security")),
            str(
                _(
                    "AES-256-GCM encryption of personal data, blind indexes, two-factor sign-in, need-to-know access policy, hash-chained audit trail, encrypted backups."
                )
            ),
        ),
        (
            str(_("Transfers abroad")),
            str(
                _(
                    "Only through the transnational referral, with the person's consent, to registered partner platforms."
                )
            ),
        ),
    ]


def render_pdf() -> bytes:
    from opennrm.core.documents import render_pdf as pdf

    rows = [(row.activity.name, _cells(row)) for row in register_rows()]
    return pdf(
        "lifecycle/processing_register.html",
        {"rows": rows, "day": timezone.localdate().isoformat()},
    )
