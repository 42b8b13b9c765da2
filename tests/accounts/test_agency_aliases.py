"""Agency aliases: the names people write for agencies in their registers, kept by administrators."""

from __future__ import annotations

import pytest

from opennrm.accounts.models import AgencyAlias, alias_key
from opennrm.accounts.roles import AgencyType
from opennrm.accounts.services import agency_alias_add, agency_alias_remove
from opennrm.audit.models import AuditEntry
from opennrm.core.errors import PermissionDeniedError, ValidationFailed
from tests.conftest import assert_access


def test_the_usual_names_of_police_and_social_work_centres_come_with_the_platform(db) -> None:
    for text, kind in [
        ("MUP", AgencyType.POLICE),
        ("Policija", AgencyType.POLICE),
        ("Полиција", AgencyType.POLICE),
        ("Police", AgencyType.POLICE),
        ("CSR", AgencyType.SOCIAL_WELFARE_CENTRE),
        ("ЦСР", AgencyType.SOCIAL_WELFARE_CENTRE),
        ("Centar za socijalni rad", AgencyType.SOCIAL_WELFARE_CENTRE),
        ("Центар за социјални рад", AgencyType.SOCIAL_WELFARE_CENTRE),
        ("Centre for Social Work", AgencyType.SOCIAL_WELFARE_CENTRE),
    ]:
        assert AgencyAlias.objects.get(key=alias_key(text)).agency_type == kind, text


def test_an_administrator_adds_and_removes_an_alias_for_one_agency(personas, agencies) -> None:
    ivan = personas["ivan"]
    alias = agency_alias_add(actor=ivan, text="Direkcija policije BG", agency=agencies["police_bg"])
    assert AgencyAlias.objects.get(key="direkcijapolicijebg").agency == agencies["police_bg"]
    assert AuditEntry.objects.filter(verb="agency.alias_add", actor=ivan).count() == 1
    with pytest.raises(ValidationFailed) as refused:
        agency_alias_add(actor=ivan, text="ДИРЕКЦИЈА ПОЛИЦИЈЕ БГ", agency=agencies["police_ni"])
    assert "already defined" in refused.value.message
    agency_alias_remove(actor=ivan, alias=alias)
    assert not AgencyAlias.objects.filter(key="direkcijapolicijebg").exists()


def test_an_alias_names_an_agency_or_a_type_never_both(personas, agencies) -> None:
    with pytest.raises(ValidationFailed):
        agency_alias_add(
            actor=personas["ivan"], text="X", agency=agencies["astra"], agency_type="cso"
        )
    with pytest.raises(ValidationFailed):
        agency_alias_add(actor=personas["ivan"], text="X")


def test_only_administrators_maintain_aliases(personas, agencies) -> None:
    with pytest.raises(PermissionDeniedError):
        agency_alias_add(actor=personas["vesna"], text="Astra NGO", agency=agencies["astra"])


def test_the_alias_page_is_for_administrators(client_for) -> None:
    assert_access(client_for, "/manage/agencies/aliases/", allowed={"ivan"})


def test_the_alias_page_adds_an_alias(client_for, agencies) -> None:
    response = client_for("ivan").post(
        "/manage/agencies/aliases/", {"text": "Astra NGO", "agency": agencies["astra"].pk}
    )
    assert response.status_code == 302
    assert AgencyAlias.objects.get(key="astrango").agency == agencies["astra"]
