"""Settings for the audit throughput benchmark: the project's settings, a three-view URLconf,
persistent database connections (as a production app server keeps them) and only the middleware
that sets the request facts audit entries carry, so that the database work dominates."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault(
    "OPENNRM_DATA_KEYS", "bench1:YmVuY2gtb25seS1rZXktbm90LWZvci1wcm9kdWN0aW9uIQ=="
)
os.environ.setdefault("OPENNRM_BLIND_INDEX_KEY", "bench-only-blind-index-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")

from opennrm.settings import *  # noqa: F403

ROOT_URLCONF = "audit_throughput"
MIDDLEWARE = [
    "opennrm.core.middleware.RefuseTraceMiddleware",
    "allauth.account.middleware.AccountMiddleware",  # required by allauth at start-up
]
DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False}
