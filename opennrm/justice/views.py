"""Pages for prosecutors, courts and police (proceedings), and for caseworkers (stage and hearing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.core.errors import DomainError
from opennrm.core.exports import Sheet, xlsx_response
from opennrm.core.http import AuthenticatedHttpRequest, actor
from opennrm.justice import selectors, services, stages, vocab
from opennrm.justice.forms import (
    CloseForm,
    DefendantForm,
    HearingForm,
    MoveForm,
    OutcomeForm,
    ProceedingForm,
    RequalifyForm,
    VictimForm,
    VictimLinkForm,
)
from opennrm.justice.models import Charge, Defendant, Proceeding, VictimInProceeding


def _show_error(form: forms.Form, exc: DomainError) -> None:
    form.add_error(None, exc.message)
    for name, message in exc.fields.items():
        if name in form.fields:
            form.add_error(name, message)


def _editable(request: AuthenticatedHttpRequest, pk: int) -> Proceeding:
    return selectors.proceeding_get(actor=actor(request), pk=pk)


@login_required
def proceeding_list(request: AuthenticatedHttpRequest) -> HttpResponse | FileResponse:
    policy.require(actor(request), "proceeding.view")
    filters = selectors.ProceedingFilters(
        stage=request.GET.get("stage", ""),
        status=request.GET.get("status", ""),
        search=request.GET.get("q", ""),
    )
    proceedings = selectors.proceeding_list(actor=actor(request), filters=filters)
    if request.GET.get("format") == "xlsx":
        policy.require(actor(request), "proceeding.export")
        return _export(request, proceedings)
    return render(
        request,
        "justice/list.html",
        {
            "proceedings": proceedings[:200],
            "filters": filters,
            "stages": vocab.Stage.choices,
            "statuses": vocab.ProceedingStatus.choices,
            "can_edit": policy.can(actor(request), "proceeding.edit"),
            "can_export": policy.can(actor(request), "proceeding.export"),
        },
    )


def _export(request: AuthenticatedHttpRequest, proceedings: Any) -> FileResponse:
    """The register as XLSX (``selectors.proceeding_register``, which audits the export)."""
    headers, rows = selectors.proceeding_register(actor=actor(request), proceedings=proceedings)
    return xlsx_response("proceedings.xlsx", [Sheet(_("Proceedings"), headers, rows)])


@login_required
def proceeding_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "proceeding.edit")
    form = ProceedingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proceeding = services.proceeding_create(actor=actor(request), **form.cleaned_data)
        except DomainError as exc:
            _show_error(form, exc)
        else:
            messages.success(
                request, _("Proceeding %(code)s was opened.") % {"code": proceeding.code}
            )
            return redirect("justice:detail", pk=proceeding.pk)
    return render(request, "justice/form.html", {"form": form, "title": _("New proceeding")})


@login_required
def proceeding_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "proceeding.view")
    detail = selectors.proceeding_detail(actor=actor(request), pk=pk)
    proceeding = detail.proceeding
    editable = (
        policy.can(actor(request), "proceeding.edit", proceeding)
        and proceeding.status == vocab.ProceedingStatus.ACTIVE
    )
    return render(
        request,
        "justice/detail.html",
        {
            "d": detail,
            "p": proceeding,
            "editable": editable,
            "next_stages": [vocab.Stage(s).label for s in stages.NEXT.get(proceeding.stage, ())],
            "stage_rows": [
                (vocab.Stage(s).label, detail.days_in_stage.get(s))
                for s in stages.ORDER
                if s in detail.days_in_stage
            ],
        },
    )


def _action(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_factory: Callable[..., forms.Form],
    run: Callable[[Proceeding, dict[str, Any]], Any],
    title: str,
    done: str,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    """One form page that performs one service call on a proceeding, showing domain errors inline."""
    policy.require(actor(request), "proceeding.edit")
    proceeding = _editable(request, pk)
    form = form_factory(request.POST or None, initial=initial or {})
    if request.method == "POST" and form.is_valid():
        try:
            run(proceeding, form.cleaned_data)
        except DomainError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("justice:detail", pk=proceeding.pk)
    return render(
        request, "justice/form.html", {"form": form, "title": title, "proceeding": proceeding}
    )


@login_required
def proceeding_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proceeding = _editable(request, pk) if policy.can(actor(request), "proceeding.edit") else None
    next_stages = stages.NEXT.get(proceeding.stage, ()) if proceeding else ()

    def form_factory(*args: Any, **kwargs: Any) -> MoveForm:
        return MoveForm(*args, next_stages=next_stages, **kwargs)

    return _action(
        request,
        pk,
        form_factory,
        lambda p, data: services.proceeding_move(
            actor=actor(request),
            proceeding=p,
            expected_version=data["version"],
            stage=data["stage"],
            on=data["on"],
            note=data["note"],
        ),
        _("Record the next stage"),
        _("The stage was recorded."),
        initial={"version": proceeding.version if proceeding else 0},
    )


@login_required
def proceeding_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proceeding = _editable(request, pk) if policy.can(actor(request), "proceeding.edit") else None
    return _action(
        request,
        pk,
        CloseForm,
        lambda p, data: services.proceeding_close(
            actor=actor(request),
            proceeding=p,
            expected_version=data["version"],
            status=data["status"],
            on=data["on"],
            reason=data["reason"],
        ),
        _("Dismiss or discontinue"),
        _("The proceeding was closed."),
        initial={"version": proceeding.version if proceeding else 0},
    )


@login_required
def defendant_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        DefendantForm,
        lambda p, data: services.defendant_add(actor=actor(request), proceeding=p, **data),
        _("Add a defendant"),
        _("The defendant was added."),
    )


@login_required
def defendant_outcome(
    request: AuthenticatedHttpRequest, pk: int, defendant_id: int
) -> HttpResponse:
    proceeding = _editable(request, pk) if policy.can(actor(request), "proceeding.edit") else None
    defendant = (
        selectors.defendant_get(proceeding=proceeding, pk=defendant_id) if proceeding else None
    )

    def run(p: Proceeding, data: dict[str, Any]) -> Defendant:
        assert defendant is not None
        return services.defendant_record_outcome(
            actor=actor(request), defendant=defendant, expected_version=data.pop("version"), **data
        )

    return _action(
        request,
        pk,
        OutcomeForm,
        run,
        _("Record the judgment for %(code)s") % {"code": defendant.code if defendant else ""},
        _("The judgment was recorded."),
        initial={"version": defendant.version if defendant else 0},
    )


@login_required
def charge_requalify(request: AuthenticatedHttpRequest, pk: int, charge_id: int) -> HttpResponse:
    proceeding = _editable(request, pk) if policy.can(actor(request), "proceeding.edit") else None
    charge = selectors.charge_get(proceeding=proceeding, pk=charge_id) if proceeding else None

    def run(p: Proceeding, data: dict[str, Any]) -> Charge:
        assert charge is not None
        return services.charge_requalify(
            actor=actor(request), charge=charge, offence_code=data["offence"], on=data["on"]
        )

    return _action(
        request, pk, RequalifyForm, run, _("Requalify the charge"), _("The charge was requalified.")
    )


@login_required
def victim_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        VictimLinkForm,
        lambda p, data: services.victim_link(
            actor=actor(request), proceeding=p, case_code=data["case_code"], role=data["role"]
        ),
        _("Link a victim by case code"),
        _("The victim was linked."),
    )


@login_required
def victim_edit(request: AuthenticatedHttpRequest, pk: int, link_id: int) -> HttpResponse:
    proceeding = _editable(request, pk) if policy.can(actor(request), "proceeding.edit") else None
    link = selectors.victim_link_get(proceeding=proceeding, pk=link_id) if proceeding else None
    initial: dict[str, Any] = {}
    if link is not None:
        initial = {name: getattr(link, name) for name in services.VICTIM_FIELDS}
        initial["version"] = link.version

    def run(p: Proceeding, data: dict[str, Any]) -> VictimInProceeding:
        assert link is not None
        return services.victim_update(
            actor=actor(request), link=link, expected_version=data.pop("version"), **data
        )

    return _action(
        request,
        pk,
        VictimForm,
        run,
        _("Victim %(code)s in this proceeding") % {"code": link.case.code if link else ""},
        _("The victim's details in the proceeding were saved."),
        initial=initial,
    )


@login_required
def hearing_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        HearingForm,
        lambda p, data: services.hearing_schedule(actor=actor(request), proceeding=p, **data),
        _("Schedule a hearing"),
        _("The hearing was scheduled."),
    )


@login_required
def register_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The register import is one of the import pipeline's (``opennrm.imports``)."""
    policy.require(actor(request), "proceeding.export")
    policy.require(actor(request), "proceeding.edit")
    return redirect("imports:upload", key="justice.register")


@login_required
def for_case(request: AuthenticatedHttpRequest, case_code: str) -> HttpResponse:
    """A caseworker's view of the proceedings of one of their cases: stage and next hearing only."""
    case = selectors.case_for_stages(actor=actor(request), code=case_code)
    return render(
        request,
        "justice/for_case.html",
        {"case": case, "items": selectors.proceedings_for_case(actor=actor(request), case=case)},
    )


def hearings_panel(request: Any) -> dict[str, Any] | None:
    """Home-page panel: hearings in the next two weeks, for justice users and caseworkers."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not (
        policy.can(user, "proceeding.view") or policy.can(user, "proceeding.view_stage")
    ):
        return None
    return {
        "title": _("Hearings in the next two weeks"),
        "template": "justice/_panel.html",
        "hearings": selectors.upcoming_hearings(actor=user),
    }
