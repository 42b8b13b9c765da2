"""One English text, one Serbian text (issue 20).

Django merges every app's catalogue into one per language, so when two apps translate the same
msgid differently only one translation wins, on every page: that is how a proceeding came to be
"Активна" (an agency's gender) and a person's name "Назив". A text that must read differently in
two places needs a context (``pgettext``); otherwise the catalogues must agree.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import polib

import opennrm

# Texts that still mean different things in different apps and need a context each (left to do:
# issue 20). The list may only shrink: a new disagreement fails the test.
NEEDS_CONTEXT = {
    "Note",
    "note",
    "applied",
    "Action",
    "To",
    "indicator",
    "name",
    "started on",
    "Started on",
    "Created",
    "Register",
}


def test_every_app_translates_a_shared_text_the_same_way() -> None:
    translations: dict[tuple[str | None, str], dict[str, str]] = defaultdict(dict)
    root = Path(opennrm.__file__).parent
    for path in sorted(root.glob("*/locale/sr/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.obsolete:
                translations[(entry.msgctxt, entry.msgid)][path.parts[-5]] = entry.msgstr
    disagreements = {
        msgid: by_app
        for (context, msgid), by_app in translations.items()
        if len(set(by_app.values())) > 1 and not (context is None and msgid in NEEDS_CONTEXT)
    }
    assert not disagreements, "\n".join(f"{m!r}: {a}" for m, a in disagreements.items())
