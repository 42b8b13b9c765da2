"""``manage.py i18n make|latin|compile|check``: the message catalogues, kept honest.

Every catalogue belongs to one app (``opennrm/<app>/locale``) so apps never edit each other's files.
``sr`` (Serbian Cyrillic) is the master; ``sr_Latn`` is generated from it by transliteration
(``core.translit.to_latin``), never edited by hand. Compilation uses polib, so running the platform
needs no GNU gettext; extraction (``make``, ``check``) uses Django's makemessages and so xgettext.

``check`` fails when a catalogue is stale (the code has strings the catalogue lacks, or the reverse),
when a Serbian string is missing or fuzzy, or when the Latin catalogue differs from the
transliteration of the Cyrillic one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from opennrm.core.translit import to_latin

PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)


_ONLY: set[str] = set()


def app_dirs() -> list[Path]:
    base = Path(settings.BASE_DIR)
    dirs = [base / Path(*app.split(".")) for app in settings.OPENNRM_APPS]
    return [d for d in dirs if not _ONLY or d.name in _ONLY]


def _po(app_dir: Path, locale: str) -> Path:
    return app_dir / "locale" / locale / "LC_MESSAGES" / "django.po"


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _has_sources(app_dir: Path) -> bool:
    return any(app_dir.rglob("*.py")) or any(app_dir.rglob("*.html"))


def extract(app_dir: Path) -> None:
    """Run makemessages for ``sr`` inside ``app_dir`` and fix the header."""
    (app_dir / "locale").mkdir(exist_ok=True)
    with _cwd(app_dir):
        call_command(
            "makemessages",
            locale=["sr"],
            domain="django",
            no_obsolete=True,
            add_location="file",
            no_wrap=True,
            ignore_patterns=["migrations/*", "tests/*", "static/*"],
            verbosity=0,
        )
    path = _po(app_dir, "sr")
    if path.exists():
        catalogue = polib.pofile(str(path), wrapwidth=0)  # unwrapped, as makemessages wrote it
        catalogue.metadata["Language"] = "sr"
        catalogue.metadata["Plural-Forms"] = PLURAL_FORMS
        catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        catalogue.save(str(path))


def latin_of(cyrillic: polib.POFile) -> polib.POFile:
    latin = polib.POFile(wrapwidth=cyrillic.wrapwidth)
    latin.metadata = dict(cyrillic.metadata)
    latin.metadata["Language"] = "sr_Latn"
    latin.header = "Serbian Latin: generated from the Cyrillic catalogue by `manage.py i18n latin`. Do not edit."
    for entry in cyrillic:
        if entry.obsolete:
            continue
        latin.append(
            polib.POEntry(
                msgid=entry.msgid,
                msgid_plural=entry.msgid_plural,
                msgctxt=entry.msgctxt,
                msgstr=to_latin(entry.msgstr),
                msgstr_plural={k: to_latin(v) for k, v in entry.msgstr_plural.items()},
                flags=list(entry.flags),
                occurrences=list(entry.occurrences),
            )
        )
    return latin


def _keys(catalogue: polib.POFile) -> set[tuple[str | None, str]]:
    return {(entry.msgctxt, entry.msgid) for entry in catalogue if not entry.obsolete}


class Command(BaseCommand):
    help = "Message catalogues: make (extract + latin), latin, compile, check."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["make", "latin", "compile", "check"])
        parser.add_argument(
            "--app", action="append", default=[], help="Only this app's catalogue (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        _ONLY.clear()
        _ONLY.update(options["app"])
        try:
            getattr(self, f"do_{options['action']}")()
        finally:
            _ONLY.clear()

    def do_make(self) -> None:
        for app_dir in app_dirs():
            if _has_sources(app_dir):
                extract(app_dir)
        self.do_latin()

    def do_latin(self) -> None:
        for app_dir in app_dirs():
            source = _po(app_dir, "sr")
            if source.exists():
                target = _po(app_dir, "sr_Latn")
                target.parent.mkdir(parents=True, exist_ok=True)
                latin_of(polib.pofile(str(source))).save(str(target))

    def do_compile(self) -> None:
        count = 0
        for app_dir in app_dirs():
            for po_path in (app_dir / "locale").glob("*/LC_MESSAGES/django.po"):
                polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
        self.stdout.write(f"Compiled {count} catalogues.")

    def do_check(self) -> None:
        problems: list[str] = []
        for app_dir in app_dirs():
            label = app_dir.name
            committed_path = _po(app_dir, "sr")
            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / label
                shutil.copytree(app_dir, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
                if _has_sources(copy):
                    extract(copy)
                fresh_path = _po(copy, "sr")
                fresh = _keys(polib.pofile(str(fresh_path))) if fresh_path.exists() else set()
            committed = polib.pofile(str(committed_path)) if committed_path.exists() else None
            known = _keys(committed) if committed is not None else set()
            missing = fresh - known
            stale = known - fresh
            if missing:
                sample = "; ".join(repr(msgid) for _ctx, msgid in sorted(missing, key=str)[:5])
                problems.append(
                    f"{label}: {len(missing)} strings not in the catalogue (run `manage.py i18n make`): {sample}"
                )
            if stale:
                problems.append(
                    f"{label}: {len(stale)} strings in the catalogue no longer in the code (run `manage.py i18n make`)"
                )
            if committed is None:
                continue
            untranslated = [
                e.msgid for e in committed if not e.obsolete and (not e.translated() or e.fuzzy)
            ]
            if untranslated:
                sample = "; ".join(repr(m) for m in untranslated[:5])
                problems.append(
                    f"{label}: {len(untranslated)} strings untranslated or fuzzy in sr: {sample}"
                )
            latin_path = _po(app_dir, "sr_Latn")
            expected = latin_of(committed)
            actual = polib.pofile(str(latin_path)) if latin_path.exists() else None
            if actual is None or [(e.msgid, e.msgstr, e.msgstr_plural) for e in actual] != [
                (e.msgid, e.msgstr, e.msgstr_plural) for e in expected
            ]:
                problems.append(
                    f"{label}: sr_Latn is not the transliteration of sr (run `manage.py i18n latin`)"
                )
        if problems:
            raise CommandError("Message catalogues need attention:\n  " + "\n  ".join(problems))
        self.stdout.write("Message catalogues are complete and up to date.")
