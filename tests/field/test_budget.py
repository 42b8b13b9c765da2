"""Budget: the offline bundle (shell, catalogues, scripts, styles) under 300 KB compressed."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from opennrm.field.views import shell_urls

pytestmark = pytest.mark.django_db

BUDGET = 300 * 1024


def test_the_offline_bundle_is_under_300_kb_compressed(
    client_for: Callable[[str], Client],
) -> None:
    client = client_for("ana")
    sizes = {}
    for url in shell_urls():
        if url.startswith(settings.STATIC_URL):
            found = finders.find(url.removeprefix(settings.STATIC_URL))
            assert found, url
            body = Path(str(found)).read_bytes()
        else:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content
        sizes[url] = len(gzip.compress(body, compresslevel=9))
    total = sum(sizes.values())
    assert total < BUDGET, sorted(sizes.items(), key=lambda kv: -kv[1])
    # The service worker caches every script and style the page loads, so it opens offline.
    page = client.get("/field/").content.decode()
    loaded = set(re.findall(r'<script src="([^"]+)"', page))
    loaded |= set(re.findall(r'<link rel="stylesheet" href="([^"]+)"', page))
    assert loaded
    assert loaded <= set(shell_urls()), loaded - set(shell_urls())
