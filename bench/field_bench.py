"""Field work budgets in chromium (issue 18): the first screening question on screen from a cold
start offline with the CPU slowed ×4, and the sync of 50 queued screenings on a 3G profile.

Run alone, under the lock (it starts a live server and chromium):

    flock /tmp/opennrm-bench.lock .venv/bin/pytest -q -s -p no:cacheprovider bench/field_bench.py

The offline bundle's size is a test (tests/field/test_budget.py).
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from opennrm.accounts.models import User
from opennrm.screening.models import Screening
from tests.conftest import agencies, audit_flushable, personas  # noqa: F401 (fixtures)
from tests.e2e.conftest import browser, login_as, server_url  # noqa: F401 (fixtures)
from tests.e2e.test_field_offline import (  # noqa: F401 (fixtures)
    _installed,
    _open_field,
    _page,
    catalogues,
    go_offline,
    go_online,
    launch,
)
from tests.screening.helpers import ADULT_POSITIVE

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = int(os.environ.get("FIELD_ROUNDS", "3"))
# The page's performance marks (field.js ``mark``), ms from the navigation's start.
MARKS = "Object.fromEntries(performance.getEntriesByType('mark').map(m => [m.name, m.startTime]))"
# Chrome DevTools' "Fast 3G": 562.5 ms latency, 1.44 Mbit/s down, 675 kbit/s up.
THREE_G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1_440_000 / 8,
    "uploadThroughput": 675_000 / 8,
}


def test_first_question_from_a_cold_start_offline(
    launch: Callable[..., BrowserContext],  # noqa: F811
    login_as: Callable[[Page, str], None],  # noqa: F811
    personas: dict[str, User],  # noqa: F811
) -> None:
    first = launch("phone")
    page = _page(first)
    login_as(page, "ana")
    _open_field(page)
    _installed(page)
    first.close()
    totals, unlocks, apps = [], [], []
    splits: list[tuple[float, float, float]] = []
    for _ in range(ROUNDS):
        context = launch("phone", offline=True)
        page = _page(context)
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
        started = time.perf_counter()
        page.goto("/field/")
        expect(page.locator("#field")).to_have_attribute("data-state", "locked")
        page.fill("#fw-pin", "482193")
        unlock = time.perf_counter()
        page.locator("#fw-unlock button[type=submit]").click()
        expect(page.locator("#field")).to_have_attribute("data-state", "open")
        unlocks.append(time.perf_counter() - unlock)
        page.locator("#fw-new").click()
        page.locator("#fw-start button[type=submit]").click()
        expect(page.locator("#fw-interview fieldset").first).to_be_visible()
        totals.append(time.perf_counter() - started)
        marks = page.evaluate(MARKS)
        if "fw-question" not in marks:  # code from before the marks (a side-by-side run)
            context.close()
            continue
        steps = (
            marks["fw-locked"],  # navigation start → the lock screen, ready for the PIN
            marks["fw-open"] - marks["fw-unlock"],  # the PIN → the app open
            marks["fw-question"] - marks["fw-start"],  # "start the interview" → the question
        )
        apps.append(sum(steps) / 1000)
        splits.append(steps)
        context.close()
    print(
        f"\nfirst question, cold start offline, CPU x4: median {statistics.median(totals):.3f} s "
        f"(runs {', '.join(f'{t:.3f}' for t in totals)}); of which PIN unlock median "
        f"{statistics.median(unlocks):.3f} s"
        + (
            f"\nthe page's own time (performance marks: navigation → lock screen + PIN → open + start "
            f"→ question, without the robot's clicks): median {statistics.median(apps):.3f} s (runs "
            + ", ".join(
                f"{sum(s) / 1000:.3f} = {s[0]:.0f}+{s[1]:.0f}+{s[2]:.0f} ms" for s in splits
            )
            + ")"
            if apps
            else ""
        )
    )


def test_sync_of_50_items_on_3g(
    launch: Callable[..., BrowserContext],  # noqa: F811
    login_as: Callable[[Page, str], None],  # noqa: F811
    personas: dict[str, User],  # noqa: F811
    tmp_path: Path,
) -> None:
    context = launch("phone")
    page = _page(context)
    login_as(page, "ana")
    _open_field(page)
    go_offline(context)
    items = [
        {
            "id": str(uuid.uuid4()),
            "kind": "screening",
            "device_time": "2026-12-01T10:00:00+00:00",
            "payload": {
                "age_group": "adult",
                "exploitation": ["labour"],
                "answers": ADULT_POSITIVE,
                "place": "Bus station",
            },
        }
        for _ in range(50)
    ]
    page.evaluate(
        "(items) => Promise.all(items.map((i) => OpenNRMStore.put('q:' + i.id, i)))", items
    )
    page.locator("#fw-lock").click()  # reopen, so that the status counts the queue
    _open_field(page)
    expect(page.locator("#fw-queue")).to_have_text("50")
    context.new_cdp_session(page).send("Network.emulateNetworkConditions", THREE_G)
    started = time.perf_counter()
    go_online(context)
    expect(page.locator("#fw-queue")).to_have_text("0", timeout=60_000)
    took = time.perf_counter() - started
    assert Screening.objects.count() == 50
    print(f"\nsync of 50 screenings on Fast 3G: {took:.2f} s")
