"""Settings for OpenNRM: one module, every knob from the environment (documented in README.md).

Production is the default: with ``DEBUG`` unset, every secret must be supplied and a missing one
stops start-up with a message naming it. ``DEBUG=1`` (what ``./dev run`` and the tests use) allows
clearly-marked development fallbacks so a first run needs no configuration.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from opennrm.env import env_bool, env_float, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OPENNRM_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)
# Demo mode prints demo logins and exposes the demo TOTP helper; never on in production.
DEMO_MODE = env_bool("OPENNRM_DEMO", default=False)

_DEV_SECRET = "dev-only-insecure-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = env_secret("SECRET_KEY", required=not DEBUG, dev_default=_DEV_SECRET)

# Personal-data encryption keys: "kid:base64key,kid2:base64key" (32-byte AES keys); the last one
# encrypts, all of them decrypt. See opennrm/core/crypto.py.
_DEV_DATA_KEYS = "dev1:ZGV2LW9ubHktZGF0YS1rZXktbmV2ZXItaW4tcHJvZCE="
OPENNRM_DATA_KEYS = env_secret("OPENNRM_DATA_KEYS", required=not DEBUG, dev_default=_DEV_DATA_KEYS)
# Key for the blind index (HMAC-SHA256) used for duplicate search without decryption.
OPENNRM_BLIND_INDEX_KEY = env_secret(
    "OPENNRM_BLIND_INDEX_KEY", required=not DEBUG, dev_default="dev-only-blind-index-key"
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'opennrm.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
# An optional streaming replica of the primary for statistics (opennrm/lifecycle/replica.py).
_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if _REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        _REPLICA_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0)
    )
    # Tests read the test database through the replica alias (no second test database).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["opennrm.lifecycle.replica.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the db_worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

OPENNRM_APPS = [
    "opennrm.core",
    "opennrm.accounts",
    "opennrm.audit",
    "opennrm.screening",
    "opennrm.cases",
    "opennrm.field",
    "opennrm.justice",
    "opennrm.transnational",
    "opennrm.training",
    "opennrm.awareness",
    "opennrm.monitoring",
    "opennrm.statistics",
    "opennrm.imports",
    "opennrm.lifecycle",
    "opennrm.help",
    "opennrm.demo",
]

# OpenNRM's apps come before the third-party ones so that their templates (e.g. the allauth
# layouts under accounts/templates/allauth/) override the packages' own.
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    *OPENNRM_APPS,
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_htmx",
    "django_tasks_db",
    "ninja",
]

MIDDLEWARE = [
    # First: every later log line carries the request id, and the metrics time the whole request.
    "opennrm.lifecycle.logs.RequestIdMiddleware",
    "opennrm.lifecycle.metrics.MetricsMiddleware",
    "opennrm.lifecycle.replica.ReplicaReadsMiddleware",
    "opennrm.core.middleware.RefuseTraceMiddleware",
    "opennrm.audit.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for browsers that ask (issue 20: a page within 150 KB on a first visit).
    # Django's GZipMiddleware pads each response with random bytes against BREACH ("Heal the
    # Breach"), and the CSRF token is masked afresh per response. Static files come compressed
    # from WhiteNoise (or nginx's gzip_static) and are left alone.
    "opennrm.core.middleware.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opennrm.accounts.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "opennrm.field.middleware.ClearFieldDataOnSignOut",
    "opennrm.accounts.middleware.RequireTwoFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "opennrm.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opennrm.urls"
WSGI_APPLICATION = "opennrm.wsgi.application"

FORM_RENDERER = "opennrm.core.forms.FormRenderer"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opennrm.accounts.context_processors.shell",
                "opennrm.help.context_processors.help_link",
            ],
            # {{ text|in_script }}: people's Serbian text in the interface's script.
            "builtins": ["opennrm.core.templatetags.core_text"],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "opennrm.accounts.passwords.PredictablePasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: accounts are provisioned by administrators; sign-up is closed in the adapter.
ACCOUNT_ADAPTER = "opennrm.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# Lockout is django-axes' job (audited, per username); allauth's own limiter would race it.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
MFA_ADAPTER = "opennrm.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "OpenNRM"
MFA_RECOVERY_CODE_COUNT = 10
# One 30-second step either side (RFC 6238 §5.2): a code typed as it rolls over, or from a phone
# whose clock is a few seconds off, is still accepted; a used code is still refused as replay.
MFA_TOTP_TOLERANCE = 1
# allauth's own two-factor limiter reuses the login-failure rate limit switched off above; these
# forms limit codes per user and per address instead (opennrm.accounts.forms, audited): the first
# OPENNRM_MFA_FREE_ATTEMPTS failures are free, then each waits twice as long (1, 2, 4 … s), and
# OPENNRM_MFA_MAX_ATTEMPTS lock for OPENNRM_LOCKOUT_MINUTES (lifted like a password lockout).
MFA_FORMS = {
    "authenticate": "opennrm.accounts.forms.LimitedAuthenticateForm",
    "reauthenticate": "opennrm.accounts.forms.LimitedReauthenticateForm",
}
OPENNRM_MFA_FREE_ATTEMPTS = env_int("OPENNRM_MFA_FREE_ATTEMPTS", 5)
OPENNRM_MFA_MAX_ATTEMPTS = env_int("OPENNRM_MFA_MAX_ATTEMPTS", 10)

# django-axes: 5 failures lock the username (existing or not, so nothing is enumerated).
AXES_FAILURE_LIMIT = env_int("OPENNRM_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("OPENNRM_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username"]
# allauth hands axes the name as ``username``; the callable also folds case so "Ana" and "ana"
# share one counter.
AXES_USERNAME_CALLABLE = "opennrm.accounts.lockout.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "opennrm.accounts.views.locked_out"
AXES_VERBOSE = False

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 60 * 60
OPENNRM_SESSION_IDLE_SECONDS = env_int("OPENNRM_SESSION_IDLE_SECONDS", 15 * 60)
OPENNRM_SESSION_ABSOLUTE_SECONDS = env_int("OPENNRM_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
_SECURE = not DEBUG
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _SECURE)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _SECURE)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _SECURE)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _SECURE
SECURE_HSTS_PRELOAD = _SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("OPENNRM_BEHIND_PROXY", False) else None
)
# Load balancers and Prometheus ask the app itself over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "en"
# Each language is named in itself in the switcher; sr (Cyrillic) is the master catalogue and
# sr-latn is generated from it (manage.py i18n latin).
LANGUAGES = [("en", "English"), ("sr", "Српски"), ("sr-latn", "Srpski")]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Belgrade")
USE_I18N = True
USE_TZ = True
# English dates and times as in Europe (en-GB, 24-hour); see opennrm/core/formats.
FORMAT_MODULE_PATH = ["opennrm.core.formats"]
# Every catalogue belongs to an app (opennrm/<app>/locale); see core/management/commands/i18n.py.
LOCALE_PATHS: list[Path] = []

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# Two queues: "default" for the short jobs (reminders, reports, imports, heartbeats) and "long" for
# the jobs that hold every CPU for minutes (a synthetic dataset of a large register), each served
# by its own worker (deploy/systemd: opennrm-worker, opennrm-worker-long), so that an import never
# waits behind a synthesis.
TASK_QUEUE_LONG = "long"
TASKS = {
    "default": {
        "BACKEND": env_str("OPENNRM_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", TASK_QUEUE_LONG],
    }
}

# Who seals the audit trail's hash chain. "inline": each web process, shortly after a commit (no
# extra process to run: first runs, SQLite, one small server). "external": only the long-lived
# `manage.py seal_audit --follow` process, run beside db_worker — the production setting, since
# sealing inside web processes costs them about a third of their throughput (bench/README.md).
AUDIT_SEALER = env_str("OPENNRM_AUDIT_SEALER", "inline")
if AUDIT_SEALER not in {"inline", "external"}:
    raise ImproperlyConfigured(
        f'OPENNRM_AUDIT_SEALER must be "inline" or "external", not "{AUDIT_SEALER}".'
    )

# Backups (opennrm/lifecycle/backups.py): the key that encrypts them (base64 of 32 bytes), needed
# only by ``manage.py backup`` and ``restore``, so web servers start without it. Where pg_dump and
# pg_restore of the server's major version live, when not in Debian's /usr/lib/postgresql/N/bin.
OPENNRM_BACKUP_KEY = env_secret("OPENNRM_BACKUP_KEY", required=False, dev_default="")
OPENNRM_PG_BINDIR = env_str("OPENNRM_PG_BINDIR", "")

# Retention schedules, in days (their purposes: opennrm/lifecycle/retention.py and the README).
OPENNRM_RETENTION_CLOSED_CASE_DAYS = env_int("OPENNRM_RETENTION_CLOSED_CASE_DAYS", 3650)
# The background worker's record of each finished task (its arguments, result or traceback) is
# removed this many days after it finished, by the daily retention run (lifecycle/retention.py).
OPENNRM_RETENTION_TASK_RESULTS_DAYS = env_int("OPENNRM_RETENTION_TASK_RESULTS_DAYS", 30)
OPENNRM_RETENTION_DECLINED_REFERRAL_DAYS = env_int("OPENNRM_RETENTION_DECLINED_REFERRAL_DAYS", 365)
OPENNRM_RETENTION_NEGATIVE_SCREENING_DAYS = env_int(
    "OPENNRM_RETENTION_NEGATIVE_SCREENING_DAYS", 183
)
OPENNRM_RETENTION_AUDIT_DAYS = env_int("OPENNRM_RETENTION_AUDIT_DAYS", 3650)
# Field work: days a device keeps offline data without contact before erasing it.
OPENNRM_FIELD_OFFLINE_DAYS = env_int("OPENNRM_FIELD_OFFLINE_DAYS", 7)
OPENNRM_RETENTION_IMPORT_REPORT_DAYS = env_int("OPENNRM_RETENTION_IMPORT_REPORT_DAYS", 90)

# E-mail (deadline digests, hearing reminders): Django 6.1's MAILERS; console in development.
_EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        }
        if _EMAIL_BACKEND.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "opennrm@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Disclosure control (DESIGN §4): thresholds are settings.
OPENNRM_RESTRICTED_THRESHOLD = env_int("OPENNRM_RESTRICTED_THRESHOLD", 5)
OPENNRM_PUBLIC_THRESHOLD = env_int("OPENNRM_PUBLIC_THRESHOLD", 10)
OPENNRM_PUBLIC_ROUNDING = env_int("OPENNRM_PUBLIC_ROUNDING", 5)
OPENNRM_CTDC_K = env_int("OPENNRM_CTDC_K", 11)
# Cell-key method (statistics.disclosure): largest perturbation of a count at or above the
# threshold, and the secret seed of the record keys (None: derived from SECRET_KEY). The seed must
# never change once figures are published.
OPENNRM_RESTRICTED_SPREAD = env_int("OPENNRM_RESTRICTED_SPREAD", 2)
OPENNRM_PUBLIC_SPREAD = env_int("OPENNRM_PUBLIC_SPREAD", 3)
# Published figures (statistics.published): restricted and public tables are kept and served for
# this many seconds after they were counted (0: counted on every read); ``refresh_figures``
# counts the default periods ahead of the pages. Kept in a cache shared by every process.
OPENNRM_FIGURES_MAX_AGE = env_int("OPENNRM_FIGURES_MAX_AGE", 600)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("OPENNRM_FIGURES_CACHE_DIR", str(VAR_DIR / "cache" / "figures")),
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    },
}
_CELL_KEY_SEED = env_str("OPENNRM_CELL_KEY_SEED", "")
OPENNRM_CELL_KEY_SEED = int(_CELL_KEY_SEED) if _CELL_KEY_SEED else None
# Privacy budget of the differentially private synthetic dataset (statistics.synthetic): smaller
# is more private and less accurate; a request may ask for less, never for more.
OPENNRM_SYNTHETIC_EPSILON = env_float("OPENNRM_SYNTHETIC_EPSILON", 4.0)
# Made synthetic datasets kept (files and records): when the worker has made one, the made ones
# beyond the newest this many are removed (each is superseded by the newer ones).
OPENNRM_SYNTHETIC_KEEP = env_int("OPENNRM_SYNTHETIC_KEEP", 3)
# Made CTDC microdata files kept, the same way.
OPENNRM_CTDC_KEEP = env_int("OPENNRM_CTDC_KEEP", 3)
OPENNRM_COUNTRY_CODE = env_str("OPENNRM_COUNTRY_CODE", "RS")
# Break-the-glass grants last this long before a new reason is needed.
OPENNRM_BREAK_GLASS_MINUTES = env_int("OPENNRM_BREAK_GLASS_MINUTES", 60)
# A service provider keeps access to a case this long after its service is completed or the case
# is closed, to write closing notes; a withdrawn consent ends access at once.
OPENNRM_PROVIDER_GRACE_HOURS = env_int("OPENNRM_PROVIDER_GRACE_HOURS", 72)
# API tokens: personal ones last OPENNRM_TOKEN_HOURS unless asked otherwise, at most
# OPENNRM_TOKEN_MAX_HOURS; only service accounts (no personal-data role) get long-lived ones.
OPENNRM_TOKEN_HOURS = env_int("OPENNRM_TOKEN_HOURS", 8)
OPENNRM_TOKEN_MAX_HOURS = env_int("OPENNRM_TOKEN_MAX_HOURS", 24)
OPENNRM_SERVICE_TOKEN_MAX_DAYS = env_int("OPENNRM_SERVICE_TOKEN_MAX_DAYS", 365)
# A person's token unused this long is refused (the API's idle timeout; use within the last
# minute is not recorded, so the timeout is exact to a minute). Service accounts' tokens have none.
OPENNRM_TOKEN_IDLE_MINUTES = env_int("OPENNRM_TOKEN_IDLE_MINUTES", 60)
# The OpenAPI schema and the interactive docs without sign-in: only in development by default.
OPENNRM_API_SCHEMA_PUBLIC = env_bool("OPENNRM_API_SCHEMA_PUBLIC", DEBUG)

# Transnational referral (docs/transnational.md): this installation's key seeds (base64, 32 bytes
# each, comma-separated, the last one current) and how long a package stays valid. Unset in
# production: transnational referral is switched off (every action says so); in DEBUG the keys
# derive from SECRET_KEY so a first run can try it.
OPENNRM_TRM_KEYS = env_secret("OPENNRM_TRM_KEYS", required=False, dev_default="")
OPENNRM_TRM_PACKAGE_HOURS = env_int("OPENNRM_TRM_PACKAGE_HOURS", 72)

# One upload policy for every import (core/tabular.py): a file over any of these is refused before
# it can take the server's memory or time. The unpacked limit applies to an XLSX's parts, checked
# against the sizes the zip declares before anything is opened and counted again while reading.
OPENNRM_UPLOAD_MAX_BYTES = env_int("OPENNRM_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
OPENNRM_UPLOAD_MAX_UNPACKED_BYTES = env_int("OPENNRM_UPLOAD_MAX_UNPACKED_BYTES", 256 * 1024 * 1024)
OPENNRM_UPLOAD_MAX_ROWS = env_int("OPENNRM_UPLOAD_MAX_ROWS", 1_000_000)
OPENNRM_UPLOAD_MAX_CELLS = env_int("OPENNRM_UPLOAD_MAX_CELLS", 20_000_000)
OPENNRM_UPLOAD_MAX_SECONDS = env_int("OPENNRM_UPLOAD_MAX_SECONDS", 300)

NINJA_PAGINATION_PER_PAGE = 50
# No API list hands out more than this many items a page (ninja's default is unlimited: one
# ``?limit=1000000`` would build a million rows in one request). Exports are their own endpoints.
NINJA_PAGINATION_MAX_LIMIT = 500
# Every list's offset bounded too (ninja's default lets an offset overflow the database's integers).
NINJA_PAGINATION_CLASS = "opennrm.core.pagination.BoundedLimitOffsetPagination"

# Logs: JSON lines with the request id in production (opennrm/lifecycle/logs.py), plain text in
# development; never personal data (the access line names URL patterns, not paths or queries).
LOG_FORMAT = env_str("OPENNRM_LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f'OPENNRM_LOG_FORMAT must be "json" or "text", not "{LOG_FORMAT}".')
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "opennrm.lifecycle.logs.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # One access line a request is for production logs, not for the development console.
        "opennrm.request": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}

# Operations (opennrm/lifecycle): /metrics answers the bearer of this token, or (unset) only
# direct requests from this machine; /readyz fails when audit entries wait longer than this to be
# sealed, or when less than this many MB are free under OPENNRM_VAR_DIR or MEDIA_ROOT.
OPENNRM_METRICS_TOKEN = env_secret("OPENNRM_METRICS_TOKEN", required=False, dev_default="")
OPENNRM_READY_SEALER_LAG_SECONDS = env_int("OPENNRM_READY_SEALER_LAG_SECONDS", 120)
OPENNRM_READY_MIN_FREE_MB = env_int("OPENNRM_READY_MIN_FREE_MB", 500)

# axes.W006 asks for IP-based lockout too; an agency office behind one NAT address would lock out
# every colleague, so lockout is per username (existing or not, which also prevents enumeration).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Source maps (the API docs' bundles ship several MB of them) are for developers' tools, fetched
# rarely: compressing them made collectstatic several times slower for nothing.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br"),
    *("swf", "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg"),
    *("mpg", "webm", "wmv", "map"),
]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
