"""Issue 13, finding 6, against a live server: a decline reason naming the person is not shown to
the referring screener (a coded category is), and what the database stores is ciphertext."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection

from opennrm.accounts.models import User
from opennrm.cases.models import Referral
from tests.cases.helpers import refer
from tests.security.conftest import Session, csrf_from

REASON = "Vesna knows her: Dragana Todorović is already in our care."


def test_the_screener_sees_the_category_of_a_decline_never_its_reason(
    sign_in: Callable[[str], Session], personas: dict[str, User]
) -> None:
    referral = refer(personas["ana"], given_names="Dragana", family_name="Todorović")
    vesna = sign_in("vesna")
    form = vesna.get(f"/cases/referrals/{referral.pk}/decline/")
    vesna.post(
        f"/cases/referrals/{referral.pk}/decline/",
        data={
            "csrfmiddlewaretoken": csrf_from(form.text),
            "version": referral.version,
            "category": "already_registered",
            "reason": REASON,
        },
        headers={"Referer": vesna.base_url + "/"},
    )
    assert Referral.objects.get(pk=referral.pk).status == "declined"

    ana = sign_in("ana")
    page = ana.get(f"/cases/referrals/{referral.pk}/").text
    api = ana.get(f"/api/v1/cases/referrals/{referral.pk}/").json()
    listing = ana.get("/api/v1/cases/referrals/").json()["items"]

    assert "The person is already registered" in page
    assert "Todorovi" not in page
    assert "Todorovi" not in str(api) + str(listing)
    assert api["decline_category"] == "already_registered"
    with connection.cursor() as cursor:
        cursor.execute("SELECT decline_reason FROM cases_referral WHERE id = %s", [referral.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("enc1:")
