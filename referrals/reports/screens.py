"""What the reports page shows: the headline figures, each report's tables and its charts.

Built from the tables of `queries.build` (no further queries): the view renders it, the exports
write the same tables.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lobby.choices import Role
from referrals.models import AmountBand
from referrals.reports import charts
from referrals.reports.queries import WAIT_BUCKETS, Column, Scope, Table, build

HOURS_FALLBACK = range(9, 18)
LONG_TABLE = 12


def cell(column: Column, value: Any) -> str:
    """A figure as the page shows it."""
    if value is None or value == "":
        return "—"
    kind = column.kind
    if kind == "count":
        return f"{value:,}"
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "minutes":
        return f"{value:.1f}"
    if kind in ("days", "rating"):
        return f"{value:.1f}"
    if kind == "hour":
        return f"{int(value):02d}:00"
    if kind == "date":
        return value.strftime("%m-%d")
    return str(value)


@dataclass
class Shown:
    """A table as rendered: header, formatted rows (and which are totals)."""

    table: Table
    header: list[tuple[str, str]]  # (kind, label)
    rows: list[tuple[bool, list[tuple[str, str]]]]  # (is a total, [(kind, figure)])
    csv_url: str = ""

    @property
    def long(self) -> bool:
        """Long tables start folded (their chart above tells the story)."""
        return len(self.rows) > LONG_TABLE


def shown(table: Table) -> Shown:
    return Shown(
        table=table,
        header=[(c.kind, str(c.label)) for c in table.columns],
        rows=[
            (bool(row.get("total")), [(c.kind, cell(c, row.get(c.key))) for c in table.columns])
            for row in table.rows
        ],
    )


@dataclass
class BranchCharts:
    name: str
    headline: list[tuple[str, str, str]]  # label, figure, tone (good / warn / "")
    charts: dict[str, SafeString] = field(default_factory=dict)


def _hours(rows: list[dict]) -> list[int]:
    hours = sorted({int(r["hour"]) for r in rows if r.get("hour") is not None})
    return list(range(hours[0], hours[-1] + 1)) if hours else list(HOURS_FALLBACK)


def _minutes(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def branch_charts(scope: Scope, tables: dict[str, Table], branch_id: int) -> BranchCharts:
    service = [r for r in tables["service_level"].rows_for(branch_id)]
    overall = next((r for r in service if r.get("total")), {})
    funnel_rows = tables["funnel"].rows_for(branch_id)
    funnel_total = next((r for r in funnel_rows if r.get("total")), {})
    diversion = next(iter(tables["diversion"].rows_for(branch_id)), {})
    follow = next((r for r in tables["follow_ups"].rows_for(branch_id) if r.get("total")), {})

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.0f}%"

    def mins(value: float | None) -> str:
        return "—" if value is None else _("%(n)s min") % {"n": _minutes(value)}

    over = overall.get("over_target")
    headline = [
        (_("Arrivals"), f"{diversion.get('arrivals', 0):,}", ""),
        (_("Diversion rate"), pct(diversion.get("diverted_share")), ""),
        (
            _("Wait p50 / p90"),
            f"{mins(overall.get('wait_p50'))} / {mins(overall.get('wait_p90'))}",
            "",
        ),
        (
            _("Waited over target"),
            pct(over),
            "" if over is None else ("warn" if over > 0.2 else "good"),
        ),
        (_("Referrals made"), f"{funnel_total.get('made', 0):,}", ""),
        (_("Conversion"), pct(funnel_total.get("conversion")), ""),
        (_("Median time to accept"), mins(funnel_total.get("accept_p50")), ""),
        (
            _("Follow-ups overdue"),
            f"{follow.get('overdue', 0):,}",
            "warn" if follow.get("overdue") else "",
        ),
    ]
    result = BranchCharts(scope.branch_name(branch_id), headline)

    # Service: tickets by hour, waiting p90 by hour per queue, waiting buckets per queue.
    by_hour = tables["service_by_hour"].rows_for(branch_id)
    hours = _hours(by_hour)
    labels = [f"{h:02d}" for h in hours]
    queues = list(dict.fromkeys(r["queue"] for r in by_hour))
    css = ["s1", "s2", "s3", "s4"]
    arrived: defaultdict[int, int] = defaultdict(int)
    for r in by_hour:
        arrived[int(r["hour"])] += r["arrived"]
    result.charts["tickets_by_hour"] = charts.bars(
        labels,
        [charts.Series(_("Tickets"), [arrived.get(h, 0) for h in hours], "s1")],
        title=_("Tickets taken by hour"),
    )
    p90 = {(r["queue"], int(r["hour"])): r["wait_p90"] for r in by_hour}
    result.charts["wait_by_hour"] = charts.bars(
        labels,
        [
            charts.Series(queue, [p90.get((queue, h)) for h in hours], css[i % 4])
            for i, queue in enumerate(queues[:4])
        ],
        title=_("Waiting time p90 by hour (minutes)"),
    )
    bucket_names = [
        _("%(low)s–%(high)s min") % {"low": low, "high": high}
        if high
        else _("%(low)s+ min") % {"low": low}
        for low, high in WAIT_BUCKETS
    ]
    bucket_keys = [f"wait_{lo}_{hi}" if hi else f"wait_{lo}" for lo, hi in WAIT_BUCKETS]
    result.charts["wait_buckets"] = charts.stacked(
        [(r["queue"], [r[k] or 0 for k in bucket_keys]) for r in service],
        bucket_names,
        title=_("How long customers waited, per queue"),
    )

    # Peaks: two heat maps, weekday × hour.
    peak_rows = tables["peaks"].rows_for(branch_id)
    peak_hours = _hours(peak_rows)
    days = [str(WEEKDAYS_ABBR[i]) for i in range(7)]
    arrivals = {(r["weekday"], r["hour"]): r["arrivals"] for r in peak_rows}
    waits = {(r["weekday"], r["hour"]): r["wait_p90"] for r in peak_rows}
    hour_labels = [f"{h:02d}" for h in peak_hours]
    result.charts["heat_arrivals"] = charts.heat_map(
        days,
        hour_labels,
        [[arrivals.get((d + 1, h)) for h in peak_hours] for d in range(7)],
        title=_("Arrivals by weekday and hour"),
        low_label=_("fewer"),
        high_label=_("more"),
    )
    result.charts["heat_wait"] = charts.heat_map(
        days,
        hour_labels,
        [[waits.get((d + 1, h)) for h in peak_hours] for d in range(7)],
        title=_("Waiting time p90 by weekday and hour (minutes)"),
        fmt=_minutes,
        low_label=_("shorter"),
        high_label=_("longer"),
    )

    # Funnel.
    result.charts["funnel"] = charts.hbars(
        [
            (r["stage"], [r["made"], r["accepted"], r["consulted"], r["converted"]])
            for r in funnel_rows
            if not r.get("total")
        ],
        [_("Made"), _("Accepted"), _("In consultation"), _("Converted")],
        title=_("Referral funnel by stage"),
    )

    # People: top referrers.
    referrers = sorted(
        (r for r in tables["people"].rows_for(branch_id) if r["made"]),
        key=lambda r: -r["made"],
    )[:10]
    result.charts["top_referrers"] = charts.hbars(
        [(f"{r['name']}", [r["made"], r["made_converted"]]) for r in referrers],
        [_("Referrals made"), _("Of those converted")],
        title=_("Top referrers"),
    )
    tellers = [
        r
        for r in tables["people"].rows_for(branch_id)
        if r["served"] and r["role"] in (Role.TELLER_HIGH.label, Role.TELLER_LOW.label)
    ]
    if tellers:
        result.charts["tellers"] = charts.hbars(
            [(r["name"], [r["served"]]) for r in tellers],
            [_("Tickets served")],
            title=_("Tickets served per teller"),
        )

    # Products: per category, referrals of interest and sales.
    categories = tables["categories"].rows_for(branch_id)
    result.charts["categories"] = charts.hbars(
        [(r["category"], [r["interest"], r["sales"]]) for r in categories],
        [_("Referrals of interest"), _("Sales")],
        title=_("Interest and sales by product category"),
    )
    band_keys = [f"band_{b}" for b in AmountBand.values]
    result.charts["bands"] = charts.stacked(
        [(r["category"], [r[k] for k in band_keys]) for r in categories if r["sales"]],
        [str(AmountBand(b).label) for b in AmountBand.values],
        title=_("Sales by amount"),
    )

    # Diversion day by day.
    daily = tables["diversion_daily"].rows_for(branch_id)
    result.charts["diversion_daily"] = charts.bars(
        [r["day"].strftime("%m-%d") for r in daily],
        [
            charts.Series(_("Arrivals"), [r["arrivals"] for r in daily], "s1"),
            charts.Series(_("Sent to self-service"), [r["diverted"] for r in daily], "s3"),
        ],
        title=_("Arrivals and diversion by day"),
    )

    # Follow-ups per owner.
    owners = [r for r in tables["follow_ups"].rows_for(branch_id) if not r.get("total")]
    result.charts["follow_ups"] = charts.stacked(
        [(r["owner"], [r["on_time"], r["late"], r["pending"], r["overdue"]]) for r in owners],
        [_("Done on time"), _("Done late"), _("Not yet due"), _("Overdue")],
        title=_("Follow-ups per owner"),
    )
    return result


SECTIONS = [
    # (key, title, charts, tables)
    (
        "service",
        "Service level",
        ["tickets_by_hour", "wait_by_hour", "wait_buckets"],
        ["service_level", "service_by_hour"],
    ),
    ("peaks", "Peaks", ["heat_arrivals", "heat_wait"], ["peaks"]),
    ("funnel", "Referral funnel", ["funnel"], ["funnel"]),
    ("people", "People", ["top_referrers", "tellers"], ["people"]),
    ("products", "Products", ["categories", "bands"], ["categories", "products"]),
    ("diversion", "Diversion", ["diversion_daily"], ["diversion", "diversion_daily"]),
    ("follow_ups", "Follow-ups", ["follow_ups"], ["follow_ups"]),
]


def page(scope: Scope) -> dict[str, Any]:
    """The page's context: per branch headline and charts, and the tables as shown."""
    tables = build(scope)
    branches = [branch_charts(scope, tables, branch_id) for branch_id in scope.branch_ids]
    titles = {
        "service": _("Service level"),
        "peaks": _("Peaks"),
        "funnel": _("Referral funnel"),
        "people": _("By person and role"),
        "products": _("By product"),
        "diversion": _("Diversion (分流)"),
        "follow_ups": _("Follow-ups"),
    }
    sections = []
    for key, _title, chart_keys, table_keys in SECTIONS:
        sections.append(
            {
                "key": key,
                "title": titles[key],
                "charts": [
                    (b.name, [b.charts[c] for c in chart_keys if c in b.charts]) for b in branches
                ],
                "tables": [shown(tables[t]) for t in table_keys],
            }
        )
    return {"tables": tables, "branches": branches, "sections": sections}
