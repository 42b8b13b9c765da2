"""Numbers, money, percentages and dates as each report language writes them.

English reports follow British usage (en-GB: "1 June 2019", "750,000 EUR", "33.3%"); Serbian ones
Serbian usage in either script ("1. јун 2019.", "750.000 EUR", "33,3 %"). Babel (CLDR) does the
number and date patterns: Django's own formats give US dates for ``en`` and, for ``sr``, a short
date ending in a dot that doubles at the end of a sentence ("4.12.2026.."), and no thousands
separator unless ``USE_THOUSAND_SEPARATOR`` is switched on site-wide. CLDR has no genitive month
names for Serbian, so the forms a date takes in running text ("1. маја 2020.") are listed here.

No Django import except ``translation.get_language`` for the default language: charts call these
functions too.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALES = {"en": "en_GB", "sr": "sr_Cyrl_RS", "sr-latn": "sr_Latn_RS"}

# Genitive month names, for a date inside a sentence ("до 1. маја 2020.").
GENITIVE = {
    "sr": (
        "јануара",
        "фебруара",
        "марта",
        "априла",
        "маја",
        "јуна",
        "јула",
        "августа",
        "септембра",
        "октобра",
        "новембра",
        "децембра",
    ),
    "sr-latn": (
        "januara",
        "februara",
        "marta",
        "aprila",
        "maja",
        "juna",
        "jula",
        "avgusta",
        "septembra",
        "oktobra",
        "novembra",
        "decembra",
    ),
}


def _language(language: str | None) -> str:
    if language is None:
        from django.utils.translation import get_language

        language = get_language() or "en"
    language = language.lower()
    if language.startswith("sr"):
        return "sr-latn" if "lat" in language else "sr"
    return "en"


def _serbian(language: str | None) -> bool:
    return _language(language).startswith("sr")


def number(value: Decimal | int | float, language: str | None = None) -> str:
    """Whole numbers without decimals, others with one; grouped thousands (750,000 / 750.000)."""
    amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    locale = LOCALES[_language(language)]
    if amount == amount.to_integral_value():
        return format_decimal(amount, format="#,##0", locale=locale)
    rounded = amount.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return format_decimal(rounded, format="#,##0.0", locale=locale)


def percent_sign(language: str | None = None) -> str:
    """What follows a number to make it a percentage: "%" in English, " %" in Serbian."""
    return " %" if _serbian(language) else "%"


def percent(value: Decimal | int | float, language: str | None = None) -> str:
    return number(value, language) + percent_sign(language)


def money(value: Decimal | int, currency: str, language: str | None = None) -> str:
    """An amount with its currency code after it, as both languages write it in reports."""
    return f"{number(value, language)} {currency}"


def unit_suffix(unit: str, language: str | None = None) -> str:
    """What follows a figure of an indicator with this unit."""
    if unit == "percent":
        return percent_sign(language)
    return " EUR" if unit == "eur" else ""


def date_alone(day: date, language: str | None = None) -> str:
    """A date standing alone (a table cell, a heading): "1 June 2019", "1. јун 2019."."""
    return format_date(day, format="long", locale=LOCALES[_language(language)])


def date_in_text(day: date, language: str | None = None) -> str:
    """A date inside a sentence: Serbian puts the month in the genitive ("1. маја 2020.")."""
    code = _language(language)
    if code in GENITIVE:
        return f"{day.day}. {GENITIVE[code][day.month - 1]} {day.year}."
    return date_alone(day, code)


def month_label(day: date, language: str | None = None) -> str:
    """A short month for chart axes: "Jun 2019", "јун 2019"."""
    return format_date(day, format="LLL y", locale=LOCALES[_language(language)])


def end_sentence(text: str) -> str:
    """One full stop at the end, even when the sentence ends with a Serbian date ("2026.")."""
    while text.endswith(".."):
        text = text[:-1]
    return text
