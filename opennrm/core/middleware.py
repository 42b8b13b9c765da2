"""Cross-cutting HTTP hardening that Django does not provide out of the box."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class RefuseTraceMiddleware:
    """No HTTP TRACE (or TRACK) anywhere: they only help cross-site tracing attacks."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"TRACE", "TRACK"}:
            return HttpResponseNotAllowed(
                ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
            )
        return self.get_response(request)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page served to a signed-in user.

    Pages may carry personal data; caching them in a shared browser or proxy would leak it. Static
    files never reach this middleware's branch (WhiteNoise answers them first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class PageGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (its random padding against BREACH included) for HTML pages only.

    Pages are what issue 20 weighs (a page within 150 KB on a first visit); API answers, CSV and
    XLSX downloads and the field app's sync go out as they are, for clients that read the bytes
    themselves (the API contract tests read them through WSGI, unencoded)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
