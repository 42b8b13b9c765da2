from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_answers_503_when_the_database_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import DatabaseError

    from opennrm.core import views

    class Broken:
        def cursor(self) -> None:
            raise DatabaseError("down")

    monkeypatch.setattr(views, "connection", Broken())
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_trace_is_refused() -> None:
    response = Client().generic("TRACE", "/accounts/login/")
    assert response.status_code == 405


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy() -> None:
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "script-src 'self'" in policy


def test_signed_in_pages_are_not_cached(client_for) -> None:
    response = client_for("vesna").get("/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
