"""The trail of a referral's moves only grows: no row of it can be changed or deleted."""

from __future__ import annotations

import pytest

from referrals import services
from referrals.models import AppendOnlyError, Referral, Status, Transition
from tests.referrals.conftest import drive_to, refer_to_pool

pytestmark = pytest.mark.django_db


def _trail(referral: Referral) -> list[tuple[str, str, str]]:
    return list(
        Transition.objects.filter(referral=referral).values_list(
            "from_status", "to_status", "reason"
        )
    )


def test_a_recorded_transition_refuses_to_be_saved_again(lobby_manager, wealth_manager):
    referral = drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    before = _trail(referral)
    transition = referral.transitions.last()
    transition.to_status = Status.CANCELLED
    with pytest.raises(AppendOnlyError):
        transition.save()
    assert _trail(referral) == before


def test_a_recorded_transition_refuses_to_be_deleted(lobby_manager, wealth_manager):
    referral = drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    before = _trail(referral)
    with pytest.raises(AppendOnlyError):
        referral.transitions.last().delete()
    assert _trail(referral) == before


def test_the_trail_refuses_changes_in_bulk(lobby_manager, wealth_manager):
    referral = drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    before = _trail(referral)
    with pytest.raises(AppendOnlyError):
        Transition.objects.filter(referral=referral).update(to_status=Status.CANCELLED)
    with pytest.raises(AppendOnlyError):
        Transition.objects.filter(referral=referral).update(reason="", actor=None)
    assert _trail(referral) == before


def test_the_trail_refuses_deletion_in_bulk(lobby_manager, wealth_manager):
    referral = drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    before = _trail(referral)
    with pytest.raises(AppendOnlyError):
        Transition.objects.filter(referral=referral).delete()
    assert _trail(referral) == before


def test_the_retention_purge_may_blank_the_reasons(lobby_manager):
    referral = services.cancel(
        referral_id=refer_to_pool(lobby_manager).pk, actor=lobby_manager, reason="王先生 left"
    )
    Transition.objects.filter(referral=referral).update(reason="")
    assert [reason for _f, _t, reason in _trail(referral)] == ["", ""]


def test_new_moves_still_append_to_the_trail(lobby_manager, wealth_manager):
    referral = drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    services.start_consultation(referral_id=referral.pk, actor=wealth_manager)
    assert [to for _f, to, _r in _trail(referral)] == [
        Status.CREATED,
        Status.ACCEPTED,
        Status.IN_CONSULTATION,
    ]
