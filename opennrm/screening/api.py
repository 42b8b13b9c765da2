"""Screening API: catalogues, stateless evaluation, and screenings scoped by the access policy."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Sequence
from typing import Any, overload

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.core import http
from opennrm.core.apischemas import InputSchema, VersionIn
from opennrm.core.errors import NotFoundError, ValidationFailed
from opennrm.core.translit import to_latin
from opennrm.screening import engine, selectors, services
from opennrm.screening import explain as wording
from opennrm.screening.catalogue_io import LIST_NAMES
from opennrm.screening.models import Indicator, IndicatorCatalogue, Screening

router = Router(tags=["screening"])


class Texts(Schema):
    en: str
    sr: str
    sr_latn: str  # generated from the Cyrillic, never stored


class CatalogueIndicatorOut(Schema):
    code: str
    dimension: str
    strength: str
    label: Texts
    question: Texts


class CatalogueOut(Schema):
    list: str
    version: int
    verified: bool
    verified_note: str
    source: str
    indicator_count: int
    rules: dict[str, Any]


class CatalogueDetailOut(CatalogueOut):
    indicators: list[CatalogueIndicatorOut]


def _texts(en: str, sr: str) -> dict[str, str]:
    return {"en": en, "sr": sr, "sr_latn": to_latin(sr)}


def _verified_note(catalogue: IndicatorCatalogue) -> str:
    return "" if catalogue.verified else _("unverified list")


def _catalogue_out(catalogue: IndicatorCatalogue, *, with_indicators: bool) -> dict[str, Any]:
    indicators: list[Indicator] = list(catalogue.indicators.all())
    data: dict[str, Any] = {
        "list": catalogue.list_name,
        "version": catalogue.version,
        "verified": catalogue.verified,
        "verified_note": _verified_note(catalogue),
        "source": catalogue.source,
        "indicator_count": len(indicators),
        "rules": catalogue.rules,
    }
    if with_indicators:
        data["indicators"] = [
            {
                "code": i.code,
                "dimension": i.dimension,
                "strength": i.strength,
                "label": _texts(i.label_en, i.label_sr),
                "question": _texts(i.question_en, i.question_sr),
            }
            for i in indicators
        ]
    return data


@router.get("/catalogues/", response=list[CatalogueOut])
def catalogue_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The current version of each indicator list (reference data for any signed-in user)."""
    return [_catalogue_out(c, with_indicators=False) for c in selectors.current_catalogues()]


def _catalogue_or_404(list_name: str) -> IndicatorCatalogue:
    if list_name not in LIST_NAMES:
        raise NotFoundError(
            _("Unknown list “%(name)s”; use one of: %(names)s.")
            % {"name": list_name, "names": ", ".join(LIST_NAMES)}
        )
    return selectors.current_catalogue(list_name)


@router.get("/catalogues/{list_name}/", response=CatalogueDetailOut)
def catalogue_detail(request: HttpRequest, list_name: str) -> dict[str, Any]:
    """One list's current version with every indicator, labels and questions in three languages."""
    return _catalogue_out(_catalogue_or_404(list_name), with_indicators=True)


class EvaluateIn(InputSchema):
    catalogue: str
    present: list[str] = []
    unknown: list[str] = []


class DimensionOut(Schema):
    dimension: str
    counts: dict[str, int]
    positive: bool
    rule: str | None
    deciding: list[str]
    present: list[str]
    unknown: list[str]
    missing: dict[str, int]


class ExplanationDimensionOut(Schema):
    dimension: str
    label: str
    positive: bool
    text: str
    deciding: list[str]
    unknown: list[str]


class ExplanationOut(Schema):
    headline: str
    requirement: str
    missing: list[str]
    notes: list[str]
    dimensions: list[ExplanationDimensionOut]


class ScreeningResultOut(Schema):
    # The field "list" shadows the builtin inside this class body, hence builtins.list below.
    list: str
    catalogue_version: int
    verified: bool
    outcome: str
    dimensions: builtins.list[DimensionOut]
    required: builtins.list[builtins.list[str]]
    unmet: builtins.list[builtins.list[str]]
    gaps: builtins.list[str]
    explanation: ExplanationOut


def _problem_message(problem: engine.InputProblem, list_name: str, owners: dict[str, str]) -> str:
    if problem.kind == "duplicate":
        return _("“%(code)s” is given twice.") % {"code": problem.code}
    if problem.kind == "conflicting_answers":
        return _("“%(code)s” is given both as present and as not known.") % {"code": problem.code}
    if problem.code in owners:
        return _("“%(code)s” belongs to the list %(other)s, not to %(list)s.") % {
            "code": problem.code,
            "other": owners[problem.code],
            "list": list_name,
        }
    return _("“%(code)s” is not an indicator of the list %(list)s.") % {
        "code": problem.code,
        "list": list_name,
    }


def _result_out(
    result: dict[str, Any], catalogue: IndicatorCatalogue, age_group: str | None
) -> dict[str, Any]:
    language = get_language() or "en"
    labels = {i.code: i.label(language) for i in catalogue.indicators.all()}
    explanation = wording.explain(result, labels=labels, rules=catalogue.rules, age_group=age_group)
    return {
        **result,
        "catalogue_version": result.get("catalogue_version", catalogue.version),
        "explanation": explanation.as_dict(),
    }


@router.post("/evaluate", response=ScreeningResultOut)
def evaluate(request: HttpRequest, payload: EvaluateIn) -> dict[str, Any]:
    """Evaluate codes against the current version of a list without storing anything.

    Needs ``screening.create`` (it is the screening tool). An unknown code, a code of another list,
    a duplicate or a code both present and unknown is a 400 naming each code.
    """
    policy.require(http.actor(request), "screening.create")
    if payload.catalogue not in LIST_NAMES:
        raise ValidationFailed(
            _("Unknown list “%(name)s”.") % {"name": payload.catalogue},
            fields={"catalogue": _("Use one of: %(names)s.") % {"names": ", ".join(LIST_NAMES)}},
        )
    catalogue = selectors.current_catalogue(payload.catalogue)
    spec = selectors.engine_catalogue(catalogue)
    try:
        answers = engine.answers_from_lists(spec, payload.present, payload.unknown)
    except engine.InvalidAnswers as exc:
        owners = {
            i.code: c.list_name
            for c in selectors.current_catalogues()
            if c.list_name != payload.catalogue
            for i in c.indicators.all()
        }
        fields = {p.code: _problem_message(p, payload.catalogue, owners) for p in exc.problems}
        raise ValidationFailed(
            _("These codes cannot be evaluated: %(codes)s.")
            % {"codes": ", ".join(dict.fromkeys(p.code for p in exc.problems))},
            fields=fields,
        ) from None
    return _result_out(engine.evaluate(spec, answers).as_dict(), catalogue, None)


class ListUsed(Schema):
    list: str
    version: int
    verified: bool


class ScreeningOut(Schema):
    id: int
    code: str
    status: str
    age_group: str
    agency: str
    screened_on: dt.date
    place: str
    lists: list[ListUsed]
    outcome: str
    result_summary: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    version: int


class ScreeningDetailOut(ScreeningOut):
    answers: dict[str, str]
    observations: str
    age_reasons: str
    results: list[ScreeningResultOut]


def _screening_out(screening: Screening) -> dict[str, Any]:
    return {
        "id": screening.pk,
        "code": screening.code,
        "status": screening.status,
        "age_group": screening.age_group,
        "agency": screening.agency.short_name or screening.agency.name,
        "screened_on": screening.screened_on,
        "place": screening.place,
        "lists": [
            {"list": c.list_name, "version": c.version, "verified": c.verified}
            for c in screening.catalogues
        ],
        "outcome": screening.outcome,
        "result_summary": screening.result_summary,
        "created_at": screening.created_at,
        "submitted_at": screening.submitted_at,
        "version": screening.version,
    }


def _detail_out(actor: User, screening: Screening, purpose: str) -> dict[str, Any]:
    personal = selectors.screening_personal_data(actor=actor, screening=screening, purpose=purpose)
    by_list = {c.list_name: c for c in screening.catalogues}
    results = [
        _result_out(result, by_list[name], screening.age_group)
        for name, result in sorted((screening.result or {}).items())
        if name in by_list
    ]
    return {
        **_screening_out(screening),
        "answers": selectors.screening_answers(screening),
        "observations": personal["observations"],
        "age_reasons": personal["age_reasons"],
        "results": results,
    }


class _Page(Sequence[dict[str, Any]]):
    """A queryset seen as output dicts, so pagination slices in SQL instead of in memory."""

    def __init__(self, queryset: QuerySet[Screening]) -> None:
        self.queryset = queryset

    def __len__(self) -> int:
        return self.queryset.count()

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [_screening_out(s) for s in self.queryset[index]]
        return _screening_out(self.queryset[index])


@router.get("/screenings", response=list[ScreeningOut])
@paginate
def screening_list(request: HttpRequest, status: str | None = None) -> _Page:
    """Screenings in the caller's ``screening.view`` scope, newest first (no personal data)."""
    queryset = selectors.screening_list(actor=http.actor(request), status=status).select_related(
        "labour_catalogue", "sexual_catalogue"
    )
    return _Page(queryset)


class ScreeningIn(InputSchema):
    exploitation: list[str]
    age: int | None = Field(None, ge=0, le=120)
    believed_child: bool = False
    age_reasons: str = ""
    screened_on: dt.date | None = None
    place: str = ""


@router.post("/screenings", response={201: ScreeningDetailOut})
def screening_create(request: HttpRequest, payload: ScreeningIn) -> Status[dict[str, Any]]:
    """Start a draft; the age group follows the Art. 10(3) rule (see services.age_group_for)."""
    actor = http.actor(request)
    screening = services.screening_start(
        actor=actor,
        age_group=services.age_group_for(age=payload.age, believed_child=payload.believed_child),
        exploitation=payload.exploitation,
        screened_on=payload.screened_on,
        place=payload.place,
        age_reasons=payload.age_reasons,
    )
    return Status(201, _detail_out(actor, screening, "own screening (API)"))


@router.get("/screenings/{screening_id}", response=ScreeningDetailOut)
def screening_detail(request: HttpRequest, screening_id: int) -> dict[str, Any]:
    """One screening in scope, with its answers, free text (audited read) and worded result."""
    actor = http.actor(request)
    screening = selectors.screening_get(actor=actor, pk=screening_id)
    return _detail_out(actor, screening, "screening read (API)")


class AnswersIn(InputSchema):
    version: int
    answers: dict[str, str] = {}
    observations: str | None = None


@router.patch("/screenings/{screening_id}", response=ScreeningDetailOut)
def screening_update(request: HttpRequest, screening_id: int, payload: AnswersIn) -> dict[str, Any]:
    """Save answers of a draft (only its screener); 409 when stale or already submitted."""
    actor = http.actor(request)
    screening = selectors.screening_get(actor=actor, pk=screening_id)
    services.screening_save_answers(
        actor=actor,
        screening=screening,
        expected_version=payload.version,
        answers=payload.answers,
        observations=payload.observations,
    )
    return _detail_out(actor, screening, "own screening (API)")


@router.post("/screenings/{screening_id}/submit", response=ScreeningDetailOut)
def screening_submit(request: HttpRequest, screening_id: int, payload: VersionIn) -> dict[str, Any]:
    """Compute and freeze the result, and lock the screening (only its screener)."""
    actor = http.actor(request)
    screening = selectors.screening_get(actor=actor, pk=screening_id)
    services.screening_submit(actor=actor, screening=screening, expected_version=payload.version)
    return _detail_out(actor, screening, "own screening (API)")


@router.delete("/screenings/{screening_id}", response={204: None})
def screening_delete(request: HttpRequest, screening_id: int, version: int) -> Status[None]:
    """Delete a draft (only its screener); a submitted screening is kept (409)."""
    actor = http.actor(request)
    screening = selectors.screening_get(actor=actor, pk=screening_id)
    services.screening_discard(actor=actor, screening=screening, expected_version=version)
    return Status(204, None)
