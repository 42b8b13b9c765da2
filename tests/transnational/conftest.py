"""Fixtures: this platform as Serbia with known keys, and North Macedonia registered as partner."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from django.test import override_settings

from opennrm.accounts.models import User
from opennrm.cases import services as case_services
from opennrm.cases import vocab as case_vocab
from opennrm.cases.models import Case
from opennrm.transnational import services
from opennrm.transnational.models import Partner
from tests.cases.helpers import accepted_case, fresh
from tests.transnational.partner import OUR_SEED, PARTNER


@pytest.fixture
def our_keys() -> Iterator[None]:
    with override_settings(
        OPENNRM_TRM_KEYS=base64.b64encode(OUR_SEED).decode(), OPENNRM_COUNTRY_CODE="RS"
    ):
        yield


@pytest.fixture
def partner(personas: dict[str, User], our_keys: None) -> Partner:
    keys = PARTNER.public.as_text()
    return services.partner_register(
        actor=personas["ivan"],
        country_code="MK",
        name="NRM North Macedonia",
        endpoint="https://nrm.example.mk/api/v1/transnational/inbox",
        sign_public=keys["sign_public"],
        box_public=keys["box_public"],
        fingerprint=PARTNER.public.fingerprint.lower(),
    )


@pytest.fixture
def case(personas: dict[str, User]) -> Case:
    """Marko's case, with his consent to a transfer abroad recorded."""
    case = accepted_case(personas["ana"], personas["vesna"], citizenship=["MK"])
    case_services.consent_record(
        actor=personas["vesna"], case=case, scope=case_vocab.ConsentScope.TRANSNATIONAL
    )
    return fresh(case)
