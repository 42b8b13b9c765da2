"""``/readyz`` for load balancers and supervisors, ``/metrics`` for Prometheus.

Neither needs a session: ``/readyz`` tells only whether each check passed and its figures;
``/metrics`` answers only the bearer of ``OPENNRM_METRICS_TOKEN`` or, without a token, only a
direct request from this machine (no ``X-Forwarded-For``: a request through the proxy is not local,
whatever its socket says). Anyone else gets a 404, as for a page that does not exist.
"""

from __future__ import annotations

import hmac
from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from opennrm.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from opennrm.core.http import AuthenticatedHttpRequest
from opennrm.lifecycle import health, metrics
from opennrm.lifecycle.models import (
    DataSubjectRequest,
    ErasureProposal,
    ErasureStatus,
    RequestKind,
)
from opennrm.lifecycle.requests import request_answer, request_list, request_register
from opennrm.lifecycle.services import erasure_approve, erasure_reject, may_approve, proposal_list

_LOOPBACK = {"127.0.0.1", "::1"}


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every check passes, 503 otherwise; JSON naming each check."""
    ready, checks = health.readiness()
    return JsonResponse(
        {"status": "ready" if ready else "unready", "checks": checks}, status=200 if ready else 503
    )


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.OPENNRM_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return bool(given) and hmac.compare_digest(given.encode(), token.encode())
    return (
        request.META.get("REMOTE_ADDR") in _LOOPBACK
        and "HTTP_X_FORWARDED_FOR" not in request.META
        and "HTTP_X_REAL_IP" not in request.META
    )


@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        raise Http404
    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)


@login_required
def erasures(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The approvers' page: proposals, approve (first or second) or keep the data."""
    if not may_approve(request.user):
        raise PermissionDeniedError(_("You do not have permission to do this."))
    message = error = ""
    if request.method == "POST":
        try:
            proposal_id = int(request.POST.get("proposal", ""))
        except ValueError:
            proposal_id = 0
        try:
            if request.POST.get("action") == "reject":
                proposal = erasure_reject(actor=request.user, proposal_id=proposal_id)
                message = _("%(code)s: the data is kept.") % {"code": proposal.person.code}
            else:
                proposal = erasure_approve(actor=request.user, proposal_id=proposal_id)
                if proposal.status == ErasureStatus.ERASED:
                    message = _("%(code)s: personal data erased.") % {"code": proposal.person.code}
                else:
                    message = _("%(code)s: approved; a second person must approve too.") % {
                        "code": proposal.person.code
                    }
        except ErasureProposal.DoesNotExist:
            error = _("There is no such erasure proposal.")
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "lifecycle/erasures.html",
        {"proposals": proposal_list(actor=request.user), "message": message, "error": error},
        status=400 if error else 200,
    )


@login_required
def requests_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The register of data-subject requests: register one, answer one, see what is due."""
    if not may_approve(request.user):
        raise PermissionDeniedError(_("You do not have permission to do this."))
    message = ""
    errors: dict[str, str] = {}
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "answer":
                answered = request_answer(
                    actor=request.user,
                    request_id=_int(request.POST.get("request")),
                    answer=request.POST.get("answer", ""),
                    lift_restriction=request.POST.get("lift_restriction") == "on",
                )
                message = _("The answer to request %(id)s is recorded.") % {"id": answered.pk}
            else:
                try:
                    received = date.fromisoformat(request.POST.get("received_on", ""))
                except ValueError:
                    raise ValidationFailed(
                        _("The request was not registered."),
                        fields={"received_on": _("Give the date of receipt as YYYY-MM-DD.")},
                    ) from None
                made = request_register(
                    actor=request.user,
                    person_code=request.POST.get("person_code", ""),
                    kind=request.POST.get("kind", ""),
                    received_on=received,
                    details=request.POST.get("details", ""),
                )
                message = _("Request %(id)s registered; the answer is due on %(due)s.") % {
                    "id": made.pk,
                    "due": date_format(made.due_on, "DATE_FORMAT"),
                }
        except DataSubjectRequest.DoesNotExist:
            error = _("There is no such request.")
        except DomainError as exc:
            error, errors = exc.message, exc.fields
    return render(
        request,
        "lifecycle/requests.html",
        {
            "rows": request_list(actor=request.user),
            "kinds": RequestKind.choices,
            "today": timezone.localdate(),
            "message": message,
            "error": error,
            "errors": errors,
        },
        status=400 if error else 200,
    )


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


def dashboard_panel(request: AuthenticatedHttpRequest) -> dict[str, object] | None:
    """Home-page panel for the officers: open data-subject requests by their 30-day deadline."""
    if not may_approve(request.user):
        return None
    rows = list(request_list(actor=request.user)[:10])
    if not rows:
        return None
    return {
        "title": _("Data-subject requests"),
        "template": "lifecycle/_panel.html",
        "rows": rows,
        "today": timezone.localdate(),
    }
