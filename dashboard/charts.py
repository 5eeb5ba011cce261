"""Geometry for the dashboard's charts, drawn server-side as SVG by the templates (rect,
polyline, text): no script, nothing inline but attributes, so the Content Security Policy
holds. Coordinates are formatted here (with a point, whatever the language), because the
templates localise numbers ("12,5" in Vietnamese) and SVG wants "12.5"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") or "0"


def nice_ceiling(value: int) -> int:
    """The smallest round number (1, 2, 5 × 10^k) at or above ``value``; at least 1."""
    if value <= 1:
        return 1
    magnitude = 1
    while magnitude * 10 < value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


@dataclass
class Segment:
    key: str
    label: str
    value: int
    x: str
    width: str


@dataclass
class StackedBar:
    """One bar 100 units wide split into segments by share (the template scales it)."""

    segments: list[Segment]
    total: int
    width: int = 100
    height: int = 12


def stacked_bar(items: list[tuple[str, str, int]]) -> StackedBar:
    """Segments for (key, label, value) items, left to right, in proportion to the total."""
    total = sum(max(value, 0) for _key, _label, value in items)
    segments: list[Segment] = []
    x = 0.0
    for key, label, value in items:
        if value <= 0 or not total:
            continue
        width = 100 * value / total
        segments.append(Segment(key, str(label), value, _n(x), _n(width)))
        x += width
    return StackedBar(segments=segments, total=total)


@dataclass
class Column:
    label: str
    title: str
    due: int
    completed: int
    x: str
    y: str
    width: str
    height: str
    cx: str
    cy: str
    label_x: str


@dataclass
class TrendChart:
    """Columns (occurrences due per month) and a line (completed per month)."""

    width: int
    height: int
    columns: list[Column]
    points: str
    ticks: list[tuple[str, int]] = field(default_factory=list)  # (y, value)
    plot_left: int = 0
    plot_right: int = 0
    base_y: str = "0"


def trend_chart(
    points: list[tuple[date, int, int]], *, width: int = 640, height: int = 220
) -> TrendChart:
    """Geometry for months of (month, due, completed)."""
    left, right, top, bottom = 36, 8, 10, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = nice_ceiling(max([due for _m, due, _c in points] + [c for _m, _d, c in points] + [1]))
    slot = plot_w / max(len(points), 1)
    bar_w = slot * 0.6
    base = top + plot_h
    columns: list[Column] = []
    line: list[str] = []
    for index, (month, due, completed) in enumerate(points):
        centre = left + slot * index + slot / 2
        bar_h = plot_h * due / peak
        done_y = base - plot_h * completed / peak
        columns.append(
            Column(
                label=f"{month:%m/%y}",
                title=f"{month:%m/%Y}",
                due=due,
                completed=completed,
                x=_n(centre - bar_w / 2),
                y=_n(base - bar_h),
                width=_n(bar_w),
                height=_n(bar_h),
                cx=_n(centre),
                cy=_n(done_y),
                label_x=_n(centre),
            )
        )
        line.append(f"{_n(centre)},{_n(done_y)}")
    shares = (0, 0.5, 1) if peak % 2 == 0 else (0, 1)
    ticks = [(_n(base - plot_h * share), round(peak * share)) for share in shares]
    return TrendChart(
        width=width,
        height=height,
        columns=columns,
        points=" ".join(line),
        ticks=ticks,
        plot_left=left,
        plot_right=width - right,
        base_y=_n(base),
    )
