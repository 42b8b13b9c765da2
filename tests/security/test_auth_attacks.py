"""Issue 13, findings 1, 2, 9 and 12 re-run against a live server as the roles concerned.

Each probe is the one of the security review: an administrator gives himself the case-manager role
on the user page; he creates a new case manager at the identification centre; 60 wrong two-factor
codes and then the right one; a token without the scope or past its expiry; the API schema without
sign-in with the production setting. Every one must be refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from opennrm.accounts import services
from opennrm.accounts.models import Agency, ApiToken, RoleGrant, User
from opennrm.audit.models import AuditEntry
from tests.security.conftest import Session


def test_an_administrator_cannot_give_himself_the_case_manager_role(
    sign_in: Callable[[str], Session], personas: dict[str, User]
) -> None:
    ivan = sign_in("ivan")
    response = ivan.form_post(
        f"/manage/users/{personas['ivan'].pk}/", {"roles": ["admin", "case_manager"]}
    )
    assert response.status_code in (200, 403)
    assert "case_manager" not in User.objects.get(username="ivan").roles
    assert not RoleGrant.objects.filter(user=personas["ivan"]).exists()
    # Even with the role in the database, the administrator's account cannot break the glass.
    assert ivan.get("/cases/").status_code in (403, 404)


def test_a_case_manager_created_at_the_centre_waits_for_a_second_administrator(
    sign_in: Callable[[str], Session], agencies: dict[str, Agency], personas: dict[str, User]
) -> None:
    ivan = sign_in("ivan")
    ivan.form_post(
        "/manage/users/",
        {
            "username": "novi",
            "first_name": "Novi",
            "last_name": "Korisnik",
            "email": "",
            "agency": agencies["cptv"].pk,
            "roles": ["case_manager"],
            "password": "kafa sa mlekom u sedam",
        },
    )
    novi = User.objects.get(username="novi")
    assert (novi.is_active, novi.roles) == (False, frozenset())
    # The new account cannot sign in, so it reads nothing.
    attempt = Session(ivan.base_url).form_post(
        "/accounts/login/", {"login": "novi", "password": "kafa sa mlekom u sedam"}
    )
    assert "/accounts/login/" in attempt.url or "inactive" in attempt.url
    grant = RoleGrant.objects.get(user=novi)
    # The same administrator cannot approve his own request, nor enable the account himself.
    ivan.form_post(f"/manage/grants/{grant.pk}/approve/")
    ivan.form_post(f"/manage/users/{novi.pk}/active/", {"active": "1"})
    novi.refresh_from_db()
    assert (novi.is_active, novi.roles, RoleGrant.objects.get(pk=grant.pk).status) == (
        False,
        frozenset(),
        "pending",
    )
    assert AuditEntry.objects.filter(verb="role_grant.request", flagged=True).exists()
    # A second administrator approves; then the account works.
    second = services.user_create(
        actor=None,
        username="ivana",
        agency=agencies["nco"],
        roles=["admin"],
        password="druga administratorka 2026",
    )
    services.role_grant_approve(actor=second, grant=grant)
    novi = User.objects.get(username="novi")
    assert (novi.is_active, novi.roles) == (True, frozenset({"case_manager"}))


def test_sixty_wrong_codes_then_the_right_one_are_all_refused(
    password_step: Callable[[str], Session], totp_for: Callable[[str], str]
) -> None:
    session = password_step("vesna")
    for _attempt in range(60):
        response = session.form_post("/accounts/2fa/authenticate/", {"code": "000000"})
        assert "/accounts/2fa/authenticate/" in response.url
    response = session.form_post("/accounts/2fa/authenticate/", {"code": totp_for("vesna")})
    assert "/accounts/2fa/authenticate/" in response.url
    assert "Too many wrong codes" in response.text
    assert session.get("/api/v1/accounts/me").status_code == 401
    audited = AuditEntry.objects.filter(actor_label="vesna", verb__startswith="auth.mfa_")
    assert audited.filter(verb="auth.mfa_lockout", flagged=True).count() == 1
    assert audited.count() >= 10


def test_recovery_codes_are_limited_the_same_way(
    password_step: Callable[[str], Session],
) -> None:
    session = password_step("milan")
    for _attempt in range(12):
        session.form_post("/accounts/2fa/authenticate/", {"code": "12345678"})
    response = session.form_post("/accounts/2fa/authenticate/", {"code": "87654321"})
    assert "Too many wrong codes" in response.text
    kinds = set(
        AuditEntry.objects.filter(actor_label="milan", verb="auth.mfa_failed").values_list(
            "changes__kind", flat=True
        )
    )
    assert kinds == {"recovery_code"}


def _token(username: str, **options: Any) -> tuple[ApiToken, str]:
    user = User.objects.get(username=username)
    return services.token_issue(actor=None, user=user, name="probe", **options)


def test_a_read_token_cannot_write_and_a_token_reaches_only_its_areas(
    server: str, personas: dict[str, User]
) -> None:
    client = Session(server)
    _read, read_only = _token("vesna", scope="read", areas=["accounts"])
    refused = client.post(
        "/api/v1/accounts/tokens",
        json={"name": "more", "areas": ["cases"]},
        headers={"Authorization": f"Bearer {read_only}"},
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "This API token may only read."
    elsewhere = client.get(
        "/api/v1/cases/referrals/", headers={"Authorization": f"Bearer {read_only}"}
    )
    assert elsewhere.status_code == 403
    assert elsewhere.json()["error"]["message"] == (
        "This API token does not cover this part of the API."
    )
    # Even a write token cannot mint another token: that needs a session with the second factor.
    _write, write = _token("vesna", scope="write", areas=["accounts"])
    minted = client.post(
        "/api/v1/accounts/tokens",
        json={"name": "more", "areas": ["cases"]},
        headers={"Authorization": f"Bearer {write}"},
    )
    assert minted.status_code == 403


def test_an_expired_token_is_refused(server: str, personas: dict[str, User]) -> None:
    token, plaintext = _token("dragan", areas=["accounts"])
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert Session(server).get("/api/v1/accounts/me", headers=headers).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Session(server).get("/api/v1/accounts/me", headers=headers).status_code == 401


def test_the_schema_and_docs_need_sign_in_in_production(server: str, settings: Any) -> None:
    settings.OPENNRM_API_SCHEMA_PUBLIC = False
    anonymous = Session(server)
    for path in ("/api/schema/", "/api/v1/openapi.json", "/api/v1/docs"):
        response = anonymous.get(path)
        assert response.status_code == 401, path
        assert "paths" not in response.text


def test_the_schema_is_served_to_a_signed_in_user(
    sign_in: Callable[[str], Session], settings: Any
) -> None:
    settings.OPENNRM_API_SCHEMA_PUBLIC = False
    response = sign_in("dragan").get("/api/schema/")
    assert response.status_code == 200
    assert "/api/v1/accounts/me" in response.json()["paths"]


def test_trainer_coordinator_and_justice_sign_in_only_with_their_second_factor(
    sign_in: Callable[[str], Session],
) -> None:
    for username in ("marija", "dragan", "jelena", "nada"):
        assert sign_in(username).get("/api/v1/accounts/me").status_code == 200


def test_a_trainer_with_only_a_password_reads_nothing(
    server: str, agencies: dict[str, Agency]
) -> None:
    services.user_create(
        actor=None,
        username="petra",
        agency=agencies["judicial_academy"],
        roles=["trainer"],
        password="tramvaj devet kasni u zoru",
    )
    petra = Session(server)
    petra.form_post(
        "/accounts/login/", {"login": "petra", "password": "tramvaj devet kasni u zoru"}
    )
    page = petra.get("/training/", allow_redirects=False)
    assert (page.status_code, page.headers["Location"]) == (302, "/accounts/2fa/totp/activate/")
    assert petra.get("/api/v1/training/cohorts").status_code == 401
