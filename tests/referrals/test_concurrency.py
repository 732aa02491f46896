"""Twenty wealth managers tap "take customer" at once: exactly one gets the customer."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from lobby.choices import Role
from referrals import services
from referrals.models import Referral, Status, Transition
from tests.conftest import make_staff
from tests.referrals.conftest import refer_to_pool

CLAIMS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_claims_have_exactly_one_winner(branch, lobby_manager):
    managers = [make_staff(branch, f"wm{i}", Role.WEALTH_MANAGER, f"WM {i}") for i in range(CLAIMS)]
    referral = refer_to_pool(lobby_manager)
    start = threading.Barrier(CLAIMS)
    results: dict[int, object] = {}

    def claim(staff) -> None:
        try:
            start.wait()
            results[staff.pk] = services.accept(referral_id=referral.pk, actor=staff)
        except services.ReferralError as exc:
            results[staff.pk] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(m,)) for m in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a claim never finished"

    winners = [r for r in results.values() if isinstance(r, Referral)]
    losers = [r for r in results.values() if isinstance(r, services.AlreadyClaimed)]
    assert len(results) == CLAIMS
    assert len(winners) == 1
    assert len(losers) == CLAIMS - 1
    winner = winners[0].claimed_by
    # Every loser is told who has the customer.
    assert all(winner.display_name in str(loss) for loss in losers)
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED and referral.claimed_by == winner
    assert Transition.objects.filter(referral=referral, to_status=Status.ACCEPTED).count() == 1
