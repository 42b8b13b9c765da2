"""The REST API (django-ninja, OpenAPI 3.1) under /api/v1/, with one error format everywhere.

Authentication: the browser session (CSRF-checked) or a bearer token (``Authorization: Bearer
onrm_…``). Either way the request acts as the user, with the user's current roles — a token never
carries more, and less when its scope says so: a ``read`` token may only use safe methods, and a
token reaches only its ``areas`` (``/api/v1/<area>/…``). Each app with an ``api`` module exposing
``router`` is mounted at ``/api/v1/<label>/``.

The schema and the interactive docs need a signed-in user or a valid token unless
``OPENNRM_API_SCHEMA_PUBLIC`` is on (the development default).

Every operation's refusals are declared in the schema with the one error format (``ErrorOut``):
400 (a value the API cannot take), 401 and 403 (for operations that need a caller), 404 (a record
that does not exist or is out of the caller's scope) and, for writes, 409 (a stale ``version`` or
an impossible step). ``declare_errors`` adds them; an operation declares others itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from opennrm.accounts.models import TokenScope, User
from opennrm.accounts.roles import MFA_REQUIRED_ROLES
from opennrm.core.apischemas import ErrorOut
from opennrm.core.errors import DomainError

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _usable(user: Any, *, service: bool = False) -> User | None:
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    if user.is_service_account:
        # A service account never signs in with a session; it has no second factor to enrol.
        return user if service else None
    if user.roles & MFA_REQUIRED_ROLES and not is_mfa_enabled(user):
        return None
    return user


def _area(request: HttpRequest) -> str:
    """The API area of the request: ``statistics`` for ``/api/v1/statistics/…``."""
    prefix = "/api/v1/"
    path = request.path_info
    return path[len(prefix) :].split("/", 1)[0] if path.startswith(prefix) else ""


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; unsafe methods need the CSRF token (checked by ninja)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # No session cookie, no session to ride on: the caller is simply not signed in (401),
        # not refused a CSRF check it had no reason to pass (ninja's 403 "CSRF check Failed").
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return _usable(getattr(request, "user", None))


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        from opennrm.accounts.services import token_authenticate

        found = token_authenticate(token)
        user = _usable(found.user, service=True) if found is not None else None
        if found is None or user is None:
            return None
        if found.scope != TokenScope.WRITE and request.method not in _SAFE_METHODS:
            raise HttpError(403, _("This API token may only read."))
        if _area(request) not in found.areas:
            raise HttpError(403, _("This API token does not cover this part of the API."))
        request.user = user
        request.api_token = found  # type: ignore[attr-defined]
        return user


def signed_in_for_docs[V: Callable[..., HttpResponse]](view: V) -> V:
    """The schema and docs: public only with ``OPENNRM_API_SCHEMA_PUBLIC``, else for a signed-in
    user (past two-factor) or a valid token."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.OPENNRM_API_SCHEMA_PUBLIC:
            user = _usable(getattr(request, "user", None))
            if user is None:
                header = request.headers.get("Authorization", "")
                scheme, _sep, key = header.partition(" ")
                if scheme.lower() == "bearer" and key:
                    from opennrm.accounts.services import token_authenticate

                    found = token_authenticate(key.strip())
                    user = _usable(found.user, service=True) if found else None
            if user is None:
                return error("unauthenticated", _("Sign in or send a valid API token."), 401)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


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
    docs_decorator=signed_in_for_docs,
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error(exc.code, exc.message, exc.status, exc.fields)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for item in exc.errors:
        # ("body", "payload", "body") is the field ``body`` of the request body: only the
        # leading location and the parameter's name go, so a field called body is still named.
        loc = [str(part) for part in item.get("loc", ())]
        if loc and loc[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
            loc = loc[1:]
        if loc and loc[0] == "payload":
            loc = loc[1:]
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


def declare_errors(router: Router) -> None:
    """Declare the refusals every operation of ``router`` (and its sub-routers) may answer, in
    the error format, beside the answers it declares itself (which win)."""
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            statuses = [400, 404]
            if operation.auth_param is not None:
                statuses += [401, 403]
            if set(operation.methods) - _SAFE_METHODS:
                statuses.append(409)
            for status in statuses:
                operation.response_models.setdefault(
                    status, operation._create_response_model(ErrorOut)
                )
    for _prefix, child, *_rest in router._routers:
        declare_errors(child)


for _app in settings.OPENNRM_APPS:
    _label = _app.rsplit(".", 1)[1]
    if find_spec(f"{_app}.api") is not None:
        _router = import_module(f"{_app}.api").router
        declare_errors(_router)
        api.add_router(f"/{_label}/", _router)


@signed_in_for_docs
def openapi_schema(request: HttpRequest) -> HttpResponse:
    """The OpenAPI 3.1 document at /api/schema/ (also at /api/v1/openapi.json), its paths under
    the API's own root as Django resolves them."""
    return JsonResponse(api.get_openapi_schema(), json_dumps_params={"ensure_ascii": False})
