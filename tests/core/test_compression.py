"""Pages go out compressed to browsers that accept gzip; API answers and downloads as they are."""

from __future__ import annotations

import gzip

import pytest


@pytest.mark.django_db
def test_a_page_is_compressed_for_a_browser_that_accepts_gzip(client_for):
    client = client_for("vesna")
    plain = client.get("/cases/")
    packed = client.get("/cases/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert len(packed.content) < len(plain.content) / 2
    assert b"<html" in gzip.decompress(packed.content)


@pytest.mark.django_db
def test_api_answers_are_not_compressed(client):
    response = client.get("/api/schema/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert response.json()["openapi"].startswith("3.1")
