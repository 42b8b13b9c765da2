"""The NRM journey in the browser: referral → acknowledgement → presumed victim →
identification → services → closure, with the referrer following the status."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from opennrm.cases.models import Case


def test_referral_to_closure(
    page: Page,
    phone_page: Page,
    browser: Browser,
    server_url: str,
    login_as: Callable[[Page, str], None],
) -> None:
    ana = phone_page
    login_as(ana, "ana")
    ana.goto("/cases/referrals/new/")
    ana.get_by_label("Given names").fill("Оксана")
    ana.get_by_label("Family name").fill("Коваленко")
    ana.get_by_label("Year of birth (if the date is unknown)").fill("1994")
    ana.get_by_label("Citizenship").fill("UA")
    ana.get_by_role("button", name="Send the referral").click()
    # Said beside the field and, as a link to it, in the error summary at the top (issue 20).
    expect(ana.locator("#id_consent_given_error")).to_contain_text(
        "The person's consent is required for an adult."
    )
    summary = ana.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.locator("a[href='#id_consent_given']")).to_contain_text(
        "The person's consent is required for an adult."
    )
    expect(ana.get_by_label("Family name")).to_have_value("Коваленко")
    ana.get_by_label("The person agreed to be referred to the identification centre").check()
    ana.get_by_label("Sharing with service providers").check()
    ana.get_by_role("button", name="Send the referral").click()
    expect(ana.locator("#referral-status")).to_have_text("Sent")
    referral_url = ana.url

    vesna = page
    login_as(vesna, "vesna")
    vesna.goto("/cases/referrals/")
    vesna.get_by_role("link", name="R-").first.click()
    expect(vesna.get_by_text("Оксана Коваленко")).to_be_visible()
    vesna.get_by_role("button", name="Acknowledge receipt").click()
    expect(vesna.locator("#referral-status")).to_have_text("Acknowledged")
    ana.goto(referral_url)
    expect(ana.locator("#referral-status")).to_have_text("Acknowledged")
    expect(ana.get_by_text("Коваленко")).to_have_count(0)

    vesna.get_by_role("button", name="Accept and register a new person").click()
    expect(vesna.locator("#case-status")).to_have_text("Referred")
    vesna.get_by_role("link", name="Begin assessment").click()
    vesna.get_by_role("button", name="Save").click()
    vesna.get_by_role("link", name="Presume victim (start the reflection period)").click()
    vesna.get_by_label("Reasonable grounds to believe the person is a victim since").fill(
        timezone.localdate().isoformat()
    )
    vesna.get_by_role("button", name="Save").click()
    expect(vesna.locator("#case-status")).to_have_text("Presumed victim")
    vesna.get_by_role("link", name="Identify as a victim").click()
    vesna.get_by_label("Date of decision").fill(timezone.localdate().isoformat())
    vesna.get_by_role("button", name="Save").click()
    # The message is in the summary at the top (which takes the focus) and under the field.
    expect(vesna.locator("[data-error-summary]")).to_be_focused()
    expect(vesna.locator("#id_reasoning_error")).to_contain_text(
        "An identification decision needs its reasoning."
    )
    vesna.get_by_label("Reasoning").fill("Passport withheld; debt bondage confirmed.")
    vesna.get_by_role("button", name="Save").click()
    expect(vesna.locator("#case-status")).to_have_text("Identified victim")
    vesna.get_by_role("link", name="Start protection").click()
    vesna.get_by_role("button", name="Save").click()
    expect(vesna.locator("#case-status")).to_have_text("In protection")
    vesna.get_by_text("Request a service", exact=True).click()
    vesna.locator("#id_provider_agency").select_option(
        label="Shelter for Victims of Human Trafficking"
    )
    vesna.get_by_role("button", name="Send the request").click()
    case_url = vesna.url

    context = browser.new_context(base_url=server_url)
    milan = context.new_page()
    login_as(milan, "milan")
    milan.goto("/cases/services/")
    milan.get_by_role("button", name="Accept").click()
    expect(milan.get_by_role("cell", name="Accepted")).to_be_visible()
    context.close()

    vesna.goto(case_url)
    expect(vesna.get_by_role("cell", name="Accepted")).to_be_visible()
    vesna.get_by_role("link", name="Close the case").click()
    vesna.get_by_label("Reason for closure").select_option("recovered")
    vesna.get_by_role("button", name="Save").click()
    expect(vesna.locator("#case-status")).to_have_text("Closed")
    assert Case.objects.get().status == "closed"
