"""seed_history: realistic, bulk, and the reports read it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from lobby.models import Ticket, Visit
from referrals.models import Referral, Sale
from referrals.reports import queries
from referrals.reports.queries import Period, Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(branch, catalogue, lobby_manager, teller_high, teller_low, wealth_manager):
    err = io.StringIO()
    call_command(
        "seed_history", "--days", "7", "--visits-per-day", "80", "--branch", branch.code,
        stdout=io.StringIO(), stderr=err,
    )  # fmt: skip
    return branch, err.getvalue()


def test_seed_history_writes_visits_tickets_referrals_and_sales(seeded):
    branch, progress = seeded
    assert Visit.objects.filter(branch=branch).count() > 300
    assert Ticket.objects.filter(branch=branch).count() > 100
    assert Referral.objects.filter(branch=branch).count() > 50
    assert Sale.objects.filter(referral__branch=branch).exists()
    assert "7/7 days" in progress


def test_seeded_referrals_go_through_every_outcome(seeded):
    branch, _ = seeded
    statuses = set(Referral.objects.filter(branch=branch).values_list("status", flat=True))
    assert {"converted", "not_converted", "declined", "expired", "cancelled"} <= statuses


def test_seeded_arrivals_peak_in_the_morning(seeded):
    branch, _ = seeded
    today = Period.named("today").first
    (peaks,) = queries.peaks(
        Scope((branch,), Period("x", today.replace(year=today.year - 1), today))
    )
    by_hour: dict[int, int] = {}
    for row in peaks.rows:
        by_hour[row["hour"]] = by_hour.get(row["hour"], 0) + row["arrivals"]
    assert by_hour.get(10, 0) > by_hour.get(14, 0)


def test_seeding_twice_keeps_ticket_numbers_unique(seeded):
    branch, _ = seeded
    call_command(
        "seed_history", "--days", "2", "--visits-per-day", "40", "--branch", branch.code,
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    duplicates = (
        Ticket.objects.values("queue", "service_date", "number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
