"""Every figure against the hand-worked history in conftest.py (day D, times local)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.reports import queries
from referrals.reports.sql import percentile_cont
from tests.reports.conftest import D, day_scope

pytestmark = pytest.mark.django_db


def approx(value):
    # julianday() keeps milliseconds: times come back within a few microseconds.
    return pytest.approx(value, abs=1e-4)


def service_rows(branch, day=D):
    tables = {t.key: t for t in queries.service_level(day_scope(branch, day))}
    return tables["service_level"].rows, tables["service_by_hour"].rows


def test_percentile_cont_interpolates_like_postgresql():
    assert percentile_cont([2, 4, 10, 25, 40], 0.5) == 10
    assert percentile_cont([2, 4, 10, 25, 40], 0.9) == approx(34)
    assert percentile_cont([3, 6, 8, 10], 0.5) == 7
    assert percentile_cont([], 0.5) is None


def test_service_level_of_the_whole_day(history):
    rows, _ = service_rows(history)
    total = next(r for r in rows if r.get("total"))
    assert (total["arrived"], total["called"], total["served"]) == (6, 5, 4)
    assert (total["no_shows"], total["never_called"]) == (1, 1)
    assert total["no_show_share"] == approx(1 / 6)
    assert total["wait_p50"] == approx(10)
    assert total["wait_p90"] == approx(34)
    assert total["wait_max"] == approx(40)
    assert total["service_p50"] == approx(7)
    # Two of the five called customers waited over the 20-minute target.
    assert total["over_target"] == approx(0.4)
    buckets = [total[k] for k in ("wait_0_5", "wait_5_15", "wait_15_30", "wait_30")]
    assert buckets == [2, 1, 1, 1]


def test_service_level_per_queue(history):
    rows, _ = service_rows(history)
    cash = next(r for r in rows if r.get("queue", "").startswith("A ·"))
    assert (cash["arrived"], cash["called"], cash["served"], cash["never_called"]) == (5, 4, 3, 1)
    assert cash["wait_p50"] == approx(7)
    assert cash["wait_p90"] == approx(20.5)
    noncash = next(r for r in rows if r.get("queue", "").startswith("B ·"))
    assert (noncash["arrived"], noncash["wait_p50"], noncash["service_p50"]) == (
        1,
        approx(40),
        approx(10),
    )


def test_a_ticket_never_called_counts_as_arrived_but_has_no_wait(history):
    _, by_hour = service_rows(history)
    ten = next(r for r in by_hour if r["queue"].startswith("A ·") and r["hour"] == 10)
    assert (ten["arrived"], ten["called"], ten["never_called"]) == (1, 0, 1)
    assert ten["wait_p50"] is None and ten["wait_max"] is None


def test_hours_are_local_and_the_day_starts_at_local_midnight(history):
    _, by_hour = service_rows(history)
    hours = sorted({(r["queue"][0], r["hour"]) for r in by_hour})
    assert hours == [("A", 0), ("A", 9), ("A", 10), ("B", 10)]
    nine = next(r for r in by_hour if r["queue"].startswith("A ·") and r["hour"] == 9)
    assert (nine["arrived"], nine["wait_p50"]) == (3, approx(10))


def test_the_ticket_before_local_midnight_belongs_to_the_day_before(history):
    rows, _ = service_rows(history, D - dt.timedelta(days=1))
    total = next(r for r in rows if r.get("total"))
    assert (total["arrived"], total["wait_p50"]) == (1, approx(9))


def test_an_empty_period_reports_zeros_not_errors(history):
    scope = day_scope(history, D - dt.timedelta(days=10))
    tables = queries.build(scope)
    assert tables["service_level"].rows == []
    assert tables["peaks"].rows == []
    funnel_total = next(r for r in tables["funnel"].rows if r.get("total"))
    assert funnel_total["made"] == 0 and funnel_total["conversion"] is None
    assert tables["diversion"].rows[0]["arrivals"] == 0
    assert tables["diversion"].rows[0]["diverted_share"] is None
    assert tables["follow_ups"].rows == []
    assert tables["people"].rows == []


def test_peaks_count_arrivals_and_waiting_by_weekday_and_hour(history):
    (table,) = queries.peaks(day_scope(history))
    cells = {(r["weekday"], r["hour"]): r for r in table.rows}
    assert {key: r["arrivals"] for key, r in cells.items()} == {
        (1, 0): 1,
        (1, 9): 3,
        (1, 10): 2,
        (1, 11): 2,
    }
    assert cells[(1, 9)]["wait_p90"] == approx(22)
    assert cells[(1, 11)]["wait_p90"] is None


def test_funnel_in_all(history):
    (table,) = queries.funnel(day_scope(history))
    total = next(r for r in table.rows if r.get("total"))
    figures = [
        total[k]
        for k in (
            "made",
            "accepted",
            "consulted",
            "converted",
            "not_converted",
            "declined",
            "blocked",
            "cancelled",
            "expired",
            "open",
        )
    ]
    assert figures == [7, 4, 3, 2, 1, 1, 0, 1, 1, 1]
    assert total["conversion"] == approx(2 / 7)
    # Accepted after 2, 6, 4 and 10 minutes; the expired and open ones never were.
    assert total["accept_p50"] == approx(5)
    # Sales 40 minutes and 2 days after the referral.
    assert total["sale_p50"] == approx((40 / 1440 + 2) / 2)


def test_funnel_per_stage(history):
    (table,) = queries.funnel(day_scope(history))
    stages = {r["stage_code"]: r for r in table.rows if not r.get("total")}
    assert [stages[s]["made"] for s in ("first", "second", "third")] == [2, 2, 3]
    assert stages["first"]["accept_p50"] == approx(2)
    assert stages["second"]["cancelled"] == 1
    third = stages["third"]
    assert (third["accepted"], third["expired"], third["declined"], third["converted"]) == (
        2,
        1,
        1,
        1,
    )
    assert third["accept_p50"] == approx(7)


def test_people_credit_referrer_and_closer_both(history, lobby_manager, teller_high, teller_low):
    (table,) = queries.people(day_scope(history))
    people = {r["name"]: r for r in table.rows}
    alice, bob, betty = people["Alice"], people["Bob"], people["Betty"]
    assert (alice["made"], alice["made_converted"], alice["quality"], alice["rated"]) == (
        4,
        1,
        4.0,
        2,
    )
    assert (bob["made"], bob["made_converted"], bob["quality"]) == (2, 0, None)
    assert (betty["made"], betty["made_converted"]) == (1, 1)
    charlie, carol = people["Charlie"], people["Carol"]
    assert (charlie["received"], charlie["closed"], charlie["closed_converted"]) == (3, 3, 2)
    assert (carol["received"], carol["closed"], carol["closed_converted"]) == (1, 1, 0)
    # Tellers: tickets served on D and their average service.
    assert (bob["served"], bob["service_avg"]) == (3, approx((6 + 8 + 3) / 3))
    assert (betty["served"], betty["service_avg"]) == (1, approx(10))


def test_products_count_interest_when_referred_and_sales_when_recorded(history):
    categories, products = queries.products(day_scope(history))
    by_category = {r["category"]: r for r in categories.rows}
    wealth = next(r for r in categories.rows if r["interest"] == 2)
    assert (wealth["converted"], wealth["sales"], wealth["band_50k_200k"]) == (1, 1, 1)
    none = next(r for r in products.rows if r["category"] == "—")
    assert none["interest"] == 3
    # The fund converted two days later: interest on D, its sale not.
    fund = next(r for r in products.rows if r["interest"] == 1 and r["converted"] == 1)
    assert fund["sales"] == 0
    assert sum(r["sales"] for r in by_category.values()) == 1


def test_diversion_vip_and_stopped_shares(history):
    overall, daily = queries.diversion(day_scope(history))
    (row,) = overall.rows
    assert (row["arrivals"], row["diverted"], row["at_door"], row["later"]) == (8, 2, 1, 1)
    assert row["diverted_share"] == approx(0.25)
    assert row["vip_share"] == approx(1 / 8)
    assert row["stopped_share"] == approx(1 / 8)
    assert [(r["day"], r["arrivals"]) for r in daily.rows] == [(D, 8)]


def test_follow_ups_done_on_time_by_the_local_day(history):
    (table,) = queries.follow_ups(day_scope(history))
    total = next(r for r in table.rows if r.get("total"))
    assert (total["due"], total["on_time"], total["late"], total["overdue"]) == (3, 1, 1, 1)
    assert total["pending"] == 0
    charlie = next(r for r in table.rows if r["owner"] == "Charlie")
    assert (charlie["on_time"], charlie["late"]) == (1, 1)


def test_compare_keeps_each_branch_apart(history, other_branch, outsider):
    from tests.reports.conftest import add_ticket

    add_ticket(other_branch, outsider, "A", *[
        dt.datetime.combine(D, dt.time(9), tzinfo=queries.Period("x", D, D).tz)
        + dt.timedelta(minutes=m)
        for m in (0, 30, 40)
    ])  # fmt: skip
    scope = queries.Scope((history, other_branch), queries.Period("custom", D, D))
    rows = queries.service_level(scope)[0].rows
    totals = {r["branch_id"]: r for r in rows if r.get("total")}
    assert totals[history.pk]["arrived"] == 6
    assert (totals[other_branch.pk]["arrived"], totals[other_branch.pk]["wait_p50"]) == (
        1,
        approx(30),
    )
    assert {c.key for c in queries.service_level(scope)[0].columns} >= {"branch"}


# Transaction control around a PostgreSQL statement, not a query for data.
HOUSEKEEPING = (
    "SAVEPOINT",
    "RELEASE SAVEPOINT",
    "ROLLBACK TO SAVEPOINT",
    "SET LOCAL",
    "BEGIN",
    "COMMIT",
)


def _count_queries(scope) -> dict[str, int]:
    counts = {}
    for name, builder in queries.REPORTS.items():
        with CaptureQueriesContext(connection) as captured:
            builder(scope)
        counts[name] = sum(1 for q in captured if not q["sql"].startswith(HOUSEKEEPING))
    return counts


def test_the_number_of_queries_does_not_grow_with_the_history(history, lobby_manager):
    from tests.reports.conftest import add_ticket, at

    small = _count_queries(day_scope(history))
    for minute in range(0, 60, 2):
        add_ticket(history, lobby_manager, "B", at(D, 14, minute), at(D, 14, minute + 1))
    assert _count_queries(day_scope(history)) == small
    assert sum(small.values()) <= 16


def test_a_fixed_offset_is_found_only_where_the_clock_does_not_change():
    import zoneinfo

    from referrals.reports.sql import fixed_offset_minutes

    shanghai, london = zoneinfo.ZoneInfo("Asia/Shanghai"), zoneinfo.ZoneInfo("Europe/London")
    assert fixed_offset_minutes(shanghai, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 480
    assert fixed_offset_minutes(london, dt.date(2026, 3, 28), dt.date(2026, 3, 30)) is None


def test_hours_stay_local_across_a_daylight_saving_switch(settings, branch, lobby_manager):
    import zoneinfo

    from tests.reports.conftest import add_ticket

    settings.TIME_ZONE = "Europe/London"
    london = zoneinfo.ZoneInfo("Europe/London")
    for day in (28, 30):  # GMT, then BST (the clocks went forward on the 29th)
        issued = dt.datetime(2026, 3, day, 9, 0, tzinfo=london)
        add_ticket(branch, lobby_manager, "A", issued, issued + dt.timedelta(minutes=5))
    scope = queries.Scope(
        (branch,), queries.Period("custom", dt.date(2026, 3, 28), dt.date(2026, 3, 30))
    )
    _, by_hour = (t.rows for t in queries.service_level(scope))
    assert [(r["hour"], r["arrived"]) for r in by_hour] == [(9, 2)]
