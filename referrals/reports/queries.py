"""Every report as a few grouped queries: the database adds up, Python only lays out the rows.

Each builder takes a `Scope` (the branches, the period) and returns its `Table`s. The number of
queries a builder sends is fixed (one per grouping), whatever the size of the history: that is
what keeps a year of a busy branch as quick to report as a day (see bench/reports.py).

Which rows a period holds: tickets issued, visits arrived, referrals made and sales recorded
within it; follow-ups falling due within it. A referral belongs to the period it was made in,
with whatever became of it since (its outcome may come later).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, ExpressionWrapper, F, IntegerField, Q
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lobby.choices import Prejudgement, ZoneKind
from lobby.models import Branch, Staff, Ticket, TicketQueue, Visit
from products.choices import ProductCategory
from products.models import Product
from referrals.models import OPEN_STATUSES, OUTCOMES, AmountBand, FollowUp, Referral, Sale
from referrals.models import Stage as ReferralStage
from referrals.models import Status as ReferralStatus
from referrals.reports.sql import (
    JulianDay,
    LocalClock,
    local_parts_sql,
    prepare,
    rollup,
)

WAIT_BUCKETS = [(0, 5), (5, 15), (15, 30), (30, None)]  # minutes


@dataclass(frozen=True)
class Period:
    """Whole local days, first to last inclusive, in the branch's time zone."""

    key: str
    first: dt.date
    last: dt.date

    @property
    def tz(self) -> dt.tzinfo:
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=self.tz)

    @property
    def end(self) -> dt.datetime:
        """Exclusive: local midnight after the last day."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @classmethod
    def named(cls, key: str, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        if key == "today":
            return cls(key, today, today)
        if key == "yesterday":
            day = today - dt.timedelta(days=1)
            return cls(key, day, day)
        if key == "week":
            monday = today - dt.timedelta(days=today.weekday())
            return cls(key, monday, monday + dt.timedelta(days=6))
        if key == "month":
            first = today.replace(day=1)
            following = (first + dt.timedelta(days=32)).replace(day=1)
            return cls(key, first, following - dt.timedelta(days=1))
        raise ValueError(f"unknown period {key!r}")


@dataclass(frozen=True)
class Scope:
    branches: tuple[Branch, ...]
    period: Period

    @property
    def branch_ids(self) -> list[int]:
        return [b.pk for b in self.branches]

    @property
    def compare(self) -> bool:
        return len(self.branches) > 1

    def branch_name(self, branch_id: int) -> str:
        return next(str(b.name) for b in self.branches if b.pk == branch_id)

    def clock(self) -> LocalClock:
        prepare(connection)
        return LocalClock(connection, self.period.tz, self.period.first, self.period.last)


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    # text · count · pct (a share 0–1) · minutes · days · rating · hour
    kind: str = "count"


@dataclass
class Table:
    key: str
    title: str | Promise
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str | Promise = ""

    def rows_for(self, branch_id: int) -> list[dict[str, Any]]:
        return [row for row in self.rows if row.get("branch_id") == branch_id]


def _not_indexed(field: str) -> Any:
    """The column plus zero: the same value, but SQLite will not pick the column's index for it.

    Sales and follow-ups have no branch of their own; filtered through their referral's branch,
    SQLite's planner walks every referral of the branch (an equality looks more selective than
    the period's range) instead of the few rows the period's index finds. PostgreSQL chooses by
    its statistics, and is given the plain column."""
    if connection.vendor != "sqlite":
        # PostgreSQL would misjudge "+ 0" (a guess, not statistics) and scan every referral.
        return F(field)
    return ExpressionWrapper(F(field) + 0, output_field=IntegerField())


def share(part: float | None, whole: float | None) -> float | None:
    return part / whole if part is not None and whole else None


def minutes(seconds: float | None) -> float | None:
    return seconds / 60 if seconds is not None else None


def with_branch(scope: Scope, columns: list[Column]) -> list[Column]:
    if scope.compare:
        return [Column("branch", _("Branch"), "text"), *columns]
    return columns


def _named(rows: Iterable[dict], scope: Scope) -> list[dict]:
    rows = list(rows)
    for row in rows:
        row["branch"] = scope.branch_name(row["branch_id"])
    return rows


# --- Service level -----------------------------------------------------------------------------

SERVICE_COLUMNS = [
    Column("arrived", _("Tickets")),
    Column("called", _("Called")),
    Column("served", _("Served")),
    Column("no_shows", _("No-shows")),
    Column("no_show_share", _("No-shows (%)"), "pct"),
    Column("never_called", _("Never called")),
    Column("wait_p50", _("Wait p50 (min)"), "minutes"),
    Column("wait_p90", _("Wait p90 (min)"), "minutes"),
    Column("wait_max", _("Wait max (min)"), "minutes"),
    Column("service_p50", _("Service p50 (min)"), "minutes"),
    Column("over_target", _("Over target (%)"), "pct"),
    Column("wait_0_5", _("0–5 min")),
    Column("wait_5_15", _("5–15 min")),
    Column("wait_15_30", _("15–30 min")),
    Column("wait_30", _("30+ min")),
]


def _local(scope: Scope, julian: str, field: str, wanted: Iterable[str]) -> tuple[dict, dict]:
    """Local hour / weekday / day of a timestamp: arithmetic on its Julian day where the
    offset is fixed (SQLite, see sql.LocalClock), else the database's own time-zone functions
    in the first step. Returns (columns for the first step, derived SQL for the second)."""
    clock = scope.clock()
    first: dict[str, Any] = {}
    derived: dict[str, str] = {}
    if clock.offset is not None:
        parts = local_parts_sql(julian, clock.offset)
        derived = {name: parts[name] for name in wanted}
    else:
        builders = {"hour": clock.hour, "weekday": clock.weekday, "day": clock.date}
        first = {name: builders[name](field) for name in wanted}
    return first, derived


def _day(value: Any) -> dt.date:
    """A day column: a date (time-zone functions) or a day number since 1970 (arithmetic)."""
    if isinstance(value, int):
        return dt.date(1970, 1, 1) + dt.timedelta(days=value)
    return value


def _ticket_rollup(
    scope: Scope,
    groupings: list[list[str]],
    measures: dict[str, str],
    percentiles: dict[str, tuple[str, float]] | None = None,
    local: Iterable[str] = (),
) -> list[dict]:
    period = scope.period
    first, derived = _local(scope, "ji", "issued_at", local)
    rows = Ticket.objects.filter(
        branch__in=scope.branch_ids, issued_at__gte=period.start, issued_at__lt=period.end
    ).values(
        bid=F("branch_id"),
        qid=F("queue_id"),
        teller=F("served_by_id"),
        state=F("status"),
        ji=JulianDay("issued_at"),
        jc=JulianDay("called_at"),
        jd=JulianDay("completed_at"),
        **first,
    )
    derived = {
        "wait": "((jc - ji) * 86400.0)",
        "service": f"(CASE WHEN state = '{Ticket.Status.DONE}' THEN (jd - jc) * 86400.0 END)",
        **derived,
    }
    return rollup(
        connection,
        rows,
        derived=derived,
        groupings=groupings,
        measures=measures,
        percentiles=percentiles,
    )


WAIT_PERCENTILES = {
    "wait_p50": ("wait", 0.5),
    "wait_p90": ("wait", 0.9),
    "service_p50": ("service", 0.5),
}


def _service_measures(scope: Scope) -> dict[str, str]:
    done, no_show = Ticket.Status.DONE, Ticket.Status.NO_SHOW
    # Each branch's waiting target in seconds (whole numbers from the branch rows: no join).
    target = "CASE bid {} END".format(
        " ".join(f"WHEN {b.pk:d} THEN {b.waiting_target_minutes * 60:d}" for b in scope.branches)
    )
    measures = {
        "arrived": "COUNT(*)",
        "called": "COUNT(jc)",
        "served": f"SUM(CASE WHEN state = '{done}' THEN 1 ELSE 0 END)",
        "no_shows": f"SUM(CASE WHEN state = '{no_show}' THEN 1 ELSE 0 END)",
        "never_called": "SUM(CASE WHEN jc IS NULL THEN 1 ELSE 0 END)",
        "wait_max": "MAX(wait)",
        "over_count": f"SUM(CASE WHEN wait > {target} THEN 1 ELSE 0 END)",
    }
    for low, high in WAIT_BUCKETS:
        condition = f"wait >= {low * 60}" if low else "wait IS NOT NULL"
        if high is not None:
            condition += f" AND wait < {high * 60}"
        name = f"wait_{low}_{high}" if high else f"wait_{low}"
        measures[name] = f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"
    return measures


def _finish_service(row: dict) -> dict:
    row["branch_id"] = row.pop("bid")
    row["no_show_share"] = share(row["no_shows"], row["arrived"])
    row["over_target"] = share(row.pop("over_count"), row["called"])
    for key in ("wait_p50", "wait_p90", "wait_max", "service_p50"):
        row[key] = minutes(row[key])
    return row


def _queue_names(scope: Scope) -> dict[int, str]:
    queues = TicketQueue.objects.filter(branch__in=scope.branch_ids)
    return {q.pk: f"{q.prefix} · {q.name}" for q in queues}


def service_level(scope: Scope) -> list[Table]:
    """Per queue and hour, per queue, and the branch as a whole (one query at three
    groupings, and one for the queues' names)."""
    queues = _queue_names(scope)
    rows = _ticket_rollup(
        scope,
        [["bid", "qid", "hour"], ["bid", "qid"], ["bid"]],
        _service_measures(scope),
        WAIT_PERCENTILES,
        local=["hour"],
    )
    by_hour = [r for r in rows if r["grouping_set"] == 0]
    by_queue = [r for r in rows if r["grouping_set"] == 1]
    overall = [r for r in rows if r["grouping_set"] == 2]
    hour_rows = []
    for row in by_hour:
        row["queue"] = queues.get(row["qid"], "")
        hour_rows.append(_finish_service(row))
    queue_rows = []
    for row in by_queue:
        row["queue"] = queues.get(row["qid"], "")
        queue_rows.append(_finish_service(row))
    for row in overall:
        row["queue"] = str(_("All queues"))
        row["total"] = True
        queue_rows.append(_finish_service(row))
    queue_rows.sort(key=lambda r: (r["branch_id"], r.get("total", False), r["queue"]))
    hour_rows.sort(key=lambda r: (r["branch_id"], r["queue"], r["hour"]))
    target_note = _(
        "Waiting is from ticket to first call; service from first call to done. "
        "Over target: called customers who waited longer than the branch's target "
        "(%(minutes)s minutes)."
    ) % {"minutes": ", ".join(str(b.waiting_target_minutes) for b in scope.branches)}
    return [
        Table(
            "service_level",
            _("Service level by queue"),
            with_branch(scope, [Column("queue", _("Queue"), "text"), *SERVICE_COLUMNS]),
            _named(queue_rows, scope),
            target_note,
        ),
        Table(
            "service_by_hour",
            _("Service level by queue and hour"),
            with_branch(
                scope,
                [
                    Column("queue", _("Queue"), "text"),
                    Column("hour", _("Hour"), "hour"),
                    *SERVICE_COLUMNS,
                ],
            ),
            _named(hour_rows, scope),
        ),
    ]


# --- Peaks -------------------------------------------------------------------------------------


def _visit_rollup(
    scope: Scope, keys: list[str], measures: dict[str, str], local: Iterable[str]
) -> list[dict]:
    """Visits grouped by `keys`, with local hour / weekday / day available as keys."""
    period = scope.period
    first, derived = _local(scope, "ja", "arrived_at", local)
    rows = Visit.objects.filter(
        branch__in=scope.branch_ids, arrived_at__gte=period.start, arrived_at__lt=period.end
    ).values(
        bid=F("branch_id"),
        destination_code=F("destination"),
        state=F("status"),
        tier=F("prejudgement"),
        stopped_flag=F("marketing_stopped"),
        ja=JulianDay("arrived_at"),
        **first,
    )
    return rollup(connection, rows, derived=derived, groupings=[keys], measures=measures)


def peaks(scope: Scope) -> list[Table]:
    """Weekday × hour: arrivals (visits) and waiting p90 (tickets). Two queries."""
    keys = ["bid", "weekday", "hour"]
    arrivals = _visit_rollup(scope, keys, {"arrivals": "COUNT(*)"}, ["weekday", "hour"])
    waits = _ticket_rollup(
        scope,
        [keys],
        {"tickets": "COUNT(*)"},
        {"wait_p90": ("wait", 0.9)},
        local=["weekday", "hour"],
    )
    cells: dict[tuple[int, int, int], dict] = {}
    for row in arrivals:
        key = (row["bid"], int(row["weekday"]), int(row["hour"]))
        cells[key] = {"arrivals": row["arrivals"], "wait_p90": None, "tickets": 0}
    for row in waits:
        key = (row["bid"], int(row["weekday"]), int(row["hour"]))
        cell = cells.setdefault(key, {"arrivals": 0})
        cell["wait_p90"] = minutes(row["wait_p90"])
        cell["tickets"] = row["tickets"]
    rows = []
    for (branch_id, weekday, hour), cell in sorted(cells.items()):
        rows.append(
            {
                "branch_id": branch_id,
                "weekday": weekday,
                "hour": hour,
                "weekday_label": str(WEEKDAYS_ABBR[weekday - 1]),
                **cell,
            }
        )
    return [
        Table(
            "peaks",
            _("Peaks by weekday and hour"),
            with_branch(
                scope,
                [
                    Column("weekday_label", _("Weekday"), "text"),
                    Column("hour", _("Hour"), "hour"),
                    Column("arrivals", _("Arrivals")),
                    Column("tickets", _("Tickets")),
                    Column("wait_p90", _("Wait p90 (min)"), "minutes"),
                ],
            ),
            _named(rows, scope),
            _("Arrivals count every visit checked in at the door; waiting counts ticketed visits."),
        )
    ]


# --- Referral funnel ---------------------------------------------------------------------------


def _funnel_measures() -> dict[str, str]:
    st = ReferralStatus

    def count(*statuses: str) -> str:
        listed = ", ".join(f"'{status}'" for status in statuses)
        return f"SUM(CASE WHEN state IN ({listed}) THEN 1 ELSE 0 END)"

    return {
        "made": "COUNT(*)",
        "accepted": "COUNT(ja)",
        "consulted": "COUNT(js)",
        "converted": count(st.CONVERTED),
        "not_converted": count(st.NOT_CONVERTED),
        "declined": count(st.DECLINED),
        "blocked": count(st.BLOCKED_SUITABILITY),
        "cancelled": count(st.CANCELLED),
        "expired": count(st.EXPIRED),
        "open": count(*OPEN_STATUSES),
    }


FUNNEL_PERCENTILES = {"accept_p50": ("to_accept", 0.5), "sale_p50": ("to_sale", 0.5)}


def _referral_rows(scope: Scope):
    period = scope.period
    return Referral.objects.filter(
        branch__in=scope.branch_ids, created_at__gte=period.start, created_at__lt=period.end
    )


def funnel(scope: Scope) -> list[Table]:
    """Per stage and in all (one query at two groupings)."""
    rows = _referral_rows(scope).values(
        bid=F("branch_id"),
        stage_code=F("stage"),
        state=F("status"),
        jm=JulianDay("created_at"),
        ja=JulianDay("accepted_at"),
        js=JulianDay("started_at"),
        jx=JulianDay("closed_at"),
    )
    measures = _funnel_measures()
    both = rollup(
        connection,
        rows,
        derived={
            "to_accept": "((ja - jm) * 86400.0)",
            "to_sale": f"(CASE WHEN state = '{ReferralStatus.CONVERTED}' THEN jx - jm END)",
        },
        groupings=[["bid", "stage_code"], ["bid"]],
        measures=measures,
        percentiles=FUNNEL_PERCENTILES,
    )
    by_stage = [r for r in both if r["grouping_set"] == 0]
    overall = [r for r in both if r["grouping_set"] == 1]
    order = {stage: i for i, stage in enumerate(ReferralStage.values)}
    found = {(r.pop("bid"), r["stage_code"]): r for r in by_stage}
    table_rows = []
    empty = {key: 0 for key in measures} | {"accept_p50": None, "sale_p50": None}
    totals = {r.pop("bid"): r for r in overall}
    for branch_id in scope.branch_ids:
        for stage in ReferralStage.values:
            row = found.get((branch_id, stage)) or dict(empty)
            row["branch_id"] = branch_id
            row["stage"] = str(ReferralStage(stage).label)
            row["stage_code"] = stage
            table_rows.append(row)
        total = totals.get(branch_id) or dict(empty)
        total["branch_id"] = branch_id
        total["stage"], total["stage_code"], total["total"] = str(_("All stages")), "", True
        table_rows.append(total)
    for row in table_rows:
        row["conversion"] = share(row["converted"], row["made"])
        row["accept_p50"] = minutes(row["accept_p50"])
    rows = _named(table_rows, scope)
    rows.sort(key=lambda r: (r["branch_id"], order.get(r["stage_code"], 99)))
    return [
        Table(
            "funnel",
            _("Referral funnel by stage"),
            with_branch(
                scope,
                [
                    Column("stage", _("Stage"), "text"),
                    Column("made", _("Made")),
                    Column("accepted", _("Accepted")),
                    Column("consulted", _("In consultation")),
                    Column("converted", _("Converted")),
                    Column("conversion", _("Conversion (%)"), "pct"),
                    Column("not_converted", _("Not converted")),
                    Column("declined", _("Declined")),
                    Column("blocked", _("Blocked by suitability")),
                    Column("cancelled", _("Cancelled")),
                    Column("expired", _("Expired")),
                    Column("open", _("Still open")),
                    Column("accept_p50", _("Median time to accept (min)"), "minutes"),
                    Column("sale_p50", _("Median days to sale"), "days"),
                ],
            ),
            rows,
            _(
                "Referrals made in the period, with what became of them since. Conversion: "
                "converted ÷ made."
            ),
        )
    ]


# --- People ------------------------------------------------------------------------------------


def people(scope: Scope) -> list[Table]:
    """Referrers, receivers and tellers, credited both ways (双算). Four queries."""
    referrals = _referral_rows(scope)
    converted = Q(status=ReferralStatus.CONVERTED)
    made = (
        referrals.values("branch_id", "referrer_id")
        .annotate(
            made=Count("id"),
            made_converted=Count("id", filter=converted),
            quality_avg=Avg("quality"),
            rated=Count("quality"),
        )
        .order_by()
    )
    received = (
        referrals.exclude(claimed_by=None)
        .values("branch_id", "claimed_by_id")
        .annotate(
            received=Count("id"),
            closed=Count("id", filter=Q(status__in=OUTCOMES)),
            closed_converted=Count("id", filter=converted),
        )
        .order_by()
    )
    served = _ticket_rollup(
        scope,
        [["bid", "teller"]],
        {
            "served": f"SUM(CASE WHEN state = '{Ticket.Status.DONE}' THEN 1 ELSE 0 END)",
            "service_avg": "AVG(service)",
        },
    )
    staff = {
        member.pk: member
        for member in Staff.objects.filter(branch__in=scope.branch_ids).only(
            "pk", "branch_id", "display_name", "role"
        )
    }
    people: dict[int, dict] = {}

    def person(staff_id: int) -> dict:
        member = staff[staff_id]
        return people.setdefault(
            staff_id,
            {
                "branch_id": member.branch_id,
                "staff_id": staff_id,
                "name": member.display_name,
                "role": member.get_role_display(),
                "made": 0,
                "made_converted": 0,
                "quality": None,
                "rated": 0,
                "received": 0,
                "closed": 0,
                "closed_converted": 0,
                "served": 0,
                "service_avg": None,
            },
        )

    for row in made:
        person(row["referrer_id"]).update(
            made=row["made"],
            made_converted=row["made_converted"],
            quality=row["quality_avg"],
            rated=row["rated"],
        )
    for row in received:
        person(row["claimed_by_id"]).update(
            received=row["received"],
            closed=row["closed"],
            closed_converted=row["closed_converted"],
        )
    for row in served:
        if row["teller"] is None:
            continue
        person(row["teller"]).update(served=row["served"], service_avg=minutes(row["service_avg"]))
    rows = _named(people.values(), scope)
    for row in rows:
        row["made_conversion"] = share(row["made_converted"], row["made"])
    rows.sort(key=lambda r: (r["branch_id"], -r["made"], -r["received"], -r["served"], r["name"]))
    return [
        Table(
            "people",
            _("By person and role"),
            with_branch(
                scope,
                [
                    Column("name", _("Person"), "text"),
                    Column("role", _("Role"), "text"),
                    Column("made", _("Referrals made")),
                    Column("made_converted", _("Of those converted")),
                    Column("made_conversion", _("Conversion (%)"), "pct"),
                    Column("quality", _("Quality rating (1–5)"), "rating"),
                    Column("rated", _("Rated")),
                    Column("received", _("Referrals received")),
                    Column("closed", _("Closed with an outcome")),
                    Column("closed_converted", _("Converted by them")),
                    Column("served", _("Tickets served")),
                    Column("service_avg", _("Average service (min)"), "minutes"),
                ],
            ),
            rows,
            _(
                "A converted referral counts for the person who made it and for the person "
                "who closed it (双算). Quality is the receivers' rating of the referrer's "
                "referrals."
            ),
        )
    ]


# --- Products ----------------------------------------------------------------------------------


def products(scope: Scope) -> list[Table]:
    """Referrals of interest and sales per product, and per category (two queries)."""
    period = scope.period
    interest = (
        Referral.objects.filter(
            branch__in=scope.branch_ids, created_at__gte=period.start, created_at__lt=period.end
        )
        .values("branch_id", "product_id")
        .annotate(
            interest=Count("id"), converted=Count("id", filter=Q(status=ReferralStatus.CONVERTED))
        )
        .order_by()
    )
    sales = (
        Sale.objects.filter(at__gte=period.start, at__lt=period.end)
        .alias(branch_ref=_not_indexed("referral__branch_id"))
        .filter(branch_ref__in=scope.branch_ids)
        .values("referral__branch_id", "product_id", "amount_band")
        .annotate(sales=Count("id"))
        .order_by()
    )
    interest_rows = list(interest)
    sale_rows = list(sales)
    # The whole catalogue (small), always one query whatever the rows.
    catalogue = {p.pk: p for p in Product.objects.all()}
    bands = AmountBand.values
    rows: dict[tuple[int, int | None], dict] = {}

    def row_for(branch_id: int, product_id: int | None) -> dict:
        product = catalogue.get(product_id) if product_id else None
        return rows.setdefault(
            (branch_id, product_id),
            {
                "branch_id": branch_id,
                "product": product.name if product else str(_("No product named")),
                "category_code": product.category if product else "",
                "category": product.get_category_display() if product else "—",
                "interest": 0,
                "converted": 0,
                "sales": 0,
                **{f"band_{band}": 0 for band in bands},
            },
        )

    for r in interest_rows:
        row_for(r["branch_id"], r["product_id"]).update(
            interest=r["interest"], converted=r["converted"]
        )
    for sold in sale_rows:
        row = row_for(sold["referral__branch_id"], sold["product_id"])
        row["sales"] += sold["sales"]
        row[f"band_{sold['amount_band']}"] += sold["sales"]
    product_rows = _named(rows.values(), scope)
    product_rows.sort(key=lambda r: (r["branch_id"], -r["sales"], -r["interest"], r["product"]))
    categories: dict[tuple[int, str], dict] = {}
    for row in product_rows:
        key = (row["branch_id"], row["category_code"])
        total = categories.setdefault(
            key,
            {
                "branch_id": row["branch_id"],
                "branch": row["branch"],
                "category": row["category"],
                "interest": 0,
                "converted": 0,
                "sales": 0,
                **{f"band_{band}": 0 for band in bands},
            },
        )
        for name in ("interest", "converted", "sales", *(f"band_{b}" for b in bands)):
            total[name] += row[name]
    category_order = {c: i for i, c in enumerate(ProductCategory.values)}
    category_rows = sorted(
        categories.values(),
        key=lambda r: (r["branch_id"], -r["sales"], category_order.get(r["category"], 99)),
    )
    band_columns = [Column(f"band_{b}", AmountBand(b).label) for b in bands]
    figures = [
        Column("interest", _("Referrals of interest")),
        Column("converted", _("Converted referrals")),
        Column("sales", _("Sales")),
        *band_columns,
    ]
    return [
        Table(
            "categories",
            _("By product category"),
            with_branch(scope, [Column("category", _("Category"), "text"), *figures]),
            category_rows,
            _("Sales are counted when recorded; referrals when made."),
        ),
        Table(
            "products",
            _("By product"),
            with_branch(
                scope,
                [
                    Column("product", _("Product"), "text"),
                    Column("category", _("Category"), "text"),
                    *figures,
                ],
            ),
            product_rows,
        ),
    ]


# --- Diversion ---------------------------------------------------------------------------------


def _visit_figures() -> dict[str, Any]:
    to_machines = Q(destination=ZoneKind.SELF_SERVICE)
    return {
        "arrivals": Count("id"),
        "diverted": Count("id", filter=to_machines | Q(status=Visit.Status.DIVERTED)),
        "at_door": Count("id", filter=to_machines),
        "vip": Count("id", filter=Q(prejudgement=Prejudgement.VIP)),
        "potential_vip": Count("id", filter=Q(prejudgement=Prejudgement.POTENTIAL_VIP)),
        "stopped": Count("id", filter=Q(marketing_stopped=True)),
    }


def _finish_visits(row: dict) -> dict:
    row["later"] = row["diverted"] - row["at_door"]
    for key in ("diverted", "vip", "potential_vip", "stopped"):
        row[f"{key}_share"] = share(row[key], row["arrivals"])
    return row


VISIT_COLUMNS = [
    Column("arrivals", _("Arrivals")),
    Column("diverted", _("Sent to self-service")),
    Column("diverted_share", _("Diversion rate (%)"), "pct"),
    Column("at_door", _("At the door")),
    Column("later", _("Later, from the queue")),
    Column("vip_share", _("VIP (%)"), "pct"),
    Column("potential_vip_share", _("Potential VIP (%)"), "pct"),
    Column("stopped_share", _("Marketing stopped (%)"), "pct"),
]


def diversion(scope: Scope) -> list[Table]:
    """The period as a whole and day by day (two queries)."""
    period = scope.period
    visits = Visit.objects.filter(
        branch__in=scope.branch_ids, arrived_at__gte=period.start, arrived_at__lt=period.end
    )
    overall: dict[int, dict[str, Any]] = {
        r["branch_id"]: cast(dict[str, Any], r)
        for r in visits.values("branch_id").annotate(**_visit_figures())
    }
    self_service, diverted = ZoneKind.SELF_SERVICE, Visit.Status.DIVERTED
    daily = _visit_rollup(
        scope,
        ["bid", "day"],
        {
            "arrivals": "COUNT(*)",
            "diverted": (
                f"SUM(CASE WHEN destination_code = '{self_service}' OR state = '{diverted}' "
                "THEN 1 ELSE 0 END)"
            ),
            "at_door": f"SUM(CASE WHEN destination_code = '{self_service}' THEN 1 ELSE 0 END)",
            "vip": f"SUM(CASE WHEN tier = '{Prejudgement.VIP}' THEN 1 ELSE 0 END)",
            "potential_vip": (
                f"SUM(CASE WHEN tier = '{Prejudgement.POTENTIAL_VIP}' THEN 1 ELSE 0 END)"
            ),
            "stopped": "SUM(CASE WHEN stopped_flag THEN 1 ELSE 0 END)",
        },
        ["day"],
    )
    for row in daily:
        row["branch_id"] = row.pop("bid")
        row["day"] = _day(row["day"])
    empty = {key: 0 for key in _visit_figures()}
    totals = [_finish_visits(overall.get(b, {**empty, "branch_id": b})) for b in scope.branch_ids]
    return [
        Table(
            "diversion",
            _("Diversion, VIP share and stopped marketing"),
            with_branch(scope, VISIT_COLUMNS),
            _named(totals, scope),
            _(
                "Diversion rate (分流率): arrivals sent to the self-service machines, at the door "
                "or later from the queue."
            ),
        ),
        Table(
            "diversion_daily",
            _("Diversion day by day"),
            with_branch(scope, [Column("day", _("Day"), "date"), *VISIT_COLUMNS]),
            [_finish_visits(r) for r in _named(daily, scope)],
        ),
    ]


# --- Follow-ups --------------------------------------------------------------------------------


def follow_ups(scope: Scope) -> list[Table]:
    """Follow-ups falling due in the period, per owner (one query)."""
    clock = scope.clock()
    period = scope.period
    today = timezone.localdate()
    rows = (
        FollowUp.objects.filter(due_date__gte=period.first, due_date__lte=period.last)
        .alias(branch_ref=_not_indexed("referral__branch_id"))
        .filter(branch_ref__in=scope.branch_ids)
        .annotate(done_day=clock.date("done_at"))
        .values("referral__branch_id", "owner_id", "owner__display_name")
        .annotate(
            due=Count("id"),
            on_time=Count("id", filter=Q(done_day__lte=F("due_date"))),
            late=Count("id", filter=Q(done_day__gt=F("due_date"))),
            overdue=Count("id", filter=Q(done_at=None, due_date__lt=today)),
            pending=Count("id", filter=Q(done_at=None, due_date__gte=today)),
        )
        .order_by("referral__branch_id", "owner__display_name")
    )
    table_rows: list[dict[str, Any]] = []
    totals: dict[int, dict[str, Any]] = {}
    # The rows gain and lose keys below: plain dicts, not the stubs' TypedDict of `.values()`.
    for row in cast(Iterable[dict[str, Any]], rows):
        row["branch_id"] = row.pop("referral__branch_id")
        row["owner"] = row.pop("owner__display_name")
        table_rows.append(row)
        total = totals.setdefault(
            row["branch_id"],
            {"branch_id": row["branch_id"], "owner": str(_("Everyone")), "total": True}
            | {k: 0 for k in ("due", "on_time", "late", "overdue", "pending")},
        )
        for key in ("due", "on_time", "late", "overdue", "pending"):
            total[key] += row[key]
    table_rows.extend(totals.values())
    for row in table_rows:
        row["on_time_share"] = share(row["on_time"], row["due"])
    table_rows = _named(table_rows, scope)
    table_rows.sort(key=lambda r: (r["branch_id"], r.get("total", False), r["owner"]))
    return [
        Table(
            "follow_ups",
            _("After-sale follow-ups"),
            with_branch(
                scope,
                [
                    Column("owner", _("Owner"), "text"),
                    Column("due", _("Due in the period")),
                    Column("on_time", _("Done on time")),
                    Column("on_time_share", _("On time (%)"), "pct"),
                    Column("late", _("Done late")),
                    Column("overdue", _("Overdue")),
                    Column("pending", _("Not yet due")),
                ],
            ),
            table_rows,
            _("Overdue: not done and the due day has passed."),
        )
    ]


# --- All of them -------------------------------------------------------------------------------

REPORTS: dict[str, Callable[[Scope], list[Table]]] = {
    "service": service_level,
    "peaks": peaks,
    "funnel": funnel,
    "people": people,
    "products": products,
    "diversion": diversion,
    "follow_ups": follow_ups,
}


# Which report makes which table (an export of one table runs only its report).
TABLES = {
    "service_level": "service",
    "service_by_hour": "service",
    "peaks": "peaks",
    "funnel": "funnel",
    "people": "people",
    "categories": "products",
    "products": "products",
    "diversion": "diversion",
    "diversion_daily": "diversion",
    "follow_ups": "follow_ups",
}


def build(scope: Scope) -> dict[str, Table]:
    """Every report's tables, keyed by table key (in page order)."""
    tables: dict[str, Table] = {}
    for builder in REPORTS.values():
        for table in builder(scope):
            tables[table.key] = table
    return tables
