"""The dashboard's charts, drawn on the server: horizontal bars, fill against capacity,
progress, a running total. Every word and figure is HTML text, beside or around an SVG
that draws only shapes: an SVG scaled to a phone's width shrank its letters with it (6 px
at 390 px wide) and had to cut long names (every "Cité des métiers de …" read the same).
HTML text keeps the page's size, wraps instead of being cut, and a screen reader reads
each bar's label then its figure. Lengths are SVG attributes and colours classes in
school.css (``.dash-chart``), so the Content-Security-Policy's ban on inline styles holds.
No script, nothing to download; the page also gives the numbers as a table. (``charts``
draws the attendance page's column charts.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup

from school import i18n


def _shape(*rects: tuple[str, float]) -> Markup:
    """A bar 100 units long stretched to its row's width: one rectangle per (class, share
    of the row), the first drawn under the next."""
    body = Markup("").join(
        Markup('<rect class="{}" x="0" y="0" width="{}" height="1"/>').format(
            css, round(100 * max(0.0, min(share, 1.0)), 2)
        )
        for css, share in rects
    )
    return Markup(
        '<svg class="dash-bar" viewBox="0 0 100 1" preserveAspectRatio="none"'
        ' aria-hidden="true" focusable="false">{}</svg>'
    ).format(body)


def _rows(title: str, rows: list[tuple[str, Markup, str]]) -> Markup:
    items = Markup("").join(
        Markup(
            '<li><span class="dash-label">{}</span>{}<span class="dash-figure">{}</span></li>'
        ).format(label, shape, figure)
        for label, shape, figure in rows
    )
    return Markup(
        '<figure class="dash-chart dash-bars"><figcaption class="visually-hidden">{}'
        "</figcaption><ul>{}</ul></figure>"
    ).format(title, items)


def bars(title: str, items: Sequence[tuple[str, int]], *, limit: int = 15) -> Markup:
    """Horizontal bars, largest first as given; the rest summed in one last bar."""
    shown = list(items[:limit])
    rest = sum(value for _, value in items[limit:])
    if rest:
        shown.append(("…", rest))
    top = max((value for _, value in shown), default=0) or 1
    return _rows(
        title, [(label, _shape(("bar", value / top)), str(value)) for label, value in shown]
    )


def fill(title: str, items: Sequence[tuple[str, int, int | None, int]]) -> Markup:
    """Seats taken against capacity, and the waiting line: (label, seats, capacity, waiting)."""
    rows = []
    for label, taken, capacity, waiting in items:
        rate = min(taken / capacity, 1) if capacity else 0
        figure = f"{taken}/{capacity or '∞'}"
        if waiting:
            figure += " · " + _("%(num)d waiting", num=waiting)
        shape = _shape(("track", 1), ("bar-alt" if rate >= 1 else "bar", rate))
        rows.append((label, shape, figure))
    return _rows(title, rows)


def progress(title: str, items: Sequence[tuple[str, int, int]]) -> Markup:
    """Arrived against expected: (label, arrived, expected)."""
    return _rows(
        title,
        [
            (label, _shape(("track", 1), ("bar-ok", arrived / expected if expected else 0)),
             f"{arrived}/{expected}")
            for label, arrived, expected in items
        ],
    )  # fmt: skip


def timeline(title: str, points: Sequence[tuple[date, int]], labels: tuple[str, str]) -> Markup:
    """A running total over days, as an area stretched to the page's width; the first and
    last day under it and the top value beside it, as text."""
    if not points:
        return Markup('<figure class="dash-chart"><figcaption>{}: —</figcaption></figure>').format(
            title
        )
    if len(points) == 1:
        # Everyone so far came on one day: a running total has no course to draw (it was a
        # full rectangle from that day to the same day), so the day and the count are said.
        return Markup('<figure class="dash-chart"><figcaption>{}</figcaption></figure>').format(
            i18n.pair(labels[0], points[0][1])
        )
    first, last = points[0][0], points[-1][0]
    days = max((last - first).days, 1)
    peak = max(value for _, value in points) or 1

    def xy(day: date, value: int) -> tuple[float, float]:
        return round(100 * (day - first).days / days, 2), round(50 - 50 * value / peak, 2)

    line = [xy(day, value) for day, value in points]
    path = " ".join(f"{x},{y}" for x, y in line)
    area = f"{line[0][0]},50 {path} {line[-1][0]},50"
    description = i18n.pair(
        title, f"{i18n.pair(labels[0], points[0][1])} … {i18n.pair(labels[1], points[-1][1])}"
    )
    return Markup(
        '<figure class="dash-chart dash-timeline"><figcaption class="visually-hidden">{desc}'
        '</figcaption><span class="dash-peak" aria-hidden="true">{peak}</span>'
        '<svg viewBox="0 0 100 50" preserveAspectRatio="none" aria-hidden="true"'
        ' focusable="false"><polygon class="area" points="{area}"/>'
        '<polyline class="line" points="{path}"/></svg>'
        '<span class="dash-zero" aria-hidden="true">0</span>'
        '<span class="dash-days" aria-hidden="true"><span>{first}</span><span>{last}</span>'
        "</span></figure>"
    ).format(desc=description, peak=peak, area=area, path=path, first=labels[0], last=labels[1])
