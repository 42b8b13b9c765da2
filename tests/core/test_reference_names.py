"""Reference data reads in the interface's language (issue 20): agencies and offences carry an
English and a Serbian (Cyrillic) name; the Latin interface shows the Cyrillic one transliterated."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from opennrm.accounts.models import Agency, User
from opennrm.justice.models import Offence

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "name", "short"),
    [
        ("en", "Shelter for Victims of Human Trafficking", "Shelter"),
        ("sr", "Прихватилиште за жртве трговине људима", "Прихватилиште"),
        ("sr-latn", "Prihvatilište za žrtve trgovine ljudima", "Prihvatilište"),
    ],
)
def test_an_agency_is_named_in_the_interface_language(
    agencies: dict[str, Agency], language: str, name: str, short: str
) -> None:
    shelter = agencies["shelter"]
    with translation.override(language):
        assert str(shelter) == name
        assert shelter.display_short_name == short


def test_an_agency_without_a_serbian_short_name_shows_its_full_serbian_name() -> None:
    agency = Agency(name="Safe House", name_sr="Сигурна кућа", short_name="SH", type="shelter")
    with translation.override("sr"):
        assert agency.display_short_name == "Сигурна кућа"
    with translation.override("en"):
        assert agency.display_short_name == "SH"


def test_an_offence_is_named_in_the_interface_language() -> None:
    offence = Offence(
        code="x",
        article="Art. 388",  # as the maintained list keeps it
        title_en="Trafficking in human beings",
        title_sr="Трговина људима",
    )
    with translation.override("sr"):
        assert str(offence) == "чл. 388 Трговина људима"  # not "Art. 388"
    with translation.override("sr-latn"):
        assert str(offence) == "čl. 388 Trgovina ljudima"
    with translation.override("en"):
        assert str(offence) == "Art. 388 Trafficking in human beings"


def test_the_serbian_home_page_names_the_users_agency_in_serbian(
    client_for: Callable[[str], Client],
) -> None:
    client = client_for("milan")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sr"
    page = client.get("/").content.decode()
    assert "Прихватилиште за жртве трговине људима" in page
    assert "Shelter for Victims" not in page


def test_a_persons_cyrillic_name_reads_in_latin_in_the_latin_interface(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    from django.urls import reverse

    from tests.cases.helpers import accepted_case

    case = accepted_case(
        personas["ana"], personas["vesna"], given_names="Марко", family_name="Ђорђевић"
    )
    client = client_for("vesna")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sr-latn"
    page = client.get(reverse("cases:case_detail", args=[case.pk]), follow=True)
    text = page.content.decode()
    assert "Marko Đorđević" in text
    assert "Ђорђевић" not in text  # stored as entered, shown in the reader's script
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sr"
    assert (
        "Марко Ђорђевић"
        in client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    )


def test_citizenship_and_languages_read_as_names_not_codes(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    from django.urls import reverse

    from tests.cases.helpers import accepted_case

    case = accepted_case(
        personas["ana"], personas["vesna"], citizenship=["PK", "RS"], languages=["ur", "sr"]
    )
    client = client_for("vesna")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sr"
    text = client.get(reverse("cases:case_detail", args=[case.pk]), follow=True).content.decode()
    assert "Пакистан, Србија" in text
    assert "урду, српски" in text
    assert "PK, RS" not in text


def test_languages_are_read_and_shown_by_name() -> None:
    from opennrm.cases.forms import language_codes

    assert language_codes("српски, Ukrainian, urdu, en") == "sr, uk, ur, en"
    with translation.override("sr-latn"):
        from opennrm.cases.forms import language_names

        assert language_names(["sr", "uk"]) == "srpski, ukrajinski"


def test_a_statistics_table_by_country_names_the_countries() -> None:
    from opennrm.statistics import tables

    with translation.override("sr"):
        built = tables._assemble(
            "t",
            tables.COUNTRY.title,
            tables.Period(date(2026, 1, 1), date(2026, 12, 31)),
            tables.COUNTRY,
            tables.SEX,
            {("PK", "male"): (3, 1), ("RS", "female"): (2, 2)},
        )
    assert "Пакистан" in built.row_names
    assert "Србија" in built.row_names
    assert "PK" not in built.row_names


def test_the_consent_block_reads_given_on_and_offers_to_withdraw(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    from django.urls import reverse

    from tests.cases.helpers import accepted_case

    case = accepted_case(personas["ana"], personas["vesna"])
    client = client_for("vesna")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sr"
    text = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Упућивање центру за идентификацију: дата " in text
    assert "Повуци сагласност" in text
    assert "Повучена" not in text  # a given consent never reads as withdrawn
