"""Production settings: secrets are mandatory, and ``check --deploy`` has nothing to say."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(60),
    "OPENNRM_DATA_KEYS": "prod1:" + base64.b64encode(b"k" * 32).decode(),
    "OPENNRM_BLIND_INDEX_KEY": "blind-index-key-for-this-test",
    "ALLOWED_HOSTS": "nrm.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def run_manage(*args: str, env_changes: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENNRM_", "DJANGO_", "SECRET_KEY", "DEBUG"))
    }
    env.update({k: v for k, v in env_changes.items() if v is not None})
    env["DJANGO_SETTINGS_MODULE"] = "opennrm.settings"
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "OPENNRM_DATA_KEYS", "OPENNRM_BLIND_INDEX_KEY"])
def test_production_start_up_stops_naming_the_missing_secret(missing: str) -> None:
    env = {**PROD_ENV, missing: None}
    result = run_manage("check", env_changes=env)
    assert result.returncode != 0
    assert f"The secret {missing} is not set" in result.stderr


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("y" * 64 + "\n")
    env = {**PROD_ENV, "SECRET_KEY": None, "SECRET_KEY_FILE": str(secret_file)}
    result = run_manage("check", env_changes=env)
    assert result.returncode == 0, result.stderr


def test_check_deploy_reports_nothing_with_production_settings() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_changes=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_malformed_key_stops_start_up_with_a_clear_message() -> None:
    env = {**PROD_ENV, "OPENNRM_DATA_KEYS": "prod1:not-base64!"}
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from opennrm.core import crypto; crypto.keyring()",
        env_changes=env,
    )
    assert result.returncode != 0
    assert "Key 'prod1' in OPENNRM_DATA_KEYS is not valid base64." in result.stderr


def test_production_defaults_are_hardened() -> None:
    from opennrm import settings as prod

    # tests/settings.py runs with DEBUG=1; read the production values from a fresh interpreter.
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.PASSWORD_HASHERS[0], s.SESSION_COOKIE_AGE)",
        env_changes=PROD_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "43200",
    ]
    assert prod.AXES_FAILURE_LIMIT == 5
