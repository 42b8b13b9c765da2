"""The user guide (issue 20): its content follows its skeleton in both content files, every label it
names is the interface's own, and its pages render for every role in the three languages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from django.test import Client
from django.utils import translation

from opennrm.help import guide
from tests.conftest import ALL_PERSONAS

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Latin words a Serbian Cyrillic text keeps as they are (names of formats, bodies, the product).
KEPT_LATIN = {"OpenNRM", "API", "DOCX", "PDF", "XLSX", "CSV", "GRETA", "HELP"}


def _raw(language: str) -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load(
        (guide.CONTENT_DIR / f"{language}.yaml").read_text("utf-8")
    )
    return data


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    return []


@pytest.mark.parametrize("language", guide.CONTENT_LANGUAGES)
def test_each_content_file_has_every_role_task_and_step_of_the_skeleton(language: str) -> None:
    data = _raw(language)
    assert set(data) == set(guide.ROLES)
    for role in guide.GUIDE:
        text = data[role.key]
        assert isinstance(text, dict)
        assert text.get("intro"), (language, role.key)
        assert set(text["tasks"]) == {task.key for task in role.tasks}, (language, role.key)
        for task in role.tasks:
            words = text["tasks"][task.key]
            assert words["title"], (language, role.key, task.key)
            assert len(words["steps"]) == len(task.steps), (language, role.key, task.key)
            for step, sentence in zip(task.steps, words["steps"], strict=True):
                # The step names its control and navigation entry where the skeleton has them.
                assert ("{control}" in sentence) == bool(step.control), (role.key, task.key)
                assert ("{nav}" in sentence) == bool(step.nav), (role.key, task.key)


def _labels() -> set[str]:
    labels = set()
    for role in guide.GUIDE:
        for task in role.tasks:
            for step in task.steps:
                labels.update(label for label in (step.nav, step.control) if label)
    for language in guide.CONTENT_LANGUAGES:
        for text in _texts(_raw(language)):
            labels.update(guide.labels_in(text))
    return labels


def test_every_label_the_guide_names_is_a_translated_label_of_the_interface() -> None:
    with translation.override("sr"):
        untranslated = sorted(label for label in _labels() if translation.gettext(label) == label)
    assert not untranslated, f"labels the guide names that no catalogue translates: {untranslated}"


def test_the_serbian_content_is_cyrillic_so_that_latin_is_derived_from_it() -> None:
    for text in _texts(_raw("sr")):
        prose = guide.LABEL.sub("", text)
        latin = set(re.findall(r"[A-Za-z]+", prose)) - KEPT_LATIN - {"control", "nav"}
        assert not latin, f"Latin words in sr.yaml: {latin} in {text!r}"


def _visible_text(html: str) -> str:
    """The header and main part of a page (the footer's language buttons are in each script)."""
    main = html[html.index("<header>") : html.index("</main>")]
    return re.sub(r"<[^>]+>", " ", main)


def _get(client: Client, url: str, language: str) -> str:
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200, (url, language, response.status_code)
    return response.content.decode()


def _check_script(html: str, language: str, url: str) -> None:
    text = _visible_text(html)
    if language == "sr-latn":
        assert not CYRILLIC.search(text), (url, CYRILLIC.findall(text)[:10])
    # Every placeholder was replaced, in every language.
    assert "{control}" not in text, url
    assert "{nav}" not in text, url
    assert "[[" not in text, url


@pytest.mark.parametrize("language", guide.LANGUAGES)
@pytest.mark.parametrize("username", ALL_PERSONAS)
def test_the_guide_renders_for_every_role_in_every_language(
    client_for: Callable[[str], Client], username: str, language: str
) -> None:
    client = client_for(username)
    client.cookies["django_language"] = language
    index = _get(client, "/help/", language)
    _check_script(index, language, "/help/")
    user = client.get("/help/").wsgi_request.user
    own = [role for role in guide.GUIDE if role.key in user.roles]  # type: ignore[union-attr]
    # The user's own roles come first, then what everyone does, then the other roles.
    shown = re.findall(r'id="role-([a-z_]+)"', index)
    assert shown[: len(own) + 1] == [*(role.key for role in own), guide.EVERYONE]
    assert sorted(shown) == sorted(guide.ROLES)
    for role in [*own, guide.ROLES[guide.EVERYONE]]:
        page = _get(client, f"/help/{role.key}/", language)
        _check_script(page, language, role.key)
        for task in role.tasks:
            url = f"/help/{role.key}/{task.key}/"
            _check_script(_get(client, url, language), language, url)


@pytest.mark.parametrize("language", guide.LANGUAGES)
def test_every_section_renders_with_the_interface_labels(
    client_for: Callable[[str], Client], language: str
) -> None:
    client = client_for("vesna")
    client.cookies["django_language"] = language
    for role in guide.GUIDE:
        _check_script(_get(client, f"/help/{role.key}/", language), language, role.key)
        for task in role.tasks:
            html = _get(client, f"/help/{role.key}/{task.key}/", language)
            _check_script(html, language, task.key)
            with translation.override(language):
                for step in task.steps:
                    for label in (step.nav, step.control):
                        if label:
                            escaped = translation.gettext(label).replace("'", "&#x27;")
                            assert f"<strong>{escaped}</strong>" in html, (task.key, label)


def test_an_unknown_section_is_not_found(client_for: Callable[[str], Client]) -> None:
    client = client_for("ana")
    assert client.get("/help/nobody/").status_code == 404
    assert client.get("/help/screener/nothing/").status_code == 404


def test_the_guide_is_for_signed_in_users() -> None:
    response = Client().get("/help/screener/screen/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_step_shows_its_screenshot_only_when_it_was_taken(
    client_for: Callable[[str], Client], settings: object, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    client = client_for("ana")
    client.cookies["django_language"] = "sr"
    html = _get(client, "/help/screener/screen/", "sr")
    assert "/help/shots/" not in html
    (tmp_path / "guide" / "sr").mkdir(parents=True)
    (tmp_path / "guide" / "sr" / guide.shot_name("screener", "screen", 2)).write_bytes(b"\x89PNG")
    html = _get(client, "/help/screener/screen/", "sr")
    assert html.count("/help/shots/") == 1
    assert '/help/shots/sr/screener.screen.2.png"' in html
