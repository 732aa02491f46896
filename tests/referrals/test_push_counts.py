"""Push counts of the referral services not counted in test_push.py: the follow-ups and expiry.
Each pushes to exactly the screens named here, once, after its commit; a rollback pushes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from lobby import live
from lobby.choices import Role
from referrals import services
from referrals.models import FollowUp, Referral, Status
from tests.lobby.pushes import Listener
from tests.referrals.conftest import drive_to, refer_to_pool

pytestmark = pytest.mark.django_db

NOBODY = {"pool": 0, "lobby": 0, "referrer": 0, "charlie": 0, "carol": 0}


@pytest.fixture
def screens(layer, branch, lobby_manager, wealth_manager, wealth_manager2):
    """One listener per kind of screen (charlie serves the customer; carol is another WM)."""
    return {
        "pool": Listener(layer, live.role_group(branch.pk, Role.WEALTH_MANAGER)),
        "lobby": Listener(layer, live.role_group(branch.pk, Role.LOBBY_MANAGER)),
        "referrer": Listener(layer, live.staff_group(lobby_manager.pk)),
        "charlie": Listener(layer, live.staff_group(wealth_manager.pk)),
        "carol": Listener(layer, live.staff_group(wealth_manager2.pk)),
    }


def _counts(screens) -> dict[str, int]:
    return {name: len(listener.take()) for name, listener in screens.items()}


def _served(lobby_manager, wealth_manager) -> Referral:
    return drive_to(Status.NOT_CONVERTED, referrer=lobby_manager, holder=wealth_manager)


def _next_week() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=7)


def test_scheduling_a_follow_up_pushes_once_to_its_owner(
    screens, lobby_manager, wealth_manager, django_capture_on_commit_callbacks
):
    referral = _served(lobby_manager, wealth_manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_follow_up(
            referral_id=referral.pk, actor=wealth_manager, due_date=_next_week()
        )
    assert _counts(screens) == {**NOBODY, "charlie": 1}


def test_completing_a_follow_up_pushes_once_to_its_owner(
    screens, lobby_manager, wealth_manager, django_capture_on_commit_callbacks
):
    referral = _served(lobby_manager, wealth_manager)
    follow_up = services.schedule_follow_up(
        referral_id=referral.pk, actor=wealth_manager, due_date=_next_week()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_follow_up(follow_up_id=follow_up.pk, actor=wealth_manager)
    assert _counts(screens) == {**NOBODY, "charlie": 1}


def test_expiry_takes_the_card_off_the_pool_and_updates_the_referrers_row(
    screens, lobby_manager, django_capture_on_commit_callbacks
):
    referral = refer_to_pool(lobby_manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.expire(referral_id=referral.pk)
    assert _counts(screens) == {**NOBODY, "pool": 1, "referrer": 1}


class Oops(Exception):
    pass


def test_a_rolled_back_follow_up_pushes_nothing(
    screens, lobby_manager, wealth_manager, django_capture_on_commit_callbacks
):
    referral = _served(lobby_manager, wealth_manager)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Oops),
        transaction.atomic(),
    ):
        services.schedule_follow_up(
            referral_id=referral.pk, actor=wealth_manager, due_date=_next_week()
        )
        raise Oops
    assert callbacks == []
    assert not FollowUp.objects.exists()
    assert _counts(screens) == NOBODY


def test_a_rolled_back_expiry_pushes_nothing(
    screens, lobby_manager, django_capture_on_commit_callbacks
):
    referral = refer_to_pool(lobby_manager)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Oops),
        transaction.atomic(),
    ):
        services.expire(referral_id=referral.pk)
        raise Oops
    assert callbacks == []
    assert Referral.objects.get(pk=referral.pk).status == Status.CREATED
    assert _counts(screens) == NOBODY
