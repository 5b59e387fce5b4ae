"""Bar charts drawn by the server as inline SVG: every text escaped, colours as SVG attributes.

No style attributes and no script, so the charts work under the site's Content-Security-Policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 250
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 16, 200  # the plot area
LABEL_EVERY = 5  # days between the labels under the bars


@dataclass(frozen=True)
class Series:
    label: str
    fill: str
    values: list[int]


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... that is at least `value` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def stacked_bars(chart_id: str, title: str, days: list[str], series: list[Series]) -> Markup:
    """One stacked bar per day, a y axis, a label every few days, and a legend."""
    totals = [sum(s.values[i] for s in series) for i in range(len(days))]
    top = nice_ceiling(max(totals, default=0))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, BOTTOM - TOP
    slot = plot_width / max(len(days), 1)
    bar = slot * 0.75
    summary = ", ".join(f"{s.label}: {sum(s.values)}" for s in series)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">Totals over {len(days)} days: {escape(summary)}.</desc>',
    ]
    for tick in (0, top // 2, top) if top > 1 else (0, top):
        y = BOTTOM - plot_height * tick / top
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#d0d4da"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#444">{tick}</text>'
        )
    for i, day in enumerate(days):
        x = LEFT + i * slot + (slot - bar) / 2
        base = BOTTOM
        for s in series:
            value = s.values[i]
            if not value:
                continue
            height = plot_height * value / top
            base -= height
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{height:.1f}" fill="{escape(s.fill)}">'
                f"<title>{escape(day)}: {value} {escape(s.label)}</title></rect>"
            )
        if i % LABEL_EVERY == 0 or i == len(days) - 1:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{BOTTOM + 16}" text-anchor="middle" font-size="11"'
                f' fill="#444">{escape(day[5:])}</text>'
            )
    legend_x = LEFT
    for s in series:
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 24}" width="12" height="12" fill="{escape(s.fill)}"/>'
            f'<text x="{legend_x + 17}" y="{HEIGHT - 14}" font-size="12" fill="#222">{escape(s.label)}</text>'
        )
        legend_x += 30 + 8 * len(s.label)
    parts.append("</svg>")
    return Markup("".join(parts))
