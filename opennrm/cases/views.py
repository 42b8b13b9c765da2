"""Pages of the NRM core: thin adapters over services and selectors.

Forms post to small action views; a domain error is shown on the form with the user's input
kept (a stale save too), and success redirects back to the case or referral.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms as djforms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.selectors import record_history_entries
from opennrm.cases import forms, selectors, services, vocab, workflow
from opennrm.cases.casefile import case_file_pdf
from opennrm.cases.dashboard import deadline_list
from opennrm.cases.models import Case
from opennrm.core.errors import DomainError, NotFoundError, PermissionDeniedError
from opennrm.core.forms import DateInput, StyledForm, VersionedForm
from opennrm.core.http import AuthenticatedHttpRequest, actor
from opennrm.core.pagination import CappedPaginator

View = Callable[..., HttpResponse]
PURPOSE_SECONDS = 30 * 60
# A search token (see ``_search_token``) is good for paging through results this long.
SEARCH_SECONDS = 15 * 60


def apply(form: djforms.Form, call: Callable[[], Any]) -> Any:
    """Run a service; on a domain error put its messages on the form and return None."""
    try:
        return call()
    except (PermissionDeniedError, NotFoundError):
        raise  # the one error path: the 403/404 page
    except DomainError as error:
        placed = False
        for name, message in error.fields.items():
            if name in form.fields and not isinstance(
                form.fields[name].widget, djforms.HiddenInput
            ):
                form.add_error(name, message)
                placed = True
        if not placed or len(error.fields) > 1 or error.code == "stale_record":
            form.add_error(None, error.message)
        return None


# --- referrals ---------------------------------------------------------------------------


def _proceedings(request: AuthenticatedHttpRequest, case: Any) -> list[Any]:
    """Stage and next hearing of the criminal proceedings this case is part of (issue 8), from
    the app that holds proceedings (``case_proceedings`` on its AppConfig: ``justice``)."""
    return [
        row
        for config in apps.get_app_configs()
        if hasattr(config, "case_proceedings")
        for row in config.case_proceedings(actor(request), case)
    ]


@login_required
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "referral.view")
    status = request.GET.get("status", "")
    page = CappedPaginator(
        selectors.referral_list(actor=actor(request), status=status), 50
    ).get_page(request.GET.get("page"))
    rows = [selectors.referral_status_view(r) for r in page]
    return render(
        request,
        "cases/referral_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": vocab.ReferralStatus.choices,
            "inbox": policy.can(actor(request), "referral.decide"),
        },
    )


def _referral_form_page(
    request: AuthenticatedHttpRequest, form: forms.ReferralForm, screening: Any = None
) -> HttpResponse:
    return render(request, "cases/referral_form.html", {"form": form, "screening": screening})


def _referral_sent(referral: Any) -> str:
    return _("The referral was sent to %(agency)s.") % {
        "agency": referral.to_agency.display_short_name
    }


@login_required
def referral_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "referral.create")
    form = forms.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        referral = apply(
            form,
            lambda: services.referral_create(actor=actor(request), **form.service_kwargs()),
        )
        if referral is not None:
            messages.success(request, _referral_sent(referral))
            return redirect("cases:referral_detail", pk=referral.pk)
    return _referral_form_page(request, form)


@login_required
def refer_from_screening(request: AuthenticatedHttpRequest, screening_id: int) -> HttpResponse:
    policy.require(actor(request), "referral.create")
    from opennrm.screening.selectors import screening_for_referral

    screening = screening_for_referral(actor=actor(request), pk=screening_id)
    initial = {"is_child": bool(screening.is_child), "reason": str(screening.result_summary)}
    form = forms.ReferralForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        referral = apply(
            form,
            lambda: services.referral_from_screening(
                actor=actor(request), screening_id=screening_id, **kwargs
            ),
        )
        if referral is not None:
            messages.success(request, _referral_sent(referral))
            return redirect("cases:referral_detail", pk=referral.pk)
    return _referral_form_page(request, form, screening)


@login_required
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "referral.view")
    view = selectors.referral_view(actor=actor(request), pk=pk)
    context: dict[str, Any] = {"view": view}
    if isinstance(view, selectors.ReferralTriageView):
        status = view.status_view.status
        if status in (vocab.ReferralStatus.SENT, vocab.ReferralStatus.ACKNOWLEDGED):
            dob = date.fromisoformat(view.date_of_birth) if view.date_of_birth else None
            context["matches"] = services.person_find_duplicates(
                actor=actor(request),
                given_names=view.given_names,
                family_name=view.family_name,
                date_of_birth=dob,
                year_of_birth=view.year_of_birth,
            )
            context["decline_form"] = forms.DeclineForm(initial={"version": view.version})
        return render(request, "cases/referral_triage.html", context)
    return render(request, "cases/referral_status.html", context)


@login_required
@require_POST
def referral_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get(actor=actor(request), pk=pk)
    form = VersionedForm(request.POST)
    if form.is_valid():
        done = apply(
            form,
            lambda: services.referral_acknowledge(
                actor=actor(request),
                referral=referral,
                expected_version=form.cleaned_data["version"],
            ),
        )
        if done is not None:
            messages.success(request, _("The referral is acknowledged as received."))
            return redirect("cases:referral_detail", pk=pk)
    return _error_page(request, form, reverse("cases:referral_detail", args=[pk]))


@login_required
def referral_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get(actor=actor(request), pk=pk)
    policy.require(actor(request), "referral.decide", referral)
    form = forms.DeclineForm(request.POST or None, initial={"version": referral.version})
    if request.method == "POST" and form.is_valid():
        done = apply(
            form,
            lambda: services.referral_decline(
                actor=actor(request),
                referral=referral,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                category=form.cleaned_data["category"],
            ),
        )
        if done is not None:
            messages.success(request, _("The referral was declined; the sender is told why."))
            return redirect("cases:referral_detail", pk=pk)
    return render(
        request,
        "cases/action_form.html",
        {
            "form": form,
            "title": _("Decline the referral"),
            "back": reverse("cases:referral_detail", args=[pk]),
        },
    )


@login_required
@require_POST
def referral_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get(actor=actor(request), pk=pk)
    form = forms.AcceptForm(request.POST)
    if form.is_valid():
        person_id = form.cleaned_data.get("person")
        person = selectors.person_ref(person_id) if person_id else None
        case = apply(
            form,
            lambda: services.referral_accept(
                actor=actor(request),
                referral=referral,
                expected_version=form.cleaned_data["version"],
                person=person,
            ),
        )
        if case is not None:
            messages.success(
                request,
                _("The referral was accepted and case %(code)s opened.") % {"code": case.code},
            )
            return redirect("cases:case_detail", pk=case.pk)
    return _error_page(request, form, reverse("cases:referral_detail", args=[pk]))


def _error_page(request: AuthenticatedHttpRequest, form: djforms.Form, back: str) -> HttpResponse:
    return render(request, "cases/action_error.html", {"form": form, "back": back}, status=409)


# --- cases -------------------------------------------------------------------------------


def _search_token(request: AuthenticatedHttpRequest, text: str) -> str:
    """An opaque token standing for a search text in this session (names never go in a URL).

    The text stays in the server-side session; the URL carries only a random token, useless in
    another session and forgotten after SEARCH_SECONDS.
    """
    now = time.time()
    stored = {
        k: v
        for k, v in request.session.get("case_searches", {}).items()
        if now - v[1] < SEARCH_SECONDS
    }
    token = secrets.token_urlsafe(12)
    stored[token] = [text, now]
    request.session["case_searches"] = stored
    return token


def _search_text(request: AuthenticatedHttpRequest, token: str) -> str | None:
    found = request.session.get("case_searches", {}).get(token)
    if not found or time.time() - found[1] >= SEARCH_SECONDS:
        return None
    return str(found[0])


@login_required
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The case list. The search form is POSTed and answered with a redirect to the list with
    an opaque ``search`` token (``_search_token``): the text searched — often a name — is in
    neither the URL, the browser's history nor the access log. Status and agency filters stay
    plain GET parameters."""
    policy.require(actor(request), "case.view")
    if request.method == "POST":
        posted = forms.CaseFilterForm(request.POST)
        if posted.is_valid():
            params: dict[str, Any] = {}
            text = (posted.cleaned_data.get("q") or "").strip()
            if text:
                params["search"] = _search_token(request, text)
            if posted.cleaned_data.get("status"):
                params["status"] = posted.cleaned_data["status"]
            if posted.cleaned_data.get("agency"):
                params["agency"] = posted.cleaned_data["agency"].pk
            target = reverse("cases:case_list")
            return HttpResponseRedirect(f"{target}?{urlencode(params)}" if params else target)
    if "q" in request.GET:
        # An old bookmark or a hand-made URL: do not run it, ask for the form instead.
        return HttpResponseRedirect(reverse("cases:case_list"))
    data = request.GET.copy()
    token = data.pop("search", [""])[0]
    expired = False
    if token:
        text = _search_text(request, token)
        expired = text is None
        data["q"] = text or ""
    form = forms.CaseFilterForm(data or None)
    filters = selectors.CaseFilters()
    if form.is_valid() and not expired:
        agency = form.cleaned_data.get("agency")
        filters = selectors.CaseFilters(
            q=form.cleaned_data.get("q") or "",
            status=form.cleaned_data.get("status") or "",
            agency_id=agency.pk if agency else None,
        )
    cases = selectors.case_list(actor=actor(request), filters=filters)
    page = CappedPaginator(cases.none() if expired else cases, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_break_glass": policy.can(actor(request), "case.break_glass"),
            "glass_form": forms.BreakGlassForm(),
            "search_expired": expired,
        },
    )


def _purposes(request: AuthenticatedHttpRequest) -> dict[str, list[Any]]:
    stored: dict[str, list[Any]] = request.session.get("case_purposes", {})
    now = time.time()
    return {k: v for k, v in stored.items() if now - v[1] < PURPOSE_SECONDS}


def _remember_purpose(request: AuthenticatedHttpRequest, pk: int, purpose: str) -> None:
    stored = _purposes(request)
    stored[str(pk)] = [purpose, time.time()]
    request.session["case_purposes"] = stored


@login_required
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "case.view")
    purpose_form = forms.PurposeForm(request.POST or None)
    if request.method == "POST" and purpose_form.is_valid():
        selectors.case_get(actor=actor(request), pk=pk, action="case.view_pii")
        _remember_purpose(request, pk, purpose_form.cleaned_data["purpose"])
        return redirect("cases:case_detail", pk=pk)
    stored = _purposes(request).get(str(pk))
    try:
        view = selectors.case_detail(
            actor=actor(request), pk=pk, purpose=stored[0] if stored else ""
        )
    except selectors.PurposeRequired as required:
        case = selectors.case_get(actor=actor(request), pk=pk, action="case.view_pii")
        return render(
            request,
            "cases/case_purpose.html",
            {"form": purpose_form, "case": case, "message": required.message},
        )
    if isinstance(view, selectors.ProviderView):
        return render(
            request,
            "cases/case_provider.html",
            {"view": view, "proceedings": _proceedings(request, view.pk)},
        )
    case = view.case
    return render(
        request,
        "cases/case_detail.html",
        {
            "view": view,
            "case": case,
            "is_foreigner": any(c != "RS" for c in view.person.citizenship),
            "proceedings": _proceedings(request, case),
            "perms_export_file": policy.can(actor(request), "case.export_file", case),
            "perms_refer_abroad": policy.can(actor(request), "trm.send"),
            "service_form": forms.ServiceRequestForm(),
            "note_form": forms.NoteForm(),
            "consent_form": forms.ConsentForm(),
            "guardian_form": forms.GuardianForm(),
            "labels": {
                "forms": [vocab.TypeOfExploitation(f).label for f in case.forms_of_exploitation],
                "control": [vocab.MethodOfControl(m).label for m in case.means_of_control],
            },
        },
    )


@login_required
@require_POST
def case_break_glass(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "case.break_glass")
    code = request.POST.get("code", "").strip().upper()
    form = forms.BreakGlassForm(request.POST)
    case = selectors.case_for_break_glass(code)
    if case is None:
        form.add_error(None, _("No case has this code."))
    elif form.is_valid():
        apply(
            form,
            lambda: policy.break_glass(
                actor=actor(request), obj=case, reason=form.cleaned_data["reason"]
            ),
        )
        if form.is_valid():
            _remember_purpose(request, case.pk, form.cleaned_data["reason"])
            messages.warning(
                request,
                _(
                    "Emergency access to case %(code)s was granted for a limited time; it is "
                    "recorded and will be reviewed."
                )
                % {"code": case.code},
            )
            return redirect("cases:case_detail", pk=case.pk)
    return _error_page(request, form, reverse("cases:case_list"))


@login_required
def case_history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=actor(request), pk=pk, action="case.edit")
    page = CappedPaginator(
        record_history_entries(actor=actor(request), obj=case, view_action="case.edit"), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_history.html",
        {"case": case, "entries": page, "page": page, "changes": case.status_changes.all()},
    )


@dataclass(frozen=True)
class Step:
    """A form on a case: what it asks, who may use it, and the service it calls."""

    form: type[djforms.Form]
    title: Any
    handler: Callable[[User, Case, dict[str, Any]], Any]
    initial: Callable[[User, Case], dict[str, Any]] = lambda actor, case: {"version": case.version}
    form_kwargs: Callable[[Case], dict[str, Any]] = lambda case: {}


def _decision(outcome: str) -> Callable[[User, Case, dict[str, Any]], Any]:
    def handler(actor: User, case: Case, data: dict[str, Any]) -> Any:
        return services.case_decide_identification(
            actor=actor,
            case=case,
            expected_version=data["version"],
            outcome=outcome,
            decided_on=data["decided_on"],
            reasoning=data["reasoning"],
            decision_org=data["decision_org"],
        )

    return handler


def _plan_initial(actor: User, case: Case) -> dict[str, Any]:
    plan = getattr(case, "plan", None)
    if plan is None:
        return {}
    return {
        "version": plan.version,
        "objectives": plan.objectives,
        "actions": plan.actions,
        "planned_end_on": plan.planned_end_on,
        "actual_end_on": plan.actual_end_on,
    }


def _facts_initial(actor: User, case: Case) -> dict[str, Any]:
    return {"version": case.version, **{f: getattr(case, f) for f in services.CASE_FACT_FIELDS}}


def _facts_handler(actor: User, case: Case, data: dict[str, Any]) -> Any:
    version = data.pop("version")
    data["country_of_exploitation"] = data["country_of_exploitation"].upper()
    return services.case_update(actor=actor, case=case, expected_version=version, **data)


def _person_initial(actor: User, case: Case) -> dict[str, Any]:
    initial = selectors.person_for_correction(actor=actor, case=case)
    # The form reads names as well as codes; it shows the names.
    initial["citizenship"] = forms.country_names(forms.codes(initial["citizenship"]))
    initial["languages"] = forms.language_names(forms.codes(initial["languages"]))
    return initial


def _person_handler(actor: User, case: Case, data: dict[str, Any]) -> Any:
    version = data.pop("version")
    data["citizenship"] = forms.codes(data["citizenship"])
    data["languages"] = forms.codes(data["languages"])
    return services.person_update(actor=actor, person=case.person, expected_version=version, **data)


STEPS: dict[str, Step] = {
    "person": Step(
        forms.PersonForm,
        gettext_lazy("Correct the person's details"),
        _person_handler,
        _person_initial,
    ),
    workflow.BEGIN_ASSESSMENT: Step(
        VersionedForm,
        gettext_lazy("Begin assessment"),
        lambda a, c, d: services.case_begin_assessment(
            actor=a, case=c, expected_version=d["version"]
        ),
    ),
    workflow.PRESUME_VICTIM: Step(
        forms.PresumeForm,
        gettext_lazy("Presume victim (start the reflection period)"),
        lambda a, c, d: services.case_presume_victim(
            actor=a,
            case=c,
            expected_version=d["version"],
            presumed_on=d["presumed_on"],
            reflection_end=d["reflection_end"],
        ),
    ),
    workflow.IDENTIFY: Step(
        forms.DecisionForm, gettext_lazy("Identify as a victim"), _decision("identified")
    ),
    workflow.NOT_IDENTIFY: Step(
        forms.DecisionForm, gettext_lazy("Decide: not a victim"), _decision("not_identified")
    ),
    workflow.START_PROTECTION: Step(
        VersionedForm,
        gettext_lazy("Start protection"),
        lambda a, c, d: services.case_start_protection(
            actor=a, case=c, expected_version=d["version"]
        ),
    ),
    workflow.CLOSE: Step(
        forms.CloseForm,
        gettext_lazy("Close the case"),
        lambda a, c, d: services.case_close(
            actor=a,
            case=c,
            expected_version=d["version"],
            reason=d["reason"],
            details=d["details"],
        ),
    ),
    workflow.REOPEN: Step(
        forms.ReopenForm,
        gettext_lazy("Reopen the case"),
        lambda a, c, d: services.case_reopen(
            actor=a, case=c, expected_version=d["version"], reason=d["reason"]
        ),
    ),
    "edit": Step(
        forms.CaseFactsForm,
        gettext_lazy("Edit case facts"),
        _facts_handler,
        _facts_initial,
        lambda case: {"lead_agency": case.lead_agency},
    ),
    "service": Step(
        forms.ServiceRequestForm,
        gettext_lazy("Request a service"),
        lambda a, c, d: services.service_request_create(actor=a, case=c, **d),
        lambda a, c: {},
    ),
    "guardian": Step(
        forms.GuardianForm,
        gettext_lazy("Record the guardian"),
        lambda a, c, d: services.guardian_add(actor=a, case=c, **d),
        lambda a, c: {},
    ),
    "consent": Step(
        forms.ConsentForm,
        gettext_lazy("Record consent"),
        lambda a, c, d: services.consent_record(actor=a, case=c, scope=d["scope"]),
        lambda a, c: {},
    ),
    "note": Step(
        forms.NoteForm,
        gettext_lazy("Add a note"),
        lambda a, c, d: services.case_note_add(actor=a, case=c, **d),
        lambda a, c: {},
    ),
    "plan": Step(
        forms.PlanForm,
        gettext_lazy("Case plan"),
        lambda a, c, d: services.case_plan_save(
            actor=a,
            case=c,
            objectives=d["objectives"],
            actions=d["actions"],
            planned_end_on=d["planned_end_on"],
            actual_end_on=d["actual_end_on"],
            expected_version=d["version"],
        ),
        _plan_initial,
    ),
    "permit": Step(
        forms.PermitForm,
        gettext_lazy("Record a residence permit"),
        lambda a, c, d: services.residence_permit_save(actor=a, case=c, **d),
        lambda a, c: {},
    ),
    "shelter": Step(
        forms.ShelterStayForm,
        gettext_lazy("Record a shelter admission"),
        lambda a, c, d: services.shelter_stay_start(actor=a, case=c, **d),
        lambda a, c: {},
    ),
}


# What a person is told once a step is done (django messages, shown on the next page).
STEP_DONE = {
    "person": gettext_lazy("The person's details were corrected."),
    workflow.BEGIN_ASSESSMENT: gettext_lazy("The assessment has started."),
    workflow.PRESUME_VICTIM: gettext_lazy(
        "The person is presumed a victim; the recovery and reflection period has started."
    ),
    workflow.IDENTIFY: gettext_lazy(
        "The decision is recorded: the person is identified as a victim."
    ),
    workflow.NOT_IDENTIFY: gettext_lazy(
        "The decision is recorded: the person is not identified as a victim."
    ),
    workflow.START_PROTECTION: gettext_lazy("Protection has started."),
    workflow.CLOSE: gettext_lazy("The case is closed."),
    workflow.REOPEN: gettext_lazy("The case is reopened."),
    "edit": gettext_lazy("The case facts were saved."),
    "service": gettext_lazy("The service was requested from the provider."),
    "guardian": gettext_lazy("The guardian was recorded."),
    "consent": gettext_lazy("The consent was recorded."),
    "note": gettext_lazy("The note was added."),
    "plan": gettext_lazy("The case plan was saved."),
    "permit": gettext_lazy("The residence permit was recorded."),
    "shelter": gettext_lazy("The shelter admission was recorded."),
}


@login_required
def case_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise NotFoundError(_("This record does not exist or you may not see it."))
    # Providers add notes to their assigned cases; every other step is the case manager's.
    action = "case.view" if step == "note" else "case.edit"
    case = selectors.case_get(actor=actor(request), pk=pk, action=action)
    spec = STEPS[step]
    kwargs = spec.form_kwargs(case)
    if request.method == "POST":
        form = spec.form(request.POST, **kwargs)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if apply(form, lambda: spec.handler(actor(request), case, data)) is not None:
                messages.success(request, STEP_DONE[step])
                return redirect("cases:case_detail", pk=pk)
    else:
        form = spec.form(initial=spec.initial(actor(request), case), **kwargs)
    option = next(
        (
            o
            for o in workflow.next_actions(case.status, services.case_facts(case))
            if o.action == step
        ),
        None,
    )
    blocked = (
        [_(p.message) % p.params if p.params else _(p.message) for p in option.problems]
        if option
        else []
    )
    return render(
        request,
        "cases/action_form.html",
        {
            "form": form,
            "title": spec.title,
            "case": case,
            "blocked": blocked,
            "back": reverse("cases:case_detail", args=[pk]),
        },
    )


def _item_action(
    request: AuthenticatedHttpRequest,
    *,
    form: djforms.Form,
    title: Any,
    back: str,
    call: Callable[[dict[str, Any]], Any],
    done: Any,
) -> HttpResponse:
    posted = request.method == "POST" and form.is_valid()
    if posted and apply(form, lambda: call(dict(form.cleaned_data))) is not None:
        messages.success(request, done)
        return HttpResponseRedirect(back)
    return render(request, "cases/action_form.html", {"form": form, "title": title, "back": back})


@login_required
def consent_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consent = selectors.consent_get(actor=actor(request), pk=pk)
    return _item_action(
        request,
        form=VersionedForm(request.POST or None, initial={"version": consent.version}),
        title=_("Record that the person withdrew this consent"),
        back=reverse("cases:case_detail", args=[consent.case_id]),
        call=lambda d: services.consent_withdraw(
            actor=actor(request), consent=consent, expected_version=d["version"]
        ),
        done=_("The withdrawal of consent was recorded."),
    )


@login_required
def guardian_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    guardian = selectors.guardian_get(actor=actor(request), pk=pk)

    class EndForm(VersionedForm):
        ended_on = djforms.DateField(
            label=_("Ended on"), widget=DateInput(), initial=timezone.localdate
        )

    return _item_action(
        request,
        form=EndForm(request.POST or None, initial={"version": guardian.version}),
        title=_("End the guardianship"),
        back=reverse("cases:case_detail", args=[guardian.case_id]),
        call=lambda d: services.guardian_end(
            actor=actor(request),
            guardian=guardian,
            expected_version=d["version"],
            ended_on=d["ended_on"],
        ),
        done=_("The guardianship was ended."),
    )


@login_required
def stay_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    stay = selectors.shelter_stay_get(actor=actor(request), pk=pk)
    return _item_action(
        request,
        form=forms.ShelterEndForm(request.POST or None, initial={"version": stay.version}),
        title=_("Record the departure from the shelter"),
        back=reverse("cases:case_detail", args=[stay.case_id]),
        call=lambda d: services.shelter_stay_end(
            actor=actor(request),
            stay=stay,
            expected_version=d["version"],
            left_on=d["left_on"],
            exit_reason=d["exit_reason"],
        ),
        done=_("The departure from the shelter was recorded."),
    )


# --- providers and justice ---------------------------------------------------------------


@login_required
def service_inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "service.update")
    status = request.GET.get("status", "")
    page = CappedPaginator(
        selectors.service_inbox(actor=actor(request), status=status), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/service_inbox.html",
        {"page": page, "status": status, "statuses": vocab.ServiceStatus.choices},
    )


SERVICE_STEP_DONE = {
    "accept": gettext_lazy("The service request was accepted."),
    "decline": gettext_lazy("The service request was declined; the case manager is told why."),
    "start": gettext_lazy("The service has started."),
    "complete": gettext_lazy("The service is marked completed."),
}
SERVICE_STEP_TITLES = {
    "accept": gettext_lazy("Accept the request"),
    "decline": gettext_lazy("Decline the request"),
    "start": gettext_lazy("Start the service"),
    "complete": gettext_lazy("Mark the service completed"),
}


@login_required
def service_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in SERVICE_STEP_TITLES:
        raise NotFoundError(_("This record does not exist or you may not see it."))
    service = selectors.service_request_get(actor=actor(request), pk=pk)
    back = request.POST.get("next") or reverse("cases:service_inbox")
    if not back.startswith("/cases/"):
        back = reverse("cases:service_inbox")
    return _item_action(
        request,
        form=forms.ServiceStepForm(request.POST or None, initial={"version": service.version}),
        title=SERVICE_STEP_TITLES[step],
        back=back,
        call=lambda d: services.service_request_respond(
            actor=actor(request),
            request=service,
            expected_version=d["version"],
            step=step,
            reason=d.get("reason", ""),
        ),
        done=SERVICE_STEP_DONE[step],
    )


@login_required
def provider_shelter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A shelter records the admission for its own accepted shelter request."""
    service = selectors.service_request_get(actor=actor(request), pk=pk)

    class AdmitForm(StyledForm):
        admitted_on = djforms.DateField(
            label=_("Admitted on"), widget=DateInput(), initial=timezone.localdate
        )

    return _item_action(
        request,
        form=AdmitForm(request.POST or None),
        title=_("Record a shelter admission"),
        back=reverse("cases:case_detail", args=[service.case_id]),
        call=lambda d: services.shelter_stay_start(
            actor=actor(request),
            case=service.case,
            admitted_on=d["admitted_on"],
            service_request=service,
        ),
        done=_("The shelter admission was recorded."),
    )


@login_required
def status_lookup(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "case.view_status")
    form = forms.StatusLookupForm(request.GET or None)
    result = None
    if form.is_valid():
        try:
            result = selectors.case_status_by_code(
                actor=actor(request), code=form.cleaned_data["code"]
            )
        except NotFoundError as missing:
            form.add_error("code", missing.message)
    return render(request, "cases/status_lookup.html", {"form": form, "result": result})


# --- operations: deadlines, the way to the case import, the case-file PDF -----------------
# Thin adapters: the import lives in ``imports``, deadlines in ``dashboard``, the case file in
# ``casefile``.

DEADLINE_ACTIONS = ("referral.decide", "case.edit", "service.update")
DEADLINES_PER_PAGE = 50


@login_required
@require_GET
def deadlines(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = actor(request)
    if not any(policy.can(user, action) for action in DEADLINE_ACTIONS):
        raise PermissionDeniedError(_("You do not have permission to do this."))
    rows = deadline_list(actor=user)
    page = Paginator(rows, DEADLINES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/ops/deadlines.html",
        {
            "rows": page.object_list,
            "page": page,
            "total": len(rows),
            "overdue": sum(1 for row in rows if row.overdue),
        },
    )


@login_required
@require_GET
def import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The case import is one of the import pipeline's (``opennrm.imports``)."""
    policy.require(actor(request), "case.import")
    return redirect("imports:upload", key="cases")


@login_required
@require_GET
def import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "case.import")
    return redirect("imports:template", key="cases")


@login_required
@require_GET
def case_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "case.export_file")
    filename, pdf = case_file_pdf(actor=actor(request), pk=pk, language=get_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
