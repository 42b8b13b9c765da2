"""Every page every persona can reach reads in the interface's language, with no internal code
(issue 20).

The demo scenario is seeded through the apps' own services (``seed_demo``: cases with referrals,
decisions, consent, services and shelter stays, proceedings, trainings, a monitoring report,
statistics), plus a case entered in Cyrillic. Each persona then walks the site from the home page,
following the links it is shown (GET only, a few pages per URL pattern, never sign-out, downloads
or exports), once in ``sr`` and once in ``sr-latn``. Text marked as another language (the language
switch, an agency's English name on the page that edits it) is not read. A page fails when its
visible text (and the attributes a person reads or hears) holds:

- an English word of the project's own vocabularies: a word of an English message of our
  catalogues, of a choice's English label, or of the English name of reference data (agencies,
  offences, forms of exploitation, services, logframe results and indicators, courses and modules,
  target populations), unless the word is also written in the Serbian translations (acronyms such
  as GRETA, HELP or PDF, the product's name) or is a name of the demo (usernames, people);
- an internal code: a permission codename (``case.view_pii``), a metric key, a stored choice value
  shown on its own (``restricted``), any snake_case word, an age band written ``0--8``, a country
  or language code shown on its own (``PK``, ``RS``, ``ur``);
- in ``sr-latn``, any Cyrillic letter: a Cyrillic text (reference data, a person's name entered in
  Cyrillic) is shown transliterated in the Latin interface.

Each finding names the persona, the language, the page, the word and the text it was read in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pycountry
import pytest
from babel import Locale
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.utils import translation

import opennrm
from opennrm.accounts.models import Agency, User
from opennrm.accounts.roles import ACTIONS
from opennrm.core.translit import to_latin
from opennrm.demo.personas import PERSONAS
from opennrm.justice.models import Offence
from opennrm.monitoring import metrics
from opennrm.monitoring.models import Indicator, Result
from opennrm.training.models import Course, Module, TargetPopulation
from tests.cases.helpers import identified_case
from tests.crawl import crawl

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

LANGUAGES = ("sr", "sr-latn")
PAGES_PER_PATTERN = 3
# Files, not pages: never fetched (a PDF is slow to render and has no visible HTML text).
FILE_SUFFIX = re.compile(r"\.(csv|pdf|xlsx|docx|zip|json|txt)$")
FILE_VIEWS = re.compile(r"(export|download|template|certificate|case_file|errors|rendition)$")
# Attributes whose text a person reads (or hears) as well as the element's content.
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

SNAKE_CASE = re.compile(r"(?<![\w./@:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@])")
AGE_BAND_CODE = re.compile(r"\d+--\d*")
# An English word as it may stand in a sentence: ASCII letters, not part of a code, a path, an
# address or a word with Serbian letters.
LATIN_WORD = re.compile(r"(?<![\w@./:#=&?-])[A-Za-z][a-z]{2,}(?:'[a-z]+)?(?![\w@/-])")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LIST_SEPARATORS = re.compile(r"\s*(?:[,;·|/]|\s—\s|\s–\s)\s*")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdif]|\{\w*\}|<[^>]+>|&\w+;")


class VisibleText(HTMLParser):
    """The text a person sees on a page, node by node, and the page's links. A textarea's content
    is a value being edited (stored as entered), not text of the page. Text marked as
    another language than the page's (the language switch: ``lang="en"``, ``lang="sr"`` in the
    Latin interface) is left out, and so is text marked ``translate="no"`` (an alias as files
    write it)."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language.lower()
        self.nodes: list[str] = []  # each text node and read attribute, whole
        self.links: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, hides its content)

    @property
    def _hidden(self) -> bool:
        return any(hides for _tag, hides in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = (values.get("lang") or "").lower()
        hides = (
            tag in {"script", "style", "template", "textarea"}
            or (tag != "html" and bool(lang) and lang != self.language)
            or values.get("translate") == "no"
        )
        if tag not in VOID:
            self._open.append((tag, hides))
        if tag == "a" and values.get("href") and "download" not in values:
            self.links.append(values["href"] or "")
        if self._hidden or (tag in VOID and hides):
            return
        for name in sorted(READ_ATTRIBUTES & values.keys()):
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
        if text.strip():
            self.nodes.append(" ".join(text.split()))


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


def _catalogues(locale: str) -> Iterator[tuple[str, str]]:
    """(English message, translation) of every message of our catalogues for ``locale``."""
    root = Path(opennrm.__file__).parent
    for path in sorted(root.glob(f"*/locale/{locale}/LC_MESSAGES/django.po")):
        with path.open("rb") as po:
            catalogue = read_po(po)
        for message in catalogue:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for english in ids:
                for translated in strings:
                    yield english, translated or ""


def _words(text: str) -> set[str]:
    return {w.lower() for w in LATIN_WORD.findall(PLACEHOLDER.sub(" ", text))}


LATIN_RUN = re.compile(r"[A-Za-z][\w.+-]*(?:[ -][A-Za-z][\w.+-]*)*")


def _allowance(text: str) -> tuple[re.Pattern[str] | None, set[str]]:
    """What a Serbian text written with Latin words allows on a page: the text itself (its
    placeholders standing for anything), and its Latin proper names and phrases anywhere ("Excel",
    "Counter Trafficking Data Collaborative"). A lone lower-case Latin word (a value a file must
    hold: "female, male или unknown") is allowed only inside its own message."""
    if not _words(text):
        return None, set()
    parts = [re.escape(" ".join(p.split())) for p in PLACEHOLDER.split(text)]
    whole = re.compile(r"\s*.*?\s*".join(parts).replace(r"\ ", r"\s+"))
    phrases = {
        run
        for run in LATIN_RUN.findall(PLACEHOLDER.sub(" ", text))
        if " " in run or run[0].isupper()
    }
    return whole, phrases


@dataclass
class Vocabulary:
    english: dict[str, str] = field(default_factory=dict)  # word → where it comes from
    serbian: dict[str, set[str]] = field(default_factory=dict)  # language → words also Serbian
    # language → Serbian texts written with Latin words, and their Latin phrases
    allowed: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)
    phrases: dict[str, set[str]] = field(default_factory=dict)
    choice_values: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)
    short_names: set[str] = field(default_factory=set)  # Serbian acronyms in Latin ("IR", "PA")

    def allow(self, cyrillic: str) -> None:
        """Words of a Serbian (Cyrillic) text are Serbian: its Latin words in both interfaces,
        its transliterated words in the Latin one."""
        latin_free = LATIN_RUN.sub(" ", PLACEHOLDER.sub(" ", cyrillic))
        self.serbian["sr-latn"] |= _words(to_latin(latin_free))
        whole, phrases = _allowance(cyrillic)
        if whole is None:
            return
        latin_whole, _phrases = _allowance(to_latin(cyrillic))
        for language, pattern in (("sr", whole), ("sr-latn", latin_whole)):
            if pattern is not None:
                self.allowed[language].append(pattern)
                self.allowed[language].sort(key=lambda p: len(p.pattern), reverse=True)
            self.phrases[language] |= phrases

    def strip_allowed(self, language: str, node: str) -> str:
        for pattern in self.allowed[language]:
            node = pattern.sub(" ", node)
        for phrase in sorted(self.phrases[language], key=len, reverse=True):
            if phrase in node:
                node = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", " ", node)
        return node


@cache
def _catalogue_vocabulary() -> Vocabulary:
    vocab = Vocabulary(
        serbian={language: set() for language in LANGUAGES},
        allowed={language: [] for language in LANGUAGES},
        phrases={language: set() for language in LANGUAGES},
    )
    for msgid, msgstr in _catalogues("sr"):
        if msgstr and msgstr != msgid:
            for word in _words(msgid):
                vocab.english.setdefault(word, f"message “{msgid[:60]}”")
        vocab.allow(msgstr)
    return vocab


def _vocabulary() -> Vocabulary:
    base = _catalogue_vocabulary()
    vocab = Vocabulary(
        english=dict(base.english),
        serbian={k: set(v) for k, v in base.serbian.items()},
        allowed={k: list(v) for k, v in base.allowed.items()},
        phrases={k: set(v) for k, v in base.phrases.items()},
    )

    def add(text: str, origin: str) -> None:
        for word in _words(text):
            vocab.english.setdefault(word, origin)

    for cls in _choice_classes():
        for value, label in cls.choices:
            with translation.override("en"):
                english_label = str(label)
            with translation.override("sr"):
                serbian_label = str(label)
            if english_label != serbian_label:
                add(english_label, f"choice {cls.__name__}")
                if isinstance(value, str):
                    vocab.choice_values.add(value)
    references: list[tuple[str, str, str]] = []  # (origin, English, Serbian Cyrillic)
    references += [("agency", a.name, a.name_sr) for a in Agency.objects.all()]
    references += [("agency", a.short_name, a.short_name_sr) for a in Agency.objects.all()]
    references += [("offence", o.title_en, o.title_sr) for o in Offence.objects.all()]
    for model, en, sr in (
        (Result, "title", "title_sr"),
        (Indicator, "definition", "definition_sr"),
        (Course, "title", "title_sr"),
        (Module, "title", "title_sr"),
        (TargetPopulation, "name", "name_sr"),
    ):
        references += [(model.__name__.lower(), e, s) for e, s in model.objects.values_list(en, sr)]
    for origin, en_text, sr_text in references:
        add(en_text, origin)
        vocab.allow(sr_text)
    vocab.short_names = {to_latin(a.short_name_sr) for a in Agency.objects.all()}
    # Names of countries and languages as CLDR writes them in Serbian ("Sent Kits i Nevis").
    latin = Locale.parse("sr_Latn")
    for name in [*latin.territories.values(), *latin.languages.values()]:
        vocab.serbian["sr-latn"] |= _words(str(name))
    names = {p.first_name.lower() for p in PERSONAS}
    usernames = set(User.objects.values_list("username", flat=True))
    for language in LANGUAGES:
        vocab.serbian[language] |= names
        vocab.phrases[language] |= usernames
    vocab.codes = set(ACTIONS) | set(metrics.REGISTRY)
    return vocab


@cache
def _alone_codes() -> frozenset[str]:
    """Country and language codes, which must never be shown on their own."""
    countries = {c.alpha_2 for c in pycountry.countries} | {"XK"}
    languages = {lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    return frozenset(countries | languages)


def _labels(node: str) -> list[str]:
    """A text node as a label, and each item of a list written in it."""
    return [item.strip(" :.()[]„”“\"'") for item in [node, *LIST_SEPARATORS.split(node)]]


def _findings(language: str, nodes: list[str], vocab: Vocabulary) -> Iterator[tuple[str, str]]:
    """(finding, the text it was read in) for one page."""
    serbian = vocab.serbian[language]
    for node in nodes:
        for word in LATIN_WORD.findall(vocab.strip_allowed(language, node)):
            key = word.lower()
            if key in vocab.english and key not in serbian:
                yield f"English “{word}” ({vocab.english[key]})", node
        for code in vocab.codes:
            if code in node and re.search(rf"(?<![\w./-]){re.escape(code)}(?![\w-])", node):
                yield f"code “{code}”", node
        for match in SNAKE_CASE.findall(node):
            if match not in vocab.codes:
                yield f"code “{match}”", node
        for match in AGE_BAND_CODE.findall(node):
            yield f"age band “{match}”", node
        for label in _labels(node):
            if label in vocab.choice_values and label.isascii() and label.islower():
                yield f"stored value “{label}”", node
            # Two Latin letters in the Latin interface may be a Serbian word ("da", "ne") or
            # acronym ("IR"): only a capital pair that no agency is called is a country code.
            if label in _alone_codes() and (
                language == "sr" or (label.isupper() and label not in vocab.short_names)
            ):
                yield f"code “{label}” shown alone", node
        if language == "sr-latn" and CYRILLIC.search(node):
            yield "Cyrillic in the Latin interface", node


def _skip(path: str, view_name: str) -> bool:
    return bool(FILE_SUFFIX.search(path) or FILE_VIEWS.search(view_name))


def _cyrillic_case() -> None:
    """A case whose person and reasons were entered in Cyrillic (stored as entered)."""
    users = {u.username: u for u in User.objects.filter(username__in=["ana", "vesna"])}
    identified_case(
        users["ana"],
        users["vesna"],
        given_names="Драгана",
        family_name="Љубичић",
        date_of_birth=date(1994, 2, 3),
        citizenship=["RS", "UA"],
        languages=["sr", "uk"],
        reason="Радила по шеснаест сати дневно у пекари, без плате; пасош код послодавца.",
    )


def test_every_page_of_every_role_reads_in_its_language_without_codes() -> None:
    call_command("seed_demo", stdout=StringIO())
    _cyrillic_case()
    vocab = _vocabulary()
    assert "forced" in vocab.english
    assert "case.view_pii" in vocab.codes
    assert "status" in vocab.serbian["sr-latn"]
    assert "status" not in vocab.serbian["sr"]
    # finding → (text, first page, count of pages)
    found: dict[tuple[str, str], list[str]] = {}
    visited = 0
    for persona in PERSONAS:
        for language in LANGUAGES:
            client = Client()
            client.force_login(User.objects.get(username=persona.username))
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            for url, _view, html in crawl(client, per_pattern=PAGES_PER_PATTERN, skip=_skip):
                visited += 1
                parser = VisibleText(language)
                parser.feed(html)
                for finding, node in _findings(language, parser.nodes, vocab):
                    pages = found.setdefault((f"[{language}] {finding}", node[:160]), [])
                    pages.append(f"{persona.username} {url}")
    assert visited > 200
    lines = [
        f"{finding} in “{text}” — {pages[0]}" + (f" (+{len(pages) - 1} pages)" if pages[1:] else "")
        for (finding, text), pages in sorted(found.items())
    ]
    assert not lines, f"{len(lines)} findings:\n" + "\n".join(lines)
