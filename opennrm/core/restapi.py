"""The REST API (django-ninja, OpenAPI 3.1) under /api/v1/, with one error format everywhere.

Authentication: the browser session (CSRF-checked) or a personal bearer token
(``Authorization: Bearer onrm_…``). Either way the request acts as the user, with the user's current
roles — a token never carries more. Each app with an ``api`` module exposing ``router`` is mounted
at ``/api/v1/<label>/``.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from opennrm.accounts.models import User
from opennrm.accounts.roles import MFA_REQUIRED_ROLES
from opennrm.core.errors import DomainError


def _usable(user: Any) -> User | None:
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    if user.roles & MFA_REQUIRED_ROLES and not is_mfa_enabled(user):
        return None
    return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; unsafe methods need the CSRF token (checked by ninja)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return _usable(getattr(request, "user", None))


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        from opennrm.accounts.services import token_authenticate

        user = _usable(token_authenticate(token))
        if user is not None:
            request.user = user
        return user


def error(
    code: str, message: str, status: int, fields: dict[str, str] | None = None
) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status
    )


api = NinjaAPI(
    title="OpenNRM API",
    version="1",
    description='National Referral Mechanism API. Errors: {"error": {"code", "message", "fields"}}.',
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error(exc.code, exc.message, exc.status, exc.fields)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for item in exc.errors:
        loc = [
            str(part)
            for part in item.get("loc", ())
            if part not in {"body", "query", "path", "payload"}
        ]
        fields[".".join(loc) or "__all__"] = str(item.get("msg", _("Invalid value.")))
    return error("validation_error", _("The request is not valid; see the fields."), 400, fields)


@api.exception_handler(DataError)
def _data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # A value the database cannot hold (an id beyond 64 bits, a date out of range): the client's
    # mistake, said as such; autocommit means the connection is usable for the next request.
    return error("invalid_value", _("A value in the request is out of range."), 400)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error("unauthenticated", _("Sign in or send a valid API token."), 401)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error("forbidden", _("You do not have permission to do this."), 403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error("not_found", _("Not found."), 404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {
        400: "bad_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        422: "validation_error",
    }
    return error(codes.get(exc.status_code, "error"), str(exc.message), exc.status_code)


for _app in settings.OPENNRM_APPS:
    _label = _app.rsplit(".", 1)[1]
    if find_spec(f"{_app}.api") is not None:
        api.add_router(f"/{_label}/", import_module(f"{_app}.api").router)


def openapi_schema(request: HttpRequest) -> JsonResponse:
    """The OpenAPI 3.1 document at /api/schema/ (also at /api/v1/openapi.json)."""
    return JsonResponse(
        api.get_openapi_schema(path_prefix="/api/v1"), json_dumps_params={"ensure_ascii": False}
    )
