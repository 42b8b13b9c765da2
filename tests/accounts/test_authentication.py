"""Sign-in hardening: hashing, password rules, auditing, lockout, CSRF, two-factor, sessions."""

from __future__ import annotations

import importlib
import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from opennrm.accounts import services
from opennrm.accounts.models import Agency, User
from opennrm.accounts.passwords import PredictablePasswordValidator
from opennrm.audit.models import AuditEntry
from opennrm.demo.base import totp_code
from opennrm.demo.personas import DEMO_PASSWORD

GOOD_PASSPHRASE = "tramvaj devet kasni u zoru"


def _main_text(response: object) -> str:
    """The visible text of <main>, without tags, tokens or whitespace differences."""
    html = response.content.decode()  # type: ignore[attr-defined]
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


@pytest.fixture
def trainer(agencies: dict[str, Agency]) -> User:
    """A role that needs no second factor, so a password alone completes sign-in."""
    return services.user_create(
        actor=None,
        username="petar",
        agency=agencies["judicial_academy"],
        roles=["trainer"],
        password=GOOD_PASSPHRASE,
    )


# --- hashing and password rules -------------------------------------------------------------


def test_argon2_is_the_first_password_hasher_in_the_real_settings() -> None:
    real = importlib.import_module("opennrm.settings")
    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    encoded = Argon2PasswordHasher().encode(GOOD_PASSPHRASE, Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")
    assert Argon2PasswordHasher().verify(GOOD_PASSPHRASE, encoded)
    assert not Argon2PasswordHasher().verify(GOOD_PASSPHRASE + "!", encoded)


def test_the_real_settings_require_twelve_characters_and_refuse_common_and_predictable() -> None:
    real = importlib.import_module("opennrm.settings")
    names = [v["NAME"].rsplit(".", 1)[1] for v in real.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "PredictablePasswordValidator",
    ]
    assert real.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"] == {"min_length": 12}


def _refusals(password: str) -> list[str]:
    try:
        validate_password(password)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def test_a_password_of_eleven_characters_is_too_short() -> None:
    assert _refusals("k7#Vp2qL!x9") == [
        "This password is too short. It must contain at least 12 characters."
    ]


def test_a_common_password_is_refused() -> None:
    assert "This password is too common." in _refusals("justinbieber")


def test_a_good_passphrase_passes_every_rule() -> None:
    assert _refusals(GOOD_PASSPHRASE) == []
    assert _refusals("Sunčano jutro na Dunavu") == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("aaaaaaaaaaaaaaaa", "This password repeats too few characters."),
        ("abababababababab", "This password repeats too few characters."),
        ("qwertyuiopasdf", "This password is a keyboard or alphabet sequence."),
        ("987654321098", "This password is a keyboard or alphabet sequence."),
        ("abcdefghijklmnop", "This password is a keyboard or alphabet sequence."),
        ("zyxwvutsrqpon", "This password is a keyboard or alphabet sequence."),
        ("P@ssw0rd!!", "This password is a common word with a few characters added."),
        ("Lozinka2026!", "This password is a common word with a few characters added."),
        ("0p3nnrm-2026", "This password is a common word with a few characters added."),
        ("srbijasrbija", "This password is a common word with a few characters added."),
    ],
)
def test_predictable_passwords_are_refused(password: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PredictablePasswordValidator().validate(password)
    assert caught.value.messages == [message]


@pytest.mark.parametrize(
    "password", [GOOD_PASSPHRASE, "Beograd na vodi, ali sutra", "qwe-rty-kafa-7", "Passwords123"]
)
def test_passphrases_with_a_common_word_inside_are_not_predictable(password: str) -> None:
    PredictablePasswordValidator().validate(password)


# --- sign-in auditing and lockout -----------------------------------------------------------

LOCKOUT_CALLABLE = "opennrm.accounts.lockout.lockout_username"


def test_the_real_settings_count_failures_by_the_typed_username() -> None:
    real = importlib.import_module("opennrm.settings")
    assert getattr(real, "AXES_USERNAME_CALLABLE", None) == LOCKOUT_CALLABLE


def test_the_lockout_username_is_folded_so_casing_gives_no_extra_attempts() -> None:
    from opennrm.accounts.lockout import lockout_username

    assert lockout_username(None, {"username": " Ana "}) == "ana"
    assert lockout_username(None, {"login": "ANA"}) == "ana"
    assert lockout_username(None, None) == ""


def _login(client: Client, username: str, password: str) -> object:
    return client.post("/accounts/login/", {"login": username, "password": password})


def test_a_successful_sign_in_is_audited(trainer: User) -> None:
    response = _login(Client(), "petar", GOOD_PASSPHRASE)
    assert response.status_code == 302  # type: ignore[attr-defined]
    entry = AuditEntry.objects.get(verb="auth.login")
    assert (entry.actor, entry.actor_label, entry.flagged) == (trainer, "petar", False)


def test_a_failed_sign_in_is_audited_without_the_password(trainer: User) -> None:
    response = _login(Client(), "petar", "wrong guess of a password")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "The username and/or password you specified are not correct." in _main_text(response)
    entry = AuditEntry.objects.get(verb="auth.login_failed")
    assert (entry.actor, entry.actor_label) == (None, "petar")
    assert "wrong guess" not in str(entry.changes) + entry.purpose


def test_five_failures_lock_the_username_and_flag_it_for_the_auditor(trainer: User) -> None:
    client = Client()
    for _attempt in range(4):
        assert _login(client, "petar", "wrong guess of a password").status_code == 200  # type: ignore[attr-defined]
    locked = _login(client, "petar", "wrong guess of a password")
    assert locked.status_code == 429  # type: ignore[attr-defined]
    # Even the right password is refused while the lock lasts.
    again = _login(Client(), "petar", GOOD_PASSPHRASE)
    assert again.status_code == 429  # type: ignore[attr-defined]
    assert not AuditEntry.objects.filter(verb="auth.login").exists()
    assert "Try again in 30 minutes" in _main_text(again)
    lockouts = AuditEntry.objects.filter(verb="auth.lockout")
    assert lockouts.count() >= 1
    assert all(e.flagged and e.actor_label == "petar" for e in lockouts)
    # The five wrong passwords, and the right one refused while locked.
    assert AuditEntry.objects.filter(verb="auth.login_failed").count() == 6


def test_a_locked_account_looks_exactly_like_a_username_that_does_not_exist(
    trainer: User,
) -> None:
    responses = {}
    for username in ("petar", "nobody-by-this-name"):
        client = Client()
        for _attempt in range(5):
            _login(client, username, "wrong guess of a password")
        responses[username] = _login(client, username, "wrong guess of a password")
    real, unknown = responses["petar"], responses["nobody-by-this-name"]
    assert real.status_code == unknown.status_code == 429  # type: ignore[attr-defined]
    assert _main_text(real) == _main_text(unknown)
    assert _main_text(real) == (
        "Sign-in paused Too many failed sign-in attempts were made with this username. "
        "Try again in 30 minutes, or ask your administrator to unlock it. Back to sign-in"
    )


def test_the_unlock_command_lets_the_user_sign_in_again(trainer: User) -> None:
    from django.core.management import call_command

    for _attempt in range(5):
        _login(Client(), "petar", "wrong guess of a password")
    assert _login(Client(), "petar", GOOD_PASSPHRASE).status_code == 429  # type: ignore[attr-defined]
    call_command("unlock", "petar")
    assert _login(Client(), "petar", GOOD_PASSPHRASE).status_code == 302  # type: ignore[attr-defined]
    unlock = AuditEntry.objects.get(verb="auth.unlock")
    assert unlock.target_label == "user petar"
    assert unlock.changes == {"failed_sign_ins_cleared": 6}


def test_the_sign_in_form_enforces_csrf(trainer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = _login(client, "petar", GOOD_PASSPHRASE)
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "_auth_user_id" not in client.session
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    ok = client.post(
        "/accounts/login/",
        {"login": "petar", "password": GOOD_PASSPHRASE, "csrfmiddlewaretoken": token},
    )
    assert ok.status_code == 302


def test_sign_up_is_closed(db: None) -> None:
    client = Client()
    page = client.get("/accounts/signup/")
    assert "Sign Up Closed" in _main_text(page)
    client.post(
        "/accounts/signup/",
        {"username": "intruder", "password1": GOOD_PASSPHRASE, "password2": GOOD_PASSPHRASE},
    )
    assert not User.objects.filter(username="intruder").exists()


# --- two-factor ----------------------------------------------------------------------------


def test_password_then_totp_signs_a_case_manager_in(personas: dict[str, User]) -> None:
    client = Client()
    first = _login(client, "vesna", DEMO_PASSWORD)
    assert first["Location"] == "/accounts/2fa/authenticate/"  # type: ignore[index]
    assert client.get("/").status_code == 302  # not signed in before the second factor
    assert not AuditEntry.objects.filter(verb="auth.login").exists()
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    done = client.post("/accounts/2fa/authenticate/", {"code": totp_code(personas["vesna"])})
    assert done["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(verb="auth.login", actor=personas["vesna"]).count() == 1


@pytest.mark.parametrize(
    ("steps_back", "accepted"), [(0, True), (1, True), (2, False), (-2, False)]
)
def test_a_code_one_step_old_is_accepted_two_steps_is_not(
    personas: dict[str, User], steps_back: int, accepted: bool
) -> None:
    """A code typed as it rolls over (one 30-second step) still signs in; older or future ones do not."""
    client = Client()
    _login(client, "vesna", DEMO_PASSWORD)
    code = totp_code(personas["vesna"], at=time.time() - 30 * steps_back)
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert (response.status_code == 302) is accepted
    assert client.get("/").status_code == (200 if accepted else 302)


def test_a_used_code_is_refused_as_replay(personas: dict[str, User]) -> None:
    code = totp_code(personas["vesna"])
    first, second = Client(), Client()
    _login(first, "vesna", DEMO_PASSWORD)
    assert first.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    _login(second, "vesna", DEMO_PASSWORD)
    replay = second.post("/accounts/2fa/authenticate/", {"code": code})
    assert replay.status_code == 200
    assert second.get("/").status_code == 302
    # The person is told why the right code failed, not just "Incorrect code." (issue 20).
    assert "This code has already been used. Wait for the next code" in replay.content.decode()
    assert "Incorrect code." not in replay.content.decode()


@pytest.fixture
def unenrolled(agencies: dict[str, Agency]) -> User:
    return services.user_create(
        actor=None,
        username="novak",
        agency=agencies["cptv"],
        roles=["case_manager"],
        password=GOOD_PASSPHRASE,
    )


def test_a_pii_role_without_totp_is_sent_to_enrolment(unenrolled: User) -> None:
    client = Client()
    client.force_login(unenrolled)
    for url in ("/", "/manage/profile/"):
        response = client.get(url)
        assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_the_api_refuses_a_pii_role_without_totp(unenrolled: User) -> None:
    client = Client()
    client.force_login(unenrolled)
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "unauthenticated",
            "message": "Sign in or send a valid API token.",
            "fields": {},
        }
    }
    _token, plaintext = services.token_issue(actor=None, user=unenrolled, name="script")
    by_token = Client().get("/api/v1/accounts/me", headers={"authorization": f"Bearer {plaintext}"})
    assert by_token.status_code == 401


@pytest.mark.parametrize(
    ("role", "agency"),
    [
        ("trainer", "judicial_academy"),
        ("justice", "prosecution"),
        ("coordinator", "coe"),
        ("national_coordinator", "nco"),
    ],
)
def test_every_role_that_reads_about_victims_or_trainees_must_enrol_a_second_factor(
    agencies: dict[str, Agency], role: str, agency: str
) -> None:
    """Finding 9: justice, coordinators and trainers read case codes, microdata or trainees'
    names; a password alone no longer opens any page or the API."""
    services.user_create(
        actor=None,
        username="petra",
        agency=agencies[agency],
        roles=[role],
        password=GOOD_PASSPHRASE,
    )
    client = Client()
    _login(client, "petra", GOOD_PASSPHRASE)
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/api/v1/accounts/me").status_code == 401


# --- session lifetime ----------------------------------------------------------------------


def test_fifteen_idle_minutes_end_the_session(personas: dict[str, User]) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(personas["vesna"])
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=14, seconds=50), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        response = client.get("/")
        assert response["Location"] == "/accounts/login/?next=/"
        followed = client.get(response["Location"])
        assert "You were signed out after 15 minutes without activity." in _main_text(followed)
        assert client.get("/").status_code == 302


def test_twelve_hours_end_the_session_however_active(personas: dict[str, User]) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(personas["vesna"])
        client.get("/")
    for step in range(1, 72):  # every 10 minutes for 11 h 50 min
        with time_machine.travel(start + timedelta(minutes=10 * step), tick=False):
            assert client.get("/").status_code == 200, step
    with time_machine.travel(start + timedelta(hours=12, minutes=5), tick=False):
        assert client.get("/")["Location"] == "/accounts/login/?next=/"


def _session_of(user: User) -> list[Session]:
    return [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]


@pytest.mark.parametrize("change", ["roles", "disable"])
def test_an_access_change_deletes_the_stored_sessions_at_once(
    personas: dict[str, User], change: str
) -> None:
    client = Client()
    client.force_login(personas["vesna"])
    assert client.get("/").status_code == 200
    assert len(_session_of(personas["vesna"])) == 1
    other = Client()
    other.force_login(personas["milan"])
    if change == "roles":
        services.user_set_roles(
            actor=personas["ivan"], user=personas["vesna"], roles=["case_manager", "justice"]
        )
    else:
        services.user_set_active(actor=personas["ivan"], user=personas["vesna"], active=False)
    assert _session_of(personas["vesna"]) == []
    assert client.get("/")["Location"] == "/accounts/login/?next=/"
    assert other.get("/").status_code == 200  # nobody else's session ends


def test_a_session_that_escaped_deletion_still_ends_by_its_epoch(personas: dict[str, User]) -> None:
    client = Client()
    client.force_login(personas["vesna"])
    client.get("/")
    [stored] = _session_of(personas["vesna"])
    kept = (stored.session_key, stored.session_data, stored.expire_date)
    services.user_set_roles(actor=personas["ivan"], user=personas["vesna"], roles=["case_manager"])
    # A copy of the session restored (a replica, a cache) is still refused: its epoch is old.
    Session.objects.create(session_key=kept[0], session_data=kept[1], expire_date=kept[2])
    response = client.get("/")
    assert response["Location"] == "/accounts/login/?next=/"
    assert "Your access changed; sign in again." in _main_text(client.get(response["Location"]))


def test_a_disabled_users_token_stops_working(personas: dict[str, User]) -> None:
    _token, plaintext = services.token_issue(actor=None, user=personas["vesna"], name="script")
    headers = {"authorization": f"Bearer {plaintext}"}
    assert Client().get("/api/v1/accounts/me", headers=headers).status_code == 200
    services.user_set_active(actor=personas["ivan"], user=personas["vesna"], active=False)
    assert Client().get("/api/v1/accounts/me", headers=headers).status_code == 401
    # Re-enabling does not bring the token back: any change of access ends the owner's tokens.
    services.user_set_active(actor=personas["ivan"], user=personas["vesna"], active=True)
    assert Client().get("/api/v1/accounts/me", headers=headers).status_code == 401


def test_an_unknown_username_costs_one_password_hash_like_a_real_one(trainer: User) -> None:
    """No timing difference to enumerate accounts: both paths hash the typed password once."""
    from unittest import mock

    from django.contrib.auth.hashers import MD5PasswordHasher

    counts = {}
    for username in ("petar", "nobody-by-this-name"):
        with mock.patch.object(
            MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
        ) as encode:
            _login(Client(), username, "wrong guess of a password")
        counts[username] = encode.call_count
    assert counts == {"petar": 1, "nobody-by-this-name": 1}
