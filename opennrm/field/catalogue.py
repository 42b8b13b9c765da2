"""The screening rule table and its wording, as data for the device (``/field/catalogues.json``).

One definition of the rule: the device evaluates the same rule table the server engine reads
(``IndicatorCatalogue.rules``, through ``engine.rules_to_data``), and words the result with the
same translated sentences ``screening.explain`` uses — taken from the server's message catalogues
in each of the three languages, never retyped in JavaScript. ``static/field/rules.js`` mirrors
``engine.evaluate`` and ``explain.explain`` step by step; ``tests/e2e/test_field_rules.py`` runs
both on generated answers and requires identical output.

Reference data only: catalogues hold no personal data, so no permission or audit is needed to
build it (the view serving it still requires a signed-in field role).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opennrm.screening import engine, explain
from opennrm.screening.models import Answer, Dimension, ListName
from opennrm.screening.selectors import current_catalogues, engine_catalogue

LANGUAGES = ("en", "sr", "sr-latn")


def _wording(max_count: int) -> dict[str, Any]:
    """The sentences of ``screening.explain`` in the active language, with their placeholders.

    Plural forms are spelt out for every count a result can hold (0 … ``max_count``), so the
    device needs no plural rule of its own.
    """
    amounts = {
        key: [explain._amount(key, n) for n in range(max_count + 1)] for key in engine.COUNT_KEYS
    }
    gaps = [
        ngettext(
            "%(count)d answer is “not known”: it was not counted; explore it if you can.",
            "%(count)d answers are “not known”: they were not counted; explore them if you can.",
            n,
        )
        % {"count": n}
        for n in range(max_count + 1)
    ]
    return {
        "and": _("%(first)s and %(second)s"),
        "or": _("%(first)s or %(second)s"),
        "rule": _("rule (%(name)s): at least %(what)s"),
        "positive_by": _("Positive by %(rule)s."),
        "no_present": _("no indicator present"),
        "present": _("%(strong)d strong, %(medium)d medium and %(weak)d weak present"),
        "needs": _("Not positive: %(present)s. A positive dimension needs %(needed)s more."),
        "never": _(
            "Not positive: %(present)s. No combination can make it positive with this list's "
            "indicators."
        ),
        "requirement": _(
            "A positive result needs at least one positive dimension in each group: %(groups)s."
        ),
        "missing": _("Missing for a positive result: %(names)s — none is positive yet."),
        "note_child": _(
            "Child list: the means (coercion or abuse of vulnerability at destination) are not "
            "required for a child (Palermo Protocol, Art. 3(c))."
        ),
        "note_presumed": _(
            "The person's age is uncertain and there are reasons to believe they are a child: "
            "they are presumed to be a child (Council of Europe Convention, Art. 10(3)) and "
            "were screened on the child list."
        ),
        "note_unverified": _(
            "Unverified list: it has not been checked against the official ILO/EC "
            "publication. Use its result with caution."
        ),
        "headline_positive": _("Screening result — indicators of trafficking present."),
        "headline_negative": _("Screening result — insufficient indicators."),
        "not_a_decision": explain.not_a_decision(),
        "amounts": amounts,
        "gaps": gaps,
        "dimensions": {d.value: str(d.label) for d in Dimension},
        "lists": {name.value: str(name.label) for name in ListName},
        "answers": {a.value: str(a.label) for a in Answer},
    }


def offline_catalogues() -> dict[str, Any]:
    """The current version of each list with its rule table, indicators and questions in the
    three languages, and the wording of results; ``version`` is a digest of the whole, so the
    device and its cache can tell when a catalogue has changed."""
    lists = []
    max_count = 0
    for catalogue in current_catalogues():
        indicators = list(catalogue.indicators.all())
        max_count = max(max_count, len(indicators))
        spec = engine_catalogue(catalogue)
        lists.append(
            {
                "list": catalogue.list_name,
                "catalogue_version": catalogue.version,
                "verified": catalogue.verified,
                # Normalised through the engine, so the device reads exactly what it evaluates.
                "rules": engine.rules_to_data(spec.rules),
                "indicators": [
                    {
                        "code": i.code,
                        "dimension": i.dimension,
                        "strength": i.strength,
                        "label": {lang: i.label(lang) for lang in LANGUAGES},
                        "question": {lang: i.question(lang) for lang in LANGUAGES},
                    }
                    for i in indicators
                ],
            }
        )
    wording = {}
    for language in LANGUAGES:
        with translation.override(language):
            wording[language] = _wording(max_count)
    data: dict[str, Any] = {
        "dimensions": list(engine.DIMENSIONS),
        "strengths": list(engine.STRENGTHS),
        "count_keys": list(engine.COUNT_KEYS),
        "outcomes": {
            "positive": engine.INDICATORS_OF_TRAFFICKING,
            "negative": engine.INSUFFICIENT_INDICATORS,
        },
        "lists": lists,
        "wording": wording,
    }
    data["version"] = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()[:16]
    return data
