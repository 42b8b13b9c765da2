"""CI runs the suite twice, on PostgreSQL and on SQLite (``.ci/run``). A test that starts databases
of its own, whatever the suite's database is (a second installation, a streaming replica, a backup
drill on one engine), needs to run in one of the two passes only: ``only_in_pass("postgresql")``.
Run alone, such a test still runs whenever its pass is the one being run.
"""

from __future__ import annotations

import os

import pytest


def suite_database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def only_in_pass(vendor: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        suite_database() != vendor,
        reason=f"starts databases of its own; runs in the suite's {vendor} pass only",
    )
