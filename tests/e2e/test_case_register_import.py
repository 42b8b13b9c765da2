"""Browser: a registry clerk imports a legacy register written as the office wrote it — Serbian
headers and values, dd.mm.yy dates, agencies by their everyday names, no status column — maps
the two values the platform does not know, previews, commits, and the statistics then count
exactly the file's victims."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.test import Client
from playwright.sync_api import Page, expect

from opennrm.accounts.models import User
from opennrm.cases.models import Case

REGISTER = (
    "Ime;Prezime;Pol;Datum rođenja;Državljanstvo;Status žrtve;Oblik eksploatacije;Uputio;"
    "Datum upućivanja\n"
    "Jovana;Petrović;Ž;12.04.98;Srbija;Priznata;Radna eksploatacija;CSR Beograd;09.02.13\n"
    "Milica;Ilić;ženski;03.11.95;SRB;U proceduri;Prosjačenje;Centar za socijalni rad;15.06.14\n"
    "Oksana;Kovalenko;Ž;;Ukrajina;Priznata;Seksualna eksploatacija;Astra;01.03.15\n"
    "Marko;Nikolić;M;02.02.90;Србија;U proceduri;Radna eksploatacija;Atina;20.10.16\n"
)


def test_a_clerk_imports_a_serbian_register_and_the_statistics_count_its_victims(
    page: Page, login_as: Callable[[Page, str], None], personas: dict[str, User], tmp_path: Path
) -> None:
    page.set_default_timeout(30_000)
    register = tmp_path / "registar.csv"
    register.write_text(REGISTER, encoding="utf-8")
    login_as(page, "vesna")
    page.goto("/imports/cases/")
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(register))
    page.get_by_role("button", name="Upload and continue").click()
    # every column suggested from its Serbian header
    expect(page.get_by_label("Status žrtve")).to_have_value("vic_TraffickingStatus")
    expect(page.get_by_label("Datum upućivanja")).to_have_value("cas_IncomingReferralDate")
    page.get_by_role("button", name="Confirm the columns").click()
    # exactly two values are unknown, each with how many rows use it
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("row", name="Priznata")).to_contain_text("2")
    page.get_by_label("Priznata").select_option("ActualVictimOfTrafficking")
    page.get_by_label("U proceduri").select_option("PossibleVictimOfTrafficking")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.locator("#preview-counts")).to_contain_text("To create: 4")
    assert Case.objects.count() == 0
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status").filter(has_text="Imported:")).to_contain_text(
        "Imported: 4 rows read, 4 created"
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (CSV)").click()
    assert "Created,4" in Path(download.value.path()).read_text(encoding="utf-8-sig")

    # the statistics count the file's victims: 4 over 2013–2016, 2 of them identified
    nada = Client()
    nada.force_login(personas["nada"])
    period = {"from": "2013-01-01", "to": "2016-12-31", "profile": "official"}
    presumed = nada.get("/api/v1/statistics/tables/presumed_by_year/", period).json()
    assert presumed["grand_total"] == {"value": 4, "suppressed": False}
    identified = nada.get("/api/v1/statistics/tables/identified_by_year/", period).json()
    assert identified["grand_total"] == {"value": 2, "suppressed": False}
    assert Case.objects.filter(status="closed").count() == 0  # no status column: none closed
