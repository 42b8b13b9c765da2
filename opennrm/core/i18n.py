"""Reference data in the interface's language.

Reference records (agencies, offences, logframe results and indicators, courses, target
populations) carry an English text and a Serbian one written in Cyrillic; the Latin interface
reads the Cyrillic one transliterated (``core.translit``), the same rule as the message
catalogues. A record without a Serbian text shows its English one in every language.
"""

from __future__ import annotations

from django.utils.translation import get_language

from opennrm.core.translit import to_latin


def localized(english: str, cyrillic: str, language: str | None = None) -> str:
    """``english`` or ``cyrillic`` (transliterated for ``sr-latn``), for ``language`` (the active
    language by default)."""
    language = (language or get_language() or "en").lower()
    if cyrillic and language == "sr":
        return cyrillic
    if cyrillic and language == "sr-latn":
        return to_latin(cyrillic)
    return english
