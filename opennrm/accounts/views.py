"""User and agency administration, personal API tokens, and the lockout page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opennrm.accounts import policy, selectors, services
from opennrm.accounts.forms import (
    AgencyAliasForm,
    AgencyEditForm,
    AgencyForm,
    TokenForm,
    UserCreateForm,
    UserRolesForm,
    apply_domain_error,
)
from opennrm.accounts.session import mfa_verified
from opennrm.core.errors import DomainError, PermissionDeniedError
from opennrm.core.http import AuthenticatedHttpRequest, actor


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Same page whether or not the username exists: lockout reveals nothing about accounts."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


def _posted(request: HttpRequest) -> Any:
    """The POST data for a bound form; an empty POST (every box unticked) is still a POST."""
    return request.POST if request.method == "POST" else None


@login_required
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "user.manage")
    form = UserCreateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=actor(request), **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("User %(name)s was created.") % {"name": user.username})
            if user.role_grants.filter(status="pending").exists():
                messages.warning(request, _("Some roles await a second administrator's approval."))
            return redirect("accounts:users")
    listing = selectors.user_list(actor=actor(request), search=request.GET.get("q", ""))
    return render(request, "accounts/users.html", {"users": listing, "form": form})


@login_required
def user_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "user.manage")
    subject = get_object_or_404(selectors.user_list(actor=actor(request)), pk=pk)
    form = UserRolesForm(_posted(request), initial={"roles": sorted(subject.roles)})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_roles(
                actor=actor(request), user=subject, roles=form.cleaned_data["roles"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Roles updated; the user's sessions were ended."))
            if subject.role_grants.filter(status="pending").exists():
                messages.warning(request, _("Some roles await a second administrator's approval."))
            return redirect("accounts:user", pk=subject.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": subject,
            "form": form,
            "grants": subject.role_grants.filter(status="pending"),
            "tokens": selectors.token_list(actor=actor(request), user=subject),
            "token_form": TokenForm() if subject.is_service_account else None,
        },
    )


@login_required
def grants(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Role grants awaiting a second administrator (administrators decide; the auditor reads)."""
    if not (policy.can(actor(request), "user.manage") or policy.can(actor(request), "audit.view")):
        raise PermissionDeniedError(_("You do not have permission to do this."))
    everything = request.GET.get("all") == "1"
    return render(
        request,
        "accounts/grants.html",
        {
            "grants": selectors.role_grant_list(actor=actor(request), pending_only=not everything),
            "everything": everything,
            "may_decide": policy.can(actor(request), "user.manage"),
        },
    )


@login_required
@require_POST
def grant_decide(request: AuthenticatedHttpRequest, pk: int, decision: str) -> HttpResponse:
    policy.require(actor(request), "user.manage")
    grant = get_object_or_404(selectors.role_grant_list(actor=actor(request)), pk=pk)
    decide = services.role_grant_approve if decision == "approve" else services.role_grant_reject
    try:
        decide(actor=actor(request), grant=grant)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The request was decided."))
    return redirect("accounts:grants")


@login_required
def break_glass(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every break-the-glass access with its stated purpose, for the auditor to review."""
    policy.require(actor(request), "audit.view")
    unreviewed = request.GET.get("all") != "1"
    return render(
        request,
        "accounts/break_glass.html",
        {
            "grants": selectors.break_glass_list(actor=actor(request), unreviewed_only=unreviewed),
            "unreviewed": unreviewed,
        },
    )


@login_required
@require_POST
def break_glass_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "audit.view")
    grant = get_object_or_404(selectors.break_glass_list(actor=actor(request)), pk=pk)
    try:
        services.break_glass_review(actor=actor(request), grant=grant)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked as reviewed."))
    return redirect("accounts:break_glass")


@login_required
@require_POST
def service_token_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An administrator issues a token for a service account (from a two-factor session)."""
    policy.require(actor(request), "user.manage")
    subject = get_object_or_404(
        selectors.user_list(actor=actor(request)).filter(is_service_account=True), pk=pk
    )
    form = TokenForm(request.POST)
    new_token = None
    if form.is_valid():
        try:
            _token, new_token = services.token_issue(
                actor=actor(request),
                user=subject,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                areas=form.cleaned_data["areas"],
                hours=form.cleaned_data["hours"],
                mfa_verified=mfa_verified(request),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": subject,
            "form": UserRolesForm(initial={"roles": sorted(subject.roles)}),
            "grants": subject.role_grants.filter(status="pending"),
            "tokens": selectors.token_list(actor=actor(request), user=subject),
            "token_form": form,
            "new_token": new_token,
        },
    )


@login_required
@require_POST
def user_token_revoke(request: AuthenticatedHttpRequest, pk: int, token_pk: int) -> HttpResponse:
    """An administrator revokes one of a user's API tokens."""
    policy.require(actor(request), "user.manage")
    subject = get_object_or_404(selectors.user_list(actor=actor(request)), pk=pk)
    token = get_object_or_404(selectors.token_list(actor=actor(request), user=subject), pk=token_pk)
    services.token_revoke(actor=actor(request), token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:user", pk=pk)


@login_required
@require_POST
def user_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "user.manage")
    subject = get_object_or_404(selectors.user_list(actor=actor(request)), pk=pk)
    try:
        services.user_set_active(
            actor=actor(request), user=subject, active=request.POST.get("active") == "1"
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Account updated."))
    return redirect("accounts:user", pk=pk)


@login_required
def agencies(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "agency.manage")
    form = AgencyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_create(actor=actor(request), **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Agency created."))
            return redirect("accounts:agencies")
    return render(
        request,
        "accounts/agencies.html",
        {"agencies": selectors.agency_list(actor=actor(request)), "form": form},
    )


@login_required
def agency_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "agency.manage")
    agency = get_object_or_404(selectors.agency_list(actor=actor(request)), pk=pk)
    initial = {
        name: getattr(agency, name)
        for name in (
            "name",
            "name_sr",
            "short_name",
            "short_name_sr",
            "type",
            "municipality",
            "is_active",
            "version",
        )
    }
    form = AgencyEditForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version")
        try:
            services.agency_update(
                actor=actor(request), agency=agency, expected_version=version, **values
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Agency %(name)s was saved.") % {"name": agency})
            return redirect("accounts:agencies")
    return render(request, "accounts/agency_detail.html", {"agency": agency, "form": form})


@login_required
@require_POST
def user_unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "user.manage")
    subject = get_object_or_404(selectors.user_list(actor=actor(request)), pk=pk)
    services.user_unlock(actor=actor(request), username=subject.username)
    messages.success(request, _("Sign-in for %(name)s was unlocked.") % {"name": subject.username})
    return redirect("accounts:user", pk=pk)


@login_required
@require_POST
def unlock(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Unlock a typed username from the home-page panel (it may have no account)."""
    policy.require(actor(request), "user.manage")
    username = request.POST.get("username", "")
    try:
        services.user_unlock(actor=actor(request), username=username)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sign-in for %(name)s was unlocked.") % {"name": username})
    return redirect("home")


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in user's own page: roles, two-factor settings, personal API tokens."""
    form = TokenForm(_posted(request))
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.token_issue(
                actor=actor(request),
                user=actor(request),
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                areas=form.cleaned_data["areas"],
                hours=form.cleaned_data["hours"],
                mfa_verified=mfa_verified(request),
            )
        except PermissionDeniedError as exc:
            form.add_error(None, exc.message)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "accounts/profile.html",
        {
            "tokens": selectors.token_list(actor=actor(request)),
            "form": form,
            "new_token": new_token,
        },
    )


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_get(actor=actor(request), pk=pk)
    services.token_revoke(actor=actor(request), token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:profile")


@login_required
def agency_aliases(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The names imports recognise for agencies and kinds of agency; administrators add more."""
    policy.require(actor(request), "agency.manage")
    form = AgencyAliasForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_alias_add(actor=actor(request), **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Alias added."))
            return redirect("accounts:agency_aliases")
    return render(
        request,
        "accounts/agency_aliases.html",
        {"aliases": selectors.agency_alias_list(actor=actor(request)), "form": form},
    )


@login_required
@require_POST
def agency_alias_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "agency.manage")
    alias = get_object_or_404(selectors.agency_alias_list(actor=actor(request)), pk=pk)
    services.agency_alias_remove(actor=actor(request), alias=alias)
    messages.success(request, _("Alias removed."))
    return redirect("accounts:agency_aliases")
