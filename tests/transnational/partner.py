"""The partner platform as the tests play it: its key pair, and packages sealed with it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from opennrm.transnational import envelope

OUR_SEED = bytes(range(32))
OURS = envelope.KeyPair.from_seed(OUR_SEED)
PARTNER = envelope.KeyPair.from_seed(bytes(range(100, 132)))

REFERRAL: dict[str, Any] = {
    "purpose": "assist",
    "reference": "MK-2026-00017",
    "child": False,
    "consent": {
        "recorded_on": "2026-12-01",
        "given_by": "person",
        "best_interests_assessed": False,
    },
    "data": {
        "prs_FirstName": "Elena",
        "prs_SecondName": "Stojanovska",
        "prs_Birthdate": "1999-03-02",
        "prs_Gender": "Feminine",
        "vic_TypeOfExploitation": ["SexualExploitation"],
    },
    "free_text": {"reason": "Лице е идентификувано во Скопје."},
}


def from_partner(kind: str, payload: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A package from North Macedonia's platform to this one (Serbia), sealed as it would."""
    values: dict[str, Any] = {
        "kind": kind,
        "payload": payload,
        "sender": "MK",
        "recipient": "RS",
        "sender_keys": PARTNER,
        "recipient_keys": OURS.public,
        "now": timezone.now(),
        "ttl": timedelta(hours=72),
    }
    values.update(overrides)
    return envelope.seal(**values)
