"""The role × endpoint matrix (issue 13): every page and every API operation, as every persona.

``EXPECTED`` below is the access matrix a reviewer reads: for each endpoint (a URL name, or an API
method and path template) the personas allowed; everyone else must be refused (403 or 404), and
nobody gets a server error. The endpoints are enumerated from the URL resolver and the API's
OpenAPI schema, so a new page or API operation fails ``test_every_endpoint_has_an_entry`` until it
is added here — with the personas that may use it — and an entry whose endpoint is gone fails too.

Each endpoint is requested by the anonymous visitor and by the ten demo personas
(``tests/conftest.py`` ``ALL_PERSONAS``) against one world built once for the module through the
real services: Marko's case, referred by Ana and led by Vesna at the Centre, with a shelter request
to Milan's shelter (consent given), a proceeding of Jelena with Marko linked as a victim, a
training cohort and event of Marija's, Dragan's monitoring action with a meeting and a report, a
campaign, a pending role grant, a break-the-glass grant, a sealed HTCDS export, an import job...
Path parameters are filled with those objects (``pk="case"`` names a key of the world).

Safe endpoints are read with GET: an allowed persona gets 200 (or the status the entry states).
Endpoints that only change something are sent their method with an empty body: an allowed persona
gets anything but a refusal or a server error (the empty body fails validation), the others are
refused. Every request runs in a savepoint that is rolled back, so no request changes the world the
next one sees. The anonymous visitor is refused everywhere except the public endpoints
(``PUBLIC``): a page may send him to the sign-in page instead.
"""

from __future__ import annotations

import base64
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from opennrm.accounts import policy
from opennrm.accounts import services as accounts
from opennrm.accounts.models import RoleGrant
from opennrm.accounts.roles import Role
from opennrm.awareness import services as awareness
from opennrm.cases import services as cases
from opennrm.cases import vocab
from opennrm.core.restapi import api
from opennrm.demo.base import ensure_agencies, ensure_personas
from opennrm.demo.personas import DEMO_PASSWORD
from opennrm.field import services as field_work
from opennrm.imports import services as imports
from opennrm.justice import services as justice
from opennrm.monitoring import services as monitoring
from opennrm.statistics import services as statistics
from opennrm.statistics import synthetic
from opennrm.training import services as training
from opennrm.transnational import services as transnational
from tests.cases.helpers import accepted_case, fresh, link_to_proceeding, refer
from tests.conftest import ALL_PERSONAS
from tests.monitoring.conftest import build_world as monitoring_world
from tests.screening.helpers import completed, start
from tests.statistics.test_synthetic import synthetic_true_rows as synthetic_rows
from tests.training.test_import_specs import SERBIAN, SPEC
from tests.transnational.partner import OUR_SEED, PARTNER, REFERRAL, from_partner

ANON = "anonymous"
EVERYONE = frozenset(ALL_PERSONAS)
PUBLIC = EVERYONE | {ANON}
SIGN_IN = "/accounts/login/"
UNSAFE = frozenset({"post", "put", "patch", "delete"})


@dataclass(frozen=True)
class Entry:
    """Who may use one endpoint, and how the test calls it."""

    allowed: frozenset[str]
    params: dict[str, str] = field(default_factory=dict)  # path parameter -> world key
    method: str = "get"
    ok: tuple[int, ...] = (200,)
    query: str = ""
    body: dict[str, str] = field(default_factory=dict)  # fields sent ("{world_key.attr}")
    lists: bool = False  # an API list: others may get 200 with an empty list instead of a refusal
    note: str = ""
    hole: str = ""  # "access hole: …" — a known hole, xfail(strict=True) until it is closed


def allow(
    *who: str | frozenset[str],
    method: str = "get",
    ok: tuple[int, ...] = (200,),
    query: str = "",
    body: dict[str, str] | None = None,
    lists: bool = False,
    note: str = "",
    hole: str = "",
    **params: str,
) -> Entry:
    allowed: set[str] = set()
    for item in who:
        allowed |= {item} if isinstance(item, str) else set(item)
    return Entry(frozenset(allowed), params, method, ok, query, body or {}, lists, note, hole)


def post(*who: str | frozenset[str], **kw: Any) -> Entry:
    return allow(*who, method="post", **kw)


# Persona groups (opennrm/accounts/roles.py: ROLE_ACTIONS, docs/access-matrix.md).
SCREENERS = frozenset({"ana", "cedomir"})
TRAINING = frozenset({"marija", "dragan", "nada", "sanja"})  # training.view
COORDINATORS = frozenset({"dragan", "nada", "sanja"})  # monitoring.*, awareness.edit, export.ctdc
STATS = frozenset({"vesna", "dragan", "nada", "sanja"})  # stats.public / stats.restricted
FIELD = frozenset({"ana", "vesna", "milan", "cedomir"})  # screening.create or service.update

# Personal data in the world and who may read it anywhere (DESIGN §1: case managers of the Centre;
# the provider serving the case with consent, shared notes only; the screener her own referral until
# it is accepted; justice its own proceedings; trainers and coordinators their trainees). Every
# response to anyone else — page, JSON, CSV — is searched for it.
READERS: dict[str, frozenset[str]] = {
    "Radovanović": frozenset({"vesna", "milan"}),  # Marko: Centre's case, Milan's shelter serves it
    "Marić": frozenset({"ana", "vesna"}),  # Ivana: Ana's referral, still pending
    "Kovač": frozenset({"vesna"}),  # Mila, a child: Centre's case
    "Janković": frozenset({"vesna"}),  # Jovan: Centre's case (referred by Ana, accepted)
    "Kostić": frozenset({"vesna"}),  # Mila's guardian
    "needs an interpreter": frozenset({"vesna", "milan"}),  # a note shared with the provider
    "brother works at the border": frozenset({"vesna"}),  # a note for the Centre only
    "Bukvić": frozenset({"jelena"}),  # the defendant (his name is optional, stored encrypted)
    "trainee.one@example.org": TRAINING,  # a trainee's e-mail
    "Court order 12/26": frozenset({"vesna", "zoran"}),  # a break-the-glass reason
}

EXPECTED: dict[str, Entry] = {
    # --- core and operations ---------------------------------------------------------------------
    "home": allow(EVERYONE),
    "healthz": allow(PUBLIC),
    "readyz": allow(PUBLIC),
    "metrics": allow(
        PUBLIC,
        note="open to the loopback address only (the test client is "
        "127.0.0.1); remote callers need OPENNRM_METRICS_TOKEN (tests/ops)",
    ),
    "set_language": post(PUBLIC, ok=(302,)),
    # The API's schema and docs: behind sign-in (OPENNRM_API_SCHEMA_PUBLIC off, as in production).
    "openapi-schema": allow(EVERYONE),
    "api:openapi-json": allow(EVERYONE),
    "api:openapi-view": allow(EVERYONE),
    "api:api-root": allow(note="django-ninja answers 404 at the API's root, to everyone"),
    # --- accounts: administration (/manage/) -----------------------------------------------------
    "accounts:users": allow("ivan"),
    "accounts:user": allow("ivan", pk="extra_user"),
    "accounts:user_active": post("ivan", pk="extra_user"),
    "accounts:user_unlock": post("ivan", pk="extra_user"),
    "accounts:user_token_revoke": post("ivan", pk="service_account", token_pk="service_token"),
    "accounts:service_token_issue": post("ivan", pk="service_account"),
    "accounts:grants": allow("ivan", "zoran", note="the auditor reads the grants, cannot decide"),
    "accounts:grant_approve": post("ivan", pk="role_grant"),
    "accounts:grant_reject": post("ivan", pk="role_grant"),
    "accounts:break_glass": allow("zoran"),
    "accounts:break_glass_review": post("zoran", pk="break_glass"),
    "accounts:unlock": post("ivan"),
    "accounts:agencies": allow("ivan"),
    "accounts:agency": allow("ivan", pk="agency"),
    "accounts:agency_aliases": allow("ivan"),
    "accounts:agency_alias_remove": post("ivan", pk="alias"),
    "accounts:profile": allow(EVERYONE),
    # --- the user guide (every signed-in user; a screenshot is 404 until ./dev guide took it) ---
    "help:index": allow(EVERYONE),
    "help:role": allow(EVERYONE, role="=everyone"),
    "help:task": allow(EVERYONE, role="=everyone", task="=account"),
    "help:shot": allow(EVERYONE, ok=(200, 404), language="=sr", name="=everyone.account.1.png"),
    "accounts:token_revoke": post("vesna", pk="own_token", note="Vesna's own token"),
    # --- audit -----------------------------------------------------------------------------------
    "audit:list": allow("zoran"),
    "audit:export": allow("zoran"),
    "audit:verify": post("zoran"),
    # --- screening -------------------------------------------------------------------------------
    "screening:list": allow(SCREENERS, "vesna"),
    "screening:start": allow(SCREENERS, "vesna"),
    "screening:stats": allow(COORDINATORS),
    "screening:detail": allow("ana", "vesna", pk="screening"),
    "screening:edit": allow(
        "ana",
        "vesna",
        ok=(200, 302),
        pk="draft",
        note="Ana edits her draft; Vesna (case managers see every screening) is sent to its page",
    ),
    "screening:autosave": post("ana", pk="draft"),
    "screening:discard": post("ana", pk="draft"),
    "screening:referral_unavailable": allow("ana", "vesna", pk="screening"),
    # --- cases: referrals ------------------------------------------------------------------------
    "cases:referral_list": allow(SCREENERS, "vesna"),
    "cases:referral_create": allow(SCREENERS, "vesna"),
    "cases:refer_from_screening": allow("ana", "vesna", screening_id="screening"),
    "cases:referral_detail": allow("ana", "vesna", pk="referral"),
    "cases:referral_acknowledge": post(
        "vesna", pk="referral", body={"version": "{referral.version}"}
    ),
    "cases:referral_decline": allow("vesna", pk="referral"),
    "cases:referral_accept": post("vesna", pk="referral", body={"version": "{referral.version}"}),
    # --- cases: the case (Marko's: Vesna leads it, Milan's shelter serves it with consent) -------
    "cases:case_list": allow("vesna", "milan"),
    "cases:case_detail": allow("vesna", "milan", pk="case"),
    "cases:case_history": allow("vesna", pk="case"),
    "cases:case_step": allow("vesna", pk="case", step="=edit"),
    "cases:break_glass": post("vesna"),
    "cases:status_lookup": allow("vesna", "jelena", query="code={case_code}"),
    "cases:consent_withdraw": allow("vesna", pk="consent"),
    "cases:guardian_end": allow("vesna", pk="guardian"),
    "cases:stay_end": allow("vesna", "milan", pk="stay"),
    "cases:service_inbox": allow("milan"),
    "cases:provider_shelter": allow("milan", pk="service"),
    "cases:service_step": allow("milan", pk="service", step="=start"),
    "cases:deadlines": allow("vesna", "milan"),
    "cases:import": allow("vesna", ok=(302,), note="moved to the import pipeline"),
    "cases:import_template": allow("vesna", ok=(302,), note="moved to the import pipeline"),
    "cases:case_file": allow("vesna", pk="case"),
    # --- justice (Jelena's proceeding, Marko linked as injured party) ----------------------------
    "justice:list": allow("jelena"),
    "justice:new": allow("jelena"),
    "justice:import": allow("jelena", ok=(302,), note="moved to the import pipeline"),
    # The stage of proceedings linked to one's own cases (proceeding.view_stage).
    "justice:for_case": allow("vesna", "milan", case_code="case_code"),
    "justice:detail": allow("jelena", pk="proceeding"),
    "justice:move": allow("jelena", pk="proceeding"),
    "justice:close": allow("jelena", pk="proceeding"),
    "justice:defendant_new": allow("jelena", pk="proceeding"),
    "justice:outcome": allow("jelena", pk="proceeding", defendant_id="defendant"),
    "justice:requalify": allow("jelena", pk="proceeding", charge_id="charge"),
    "justice:victim_new": allow("jelena", pk="proceeding"),
    "justice:victim": allow("jelena", pk="proceeding", link_id="victim_link"),
    "justice:hearing_new": allow("jelena", pk="proceeding"),
    # --- transnational ---------------------------------------------------------------------------
    "transnational:index": allow("vesna", "ivan"),
    "transnational:partner_add": allow("ivan"),
    "transnational:partner": allow("ivan", pk="partner"),
    "transnational:send": allow("vesna", case_pk="case"),
    "transnational:referral": allow("vesna", pk="trm_received"),
    # --- training (Marija's cohort and event) ----------------------------------------------------
    "training:cohorts": allow(TRAINING),
    "training:cohort": allow(TRAINING, code="cohort"),
    "training:cohort_edit": allow("marija", code="cohort"),
    "training:import": post("marija", code="cohort"),
    "training:import_errors": allow("marija", code="cohort"),
    "training:certificate": allow(TRAINING, pk="enrolment"),
    "training:coverage": allow(TRAINING),
    "training:events": allow(TRAINING),
    "training:event": allow(TRAINING, code="event"),
    "training:planning": allow(TRAINING),
    # --- awareness -------------------------------------------------------------------------------
    "awareness:index": allow(TRAINING),
    "awareness:campaign": allow(TRAINING, code="campaign"),
    # --- monitoring (Dragan's action) ------------------------------------------------------------
    "monitoring:dashboard": allow(COORDINATORS),
    "monitoring:indicator": allow(COORDINATORS, pk="indicator"),
    "monitoring:recommendations": allow(COORDINATORS),
    "monitoring:recommendations_import": allow(COORDINATORS),
    "monitoring:recommendation": allow(COORDINATORS, pk="recommendation"),
    "monitoring:meetings": allow(COORDINATORS),
    "monitoring:meeting": allow(COORDINATORS, pk="meeting"),
    "monitoring:follow_up_done": post(COORDINATORS, pk="follow_up"),
    "monitoring:reports": allow(COORDINATORS),
    "monitoring:report": allow(COORDINATORS, pk="report"),
    "monitoring:report_generate": post(COORDINATORS, pk="report"),
    "monitoring:rendition": allow(COORDINATORS, pk="report", file_pk="rendition"),
    "monitoring:rendition_download": allow(COORDINATORS, pk="report", file_pk="rendition"),
    # --- statistics ------------------------------------------------------------------------------
    "statistics:index": allow(STATS),
    "statistics:download": allow(STATS, fmt="=csv"),
    "statistics:about": allow(STATS),
    "statistics:ctdc": allow(COORDINATORS),
    "statistics:ctdc_request": post(COORDINATORS, ok=(302,)),
    "statistics:ctdc_export": allow(COORDINATORS, pk="ctdc"),
    "statistics:ctdc_download": allow(COORDINATORS, pk="ctdc"),
    "statistics:synthetic_request": post(
        COORDINATORS,
        ok=(302,),
        note="too few cases in the world to synthesise: sent back with the message",
    ),
    "statistics:synthetic": allow(COORDINATORS, pk="synthetic"),
    "statistics:synthetic_download": allow(COORDINATORS, pk="synthetic"),
    "statistics:htcds": allow("vesna"),
    "statistics:htcds_download": allow("vesna", token="htcds_token"),
    # --- imports (Marija's completion report upload) ---------------------------------------------
    "imports:index": allow("vesna", "jelena", "marija", COORDINATORS),
    "imports:job": allow("marija", job_id="import_job"),
    "imports:columns": allow("marija", job_id="import_job"),
    "imports:values": allow(
        "marija",
        ok=(302,),
        job_id="import_job",
        note="no unknown values: sent on to the job's next step",
    ),
    "imports:preview": allow("marija", job_id="import_job"),
    "imports:report": allow("marija", job_id="import_job"),
    "imports:resume": post("marija", job_id="import_job"),
    "imports:upload": allow("vesna", key="=cases"),
    "imports:template": allow("vesna", key="=cases"),
    # --- field (the offline app): the worker and manifest load before sign-in, hold no data ----
    "field:home": allow(FIELD),
    "field:catalogues": allow(FIELD),
    "field:service_worker": allow(PUBLIC),
    "field:manifest": allow(PUBLIC),
    "field:devices": allow("ivan", note="administrators: devices in use, remote wipe"),
    "field:devices_wipe": post("ivan", user_id="field_device_user", note="Ana's lost phone"),
    # --- lifecycle (retention, data subjects' requests) ------------------------------------------
    # Approvers of erasures and handlers of data subjects' requests: case managers and the DPO.
    "lifecycle:erasures": allow("vesna", "zoran"),
    "lifecycle:requests": allow("vesna", "zoran"),
    #
    # === API (/api/v1/) ==========================================================================
    # --- accounts --------------------------------------------------------------------------------
    "GET /api/v1/accounts/me": allow(EVERYONE),
    "GET /api/v1/accounts/tokens": allow(EVERYONE),
    "POST /api/v1/accounts/tokens": allow(EVERYONE, method="post"),
    "DELETE /api/v1/accounts/tokens/{token_id}": allow(
        "vesna", method="delete", token_id="own_token"
    ),
    "GET /api/v1/accounts/users/{user_id}/tokens": allow("ivan", user_id="service_account"),
    "DELETE /api/v1/accounts/users/{user_id}/tokens/{token_id}": allow(
        "ivan", method="delete", user_id="service_account", token_id="service_token"
    ),
    "GET /api/v1/accounts/users": allow("ivan"),
    # --- screening -------------------------------------------------------------------------------
    # The indicator catalogues are reference data: no personal data.
    "GET /api/v1/screening/catalogues/": allow(EVERYONE),
    "GET /api/v1/screening/catalogues/{list_name}/": allow(EVERYONE, list_name="=adult_labour"),
    "POST /api/v1/screening/evaluate": allow(SCREENERS, "vesna", method="post"),
    "GET /api/v1/screening/screenings": allow(SCREENERS, "vesna", lists=True),
    "POST /api/v1/screening/screenings": allow(SCREENERS, "vesna", method="post"),
    "GET /api/v1/screening/screenings/{screening_id}": allow(
        "ana", "vesna", screening_id="screening"
    ),
    "PATCH /api/v1/screening/screenings/{screening_id}": allow(
        "ana", method="patch", screening_id="draft"
    ),
    "DELETE /api/v1/screening/screenings/{screening_id}": allow(
        "ana", method="delete", screening_id="draft", query="version={draft.version}"
    ),
    "POST /api/v1/screening/screenings/{screening_id}/submit": allow(
        "ana", method="post", screening_id="draft"
    ),
    # --- cases: referrals ------------------------------------------------------------------------
    "POST /api/v1/cases/referrals/": allow(SCREENERS, "vesna", method="post"),
    "GET /api/v1/cases/referrals/": allow(SCREENERS, "vesna", lists=True),
    "POST /api/v1/cases/referrals/from-screening/{screening_id}/": allow(
        "ana", "vesna", method="post", screening_id="screening"
    ),
    "GET /api/v1/cases/referrals/{referral_id}/": allow("ana", "vesna", referral_id="referral"),
    "GET /api/v1/cases/referrals/{referral_id}/triage/": allow("vesna", referral_id="referral"),
    "GET /api/v1/cases/referrals/{referral_id}/duplicates/": allow("vesna", referral_id="referral"),
    "POST /api/v1/cases/referrals/{referral_id}/acknowledge/": allow(
        "vesna", method="post", referral_id="referral"
    ),
    "POST /api/v1/cases/referrals/{referral_id}/decline/": allow(
        "vesna", method="post", referral_id="referral"
    ),
    "POST /api/v1/cases/referrals/{referral_id}/accept/": allow(
        "vesna", method="post", referral_id="referral"
    ),
    # --- cases: cases, services, protection ------------------------------------------------------
    "GET /api/v1/cases/cases/": allow("vesna", "milan", lists=True),
    "POST /api/v1/cases/cases/search/": allow("vesna", "milan", method="post"),
    "GET /api/v1/cases/cases/{case_id}/": allow("vesna", "milan", case_id="case"),
    "PATCH /api/v1/cases/cases/{case_id}/": allow("vesna", method="patch", case_id="case"),
    "POST /api/v1/cases/cases/{case_id}/actions/{action}/": allow(
        "vesna", method="post", case_id="case", action="=close"
    ),
    "GET /api/v1/cases/status/": allow("vesna", "jelena", query="code={case_code}"),
    "POST /api/v1/cases/cases/{case_id}/services/": allow("vesna", method="post", case_id="case"),
    "GET /api/v1/cases/services/": allow("vesna", "milan", lists=True),
    "POST /api/v1/cases/services/{service_id}/{step}/": allow(
        "milan", method="post", service_id="service", step="=start"
    ),
    "POST /api/v1/cases/cases/{case_id}/guardians/": allow("vesna", method="post", case_id="case"),
    "POST /api/v1/cases/cases/{case_id}/consents/": allow("vesna", method="post", case_id="case"),
    "POST /api/v1/cases/consents/{consent_id}/withdraw/": allow(
        "vesna", method="post", consent_id="consent"
    ),
    "POST /api/v1/cases/cases/{case_id}/notes/": allow(
        "vesna", "milan", method="post", case_id="case"
    ),
    "PUT /api/v1/cases/cases/{case_id}/plan/": allow("vesna", method="put", case_id="case"),
    "POST /api/v1/cases/cases/{case_id}/permits/": allow("vesna", method="post", case_id="case"),
    "POST /api/v1/cases/cases/{case_id}/shelter-stays/": allow(
        "vesna",
        method="post",
        case_id="case",
        note="Milan records a stay from his service request (a body field): not in this minimal body",
    ),
    "POST /api/v1/cases/shelter-stays/{stay_id}/end/": allow(
        "vesna", "milan", method="post", stay_id="stay"
    ),
    "POST /api/v1/cases/import/": allow("vesna", method="post"),
    "GET /api/v1/cases/deadlines/": allow("vesna", "milan", lists=True),
    "GET /api/v1/cases/cases/{case_id}/file.pdf": allow("vesna", case_id="case"),
    # --- justice ---------------------------------------------------------------------------------
    "GET /api/v1/justice/proceedings": allow("jelena"),
    "POST /api/v1/justice/proceedings": allow("jelena", method="post"),
    "GET /api/v1/justice/proceedings/{proceeding_id}": allow("jelena", proceeding_id="proceeding"),
    "POST /api/v1/justice/proceedings/{proceeding_id}/stage": allow(
        "jelena", method="post", proceeding_id="proceeding"
    ),
    "POST /api/v1/justice/proceedings/{proceeding_id}/defendants": allow(
        "jelena", method="post", proceeding_id="proceeding"
    ),
    "POST /api/v1/justice/proceedings/{proceeding_id}/defendants/{defendant_id}/outcome": allow(
        "jelena", method="post", proceeding_id="proceeding", defendant_id="defendant"
    ),
    "POST /api/v1/justice/proceedings/{proceeding_id}/victims": allow(
        "jelena", method="post", proceeding_id="proceeding", body={"case_code": "{case_code}"}
    ),
    "PATCH /api/v1/justice/proceedings/{proceeding_id}/victims/{link_id}": allow(
        "jelena", method="patch", proceeding_id="proceeding", link_id="victim_link"
    ),
    "POST /api/v1/justice/proceedings/{proceeding_id}/hearings": allow(
        "jelena", method="post", proceeding_id="proceeding"
    ),
    "GET /api/v1/justice/cases/{case_code}/proceedings": allow(
        "vesna", "milan", case_code="case_code"
    ),
    # --- field: a device's key, its work and sync for field roles; the wipe check for any caller
    "GET /api/v1/field/devices/{device_id}/key": allow(
        FIELD, device_id="=device-endpoint-matrix", note="a new device: made on first contact"
    ),
    "GET /api/v1/field/devices/{device_id}/contact": allow(
        PUBLIC,
        device_id="=device-endpoint-matrix",
        note="asked signed in or not; says only whether to wipe, False for unknown ids",
    ),
    "POST /api/v1/field/devices/{device_id}/wiped": allow(
        PUBLIC, method="post", device_id="=device-endpoint-matrix"
    ),
    "GET /api/v1/field/work": allow(FIELD),
    "POST /api/v1/field/sync": allow(
        "ana",
        method="post",
        body={"device_id": "{field_device.device_id}"},
        note="Ana's device: a device is its user's, another's is not found",
    ),
    # --- transnational ---------------------------------------------------------------------------
    "POST /api/v1/transnational/inbox": allow(
        PUBLIC,
        method="post",
        note="partner platforms post signed envelopes; the signature is the credential",
    ),
    "GET /api/v1/transnational/referrals": allow("vesna"),
    # --- training --------------------------------------------------------------------------------
    "GET /api/v1/training/cohorts": allow(TRAINING),
    "POST /api/v1/training/cohorts": allow(
        "marija", method="post", body={"course_code": "help-thb"}
    ),
    "PATCH /api/v1/training/cohorts/{code}": allow("marija", method="patch", code="cohort"),
    "GET /api/v1/training/cohorts/{code}/figures": allow(TRAINING, code="cohort"),
    "POST /api/v1/training/cohorts/{code}/import": allow("marija", method="post", code="cohort"),
    "GET /api/v1/training/coverage/{population_code}": allow(
        TRAINING, population_code="population"
    ),
    "GET /api/v1/training/coverage/{population_code}/series": allow(
        TRAINING, population_code="population"
    ),
    "POST /api/v1/training/populations/{population_code}/headcounts": allow(
        "marija", method="post", population_code="population"
    ),
    "GET /api/v1/training/events": allow(TRAINING),
    "POST /api/v1/training/events": allow("marija", method="post"),
    "GET /api/v1/training/events/{code}/attendance/{by}": allow(TRAINING, code="event", by="=sex"),
    "GET /api/v1/training/needs-assessments": allow(TRAINING),
    "GET /api/v1/training/curricula": allow(TRAINING),
    # --- awareness -------------------------------------------------------------------------------
    "GET /api/v1/awareness/grants": allow(TRAINING),
    "POST /api/v1/awareness/grants": allow(COORDINATORS, method="post"),
    "GET /api/v1/awareness/campaigns": allow(TRAINING),
    "POST /api/v1/awareness/campaigns": allow(COORDINATORS, method="post"),
    "POST /api/v1/awareness/campaigns/{code}/reach": allow(
        COORDINATORS, method="post", code="campaign"
    ),
    "GET /api/v1/awareness/reach": allow(TRAINING, query="start=2020-01-01&end=2020-12-31"),
    # --- monitoring ------------------------------------------------------------------------------
    "GET /api/v1/monitoring/logframe": allow(COORDINATORS),
    "GET /api/v1/monitoring/budget": allow(COORDINATORS),
    "GET /api/v1/monitoring/recommendations": allow(COORDINATORS),
    "PATCH /api/v1/monitoring/recommendations/{pk}": allow(
        COORDINATORS, method="patch", pk="recommendation"
    ),
    "GET /api/v1/monitoring/meetings": allow(COORDINATORS),
    "POST /api/v1/monitoring/meetings": allow(COORDINATORS, method="post"),
    "POST /api/v1/monitoring/meetings/{pk}/decisions": allow(
        COORDINATORS, method="post", pk="meeting"
    ),
    "POST /api/v1/monitoring/meetings/{pk}/follow-ups": allow(
        COORDINATORS, method="post", pk="meeting"
    ),
    "POST /api/v1/monitoring/indicators/{pk}/values": allow(
        COORDINATORS, method="post", pk="indicator"
    ),
    "GET /api/v1/monitoring/follow-ups": allow(COORDINATORS),
    "POST /api/v1/monitoring/follow-ups/{pk}/done": allow(
        COORDINATORS, method="post", pk="follow_up"
    ),
    "POST /api/v1/monitoring/reports": allow(COORDINATORS, method="post"),
    "POST /api/v1/monitoring/reports/{pk}/files": allow(COORDINATORS, method="post", pk="report"),
    "GET /api/v1/monitoring/reports/{pk}/files/{file_pk}": allow(
        COORDINATORS, pk="report", file_pk="rendition"
    ),
    # --- statistics ------------------------------------------------------------------------------
    "GET /api/v1/statistics/tables/": allow(STATS),
    "GET /api/v1/statistics/tables/{table_id}/": allow(
        STATS, table_id="=identified_by_agency_type"
    ),
    "POST /api/v1/statistics/ctdc/": allow(COORDINATORS, method="post", ok=(202,)),
    "GET /api/v1/statistics/ctdc/{pk}": allow(COORDINATORS, pk="ctdc"),
    "GET /api/v1/statistics/ctdc/{pk}/csv": allow(COORDINATORS, pk="ctdc"),
    "POST /api/v1/statistics/synthetic/": allow(
        COORDINATORS,
        method="post",
        ok=(400,),
        note="too few cases in the world to synthesise: 400 with the message",
    ),
    "GET /api/v1/statistics/synthetic/{pk}": allow(COORDINATORS, pk="synthetic"),
    "GET /api/v1/statistics/synthetic/{pk}/csv": allow(COORDINATORS, pk="synthetic"),
}


# --- enumeration ---------------------------------------------------------------------------------

# Left out of the matrix, each for a reason:
EXCLUDED_MODULES = {
    # allauth's own account pages (sign-in, two-factor, password): one flow for everyone, tested
    # in tests/accounts/test_allauth_pages.py and attacked in tests/security/test_auth_*.py.
    "allauth.",
}
# Not mounted: Django's admin (not in INSTALLED_APPS' URLs), static and media files (served by
# the web server in production, by runserver's static handler in development).
API_PREFIX = "/api/v1"


def _is_api_operation(pattern: URLPattern) -> bool:
    """django-ninja's operation views: covered by the API part of the matrix (one per method)."""
    return pattern.callback.__module__ == "ninja.operation"


def pages() -> dict[str, str]:
    """Every named URL pattern that is not an API operation: URL name -> route."""
    found: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                inner = (
                    f"{namespace}:{item.namespace}"
                    if namespace and item.namespace
                    else (item.namespace or namespace)
                )
                walk(item, prefix + str(item.pattern), inner)
                continue
            module = item.callback.__module__
            if _is_api_operation(item) or any(module.startswith(m) for m in EXCLUDED_MODULES):
                continue
            assert item.name, f"the URL pattern {prefix}{item.pattern} has no name"
            name = f"{namespace}:{item.name}" if namespace else item.name
            assert name not in found, f"two URL patterns are named {name}"
            found[name] = prefix + str(item.pattern)

    walk(get_resolver(), "/", "")
    return found


def operations() -> set[str]:
    """Every API operation of the OpenAPI schema: "METHOD /api/v1/path/{param}"."""
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


# --- the world -----------------------------------------------------------------------------------


def build_world() -> dict[str, Any]:
    """One of everything an endpoint can be about, made through the real services."""
    agencies = ensure_agencies()
    p = ensure_personas(agencies)
    ana, vesna, milan, jelena, marija = (
        p[n] for n in ("ana", "vesna", "milan", "jelena", "marija")
    )
    ivan = p["ivan"]
    today = timezone.localdate()
    w: dict[str, Any] = {"personas": p}
    # The agency an API body's agency field names (``AGENCY_FIELDS``).
    w["agency_pk"] = min(agency.pk for agency in agencies.values())

    # Screening and referrals: Ana's submitted screening and her draft; a referral still pending.
    w["screening"] = completed(ana)
    w["draft"] = start(ana)
    w["referral"] = refer(ana, given_names="Ivana", family_name="Marić", consent_scope=["referral"])

    # Marko's case at the Centre (Vesna), with consent to services and Milan's shelter accepted.
    case = accepted_case(
        ana, vesna, given_names="Marko", family_name="Radovanović", citizenship=["MK"]
    )
    cases.consent_record(actor=vesna, case=case, scope=vocab.ConsentScope.TRANSNATIONAL)
    w["consent"] = case.consents.get(scope=vocab.ConsentScope.SERVICES)  # given at referral
    service = cases.service_request_create(
        actor=vesna, case=case, service_type="shelter", provider_agency=agencies["shelter"]
    )
    service = cases.service_request_respond(
        actor=milan, request=service, expected_version=service.version, step="accept"
    )
    w["service"] = service
    w["stay"] = cases.shelter_stay_start(
        actor=milan, case=case, admitted_on=today, service_request=service
    )
    cases.case_note_add(actor=vesna, case=case, body="Shared: needs an interpreter.", sensitivity=1)
    cases.case_note_add(
        actor=vesna, case=case, body="The trafficker's brother works at the border.", sensitivity=2
    )
    # A child's case, for the guardian.
    child = accepted_case(
        ana,
        vesna,
        given_names="Mila",
        family_name="Kovač",
        date_of_birth=today.replace(year=today.year - 15),
    )
    w["guardian"] = cases.guardian_add(
        actor=vesna, case=child, full_name="Snežana Kostić", appointed_on=today
    )

    # Justice: Jelena's proceeding with Marko linked, a defendant with a charge, a hearing.
    proceeding = link_to_proceeding(jelena, case)
    w["proceeding"] = proceeding
    w["victim_link"] = proceeding.victims.get()
    defendant = justice.defendant_add(
        actor=jelena,
        proceeding=proceeding,
        sex="male",
        offences=["CC-388"],
        full_name="Zlatko Bukvić",
    )
    w["defendant"] = defendant
    w["charge"] = defendant.charges.get()
    justice.hearing_schedule(
        actor=jelena, proceeding=proceeding, at=timezone.now() + timedelta(days=7), place="Room 4"
    )
    w["case"] = fresh(case)
    w["case_code"] = case.code

    # Transnational: North Macedonia as partner, a referral sent and one received.
    w["partner"] = transnational.partner_register(
        actor=ivan,
        country_code="MK",
        name="NRM North Macedonia",
        endpoint="https://nrm.example.mk/api/v1/transnational/inbox",
        sign_public=PARTNER.public.as_text()["sign_public"],
        box_public=PARTNER.public.as_text()["box_public"],
        fingerprint=PARTNER.public.fingerprint.lower(),
    )
    w["trm_sent"] = transnational.referral_send(
        actor=vesna,
        case=w["case"],
        partner=w["partner"],
        purpose="identify",
        fields=["prs_FirstName"],
    )
    w["trm_received"] = transnational.receive_envelope(from_partner("referral", REFERRAL))

    # Training: a cohort with an enrolment, an event with attendance, a population.
    course = training.course_create(
        actor=marija,
        code="help-thb",
        title="HELP: Combating trafficking in human beings",
        modules=[("intro", "Introduction")],
    )
    cohort = training.cohort_create(
        actor=marija,
        course=course,
        code="help-2020",
        title="Law students 2020",
        target_group="law_students",
        start=date(2020, 4, 1),
        end=date(2020, 6, 30),
        organiser=agencies["coe"],
    )
    w["cohort"] = cohort.code
    trainee = training.trainee_register(
        actor=marija,
        first_name="Insp",
        last_name="One",
        email="trainee.one@example.org",
        profession="labour_inspector",
        agency=agencies["labour"],
    )
    enrolment = training.enrolment_create(actor=marija, cohort=cohort, trainee=trainee)
    training.module_complete(
        actor=marija,
        enrolment=enrolment,
        module=course.modules.get(),
        completed_on=date(2020, 5, 4),
    )
    w["enrolment"] = enrolment
    event = training.event_create(
        actor=marija,
        code="li-1",
        title="Basic training",
        kind="seminar",
        start=date(2020, 3, 2),
        end=date(2020, 3, 3),
        organiser=agencies["coe"],
        place="Niš",
    )
    training.attendance_record(actor=marija, event=event, trainees=[trainee])
    w["event"] = event.code
    population = training.population_create(
        actor=marija,
        code="labour_inspectors",
        name="Labour inspectors",
        profession="labour_inspector",
        qualifying_events=[event],
    )
    w["population"] = population.code

    # Field: Ana's phone.
    w["field_device"] = field_work.device_key_release(actor=ana, device_id="phone-of-ana")
    w["field_device_user"] = ana

    # Awareness: a grant and a campaign (Dragan).
    grant = awareness.grant_create(
        actor=p["dragan"],
        code="g1",
        title="Outreach",
        grantee=agencies["astra"],
        amount=10_000,
        currency="EUR",
        start=date(2020, 1, 1),
        end=date(2020, 12, 31),
    )
    w["campaign"] = awareness.campaign_create(
        actor=p["dragan"],
        code="c1",
        title="Know your rights",
        topic="labour",
        audience="workers",
        channels=["radio"],
        start=date(2020, 3, 1),
        end=date(2020, 5, 1),
        grant=grant,
    ).code

    # Monitoring: the monitoring tests' action, meeting, follow-up, report — and one rendition.
    m = monitoring_world(p, agencies)
    w["indicator"], w["recommendation"] = m.manual, m.recommendations[0]
    w["meeting"], w["follow_up"], w["report"] = m.meeting, m.follow_up, m.report
    rendition = monitoring.rendition_request(
        actor=p["dragan"], report=m.report, format="html", language="en"
    )
    w["rendition"] = monitoring.rendition_render(rendition_id=rendition.pk)

    # Statistics: a CTDC file and a synthetic dataset made by the worker's services (the latter
    # from generated rows: the world has too few cases to synthesise), and a sealed HTCDS export
    # of Vesna's.
    w["ctdc"] = statistics.ctdc_make(export_id=statistics.ctdc_request(actor=p["dragan"]).pk)
    rows = synthetic_rows(1_500)
    with (
        mock.patch.object(synthetic, "true_rows", return_value=rows),
        mock.patch.object(synthetic, "case_count", return_value=len(rows)),
    ):
        queued = statistics.synthetic_request(actor=p["dragan"])
        w["synthetic"] = statistics.synthetic_make(dataset_id=queued.pk)
    w["htcds_token"] = statistics.htcds_export_create(
        actor=vesna, recipient="IOM", purpose="Regional data exchange"
    ).token

    # Imports: Marija's upload of a completion report for the cohort.
    w["import_job"] = imports.job_create(
        actor=marija,
        spec_key=SPEC,
        target=cohort.code,
        filename="report.csv",
        data=SERBIAN.encode(),
    ).pk

    # Accounts: a user for the administrator to act on, a service account with a token, a pending
    # role grant, an agency alias, Vesna's own token, a break-the-glass grant to review.
    extra = accounts.user_create(
        actor=ivan,
        username="petar",
        agency=agencies["csw_bg"],
        roles=[Role.TRAINER],
        password=DEMO_PASSWORD,
    )
    w["extra_user"] = extra
    service_account = accounts.user_create(
        actor=ivan,
        username="etl",
        agency=agencies["nco"],
        roles=[Role.COORDINATOR],
        password=DEMO_PASSWORD,
        service_account=True,
    )
    w["service_account"] = service_account
    w["service_token"] = accounts.token_issue(
        actor=ivan, user=service_account, name="etl", mfa_verified=True
    )[0]
    w["own_token"] = accounts.token_issue(
        actor=vesna, user=vesna, name="laptop", mfa_verified=True
    )[0]
    accounts.user_set_roles(actor=ivan, user=extra, roles=[Role.TRAINER, Role.SERVICE_PROVIDER])
    w["role_grant"] = RoleGrant.objects.get(user=extra)
    w["alias"] = accounts.agency_alias_add(
        actor=ivan, text="Radna inspekcija Zemun", agency=agencies["labour"]
    )
    w["agency"] = agencies["labour"]
    other = accepted_case(ana, vesna, given_names="Jovan", family_name="Janković")
    w["other_case"] = other
    w["break_glass"] = policy.break_glass(actor=vesna, obj=other, reason="Court order 12/26")
    return w


def value(world: dict[str, Any], key: str) -> str:
    """A path parameter: a world object's pk, or the world's value itself; "=x" is literal x."""
    if key.startswith("="):
        return key[1:]
    found = world[key]
    return str(getattr(found, "pk", found))


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The world and one signed-in client per persona, built once, rolled back at the end."""
    var = Path(tempfile.mkdtemp(prefix="endpoint-matrix-"))

    with (
        django_db_blocker.unblock(),
        override_settings(
            VAR_DIR=var,
            MEDIA_ROOT=var,
            OPENNRM_TRM_KEYS=base64.b64encode(OUR_SEED).decode(),
            OPENNRM_COUNTRY_CODE="RS",
            OPENNRM_API_SCHEMA_PUBLIC=False,
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            clients = {ANON: Client()}
            for username, user in built["personas"].items():
                clients[username] = signed_in(user)
            built["clients"] = clients
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            shutil.rmtree(var, ignore_errors=True)


def minimal(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """The smallest value the schema accepts: an API call passes the schema's validation and
    reaches the operation's own permission check (django-ninja validates the body first, so an
    empty body would be answered 400 to everyone, allowed or not)."""
    if "$ref" in schema:
        return minimal(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            return minimal(options[0], components)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {k: minimal(properties[k], components) for k in schema.get("required", ())}
    if kind == "array":
        return [minimal(schema.get("items", {}), components)] * schema.get("minItems", 0)
    if kind == "string":
        return {
            "date": "2020-01-02",
            "date-time": "2020-01-02T10:00:00Z",
            "email": "someone@example.org",
            "binary": SimpleUploadedFile("empty.csv", b"a\n", content_type="text/csv"),
        }.get(schema.get("format", ""), "x" * max(1, schema.get("minLength", 1)))
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    return None


@cache
def _schema() -> dict[str, Any]:
    return api.get_openapi_schema()


# Integer fields of API bodies that name an agency: the smallest valid integer (1) names no agency
# once other tests have used PostgreSQL's sequences (they are not rolled back), and the operation
# answers 404 to everyone: these get the world's first agency instead.
AGENCY_FIELDS = frozenset(
    {"provider_agency_id", "prosecutor_office_id", "organiser_id", "grantee_id"}
)


def api_body(key: str) -> tuple[Any, str | None]:
    """The minimal body of an API operation and its content type (None: multipart)."""
    method, template = key.split(" ", 1)
    operation = _schema()["paths"][template][method.lower()]
    content = operation.get("requestBody", {}).get("content", {})
    components = _schema().get("components", {}).get("schemas", {})
    if "multipart/form-data" in content:
        return minimal(content["multipart/form-data"]["schema"], components), None
    if "application/json" in content:
        return minimal(content["application/json"]["schema"], components), "application/json"
    return {}, "application/json"


def signed_in(user: Any) -> Client:
    """A client signed in as a person is: password, then the second factor (allauth's records of
    the session, which token issuing checks)."""
    client = Client()
    client.force_login(user)
    session = client.session
    now = time.time()
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": now, "username": user.username},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session.save()
    return client


def call(world: dict[str, Any], who: str, key: str, entry: Entry, method: str, url: str) -> Any:
    """One request, in a savepoint rolled back afterwards: no request changes the world."""
    client: Client = world["clients"][who]
    with transaction.atomic():
        if method == "get":
            response = client.get(url)
        elif " " in key:
            body, content_type = api_body(key)
            body.update(dict.fromkeys(AGENCY_FIELDS & body.keys(), world["agency_pk"]))
            body.update({k: v.format(**world) for k, v in entry.body.items()})
            if content_type is None:
                response = getattr(client, method)(url, data=body)
            else:
                response = getattr(client, method)(url, data=body, content_type=content_type)
        else:
            data = {k: v.format(**world) for k, v in entry.body.items()}
            response = client.post(url, data=data)
        transaction.set_rollback(True)
    return response


def _query(entry: Entry, world: dict[str, Any]) -> str:
    if not entry.query:
        return ""
    return "?" + entry.query.format(**world)


def url_for(key: str, entry: Entry, world: dict[str, Any]) -> tuple[str, str]:
    """The entry's method and URL, its path parameters filled from the world."""
    if " " not in key:
        kwargs = {k: value(world, v) for k, v in entry.params.items()}
        return entry.method, reverse(key, kwargs=kwargs) + _query(entry, world)
    method, template = key.split(" ", 1)
    url = re.sub(r"\{(\w+)\}", lambda m: value(world, entry.params[m.group(1)]), template)
    return method.lower(), url + _query(entry, world)


def _detail(response: Any) -> str:
    if response.status_code in (301, 302, 303):
        return f" to {response.headers.get('Location')}"
    if response.headers.get("Content-Type", "").startswith("application/json"):
        return f" {response.content[:120].decode(errors='replace')}"
    return ""


def _text(response: Any) -> str:
    """The response's text (a streamed export read whole); "" for binary files."""
    content_type = response.headers.get("Content-Type", "")
    if not content_type.startswith(("text/", "application/json")):
        return ""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _empty(response: Any) -> bool:
    """An API list with nothing in it (``[]`` or a page with no items and a count of 0)."""
    data = response.json()
    return data == [] or (data.get("items") == [] and not data.get("count"))


def verdict(who: str, entry: Entry, method: str, response: Any) -> str:
    """What is wrong with one response, or ""."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if who in entry.allowed:
        if method in UNSAFE:
            return f"refused ({status})" if status in (401, 403, 404, 405) else ""
        if status not in entry.ok:
            return f"should be allowed (expected {entry.ok}) but got {status}{_detail(response)}"
        if status in (301, 302) and response.headers.get("Location", "").startswith(SIGN_IN):
            return "sent to the sign-in page"
        return ""
    if status in (403, 404):
        return ""
    if entry.lists and status == 200 and who != ANON and _empty(response):
        return ""
    if who == ANON:
        if status == 401:
            return ""
        if status == 302 and response.headers.get("Location", "").startswith(SIGN_IN):
            return ""
    return f"should be refused but got {status}{_detail(response)}"


# --- the tests -----------------------------------------------------------------------------------


def _route_parameters(key: str, routes: dict[str, str]) -> set[str]:
    if " " in key:
        return set(re.findall(r"\{(\w+)\}", key))
    return set(re.findall(r"<(?:\w+:)?(\w+)>", routes.get(key, "")))


def test_every_endpoint_has_an_entry_and_every_entry_an_endpoint() -> None:
    routes = pages()
    found = set(routes) | operations()
    missing = sorted(found - set(EXPECTED))
    gone = sorted(set(EXPECTED) - found)
    problems = [
        f"no entry in EXPECTED for the endpoint {key!r}: add who may use it" for key in missing
    ]
    problems += [
        f"the entry {key!r} names no endpoint any more: remove or rename it" for key in gone
    ]
    for key, entry in EXPECTED.items():
        wanted = _route_parameters(key, routes)
        if key in found and set(entry.params) != wanted:
            problems.append(
                f"{key!r}: path parameters {sorted(wanted)}, entry fills {sorted(entry.params)}"
            )
        unknown = entry.allowed - PUBLIC
        if unknown:
            problems.append(f"{key!r}: unknown personas {sorted(unknown)}")
    assert not problems, "\n".join(problems)


def _cases() -> list[Any]:
    return [
        pytest.param(
            key,
            id=key,
            marks=[pytest.mark.xfail(strict=True, reason=entry.hole)] if entry.hole else [],
        )
        for key, entry in EXPECTED.items()
    ]


@pytest.mark.parametrize("key", _cases())
def test_access(key: str, world: dict[str, Any], db: None) -> None:
    entry = EXPECTED[key]
    method, url = url_for(key, entry, world)
    failures = []
    for who in (ANON, *ALL_PERSONAS):
        response = call(world, who, key, entry, method, url)
        problem = verdict(who, entry, method, response)
        if problem:
            failures.append(f"{who}: {problem}")
        text = _text(response)
        for secret, readers in READERS.items():
            if who not in readers and secret in text:
                failures.append(f"{who}: the response holds {secret!r}")
    assert not failures, f"{method.upper()} {url} ({key}):\n  " + "\n  ".join(failures)


def test_what_is_searched_for_is_shown_to_its_readers(world: dict[str, Any], db: None) -> None:
    """The search above finds what it looks for: a reader's page shows each searched text (a
    search for text no page shows would pass whatever leaked)."""
    case = reverse("cases:case_detail", args=[world["case"].pk])
    shown = {
        "Radovanović": [("vesna", case), ("milan", case)],
        "Marić": [("vesna", reverse("cases:referral_detail", args=[world["referral"].pk]))],
        "Kovač": [("vesna", reverse("cases:case_detail", args=[world["guardian"].case_id]))],
        "Janković": [("vesna", reverse("cases:case_detail", args=[world["other_case"].pk]))],
        "Kostić": [("vesna", reverse("cases:case_detail", args=[world["guardian"].case_id]))],
        "needs an interpreter": [("vesna", case), ("milan", case)],
        "brother works at the border": [("vesna", case)],
        "Bukvić": [],  # no page shows a defendant's name, not even to justice
        "trainee.one@example.org": [("marija", reverse("training:cohort", args=[world["cohort"]]))],
        "Court order 12/26": [("zoran", reverse("accounts:break_glass"))],
    }
    assert set(shown) == set(READERS)
    for text, pages in shown.items():
        for who, url in pages:
            assert who in READERS[text]
            page = world["clients"][who].get(url).content.decode()
            assert text in page, f"{who} does not see {text!r} at {url}"
