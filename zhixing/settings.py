"""One settings module, configured from the environment (see .env.example).

Embedded SQLite in var/ when DATABASE_URL is unset; PostgreSQL when it is set.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("ZHIXING_VAR_DIR", Path.cwd() / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("ZHIXING_DEBUG", True)

SECRET_KEY = os.environ.get("ZHIXING_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("ZHIXING_SECRET_KEY must be set when ZHIXING_DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-deploy"

ALLOWED_HOSTS = [h for h in os.environ.get("ZHIXING_ALLOWED_HOSTS", "").split(",") if h]
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("ZHIXING_ALLOWED_HOSTS must be set when ZHIXING_DEBUG is off.")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver", "[::1]"]


def database_from_url(url: str) -> dict:
    """postgres://user:pass@host:port/name?sslmode=… → a Django DATABASES entry."""
    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql", "sqlite"}:
        raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported (postgres:// or sqlite://).")
    if parts.scheme == "sqlite":
        return _sqlite(Path(unquote(parts.path)))
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


SQLITE_PAGE_SIZE = 16384  # an existing file keeps its own: docs/operations.md converts one


def _sqlite(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # WAL lets the worklist read while a clerk registers; the busy timeout waits for a writer.
        # Temporary tables (supervision's set-based run) in memory, with a 128 MiB page cache.
        # 16 KiB pages (a new file only; it must come before WAL): a quarter of the reads, writes and
        # checkpoint copies of 4 KiB ones — supervision's first run over a million cases, 65 s → 56 s.
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                f"PRAGMA page_size={SQLITE_PAGE_SIZE}; "
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-131072;"
            ),
        },
    }


if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": _sqlite(VAR_DIR / "zhixing.sqlite3")}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "zhixing.accounts",
    "zhixing.courts",
    "zhixing.workdays",
    "zhixing.cases",
    "zhixing.supervision",
    "zhixing.property",
    "zhixing.documents",
    "zhixing.money",
    "zhixing.distribution",
    "zhixing.triage",
    "zhixing.bundles",
    "zhixing.netting",
    "zhixing.indicators",
    "zhixing.closing",
    "zhixing.disposal",
    "huey.contrib.djhuey",
    "zhixing.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhixing.workdays.middleware.CalendarWarningMiddleware",
]

ROOT_URLCONF = "zhixing.urls"
WSGI_APPLICATION = "zhixing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhixing.workdays.context_processors.calendar_warnings",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "supervision:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"  # every date and deadline is a date in Beijing time
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024  # bulk imports of old systems' spreadsheets

# Network queries (集约查控) are exchanged as files: request files are written to outbox/<agency kind>/
# for the court's gateway (总对总/点对点) to pick up; replies come back as files to import.
PROPERTY_EXCHANGE_DIR = Path(os.environ.get("ZHIXING_PROPERTY_EXCHANGE_DIR", VAR_DIR / "exchange"))

# Background jobs (batch documents): huey with a SQLite queue in var/ by default, Redis when
# ZHIXING_REDIS_URL is set. The consumer is `zhixing run_huey` (make run starts one). Under pytest
# jobs run at once, in the caller (PYTEST_VERSION is set by pytest itself).
_REDIS_URL = os.environ.get("ZHIXING_REDIS_URL", "")
if not _REDIS_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
HUEY = {
    "name": "zhixing",
    "immediate": _env_bool("ZHIXING_JOBS_IMMEDIATE", "PYTEST_VERSION" in os.environ),
    "consumer": {"workers": 2, "worker_type": "thread"},
    **(
        {"huey_class": "huey.RedisHuey", "url": _REDIS_URL}
        if _REDIS_URL
        else {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")}
    ),
}

# PDF through LibreOffice when installed (Debian libreoffice-writer-nogui); DOCX always.
SOFFICE_PATH = os.environ.get("ZHIXING_SOFFICE") or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZHIXING_LOG_LEVEL", "WARNING")},
}
