"""The engine's structured result as sentences in the user's language (page, API, referral).

The engine stays free of Django and of wording; this module is the one place that words it, so the
result page and the API say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opennrm.screening import engine
from opennrm.screening.models import AgeGroup, Dimension, ListName


@dataclass
class IndicatorRef:
    code: str
    label: str


@dataclass
class DimensionText:
    dimension: str
    label: str
    positive: bool
    counts: dict[str, int]
    text: str
    deciding: list[IndicatorRef] = field(default_factory=list)
    unknown: list[IndicatorRef] = field(default_factory=list)


@dataclass
class Explanation:
    list_name: str
    list_label: str
    verified: bool
    positive: bool
    headline: str
    dimensions: list[DimensionText]
    requirement: str
    missing: list[str]
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "headline": self.headline,
            "requirement": self.requirement,
            "missing": list(self.missing),
            "notes": list(self.notes),
            "dimensions": [
                {
                    "dimension": d.dimension,
                    "label": d.label,
                    "positive": d.positive,
                    "text": d.text,
                    "deciding": [r.code for r in d.deciding],
                    "unknown": [r.code for r in d.unknown],
                }
                for d in self.dimensions
            ],
        }


def dimension_label(name: str) -> str:
    return str(Dimension(name).label)


def _and(parts: Sequence[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        text = _("%(first)s and %(second)s") % {"first": text, "second": part}
    return text


def _or(parts: Sequence[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        text = _("%(first)s or %(second)s") % {"first": text, "second": part}
    return text


def _amount(key: str, count: int) -> str:
    if key == "strong":
        return ngettext("%(count)d strong indicator", "%(count)d strong indicators", count) % {
            "count": count
        }
    if key == "medium":
        return ngettext("%(count)d medium indicator", "%(count)d medium indicators", count) % {
            "count": count
        }
    if key == "weak":
        return ngettext("%(count)d weak indicator", "%(count)d weak indicators", count) % {
            "count": count
        }
    return ngettext(
        "%(count)d medium or weak indicator", "%(count)d medium or weak indicators", count
    ) % {"count": count}


def _order(minimum: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(minimum.items(), key=lambda kv: engine.COUNT_KEYS.index(kv[0]))


def combination_text(name: str, minimum: Mapping[str, int]) -> str:
    parts = [_amount(key, count) for key, count in _order(minimum)]
    return _("rule (%(name)s): at least %(what)s") % {"name": name, "what": _and(parts)}


def _dimension_text(item: Mapping[str, Any], rules: Mapping[str, Any]) -> str:
    counts = item["counts"]
    if item["positive"]:
        combination = next(c for c in rules["combinations"] if c["name"] == item["rule"])
        return _("Positive by %(rule)s.") % {
            "rule": combination_text(combination["name"], combination["minimum"])
        }
    if not any(counts.values()):
        present = _("no indicator present")
    else:
        present = _("%(strong)d strong, %(medium)d medium and %(weak)d weak present") % counts
    if item["missing"]:
        needed = _and([_amount(k, n) for k, n in _order(item["missing"])])
        return _("Not positive: %(present)s. A positive dimension needs %(needed)s more.") % {
            "present": present,
            "needed": needed,
        }
    return _(
        "Not positive: %(present)s. No combination can make it positive with this list's "
        "indicators."
    ) % {"present": present}


def explain(
    result: Mapping[str, Any],
    *,
    labels: Mapping[str, str],
    rules: Mapping[str, Any],
    age_group: str | None = None,
) -> Explanation:
    """Word an engine result (``Result.as_dict()``) with indicator ``labels`` (code → label)."""
    positive = result["outcome"] == engine.INDICATORS_OF_TRAFFICKING
    dimensions = []
    for item in result["dimensions"]:
        dimensions.append(
            DimensionText(
                dimension=item["dimension"],
                label=dimension_label(item["dimension"]),
                positive=item["positive"],
                counts=dict(item["counts"]),
                text=_dimension_text(item, rules),
                deciding=[IndicatorRef(c, labels.get(c, c)) for c in item["deciding"]],
                unknown=[IndicatorRef(c, labels.get(c, c)) for c in item["unknown"]],
            )
        )
    groups = ["(" + _or([dimension_label(d) for d in group]) + ")" for group in result["required"]]
    requirement = _(
        "A positive result needs at least one positive dimension in each group: %(groups)s."
    ) % {"groups": _and(groups)}
    missing = [
        _("Missing for a positive result: %(names)s — none is positive yet.")
        % {"names": _or([dimension_label(d) for d in group])}
        for group in result["unmet"]
    ]
    notes = []
    list_name = result["list"]
    if list_name.startswith("child_"):
        notes.append(
            _(
                "Child list: the means (coercion or abuse of vulnerability at destination) are not "
                "required for a child (Palermo Protocol, Art. 3(c))."
            )
        )
    if age_group == AgeGroup.PRESUMED_CHILD:
        notes.append(
            _(
                "The person's age is uncertain and there are reasons to believe they are a child: "
                "they are presumed to be a child (Council of Europe Convention, Art. 10(3)) and "
                "were screened on the child list."
            )
        )
    if not result.get("verified", True):
        notes.append(
            _(
                "Unverified list: it has not been checked against the official ILO/EC "
                "publication. Use its result with caution."
            )
        )
    if result.get("gaps"):
        count = len(result["gaps"])
        notes.append(
            ngettext(
                "%(count)d answer is “not known”: it was not counted; explore it if you can.",
                "%(count)d answers are “not known”: they were not counted; explore them if you can.",
                count,
            )
            % {"count": count}
        )
    headline = (
        _("Screening result — indicators of trafficking present.")
        if positive
        else _("Screening result — insufficient indicators.")
    )
    return Explanation(
        list_name=list_name,
        list_label=str(ListName(list_name).label),
        verified=bool(result.get("verified", True)),
        positive=positive,
        headline=headline,
        dimensions=dimensions,
        requirement=requirement,
        missing=missing,
        notes=notes,
    )


def not_a_decision() -> str:
    return _(
        "This is a screening signal for referral, not a legal decision: formal identification is "
        "made by the Centre for Human Trafficking Victims' Protection."
    )
