"""Screening pages: permission matrix, the interview without JavaScript, result, statistics."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from tests.conftest import assert_access

from .helpers import ADULT_POSITIVE, answer, completed, start

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]


def test_page_permission_matrix(client_for: Clients, personas: dict[str, User]) -> None:
    screening = completed(personas["ana"])
    assert_access(client_for, reverse("screening:list"), allowed=["ana", "vesna", "cedomir"])
    assert_access(client_for, reverse("screening:start"), allowed=["ana", "vesna", "cedomir"])
    detail = reverse("screening:detail", args=[screening.pk])
    assert_access(client_for, detail, allowed=["ana", "vesna"])
    assert_access(
        client_for,
        reverse("screening:referral_unavailable", args=[screening.pk]),
        allowed=["ana", "vesna"],
    )
    assert_access(client_for, reverse("screening:stats"), allowed=["dragan", "nada", "sanja"])


def test_cedomir_sees_nothing_of_anas_screenings(
    client_for: Clients, personas: dict[str, User]
) -> None:
    screening = completed(personas["ana"])
    draft = start(personas["ana"])
    cedomir = client_for("cedomir")
    listing = cedomir.get(reverse("screening:list"))
    assert screening.code not in listing.text
    assert "0 screenings" in listing.text
    assert cedomir.get(reverse("screening:edit", args=[draft.pk])).status_code == 404
    saved = cedomir.post(
        reverse("screening:autosave", args=[draft.pk]),
        {"version": draft.version, "answers": '{"AL-DR-01": "present"}'},
    )
    assert saved.status_code == 404
    assert draft.answers.count() == 0
    discard = cedomir.post(
        reverse("screening:discard", args=[draft.pk]), {"version": draft.version}
    )
    assert discard.status_code == 404


def test_the_agency_sees_its_screenings_and_case_managers_all(
    client_for: Clients, personas: dict[str, User]
) -> None:
    mine = completed(personas["cedomir"])
    assert mine.code in client_for("vesna").get(reverse("screening:list")).text
    assert mine.code not in client_for("ana").get(reverse("screening:list")).text


def test_a_screener_completes_a_screening_without_javascript(
    client_for: Clients, personas: dict[str, User]
) -> None:
    ana = client_for("ana")
    response = ana.post(
        reverse("screening:start"),
        {"exploitation": ["labour"], "screened_on": "2026-11-02", "place": "Subotica"},
    )
    assert response.status_code == 302
    edit_url = response["Location"]
    page = ana.get(edit_url)
    assert (
        "Was the work, the place or the employer different from what you were promised?"
        in page.text
    )
    assert 'name="AL-DR-01"' in page.text
    assert page.text.count('type="radio"') == 67 * 3
    form = {"version": "1", "action": "save", "observations": "Passport kept by the foreman."}
    form |= ADULT_POSITIVE
    saved = ana.post(edit_url, form)
    assert saved.status_code == 302
    form |= {"version": "2", "action": "submit"}
    submitted = ana.post(edit_url, form)
    assert submitted.status_code == 302
    result = ana.get(submitted["Location"])
    assert "Screening result — indicators of trafficking present." in result.text
    assert "Positive by rule (a): at least 2 strong indicators." in result.text
    assert "Refer this person" in result.text
    assert "Passport kept by the foreman." in result.text
    pk = result.context["screening"].pk
    try:
        refer = reverse("cases:refer_from_screening", kwargs={"screening_id": pk})
    except NoReverseMatch:
        refer = reverse("screening:referral_unavailable", args=[pk])
    assert f'href="{refer}"' in result.text
    # The purpose is encrypted at rest: compared after decryption, not in SQL.
    purposes = [e.purpose for e in AuditEntry.objects.filter(verb="screening.view_pii")]
    assert "screening result page" in purposes


def test_a_stale_form_keeps_the_input_on_screen(
    client_for: Clients, personas: dict[str, User]
) -> None:
    screening = start(personas["ana"])
    answer(personas["ana"], screening, {"AL-DR-01": "absent"})
    response = client_for("ana").post(
        reverse("screening:edit", args=[screening.pk]),
        {"version": "1", "action": "save", "AL-DR-01": "present", "observations": "typed text"},
    )
    assert response.status_code == 409
    assert "Someone else saved this record while you were editing it." in response.text
    assert 'id="AL-DR-01-present" value="present" checked' in response.text
    assert "typed text" in response.text


def test_autosave_saves_one_answer_and_returns_the_new_version(
    client_for: Clients, personas: dict[str, User]
) -> None:
    screening = start(personas["ana"])
    url = reverse("screening:autosave", args=[screening.pk])
    response = client_for("ana").post(url, {"version": "1", "answers": '{"AL-EX-01": "unknown"}'})
    assert response.json() == {"version": 2, "saved": ["AL-EX-01"]}
    stale = client_for("ana").post(url, {"version": "1", "answers": '{"AL-EX-01": "present"}'})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_record"


def test_a_submitted_screening_cannot_be_edited(
    client_for: Clients, personas: dict[str, User]
) -> None:
    screening = completed(personas["ana"])
    ana = client_for("ana")
    assert ana.get(reverse("screening:edit", args=[screening.pk])).status_code == 302
    response = ana.post(
        reverse("screening:autosave", args=[screening.pk]),
        {"version": str(screening.version), "answers": '{"AL-DR-03": "present"}'},
    )
    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        "This screening has been submitted and is locked; it can no longer be changed."
    )


def test_a_negative_result_offers_no_referral(
    client_for: Clients, personas: dict[str, User]
) -> None:
    screening = completed(personas["ana"], answers={"AL-DR-01": "present"})
    page = client_for("ana").get(reverse("screening:detail", args=[screening.pk]))
    assert "Screening result — insufficient indicators." in page.text
    assert "Refer this person" not in page.text


def test_the_result_page_says_unverified_and_presumed_child(
    client_for: Clients, personas: dict[str, User]
) -> None:
    screening = completed(
        personas["ana"],
        answers={},
        age_group="presumed_child",
        exploitation=("labour", "sexual"),
        age_reasons="No documents, looks 15.",
    )
    page = client_for("ana").get(reverse("screening:detail", args=[screening.pk]))
    assert "unverified list" in page.text
    assert "they are presumed to be a child (Council of Europe Convention, Art. 10(3))" in page.text
    assert "Children — labour exploitation" in page.text
    assert "Children — sexual exploitation" in page.text


def test_the_interview_is_in_serbian_cyrillic_and_latin(
    client_for: Clients, personas: dict[str, User]
) -> None:
    screening = start(personas["ana"])
    ana = client_for("ana")
    url = reverse("screening:edit", args=[screening.pk])
    cyrillic = ana.get(url, headers={"accept-language": "sr"})
    assert (
        "Да ли су посао, место или послодавац били другачији од онога што Вам је обећано?"
        in cyrillic.text
    )
    ana.cookies["django_language"] = "sr-latn"
    latin = ana.get(url)
    assert (
        "Da li su posao, mesto ili poslodavac bili drugačiji od onoga što Vam je obećano?"
        in latin.text
    )


@time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC))
def test_statistics_count_screenings_by_month_agency_type_and_outcome(
    client_for: Clients, personas: dict[str, User]
) -> None:
    completed(personas["ana"], screened_on=dt.date(2026, 9, 3))
    completed(personas["ana"], answers={}, screened_on=dt.date(2026, 9, 20))
    completed(personas["cedomir"], screened_on=dt.date(2026, 10, 1))
    start(personas["ana"], screened_on=dt.date(2026, 10, 2))  # a draft is not counted
    dragan = client_for("dragan")
    page = dragan.get(
        reverse("screening:stats"), {"date_from": "2026-09-01", "date_to": "2026-10-31"}
    )
    stats = page.context["stats"]
    # Screenings are of people who may be victims: every figure is released by the disclosure
    # module, so counts of 1 and 2 show as "<5" or 5, never as themselves.
    assert [(f"{r.month:%Y-%m}", r.agency_type) for r in stats.rows] == [
        ("2026-09", "labour_inspectorate"),
        ("2026-10", "police"),
    ]
    shown = {c.display for r in stats.rows for c in (r.indicators, r.insufficient, r.total)}
    assert shown <= {"<5", "5"}
    assert "counts of screenings, not of persons" in page.text
    assert page.context["chart"]["datasets"][0]["data"][0] in (None, 5)
    download = dragan.get(
        reverse("screening:stats"),
        {"date_from": "2026-09-01", "date_to": "2026-10-31", "format": "xlsx"},
    )
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Month",
        "Agency type",
        "Indicators present",
        "Insufficient indicators",
        "Screenings",
    ]
    assert rows[1] == [
        "2026-09",
        "Labour inspectorate",
        *(
            c.display
            for c in (stats.rows[0].indicators, stats.rows[0].insufficient, stats.rows[0].total)
        ),
    ]
    assert [r[0] for r in rows[1:]] == ["2026-09", "2026-10", "Total"]


def test_screening_statistics_count_whole_months_whatever_the_dates_asked(
    client_for: Clients, personas: dict[str, User]
) -> None:
    # Issue 13 finding 8: asking from or to any day must not show a month's figures moving as
    # single screenings enter or leave the period: a month is always counted whole.
    for day in range(1, 29):
        completed(personas["ana"], screened_on=dt.date(2026, 9, day))
    dragan = client_for("dragan")

    def figures(date_from: str, date_to: str) -> list[str]:
        page = dragan.get(reverse("screening:stats"), {"date_from": date_from, "date_to": date_to})
        return [c.display for r in page.context["stats"].rows for c in (r.indicators, r.total)]

    whole = figures("2026-09-01", "2026-09-30")
    for day in range(2, 29):
        assert figures(f"2026-09-{day:02d}", "2026-09-30") == whole
        assert figures("2026-09-01", f"2026-09-{day:02d}") == whole


def test_statistics_refuse_a_reversed_period(
    client_for: Clients, personas: dict[str, User]
) -> None:
    page = client_for("nada").get(
        reverse("screening:stats"), {"date_from": "2026-10-01", "date_to": "2026-09-01"}
    )
    assert "The start of the period must be before its end." in page.text


def test_home_panel_lists_the_screeners_drafts(
    client_for: Clients, personas: dict[str, User]
) -> None:
    draft = start(personas["ana"])
    home = client_for("ana").get("/")
    assert "Screenings to finish" in home.text
    assert draft.code in home.text
    assert "Screenings to finish" not in client_for("dragan").get("/").text


def test_once_referred_the_result_shows_the_referral_instead_of_the_button(
    client_for: Clients, personas: dict[str, User]
) -> None:
    from opennrm.cases import services as cases

    screening = completed(personas["ana"])
    cases.referral_from_screening(
        actor=personas["ana"],
        screening_id=screening.pk,
        given_names="Test",
        family_name="Person",
        consent_given=True,
        consent_scope=["referral"],
    )
    page = client_for("ana").get(reverse("screening:detail", args=[screening.pk]))
    assert "Refer this person" not in page.text
    assert "Referrals" in page.text
    assert "Sent" in page.text


def test_the_start_page_marks_the_unverified_lists(client_for: Clients) -> None:
    page = client_for("ana").get(reverse("screening:start"))
    assert "Sexual exploitation (unverified list)" in page.text
    assert "Labour exploitation (unverified list)" not in page.text
