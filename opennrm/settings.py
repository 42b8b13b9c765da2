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

from opennrm.env import env_bool, env_int, env_list, env_secret, env_str

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
    "opennrm.justice",
    "opennrm.training",
    "opennrm.awareness",
    "opennrm.monitoring",
    "opennrm.statistics",
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
    "opennrm.core.middleware.RefuseTraceMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
    "opennrm.accounts.middleware.RequireTwoFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "opennrm.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opennrm.urls"
WSGI_APPLICATION = "opennrm.wsgi.application"

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
                "opennrm.core.context_processors.shell",
            ],
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

TASKS = {
    "default": {
        "BACKEND": env_str("OPENNRM_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
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
OPENNRM_COUNTRY_CODE = env_str("OPENNRM_COUNTRY_CODE", "RS")
# Break-the-glass grants last this long before a new reason is needed.
OPENNRM_BREAK_GLASS_MINUTES = env_int("OPENNRM_BREAK_GLASS_MINUTES", 60)

NINJA_PAGINATION_PER_PAGE = 50
# No API list hands out more than this many items a page (ninja's default is unlimited: one
# ``?limit=1000000`` would build a million rows in one request). Exports are their own endpoints.
NINJA_PAGINATION_MAX_LIMIT = 500
# Every list's offset bounded too (ninja's default lets an offset overflow the database's integers).
NINJA_PAGINATION_CLASS = "opennrm.core.pagination.BoundedLimitOffsetPagination"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# axes.W006 asks for IP-based lockout too; an agency office behind one NAT address would lock out
# every colleague, so lockout is per username (existing or not, which also prevents enumeration).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
