"""The screenshots of the guide are served from their directory only, to signed-in users only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from opennrm.help import guide

PNG = b"\x89PNG\r\n\x1a\n-test"


@pytest.fixture
def shots(settings: object, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path / "var"  # type: ignore[attr-defined]
    folder = tmp_path / "var" / "guide" / "en"
    folder.mkdir(parents=True)
    (folder / "screener.screen.1.png").write_bytes(PNG)
    (tmp_path / "var" / "secret.png").write_bytes(b"outside")
    (tmp_path / "var" / "opennrm.sqlite3").write_bytes(b"database")
    return folder


def test_a_screenshot_is_served_as_png_to_a_signed_in_user(
    shots: Path, client_for: Callable[[str], Client]
) -> None:
    response = client_for("ana").get("/help/shots/en/screener.screen.1.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]


def test_nobody_signed_out_gets_a_screenshot(shots: Path) -> None:
    response = Client().get("/help/shots/en/screener.screen.1.png")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/help/shots/en/..%2Fsecret.png",
        "/help/shots/en/..%2F..%2Fsecret.png",
        "/help/shots/..%2F/secret.png",
        "/help/shots/en/%2Fetc%2Fpasswd",
        "/help/shots/en/..%2F..%2Fopennrm.sqlite3",
        "/help/shots/xx/screener.screen.1.png",
        "/help/shots/en/screener.screen.9.png",
        "/help/shots/en/screener.screen.1.png.bak",
        "/help/shots/en/.%2Fscreener.screen.1.png",
    ],
)
def test_the_screenshot_view_refuses_any_other_path(
    shots: Path, client_for: Callable[[str], Client], path: str
) -> None:
    assert client_for("ana").get(path).status_code == 404


def test_a_link_out_of_the_directory_is_refused(
    shots: Path, client_for: Callable[[str], Client]
) -> None:
    (shots / "screener.refer.1.png").symlink_to(shots.parent.parent / "secret.png")
    assert client_for("ana").get("/help/shots/en/screener.refer.1.png").status_code == 404
    assert guide.shots_dir() == shots.parent
