"""Server-side charts for generated reports: SVG for HTML and PDF, PNG (Pillow) for DOCX.

Reports are rendered without a browser, so Chart.js cannot draw them. One small specification
(labels, series, kind) is drawn by both back ends so the figures in the PDF and the DOCX match.
Counts get whole-number axes (0, 1, 2 rather than 0, 0.5, 1, 1.5, 2 rounded to "0, 0, 1, 2, 2"),
and axis labels are written in the chart's language (750.000 and "50 %" in Serbian).
No Django import: tested without a database.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from opennrm.core import formatting

PALETTE = ("#1d4e89", "#f0ad00", "#2a9d8f", "#c0392b", "#6c757d", "#8e44ad")
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 36, 70
FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartSpec:
    title: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    kind: str = "bar"  # "bar" (grouped) or "line"
    percent: bool = False
    notes: tuple[str, ...] = field(default=())
    language: str = "en"

    @property
    def ticks(self) -> tuple[float, ...]:
        """Axis values from 0 up: quarters for percentages, whole numbers for counts."""
        if self.percent:
            return (0.0, 25.0, 50.0, 75.0, 100.0)
        peak = max((v for s in self.series for v in s.values if v is not None), default=0.0)
        step = _nice_step(peak / 4)
        steps = max(1, math.ceil(peak / step))
        return tuple(float(step * i) for i in range(steps + 1))

    @property
    def maximum(self) -> float:
        return self.ticks[-1]

    def tick_label(self, value: float) -> str:
        if self.percent:
            return formatting.percent(value, self.language)
        return formatting.number(int(value), self.language)


def _nice_step(rough: float) -> int:
    """The smallest whole step of the 1–2–5 series at least ``rough`` (at least 1)."""
    if rough <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= rough and step == int(step):
            return int(step)
    return int(10 * magnitude)


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _geometry(spec: ChartSpec) -> tuple[float, float, float]:
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(spec.labels), 1)
    return plot_w, plot_h, slot


def _y(value: float, spec: ChartSpec, plot_h: float) -> float:
    return TOP + plot_h - (value / spec.maximum) * plot_h


def svg(spec: ChartSpec) -> str:
    """An accessible SVG (role="img", <title>) with axis, grid, bars or lines and a legend."""
    plot_w, plot_h, slot = _geometry(spec)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" class="report-chart" '
        f'font-family="DejaVu Sans, sans-serif" font-size="11">',
        f"<title>{escape(spec.title)}</title>",
        f'<text x="{LEFT}" y="20" font-size="13" font-weight="bold">{escape(spec.title)}</text>',
    ]
    for value in spec.ticks:
        y = _y(value, spec, plot_h)
        label = escape(spec.tick_label(value))
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    count = max(len(spec.series), 1)
    for s_index, series in enumerate(spec.series):
        colour = PALETTE[s_index % len(PALETTE)]
        if spec.kind == "line":
            points = [
                f"{LEFT + slot * (i + 0.5):.1f},{_y(v, spec, plot_h):.1f}"
                for i, v in enumerate(series.values)
                if v is not None
            ]
            if points:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                    f'points="{" ".join(points)}"/>'
                )
            for point in points:
                cx, cy = point.split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
            continue
        bar_w = slot * 0.8 / count
        for i, bar in enumerate(series.values):
            if bar is None:
                continue
            x = LEFT + slot * i + slot * 0.1 + bar_w * s_index
            y = _y(min(bar, spec.maximum), spec, plot_h)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{TOP + plot_h - y:.1f}" fill="{colour}"/>'
            )
    for i, label in enumerate(spec.labels):
        x = LEFT + slot * (i + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle">'
            f"{escape(_short(label))}</text>"
        )
    for s_index, series in enumerate(spec.series):
        key_x, key_y = LEFT + s_index * 180, HEIGHT - 16
        colour = PALETTE[s_index % len(PALETTE)]
        parts.append(
            f'<rect x="{key_x}" y="{key_y - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{key_x + 14}" y="{key_y}">{escape(_short(series.name, 26))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _font(size: int):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def png(spec: ChartSpec, scale: int = 2) -> bytes:
    """The same chart as a PNG (for DOCX, which cannot embed SVG portably)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH * scale, HEIGHT * scale), "white")
    draw = ImageDraw.Draw(image)
    plot_w, plot_h, slot = _geometry(spec)
    small, title_font = _font(11 * scale), _font(13 * scale)

    def s(value: float) -> float:
        return value * scale

    draw.text((s(LEFT), s(8)), spec.title, fill="black", font=title_font)
    for value in spec.ticks:
        y = _y(value, spec, plot_h)
        draw.line([(s(LEFT), s(y)), (s(LEFT + plot_w), s(y))], fill="#dddddd", width=scale)
        label = spec.tick_label(value)
        draw.text((s(LEFT - 4), s(y)), label, fill="black", font=small, anchor="rm")
    count = max(len(spec.series), 1)
    for s_index, series in enumerate(spec.series):
        colour = PALETTE[s_index % len(PALETTE)]
        if spec.kind == "line":
            points = [
                (s(LEFT + slot * (i + 0.5)), s(_y(v, spec, plot_h)))
                for i, v in enumerate(series.values)
                if v is not None
            ]
            if len(points) > 1:
                draw.line(points, fill=colour, width=2 * scale)
            for x, y in points:
                draw.ellipse([x - 3 * scale, y - 3 * scale, x + 3 * scale, y + 3 * scale], colour)
            continue
        bar_w = slot * 0.8 / count
        for i, bar in enumerate(series.values):
            if bar is None:
                continue
            x = LEFT + slot * i + slot * 0.1 + bar_w * s_index
            y = _y(min(bar, spec.maximum), spec, plot_h)
            draw.rectangle([s(x), s(y), s(x + bar_w), s(TOP + plot_h)], fill=colour)
    for i, label in enumerate(spec.labels):
        x = LEFT + slot * (i + 0.5)
        draw.text((s(x), s(TOP + plot_h + 8)), _short(label), fill="black", font=small, anchor="mt")
    for s_index, series in enumerate(spec.series):
        x, y = LEFT + s_index * 180, HEIGHT - 16
        colour = PALETTE[s_index % len(PALETTE)]
        draw.rectangle([s(x), s(y - 9), s(x + 10), s(y + 1)], fill=colour)
        draw.text((s(x + 14), s(y - 9)), _short(series.name, 26), fill="black", font=small)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
