"""Forms that record something done now start from today's date in Belgrade (issue 20): the
decision forms did already; the guardian, shelter, permit and departure forms started empty."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from opennrm.accounts.models import User
from tests.cases.helpers import accepted_case

# 23:30 UTC on 4 December is already 5 December in Belgrade.
LATE = datetime(2026, 12, 4, 23, 30, tzinfo=ZoneInfo("UTC"))
TODAY = 'value="2026-12-05"'


@pytest.mark.parametrize("step", ["presume_victim", "guardian", "shelter", "permit"])
def test_a_form_for_something_done_now_starts_from_today(
    personas: dict[str, User], client_for: Callable[[str], Client], step: str
) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    with time_machine.travel(LATE, tick=False):
        page = client_for("vesna").get(reverse("cases:case_step", args=[case.pk, step]))
        assert TODAY in page.content.decode(), step
