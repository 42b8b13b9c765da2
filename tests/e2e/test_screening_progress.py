"""In a real browser: the interview's progress count follows every answer, in the save bar and
beside its section, from a static script (issue 20: no "answered x of 67")."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_screening_interview import catalogues  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_count_follows_each_answer(
    phone_page: Page, login_as: Callable[[Page, str], None]
) -> None:
    page = phone_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login_as(page, "ana")
    page.goto("/screening/new/")
    page.get_by_role("button", name="Start the interview").tap()
    page.wait_for_url(re.compile(r"/screening/\d+/edit/$"))
    total = page.locator("fieldset.q").count()
    progress = page.locator("#scr-progress")
    expect(progress).to_have_text(f"Answered 0 of {total} questions")
    page.locator("label[for='AL-DR-01-present']").tap()
    page.locator("label[for='AL-DR-02-unknown']").tap()
    expect(progress).to_have_text(f"Answered 2 of {total} questions")
    section = page.locator("section.scr-sec", has=page.locator("#AL-DR-01-present"))
    expect(section.locator("[data-section-count]")).to_have_text(re.compile(r"^2 of \d+$"))
    page.locator("label[for='AL-DR-01-absent']").tap()  # a changed answer is not counted twice
    expect(progress).to_have_text(f"Answered 2 of {total} questions")
    expect(page.locator("#scr-status")).to_have_text("All answers saved.")
    page.reload()  # reopened: counted by the server, and a link to where the screener left off
    expect(progress).to_have_text(f"Answered 2 of {total} questions")
    expect(page.locator("[data-resume]")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e]
