"""The site as a person reaches it: the HTML pages linked from home, followed by GET only.

Shared by the language check (tests/core/test_no_english.py) and the accessibility walk
(tests/e2e/test_every_page.py), so both see the same pages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

# Never followed: signing out, switching language, the API, files.
SKIP_PREFIXES = ("/accounts/logout", "/i18n/", "/api/", "/static/", "/media/", "/metrics")


class Links(HTMLParser):
    """The ``href`` of every ``<a>`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def crawl(
    client: Client,
    *,
    per_pattern: int = 1,
    skip: Callable[[str, str], bool] = lambda path, view_name: False,
) -> Iterator[tuple[str, str, str]]:
    """(url, view name, HTML) of each page reachable from home, breadth first, at most
    ``per_pattern`` URLs per URL pattern; ``skip(path, view name)`` leaves a link out. A page that
    answers 500 or more fails; redirects and other content types are passed over."""
    queue, seen = ["/"], {"/"}
    taken: dict[str, int] = defaultdict(int)
    while queue:
        url = queue.pop(0)
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        yield url, resolve(urlsplit(url).path).view_name, html
        parser = Links()
        parser.feed(html)
        for href in parser.links:
            target = urldefrag(href)[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if target in seen or parts.path.startswith(SKIP_PREFIXES):
                continue
            try:
                view_name = resolve(parts.path).view_name
            except Resolver404:
                continue
            if skip(parts.path, view_name) or taken[view_name] >= per_pattern:
                continue
            taken[view_name] += 1
            seen.add(target)
            queue.append(target)
