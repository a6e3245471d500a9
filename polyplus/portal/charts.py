"""A line chart as plain SVG markup: counts per month against committed Q and baseline B.

Made on the server, with no script and no external reference, so the same markup works in a
page and inside a WeasyPrint PDF (which draws SVG itself, text included).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 28, 36


@dataclass(frozen=True)
class Series:
    label: str
    values: list[Decimal | int | None]  # one per month; None where there is no figure
    color: str
    dashed: bool = False


def _number(value) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def line_chart_svg(*, title: str, months: list[datetime.date], series: list[Series]) -> str:
    """An SVG chart of `series` over `months`, with its title, axes, month labels and a legend."""
    figures = [Decimal(value) for line in series for value in line.values if value is not None]
    top_value = max(figures, default=Decimal(1)) or Decimal(1)
    top_value = Decimal(int(top_value * Decimal("1.15")) + 1)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(months) - 1, 1)

    def x(index: int) -> float:
        return LEFT + index * step if len(months) > 1 else LEFT + plot_width / 2

    def y(value) -> float:
        return TOP + plot_height - float(Decimal(value) / top_value) * plot_height

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="16" font-size="12" font-weight="bold" fill="#222">{escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_height}" stroke="#555"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_height}" stroke="#555"/>',
    ]
    for fraction in (Decimal(0), Decimal("0.5"), Decimal(1)):
        value = top_value * fraction
        parts.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" font-size="10" text-anchor="end" '
                     f'fill="#333">{_number(value)}</text>')
    label_every = max(1, len(months) // 12 + (1 if len(months) % 12 else 0))
    for index, month in enumerate(months):
        if index % label_every == 0:
            parts.append(f'<text x="{x(index):.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="9" text-anchor="middle" '
                         f'fill="#333">{month:%b %y}</text>')
    for line in series:
        points = [(x(i), y(v)) for i, v in enumerate(line.values) if v is not None]
        if not points:
            continue
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{line.color}" stroke-width="2"{dash}/>')
        for px, py in points if not line.dashed else ():
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{line.color}"/>')
    legend_x = LEFT
    for line in series:
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        parts.append(f'<line x1="{legend_x}" y1="{HEIGHT - 8}" x2="{legend_x + 18}" y2="{HEIGHT - 8}" '
                     f'stroke="{line.color}" stroke-width="2"{dash}/>')
        parts.append(f'<text x="{legend_x + 22}" y="{HEIGHT - 4}" font-size="10" fill="#222">'
                     f"{escape(line.label)}</text>")
        legend_x += 40 + 6 * len(line.label)
    parts.append("</svg>")
    return "".join(parts)
