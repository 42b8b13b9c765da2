"""A password validator for predictable passwords that Django's common-password list misses.

No network look-up (the platform may run air-gapped): it refuses passwords made of one repeated
character or a keyboard/alphabet run, and those that are a common word or the product name with a
few digits or symbols around it — the shapes that dominate breach corpora.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "0123456789",
)
_WORDS = (
    "password",
    "lozinka",
    "opennrm",
    "welcome",
    "letmein",
    "admin",
    "serbia",
    "srbija",
    "beograd",
    "qwerty",
)
_LEET = str.maketrans(
    {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)


class PredictablePasswordValidator:
    def validate(self, password: str, user: object = None) -> None:
        lowered = password.lower()
        if len(set(lowered)) <= 3:
            raise ValidationError(
                _("This password repeats too few characters."), code="password_repetitive"
            )
        for run in _RUNS:
            # Tripled so that runs which wrap around ("8901234567", "zyxw...cba") count too.
            if lowered in run * 3 or lowered in run[::-1] * 3:
                raise ValidationError(
                    _("This password is a keyboard or alphabet sequence."), code="password_sequence"
                )
        core = re.sub(r"[^a-z]", "", lowered.translate(_LEET))
        for word in _WORDS:
            if core in {word, word * 2} or (core.startswith(word) and len(core) <= len(word) + 2):
                raise ValidationError(
                    _("This password is a common word with a few characters added."),
                    code="password_common_word",
                )

    def get_help_text(self) -> str:
        return _(
            "Your password cannot be a common word with digits added, a sequence, or repeated characters."
        )
