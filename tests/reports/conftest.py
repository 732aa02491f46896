"""A small branch history whose every figure is worked out by hand in the tests.

All times are local (Asia/Shanghai, UTC+8). Day D is Monday 2 March 2026. The waiting target is
the branch default, 20 minutes.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings

from lobby.choices import Prejudgement, ZoneKind
from lobby.models import Ticket, TicketQueue, Visit
from products.models import Product
from referrals.models import AmountBand, FollowUp, Referral, Sale
from referrals.reports.queries import Period, Scope

TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)
D = dt.date(2026, 3, 2)


def at(day: dt.date, hh: int, mm: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ)


def day_scope(branch, day: dt.date = D) -> Scope:
    return Scope((branch,), Period("custom", day, day))


def add_visit(branch, staff, arrived, **kw) -> Visit:
    values = {
        "prejudgement": Prejudgement.REGULAR,
        "business_types": ["cash_large"],
        "destination": ZoneKind.WAITING,
        "status": Visit.Status.DONE,
    }
    values.update(kw)
    return Visit.objects.create(branch=branch, arrived_at=arrived, checked_in_by=staff, **values)


def add_ticket(branch, staff, prefix, issued, called=None, completed=None, status="done", **kw):
    queue = TicketQueue.objects.get(branch=branch, prefix=prefix)
    visit = add_visit(branch, staff, issued, status=kw.pop("visit_status", Visit.Status.DONE))
    number = Ticket.objects.filter(queue=queue).count() + 1
    return Ticket.objects.create(
        branch=branch,
        queue=queue,
        visit=visit,
        service_date=issued.astimezone(TZ).date(),
        number=number,
        status=status,
        issued_at=issued,
        called_at=called,
        completed_at=completed,
        **kw,
    )


@pytest.fixture
def history(
    branch, catalogue, lobby_manager, teller_high, teller_low, wealth_manager, wealth_manager2
):
    """Tickets t1–t7, two extra visits, referrals r1–r8, two sales, four follow-ups."""
    alice, bob, betty = lobby_manager, teller_high, teller_low
    charlie, carol = wealth_manager, wealth_manager2
    prev, nxt = D - dt.timedelta(days=1), D + dt.timedelta(days=1)
    # Tickets on D (waits 4, 10, 25, —, 40, 2 minutes; services 6, 8, —, —, 10, 3).
    add_ticket(branch, alice, "A", at(D, 9, 0), at(D, 9, 4), at(D, 9, 10), served_by=bob)
    add_ticket(branch, alice, "A", at(D, 9, 10), at(D, 9, 20), at(D, 9, 28), served_by=bob)
    add_ticket(branch, alice, "A", at(D, 9, 30), at(D, 9, 55), at(D, 9, 57), status="no_show")
    add_ticket(
        branch,
        alice,
        "A",
        at(D, 10, 5),
        None,
        at(D, 10, 30),
        status="diverted",
        visit_status=Visit.Status.DIVERTED,
    )
    add_ticket(branch, alice, "B", at(D, 10, 15), at(D, 10, 55), at(D, 11, 5), served_by=betty)
    # Ten past midnight on D: the day before in UTC, still D locally.
    add_ticket(branch, alice, "A", at(D, 0, 10), at(D, 0, 12), at(D, 0, 15), served_by=bob)
    # Ten to midnight the day before: not D.
    add_ticket(branch, alice, "A", at(prev, 23, 50), at(prev, 23, 59), at(D, 0, 5), served_by=bob)
    # Visits without a ticket: one sent to the machines at the door, one VIP who wanted no pitch.
    add_visit(
        branch,
        alice,
        at(D, 11, 0),
        destination=ZoneKind.SELF_SERVICE,
        status=Visit.Status.DIVERTED,
        business_types=["cash_small"],
    )
    add_visit(
        branch,
        alice,
        at(D, 11, 30),
        prejudgement=Prejudgement.VIP,
        destination=ZoneKind.VIP_ROOM,
        marketing_stopped=True,
    )

    wealth = Product.objects.filter(category="wealth").first()
    fund = Product.objects.filter(category="fund").first()
    channel = Product.objects.filter(category="channel").first()

    def refer(stage, referrer, created, status, **kw) -> Referral:
        return Referral.objects.create(
            branch=branch,
            stage=stage,
            referrer=referrer,
            referrer_role=referrer.role,
            target_role="wealth_manager",
            created_at=created,
            status=status,
            **kw,
        )

    r1 = refer(
        "first",
        alice,
        at(D, 9, 0),
        "converted",
        product=wealth,
        claimed_by=charlie,
        accepted_at=at(D, 9, 2),
        started_at=at(D, 9, 5),
        closed_at=at(D, 9, 40),
        quality=5,
    )
    refer(
        "second",
        alice,
        at(D, 9, 30),
        "not_converted",
        product=wealth,
        claimed_by=carol,
        accepted_at=at(D, 9, 36),
        started_at=at(D, 9, 40),
        closed_at=at(D, 10, 0),
        quality=3,
    )
    # Never accepted: expired.
    refer("third", bob, at(D, 10, 0), "expired", closed_at=at(D, 10, 5))
    refer(
        "third",
        bob,
        at(D, 10, 10),
        "declined",
        product=channel,
        claimed_by=charlie,
        accepted_at=at(D, 10, 14),
        closed_at=at(D, 10, 20),
    )
    # Still waiting to be claimed.
    refer("first", alice, at(D, 10, 30), "created")
    refer("second", alice, at(D, 11, 0), "cancelled", closed_at=at(D, 11, 1))
    # Converted two days later (its sale falls outside D).
    r7 = refer(
        "third",
        betty,
        at(D, 11, 30),
        "converted",
        product=fund,
        claimed_by=charlie,
        accepted_at=at(D, 11, 40),
        started_at=at(D, 11, 45),
        closed_at=at(D, 11, 30) + dt.timedelta(days=2),
    )
    # The day before, five to midnight: not D.
    refer("first", alice, at(prev, 23, 55), "created")
    Sale.objects.create(
        referral=r1,
        product=wealth,
        amount_band=AmountBand.FROM_50K,
        sold_by=charlie,
        at=at(D, 9, 40),
    )
    Sale.objects.create(
        referral=r7,
        product=fund,
        amount_band=AmountBand.OVER_1M,
        sold_by=charlie,
        at=at(D, 11, 30) + dt.timedelta(days=2),
    )
    # Follow-ups due on D: on time (23:30 local), late (00:30 local the next day, still D in
    # UTC), never done; and one due later.
    FollowUp.objects.create(referral=r1, owner=charlie, due_date=D, done_at=at(D, 23, 30))
    FollowUp.objects.create(referral=r1, owner=charlie, due_date=D, done_at=at(nxt, 0, 30))
    FollowUp.objects.create(referral=r7, owner=carol, due_date=D)
    FollowUp.objects.create(referral=r7, owner=carol, due_date=D + dt.timedelta(days=5))
    return branch
