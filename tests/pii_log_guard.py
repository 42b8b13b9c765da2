"""A pytest plugin: the logs of the whole test suite must hold no demo name (issue 13).

The suite's data is made with the demo's synthetic names (``cases.demo_names``, the benchmark
generator's lists, the tests' own helpers), so a personal name in any log line — an access line
with a search in its query string, an error quoting a form value, a warning naming a record — shows
up here. A handler collects every record at INFO and above from the root logger and from the
loggers that do not propagate to it (``django.server``, ``gunicorn.*``); the access logger
``opennrm.request`` is opened to INFO for the run so that its lines are checked too.

Every request the suite makes (test client or live server) also gets an access line, as a web
server writes one (method, full path with its query string, status) on the ``tests.access``
logger: a name sent in a URL is caught as it would be in gunicorn's access log.

After each test, the records it produced are searched for the names (family names, both scripts,
whole words, case-sensitive); a hit fails the test at teardown, naming the logger and the line.
Records that arrive outside any test (a live server's thread finishing late, session fixtures)
are checked when the session ends, which then fails. Each xdist worker checks its own records.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from urllib.parse import unquote_plus

import pytest

# Loggers that keep their records to themselves (``propagate`` false in Django's defaults or in
# gunicorn's): the root handler never sees them.
_OWN_HANDLER_LOGGERS = ("django.server", "gunicorn.error", "gunicorn.access")
_OPENED_LOGGERS = ("opennrm.request",)
# Family names shorter than this are common words in other languages ("Li", "Stan").
_MIN_LENGTH = 4
# Names the tests themselves use for victims, besides the demo's lists.
_TEST_NAMES = ("Jovanović", "Radovanović", "Kovač", "Đorđević", "Janković", "Marić")


@cache
def demo_names() -> tuple[str, ...]:
    """Every family name of the demo's providers, in Cyrillic and Latin script."""
    from opennrm.cases import demo_names as demo
    from opennrm.cases.management.commands import generate_cases
    from opennrm.core.translit import to_latin

    families: set[str] = set(_TEST_NAMES)
    families.update(demo.SERBIAN_FAMILY, demo.ROMA_FAMILY)
    for origin in demo.FOREIGN:
        families.update(origin.family)
    families.update(getattr(generate_cases, "SERBIAN_FAMILY", ()))
    latin = families | {to_latin(name) for name in families}
    # As typed on a keyboard without diacritics: "Petrovic", "Djordjevic".
    ascii_forms = {_ascii(name) for name in latin}
    every = latin | ascii_forms
    return tuple(sorted(name for name in every if len(name) >= _MIN_LENGTH))


def _ascii(name: str) -> str:
    name = name.replace("Đ", "Dj").replace("đ", "dj")
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _pattern() -> re.Pattern[str]:
    names = "|".join(re.escape(name) for name in sorted(demo_names(), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{names})(?!\w)")


def names_in(text: str) -> list[str]:
    """The demo names found in ``text`` (whole words, case-sensitive), also once the text's
    percent-encoding is undone (a name in a logged URL is percent-encoded)."""
    found = set(_pattern().findall(text))
    decoded = unquote_plus(text)
    if decoded != text:
        found.update(_pattern().findall(decoded))
    return sorted(found)


class Collector(logging.Handler):
    """Keeps (logger name, formatted line with any traceback) of every record."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[tuple[str, str]] = []
        self.checked = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # a record that cannot be formatted is still checked as it is
            line = f"{record.msg!r} {record.args!r}"
        self.lines.append((record.name, line))

    def leaks(self) -> list[str]:
        """Lines since the last call that hold a demo name, as ``logger: names: line``."""
        new, self.checked = self.lines[self.checked :], len(self.lines)
        found = []
        for name, line in new:
            hits = names_in(line)
            if hits:
                found.append(f"{name}: {', '.join(hits)}: {line[:500]}")
        return found


_collector = Collector()
_outside: list[str] = []


def _targets() -> Iterable[logging.Logger]:
    yield logging.getLogger()
    for name in _OWN_HANDLER_LOGGERS:
        yield logging.getLogger(name)


def _attach() -> None:
    """(Re)attach the collector: Django's logging setup replaces the root logger's handlers."""
    for logger in _targets():
        if _collector not in logger.handlers:
            logger.addHandler(_collector)
    for name in _OPENED_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


_access = logging.getLogger("tests.access")


def _log_every_request() -> None:
    """Wrap Django's request handling to write an access line per request, query string and all."""
    from django.core.handlers.base import BaseHandler

    if getattr(BaseHandler.get_response, "_access_logged", False):
        return
    original = BaseHandler.get_response

    def get_response(self: BaseHandler, request: object) -> object:
        response = original(self, request)  # type: ignore[arg-type]
        _access.info(
            '"%s %s" %s',
            getattr(request, "method", "?"),
            request.get_full_path(),  # type: ignore[attr-defined]
            getattr(response, "status_code", "?"),
        )
        return response

    get_response._access_logged = True  # type: ignore[attr-defined]
    BaseHandler.get_response = get_response  # type: ignore[method-assign,assignment]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "names_in_logs_allowed(reason): the test itself sends a name where the server would "
        "log it (to show the request is refused); its log lines are not checked",
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    _attach()
    _log_every_request()


@pytest.fixture(autouse=True)
def _no_demo_name_in_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    _attach()
    _outside.extend(_collector.leaks())  # not this test's doing: reported at the session's end
    yield
    leaks = _collector.leaks()
    if request.node.get_closest_marker("names_in_logs_allowed") is not None:
        return
    if leaks:
        pytest.fail(
            "Personal names reached the logs (issue 13):\n" + "\n".join(leaks), pytrace=False
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    leaks = _outside + _collector.leaks()
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "Personal names reached the logs outside any test (issue 13):\n" + "\n".join(
            leaks
        )
        if reporter is not None:
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
