"""Pages of transnational referral: thin adapters over ``services`` and ``selectors``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opennrm.accounts import policy
from opennrm.cases import selectors as case_selectors
from opennrm.cases.models import Person
from opennrm.core.errors import DomainError, NotFoundError, PermissionDeniedError
from opennrm.core.http import AuthenticatedHttpRequest, actor
from opennrm.transnational import dataset, selectors, services
from opennrm.transnational.forms import (
    DeclineForm,
    FollowUpForm,
    PartnerForm,
    ReturnDoneForm,
    ReturnPlanForm,
    RotateForm,
    SendForm,
    StatusForm,
)
from opennrm.transnational.models import Direction, PartnerStatus, Purpose, ReferralStatus

View = Callable[..., HttpResponse]


def _fail(form: Any, error: DomainError) -> None:
    if not form.is_bound:  # an action without a form of its own: the message says it
        return
    form.add_error(None, error.message)
    for name, text in error.fields.items():
        if name in form.fields:
            form.add_error(name, text)


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = actor(request)
    manage = policy.can(user, "trm.partner.manage")
    if not manage and not policy.can(user, "trm.view"):
        raise PermissionDeniedError(_("You do not have permission to do this."))
    context: dict[str, Any] = {"manage": manage}
    if manage:
        context["partners"] = list(selectors.partner_list(actor=user))
        context["packages"] = list(selectors.queue(actor=user)[:50])
        try:
            context["own_keys"] = services.own_public_keys()
        except DomainError as exc:
            context["keys_error"] = exc.message
        context["country"] = services.country()
    if policy.can(user, "trm.view"):
        context["incoming"] = list(
            selectors.referral_list(actor=user, direction=Direction.INCOMING)[:100]
        )
        context["outgoing"] = list(
            selectors.referral_list(actor=user, direction=Direction.OUTGOING)[:100]
        )
    return render(request, "transnational/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def partner_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "trm.partner.manage")
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_register(
                actor=actor(request),
                country_code=form.cleaned_data["country"],
                name=form.cleaned_data["name"],
                endpoint=form.cleaned_data["endpoint"],
                sign_public=form.cleaned_data["sign_public"],
                box_public=form.cleaned_data["box_public"],
                fingerprint=form.cleaned_data["fingerprint"],
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("The partner platform is registered."))
            return redirect("transnational:partner", pk=partner.pk)
    return render(request, "transnational/partner_add.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def partner_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "trm.partner.manage")
    partner = selectors.partner_get(actor=actor(request), pk=pk)
    rotate = RotateForm(request.POST if request.POST.get("do") == "rotate" else None)
    if request.method == "POST":
        try:
            if request.POST.get("do") == "rotate":
                if rotate.is_valid():
                    services.partner_rotate_key(
                        actor=actor(request), partner=partner, **rotate.cleaned_data
                    )
                    messages.success(request, _("The partner's new keys are in use."))
                    return redirect("transnational:partner", pk=partner.pk)
            else:
                services.partner_set_status(
                    actor=actor(request),
                    partner=partner,
                    status=request.POST.get("status", ""),
                    expected_version=int(request.POST.get("version", "0") or 0),
                )
                messages.success(request, _("The partner's status is changed."))
                return redirect("transnational:partner", pk=partner.pk)
        except DomainError as exc:
            _fail(rotate, exc)
    return render(
        request,
        "transnational/partner.html",
        {
            "partner": partner,
            "keys": partner.keys.order_by("-id"),
            "rotate": rotate,
            "statuses": PartnerStatus,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def send(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    user = actor(request)
    policy.require(user, "trm.send")
    case = case_selectors.case_get(actor=user, pk=case_pk, action="case.view_pii")
    partners = list(selectors.partner_list(actor=user))
    purpose = (request.POST if request.method == "POST" else request.GET).get(
        "purpose"
    ) or Purpose.IDENTIFY
    proposal = dataset.proposal(case, purpose) if purpose in Purpose.values else {}
    partner_choices = [(p.pk, str(p)) for p in partners]
    field_choices = [(name, dataset.LABELS[name]) for name in proposal]
    if request.method == "POST":
        form = SendForm(request.POST, partners=partner_choices, proposal=field_choices)
    else:
        initial = {
            "purpose": purpose,
            "partner": request.GET.get("partner"),
            "data_fields": list(proposal),
        }
        form = SendForm(initial=initial, partners=partner_choices, proposal=field_choices)
    if request.method == "POST" and form.is_valid():
        partner = next((p for p in partners if p.pk == form.cleaned_data["partner"]), None)
        try:
            if partner is None:
                raise NotFoundError(_("There is no such partner platform."))
            referral = services.referral_send(
                actor=user,
                case=case,
                partner=partner,
                purpose=form.cleaned_data["purpose"],
                fields=form.cleaned_data["data_fields"],
                reason=form.cleaned_data["reason"],
                best_interests_assessed=form.cleaned_data["best_interests"],
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("The referral is on its way to the partner platform."))
            return redirect("transnational:referral", pk=referral.pk)
    return render(
        request,
        "transnational/send.html",
        {
            "case": case,
            "form": form,
            "has_consent": services.has_transnational_consent(case),
            "shown": {name: selectors._shown(name, value) for name, value in proposal.items()},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    view = selectors.referral_get(actor=user, pk=pk, purpose=request.POST.get("purpose", ""))
    referral = view.referral
    decline = DeclineForm(
        request.POST if request.POST.get("do") == "decline" else None,
        initial={"version": referral.version},
    )
    status = StatusForm(request.POST if request.POST.get("do") == "status" else None)
    plan = getattr(referral, "return_plan", None) if hasattr(referral, "return_plan") else None
    plan_form = ReturnPlanForm(
        request.POST if request.POST.get("do") == "plan" else None,
        initial={
            "version": plan.version if plan else None,
            "risk_assessment": plan.risk_assessment if plan else "",
            "risk_level": plan.risk_level if plan else "",
            "travel_documents": plan.travel_documents if plan else "",
            "travel_on": plan.travel_on if plan else None,
        },
    )
    done = ReturnDoneForm(request.POST if request.POST.get("do") == "returned" else None)
    follow_up = FollowUpForm(request.POST if request.POST.get("do") == "follow_up" else None)
    candidates: list[tuple[Person, str]] = []
    incoming_open = (
        referral.direction == Direction.INCOMING and referral.status == ReferralStatus.RECEIVED
    )
    if incoming_open and policy.can(user, "referral.decide"):
        candidates = selectors.possible_duplicates(actor=user, referral=referral)
    if request.method == "POST":
        action = request.POST.get("do")
        try:
            if action == "accept":
                person_pk = request.POST.get("person", "")
                person = next((p for p, _s in candidates if str(p.pk) == person_pk), None)
                case = services.incoming_accept(
                    actor=user,
                    referral=referral,
                    expected_version=int(request.POST.get("version", "0") or 0),
                    person=person,
                )
                messages.success(
                    request, _("Accepted: case %(code)s is open.") % {"code": case.code}
                )
                return redirect("transnational:referral", pk=referral.pk)
            if action == "decline" and decline.is_valid():
                services.incoming_decline(
                    actor=user,
                    referral=referral,
                    expected_version=decline.cleaned_data["version"],
                    reason=decline.cleaned_data["reason"],
                )
                messages.success(request, _("Declined; the partner is told why."))
                return redirect("transnational:referral", pk=referral.pk)
            if action == "status" and status.is_valid():
                services.status_send(actor=user, referral=referral, **status.cleaned_data)
                messages.success(request, _("The partner is told."))
                return redirect("transnational:referral", pk=referral.pk)
            if action == "plan" and plan_form.is_valid():
                services.return_plan_save(
                    actor=user,
                    referral=referral,
                    expected_version=plan_form.cleaned_data["version"],
                    risk_assessment=plan_form.cleaned_data["risk_assessment"],
                    risk_level=plan_form.cleaned_data["risk_level"],
                    travel_documents=plan_form.cleaned_data["travel_documents"],
                    travel_on=plan_form.cleaned_data["travel_on"],
                )
                messages.success(request, _("The return plan is saved."))
                return redirect("transnational:referral", pk=referral.pk)
            if action == "returned" and done.is_valid():
                services.return_complete(actor=user, referral=referral, **done.cleaned_data)
                messages.success(request, _("The return is recorded; the partner is told."))
                return redirect("transnational:referral", pk=referral.pk)
            if action == "follow_up" and follow_up.is_valid():
                services.return_follow_up(actor=user, referral=referral, **follow_up.cleaned_data)
                messages.success(request, _("The follow-up is recorded."))
                return redirect("transnational:referral", pk=referral.pk)
        except DomainError as exc:
            forms_by_action = {
                "decline": decline,
                "plan": plan_form,
                "returned": done,
                "follow_up": follow_up,
            }
            target = forms_by_action.get(action or "", status)
            _fail(target, exc)
            messages.error(request, exc.message)
    return render(
        request,
        "transnational/referral.html",
        {
            "view": view,
            "referral": referral,
            "decline": decline,
            "status_form": status,
            "plan": plan,
            "plan_form": plan_form,
            "done": done,
            "follow_up": follow_up,
            "candidates": candidates,
            "incoming_open": incoming_open,
            "updates": referral.updates.order_by("at", "id"),
            "is_return": referral.purpose == Purpose.RETURN
            and referral.direction == Direction.OUTGOING,
            "can_receive": policy.can(user, "trm.receive"),
        },
    )
