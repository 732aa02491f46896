"""Settings for Lobby, read from the environment.

Runs with zero configuration: a SQLite file next to manage.py and Channels' in-memory layer.
Set DATABASE_URL and REDIS_URL to run on PostgreSQL and channels-redis with several processes.
Every value is checked here, so a typo stops the app at start-up instead of half-working.
"""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEFAULT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def test_run_id() -> str:
    """One id per test run, inherited by child processes (the browser tests' server)."""
    return os.environ.setdefault("LOBBY_TEST_RUN", str(os.getpid()))


def test_database_file() -> str:
    return str(BASE_DIR / f".test-db-{test_run_id()}.sqlite3")


SQLITE = {
    # WAL lets screens read while a check-in writes; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue instead of failing with "database is locked" mid-way.
    "OPTIONS": {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    },
    # Requests run on long-lived threads (lobby.serving), each keeping its open connection:
    # opening one costs more than a simple request.
    "CONN_MAX_AGE": None,
}


def database_config(url: str | None) -> dict[str, Any]:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            # A file, not memory, so the browser tests' daphne process shares the test database;
            # one per test run (the environment carries it into child processes).
            "TEST": {"NAME": test_database_file()},
            **SQLITE,
        }
    try:
        # A plain dict: the keys we add (the pool's OPTIONS) are not in dj_database_url's TypedDict.
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL we understand: {exc}"
        ) from None
    if config["ENGINE"] not in (
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ):
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL or SQLite.")
    if config["ENGINE"] == "django.db.backends.postgresql":
        # A process-wide pool hands out open connections to the request threads (lobby.serving)
        # and to the websocket consumers alike.
        config["OPTIONS"] = {"pool": {"min_size": 2, "max_size": env_int("DB_POOL_SIZE", 20)}}
        config["CONN_MAX_AGE"] = 0
        # Separate test databases for test runs that overlap on one server.
        config["TEST"] = {"NAME": f"test_{config['NAME']}_{test_run_id()}"}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.update(SQLITE)
    return config


def channel_layers_config(url: str | None) -> dict:
    if not url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_URL={url!r} must start with redis://, rediss:// or unix://."
        )
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [url]},
        }
    }


def time_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"TIME_ZONE={name!r} is not a known time zone.") from None
    return name


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
if not DEBUG and (
    SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "With DEBUG off, set SECRET_KEY to a long random value (50+ characters) of your own."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("With DEBUG off, set ALLOWED_HOSTS (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entry {_origin!r} must start with http:// or https://."
        )

INSTALLED_APPS = [
    # daphne first: its runserver serves HTTP and websockets through the ASGI application.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "lobby",
    "products",
    "referrals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Sync-only, and it must stay last: it keeps the whole chain in one thread hop under ASGI
    # (see lobby.middleware.StaffMiddleware).
    "lobby.middleware.StaffMiddleware",
]

if not DEBUG:
    # In production static files come from `collectstatic` output, served by WhiteNoise;
    # with DEBUG on, runserver serves them straight from the apps.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "lobby.urls"
ASGI_APPLICATION = "lobby.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lobby.context_processors.staff",
            ],
        },
    }
]

DATABASES = {"default": database_config(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CHANNEL_LAYERS = channel_layers_config(os.environ.get("REDIS_URL"))
# Sessions are read on every request: from the cache, falling back to the database. With several
# processes (REDIS_URL set) the cache is shared, so signing out anywhere signs out everywhere.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if (REDIS_URL := os.environ.get("REDIS_URL"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# The signed-in user is loaded with their staff record and branch in one query.
AUTHENTICATION_BACKENDS = ["lobby.backends.StaffBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = time_zone(os.environ.get("TIME_ZONE", "Asia/Shanghai"))
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Masked labels and free-text notes are blanked after this many days (manage.py purge_notes).
NOTE_RETENTION_DAYS = env_int("NOTE_RETENTION_DAYS", 30)
# How often the referral clock (overdue flags, expiry) runs in each server process; 0 turns the
# in-process clock off when `manage.py referral_ticker` runs instead (see referrals/ticker.py).
REFERRAL_TICK_SECONDS = env_int("REFERRAL_TICK_SECONDS", 5)
# The speed work behind the "customer referred to you" notice. Each one can be turned off; the
# figures are bench/notice_latency.py's (SQLite + in-memory layer) without → with it.
# Threads kept for the sync part of HTTP requests, per server process (lobby.serving); requests
# beyond this many at once get a thread of their own; 0: a thread per request, as Django does.
# Measured: p50 at 1 screen 9.1 → 6.0 ms (overall, with the kept database connections).
REQUEST_THREADS = env_int("REQUEST_THREADS", 8)
# Freeze the loaded app's objects out of the garbage collector's way in a server process
# (lobby.serving.FrozenHeap). Measured: p99 at 100 screens ~100 → ~45 ms.
GC_FREEZE = env_bool("GC_FREEZE", True)
# At most this long an urgent push holds its request thread until this process's screens have it
# (lobby.live.send_now); 0: no wait. Measured: p50 at 1 screen 8-9 → 6 ms (a fixed 30 loop turns
# before → wait for delivery, at most 50 ms).
PUSH_URGENT_WAIT_MS = env_int("PUSH_URGENT_WAIT_MS", 50)
# With the in-memory layer, render a push only in the languages of the screens listening for it,
# and not at all when none is (lobby.live.languages_for); off: every language, every push.
# Measured (on a busy machine, so to be re-run quietly): p50 at 1 screen 21.2 → 17.5 ms, at 10
# screens 22.8 → 17.2 ms.
PUSH_LISTENED_LANGUAGES_ONLY = env_bool("PUSH_LISTENED_LANGUAGES_ONLY", True)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"daphne": {"level": "WARNING"}, "django.channels.server": {"level": "WARNING"}},
}
