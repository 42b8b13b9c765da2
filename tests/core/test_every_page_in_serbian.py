"""Every page every persona can reach, rendered in Serbian, reads as Serbian (issue 20).

The demo scenario is seeded through the apps' own services (``seed_demo``); each persona then
walks the site from the home page, following the links it is shown (at most a few pages per URL
pattern), in the ``sr`` interface. A page fails when its visible text holds:

- an English label of the project's own vocabularies, shown as a label (a whole text, or one item
  of a list in it): the English label of any choice whose Serbian label differs, the English
  names of reference data (agencies, offences, logframe results and indicators, courses, their
  modules, target populations). People's own prose is not searched for these words: a note may
  quote anything;
- an internal code: a role action name (``case.view_pii``), a stored choice value written as code
  (``case_manager``, ``ForcedLabour``), any other snake_case word, or an age band written
  ``0--8``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation

from opennrm.accounts.models import Agency, User
from opennrm.accounts.roles import ACTIONS
from opennrm.demo.personas import PERSONAS
from opennrm.justice.models import Offence
from opennrm.monitoring.models import Indicator, Result
from opennrm.training.models import Course, Module, TargetPopulation

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PAGES_PER_PATTERN = 3
SKIP_PREFIXES = ("/accounts/logout", "/i18n/", "/api/", "/static/", "/media/", "/metrics")
# Attributes whose text a person reads (or hears) as well as the element's content.
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
SNAKE_CASE = re.compile(r"(?<![\w./@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@])")
AGE_BAND_CODE = re.compile(r"\d+--\d*")


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class VisibleText(HTMLParser):
    """The text a person sees on a page, and its links. Text marked as English (``lang="en"``:
    the language switcher, the English name of an agency on the page that edits it) is left
    out: it is meant to be English; so is text marked ``translate="no"``."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.nodes: list[str] = []  # each text node and read attribute, whole
        self.links: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, hides its content)

    @property
    def _hidden(self) -> bool:
        return any(hides for _tag, hides in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hides = (
            tag in {"script", "style", "template"}
            or (values.get("lang") or "").startswith("en")
            or values.get("translate") == "no"  # raw values: an alias as files write it
        )
        if tag not in VOID:
            self._open.append((tag, hides))
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if self._hidden or (tag in VOID and hides):
            return
        for name in READ_ATTRIBUTES & values.keys():
            self._read(values[name] or "")
        if tag == "input" and values.get("type") in {"submit", "button"}:
            self._read(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._read(data)

    def _read(self, text: str) -> None:
        self.parts.append(text)
        if text.strip():
            self.nodes.append(" ".join(text.split()))

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def _choice_classes() -> Iterator[type[models.Choices]]:
    seen: set[type] = set()
    stack: list[type] = [models.TextChoices, models.IntegerChoices]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
                if sub.__module__.startswith("opennrm."):
                    yield sub


def _english_vocabulary() -> set[str]:
    """English labels whose Serbian differs: seeing one on a Serbian page is a missed
    translation. Words of two letters or fewer are left out (too many false hits)."""
    words: set[str] = set()
    for cls in _choice_classes():
        for _value, label in cls.choices:
            with translation.override("en"):
                english = str(label)
            with translation.override("sr"):
                serbian = str(label)
            if english != serbian and re.search(r"[a-z]{3}", english):
                words.add(english)
    for agency in Agency.objects.exclude(name_sr=""):
        words.add(agency.name)
    for offence in Offence.objects.all():
        if offence.title_en != offence.title_sr:
            words.add(offence.title_en)
    for model, english, serbian in (
        (Result, "title", "title_sr"),
        (Indicator, "definition", "definition_sr"),
        (Course, "title", "title_sr"),
        (Module, "title", "title_sr"),
        (TargetPopulation, "name", "name_sr"),
    ):
        words.update(model.objects.exclude(**{serbian: ""}).values_list(english, flat=True))
    return words


LIST_SEPARATORS = re.compile(r"\s*(?:[,;·|]|\s—\s|\s–\s)\s*")


def _labels(nodes: list[str]) -> set[str]:
    """Each text node as a label, and each item of a list written in one node."""
    labels = set()
    for node in nodes:
        for item in [node, *LIST_SEPARATORS.split(node)]:
            labels.add(item.strip(" :.()[]"))
    return labels


def _internal_codes() -> set[str]:
    codes = set(ACTIONS)
    for cls in _choice_classes():
        for value in cls.values:
            if isinstance(value, str) and (
                "_" in value or re.fullmatch(r"[A-Z][a-z]+[A-Z]\w*", value)
            ):
                codes.add(value)
    return codes


def _findings(text: str, nodes: list[str], english: set[str], codes: set[str]) -> list[str]:
    found = [f"English “{word}”" for word in _labels(nodes) & english]
    for code in codes:
        if re.search(rf"(?<![\w./-]){re.escape(code)}(?![\w-])", text):
            found.append(f"code “{code}”")
    found += [f"code “{m}”" for m in SNAKE_CASE.findall(text) if m not in codes]
    found += [f"age band “{m}”" for m in AGE_BAND_CODE.findall(text)]
    return sorted(set(found))


def _walk(client: Client) -> Iterator[tuple[str, VisibleText]]:
    """(url, parsed page) of each HTML page reachable from home, a few per URL pattern."""
    queue = ["/"]
    seen = {"/"}
    per_pattern: dict[str, int] = defaultdict(int)
    while queue:
        url = queue.pop(0)
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        yield url, parser
        for href in parser.links:
            target = urldefrag(href)[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if target in seen or parts.path.startswith(SKIP_PREFIXES):
                continue
            try:
                match = resolve(parts.path)
            except Resolver404:
                continue
            key = match.view_name
            if per_pattern[key] >= PAGES_PER_PATTERN:
                continue
            per_pattern[key] += 1
            seen.add(target)
            queue.append(target)


def test_every_page_of_every_role_reads_in_serbian() -> None:
    call_command("seed_demo", stdout=StringIO())
    english = _english_vocabulary()
    codes = _internal_codes()
    assert "Forced labour" in english  # the lists are not empty
    assert "case.view_pii" in codes
    problems: list[str] = []
    visited = 0
    for persona in PERSONAS:
        client = Client()
        client.force_login(User.objects.get(username=persona.username))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sr"
        for url, page in _walk(client):
            visited += 1
            found = _findings(page.text, page.nodes, english, codes)
            problems += [f"{persona.username} {url}: {f}" for f in found]
    assert visited > 100
    assert not problems, f"{len(problems)} findings:\n" + "\n".join(problems)
