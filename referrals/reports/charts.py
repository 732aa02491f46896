"""Charts drawn by the server as inline SVG: no script, nothing from outside, crisp on a tablet.

Each function returns SVG markup (safe: every label is escaped) sized by its viewBox, so it
scales to the width of its card. Colours come from classes in static/reports/reports.css, except
the heat map's cells, whose fill is the figure itself (a presentation attribute, which the page's
content security policy allows). Every chart on the page sits beside its table of numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    css: str  # s1 … s4, in reports.css


def _nice_max(value: float) -> float:
    """A round axis top at or above value (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10**exponent
        if top >= value:
            return top
    return 10 ** (exponent + 1)


def _number(value: float) -> str:
    if value >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.1f}"


class Chart(SafeString):
    """An SVG chart's markup, with its title for the caption shown above it."""

    title: str  # type: ignore[assignment]  # shadows str.title() on purpose: templates read {{ chart.title }} as the caption


def _svg(width: int, height: int, title: str, body: SafeString, css: str = "") -> Chart:
    markup = format_html(
        '<svg class="chart {}" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        "<title>{}</title>{}</svg>",
        css,
        width,
        height,
        title,
        title,
        body,
    )
    chart = Chart(markup)
    chart.title = str(title)
    return chart


def _legend(series: Sequence[Series], x: int, y: int) -> SafeString:
    items = []
    offset = x
    for s in series:
        items.append(
            format_html(
                '<rect class="{}" x="{}" y="{}" width="12" height="12" rx="2"></rect>'
                '<text class="legend" x="{}" y="{}">{}</text>',
                s.css,
                offset,
                y - 10,
                offset + 17,
                y,
                s.name,
            )
        )
        offset += 34 + 10 * len(s.name) + (8 * sum(1 for c in s.name if ord(c) > 0x2E7F))
    return mark_safe("".join(items))


def bars(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    unit: str = "",
    height: int = 240,
) -> SafeString:
    """Vertical grouped bars, one group per label (e.g. hours of the day)."""
    width, left, right, top, bottom = 760, 52, 12, 34, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v or 0 for s in series for v in s.values), default=0)
    axis_top = _nice_max(peak)
    group_w = plot_w / max(len(labels), 1)
    bar_w = max(min(group_w * 0.8 / max(len(series), 1), 28), 2)
    parts = [_legend(series, left, 16)]
    for i in range(5):
        value = axis_top * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                width - right,
                f"{y:.1f}",
                f"{y:.1f}",
                left - 6,
                f"{y + 4:.1f}",
                _number(value) + unit,
            )
        )
    every = max(1, math.ceil(len(labels) / 16))
    for index, label in enumerate(labels):
        x0 = left + index * group_w + (group_w - bar_w * len(series)) / 2
        for k, s in enumerate(series):
            value = s.values[index] or 0
            h = plot_h * value / axis_top
            parts.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{} · {}: {}</title></rect>",
                    s.css,
                    f"{x0 + k * bar_w:.1f}",
                    f"{top + plot_h - h:.1f}",
                    f"{bar_w:.1f}",
                    f"{h:.1f}",
                    label,
                    s.name,
                    _number(value) + unit,
                )
            )
        if index % every == 0:
            parts.append(
                format_html(
                    '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    f"{left + index * group_w + group_w / 2:.1f}",
                    height - 10,
                    label,
                )
            )
    return _svg(width, height, title, mark_safe("".join(parts)))


def hbars(
    rows: Sequence[tuple[str, Sequence[float | None]]],
    series_names: Sequence[str],
    *,
    title: str,
    fmt: Callable[[float], str] = _number,
    css: Sequence[str] = ("s1", "s2", "s3", "s4"),
) -> SafeString:
    """Horizontal bars, one row per label, up to four overlaid figures per row drawn from the
    largest down (a funnel: made, accepted, in consultation, converted)."""
    width, label_w, right, row_h = 760, 230, 130, 32
    top = 30
    height = top + row_h * max(len(rows), 1) + 8
    peak = max((v or 0 for _, values in rows for v in values), default=0) or 1
    legend = [Series(name, [], css[i % len(css)]) for i, name in enumerate(series_names)]
    parts = [_legend(legend, label_w, 16)] if len(series_names) > 1 else []
    plot_w = width - label_w - right
    for index, (label, values) in enumerate(rows):
        y = top + index * row_h
        parts.append(
            format_html(
                '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>',
                label_w - 8,
                y + row_h / 2 + 5,
                label,
            )
        )
        for k, value in enumerate(values):
            if value is None:
                continue
            w = plot_w * value / peak
            inset = 3 + k * 3
            parts.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="{}" rx="2">'
                    "<title>{} · {}: {}</title></rect>",
                    css[k % len(css)],
                    label_w,
                    y + inset,
                    f"{w:.1f}",
                    max(row_h - 2 * inset, 4),
                    label,
                    series_names[k] if k < len(series_names) else "",
                    fmt(value),
                )
            )
        first = values[0] if values else None
        last = next((v for v in reversed(values) if v is not None), None)
        text = fmt(first or 0) if len(values) == 1 else f"{fmt(last or 0)} / {fmt(first or 0)}"
        parts.append(
            format_html(
                '<text class="value" x="{}" y="{}">{}</text>',
                f"{label_w + plot_w * (first or 0) / peak + 6:.1f}",
                y + row_h / 2 + 5,
                text,
            )
        )
    return _svg(width, height, title, mark_safe("".join(parts)))


def stacked(
    rows: Sequence[tuple[str, Sequence[int]]],
    segment_names: Sequence[str],
    *,
    title: str,
) -> SafeString:
    """100% stacked horizontal bars (e.g. waiting-time buckets per queue)."""
    width, label_w, right, row_h, top = 760, 200, 12, 36, 32
    height = top + row_h * max(len(rows), 1) + 8
    css = ["good", "fair", "poor", "bad"]
    legend = [Series(name, [], css[i % 4]) for i, name in enumerate(segment_names)]
    parts = [_legend(legend, label_w, 16)]
    plot_w = width - label_w - right
    for index, (label, counts) in enumerate(rows):
        y = top + index * row_h
        total = sum(counts) or 1
        parts.append(
            format_html(
                '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>',
                label_w - 8,
                y + row_h / 2 + 5,
                label,
            )
        )
        x = float(label_w)
        for k, count in enumerate(counts):
            w = plot_w * count / total
            parts.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{} · {}: {} ({}%)</title></rect>",
                    css[k % 4],
                    f"{x:.1f}",
                    y + 4,
                    f"{w:.1f}",
                    row_h - 8,
                    label,
                    segment_names[k],
                    count,
                    f"{100 * count / total:.0f}",
                )
            )
            if w > 34:
                parts.append(
                    format_html(
                        '<text class="inside" x="{}" y="{}" text-anchor="middle">{}%</text>',
                        f"{x + w / 2:.1f}",
                        y + row_h / 2 + 5,
                        f"{100 * count / total:.0f}",
                    )
                )
            x += w
    return _svg(width, height, title, mark_safe("".join(parts)))


# Sequential palette for the heat map: pale to deep (readable figures on both ends).
HEAT_LOW = (237, 244, 251)
HEAT_HIGH = (8, 64, 129)


def heat_colour(share: float) -> str:
    share = min(max(share, 0.0), 1.0)
    r, g, b = (round(lo + (hi - lo) * share) for lo, hi in zip(HEAT_LOW, HEAT_HIGH, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def heat_map(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    cells: Sequence[Sequence[float | None]],
    *,
    title: str,
    fmt: Callable[[float], str] = _number,
    low_label: str = "",
    high_label: str = "",
) -> SafeString:
    """A real heat map: one coloured cell per (row, column), darker for more, figure inside."""
    label_w, top, cell_h = 64, 26, 34
    cell_w = max(min((760 - label_w) / max(len(column_labels), 1), 64), 30)
    width = int(label_w + cell_w * len(column_labels) + 8)
    height = top + cell_h * len(row_labels) + 34
    values = [v for row in cells for v in row if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    span = (high - low) or 1.0
    parts = []
    for j, label in enumerate(column_labels):
        parts.append(
            format_html(
                '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                f"{label_w + j * cell_w + cell_w / 2:.1f}",
                top - 8,
                label,
            )
        )
    for i, label in enumerate(row_labels):
        y = top + i * cell_h
        parts.append(
            format_html(
                '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>',
                label_w - 8,
                y + cell_h / 2 + 5,
                label,
            )
        )
        for j, value in enumerate(cells[i]):
            x = label_w + j * cell_w
            if value is None:
                parts.append(
                    format_html(
                        '<rect class="empty" x="{}" y="{}" width="{}" height="{}"></rect>',
                        f"{x:.1f}",
                        y,
                        f"{cell_w - 2:.1f}",
                        cell_h - 2,
                    )
                )
                continue
            share = (value - low) / span
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{} {}: {}</title></rect>"
                    '<text class="{}" x="{}" y="{}" text-anchor="middle">{}</text>',
                    f"{x:.1f}",
                    y,
                    f"{cell_w - 2:.1f}",
                    cell_h - 2,
                    heat_colour(share),
                    label,
                    column_labels[j],
                    fmt(value),
                    "cell-dark" if share > 0.55 else "cell",
                    f"{x + cell_w / 2 - 1:.1f}",
                    y + cell_h / 2 + 4,
                    fmt(value),
                )
            )
    # The scale: low to high.
    scale_y = top + cell_h * len(row_labels) + 10
    steps = 10
    step_w = 16
    scale_x = label_w + 110
    parts.append(
        format_html(
            '<text class="axis" x="{}" y="{}" text-anchor="end">{} {}</text>',
            scale_x - 6,
            scale_y + 11,
            low_label,
            fmt(low),
        )
    )
    parts.append(
        format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="12" fill="{}"></rect>',
            (
                (scale_x + k * step_w, scale_y, step_w, heat_colour(k / (steps - 1)))
                for k in range(steps)
            ),
        )
    )
    parts.append(
        format_html(
            '<text class="axis" x="{}" y="{}">{} {}</text>',
            scale_x + steps * step_w + 6,
            scale_y + 11,
            fmt(high),
            high_label,
        )
    )
    return _svg(width, height, title, mark_safe("".join(parts)), css="heat")
