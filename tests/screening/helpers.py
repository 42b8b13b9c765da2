"""Screenings made through the real services, for behaviour tests."""

from __future__ import annotations

from opennrm.accounts.models import User
from opennrm.screening import services
from opennrm.screening.models import Screening

# An adult labour case that meets every step-2 group (recruitment, exploitation, coercion).
ADULT_POSITIVE = {
    "AL-DR-01": "present",  # strong
    "AL-DR-02": "present",  # medium → deceptive recruitment positive by rule (b)
    "AL-EX-01": "present",  # strong
    "AL-EX-02": "present",  # medium → exploitation positive by rule (b)
    "AL-CD-01": "present",  # strong
    "AL-CD-03": "present",  # strong → coercion at destination positive by rule (a)
    "AL-VD-01": "unknown",
}


def start(
    user: User, *, age_group: str = "adult", exploitation: tuple[str, ...] = ("labour",), **kw: str
) -> Screening:
    return services.screening_start(
        actor=user, age_group=age_group, exploitation=list(exploitation), **kw
    )


def answer(user: User, screening: Screening, answers: dict[str, str], **kw: str) -> Screening:
    return services.screening_save_answers(
        actor=user, screening=screening, expected_version=screening.version, answers=answers, **kw
    )


def submit(user: User, screening: Screening) -> Screening:
    return services.screening_submit(
        actor=user, screening=screening, expected_version=screening.version
    )


def completed(user: User, answers: dict[str, str] | None = None, **kw: str) -> Screening:
    screening = start(user, **kw)
    answer(user, screening, ADULT_POSITIVE if answers is None else answers)
    return submit(user, screening)
