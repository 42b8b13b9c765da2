"""A confirmation after every action (issue 20): every page of ours that changes something on POST
says so with a django message on the page it leads to, or is listed below with the reason it
needs none (a search, an autosave, a step of a wizard whose next page is the answer).

The views are enumerated from the URL resolver: a new POST view fails
``test_every_post_view_confirms_or_says_why_not`` until it confirms its action or is listed with
a reason, and a listed view that no longer handles POST fails too. A view confirms when its source
(or a helper of its module it calls, such as the cases app's ``_item_action``) calls
``messages.success``/``info``/``warning``; the behaviour of the main ones is tested in
``tests/cases/test_confirmations.py``, ``tests/screening`` and below.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from opennrm.accounts.models import User
from tests.cases.helpers import accepted_case

# POST views that need no message, and why.
NO_MESSAGE = {
    "accounts:service_token_issue": "the page it answers shows the new token, once",
    "accounts:profile": "the page it answers shows the new token, once",
    "audit:verify": "reads only: the page it answers is the verification report",
    "screening:autosave": "JSON for the interview's script, which says 'All answers saved.'",
    "cases:case_list": "a search: the list it answers is the result",
    "cases:case_detail": "the purpose of a read: the page it answers is the record",
    "imports:upload": "a step of the import wizard: its next step's page is the answer",
    "imports:columns": "a step of the import wizard: its next step's page is the answer",
    "imports:values": "a step of the import wizard: its next step's page is the answer",
    "training:import": "the upload step of the import wizard: the next step's page answers",
    "monitoring:recommendations_import": "the upload step of the import wizard",
    "statistics:htcds": "the page it answers is the sealed export, ready to download",
    # These answer with their own page and its confirmation line (``message`` in the context).
    "lifecycle:erasures": "confirms on the page it answers (the proposal's new state)",
    "lifecycle:requests": "confirms on the page it answers (the request and its due date)",
}
CONFIRMS = re.compile(r"\bmessages\.(success|info|warning)\(")


def _patterns(
    patterns: list[URLPattern | URLResolver], namespace: str = ""
) -> Iterator[tuple[str, Callable[..., Any]]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern.url_patterns, inner)
        elif pattern.name:
            yield namespace + pattern.name, pattern.callback


@cache
def _confirming_helpers(module_name: str) -> frozenset[str]:
    module = sys.modules[module_name]
    return frozenset(
        name
        for name, function in vars(module).items()
        if inspect.isfunction(function)
        and function.__module__ == module_name
        and CONFIRMS.search(inspect.getsource(function))
    )


def post_views() -> dict[str, tuple[str, bool]]:
    """{URL name: (source, confirms)} for each of our views that handles POST."""
    found = {}
    for name, callback in _patterns(get_resolver().url_patterns):
        view = inspect.unwrap(callback)
        module = getattr(view, "__module__", "")
        if not module.startswith("opennrm.") or not inspect.isfunction(view):
            continue
        source = inspect.getsource(view)
        helpers = _confirming_helpers(module)
        calls_helper = any(re.search(rf"\b{helper}\(", source) for helper in helpers)
        if "POST" in source or "request.method" in source or calls_helper:
            found[name] = (source, bool(CONFIRMS.search(source)) or calls_helper)
    return found


def test_every_post_view_confirms_or_says_why_not() -> None:
    views = post_views()
    assert len(views) > 40  # the enumeration works
    silent = sorted(name for name, (_, confirms) in views.items() if not confirms)
    unexplained = [name for name in silent if name not in NO_MESSAGE]
    assert not unexplained, f"POST views with no confirmation message: {unexplained}"
    gone = sorted(set(NO_MESSAGE) - set(views))
    assert not gone, f"listed as needing no message but not a POST view: {gone}"
    needless = sorted(name for name in NO_MESSAGE if views[name][1])
    assert not needless, f"listed as needing no message but confirming: {needless}"


def _follow(client: Client, url: str, data: dict[str, object]) -> str:
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_sending_a_referral_is_confirmed_with_the_receiving_agency(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    """Issue 20: a referral was sent with no word that it had gone."""
    from opennrm.cases.models import Referral

    page = _follow(
        client_for("ana"),
        reverse("cases:referral_create"),
        {
            "given_names": "Test",
            "family_name": "Person",
            "gender": "Feminine",
            "reason": "Indicators seen at a farm.",
            "consent_given": "on",
        },
    )
    referral = Referral.objects.get()
    assert f"The referral was sent to {referral.to_agency.display_short_name}." in page


def test_starting_a_screening_is_confirmed(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    from opennrm.screening.models import Screening

    page = _follow(
        client_for("ana"),
        reverse("screening:start"),
        {"age": "30", "exploitation": ["labour"], "screened_on": "2026-12-01"},
    )
    code = Screening.objects.get().code
    assert f"Screening {code} has started; every answer is saved as you go." in page


def test_giving_and_withdrawing_consent_are_confirmed(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    from opennrm.cases.models import Consent

    case = accepted_case(personas["ana"], personas["vesna"])
    client = client_for("vesna")
    given = _follow(
        client, reverse("cases:case_step", args=[case.pk, "consent"]), {"scope": "research"}
    )
    assert "The consent was recorded." in given
    consent = Consent.objects.get(case=case, scope="research")
    page = _follow(
        client, reverse("cases:consent_withdraw", args=[consent.pk]), {"version": consent.version}
    )
    assert "The withdrawal of consent was recorded." in page
    assert Consent.objects.get(pk=consent.pk).status == "withdrawn"
