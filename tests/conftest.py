"""The cast every test can use: one demo-like branch with one of each role, and an outsider."""

from __future__ import annotations

import os

import pytest
from channels.layers import channel_layers, get_channel_layer
from django.contrib.auth import get_user_model

from lobby import live
from lobby.choices import Role
from lobby.demo_branch import seed_branch, seed_catalogue
from lobby.models import Branch, Staff

PASSWORD = "test-pass-123"

# CI sets this so that a test which would skip for a missing service or browser fails instead.
REQUIRE_ALL = os.environ.get("LOBBY_REQUIRE_ALL") == "1"


def skip_or_fail(reason: str) -> None:
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (LOBBY_REQUIRE_ALL=1: this must run here)")
    pytest.skip(reason)


def make_staff(branch: Branch, username: str, role: str, name: str | None = None, **kw) -> Staff:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    return Staff.objects.create(
        user=user, branch=branch, role=role, display_name=name or username, **kw
    )


@pytest.fixture
def branch(db) -> Branch:
    return seed_branch("main")


@pytest.fixture
def other_branch(db) -> Branch:
    return seed_branch("other")


@pytest.fixture
def catalogue(db) -> None:
    seed_catalogue()


@pytest.fixture
def lobby_manager(branch) -> Staff:
    return make_staff(branch, "alice", Role.LOBBY_MANAGER, "Alice")


@pytest.fixture
def lobby_assistant(branch) -> Staff:
    return make_staff(branch, "amy", Role.LOBBY_ASSISTANT, "Amy")


@pytest.fixture
def teller_high(branch) -> Staff:
    return make_staff(branch, "bob", Role.TELLER_HIGH, "Bob", station="W1")


@pytest.fixture
def teller_low(branch) -> Staff:
    return make_staff(branch, "betty", Role.TELLER_LOW, "Betty", station="W5")


@pytest.fixture
def wealth_manager(branch) -> Staff:
    return make_staff(branch, "charlie", Role.WEALTH_MANAGER, "Charlie")


@pytest.fixture
def wealth_manager2(branch) -> Staff:
    return make_staff(branch, "carol", Role.WEALTH_MANAGER, "Carol")


@pytest.fixture
def branch_admin(branch) -> Staff:
    staff = make_staff(branch, "dave", Role.BRANCH_ADMIN, "Dave")
    staff.user.is_staff = staff.user.is_superuser = True
    staff.user.save()
    return staff


@pytest.fixture
def outsider(other_branch) -> Staff:
    """A lobby manager of another branch: must never see or touch ours."""
    return make_staff(other_branch, "eve", Role.LOBBY_MANAGER, "Eve")


def client_for(client, staff: Staff):
    client.force_login(staff.user)
    return client


@pytest.fixture(autouse=True)
def _flush_channel_layers():
    """A fresh in-memory layer per test, so one test's pushes never leak into the next; no
    test's listeners linger in the count of languages listened in (lobby.live)."""
    yield
    channel_layers.backends.clear()
    live.reset()


@pytest.fixture
def layer(settings):
    """The in-memory channel layer (also when the suite runs with REDIS_URL): tests read pushes
    off it with tests.lobby.pushes."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return get_channel_layer()


@pytest.fixture(autouse=True)
def _no_frozen_heap(settings):
    """The test processes are short-lived: no freezing their heap (lobby.serving.FrozenHeap)."""
    settings.GC_FREEZE = False


@pytest.fixture(autouse=True)
def _no_referral_clock(settings):
    """No background referral clock in tests: they call referrals.services.tick() themselves."""
    settings.REFERRAL_TICK_SECONDS = 0


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Real hashing is slow by design; tests only need passwords to match.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_visit(actor: Staff, **overrides):
    """Check a customer in through the real service (a ticketed regular by default)."""
    from lobby import services

    values = {"prejudgement": "regular", "business_types": ["cash_large"]}
    values.update(overrides)
    return services.check_in(actor=actor, **values)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """No persistent or pooled connections in tests.

    A worker thread's connection (async tests) is closed after each use instead of lingering and
    blocking the test database's teardown; and the browser tests fork their server, which must not
    inherit a PostgreSQL pool's open connections (a pool cannot cross a fork). The pool itself is
    exercised by bench/notice_latency.py on a real server.
    """
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    settings.DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
