"""Human-readable names for audit verbs, so the trail reads "Signed in" rather than "auth.login".

A verb is ``<thing>.<action>`` (``case.update``, ``referral.create``). The platform's own verbs are
registered here; an app registers its verbs from its ``AppConfig.ready()``::

    from django.utils.translation import gettext_lazy as _
    from opennrm.audit.labels import register

    register({
        "case.update": _("Case updated"),
        "case.view_pii": _("Personal data viewed"),
    })

Labels must be lazy translations (they are read in the viewer's language). A verb nobody
registered is shown as it is, so a missing label never hides an entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, Promise | str] = {}


def register(labels: Mapping[str, Promise | str]) -> None:
    """Add or replace labels for verbs (later registrations win, so an app may refine one)."""
    _LABELS.update(labels)


def label_for(verb: str) -> str:
    """The label of ``verb`` in the active language, or the verb itself when it has none."""
    label = _LABELS.get(verb)
    return verb if label is None else str(label)


# Keys of an entry's changes that are not fields of the target's model.
_FIELD_LABELS: dict[str, Promise | str] = {
    "records_suppressed": _("records suppressed"),
    "withheld_columns": _("withheld columns"),
    "rows": _("rows"),
    "recipient": _("recipient"),
}


# Purposes the platform itself states for a read (a page, a check, a task), kept in the trail as
# written (English) and read in the viewer's language. A purpose a person typed is shown as typed.
_PURPOSES: dict[str, Promise | str] = {
    "assigned caseworker": _("assigned caseworker"),
    "audit trail export": _("audit trail export"),
    "case search by name": _("case search by name"),
    "certificate of completion": _("certificate of completion"),
    "cohort page": _("cohort page"),
    "cohort trainee list export": _("cohort trainee list export"),
    "correcting the person's details": _("correcting the person's details"),
    "daily deadline digest": _("daily deadline digest"),
    "data subject access request": _("data subject access request"),
    "download": _("download"),
    "download of a sealed export": _("download of a sealed export"),
    "duplicate check before registering a person": _("duplicate check before registering a person"),
    "field work offline": _("field work offline"),
    "field work synced from a device": _("field work synced from a device"),
    "identification status": _("identification status"),
    "legacy case records import": _("legacy case records import"),
    "official statistics": _("official statistics"),
    "own screening interview": _("own screening interview"),
    "protection services": _("protection services"),
    "public microdata release": _("public microdata release"),
    "public synthetic microdata release": _("public synthetic microdata release"),
    "referral to the identification centre": _("referral to the identification centre"),
    "referral triage": _("referral triage"),
    "screening result page": _("screening result page"),
    "service provision": _("service provision"),
    "synthetic data for benchmarks": _("synthetic data for benchmarks"),
}


def purpose_label(purpose: str) -> str:
    """A stated purpose as the viewer reads it: the platform's own in the active language, one a
    person typed as typed (in the interface's script)."""
    from opennrm.core.templatetags.core_text import in_script

    known = _PURPOSES.get(purpose)
    return str(known) if known is not None else str(in_script(purpose))


def target_label(target_type: str, label: str) -> str:
    """What an entry is about, in the viewer's language. A record's kept label is its kind in
    English and its identifier ("referral R-127", "training event li-basic-2020-8"); the kind is
    read as the model's name ("упућивање R-127"). A label of any other shape is shown as kept."""
    from django.apps import apps

    from opennrm.core.templatetags.core_text import in_script

    kind, _sep, identifier = label.rpartition(" ")
    if target_type.count(".") == 1 and kind and _KIND.fullmatch(kind):
        try:
            model = apps.get_model(target_type)
        except (LookupError, ValueError):
            model = None
        if model is not None:
            return f"{model._meta.verbose_name} {in_script(identifier)}"
    return str(in_script(label))


_KIND = re.compile(r"[a-z][a-z -]*")


def _model_field(target_type: str, name: str) -> Any:
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    if target_type.count(".") != 1:
        return None
    try:
        return apps.get_model(target_type)._meta.get_field(name)
    except (LookupError, FieldDoesNotExist, ValueError):
        return None


def field_label(target_type: str, name: str) -> str:
    """The name a person reads for the changed field ``name`` of a ``target_type`` (``app.model``)
    record: the model field's verbose name, else a registered label; the key itself only when
    neither exists."""
    if name in _FIELD_LABELS:
        return str(_FIELD_LABELS[name])
    field = _model_field(target_type, name)
    verbose = getattr(field, "verbose_name", None)
    return str(verbose) if verbose else name


def field_value(target_type: str, name: str, value: Any) -> Any:
    """A stored value of a field with choices as its label (``low`` → "Low"); others as stored."""
    field = _model_field(target_type, name)
    choices = dict(getattr(field, "flatchoices", None) or ())
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    return choices.get(value, value) if isinstance(value, str) else value


def registered() -> dict[str, str]:
    """Every registered verb and its label in the active language (for the filter's choices)."""
    return {verb: str(label) for verb, label in sorted(_LABELS.items())}


register(
    {
        "auth.login": _("Signed in"),
        "auth.logout": _("Signed out"),
        "auth.login_failed": _("Failed sign-in"),
        "auth.lockout": _("Account locked after failed sign-ins"),
        "auth.unlock": _("Account unlocked"),
        "access.break_glass": _("Break the glass: access outside own cases"),
        "audit.export": _("Audit trail exported"),
        "audit.verify": _("Audit chain verified"),
        "agency.create": _("Agency created"),
        "agency.update": _("Agency updated"),
        "user.create": _("User created"),
        "user.roles": _("User's roles changed"),
        "user.enable": _("User enabled"),
        "user.disable": _("User disabled"),
        "token.issue": _("API token issued"),
        "token.revoke": _("API token revoked"),
    }
)

# The verbs of the domain apps, in one list so the trail never shows a code (issue 20); an app
# may still refine its own from its AppConfig.ready().
register(
    {
        "agency.alias_add": _("Agency alias added"),
        "agency.alias_remove": _("Agency alias removed"),
        "awareness.campaign_create": _("Campaign created"),
        "awareness.campaign_status": _("Campaign status changed"),
        "awareness.grant_create": _("Grant created"),
        "awareness.grant_report_submit": _("Grant report submitted"),
        "awareness.grant_status": _("Grant status changed"),
        "awareness.reach_report": _("Campaign reach reported"),
        "case.begin_assessment": _("Assessment started"),
        "case.export_file": _("Case file exported for the person concerned"),
        "case.close": _("Case closed"),
        "case.generate": _("Synthetic cases generated"),
        "case.identification_decision": _("Identification decided"),
        "case.identify": _("Identified as a victim"),
        "case.not_identify": _("Not identified as a victim"),
        "case.open": _("Case opened"),
        "case.presume_victim": _("Presumed a victim"),
        "case.reopen": _("Case reopened"),
        "case.start_protection": _("Protection started"),
        "case.update": _("Case updated"),
        "case.view_pii": _("Personal data viewed"),
        "charge.requalify": _("Charge requalified"),
        "consent.give": _("Consent given"),
        "consent.withdraw": _("Consent withdrawn"),
        "defendant.create": _("Defendant added"),
        "defendant.outcome": _("Defendant's outcome recorded"),
        "guardian.add": _("Guardian appointed"),
        "guardian.end": _("Guardianship ended"),
        "hearing.reminder": _("Hearing reminder sent"),
        "hearing.schedule": _("Hearing scheduled"),
        "import.commit": _("Import committed"),
        "import.map_columns": _("Import columns mapped"),
        "import.map_values": _("Import values mapped"),
        "import.queue": _("Import queued"),
        "import.resume": _("Interrupted import run again"),
        "import.upload": _("Import file uploaded"),
        "lifecycle.erasure": _("Personal data erased"),
        "lifecycle.erasure_approved": _("Erasure approved"),
        "lifecycle.erasure_held": _("Erasure put on hold"),
        "lifecycle.erasure_proposed": _("Erasure proposed"),
        "lifecycle.erasure_rejected": _("Erasure rejected"),
        "lifecycle.request_answered": _("Data subject's request answered"),
        "lifecycle.request_registered": _("Data subject's request registered"),
        "monitoring.action.create": _("Action created"),
        "monitoring.activity.create": _("Activity created"),
        "monitoring.activity.update": _("Activity updated"),
        "monitoring.budget_line.create": _("Budget line created"),
        "monitoring.commitment.create": _("Commitment booked"),
        "monitoring.decision.create": _("Meeting decision recorded"),
        "monitoring.expenditure.create": _("Expenditure booked"),
        "monitoring.follow_up.complete": _("Follow-up completed"),
        "monitoring.follow_up.create": _("Follow-up created"),
        "monitoring.indicator.create": _("Indicator created"),
        "monitoring.indicator_value.create": _("Indicator value entered"),
        "monitoring.meeting.create": _("Meeting recorded"),
        "monitoring.recommendation.create": _("GRETA recommendation added"),
        "monitoring.recommendation.export": _("GRETA recommendations exported"),
        "monitoring.recommendation.import": _("GRETA recommendations imported"),
        "monitoring.recommendation.update": _("GRETA recommendation updated"),
        "monitoring.report.create": _("Progress report created"),
        "monitoring.report.download": _("Progress report downloaded"),
        "monitoring.report.generate": _("Progress report generated"),
        "monitoring.report.generate_cli": _("Progress report generated by command"),
        "monitoring.report.rendered": _("Progress report rendered"),
        "monitoring.report.update": _("Progress report updated"),
        "monitoring.result.create": _("Expected result created"),
        "note.add": _("Note added"),
        "permit.create": _("Residence permit recorded"),
        "permit.update": _("Residence permit updated"),
        "person.create": _("Person registered"),
        "person.duplicate_check": _("Duplicate check run"),
        "person.match_confirmed": _("Duplicate match confirmed"),
        "person.update": _("Person's data updated"),
        "person.view_pii": _("Person's data viewed"),
        "plan.create": _("Case plan created"),
        "plan.update": _("Case plan updated"),
        "proceeding.close": _("Proceeding closed"),
        "proceeding.create": _("Proceeding recorded"),
        "proceeding.export": _("Proceedings exported"),
        "proceeding.import": _("Proceedings imported"),
        "proceeding.stage": _("Proceeding stage changed"),
        "proceeding.victim_link": _("Victim linked to a proceeding"),
        "proceeding.victim_update": _("Victim in a proceeding updated"),
        "referral.accept": _("Referral accepted"),
        "referral.acknowledge": _("Referral acknowledged"),
        "referral.create": _("Referral sent"),
        "referral.decline": _("Referral declined"),
        "referral.view_pii": _("Referral's personal data viewed"),
        "screening.catalogue_import": _("Indicator catalogue imported"),
        "screening.create": _("Screening started"),
        "screening.discard": _("Screening discarded"),
        "screening.submit": _("Screening submitted"),
        "screening.update": _("Screening updated"),
        "screening.view_pii": _("Screening's personal data viewed"),
        "service.accept": _("Service request accepted"),
        "service.complete": _("Service completed"),
        "service.decline": _("Service request declined"),
        "service.request": _("Service requested"),
        "service.start": _("Service started"),
        "shelter.admit": _("Admitted to a shelter"),
        "shelter.leave": _("Left the shelter"),
        "statistics.ctdc.download": _("CTDC microdata downloaded"),
        "statistics.ctdc.prune": _("Superseded CTDC microdata files removed"),
        "statistics.ctdc.request": _("CTDC microdata requested"),
        "statistics.download_htcds": _("HTCDS export downloaded"),
        "statistics.export_ctdc": _("CTDC microdata exported"),
        "statistics.export_htcds": _("HTCDS data exported"),
        "statistics.export_synthetic": _("Synthetic dataset exported"),
        "statistics.synthetic.download": _("Synthetic dataset downloaded"),
        "statistics.synthetic.prune": _("Superseded synthetic datasets removed"),
        "statistics.synthetic.request": _("Synthetic dataset requested"),
        "statistics.view_official": _("Official statistics viewed"),
        "training.attendance_record": _("Attendance recorded"),
        "training.certificate_issue": _("Certificate issued"),
        "training.cohort_create": _("Cohort created"),
        "training.cohort_update": _("Cohort updated"),
        "training.completion_import": _("Completions imported"),
        "training.course_create": _("Course created"),
        "training.course_mapping": _("Course import mapping saved"),
        "training.curriculum_create": _("Curriculum created"),
        "training.curriculum_update": _("Curriculum updated"),
        "training.enrol": _("Trainee enrolled"),
        "training.event_create": _("Training event created"),
        "training.headcount_record": _("Headcount recorded"),
        "training.module_complete": _("Module completed"),
        "training.needs_assessment_create": _("Needs assessment created"),
        "training.needs_assessment_update": _("Needs assessment updated"),
        "training.outcome_record": _("Training outcome recorded"),
        "training.population_create": _("Target population created"),
        "training.population_qualifying": _("Target population rules changed"),
        "training.trainee_register": _("Trainee registered"),
        "training.trainees_export": _("Trainees exported"),
        "training.trainees_view": _("Trainees' data viewed"),
        "trm.partner.register": _("Partner platform registered"),
        "trm.partner.rotate": _("Partner platform's keys rotated"),
        "trm.partner.status": _("Partner platform's status changed"),
        "trm.referral.accept": _("Transnational referral accepted"),
        "trm.referral.decline": _("Transnational referral declined"),
        "trm.referral.receive": _("Transnational referral received"),
        "trm.referral.send": _("Transnational referral sent"),
        "trm.referral.view": _("Transnational referral viewed"),
        "trm.return.follow_up": _("Return follow-up recorded"),
        "trm.return.plan": _("Return planned"),
        "trm.status.receive": _("Status update received"),
        "trm.status.send": _("Status update sent"),
    }
)
