"""The few SQL pieces the reports need that Django does not ship, on PostgreSQL and on SQLite.

- `rollup(...)`: grouped figures at several groupings in one statement, each timestamp read once
  per row (`JulianDay`), percentiles by PostgreSQL's `percentile_cont` or, on SQLite, by an
  aggregate registered on the connection (`prepare`), interpolated the same way.
- `LocalClock` / `local_parts_sql`: hour, ISO weekday and day in the branch's time zone. When the
  zone's offset does not change within the period (no daylight-saving switch; always so for
  Asia/Shanghai) SQLite gets plain arithmetic on the Julian day: Django's own extract functions
  call back into Python for every row there. Otherwise, and on PostgreSQL, Django's functions.
"""

from __future__ import annotations

import datetime as dt
import math
from contextlib import nullcontext
from typing import Any

from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate

REPORT_WORK_MEM = "64MB"


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over already sorted values."""
    if not values:
        return None
    position = fraction * (len(values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def prepare(connection: BaseDatabaseWrapper) -> None:
    """Register what SQLite lacks on the open connection (cheap; no query is sent)."""
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    connection.connection.create_aggregate("report_percentiles", -1, _SqlitePercentiles)


class LocalClock:
    """Builds hour / weekday / date expressions for one period in one time zone."""

    def __init__(
        self, connection: BaseDatabaseWrapper, tz: dt.tzinfo, first: dt.date, last: dt.date
    ) -> None:
        self.tz = tz
        self.offset: int | None = None
        if connection.vendor == "sqlite":
            self.offset = fixed_offset_minutes(tz, first, last)

    # Where the offset is fixed, `rollup` works the local time out by arithmetic
    # (local_parts_sql); these are the database's own time-zone functions for the rest.
    def hour(self, field: str) -> models.Expression:
        return ExtractHour(field, tzinfo=self.tz)

    def weekday(self, field: str) -> models.Expression:
        """ISO weekday: 1 = Monday … 7 = Sunday."""
        return ExtractIsoWeekDay(field, tzinfo=self.tz)

    def date(self, field: str) -> models.Expression:
        return TruncDate(field, tzinfo=self.tz)


def fixed_offset_minutes(tz: dt.tzinfo, first: dt.date, last: dt.date) -> int | None:
    """The zone's UTC offset in minutes if it is the same all through [first, last], else None."""
    offsets = set()
    day = first - dt.timedelta(days=1)
    while day <= last + dt.timedelta(days=1):
        for hour in (0, 12):
            offset = dt.datetime.combine(day, dt.time(hour), tzinfo=tz).utcoffset()
            offsets.add(offset)
        day += dt.timedelta(days=1)
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return int(offset.total_seconds() // 60) if offset is not None else None


class JulianDay(models.Func):
    """A timestamp as a Julian day number (float), parsed once per row in `rollup`'s first step."""

    arity = 1
    output_field = models.FloatField()

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        return super().as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM %(expressions)s)::double precision / 86400.0 "
            "+ 2440587.5)",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="julianday(%(expressions)s)")


def local_parts_sql(julian: str, offset_minutes: int) -> dict[str, str]:
    """Local hour, ISO weekday and day number (days since 1970-01-01) of a Julian day column,
    for a fixed UTC offset: plain arithmetic, no date parsing. Julian days start at noon UTC."""
    # (+1e-8 day, under a millisecond: a time on the hour must not come out as 8:59:59.999.)
    local = f"({julian} - 2440587.5 + {offset_minutes / 1440.0 + 1e-8!r})"
    day = f"CAST(floor({local}) AS INTEGER)"
    return {
        "hour": f"CAST(floor(({local} - floor({local})) * 24) AS INTEGER)",
        # 1970-01-01 was a Thursday (ISO 4).
        "weekday": f"(({day} + 3) %% 7 + 1)",
        "day": day,
    }


class _SqlitePercentiles:
    """Every percentile one grouping asks for, in one aggregate: one Python call per row instead
    of one per figure (the call is what costs). Arguments: a spec such as "0:0.5,0:0.9,1:0.5"
    (value column : fraction, in order), then the value columns. Returns the figures joined by
    "|" (empty for none)."""

    def __init__(self) -> None:
        self.rows: list[tuple[float | None, ...]] = []
        self.spec = ""

    def step(self, spec: str, *values: float | None) -> None:
        # As little as possible per row: the columns are split out once, in finalize.
        self.spec = spec
        self.rows.append(values)

    def finalize(self) -> str:
        if not self.rows:
            return ""
        width = len(self.rows[0])
        columns = [
            sorted(x for x in (v[i] for v in self.rows) if x is not None) for i in range(width)
        ]
        figures = []
        for item in self.spec.split(","):
            index, fraction = item.split(":")
            figure = percentile_cont(columns[int(index)], float(fraction))
            figures.append("" if figure is None else repr(figure))
        return "|".join(figures)


def rollup(
    connection: BaseDatabaseWrapper,
    rows: models.QuerySet,
    *,
    derived: dict[str, str],
    groupings: list[list[str]],
    measures: dict[str, str],
    percentiles: dict[str, tuple[str, float]] | None = None,
) -> list[dict[str, Any]]:
    """Grouped figures over a queryset's rows in one query, at one or more groupings.

    `rows` (a `values()` queryset with named columns) is computed once per row and shared by
    every grouping (a CTE; on SQLite materialized, so each timestamp is parsed once by
    `JulianDay`, not once per figure: SQLite repeats a column's expression wherever it is
    used). `derived` adds columns computed from those (arithmetic); `measures` are aggregate
    SQL over them; `percentiles` name (column, fraction) pairs: `percentile_cont` on
    PostgreSQL; on SQLite one `_SqlitePercentiles` call per row and grouping. (Measured on a
    month of tickets: window-function ranks cost 2.5× the Python aggregate, one Python
    aggregate per figure 1.5×.) Each grouping is one branch of a UNION ALL; its rows carry
    `grouping_set` (the index) and NULL for keys it lacks. Literal percent signs in the SQL
    snippets are written `%%`.
    """
    percentiles = percentiles or {}
    sqlite = connection.vendor == "sqlite"
    inner, params = rows.order_by().query.sql_with_params()
    keys = list(dict.fromkeys(key for grouping in groupings for key in grouping))
    measure_sql = [f"{expr} AS {name}" for name, expr in measures.items()]
    value_columns = list(dict.fromkeys(column for column, _ in percentiles.values()))
    if percentiles and sqlite:
        spec = ",".join(
            f"{value_columns.index(column)}:{fraction!r}"
            for column, fraction in percentiles.values()
        )
        measure_sql.append(
            f"report_percentiles('{spec}', {', '.join(value_columns)}) AS percentile_figures"
        )
    else:
        measure_sql += [
            f"percentile_cont({fraction!r}) WITHIN GROUP (ORDER BY {column}) AS {name}"
            for name, (column, fraction) in percentiles.items()
        ]
    selects = []
    for index, grouping in enumerate(groupings):
        key_sql = ", ".join(key if key in grouping else f"NULL AS {key}" for key in keys)
        group_sql = f" GROUP BY {', '.join(grouping)}" if grouping else ""
        selects.append(
            f"SELECT {index} AS grouping_set, {key_sql}{', ' if key_sql else ''}"
            f"{', '.join(measure_sql)} FROM u{group_sql}"
        )
    derived_sql = "".join(f", {expr} AS {name}" for name, expr in derived.items())
    materialized = "MATERIALIZED " if sqlite else ""
    sql = (
        f"WITH t AS {materialized}({inner}), u AS (SELECT t.*{derived_sql} FROM t) "
        + " UNION ALL ".join(selects)
    )
    # On PostgreSQL a month of a busy branch's tickets sorts in memory rather than on disk (the
    # default 4 MB spills): work_mem raised for this one transaction (SET LOCAL needs one).
    with (
        transaction.atomic(using=connection.alias) if not sqlite else nullcontext(),
        connection.cursor() as cursor,
    ):
        if not sqlite:
            cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        result = [dict(zip(names, record, strict=True)) for record in cursor.fetchall()]
    if percentiles and sqlite:
        for row in result:
            figures = (row.pop("percentile_figures") or "").split("|")
            for name, figure in zip(percentiles, figures, strict=False):
                row[name] = float(figure) if figure else None
    return result
