"""Separation of duties (issue 13, finding 1): nobody grants themselves a role; personal-data,
administrator and auditor roles, and accounts at the identification centre, wait for a second
administrator; an administrator's account never reads victims' data or breaks the glass; every
break-the-glass is reviewed by the auditor with its stated purpose."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client

from opennrm.accounts import policy, selectors, services
from opennrm.accounts.models import Agency, BreakGlassGrant, RoleAssignment, RoleGrant, User
from opennrm.audit.models import AuditEntry
from opennrm.core.errors import PermissionDeniedError, ValidationFailed
from tests.conftest import assert_access

PASSPHRASE = "kafa sa mlekom u sedam"


@pytest.fixture
def ivana(agencies: dict[str, Agency]) -> User:
    """A second administrator (made by the operator, as the first one is)."""
    return services.user_create(
        actor=None,
        username="ivana",
        agency=agencies["nco"],
        roles=["admin"],
        password="druga administratorka 2026",
    )


def test_an_administrator_cannot_give_himself_a_role(personas: dict[str, User]) -> None:
    ivan = personas["ivan"]
    with pytest.raises(PermissionDeniedError) as refused:
        services.user_set_roles(actor=ivan, user=ivan, roles=["admin", "auditor"])
    assert refused.value.message == "Nobody may change their own roles; ask another administrator."
    assert ivan.roles == frozenset({"admin"})
    assert not RoleGrant.objects.exists()


def test_the_user_page_refuses_a_self_grant_inline(
    client_for: Callable[[str], Client], personas: dict[str, User]
) -> None:
    ivan = personas["ivan"]
    response = client_for("ivan").post(
        f"/manage/users/{ivan.pk}/", {"roles": ["admin", "case_manager"]}
    )
    assert response.status_code == 200
    assert (
        "Nobody may change their own roles; ask another administrator." in response.content.decode()
    )
    assert set(RoleAssignment.objects.filter(user=ivan).values_list("role", flat=True)) == {"admin"}


def test_an_administrators_account_cannot_hold_a_personal_data_role(
    personas: dict[str, User], agencies: dict[str, Agency], ivana: User
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.user_set_roles(actor=ivana, user=personas["ivan"], roles=["admin", "case_manager"])
    assert refused.value.message == (
        "An administrator's account cannot also hold a role that reads personal data "
        "(Case manager); use a separate account."
    )
    with pytest.raises(ValidationFailed):
        services.user_create(
            actor=None,
            username="dual",
            agency=agencies["nco"],
            roles=["admin", "screener"],
            password=PASSPHRASE,
        )


def test_a_personal_data_role_waits_for_a_second_administrator(
    personas: dict[str, User], ivana: User
) -> None:
    ivan, dragan = personas["ivan"], personas["dragan"]
    services.user_set_roles(actor=ivan, user=dragan, roles=["coordinator", "service_provider"])
    dragan = User.objects.get(pk=dragan.pk)
    assert dragan.roles == frozenset({"coordinator"})
    grant = RoleGrant.objects.get(user=dragan)
    assert (grant.roles, grant.status, grant.requested_by) == (
        ["service_provider"],
        "pending",
        ivan,
    )
    flagged = AuditEntry.objects.get(verb="role_grant.request")
    assert (flagged.flagged, flagged.actor, flagged.changes["roles"]) == (
        True,
        ivan,
        [None, ["service_provider"]],
    )
    with pytest.raises(PermissionDeniedError) as own:
        services.role_grant_approve(actor=ivan, grant=grant)
    assert own.value.message == "A second administrator must approve this request, not you."
    services.role_grant_approve(actor=ivana, grant=grant)
    assert User.objects.get(pk=dragan.pk).roles == frozenset({"coordinator", "service_provider"})
    approved = AuditEntry.objects.get(verb="role_grant.approve")
    assert (approved.actor, approved.flagged) == (ivana, True)
    with pytest.raises(ValidationFailed):
        services.role_grant_reject(actor=ivana, grant=grant)


def test_a_user_cannot_approve_a_grant_about_himself(
    personas: dict[str, User], agencies: dict[str, Agency], ivana: User
) -> None:
    # An administrator asks for an auditor role for a second administrator: she may not approve it.
    services.user_set_roles(actor=personas["ivan"], user=ivana, roles=["admin", "auditor"])
    grant = RoleGrant.objects.get(user=ivana)
    with pytest.raises(PermissionDeniedError):
        services.role_grant_approve(actor=ivana, grant=grant)


def test_a_new_administrator_waits_too_so_that_nobody_approves_through_his_own_second_account(
    personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    puppet = services.user_create(
        actor=personas["ivan"],
        username="ivan2",
        agency=agencies["nco"],
        roles=["admin"],
        password=PASSPHRASE,
    )
    assert puppet.roles == frozenset()
    assert not policy.can(puppet, "user.manage")
    assert RoleGrant.objects.get(user=puppet).roles == ["admin"]


def test_a_user_at_the_identification_centre_is_created_disabled_until_approved(
    personas: dict[str, User], agencies: dict[str, Agency], ivana: User
) -> None:
    ivan = personas["ivan"]
    novi = services.user_create(
        actor=ivan,
        username="novi",
        agency=agencies["cptv"],
        roles=["case_manager"],
        password=PASSPHRASE,
    )
    novi = User.objects.get(pk=novi.pk)
    assert (novi.is_active, novi.roles, novi.actions) == (False, frozenset(), frozenset())
    with pytest.raises(ValidationFailed) as enable:
        services.user_set_active(actor=ivan, user=novi, active=True)
    assert enable.value.message == "This account awaits a second administrator's approval."
    grant = RoleGrant.objects.get(user=novi)
    assert (grant.roles, grant.activates) == (["case_manager"], True)
    assert AuditEntry.objects.get(verb="user.create", target_label="user novi").flagged
    services.role_grant_approve(actor=ivana, grant=grant)
    novi = User.objects.get(pk=novi.pk)
    assert (novi.is_active, novi.roles) == (True, frozenset({"case_manager"}))


def test_even_a_role_without_personal_data_at_the_centre_waits(
    personas: dict[str, User], agencies: dict[str, Agency], ivana: User
) -> None:
    services.user_create(
        actor=personas["ivan"],
        username="trener",
        agency=agencies["cptv"],
        roles=["trainer"],
        password=PASSPHRASE,
    )
    trener = User.objects.get(username="trener")
    assert (trener.is_active, trener.roles) == (False, frozenset())
    grant = RoleGrant.objects.get(user=trener)
    services.role_grant_reject(actor=ivana, grant=grant)
    assert RoleGrant.objects.get(pk=grant.pk).status == "rejected"
    assert User.objects.get(pk=trener.pk).roles == frozenset()
    assert AuditEntry.objects.get(verb="role_grant.reject").flagged


def test_a_role_without_personal_data_elsewhere_applies_at_once(
    personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    user = services.user_create(
        actor=personas["ivan"],
        username="sudija",
        agency=agencies["court"],
        roles=["justice"],
        password=PASSPHRASE,
    )
    assert (user.is_active, user.roles) == (True, frozenset({"justice"}))
    assert not RoleGrant.objects.exists()


def test_an_administrator_holding_a_case_role_from_before_reads_nothing_and_cannot_break_the_glass(
    personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    ivan, shelter = personas["ivan"], agencies["shelter"]
    # An assignment made before the rule (straight in the database, as an old installation has).
    RoleAssignment.objects.create(user=ivan, role="case_manager")
    ivan = User.objects.get(pk=ivan.pk)
    assert "case_manager" in ivan.roles
    assert not {"case.view", "case.view_pii", "case.break_glass"} & ivan.actions
    with pytest.raises(PermissionDeniedError) as refused:
        policy.break_glass(actor=ivan, obj=shelter, reason="I need to see this record now")
    assert refused.value.message == (
        "An administrator's account cannot break the glass; administration is not access to victims."
    )
    # A grant he got before is not honoured either.
    vesna_grant = policy.break_glass(
        actor=personas["vesna"], obj=shelter, reason="Victim arrived at night, needs shelter"
    )
    BreakGlassGrant.objects.create(
        user=ivan,
        content_type=vesna_grant.content_type,
        object_id=vesna_grant.object_id,
        reason="old grant",
        expires_at=vesna_grant.expires_at,
    )
    assert not policy.has_break_glass(ivan, shelter)
    assert list(policy.break_glass_ids(ivan, Agency)) == []


def test_the_auditor_reviews_every_break_the_glass_with_its_purpose(
    personas: dict[str, User], agencies: dict[str, Agency], client_for: Callable[[str], Client]
) -> None:
    grant = policy.break_glass(
        actor=personas["vesna"],
        obj=agencies["shelter"],
        reason="Victim arrived at night, needs shelter",
    )
    page = client_for("zoran").get("/manage/break-glass/")
    assert "Victim arrived at night, needs shelter" in page.content.decode()
    assert [
        g.pk for g in selectors.break_glass_list(actor=personas["zoran"], unreviewed_only=True)
    ] == [grant.pk]
    response = client_for("zoran").post(f"/manage/break-glass/{grant.pk}/review/")
    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.reviewed_by, grant.reviewed_at is not None) == (personas["zoran"], True)
    assert AuditEntry.objects.get(verb="access.break_glass_review").actor == personas["zoran"]
    assert list(selectors.break_glass_list(actor=personas["zoran"], unreviewed_only=True)) == []
    with pytest.raises(PermissionDeniedError):
        services.break_glass_review(actor=personas["ivan"], grant=grant)


def test_the_stated_purpose_is_encrypted_at_rest(
    personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    grant = policy.break_glass(
        actor=personas["vesna"], obj=agencies["shelter"], reason="Marko Marković arrived at night"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM accounts_breakglassgrant WHERE id = %s", [grant.pk])
        [stored] = cursor.fetchone()
    assert "Marko" not in stored
    assert BreakGlassGrant.objects.get(pk=grant.pk).reason == "Marko Marković arrived at night"


def test_the_approval_and_review_pages_by_role(
    client_for: Callable[[str], Client], personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    grant = policy.break_glass(
        actor=personas["vesna"],
        obj=agencies["shelter"],
        reason="Victim arrived at night, needs shelter",
    )
    services.user_set_roles(
        actor=personas["ivan"], user=personas["dragan"], roles=["coordinator", "screener"]
    )
    role_grant = RoleGrant.objects.get()
    assert_access(client_for, "/manage/grants/", allowed=["ivan", "zoran"])
    assert_access(client_for, "/manage/break-glass/", allowed=["zoran"])
    for url in (
        f"/manage/grants/{role_grant.pk}/approve/",
        f"/manage/grants/{role_grant.pk}/reject/",
        f"/manage/break-glass/{grant.pk}/review/",
    ):
        allowed = ["zoran"] if "break-glass" in url else ["ivan"]
        for username in (
            "ana",
            "vesna",
            "milan",
            "jelena",
            "marija",
            "dragan",
            "nada",
            "cedomir",
            *({"ivan", "zoran"} - set(allowed)),
        ):
            assert client_for(username).post(url).status_code in (403, 404), (username, url)
    assert RoleGrant.objects.get().status == "pending"
    assert BreakGlassGrant.objects.get(pk=grant.pk).reviewed_at is None
