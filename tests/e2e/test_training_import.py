"""A trainer imports an e-learning completion report in the browser: a bad file is refused with
its problems named by row and nothing imported; a good one updates the cohort and the coverage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect

from opennrm.accounts.models import Agency, User
from opennrm.training import services
from opennrm.training.models import ModuleCompletion

HEADER = "First name,Surname,Email address,Module 1: Indicators,Module 2: Referral\n"


def test_a_trainer_imports_a_completion_report_and_sees_coverage_rise(
    page: Page,
    login_as: Callable[[Page, str], None],
    personas: dict[str, User],
    agencies: dict[str, Agency],
    tmp_path: Path,
) -> None:
    marija = personas["marija"]
    course = services.course_create(
        actor=marija, code="li-basic", title="Recognising labour exploitation",
        modules=[("indicators", "Indicators"), ("referral", "Referral")],
    )  # fmt: skip
    services.cohort_create(
        actor=marija, course=course, code="li-2020", title="Labour inspectors 2020",
        target_group="labour_inspectors", start=date(2020, 2, 1), end=date(2020, 12, 31),
        organiser=agencies["coe"],
    )  # fmt: skip
    population = services.population_create(
        actor=marija, code="labour_inspectors", name="Labour inspectors",
        profession="labour_inspector", qualifying_courses=[course],
    )  # fmt: skip
    services.headcount_record(actor=marija, population=population, on=date(2020, 1, 1), headcount=4)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Ana,Kos,ana.kos@example.org,2020-03-01,soon\nBo,,bo@x,,\n")
    good = tmp_path / "good.csv"
    good.write_text(
        HEADER + "Ana,Kos,ana.kos@example.org,2020-03-01,2020-03-09\n"
        "Bora,Lukić,bora.lukic@example.org,2020-03-02,\n"
    )

    login_as(page, "marija")
    page.get_by_role("link", name="Training", exact=True).first.click()
    page.get_by_role("link", name="Labour inspectors 2020").click()
    page.get_by_label("Completion report (CSV or XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("Problems found (nothing was imported)")
    expect(errors.get_by_role("row", name="Row 2")).to_contain_text("“soon” is not a date")
    expect(errors.get_by_role("row", name="Row 3").filter(has_text="last_name")).to_contain_text(
        "The last name of a new learner is missing."
    )
    expect(errors.get_by_role("row", name="Row 3").filter(has_text="email")).to_contain_text(
        "“bo@x” is not an e-mail address."
    )
    assert ModuleCompletion.objects.count() == 0

    page.get_by_label("Completion report (CSV or XLSX)").set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported 2 rows: 3 module completions added")).to_be_visible()
    expect(page.locator('[data-figure="completed"]')).to_have_text("1")
    expect(page.locator("#learners")).to_contain_text("ana.kos@example.org")

    page.get_by_role("link", name="Coverage").first.click()
    expect(page.locator('[data-population="labour_inspectors"]')).to_have_text("25%")
    expect(page.locator("#coverage-history tbody tr").last).to_contain_text("25%")
    expect(page.locator('canvas[data-chart="coverage-chart"]')).to_have_attribute(
        "data-rendered", "1"
    )
