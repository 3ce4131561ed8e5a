"""Geometry of a monitoring chart (values over time with the limit line), for a server-rendered
SVG: no script, no CDN, no inline style (CSP). Pure: plain values in, coordinates out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 640
HEIGHT = 240
LEFT = 56
RIGHT = 12
TOP = 12
BOTTOM = 36


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: Decimal
    at: dt.datetime
    exceeded: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[Point]
    polyline: str
    limit_y: float | None
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str, str]]  # x, label, text-anchor
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def build(series: list[tuple[dt.datetime, Decimal, bool]], limit: Decimal | None) -> Chart | None:
    """``series``: (time, value, exceeded) in time order. None when there is nothing to draw."""
    if not series:
        return None
    t0 = series[0][0].timestamp()
    t1 = series[-1][0].timestamp()
    span_t = (t1 - t0) or 1.0
    top_value = max(
        [float(v) for _t, v, _e in series] + ([float(limit)] if limit is not None else [])
    )
    top_value = top_value * 1.15 or 1.0
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x_of(t: dt.datetime) -> float:
        if t1 == t0:
            return LEFT + plot_w / 2
        return round(LEFT + (t.timestamp() - t0) / span_t * plot_w, 1)

    def y_of(v: float) -> float:
        return round(TOP + plot_h - (v / top_value) * plot_h, 1)

    points = [Point(x_of(t), y_of(float(v)), v, t, e) for t, v, e in series]
    y_ticks = [(y_of(top_value * i / 4), _fmt(round(top_value * i / 4, 2))) for i in range(5)]
    x_ticks = []
    count = min(5, len(series))
    for i in range(count):
        t, _v, _e = series[round(i * (len(series) - 1) / max(count - 1, 1))]
        anchor = (
            "start" if i == 0 and count > 1 else "end" if i == count - 1 and count > 1 else "middle"
        )
        x_ticks.append((x_of(t), f"{t:%m-%d}", anchor))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        limit_y=y_of(float(limit)) if limit is not None else None,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
    )
