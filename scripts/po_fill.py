"""Fill a Serbian Cyrillic catalogue from a JSON mapping {msgid: msgstr or [forms]}.

Translators' helper: `python scripts/po_fill.py opennrm/<app>/locale/sr/LC_MESSAGES/django.po map.json`.
Entries missing from the mapping are listed and left as they are; fuzzy flags are cleared on filled ones.
"""

from __future__ import annotations

import json
import sys

import polib


def main(po_path: str, mapping_path: str) -> int:
    with open(mapping_path, encoding="utf-8") as handle:
        mapping = json.load(handle)
    catalogue = polib.pofile(po_path)
    missing = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        value = mapping.get(entry.msgid)
        if value is None:
            if not entry.translated():
                missing.append(entry.msgid)
            continue
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value, value, value]
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalogue.save(po_path)
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
