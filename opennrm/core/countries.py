"""Countries as people write them: ISO 3166 alpha-2 codes from names and codes in any of the
platform's languages.

``COUNTRIES.match("Srbija")``, ``("Србија")``, ``("Serbia")``, ``("SRB")``, ``("rs")`` are all
``"RS"``; ``("Ukrajina")`` and ``("UA")`` are ``"UA"``. ``COUNTRIES.choices()`` lists every country
with its name in the active language. It is a vocabulary of the import pipeline
(``opennrm.imports.spec.Vocabulary``) and what the referral form reads citizenship with.

The names come from maintained data, not a hand list:

- **Babel** (CLDR): the names in English, Serbian Cyrillic and Serbian Latin, as the interface
  shows them, and CLDR's territory aliases (alpha-3 codes such as ``SRB``);
- **pycountry** (the iso-codes project): the ISO 3166 names and official names (what the HTCDS
  Excel template's country list uses: "Korea, Republic of", "Russian Federation"), the alpha-3
  codes, and iso-codes' Serbian translations of those names ("Ruska Federacija").

Matching ignores script, case, diacritics, spaces and punctuation ("&" reads as "and"), and also
tries the ISO list's inverted and qualified forms ("Congo, Democratic Republic of the" as
"Democratic Republic of the Congo"; "Bolivia (Plurinational State of)" as "Bolivia"). A few
names countries have given up, or short forms, that registers still hold are in ``FORMER_NAMES``.
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache

from django.utils.translation import get_language

from opennrm.core.translit import fold

# Names the data above does not carry (the country was renamed, or the name is a common short
# form) but registers do.
FORMER_NAMES = {
    "UK": "GB",
    "Velika Britanija": "GB",
    "Severna Makedonija": "MK",
    "Turkey": "TR",
    "Turska": "TR",
    "Swaziland": "SZ",
    "Macedonia": "MK",
    "Makedonija": "MK",
    "Czech Republic": "CZ",
    "Cape Verde": "CV",
    "Burma": "MM",
    "Ivory Coast": "CI",
    "Holy See": "VA",
}
_QUALIFIER = re.compile(r"\s*\(.*\)\s*$")
_BABEL_LOCALES = {"en": "en", "sr": "sr", "sr-latn": "sr_Latn"}


def country_key(text: str) -> str:
    """A country name or code as compared: Latin script, lower case, letters and digits only."""
    return fold(text.replace("&", " and ")).replace(" ", "")


def _variants(name: str) -> list[str]:
    """The name, and the forms the ISO list writes it in turned around."""
    found = [name]
    if "," in name:  # "Korea, Republic of" → "Republic of Korea"
        head, _sep, tail = name.partition(",")
        tail = re.sub(r"^the\s+", "", tail.strip(), flags=re.IGNORECASE)
        found.append(f"{tail} {head.strip()}")
    if _QUALIFIER.search(name):  # "Bolivia (Plurinational State of)" → "Bolivia"
        found.append(_QUALIFIER.sub("", name))
    return found


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Every key → alpha-2 code. Earlier sources win a key: codes, then CLDR's names, then
    ISO's; a variant is dropped when it would name two countries."""
    import pycountry
    from babel import Locale
    from babel.core import get_global

    codes = {country.alpha_2 for country in pycountry.countries} | {"XK"}
    index: dict[str, str] = {}
    clashes: set[str] = set()

    def add(text: str, code: str, *, weak: bool = False) -> None:
        key = country_key(text)
        if not key or key in clashes:
            return
        known = index.get(key)
        if known is None:
            index[key] = code
        elif known != code and weak:
            clashes.add(key)
            del index[key]

    for code in sorted(codes):
        add(code, code)
    for country in pycountry.countries:
        add(country.alpha_3, country.alpha_2)
    for alias, targets in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and len(targets) == 1 and targets[0] in codes:
            add(alias, targets[0])
    for locale in _BABEL_LOCALES.values():
        for code, name in Locale.parse(locale).territories.items():
            if code in codes:
                add(name, code)
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        for language in ("sr", "sr@latin")
    ]
    for country in pycountry.countries:
        names = [
            getattr(country, attribute, "")
            for attribute in ("name", "official_name", "common_name")
        ]
        for name in filter(None, names):
            add(name, country.alpha_2)
            for translation in translations:
                add(translation.gettext(name), country.alpha_2)
    for name, code in FORMER_NAMES.items():
        add(name, code)
    # Variants last: they may only fill keys nothing else claims.
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, "")
            for variant in _variants(name)[1:] if name else []:
                add(variant, country.alpha_2, weak=True)
    return index


@lru_cache(maxsize=3)
def _names(language: str) -> dict[str, str]:
    from babel import Locale

    codes = set(_index().values())
    territories = Locale.parse(_BABEL_LOCALES.get(language, "en")).territories
    return {code: str(territories.get(code, code)) for code in sorted(codes)}


_MATCH_MEMO = 50_000
_MATCHED: dict[str, str | None] = {}


class Countries:
    """ISO 3166 countries as a controlled vocabulary (codes are alpha-2)."""

    name = "countries"

    def match(self, raw: str) -> str | None:
        try:
            return _MATCHED[raw]
        except KeyError:
            pass
        found = self._match(raw)
        if len(_MATCHED) < _MATCH_MEMO:  # a register repeats a few countries on every row
            _MATCHED[raw] = found
        return found

    def _match(self, raw: str) -> str | None:
        text = raw.strip()
        if not text:
            return None
        found = _index().get(country_key(text))
        if found is None:
            for variant in _variants(text)[1:]:
                found = _index().get(country_key(variant))
                if found:
                    break
        return found

    def choices(self) -> list[tuple[str, str]]:
        names = _names((get_language() or "en").lower())
        return sorted(names.items(), key=lambda item: fold(item[1]))

    def label(self, code: str) -> str:
        return _names((get_language() or "en").lower()).get(code, code)


COUNTRIES = Countries()


@lru_cache(maxsize=1)
def _language_index() -> dict[str, str]:
    """Every key → ISO 639 code: the codes themselves, then CLDR's names in the platform's
    languages ("српски", "srpski", "Serbian" → ``sr``)."""
    from babel import Locale

    english = Locale.parse("en").languages
    codes = {
        code for code in map(str, english) if code.isalpha() and code.islower() and len(code) <= 3
    }
    index: dict[str, str] = {code: code for code in codes}
    for locale in _BABEL_LOCALES.values():
        for code, name in Locale.parse(locale).languages.items():
            if str(code) in codes:
                index.setdefault(country_key(str(name)), str(code))
    return index


@lru_cache(maxsize=3)
def _language_names(language: str) -> dict[str, str]:
    from babel import Locale

    return {
        str(code): str(name)
        for code, name in Locale.parse(_BABEL_LOCALES.get(language, "en")).languages.items()
    }


class Languages:
    """ISO 639 languages as a controlled vocabulary: codes or names in any of the platform's
    languages in, codes stored, names in the active language out (CLDR, through Babel)."""

    name = "languages"

    def match(self, raw: str) -> str | None:
        text = raw.strip()
        if not text:
            return None
        return _language_index().get(text.lower()) or _language_index().get(country_key(text))

    def label(self, code: str) -> str:
        return _language_names((get_language() or "en").lower()).get(code, code)


LANGUAGES = Languages()
