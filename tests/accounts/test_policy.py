"""The access policy: the role × action matrix of DESIGN §1, scopes, and break-the-glass."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from opennrm.accounts import policy, services
from opennrm.accounts.models import Agency, BreakGlassGrant, User
from opennrm.accounts.roles import ACTIONS, Role
from opennrm.audit.models import AuditEntry
from opennrm.core.errors import PermissionDeniedError, ValidationFailed

# Written out from DESIGN §1, independently of roles.ROLE_ACTIONS, so that a change to the role
# table that breaks the design makes this test fail. Every action not listed is refused.
EVERYONE = {"token.own"}
EXPECTED: dict[str, set[str]] = {
    Role.SCREENER: EVERYONE
    | {"screening.create", "screening.view", "referral.create", "referral.view"},
    Role.CASE_MANAGER: EVERYONE
    | {
        "screening.create",
        "screening.view",
        "referral.create",
        "referral.view",
        "referral.decide",
        "case.view",
        "case.view_pii",
        "case.view_status",
        "case.edit",
        "case.break_glass",
        "case.import",
        "case.export_file",
        "service.request",
        "proceeding.view_stage",
        "stats.public",
        "stats.restricted",
        "export.htcds",
        "trm.view",
        "trm.send",
        "trm.receive",
    },
    Role.SERVICE_PROVIDER: EVERYONE
    | {"case.view", "case.view_pii", "service.update", "proceeding.view_stage"},
    Role.JUSTICE: EVERYONE
    | {"case.view_status", "proceeding.view", "proceeding.edit", "proceeding.export"},
    Role.TRAINER: EVERYONE | {"training.view", "training.edit", "awareness.view"},
    Role.COORDINATOR: EVERYONE
    | {
        "screening.stats",
        "stats.public",
        "stats.restricted",
        "training.view",
        "awareness.view",
        "awareness.edit",
        "monitoring.view",
        "monitoring.edit",
        "export.ctdc",
    },
    Role.NATIONAL_COORDINATOR: EVERYONE
    | {
        "screening.stats",
        "stats.public",
        "stats.restricted",
        "stats.official",
        "training.view",
        "awareness.view",
        "awareness.edit",
        "monitoring.view",
        "monitoring.edit",
        "export.ctdc",
    },
    Role.AUDITOR: EVERYONE | {"audit.view", "audit.verify"},
    Role.ADMIN: EVERYONE | {"user.manage", "agency.manage", "trm.partner.manage"},
}

# Actions that reach a victim's personal data or a case record: only these roles, ever.
VICTIM_DATA = {"case.view", "case.view_pii", "case.edit", "case.break_glass", "case.export_file"}


def test_the_expected_matrix_names_every_role_and_only_known_actions() -> None:
    assert set(EXPECTED) == set(Role.values)
    for role, actions in EXPECTED.items():
        assert actions <= set(ACTIONS), f"{role} lists unknown actions {actions - set(ACTIONS)}"


@pytest.fixture
def role_users(agencies: dict[str, Agency]) -> dict[str, User]:
    return {
        role: services.user_create(
            actor=None,
            username=f"matrix-{role}",
            agency=agencies["nco"],
            roles=[role],
            password="matrix passphrase for tests 2026",
        )
        for role in Role.values
    }


@pytest.mark.parametrize("role", Role.values)
def test_each_role_may_do_exactly_the_actions_of_the_design(
    role: str, role_users: dict[str, User]
) -> None:
    user = role_users[role]
    wrongly_allowed = [a for a in ACTIONS if policy.can(user, a) and a not in EXPECTED[role]]
    wrongly_refused = [a for a in ACTIONS if not policy.can(user, a) and a in EXPECTED[role]]
    assert (wrongly_allowed, wrongly_refused) == ([], [])


def test_only_case_managers_and_service_providers_reach_victims_data(
    role_users: dict[str, User],
) -> None:
    reaching = {
        role for role, user in role_users.items() if any(policy.can(user, a) for a in VICTIM_DATA)
    }
    assert reaching == {Role.CASE_MANAGER, Role.SERVICE_PROVIDER}


def test_justice_sees_case_status_but_never_personal_data(personas: dict[str, User]) -> None:
    jelena = personas["jelena"]
    assert policy.can(jelena, "case.view_status")
    assert not policy.can(jelena, "case.view_pii")
    assert not policy.can(jelena, "case.view")


def test_only_the_national_coordinator_sees_official_statistics(personas: dict[str, User]) -> None:
    allowed = {name for name, user in personas.items() if policy.can(user, "stats.official")}
    # Nada, and Sanja the statistician, who holds the national co-ordinator's role for it.
    assert allowed == {"nada", "sanja"}
    assert all(personas[name].roles == {"national_coordinator"} for name in allowed)


def test_the_auditor_only_reads_and_verifies_the_audit_trail(personas: dict[str, User]) -> None:
    zoran = personas["zoran"]
    assert {a for a in ACTIONS if policy.can(zoran, a)} == {
        "audit.view",
        "audit.verify",
        "token.own",
    }


def test_the_administrator_manages_users_but_is_refused_every_case_action(
    personas: dict[str, User],
) -> None:
    ivan = personas["ivan"]
    assert policy.can(ivan, "user.manage")
    assert policy.can(ivan, "agency.manage")
    case_actions = [a for a in ACTIONS if a.startswith(("case.", "referral.", "screening."))]
    assert {"case.view", "case.view_pii", "case.break_glass", "referral.view"} <= set(case_actions)
    assert [a for a in case_actions if policy.can(ivan, a)] == []
    with pytest.raises(PermissionDeniedError):
        policy.require(ivan, "case.view_pii")


def test_require_raises_the_forbidden_domain_error(personas: dict[str, User]) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        policy.require(personas["cedomir"], "user.manage")
    assert caught.value.status == 403
    assert caught.value.message == "You do not have permission to do this."
    assert policy.require(personas["ivan"], "user.manage") == personas["ivan"]


def test_an_unknown_action_is_a_programming_error_not_a_refusal(personas: dict[str, User]) -> None:
    with pytest.raises(KeyError):
        policy.can(personas["vesna"], "case.view_everything")


def test_scope_is_empty_for_a_user_without_the_action(personas: dict[str, User]) -> None:
    assert Agency.objects.count() == 17
    assert policy.scope(personas["ivan"], Agency.objects.all(), "agency.manage").count() == 17
    assert policy.scope(personas["cedomir"], Agency.objects.all(), "agency.manage").count() == 0
    assert policy.scope(None, Agency.objects.all(), "agency.manage").count() == 0


def test_scope_and_can_are_empty_for_a_disabled_user(personas: dict[str, User]) -> None:
    services.user_set_active(actor=personas["ivan"], user=personas["vesna"], active=False)
    vesna = User.objects.get(username="vesna")
    assert not policy.can(vesna, "case.view")
    assert [a for a in ACTIONS if policy.can(vesna, a)] == []
    assert policy.scope(vesna, Agency.objects.all(), "case.view").count() == 0
    ivan = User.objects.get(username="ivan")
    ivan.is_active = False
    assert policy.scope(ivan, Agency.objects.all(), "agency.manage").count() == 0


def test_break_the_glass_needs_a_reason_of_ten_characters(
    personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        policy.break_glass(actor=personas["vesna"], obj=agencies["shelter"], reason=" urgent!  ")
    assert caught.value.message == "State why you need this record (at least 10 characters)."
    assert caught.value.fields == {"reason": "A reason of at least 10 characters is required."}
    assert BreakGlassGrant.objects.count() == 0


def test_only_holders_of_break_the_glass_may_use_it(
    personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    for name in ("cedomir", "ivan", "milan", "jelena"):
        with pytest.raises(PermissionDeniedError):
            policy.break_glass(
                actor=personas[name], obj=agencies["shelter"], reason="Victim arrived at night"
            )
    assert BreakGlassGrant.objects.count() == 0


def test_break_the_glass_is_flagged_in_the_audit_trail_and_expires(
    personas: dict[str, User], agencies: dict[str, Agency], settings: object
) -> None:
    vesna, shelter = personas["vesna"], agencies["shelter"]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        grant = policy.break_glass(
            actor=vesna, obj=shelter, reason="Victim arrived at night, needs shelter now"
        )
        assert grant.expires_at == start + timedelta(minutes=60)
        entry = AuditEntry.objects.get(verb="access.break_glass")
        assert (entry.actor, entry.flagged, entry.purpose) == (
            vesna,
            True,
            "Victim arrived at night, needs shelter now",
        )
        assert entry.target_label == "agency Shelter"
        assert policy.has_break_glass(vesna, shelter)
        assert list(policy.break_glass_ids(vesna, Agency)) == [str(shelter.pk)]
        assert not policy.has_break_glass(personas["cedomir"], shelter)
        assert not policy.has_break_glass(vesna, agencies["nco"])
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        assert policy.has_break_glass(vesna, shelter)
    with time_machine.travel(start + timedelta(minutes=60, seconds=1), tick=False):
        assert not policy.has_break_glass(vesna, shelter)
        assert list(policy.break_glass_ids(vesna, Agency)) == []


def test_break_the_glass_lasts_as_long_as_the_setting_says(
    personas: dict[str, User], agencies: dict[str, Agency], settings: object
) -> None:
    settings.OPENNRM_BREAK_GLASS_MINUTES = 5  # type: ignore[attr-defined]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        policy.break_glass(
            actor=personas["vesna"], obj=agencies["atina"], reason="Urgent referral by phone"
        )
    with time_machine.travel(start + timedelta(minutes=5, seconds=1), tick=False):
        assert not policy.has_break_glass(personas["vesna"], agencies["atina"])
