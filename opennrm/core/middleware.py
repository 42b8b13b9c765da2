"""Cross-cutting HTTP hardening that Django does not provide out of the box."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed


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
