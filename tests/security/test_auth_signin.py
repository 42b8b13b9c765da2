"""The security fixtures themselves: a persona signs in through the real pages of a live server."""

from __future__ import annotations

from collections.abc import Callable

from tests.security.conftest import Session


def test_a_persona_signs_in_with_password_and_totp_and_reaches_the_api(
    sign_in: Callable[[str], Session],
) -> None:
    vesna = sign_in("vesna")
    response = vesna.get("/api/v1/accounts/me")
    assert response.status_code == 200
    assert response.json()["roles"] == ["case_manager"]


def test_without_sign_in_the_api_answers_401(server: str) -> None:
    response = Session(server).get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
