"""Server-side SVG charts (no script, no inline style: colours come from the CSS classes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup

from identito.entrypoints.web.rendering import percent
from identito.services.indicators import Share, Snapshot

BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH = 26, 10, 230, 220
#: Columns of the monthly charts: 12 months fit the half-page column (about 600 px).
COLUMN, COLUMN_GAP = 34, 10


def _opening(width: int, height: int, title: str, chart_id: str) -> list[str]:
    """A chart is drawn at its own size, never shrunk (its text stays 13 px as rendered):
    a chart wider than its column scrolls inside ``.chart-wrap``."""
    return [
        '<div class="chart-wrap">'
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-t" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
    ]


def _closed(parts: list[str]) -> Markup:
    return Markup("".join([*parts, "</svg></div>"]))


def bar_chart(shares: Sequence[Share], title: str, chart_id: str) -> Markup:
    """Horizontal bars: one per status or attribute, with count and share."""
    height = len(shares) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 150
    parts = _opening(width, height, title, chart_id)
    for i, share in enumerate(shares):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = max(0.0, min(1.0, share.share)) * BAR_WIDTH
        middle = y + BAR_HEIGHT / 2 + 5
        parts += [
            f'<text x="0" y="{middle}" class="chart-label">{escape(share.label)}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" '
            'class="chart-track"/>',
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'class="bar-{escape(share.code)}"/>',
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{middle}" class="chart-value">'
            f"{share.count} ({escape(percent(share.share))})</text>",
        ]
    return _closed(parts)


def monthly_chart(months: Sequence[Snapshot], title: str, chart_id: str) -> Markup:
    """One stacked column per month: the share of each status at the end of the month."""
    column, gap, plot_height, top = COLUMN, COLUMN_GAP, 220, 10
    width = 50 + len(months) * (column + gap)
    height = top + plot_height + 40
    parts = _opening(width, height, title, chart_id)
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_height * (1 - tick / 100)
        parts.append(f'<line x1="40" x2="{width}" y1="{y}" y2="{y}" class="chart-grid"/>')
        parts.append(f'<text x="0" y="{y + 4}" class="chart-axis">{tick} %</text>')
    for i, snapshot in enumerate(months):
        x = 50 + i * (column + gap)
        y = top + plot_height
        for share in snapshot.statuses:
            h = share.share * plot_height
            y -= h
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{column}" height="{h:.1f}" '
                f'class="bar-{escape(share.code)}"><title>{escape(snapshot.month)} : '
                f"{escape(share.label)} {share.count} ({escape(percent(share.share))})"
                "</title></rect>"
            )
        label = f"{snapshot.month[5:]}/{snapshot.month[2:4]}"
        parts.append(
            f'<text x="{x + column / 2}" y="{top + plot_height + 18}" class="chart-axis" '
            f'text-anchor="middle">{label}</text>'
        )
    return _closed(parts)


def outcomes_chart(
    months: Sequence[tuple[str, Mapping[str, int]]],
    outcomes: Sequence[tuple[str, str]],
    title: str,
    chart_id: str,
) -> Markup:
    """One stacked column per month: the number of INSi calls of each outcome."""
    column, gap, plot_height, top = COLUMN, COLUMN_GAP, 220, 10
    width = 60 + len(months) * (column + gap)
    height = top + plot_height + 40
    highest = max([sum(counts.values()) for _, counts in months] + [1])
    parts = _opening(width, height, title, chart_id)
    for tick in sorted({0, highest // 2, highest}):
        y = top + plot_height * (1 - tick / highest)
        parts.append(f'<line x1="50" x2="{width}" y1="{y}" y2="{y}" class="chart-grid"/>')
        parts.append(f'<text x="0" y="{y + 4}" class="chart-axis">{tick}</text>')
    for i, (month, counts) in enumerate(months):
        x = 60 + i * (column + gap)
        y = top + plot_height
        for code, label in outcomes:
            h = counts.get(code, 0) / highest * plot_height
            if not h:
                continue
            y -= h
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{column}" height="{h:.1f}" '
                f'class="bar-{escape(code)}"><title>{escape(month)} : {escape(label)} '
                f"{counts.get(code, 0)}</title></rect>"
            )
        parts.append(
            f'<text x="{x + column / 2}" y="{top + plot_height + 18}" class="chart-axis" '
            f'text-anchor="middle">{month[5:]}/{month[2:4]}</text>'
        )
    return _closed(parts)
