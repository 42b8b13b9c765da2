"""The transnational inbox (``POST /api/v1/transnational/inbox``) and read-only lists.

The inbox takes no session and no token: a package authenticates itself by its Ed25519 signature
against the keys of a registered partner (``services.receive_envelope``). Its answers are the
API's error shape with a stable code, so the sender's worker knows whether to retry (5xx, 429) or
give up (any other 4xx; ``replayed`` means already delivered).
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema

from opennrm.core import http
from opennrm.core.apischemas import ErrorOut
from opennrm.core.restapi import error
from opennrm.transnational import envelope, selectors, services

router = Router(tags=["transnational"])

_STATUS = {
    "unknown_partner": 403,
    "partner_not_active": 403,
    "bad_signature": 401,
    "unknown_key": 401,
    "replayed": 409,
    "expired": 410,
}
MAX_PACKAGE_BYTES = 1_000_000


class Receipt(Schema):
    received: str
    status: str


@router.post(
    "/inbox",
    url_name="inbox",
    auth=None,
    response={
        202: Receipt,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        410: ErrorOut,
    },
)
def inbox(request: HttpRequest) -> HttpResponse:
    """Receive one signed, encrypted package from a partner platform (format opennrm-trm/1)."""
    if len(request.body) > MAX_PACKAGE_BYTES:
        return error("too_large", "The package is too large.", 400)
    try:
        raw = json.loads(request.body)
    except ValueError:
        return error("malformed", "The package is not JSON.", 400)
    try:
        referral = services.receive_envelope(raw)
    except envelope.EnvelopeError as exc:
        return error(exc.code, exc.message, _STATUS.get(exc.code, 400))
    return JsonResponse({"received": str(raw["id"]), "status": referral.status}, status=202)


class ReferralOut(Schema):
    id: int
    direction: str
    partner: str
    purpose: str
    status: str
    case_code: str | None


@router.get("/referrals", response=list[ReferralOut])
def referrals(request: HttpRequest) -> list[ReferralOut]:
    """Transnational referrals sent and received (no personal data in the list)."""
    rows = selectors.referral_list(actor=http.actor(request)).select_related("case", "partner")[
        :500
    ]
    return [
        ReferralOut(
            id=r.pk,
            direction=r.direction,
            partner=r.partner.country,
            purpose=r.purpose,
            status=r.status,
            case_code=r.case.code if r.case else None,
        )
        for r in rows
    ]
