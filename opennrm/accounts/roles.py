"""Roles, agency types and the actions each role may perform (DESIGN §1), as plain data.

This table is the single source for ``policy.can``'s role check and for the role × action matrix
test. Object-level rules (own / own agency / assigned) live in each app's ``rules.py`` and are
registered with ``policy``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SCREENER = "screener", _("Screener")
    CASE_MANAGER = "case_manager", _("Case manager")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    JUSTICE = "justice", _("Justice")
    TRAINER = "trainer", _("Trainer")
    COORDINATOR = "coordinator", _("Coordinator")
    NATIONAL_COORDINATOR = "national_coordinator", _("National co-ordinator")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


class AgencyType(models.TextChoices):
    COORDINATION_OFFICE = "coordination_office", _("Coordination office")
    POLICE = "police", _("Police")
    LABOUR_INSPECTORATE = "labour_inspectorate", _("Labour inspectorate")
    IDENTIFICATION_CENTRE = "identification_centre", _("Identification centre")
    SHELTER = "shelter", _("Shelter")
    SOCIAL_WELFARE_CENTRE = "social_welfare_centre", _("Social welfare centre")
    CSO = "cso", _("Civil society organisation")
    PROSECUTION = "prosecution", _("Prosecution")
    COURT = "court", _("Court")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    MINISTRY = "ministry", _("Ministry")


# Every action in the system. Apps check these names; the matrix test walks all of them.
ACTIONS: dict[str, str] = {
    # screening
    "screening.create": "run a screening",
    "screening.view": "see screenings (own and own agency's; all for case managers)",
    "screening.stats": "see screening statistics",
    # referrals and cases (NRM core)
    "referral.create": "refer a person to the identification centre",
    "referral.view": "see referrals (own for screeners)",
    "referral.decide": "acknowledge, accept or decline referrals",
    "case.view": "see case facts (all for case managers, assigned for service providers)",
    "case.view_pii": "see victims' personal data",
    "case.view_status": "see a case's pseudonymous code and identification status",
    "case.edit": "edit cases, decide identification, plan services, close",
    "case.break_glass": "open a record outside one's scope, with a reason",
    "case.import": "import legacy case records",
    "case.export_file": "export a case file for the person concerned",
    "service.request": "request services from provider agencies",
    "service.update": "accept, decline and report progress on service requests",
    # justice
    "proceeding.view": "see criminal proceedings",
    "proceeding.edit": "record proceedings, charges, outcomes",
    "proceeding.export": "export and import the proceedings register",
    "proceeding.view_stage": "see the stage and next hearing of proceedings linked to own cases",
    # transnational referral
    "trm.view": "see transnational referrals sent and received",
    "trm.send": "send a referral to a partner country's platform",
    "trm.receive": "accept or decline referrals from partner platforms, answer with status updates",
    "trm.partner.manage": "register, suspend, revoke partner platforms and rotate their keys",
    # training and awareness
    "training.view": "see courses, cohorts, trainings and coverage",
    "training.edit": "manage courses, cohorts, trainings and imports",
    "awareness.view": "see grants and campaigns",
    "awareness.edit": "manage grants and campaigns",
    # monitoring and statistics
    "monitoring.view": "see the logframe, budget, recommendations, meetings and reports",
    "monitoring.edit": "edit the logframe, budget, recommendations, meetings; generate reports",
    "stats.public": "see statistics under the public profile",
    "stats.restricted": "see statistics under the restricted profile",
    "stats.official": "see exact (official) statistics",
    "export.htcds": "export HTCDS case-level data for partners",
    "export.ctdc": "export k-anonymous CTDC microdata",
    # audit and administration
    "audit.view": "browse, filter and export the audit trail",
    "audit.verify": "verify the audit chain",
    "user.manage": "manage users and their roles",
    "agency.manage": "manage agencies",
    "token.own": "issue and revoke one's own API tokens",
}

_EVERYONE = {"token.own"}
_STATS_VIEWER = {"stats.public", "stats.restricted", "screening.stats"}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.SCREENER: frozenset(
        _EVERYONE | {"screening.create", "screening.view", "referral.create", "referral.view"}
    ),
    Role.CASE_MANAGER: frozenset(
        _EVERYONE
        | {
            "screening.create",
            "screening.view",
            "referral.create",
            "referral.view",
            "referral.decide",
            "case.view",
            "case.view_pii",
            "case.view_status",
            "case.edit",
            "case.break_glass",
            "case.import",
            "case.export_file",
            "service.request",
            "proceeding.view_stage",
            "stats.public",
            "stats.restricted",
            "export.htcds",
            "trm.view",
            "trm.send",
            "trm.receive",
        }
    ),
    Role.SERVICE_PROVIDER: frozenset(
        _EVERYONE | {"case.view", "case.view_pii", "service.update", "proceeding.view_stage"}
    ),
    Role.JUSTICE: frozenset(
        _EVERYONE | {"case.view_status", "proceeding.view", "proceeding.edit", "proceeding.export"}
    ),
    Role.TRAINER: frozenset(_EVERYONE | {"training.view", "training.edit", "awareness.view"}),
    Role.COORDINATOR: frozenset(
        _EVERYONE
        | _STATS_VIEWER
        | {
            "training.view",
            "awareness.view",
            "awareness.edit",
            "monitoring.view",
            "monitoring.edit",
            "export.ctdc",
        }
    ),
    Role.NATIONAL_COORDINATOR: frozenset(
        _EVERYONE
        | _STATS_VIEWER
        | {
            "stats.official",
            "training.view",
            "awareness.view",
            "awareness.edit",
            "monitoring.view",
            "monitoring.edit",
            "export.ctdc",
        }
    ),
    Role.AUDITOR: frozenset(_EVERYONE | {"audit.view", "audit.verify"}),
    Role.ADMIN: frozenset(_EVERYONE | {"user.manage", "agency.manage", "trm.partner.manage"}),
}

# Roles whose users can see victims' personal data.
PII_ROLES = frozenset(role for role, actions in ROLE_ACTIONS.items() if "case.view_pii" in actions)
# Roles that read personal data at all (DESIGN §1): the PII roles, and screeners, who see what they
# entered about a person until the referral is accepted. Granting one needs a second
# administrator's approval, and an administrator's account may never hold one.
PERSONAL_DATA_ROLES = PII_ROLES | {Role.SCREENER}
# Granted only with a second administrator's approval: the personal-data roles, and the two roles
# that control the others (an administrator approves grants, an auditor reviews them), so that one
# administrator cannot make a second account of his own to approve his own requests.
APPROVAL_ROLES = PERSONAL_DATA_ROLES | {Role.ADMIN, Role.AUDITOR}
# Every role reads something about a victim or a trainee (justice: case codes and identification
# status; coordinators: microdata and trainees' names; trainers: trainees' names and e-mails), or
# administers or audits those who do: every one signs in with two-factor authentication.
MFA_REQUIRED_ROLES = frozenset(Role.values)
