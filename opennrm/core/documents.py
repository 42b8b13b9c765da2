"""PDF rendering of a template with WeasyPrint, with static files resolved locally (no network)."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


def _local_static(url: str) -> dict[str, Any]:
    """WeasyPrint URL fetcher: only this app's static files, never the network."""
    from weasyprint.urls import default_url_fetcher

    marker = "/static/"
    if marker in url:
        path = finders.find(url.split(marker, 1)[1])
        if path:
            fetched: dict[str, Any] = default_url_fetcher(f"file://{path}")
            return fetched
    if url.startswith("data:"):
        inline: dict[str, Any] = default_url_fetcher(url)
        return inline
    raise ValueError(f"Refusing to fetch {url!r} while rendering a PDF.")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return bytes(
        HTML(string=html, base_url="http://opennrm.local/", url_fetcher=_local_static).write_pdf()
    )
