"""The term's chart: each month's count C against committed Q and baseline B, one category.

Server-rendered SVG with presentation attributes only (no script, no style attribute), so the
same markup works in a page under the Content Security Policy and inside a PDF (WeasyPrint).
It has a title and a description for screen readers; the month table beside it holds the
same numbers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 32, 30, 36
COUNT_COLOUR, Q_COLOUR, B_COLOUR = "#1d4ed8", "#4b5563", "#b45309"


@dataclass(frozen=True)
class Point:
    month: datetime.date
    count: int | None
    committed: int | None
    baseline: Decimal | None


def _polyline(points: list[tuple[float, float]], colour: str, dashed: bool = False) -> SafeString:
    if not points:
        return mark_safe("")
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>', coords, colour,
                       mark_safe(' stroke-dasharray="6 4"') if dashed else "")


def term_chart(*, title: str, points: list[Point], chart_id: str) -> SafeString:
    """An SVG line chart of `points` (one per month of the term; None where not reconciled)."""
    values = [float(v) for p in points for v in (p.count, p.committed, p.baseline) if v is not None]
    top = max(values + [1.0]) * 1.1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def xy(index: int, value) -> tuple[float, float]:
        return LEFT + index * step, TOP + plot_h - float(value) / top * plot_h

    def series(attr: str) -> list[tuple[float, float]]:
        return [xy(i, getattr(p, attr)) for i, p in enumerate(points) if getattr(p, attr) is not None]

    ticks = format_html_join("", '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#374151">{}</text>',
                             ((f"{LEFT + i * step:.1f}", HEIGHT - 14, p.month.strftime("%b %y"))
                              for i, p in enumerate(points)))
    grid = format_html_join("", '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#e5e7eb"/>'
                                '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#374151">{}</text>',
                            ((LEFT, WIDTH - RIGHT, f"{y:.1f}", f"{y:.1f}", LEFT - 6, f"{y + 4:.1f}", f"{v:.0f}")
                             for v in (top * k / 4 for k in range(5))
                             for y in [TOP + plot_h - v / top * plot_h]))
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="3" fill="{}"/>',
                            ((f"{x:.1f}", f"{y:.1f}", COUNT_COLOUR) for x, y in series("count")))
    counted = [p for p in points if p.count is not None]
    description = "; ".join(f"{p.month:%B %Y}: count {p.count}, committed {p.committed}, baseline {p.baseline}"
                            for p in counted) or "No month reconciled yet."
    legend = format_html(
        '<g font-size="12" fill="#111827">'
        '<line x1="{l}" x2="{l2}" y1="8" y2="8" stroke="{c}" stroke-width="2"/><text x="{t}" y="12">Count C</text>'
        '<line x1="{l3}" x2="{l4}" y1="8" y2="8" stroke="{q}" stroke-width="2"/><text x="{t2}" y="12">Committed Q'
        '</text><line x1="{l5}" x2="{l6}" y1="8" y2="8" stroke="{b}" stroke-width="2" stroke-dasharray="6 4"/>'
        '<text x="{t3}" y="12">Baseline B (Q × 1.05)</text></g>',
        l=LEFT, l2=LEFT + 20, t=LEFT + 24, c=COUNT_COLOUR, l3=LEFT + 100, l4=LEFT + 120, t2=LEFT + 124, q=Q_COLOUR,
        l5=LEFT + 230, l6=LEFT + 250, t3=LEFT + 254, b=B_COLOUR,
    )
    return format_html(
        '<svg class="term-chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>'
        '{grid}{ticks}{q}{b}{c}{dots}{legend}</svg>',
        w=WIDTH, h=HEIGHT + 8, id=chart_id, title=title, desc=description, grid=grid,
        ticks=ticks, q=_polyline(series("committed"), Q_COLOUR), b=_polyline(series("baseline"), B_COLOUR, True),
        c=_polyline(series("count"), COUNT_COLOUR), dots=dots, legend=legend,
    )
