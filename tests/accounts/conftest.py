from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """allauth counts sign-in requests per address in the cache, which outlives a test's
    database; without a clear, a fast run of sign-in tests meets its 429 page."""
    cache.clear()
