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
    AgencyEditForm,
    AgencyForm,
    TokenForm,
    UserCreateForm,
    UserRolesForm,
    apply_domain_error,
)
from opennrm.accounts.models import ApiToken
from opennrm.core.errors import DomainError, PermissionDeniedError
from opennrm.core.http import AuthenticatedHttpRequest


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Same page whether or not the username exists: lockout reveals nothing about accounts."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


def _posted(request: HttpRequest) -> Any:
    """The POST data for a bound form; an empty POST (every box unticked) is still a POST."""
    return request.POST if request.method == "POST" else None


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


@login_required
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy.can(request.user, "user.manage"):
        return _forbidden(request)
    form = UserCreateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("User %(name)s was created.") % {"name": user.username})
            return redirect("accounts:users")
    listing = selectors.user_list(actor=request.user, search=request.GET.get("q", ""))
    return render(request, "accounts/users.html", {"users": listing, "form": form})


@login_required
def user_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not policy.can(request.user, "user.manage"):
        return _forbidden(request)
    subject = get_object_or_404(selectors.user_list(actor=request.user), pk=pk)
    form = UserRolesForm(_posted(request), initial={"roles": sorted(subject.roles)})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_roles(
                actor=request.user, user=subject, roles=form.cleaned_data["roles"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Roles updated; the user's sessions were ended."))
            return redirect("accounts:user", pk=subject.pk)
    return render(request, "accounts/user_detail.html", {"subject": subject, "form": form})


@login_required
@require_POST
def user_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not policy.can(request.user, "user.manage"):
        return _forbidden(request)
    subject = get_object_or_404(selectors.user_list(actor=request.user), pk=pk)
    try:
        services.user_set_active(
            actor=request.user, user=subject, active=request.POST.get("active") == "1"
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Account updated."))
    return redirect("accounts:user", pk=pk)


@login_required
def agencies(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy.can(request.user, "agency.manage"):
        return _forbidden(request)
    form = AgencyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Agency created."))
            return redirect("accounts:agencies")
    return render(
        request,
        "accounts/agencies.html",
        {"agencies": selectors.agency_list(actor=request.user), "form": form},
    )


@login_required
def agency_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not policy.can(request.user, "agency.manage"):
        return _forbidden(request)
    agency = get_object_or_404(selectors.agency_list(actor=request.user), pk=pk)
    initial = {
        name: getattr(agency, name)
        for name in (
            "name",
            "name_sr",
            "short_name",
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
                actor=request.user, agency=agency, expected_version=version, **values
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Agency %(name)s was saved.") % {"name": agency.name})
            return redirect("accounts:agencies")
    return render(request, "accounts/agency_detail.html", {"agency": agency, "form": form})


@login_required
@require_POST
def user_unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not policy.can(request.user, "user.manage"):
        return _forbidden(request)
    subject = get_object_or_404(selectors.user_list(actor=request.user), pk=pk)
    services.user_unlock(actor=request.user, username=subject.username)
    messages.success(request, _("Sign-in for %(name)s was unlocked.") % {"name": subject.username})
    return redirect("accounts:user", pk=pk)


@login_required
@require_POST
def unlock(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Unlock a typed username from the home-page panel (it may have no account)."""
    if not policy.can(request.user, "user.manage"):
        return _forbidden(request)
    username = request.POST.get("username", "")
    try:
        services.user_unlock(actor=request.user, username=username)
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
                actor=request.user, user=request.user, name=form.cleaned_data["name"]
            )
        except PermissionDeniedError:
            return _forbidden(request)
        form = TokenForm()
    return render(
        request,
        "accounts/profile.html",
        {"tokens": selectors.token_list(actor=request.user), "form": form, "new_token": new_token},
    )


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:profile")
