"""The dashboard's charts, drawn on the server as SVG: horizontal bars, fill against
capacity, progress, a running total. No script, nothing to download, readable by
screen readers (a title and a description; the page also gives the numbers as a
table). Colours come from classes in school.css (``.dash-chart``), so the
Content-Security-Policy's ban on inline styles holds. (``charts`` draws the attendance
page's column charts.)"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date

from markupsafe import Markup

WIDTH = 640
ROW = 26
LABEL = 210
_ids = itertools.count(1)


def _frame(
    title: str, description: str, height: int, body: list[Markup], width: int = WIDTH
) -> Markup:
    n = next(_ids)
    return Markup(
        '<svg class="dash-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="chart-{n}-title'
        ' chart-{n}-desc" xmlns="http://www.w3.org/2000/svg"><title id="chart-{n}-title">'
        '{title}</title><desc id="chart-{n}-desc">{desc}</desc>{body}</svg>'
    ).format(w=width, h=height, n=n, title=title, desc=description, body=Markup("").join(body))


def _label(y: float, text: str, left: int = LABEL) -> Markup:
    return Markup('<text x="{}" y="{}" text-anchor="end">{}</text>').format(
        left - 8, y + 15, _short(text, left // 7)
    )


def _rect(css: str, x: float, y: float, width: float, height: float) -> Markup:
    return Markup('<rect class="{}" x="{}" y="{}" width="{}" height="{}"/>').format(
        css, x, y, round(width, 1), height
    )


def _text(x: float, y: float, text: object, anchor: str = "start") -> Markup:
    return Markup('<text x="{}" y="{}" text-anchor="{}">{}</text>').format(x, y, anchor, text)


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bars(
    title: str,
    items: Sequence[tuple[str, int]],
    *,
    limit: int = 15,
    width: int = WIDTH,
    left: int = LABEL,
) -> Markup:
    """Horizontal bars, largest first as given; the rest summed in one last bar.
    A narrow ``width`` suits a chart in a column (its text is then drawn larger)."""
    shown = list(items[:limit])
    rest = sum(value for _, value in items[limit:])
    if rest:
        shown.append(("…", rest))
    top = max((value for _, value in shown), default=0) or 1
    span = width - left - 40
    body: list[Markup] = []
    for index, (label, value) in enumerate(shown):
        y = index * ROW + 4
        length = span * value / top
        body += [
            _label(y, label, left),
            _rect("bar", left, y, length, ROW - 8),
            _text(round(left + length + 6, 1), y + 15, value),
        ]
    description = "; ".join(f"{label}: {value}" for label, value in shown)
    return _frame(title, description, max(len(shown), 1) * ROW + 8, body, width)


def fill(title: str, items: Sequence[tuple[str, int, int | None, int]]) -> Markup:
    """Seats taken against capacity, and the waiting line: (label, seats, capacity, waiting)."""
    span = WIDTH - LABEL - 120
    body: list[Markup] = []
    for index, (label, taken, capacity, waiting) in enumerate(items):
        y = index * ROW + 4
        rate = min(taken / capacity, 1) if capacity else 0
        figure = f"{taken}/{capacity or '∞'}" + (f" +{waiting}" if waiting else "")
        body += [
            _label(y, label),
            _rect("track", LABEL, y, span, ROW - 8),
            _rect("bar-alt" if rate >= 1 else "bar", LABEL, y, span * rate, ROW - 8),
            _text(LABEL + span + 6, y + 15, figure),
        ]
    description = "; ".join(
        f"{label}: {taken}/{capacity}" + (f", +{waiting}" if waiting else "")
        for label, taken, capacity, waiting in items
    )
    return _frame(title, description, max(len(items), 1) * ROW + 8, body)


def progress(title: str, items: Sequence[tuple[str, int, int]]) -> Markup:
    """Arrived against expected: (label, arrived, expected)."""
    span = WIDTH - LABEL - 100
    body: list[Markup] = []
    for index, (label, arrived, expected) in enumerate(items):
        y = index * ROW + 4
        rate = min(arrived / expected, 1) if expected else 0
        body += [
            _label(y, label),
            _rect("track", LABEL, y, span, ROW - 8),
            _rect("bar-ok", LABEL, y, span * rate, ROW - 8),
            _text(LABEL + span + 6, y + 15, f"{arrived}/{expected}"),
        ]
    description = "; ".join(f"{label}: {a}/{e}" for label, a, e in items)
    return _frame(title, description, max(len(items), 1) * ROW + 8, body)


def timeline(title: str, points: Sequence[tuple[date, int]], labels: tuple[str, str]) -> Markup:
    """A running total over days, as an area; the first and last day and the top value
    written on the axes."""
    height, left, bottom, top = 200, 50, 170, 10
    if not points:
        return _frame(title, "—", 40, [_text(left, 24, "—")])
    first, last = points[0][0], points[-1][0]
    days = max((last - first).days, 1)
    peak = max(value for _, value in points) or 1
    span = WIDTH - left - 20

    def xy(day: date, value: int) -> tuple[float, float]:
        x = left + span * (day - first).days / days
        return round(x, 1), round(bottom - (bottom - top) * value / peak, 1)

    line = [xy(day, value) for day, value in points]
    if len(line) == 1:
        line.append((left + span, line[0][1]))
    path = " ".join(f"{x},{y}" for x, y in line)
    area = f"{line[0][0]},{bottom} {path} {line[-1][0]},{bottom}"
    body = [
        Markup('<polygon class="area" points="{}"/>').format(area),
        Markup('<polyline class="line" points="{}"/>').format(path),
        Markup('<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>').format(
            left, bottom, left + span, bottom
        ),
        Markup('<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>').format(
            left, top, left, bottom
        ),
        _text(left - 6, top + 10, peak, "end"),
        _text(left - 6, bottom, 0, "end"),
        _text(left, bottom + 20, labels[0]),
        _text(left + span, bottom + 20, labels[1], "end"),
    ]
    description = f"{labels[0]}: {points[0][1]} … {labels[1]}: {points[-1][1]}"
    return _frame(title, description, height, body)
