"""Test settings: environment defaults for the one settings module, then nothing else.

Keys here are throwaway test keys (never used outside the test run).
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("OPENNRM_DATA_KEYS", "test1:dGVzdC1rZXktb25lLWZvci10aGUtdGVzdC1zdWl0ZTE=")
os.environ.setdefault("OPENNRM_BLIND_INDEX_KEY", "test-blind-index-key")
os.environ.setdefault("OPENNRM_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop

from opennrm.settings import *  # noqa: F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher"
]  # speed; argon2 is tested apart
ARGON2_TESTED_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
