"""Every report as CSV (UTF-8 with a byte-order mark, so Chinese Excel opens it right) and as one
.xlsx workbook with a sheet per report, written by openpyxl's streaming (write-only) writer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook

from referrals.reports.queries import Column, Table

BOM = "\ufeff"


def export_value(column: Column, value: Any) -> Any:
    """A figure as a spreadsheet holds it: shares as percentages, times rounded."""
    if value is None:
        return None
    kind = column.kind
    if kind == "pct":
        return round(value * 100, 1)
    if kind == "minutes":
        return round(value, 1)
    if kind in ("days", "rating"):
        return round(value, 2)
    if kind == "hour":
        return f"{int(value):02d}:00"
    if kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if kind == "text":
        return str(value)
    return value


def table_rows(table: Table) -> Iterator[list[Any]]:
    yield [str(column.label) for column in table.columns]
    for row in table.rows:
        yield [export_value(column, row.get(column.key)) for column in table.columns]


def csv_chunks(table: Table) -> Iterator[str]:
    """CSV text in chunks, the byte-order mark first."""
    yield BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for record in table_rows(table):
        writer.writerow(["" if value is None else value for value in record])
        if buffer.tell() > 16_384:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def sheet_title(title: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\ and unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def workbook(
    tables: list[Table], *, about_title: str, about: list[tuple[str, str]]
) -> tempfile.SpooledTemporaryFile:
    """The .xlsx as a file (spooled to disk past a few MB), rewound, ready to stream: a first
    sheet saying what it holds, then one sheet per report."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    info = book.create_sheet(sheet_title(about_title, taken))
    for label, value in about:
        info.append([label, value])
    for table in tables:
        sheet = book.create_sheet(sheet_title(str(table.title), taken))
        for record in table_rows(table):
            sheet.append(record)
    # Handed to the response, which closes it once sent.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    book.save(out)
    out.seek(0)
    return out
