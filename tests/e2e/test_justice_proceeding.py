"""A prosecutor records a proceeding from investigation to final judgment in the browser."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from playwright.sync_api import Page, expect

from opennrm.accounts.models import User


def test_a_prosecutor_takes_a_proceeding_from_investigation_to_final_judgment(
    page: Page, login_as: Callable[[Page, str], None], personas: dict[str, User], agencies: dict
) -> None:
    from opennrm.cases.models import Case, Person

    person = Person.objects.create(
        code="RS-2020-00077", given_names="Ана", family_name="Тест", gender="Feminine"
    )
    Case.objects.create(
        code="RS-2020-00077/1",
        person=person,
        lead_agency=agencies["cptv"],
        caseworker=personas["vesna"],
        status="identified",
        opened_on=date(2020, 3, 1),
    )

    login_as(page, "jelena")
    page.get_by_role("link", name="Proceedings").first.click()
    page.get_by_role("link", name="New proceeding").click()
    page.get_by_label("Prosecutor's office").select_option(
        label="Higher Public Prosecutor's Office in Belgrade"
    )
    page.get_by_label("Court").select_option(label="Higher Court in Belgrade")
    page.get_by_label("File number").fill("KTO 200/20")
    page.get_by_label("Started on").fill("2020-02-03")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("JP-2020-")

    page.get_by_role("link", name="Add a defendant").click()
    page.get_by_label("Sex").select_option("male")
    page.get_by_label("Art. 388 — Trafficking in human beings").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The defendant was added.")).to_be_visible()

    page.get_by_role("link", name="Link a victim").click()
    page.get_by_label("Case code").fill("RS-2020-00077/1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="RS-2020-00077/1")).to_be_visible()
    expect(page.get_by_text("Тест")).to_have_count(0)

    for stage, when in (("indictment", "2020-06-01"), ("first_instance", "2020-09-01")):
        page.get_by_role("link", name="Record the next stage").click()
        page.get_by_label("Next stage").select_option(stage)
        page.get_by_label("Date").fill(when)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("The stage was recorded.")).to_be_visible()

    page.get_by_role("link", name="record judgment").click()
    page.get_by_label("Outcome").select_option("convicted")
    page.get_by_label("Judgment date").fill("2020-12-10")
    page.get_by_label("Prison (months)").fill("60")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The judgment was recorded.")).to_be_visible()

    page.get_by_role("link", name="Record the next stage").click()
    page.get_by_label("Next stage").select_option("final")
    page.get_by_label("Date").fill("2021-01-15")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("Final judgment")
    expect(page.locator("h1")).to_contain_text("Concluded by final judgment")
    expect(page.get_by_text("60 months")).to_be_visible()
