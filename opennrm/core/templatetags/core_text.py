"""``{{ text|in_script }}``: people's own Serbian text in the script of the interface.

Text is stored as it was entered; the Latin interface shows Cyrillic text transliterated
(``core.translit``, deterministic). The other way round is not done: Latin → Cyrillic is
ambiguous (``nj`` may be ``н``+``ј``), and a foreign name written in Latin must stay as written.
Registered as a template builtin (``settings.TEMPLATES``), so no ``{% load %}`` is needed.
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from opennrm.core.translit import to_latin

register = template.Library()


@register.filter
def in_script(value: object) -> object:
    """``value`` transliterated to Latin in the ``sr-latn`` interface; unchanged otherwise."""
    if isinstance(value, str) and (get_language() or "").lower() == "sr-latn":
        return to_latin(value)
    return value


_BABEL = {"en": "en", "sr": "sr", "sr-latn": "sr_Latn"}


@register.filter
def countries(codes: object) -> str:
    """ISO 3166 codes (``["PK", "RS"]``) as country names in the active language (CLDR)."""
    from opennrm.core.countries import COUNTRIES

    if not codes:
        return ""
    items = [codes] if isinstance(codes, str) else list(codes)  # type: ignore[call-overload]
    return ", ".join(COUNTRIES.label(str(code)) for code in items)


@register.filter
def languages(codes: object) -> str:
    """ISO 639 codes (``["sr", "uk"]``) as language names in the active language (CLDR)."""
    from babel import Locale

    if not codes:
        return ""
    items = [codes] if isinstance(codes, str) else list(codes)  # type: ignore[call-overload]
    names = Locale.parse(_BABEL.get((get_language() or "en").lower(), "en")).languages
    return ", ".join(str(names.get(str(code), code)) for code in items)


@register.filter
def share(value: float | None) -> str:
    """A share (0..1) as a percentage to one decimal, as the active language writes it ("20.7%",
    "20,7 %"; a whole number without the decimal: "97%"). ``—`` for None."""
    from decimal import ROUND_HALF_UP, Decimal

    from opennrm.core import formatting

    if value is None:
        return "—"
    # To one decimal first, so that 96.99 reads "97%" (a whole number) rather than "97.0%".
    return formatting.percent(Decimal(str(value * 100)).quantize(Decimal("0.1"), ROUND_HALF_UP))


@register.filter
def count(value: int) -> str:
    """A count with its thousands grouped as the active language writes them ("2,000",
    "2.000")."""
    from opennrm.core import formatting

    return formatting.number(int(value))
