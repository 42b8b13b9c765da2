"""Personal API tokens: issued once, stored hashed, acting with the owner's roles and no more."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from opennrm.accounts import services
from opennrm.accounts.models import Agency, ApiToken, User
from opennrm.accounts.roles import ROLE_ACTIONS
from opennrm.audit.models import AuditEntry
from opennrm.core.errors import PermissionDeniedError, ValidationFailed
from tests.conftest import ALL_PERSONAS, assert_access


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def _issue(username: str, *options: str) -> str:
    out = StringIO()
    call_command("issue_token", username, *(options or ("--scope", "write")), stdout=out)
    return out.getvalue().strip()


def test_issue_token_prints_the_token_once_and_stores_only_its_sha256(
    personas: dict[str, User],
) -> None:
    plaintext = _issue("vesna")
    assert plaintext.startswith("onrm_")
    token = ApiToken.objects.get(user=personas["vesna"])
    assert token.digest == hashlib.sha256(plaintext.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.values_list(flat=False).get()]
    assert plaintext not in stored
    secret = plaintext.split("_", 2)[2]  # the secret itself may contain "_" (URL-safe base64)
    assert len(secret) >= 40
    assert all(secret not in value for value in stored)
    assert AuditEntry.objects.filter(verb="token.issue", target_label=token.audit_label).exists()


def test_issue_token_refuses_unknown_and_disabled_users(personas: dict[str, User]) -> None:
    with pytest.raises(CommandError) as unknown:
        _issue("nobody")
    assert str(unknown.value) == "There is no user 'nobody'."
    services.user_set_active(actor=personas["ivan"], user=personas["milan"], active=False)
    with pytest.raises(CommandError) as disabled:
        _issue("milan")
    assert str(disabled.value) == "User 'milan' is disabled; enable the account first."
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize("name", ["ana", "vesna", "ivan", "zoran", "cedomir"])
def test_me_returns_exactly_the_owners_roles_and_actions(
    personas: dict[str, User], name: str
) -> None:
    response = Client().get("/api/v1/accounts/me", headers=_bearer(_issue(name)))
    assert response.status_code == 200
    body = response.json()
    [role] = personas[name].roles
    assert body["roles"] == [role]
    assert body["actions"] == sorted(ROLE_ACTIONS[role])
    assert body["username"] == name


def test_a_change_of_its_owners_roles_ends_a_token(personas: dict[str, User]) -> None:
    token = _issue("ana")
    services.user_set_roles(actor=personas["ivan"], user=personas["ana"], roles=["trainer"])
    assert Client().get("/api/v1/accounts/me", headers=_bearer(token)).status_code == 401


def test_an_unknown_or_malformed_token_is_refused(personas: dict[str, User]) -> None:
    real = _issue("vesna")
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    for token in (forged, "onrm_nothing", "Basic abc", real.replace("onrm", "xxxx")):
        response = Client().get("/api/v1/accounts/me", headers=_bearer(token))
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


def test_a_screeners_token_cannot_do_what_an_administrators_can(
    personas: dict[str, User],
) -> None:
    ana = Client().get("/api/v1/accounts/users", headers=_bearer(_issue("ana")))
    assert ana.status_code == 403
    assert ana.json() == {
        "error": {
            "code": "forbidden",
            "message": "You do not have permission to do this.",
            "fields": {},
        }
    }
    ivan = Client().get("/api/v1/accounts/users", headers=_bearer(_issue("ivan")))
    assert ivan.status_code == 200
    assert ivan.json()["count"] == len(personas) == 11
    assert [u["username"] for u in ivan.json()["items"]][:3] == ["ana", "cedomir", "dragan"]


def test_tokens_are_issued_listed_and_revoked_through_the_api(
    personas: dict[str, User], totp_client: Callable[[str], Client]
) -> None:
    first = _issue("vesna")
    client = Client()
    issued = totp_client("vesna").post(
        "/api/v1/accounts/tokens",
        data={"name": "reporting", "scope": "read", "areas": ["accounts", "cases"]},
        content_type="application/json",
    )
    assert issued.status_code == 201
    assert (issued.json()["scope"], issued.json()["areas"]) == ("read", ["accounts", "cases"])
    second = issued.json()["token"]
    names = [
        t["name"] for t in client.get("/api/v1/accounts/tokens", headers=_bearer(first)).json()
    ]
    assert sorted(names) == ["issued by operator", "reporting"]
    token_id = issued.json()["id"]
    revoked = client.delete(f"/api/v1/accounts/tokens/{token_id}", headers=_bearer(first))
    assert revoked.status_code == 204
    assert client.get("/api/v1/accounts/me", headers=_bearer(second)).status_code == 401
    assert client.get("/api/v1/accounts/me", headers=_bearer(first)).status_code == 200
    assert AuditEntry.objects.filter(verb="token.revoke").count() == 1


def test_nobody_revokes_someone_elses_token_through_the_api(personas: dict[str, User]) -> None:
    vesna_token = _issue("vesna")
    target = ApiToken.objects.get(user=personas["vesna"])
    response = Client().delete(
        f"/api/v1/accounts/tokens/{target.pk}", headers=_bearer(_issue("cedomir"))
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Client().get("/api/v1/accounts/me", headers=_bearer(vesna_token)).status_code == 200


# --- scope, areas, expiry, service accounts (issue 13, finding 12) ---------------------------


def test_a_token_lasts_eight_hours_by_default_and_is_refused_after(
    personas: dict[str, User],
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token, plaintext = services.token_issue(actor=None, user=personas["dragan"], name="x")
        assert token.expires_at == start + timedelta(hours=8)
        assert Client().get("/api/v1/accounts/me", headers=_bearer(plaintext)).status_code == 200
    with time_machine.travel(start + timedelta(hours=8, seconds=1), tick=False):
        assert Client().get("/api/v1/accounts/me", headers=_bearer(plaintext)).status_code == 401


def test_a_personal_token_left_unused_past_the_idle_timeout_is_refused(
    personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    # Issue 13, finding 12: tokens skipped the idle timeout that ends a signed-in session.
    start = timezone.now()
    me = "/api/v1/accounts/me"
    with time_machine.travel(start, tick=False):
        _token, plaintext = services.token_issue(actor=None, user=personas["dragan"], name="x")
        robot = services.user_create(
            actor=None,
            username="dashboard",
            agency=agencies["nco"],
            roles=["coordinator"],
            password="",
            service_account=True,
        )
        _robot_token, robot_plaintext = services.token_issue(
            actor=personas["ivan"], user=robot, name="dashboard", hours=365 * 24, mfa_verified=True
        )
    # Used every 50 minutes, the token lives on (until it expires) ...
    for minutes in (50, 100, 150):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert Client().get(me, headers=_bearer(plaintext)).status_code == 200
    # ... left alone for an hour and a minute, it is refused; a service account's token is not.
    with time_machine.travel(start + timedelta(minutes=150 + 61), tick=False):
        assert Client().get(me, headers=_bearer(plaintext)).status_code == 401
        assert Client().get(me, headers=_bearer(robot_plaintext)).status_code == 200


def test_a_personal_token_lasts_at_most_the_setting(personas: dict[str, User]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.token_issue(actor=None, user=personas["dragan"], name="x", hours=25)
    assert refused.value.fields == {"hours": "A token lasts between 1 and 24 hours."}
    with pytest.raises(CommandError) as command:
        _issue("dragan", "--hours", str(24 * 30))
    assert str(command.value) == "A token lasts between 1 and 24 hours."
    assert not ApiToken.objects.exists()


def test_a_read_token_only_reads_and_only_its_areas(personas: dict[str, User]) -> None:
    plaintext = _issue("nada", "--scope", "read", "--area", "accounts")
    assert Client().get("/api/v1/accounts/me", headers=_bearer(plaintext)).status_code == 200
    write = Client().delete("/api/v1/accounts/tokens/1", headers=_bearer(plaintext))
    assert (write.status_code, write.json()["error"]["message"]) == (
        403,
        "This API token may only read.",
    )
    other = Client().get("/api/v1/monitoring/budget", headers=_bearer(plaintext))
    assert (other.status_code, other.json()["error"]["message"]) == (
        403,
        "This API token does not cover this part of the API.",
    )


def test_a_token_cannot_mint_another_token(personas: dict[str, User]) -> None:
    plaintext = _issue("vesna")  # write scope, every area
    response = Client().post(
        "/api/v1/accounts/tokens",
        data={"name": "forever", "scope": "write", "areas": ["cases"], "hours": 24},
        content_type="application/json",
        headers=_bearer(plaintext),
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Issue API tokens from a session signed in with two-factor authentication."
    )
    assert ApiToken.objects.count() == 1


def test_only_a_service_account_gets_a_long_lived_token_from_an_administrator(
    personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    robot = services.user_create(
        actor=None,
        username="dashboard",
        agency=agencies["nco"],
        roles=["coordinator"],
        password="",
        service_account=True,
    )
    assert not robot.has_usable_password()
    token, plaintext = services.token_issue(
        actor=personas["ivan"],
        user=robot,
        name="dashboard",
        areas=["statistics"],
        hours=365 * 24,
        mfa_verified=True,
    )
    assert token.issued_by == personas["ivan"]
    headers = _bearer(plaintext)
    assert Client().get("/api/v1/statistics/tables/", headers=headers).status_code == 200
    with pytest.raises(PermissionDeniedError) as person:
        services.token_issue(
            actor=personas["ivan"], user=personas["vesna"], name="x", mfa_verified=True
        )
    assert person.value.message == "Only a service account's tokens are issued by an administrator."
    with pytest.raises(ValidationFailed):
        services.user_create(
            actor=None,
            username="robot2",
            agency=agencies["nco"],
            roles=["case_manager"],
            password="",
            service_account=True,
        )
    with pytest.raises(ValidationFailed):
        services.user_set_roles(actor=personas["ivan"], user=robot, roles=["screener"])


def test_administrators_list_and_revoke_a_users_tokens(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    token, plaintext = services.token_issue(actor=None, user=personas["vesna"], name="laptop")
    url = f"/api/v1/accounts/users/{personas['vesna'].pk}/tokens"
    assert_access(client_for, url, allowed=["ivan"])
    assert [t["name"] for t in client_for("ivan").get(url).json()] == ["laptop"]
    for username in ALL_PERSONAS:
        if username != "ivan":
            refused = client_for(username).delete(f"{url}/{token.pk}")
            assert refused.status_code in (403, 404)
    assert client_for("ivan").delete(f"{url}/{token.pk}").status_code == 204
    assert Client().get("/api/v1/accounts/me", headers=_bearer(plaintext)).status_code == 401
    page_token, _p = services.token_issue(actor=None, user=personas["milan"], name="page")
    assert_access(client_for, f"/manage/users/{personas['milan'].pk}/", allowed=["ivan"])
    client_for("ivan").post(f"/manage/users/{personas['milan'].pk}/tokens/{page_token.pk}/revoke/")
    page_token.refresh_from_db()
    assert page_token.revoked_at is not None


def test_an_administrator_creates_a_service_account_and_issues_its_token_on_the_page(
    personas: dict[str, User],
    agencies: dict[str, Agency],
    client_for: Callable[[str], Client],
    totp_client: Callable[[str], Client],
) -> None:
    created = client_for("ivan").post(
        "/manage/users/",
        {
            "username": "dashboard",
            "agency": agencies["nco"].pk,
            "roles": ["coordinator"],
            "service_account": "on",
        },
    )
    assert created.status_code == 302
    robot = User.objects.get(username="dashboard")
    assert (robot.is_service_account, robot.has_usable_password(), robot.roles) == (
        True,
        False,
        frozenset({"coordinator"}),
    )
    form = {"name": "dashboard", "scope": "read", "areas": ["statistics"], "hours": 24 * 90}
    url = f"/manage/users/{robot.pk}/tokens/"
    unverified = client_for("ivan").post(url, form)
    assert "Issue API tokens from a session signed in with two-factor authentication." in (
        unverified.content.decode()
    )
    page = totp_client("ivan").post(url, form)
    plaintext = re.search(r"onrm_[0-9a-f]{12}_[A-Za-z0-9_-]+", page.content.decode())
    assert plaintext is not None
    token = ApiToken.objects.get(user=robot)
    assert abs(token.expires_at - token.created_at - timedelta(days=90)) < timedelta(seconds=5)
    assert (
        Client().get("/api/v1/statistics/tables/", headers=_bearer(plaintext.group(0))).status_code
        == 200
    )
    # A person's account gets no token from an administrator; nobody else issues one.
    assert (
        totp_client("ivan").post(f"/manage/users/{personas['vesna'].pk}/tokens/", form).status_code
        == 404
    )
    for username in ALL_PERSONAS:
        if username != "ivan":
            assert client_for(username).post(url, form).status_code in (403, 404)
    assert ApiToken.objects.count() == 1


def test_a_persons_account_still_needs_a_password(
    agencies: dict[str, Agency], client_for: Callable[[str], Client]
) -> None:
    response = client_for("ivan").post(
        "/manage/users/", {"username": "bez", "agency": agencies["nco"].pk, "roles": ["justice"]}
    )
    assert "A person&#x27;s account needs an initial password." in response.content.decode()
    assert not User.objects.filter(username="bez").exists()
