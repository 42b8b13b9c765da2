"""Every form shows all its errors at once, summarised at the top with a link to each field
(issue 20). The pattern lives in ``core_error_summary.html`` (included by
``core_form_fields.html``); a template that renders a Django form's fields by hand must include it
too, or be listed below with the reason it needs none. The referral form and the transnational
referral form rendered only the errors not tied to a field, with no summary."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from django.test import Client
from django.urls import reverse

import opennrm
from opennrm.accounts.models import User

ROOT = Path(opennrm.__file__).parent
SUMMARY = re.compile(r'\{% include "core_(form_fields|error_summary)\.html"')
RENDERS_A_FORM = re.compile(r"as_field_group|non_field_errors|field\.errors")
NOT_NEEDED = {
    "core/templates/core_error_summary.html": "the summary itself",
    "core/templates/core_form_fields.html": "includes the summary",
    "core/templates/core/field.html": "one field, inside a form that has the summary",
    "accounts/templates/allauth/elements/field.html": "one field of allauth's form element",
    "cases/templates/cases/action_error.html": "the whole page is the list of errors",
    "audit/templates/audit/entries.html": "a filter above its results; errors beside the field",
    "screening/templates/screening/stats.html": "a filter above its results",
    "statistics/templates/statistics/index.html": "a filter above its results",
}


def test_every_template_rendering_a_form_has_the_error_summary() -> None:
    missing = []
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        name = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        if RENDERS_A_FORM.search(text) and not SUMMARY.search(text) and name not in NOT_NEEDED:
            missing.append(name)
    assert not missing, f"forms without the error summary: {missing}"
    for name in NOT_NEEDED:
        assert (ROOT / name).exists(), name


def test_the_referral_form_summarises_its_errors_with_links(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    page = (
        client_for("ana")
        .post(reverse("cases:referral_create"), {"year_of_birth": "abc", "gender": "?"})
        .content.decode()
    )
    summary = re.search(r"<div[^>]*data-error-summary[^>]*>(.*?)</div>", page, re.S)
    assert summary is not None
    links = re.findall(r'<a href="#(id_[a-z_]+)">', summary.group(1))
    assert {"id_year_of_birth", "id_gender"} <= set(links)
    for field_id in links:
        assert f'id="{field_id}"' in page
