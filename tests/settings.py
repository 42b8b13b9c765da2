"""Test settings: environment defaults for the one settings module, then nothing else.

Keys here are throwaway test keys (never used outside the test run).
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("OPENNRM_DATA_KEYS", "test1:dGVzdC1rZXktb25lLWZvci10aGUtdGVzdC1zdWl0ZTE=")
os.environ.setdefault("OPENNRM_BLIND_INDEX_KEY", "test-blind-index-key")
os.environ.setdefault("OPENNRM_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
# Figures counted on every read: most tests change data and read the figures again at once; the
# published figures are tested apart (tests/statistics/test_published.py).
os.environ.setdefault("OPENNRM_FIGURES_MAX_AGE", "0")
os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop

from opennrm.settings import *  # noqa: F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher"
]  # speed; argon2 is tested apart
ARGON2_TESTED_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CACHES["figures"] = {  # noqa: F405
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "figures",
    "OPTIONS": {"MAX_ENTRIES": 50_000},
}

# Files the tests make (synthetic datasets, CTDC files, uploads) go to a directory of this test
# process, removed at its end, not to the developer's own var/media beside the demo's.
if "MEDIA_ROOT" not in os.environ:
    import atexit
    import shutil
    import tempfile

    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="opennrm-test-media-"))  # noqa: F405
    atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
