"""Request facts (client address) that audit entries carry, without threading ``request`` through
every service signature."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class RequestFacts:
    ip: str = ""


_EMPTY = RequestFacts()
_current: ContextVar[RequestFacts] = ContextVar("opennrm_request_facts", default=_EMPTY)


def current() -> RequestFacts:
    return _current.get()


@contextmanager
def request_context(request: HttpRequest) -> Iterator[None]:
    token = _current.set(RequestFacts(ip=str(request.META.get("REMOTE_ADDR", ""))[:64]))
    try:
        yield
    finally:
        _current.reset(token)
