"""The live server on SQLite in memory: one request at a time.

Django's live server hands the test's own in-memory SQLite connection to every request thread
(there is no other way to see the test's data), and the threaded server runs requests at once:
two statements on one ``sqlite3`` connection from two threads break with "bad parameter or other
API misuse" (a 500). Browsers, and a field app's service worker above all, send requests in
parallel. So on SQLite in memory the server's application runs under one lock per server, for
each request (not each connection: keep-alive connections would hold it), with the response
consumed inside it. PostgreSQL, where each thread has a connection of its own, is untouched.

The test's own thread shares that connection too. A test that does database work of its own while
the page sends requests (a progress bar polling while the test runs the background job, say) holds
the same lock for it: ``with live_server_sqlite.exclusive(): ...``. Without it, a poll's statements
ran inside the job's transaction, and one that failed there broke the job ("An error occurred in
the current transaction", a CI run).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.test.testcases import LiveServerThread

_create_server = LiveServerThread._create_server  # type: ignore[attr-defined]

_serving: list[threading.Lock] = []  # the lock of this process's live server, once it has one

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _one_at_a_time(app: App, lock: threading.Lock) -> App:
    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with lock:
            response = app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                close = getattr(response, "close", None)
                if close is not None:
                    close()

    return serve


def _create_serialised_server(self: LiveServerThread, connections_override: Any = None) -> Any:
    server = _create_server(self, connections_override=connections_override)
    shared = (connections_override or {}).values()
    if any(c.vendor == "sqlite" and c.is_in_memory_db() for c in shared):
        lock = threading.Lock()
        _serving[:] = [lock]
        set_app = server.set_app
        server.set_app = lambda app: set_app(_one_at_a_time(app, lock))
    return server


@contextmanager
def exclusive() -> Iterator[None]:
    """The test's own database work, while the live server serves no request (SQLite in memory);
    elsewhere, or before a server has started, nothing is held."""
    if not _serving:
        yield
        return
    with _serving[0]:
        yield


def install() -> None:
    LiveServerThread._create_server = _create_serialised_server  # type: ignore[attr-defined]
