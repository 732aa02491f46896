import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from lobby import settings as s

ROOT = Path(__file__).resolve().parents[2]
# Cleared for the child process; the async flag is set by the browser tests for this process only.
PRODUCTION_KEYS = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")


def test_env_bool_reads_common_spellings(monkeypatch):
    for raw, expected in [("1", True), ("yes", True), ("TRUE", True), ("0", False), ("off", False)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert s.env_bool("X_FLAG", not expected) is expected


def test_env_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        s.env_bool("X_FLAG", True)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("X_LIST", " a.example , b.example,,")
    assert s.env_list("X_LIST", "") == ["a.example", "b.example"]


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("X_INT", "three")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        s.env_int("X_INT", 1)


def test_default_database_is_sqlite_with_wal_and_immediate_transactions():
    config = s.database_config(None)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgres_url_is_parsed():
    config = s.database_config("postgres://u:p@db.example:5433/lobby")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "lobby")


def test_postgres_connections_come_from_a_pool():
    config = s.database_config("postgres://u:p@db.example:5433/lobby")
    assert config["OPTIONS"]["pool"]["max_size"] >= 1
    assert config["CONN_MAX_AGE"] == 0  # Django requires it with a pool


def test_unsupported_database_is_refused():
    with pytest.raises(ImproperlyConfigured):
        s.database_config("mysql://u@localhost/lobby")


def test_garbage_database_url_is_refused():
    with pytest.raises(ImproperlyConfigured):
        s.database_config("not a url")


def test_no_redis_means_in_memory_layer():
    assert s.channel_layers_config(None)["default"]["BACKEND"].endswith("InMemoryChannelLayer")


def test_redis_url_selects_channels_redis():
    config = s.channel_layers_config("redis://127.0.0.1:6379/0")["default"]
    assert config["BACKEND"].startswith("channels_redis.")
    assert config["CONFIG"]["hosts"] == ["redis://127.0.0.1:6379/0"]


def test_bad_redis_url_is_refused():
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        s.channel_layers_config("http://127.0.0.1:6379")


def test_unknown_time_zone_is_refused():
    with pytest.raises(ImproperlyConfigured, match="TIME_ZONE"):
        s.time_zone("Mars/Olympus")


def _import_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_KEYS}
    return subprocess.run(
        [sys.executable, "-c", "import lobby.settings"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_production_refuses_the_default_secret_key():
    result = _import_settings(DEBUG="0", ALLOWED_HOSTS="bank.example")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_needs_allowed_hosts():
    result = _import_settings(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_settings_pass_the_deploy_check():
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_KEYS}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="lobby.bank.example")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
