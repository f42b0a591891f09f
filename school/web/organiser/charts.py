"""Bar charts drawn on the server as SVG: no script, readable without colour (the bars are
one colour, each has its own ``<title>``), and a ``<title>`` and ``<desc>`` for the whole
chart. The page shows the same numbers as a table beside it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 12, 30  # room for the axis labels


@dataclass(frozen=True)
class Bar:
    value: int
    label: str  # under the bar, when ``tick``
    tooltip: str  # what the bar says when pointed at or read aloud
    tick: bool = False


def nice_ceiling(value: int) -> int:
    """The top of the scale: 1, 2 or 5 times a power of ten, at least ``value``."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def bar_chart(bars: list[Bar], *, title: str, description: str, chart_id: str) -> Markup:
    top = nice_ceiling(max((bar.value for bar in bars), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = plot_w / max(len(bars), 1)
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="chart"'
            ' role="img" aria-labelledby="{id}-title {id}-desc">'
            '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        ).format(w=WIDTH, h=HEIGHT, id=chart_id, title=title, desc=description)
    ]
    steps = min(top, 5)  # gridlines at whole numbers: the top is 1, 2 or 5 times 10ⁿ
    for n in range(steps + 1):
        value = top * n / steps
        y = TOP + plot_h - plot_h * n / steps
        parts.append(
            Markup(
                '<line class="chart-grid" x1="{x1}" x2="{x2}" y1="{y:.1f}" y2="{y:.1f}"/>'
                '<text class="chart-axis" x="{x:.1f}" y="{ty:.1f}" text-anchor="end">{v}</text>'
            ).format(x1=LEFT, x2=WIDTH - RIGHT, y=y, x=LEFT - 6, ty=y + 4, v=_number(value))
        )
    for n, bar in enumerate(bars):
        height = plot_h * bar.value / top
        x = LEFT + n * band
        parts.append(
            Markup(
                '<rect class="chart-bar" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}">'
                "<title>{tip}</title></rect>"
            ).format(
                x=x + band * 0.1,
                y=TOP + plot_h - height,
                w=band * 0.8,
                h=height,
                tip=bar.tooltip,
            )
        )
        if bar.tick:
            parts.append(
                Markup(
                    '<text class="chart-axis" x="{x:.1f}" y="{y}" text-anchor="middle">{t}</text>'
                ).format(x=x + band / 2, y=HEIGHT - BOTTOM + 18, t=bar.label)
            )
    parts.append(
        Markup('<line class="chart-baseline" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}"/>').format(
            x1=LEFT, x2=WIDTH - RIGHT, y=TOP + plot_h
        )
    )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"
