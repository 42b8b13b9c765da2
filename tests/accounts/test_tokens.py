"""Personal API tokens: issued once, stored hashed, acting with the owner's roles and no more."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from opennrm.accounts import services
from opennrm.accounts.models import ApiToken, User
from opennrm.accounts.roles import ROLE_ACTIONS
from opennrm.audit.models import AuditEntry


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def _issue(username: str) -> str:
    out = StringIO()
    call_command("issue_token", username, stdout=out)
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


def test_a_token_follows_its_owners_current_roles(personas: dict[str, User]) -> None:
    token = _issue("ana")
    services.user_set_roles(actor=personas["ivan"], user=personas["ana"], roles=["trainer"])
    body = Client().get("/api/v1/accounts/me", headers=_bearer(token)).json()
    assert body["roles"] == ["trainer"]
    assert "screening.create" not in body["actions"]


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
    assert ivan.json()["count"] == 10
    assert [u["username"] for u in ivan.json()["items"]][:3] == ["ana", "cedomir", "dragan"]


def test_tokens_are_issued_listed_and_revoked_through_the_api(personas: dict[str, User]) -> None:
    first = _issue("vesna")
    client = Client()
    issued = client.post(
        "/api/v1/accounts/tokens",
        data={"name": "reporting"},
        content_type="application/json",
        headers=_bearer(first),
    )
    assert issued.status_code == 201
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
