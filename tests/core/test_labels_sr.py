"""Labels that read right in Serbian (issue 20): a word shared by several catalogues gets a
context where its Serbian form depends on what it describes (gender of the noun, a person's name
or a thing's), so one app's translation cannot leak into another's page."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import pgettext

from opennrm.cases.vocab import ConsentStatus
from opennrm.justice.vocab import ProceedingStatus


def test_a_proceeding_is_active_in_the_masculine() -> None:
    with translation.override("sr"):
        assert str(ProceedingStatus.ACTIVE.label) == "Активан"  # поступак


def test_a_consent_is_given_or_withdrawn_in_the_feminine() -> None:
    with translation.override("sr"):
        assert str(ConsentStatus.GIVEN.label) == "Дата"  # сагласност
        assert str(ConsentStatus.WITHDRAWN.label) == "Повучена"


def test_a_persons_name_is_not_a_things_name() -> None:
    with translation.override("sr"):
        assert pgettext("person", "Name") == "Име и презиме"
