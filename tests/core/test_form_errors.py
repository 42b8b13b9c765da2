"""Forms that failed say so at the top (issue 20, GOV.UK error summary): one summary linking to
each field in error, fields marked invalid and described by their message, a static script that
moves the focus (the CSP allows no inline script)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from opennrm.accounts.models import User
from tests.cases.helpers import accepted_case


def test_a_form_with_errors_starts_with_a_summary_linking_to_each_field(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    url = reverse("cases:case_step", args=[case.pk, "guardian"])
    page = client_for("vesna").post(url, {}).content.decode()
    summary = re.search(r"<div[^>]*data-error-summary[^>]*>(.*?)</div>", page, re.S)
    assert summary is not None
    assert 'tabindex="-1"' in summary.group(0)
    assert 'role="alert"' in summary.group(0)
    links = re.findall(r'<a href="#(id_[a-z_]+)">', summary.group(1))
    assert links  # one link per field in error
    for field_id in links:
        tag = re.search(rf'<(?:input|select|textarea)[^>]*id="{field_id}"[^>]*>', page)
        assert tag is not None, field_id
        assert 'aria-invalid="true"' in tag.group(0)
        assert f'aria-describedby="{field_id}_error"' in tag.group(0)
        assert page.count(f'id="{field_id}_error"') == 1  # one message box per field
    assert '<script src="/static/core/forms.js" defer></script>' in page


def test_a_valid_page_has_no_summary(client_for: Callable[[str], Client]) -> None:
    page = client_for("vesna").get(reverse("cases:case_list")).content.decode()
    assert "data-error-summary" not in page
