"""Object rules and scopes for the NRM core (DESIGN §1); registered from CasesConfig.ready."""

from __future__ import annotations


def register() -> None:
    return None
