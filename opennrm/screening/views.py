"""Screening pages: list, start, the interview (autosaved), the result, statistics."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opennrm.accounts import policy
from opennrm.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from opennrm.core.exports import Sheet, xlsx_response
from opennrm.core.http import AuthenticatedHttpRequest, actor
from opennrm.core.pagination import CappedPaginator
from opennrm.screening import explain as wording
from opennrm.screening import selectors, services
from opennrm.screening.forms import StartForm, StatsFilterForm
from opennrm.screening.models import Answer, Dimension, IndicatorCatalogue, Screening


def _get(request: AuthenticatedHttpRequest, pk: int) -> Screening:
    return selectors.screening_get(actor=actor(request), pk=pk)


def _version(request: AuthenticatedHttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@login_required
def screening_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "screening.view")
    page = CappedPaginator(selectors.screening_list(actor=actor(request)), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "screening/list.html",
        {"page": page, "can_create": policy.can(actor(request), "screening.create")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def screening_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "screening.create")
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        age_group = services.age_group_for(age=data["age"], believed_child=data["believed_child"])
        try:
            screening = services.screening_start(
                actor=actor(request),
                age_group=age_group,
                exploitation=data["exploitation"],
                screened_on=data["screened_on"],
                place=data["place"],
                age_reasons=data["age_reasons"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            for name, text in exc.fields.items():
                target = name if name in form.fields else ("age" if name == "age_group" else None)
                form.add_error(target, text)
        else:
            messages.success(
                request,
                _("Screening %(code)s has started; every answer is saved as you go.")
                % {"code": screening.code},
            )
            return redirect("screening:edit", pk=screening.pk)
    return render(request, "screening/start.html", {"form": form})


def _question_groups(screening: Screening, answers: dict[str, str]) -> list[dict[str, Any]]:
    """For the interview: per list, per dimension (one section each, with its own ``id`` and
    count of answered questions), the questions with their current answer."""
    language = get_language() or "en"
    lists = []
    for number, catalogue in enumerate(screening.catalogues, start=1):
        dimensions = []
        for dimension in Dimension:
            questions = [
                {
                    "code": i.code,
                    "question": i.question(language),
                    "label": i.label(language),
                    "answer": answers.get(i.code, ""),
                }
                for i in catalogue.indicators.all()
                if i.dimension == dimension.value
            ]
            if questions:
                dimensions.append(
                    {
                        "key": dimension.value,
                        "id": f"sec-{number}-{dimension.value}",
                        "label": dimension.label,
                        "questions": questions,
                        "answered": sum(1 for q in questions if q["answer"]),
                    }
                )
        lists.append({"catalogue": catalogue, "dimensions": dimensions})
    return lists


def _progress(lists: list[dict[str, Any]]) -> dict[str, Any]:
    """How far the interview is: answered of all questions, and where to go on (the first
    unanswered question), so a draft reopens where the screener left off."""
    questions = [q for item in lists for d in item["dimensions"] for q in d["questions"]]
    first_open = next((q["code"] for q in questions if not q["answer"]), "")
    answered = sum(1 for q in questions if q["answer"])
    return {
        "answered": answered,
        "total": len(questions),
        "resume": f"q-{first_open}" if first_open and answered else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def screening_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The interview: plain POST saves (or submits) the whole form, so it works without JS."""
    screening = _get(request, pk)
    if screening.screener_id != actor(request).pk or screening.is_submitted:
        return redirect("screening:detail", pk=pk)
    error: DomainError | None = None
    if request.method == "POST":
        codes = {i.code for c in screening.catalogues for i in c.indicators.all()}
        answers = {
            code: request.POST[code] for code in codes if request.POST.get(code) in Answer.values
        }
        try:
            services.screening_save_answers(
                actor=actor(request),
                screening=screening,
                expected_version=_version(request),
                answers=answers,
                observations=request.POST.get("observations", ""),
            )
            if request.POST.get("action") == "submit":
                services.screening_submit(
                    actor=actor(request), screening=screening, expected_version=screening.version
                )
                messages.success(request, _("The screening was submitted and is now locked."))
                return redirect("screening:detail", pk=pk)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("screening:edit", pk=pk)
    if error is not None:
        # Keep what the user entered on screen; only the version is refreshed from the database.
        answers = {code: value for code, value in request.POST.items() if value in Answer.values}
        observations = request.POST.get("observations", "")
        version = _version(request)
    else:
        answers = selectors.screening_answers(screening)
        observations = selectors.screening_personal_data(
            actor=actor(request), screening=screening, purpose="own screening interview"
        )["observations"]
        version = screening.version
    lists = _question_groups(screening, answers)
    return render(
        request,
        "screening/edit.html",
        {
            "screening": screening,
            "lists": lists,
            "progress": _progress(lists),
            "observations": observations,
            "version": version,
            "error": error,
            "answer_choices": Answer.choices,
        },
        status=409 if error is not None and error.status == 409 else 200,
    )


@login_required
@require_POST
def screening_autosave(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """JSON endpoint for the interview's script: saves the answers it sends, returns the version."""
    try:
        screening = selectors.screening_get(actor=actor(request), pk=pk)
        try:
            answers = json.loads(request.POST.get("answers") or "{}")
        except ValueError:
            answers = None
        if not isinstance(answers, dict):
            raise ValidationFailed(_("The answers could not be read."))
        observations = request.POST.get("observations")
        services.screening_save_answers(
            actor=actor(request),
            screening=screening,
            expected_version=_version(request),
            answers={str(k): str(v) for k, v in answers.items()},
            observations=observations,
        )
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"version": screening.version, "saved": sorted(answers)})


def _refer_url(screening: Screening) -> str:
    try:
        return reverse("cases:refer_from_screening", kwargs={"screening_id": screening.pk})
    except NoReverseMatch:
        return reverse("screening:referral_unavailable", kwargs={"pk": screening.pk})


def _referrals(screening: Screening) -> list[Any]:
    # The cases app adds Referral.source_screening (related name "referrals") on its own schedule.
    manager = getattr(screening, "referrals", None)
    if manager is None:
        return []
    return list(manager.all())


def result_explanations(screening: Screening) -> list[wording.Explanation]:
    """The frozen result of each list used, worded in the active language."""
    if not screening.result:
        return []
    language = get_language() or "en"
    by_list = {c.list_name: c for c in screening.catalogues}
    explained = []
    for list_name, result in sorted(screening.result.items()):
        catalogue: IndicatorCatalogue | None = by_list.get(list_name)
        labels = (
            {i.code: i.label(language) for i in catalogue.indicators.all()} if catalogue else {}
        )
        rules = catalogue.rules if catalogue else {"combinations": []}
        explained.append(
            wording.explain(result, labels=labels, rules=rules, age_group=screening.age_group)
        )
    return explained


@login_required
def screening_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    screening = _get(request, pk)
    if not screening.is_submitted and screening.screener_id == actor(request).pk:
        return redirect("screening:edit", pk=pk)
    personal = selectors.screening_personal_data(
        actor=actor(request), screening=screening, purpose="screening result page"
    )
    positive = screening.is_submitted and screening.outcome == "indicators_of_trafficking"
    referrals = _referrals(screening)
    return render(
        request,
        "screening/detail.html",
        {
            "screening": screening,
            "explanations": result_explanations(screening),
            "personal": personal,
            "not_a_decision": wording.not_a_decision(),
            # One referral per screening: once referred, its status replaces the button.
            "refer_url": _refer_url(screening)
            if positive and not referrals and policy.can(actor(request), "referral.create")
            else "",
            "referrals": referrals,
            "positive": positive,
            "can_refer": policy.can(actor(request), "referral.create"),
            # A negative result may still be referred on the screener's judgement.
            "refer_anyway_url": _refer_url(screening)
            if screening.is_submitted
            and not positive
            and not referrals
            and policy.can(actor(request), "referral.create")
            else "",
            "can_screen": policy.can(actor(request), "screening.create"),
        },
    )


@login_required
@require_POST
def screening_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    screening = _get(request, pk)
    try:
        services.screening_discard(
            actor=actor(request), screening=screening, expected_version=_version(request)
        )
    except PermissionDeniedError:
        raise  # a refusal is the 403 page, not a message
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("screening:detail", pk=pk)
    messages.success(request, _("The draft was deleted."))
    return redirect("screening:list")


@login_required
def referral_unavailable(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    screening = _get(request, pk)
    return render(request, "screening/referral_unavailable.html", {"screening": screening})


def _period(request: AuthenticatedHttpRequest) -> tuple[StatsFilterForm, dt.date, dt.date]:
    today = timezone.localdate()
    default_from = today.replace(year=today.year - 1, day=1)
    form = StatsFilterForm(request.GET or {"date_from": default_from, "date_to": today})
    if form.is_valid():
        return form, form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    return form, default_from, today


@login_required
def screening_stats(request: AuthenticatedHttpRequest) -> HttpResponse | FileResponse:
    form, date_from, date_to = _period(request)
    stats = selectors.screening_stats(actor=actor(request), date_from=date_from, date_to=date_to)
    headers = [
        _("Month"),
        _("Agency type"),
        _("Indicators present"),
        _("Insufficient indicators"),
        _("Screenings"),
    ]
    if request.GET.get("format") == "xlsx":
        rows = [
            [
                f"{r.month:%Y-%m}",
                r.agency_type_label,
                r.indicators.display,
                r.insufficient.display,
                r.total.display,
            ]
            for r in stats.rows
        ]
        rows.append(
            [
                _("Total"),
                "",
                stats.total_indicators.display,
                stats.total_insufficient.display,
                stats.total.display,
            ]
        )
        return xlsx_response(
            f"screenings-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx",
            [Sheet(_("Screenings"), headers, rows)],
        )
    by_month = stats.by_month()
    types = sorted({r.agency_type for r in stats.rows})
    chart = {
        "type": "bar",
        "stacked": True,
        "labels": [f"{m:%Y-%m}" for m in by_month],
        "datasets": [
            {
                "label": str(next(r.agency_type_label for r in stats.rows if r.agency_type == t)),
                # Figures shown as "<N" are gaps (null), never a value.
                "data": [counts.get(t) for counts in by_month.values()],
            }
            for t in types
        ],
    }
    query = request.GET.copy()
    query["format"] = "xlsx"
    return render(
        request,
        "screening/stats.html",
        {
            "form": form,
            "stats": stats,
            "chart": chart,
            "headers": headers,
            "date_from": date_from,
            "date_to": date_to,
            "xlsx_query": query.urlencode(),
        },
    )
