"""User and agency administration pages, and "My account": permissions, forms, concurrency."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from opennrm.accounts import services
from opennrm.accounts.models import Agency, User
from opennrm.audit.models import AuditEntry
from tests.conftest import ALL_PERSONAS, assert_access

NEW_USER = {
    "username": "jovana",
    "first_name": "Jovana",
    "last_name": "Lukić",
    "email": "",
    "roles": ["justice"],
    "password": "kafa sa mlekom u sedam",
}


def _text(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def test_only_the_administrator_opens_the_administration_pages(
    client_for: Callable[[str], Client], personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    for url in (
        "/manage/users/",
        f"/manage/users/{personas['vesna'].pk}/",
        "/manage/agencies/",
        f"/manage/agencies/{agencies['cptv'].pk}/",
    ):
        assert_access(client_for, url, allowed=["ivan"])


def test_only_the_administrator_may_post_to_the_administration_actions(
    client_for: Callable[[str], Client], agencies: dict[str, Agency]
) -> None:
    target = services.user_create(
        actor=None,
        username="target",
        agency=agencies["csw_bg"],
        roles=["screener"],
        password="kafa sa mlekom u sedam",
    )
    for url, data in (
        (f"/manage/users/{target.pk}/active/", {"active": "0"}),
        (f"/manage/users/{target.pk}/unlock/", {}),
    ):
        assert_access(
            client_for, url, allowed=["ivan"], method="post", data=data, ok_statuses=(302,)
        )
    done = AuditEntry.objects.filter(verb__in=["user.disable", "auth.unlock"])
    assert sorted(done.values_list("verb", "actor_label")) == [
        ("auth.unlock", "ivan"),
        ("user.disable", "ivan"),
    ]


def test_everyone_has_their_own_account_page(client_for: Callable[[str], Client]) -> None:
    assert_access(client_for, "/manage/profile/", allowed=ALL_PERSONAS)


def test_navigation_offers_administration_only_to_the_administrator(
    client_for: Callable[[str], Client],
) -> None:
    assert 'href="/manage/users/"' in client_for("ivan").get("/").content.decode()
    for name in ("vesna", "zoran", "cedomir"):
        assert 'href="/manage/users/"' not in client_for(name).get("/").content.decode()


def test_the_administrator_creates_a_user_with_roles_and_agency(
    client_for: Callable[[str], Client], agencies: dict[str, Agency]
) -> None:
    response = client_for("ivan").post(
        "/manage/users/", {**NEW_USER, "agency": agencies["police_bg"].pk}
    )
    assert response.status_code == 302
    user = User.objects.get(username="jovana")
    assert (user.agency, user.roles, user.get_full_name()) == (
        agencies["police_bg"],
        frozenset({"justice"}),
        "Jovana Lukić",
    )
    assert user.check_password("kafa sa mlekom u sedam")
    entry = AuditEntry.objects.get(verb="user.create", target_label="user jovana")
    assert (entry.actor_label, entry.target_label) == ("ivan", "user jovana")
    assert "kafa" not in str(entry.changes)
    listing = client_for("ivan").get("/manage/users/", {"q": "jov"})
    assert "jovana" in _text(listing)
    assert "vesna" not in _text(listing)


def test_a_weak_password_is_refused_inline_and_the_input_kept(
    client_for: Callable[[str], Client], agencies: dict[str, Agency]
) -> None:
    response = client_for("ivan").post(
        "/manage/users/",
        {**NEW_USER, "password": "lozinka2026", "agency": agencies["police_bg"].pk},
    )
    assert response.status_code == 200
    text = _text(response)
    assert (
        "This password is too short. It must contain at least 12 characters. "
        "This password is a common word with a few characters added." in text
    )
    assert 'value="jovana"' in response.content.decode()
    assert not User.objects.filter(username="jovana").exists()


def test_a_taken_username_is_refused_on_its_field(
    client_for: Callable[[str], Client], agencies: dict[str, Agency]
) -> None:
    response = client_for("ivan").post(
        "/manage/users/", {**NEW_USER, "username": "Vesna", "agency": agencies["cptv"].pk}
    )
    html = response.content.decode()
    assert (
        '<div class="text-danger small" id="id_username_error"><p class="mb-0">This username is taken.</p></div>'
        in html
    )
    assert User.objects.filter(username__iexact="vesna").count() == 1


def test_changing_roles_ends_the_users_session(
    client_for: Callable[[str], Client], personas: dict[str, User]
) -> None:
    ana = client_for("ana")
    assert ana.get("/").status_code == 200
    response = client_for("ivan").post(
        f"/manage/users/{personas['ana'].pk}/", {"roles": ["screener", "trainer"]}
    )
    assert response.status_code == 302
    assert User.objects.get(username="ana").roles == frozenset({"screener", "trainer"})
    assert ana.get("/").status_code == 302
    entry = AuditEntry.objects.get(verb="user.roles")
    assert entry.changes == {"roles": [["screener"], ["screener", "trainer"]]}


def test_a_user_without_roles_is_refused(
    client_for: Callable[[str], Client], personas: dict[str, User]
) -> None:
    response = client_for("ivan").post(f"/manage/users/{personas['ana'].pk}/", {"roles": []})
    assert "This field is required." in _text(response)
    assert User.objects.get(username="ana").roles == frozenset({"screener"})


def test_disabling_and_enabling_an_account(
    client_for: Callable[[str], Client], personas: dict[str, User]
) -> None:
    vesna = client_for("vesna")
    assert vesna.get("/").status_code == 200
    url = f"/manage/users/{personas['vesna'].pk}/active/"
    client_for("ivan").post(url, {"active": "0"})
    assert not User.objects.get(username="vesna").is_active
    assert vesna.get("/").status_code == 302
    client_for("ivan").post(url, {"active": "1"})
    assert User.objects.get(username="vesna").is_active
    assert list(
        AuditEntry.objects.filter(verb__in=["user.disable", "user.enable"])
        .order_by("id")
        .values_list("verb", flat=True)
    ) == ["user.disable", "user.enable"]


def test_the_administrator_cannot_disable_himself(
    client_for: Callable[[str], Client], personas: dict[str, User]
) -> None:
    response = client_for("ivan").post(
        f"/manage/users/{personas['ivan'].pk}/active/", {"active": "0"}, follow=True
    )
    assert "You cannot disable your own account." in _text(response)
    assert User.objects.get(username="ivan").is_active


def test_the_administrator_creates_and_edits_an_agency(client_for: Callable[[str], Client]) -> None:
    ivan = client_for("ivan")
    ivan.post(
        "/manage/agencies/",
        {
            "name": "Safe House Novi Sad",
            "name_sr": "Сигурна кућа Нови Сад",
            "short_name": "SK NS",
            "type": "shelter",
            "municipality": "Novi Sad",
        },
    )
    agency = Agency.objects.get(name="Safe House Novi Sad")
    assert (agency.type, agency.version) == ("shelter", 1)
    response = ivan.post(
        f"/manage/agencies/{agency.pk}/",
        {
            "name": "Safe House Novi Sad",
            "name_sr": "Сигурна кућа Нови Сад",
            "short_name": "SK NS",
            "type": "cso",
            "municipality": "Novi Sad",
            "is_active": "on",
            "version": "1",
        },
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert (agency.type, agency.version) == ("cso", 2)
    entry = AuditEntry.objects.get(verb="agency.update")
    assert entry.changes == {"type": ["shelter", "cso"]}


def test_a_stale_agency_edit_is_refused_and_the_input_kept(
    client_for: Callable[[str], Client], personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    shelter = agencies["shelter"]
    services.agency_update(
        actor=personas["ivan"], agency=shelter, expected_version=1, municipality="Zemun"
    )
    response = client_for("ivan").post(
        f"/manage/agencies/{shelter.pk}/",
        {
            "name": shelter.name,
            "name_sr": shelter.name_sr,
            "short_name": "Shelter",
            "type": "shelter",
            "municipality": "Palilula",
            "is_active": "on",
            "version": "1",
        },
    )
    assert response.status_code == 200
    assert (
        "Someone else saved this record while you were editing it. Your changes were not saved; "
        "reload to see the latest version and apply them again." in _text(response)
    )
    assert 'value="Palilula"' in response.content.decode()
    shelter.refresh_from_db()
    assert (shelter.municipality, shelter.version) == ("Zemun", 2)


def test_an_agency_name_cannot_be_taken_twice(
    client_for: Callable[[str], Client], agencies: dict[str, Agency]
) -> None:
    response = client_for("ivan").post(
        f"/manage/agencies/{agencies['shelter'].pk}/",
        {"name": "labour inspectorate", "type": "shelter", "is_active": "on", "version": "1"},
    )
    assert (
        '<div class="text-danger small" id="id_name_error"><p class="mb-0">This name is taken.</p></div>'
        in (response.content.decode())
    )


@pytest.mark.parametrize("name", ["vesna", "cedomir"])
def test_a_user_issues_and_revokes_a_token_on_their_own_page(
    totp_client: Callable[[str], Client], name: str
) -> None:
    client = totp_client(name)
    page = client.post(
        "/manage/profile/", {"name": "laptop script", "scope": "read", "areas": ["accounts"]}
    )
    plaintext = re.search(r"onrm_[0-9a-f]{12}_[A-Za-z0-9_-]+", page.content.decode())
    assert plaintext is not None
    headers = {"authorization": f"Bearer {plaintext.group(0)}"}
    assert Client().get("/api/v1/accounts/me", headers=headers).json()["username"] == name
    # Shown once: the page reloaded shows only the prefix.
    assert plaintext.group(0) not in client.get("/manage/profile/").content.decode()
    token = User.objects.get(username=name).api_tokens.get()
    client.post(f"/manage/profile/tokens/{token.pk}/revoke/")
    assert Client().get("/api/v1/accounts/me", headers=headers).status_code == 401


def test_a_session_without_the_second_factor_cannot_issue_a_token(
    client_for: Callable[[str], Client], personas: dict[str, User]
) -> None:
    page = client_for("vesna").post(
        "/manage/profile/", {"name": "laptop script", "scope": "read", "areas": ["accounts"]}
    )
    assert "Issue API tokens from a session signed in with two-factor authentication." in _text(
        page
    )
    assert not personas["vesna"].api_tokens.exists()


def test_nobody_revokes_someone_elses_token_from_the_page(
    client_for: Callable[[str], Client], personas: dict[str, User]
) -> None:
    token, _plaintext = services.token_issue(actor=None, user=personas["vesna"], name="x")
    for name in ("cedomir", "ivan"):
        response = client_for(name).post(f"/manage/profile/tokens/{token.pk}/revoke/")
        assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_administrators_home_lists_locked_usernames_and_unlocks_them(
    client_for: Callable[[str], Client], personas: dict[str, User], settings: object
) -> None:
    settings.AXES_USERNAME_CALLABLE = "opennrm.accounts.lockout.lockout_username"  # type: ignore[attr-defined]
    # Signing in clears a user's failures (AXES_RESET_ON_SUCCESS): every persona signs in first.
    for name in ALL_PERSONAS:
        client_for(name)
    for username in ("ana", "ghost"):
        for _attempt in range(5):
            Client().post("/accounts/login/", {"login": username, "password": "wrong password!"})
    home = _text(client_for("ivan").get("/"))
    assert "Locked sign-ins" in home
    assert "ghost no such account 5" in home
    assert "ana 5" in home
    for name in ("vesna", "zoran", "cedomir"):
        assert "Locked sign-ins" not in _text(client_for(name).get("/"))
    assert_access(
        client_for,
        "/manage/unlock/",
        allowed=["ivan"],
        method="post",
        data={"username": "ana"},
        ok_statuses=(302,),
    )
    after = _text(client_for("ivan").get("/"))
    assert "ghost no such account 5" in after
    assert "ana 5" not in after
    assert AuditEntry.objects.get(verb="auth.unlock").changes == {"failed_sign_ins_cleared": 5}
