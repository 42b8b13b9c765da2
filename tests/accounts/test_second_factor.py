"""Two-factor codes that hold (issue 13, finding 2): limited per user and per address, each
failure audited, a lockout lifted like a password lockout."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from opennrm.accounts import selectors, services
from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.demo.base import totp_code
from opennrm.demo.personas import DEMO_PASSWORD

WRONG = "000000"


def _at_second_step(username: str, address: str = "127.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"login": username, "password": DEMO_PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    return client


def _code(client: Client, code: str) -> str:
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    if response.status_code == 302:
        return "signed in"
    html = response.content.decode()
    for message in ("Incorrect code.", "Too many wrong codes"):
        if message in html:
            return message
    raise AssertionError(html)


def test_five_wrong_codes_are_free_then_each_waits_twice_as_long(
    personas: dict[str, User],
) -> None:
    start = timezone.now()
    vesna = personas["vesna"]
    with time_machine.travel(start, tick=False):
        client = _at_second_step("vesna")
        assert [_code(client, WRONG) for _ in range(5)] == ["Incorrect code."] * 5
        # After five, the next code waits one second; one sent sooner is refused unchecked, and
        # counts: even the right code.
        sixth = client.post("/accounts/2fa/authenticate/", {"code": totp_code(vesna)})
        assert "Too many wrong codes. Wait 1 second before the next try." in sixth.content.decode()
    with time_machine.travel(start + timedelta(seconds=1.5), tick=False):
        # Six failures: two seconds after the last one, half a second to go.
        seventh = client.post("/accounts/2fa/authenticate/", {"code": totp_code(vesna)})
        assert (
            "Too many wrong codes. Wait 1 second before the next try." in seventh.content.decode()
        )
    with time_machine.travel(start + timedelta(seconds=3.5), tick=False):
        # Seven failures: four seconds after the last one.
        assert selectors.second_factor_state(user=vesna, ip_address="").wait_seconds == 2
    with time_machine.travel(start + timedelta(seconds=5.6), tick=False):
        cache.clear()
        assert _code(client, totp_code(vesna)) == "signed in"
    # The right code ends the run of failures.
    assert (
        selectors.second_factor_state(user=personas["vesna"], ip_address="10.9.9.9").locked is False
    )


def test_ten_failures_lock_the_second_step_until_an_administrator_unlocks(
    personas: dict[str, User],
) -> None:
    client = _at_second_step("milan")
    for _ in range(10):
        _code(client, WRONG)
    cache.clear()
    assert _code(client, totp_code(personas["milan"])) == "Too many wrong codes"
    response = client.post("/accounts/2fa/authenticate/", {"code": WRONG})
    assert (
        "Too many wrong codes: two-factor sign-in is paused for 30 minutes. "
        "An administrator can lift the pause."
    ) in response.content.decode()
    lockout = AuditEntry.objects.get(verb="auth.mfa_lockout")
    assert (lockout.actor, lockout.flagged, lockout.changes["failures"]) == (
        personas["milan"],
        True,
        10,
    )
    assert AuditEntry.objects.filter(verb="auth.mfa_failed", actor=personas["milan"]).count() == 9
    assert [lock.username for lock in selectors.lockout_list(actor=personas["ivan"])] == ["milan"]
    assert services.user_unlock(actor=personas["ivan"], username="milan") == 10
    cache.clear()
    fresh = _at_second_step("milan")
    assert _code(fresh, totp_code(personas["milan"])) == "signed in"


def test_the_lock_lifts_by_itself_after_the_lockout_minutes(personas: dict[str, User]) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = _at_second_step("jelena")
        for _ in range(10):
            _code(client, WRONG)
        assert selectors.second_factor_state(user=personas["jelena"], ip_address="").locked
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert not selectors.second_factor_state(user=personas["jelena"], ip_address="").locked


def test_failures_from_one_address_count_across_users(personas: dict[str, User]) -> None:
    for username in ("vesna", "milan"):
        client = _at_second_step(username, "203.0.113.7")
        for _ in range(5):
            _code(client, WRONG)
    # The address is locked for everyone; the same person from elsewhere is not.
    assert selectors.second_factor_state(user=personas["ana"], ip_address="203.0.113.7").locked
    assert not selectors.second_factor_state(user=personas["ana"], ip_address="198.51.100.1").locked
    ana = _at_second_step("ana", "203.0.113.7")
    assert _code(ana, totp_code(personas["ana"])) == "Too many wrong codes"
    elsewhere = _at_second_step("ana", "198.51.100.1")
    cache.clear()
    assert _code(elsewhere, totp_code(personas["ana"])) == "signed in"


def test_reauthentication_by_code_is_limited_too(
    personas: dict[str, User], totp_client: Callable[[str], Client]
) -> None:
    client = totp_client("nada")
    for _ in range(10):
        client.post("/accounts/2fa/reauthenticate/", {"code": WRONG})
    assert selectors.second_factor_state(user=personas["nada"], ip_address="").locked
    assert (
        AuditEntry.objects.filter(verb__startswith="auth.mfa_", actor=personas["nada"]).count()
        == 10
    )
