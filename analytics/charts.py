"""Inline SVG charts for the dashboard, written by hand.

The dashboard is one self-contained file that must never fetch anything from another host, so
the charts are plain SVG strings instead of a JavaScript library. Every function returns
``Markup`` (already escaped) so a Jinja2 template with autoescape can embed it as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: Series colours: the first is the whole, the second the target-account part of it.
COLORS = ("#9db4d6", "#1f5fbf", "#e8833a", "#2e9e6b")
HIGHLIGHT = "#d64545"
#: Longer agenda titles are cut (the full title shows on hover).
MARK_LABEL = 16
BAR_LABEL = 24
FONT = 'font-family="system-ui, -apple-system, \'PingFang SC\', \'Microsoft YaHei\', sans-serif"'


def scale(value: float, domain: tuple[float, float], span: tuple[float, float]) -> float:
    """Map a value from the data domain to a pixel span (linear, a flat domain maps to the start)."""
    low, high = domain
    start, end = span
    if high == low:
        return start
    return start + (value - low) / (high - low) * (end - start)


def _fmt(value: float) -> str:
    """Numbers in SVG attributes: short, no exponent, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _svg(width: float, height: float, body: list[str], label: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {_fmt(width)} '
        f'{_fmt(height)}" width="{_fmt(width)}" height="{_fmt(height)}" {FONT} font-size="12" '
        f'aria-label="{escape(label)}">' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: object, *, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="{anchor}"{extra}>{escape(str(text))}</text>'
    )


@dataclass(frozen=True)
class Bar:
    """One category of a horizontal bar chart: a label and one value per series."""

    label: str
    values: tuple[float, ...]
    note: str = ""  # printed right of the bars, e.g. "3.2 线索/百次访问"


def bar_chart(bars: Sequence[Bar], series: Sequence[str], *, width: int = 720) -> Markup:
    """Horizontal grouped bars on one shared scale, with a legend (e.g. visits vs target visits)."""
    label_width, note_width, bar_height, gap, top = 210, 140, 12, 10, 28
    plot = (label_width, width - note_width)
    group_height = bar_height * len(series) + gap
    height = top + group_height * max(len(bars), 1) + 4
    maximum = max((value for bar in bars for value in bar.values), default=0.0) or 1.0
    body = []
    for index, name in enumerate(series):
        x = label_width + index * 150
        body.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{COLORS[index % 4]}"/>')
        body.append(_text(x + 18, 16, name))
    for row, bar in enumerate(bars):
        y0 = top + row * group_height
        label = bar.label if len(bar.label) <= BAR_LABEL else bar.label[: BAR_LABEL - 1] + "…"
        body.append(_text(label_width - 8, y0 + bar_height * len(series) / 2 + 4, label, anchor="end"))
        for index, value in enumerate(bar.values):
            length = scale(value, (0, maximum), plot) - plot[0]
            y = y0 + index * bar_height
            body.append(
                f'<rect class="bar" x="{plot[0]}" y="{_fmt(y)}" width="{_fmt(length)}" '
                f'height="{bar_height - 2}" fill="{COLORS[index % 4]}" data-value="{_fmt(value)}">'
                f"<title>{escape(bar.label)} · {escape(series[index])}: {_fmt(value)}</title></rect>"
            )
            body.append(_text(plot[0] + length + 4, y + bar_height - 3, _fmt(value), extra=' fill="#555"'))
        if bar.note:
            body.append(_text(width - 4, y0 + bar_height * len(series) / 2 + 4, bar.note, anchor="end"))
    return _svg(width, height, body, " / ".join(series))


@dataclass(frozen=True)
class Mark:
    """A labelled vertical line on a line chart, e.g. an agenda item starting at minute 20."""

    x: float
    label: str


def line_chart(
    points: Sequence[tuple[float, float]],
    *,
    marks: Sequence[Mark] = (),
    highlight: tuple[float, float] | None = None,
    width: int = 720,
    height: int = 260,
    x_unit: str = "",
    label: str = "",
) -> Markup:
    """An area chart over x with vertical agenda marks and an optional highlighted x-range."""
    left, right, top, bottom = 44, 16, 16 + 16 * min(len(marks), 4), 28
    xs = [x for x, _ in points] + [mark.x for mark in marks]
    if highlight:
        xs += list(highlight)
    x_domain = (min(xs, default=0.0), max(xs, default=1.0))
    y_max = max((y for _, y in points), default=0.0) or 1.0
    x_span, y_span = (left, width - right), (height - bottom, top)

    def at(x: float, y: float) -> str:
        return f"{_fmt(scale(x, x_domain, x_span))},{_fmt(scale(y, (0, y_max), y_span))}"

    body = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#999"/>',
        _text(left - 6, top + 4, _fmt(y_max), anchor="end", extra=' fill="#555"'),
        _text(left - 6, height - bottom, "0", anchor="end", extra=' fill="#555"'),
    ]
    if highlight:
        x1, x2 = (scale(x, x_domain, x_span) for x in highlight)
        body.append(
            f'<rect class="highlight" x="{_fmt(x1)}" y="{top}" width="{_fmt(max(x2 - x1, 2))}" '
            f'height="{height - bottom - top}" fill="{HIGHLIGHT}" fill-opacity="0.15"/>'
        )
    if points:
        line = " ".join(at(x, y) for x, y in points)
        first, last = points[0][0], points[-1][0]
        body.append(
            f'<polygon class="area" points="{at(first, 0)} {line} {at(last, 0)}" '
            f'fill="{COLORS[1]}" fill-opacity="0.18"/>'
        )
        body.append(f'<polyline class="line" points="{line}" fill="none" stroke="{COLORS[1]}" stroke-width="2"/>')
        for x, y in points:
            px, py = at(x, y).split(",")
            body.append(f'<circle cx="{px}" cy="{py}" r="2.5" fill="{COLORS[1]}">'
                        f'<title>{_fmt(x)}{escape(x_unit)}: {_fmt(y)}</title></circle>')
            body.append(_text(float(px), height - bottom + 16, _fmt(x), anchor="middle", extra=' fill="#555"'))
    for index, mark in enumerate(marks):
        x = scale(mark.x, x_domain, x_span)
        body.append(
            f'<line class="mark" x1="{_fmt(x)}" y1="{top - 4}" x2="{_fmt(x)}" y2="{height - bottom}" '
            f'stroke="{COLORS[2]}" stroke-dasharray="4 3"/>'
        )
        short = mark.label if len(mark.label) <= MARK_LABEL else mark.label[: MARK_LABEL - 1] + "…"
        body.append(
            f'<text x="{_fmt(x + 3)}" y="{12 + 16 * (index % 4)}" fill="{COLORS[2]}">{escape(short)}'
            f"<title>{escape(mark.label)}</title></text>"
        )
    return _svg(width, height, body, label)


def sparkline(values: Sequence[float], *, width: int = 84, height: int = 22) -> Markup:
    """A tiny line of weekly activity for a table cell; the last point is dotted."""
    if not values:
        return Markup("")
    y_max = max(values) or 1.0
    step = (width - 4) / max(len(values) - 1, 1)
    coords = [(2 + i * step, scale(v, (0, y_max), (height - 2, 2))) for i, v in enumerate(values)]
    line = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in coords)
    x, y = coords[-1]
    body = [
        f'<polyline points="{line}" fill="none" stroke="{COLORS[1]}" stroke-width="1.5"/>',
        f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="2" fill="{COLORS[1]}"/>',
    ]
    return _svg(width, height, body, "每周活跃度")


def interval_chart(
    estimate: float, low: float, high: float, *, width: int = 480, height: int = 64, label: str = ""
) -> Markup:
    """A point estimate with its confidence interval against a zero line (lift of an experiment)."""
    left, right = 40, 40
    reach = max(abs(low), abs(high), abs(estimate), 0.01) * 1.15
    domain, span = (-reach, reach), (left, width - right)
    x0, xl, xh, xe = (scale(v, domain, span) for v in (0.0, low, high, estimate))
    mid = 28
    colour = COLORS[3] if low > 0 else HIGHLIGHT if high < 0 else "#777"
    body = [
        f'<line x1="{left}" y1="{mid}" x2="{width - right}" y2="{mid}" stroke="#ddd"/>',
        f'<line class="zero" x1="{_fmt(x0)}" y1="8" x2="{_fmt(x0)}" y2="{mid + 12}" stroke="#999"/>',
        f'<line class="ci" x1="{_fmt(xl)}" y1="{mid}" x2="{_fmt(xh)}" y2="{mid}" stroke="{colour}" stroke-width="4"/>',
        f'<circle class="estimate" cx="{_fmt(xe)}" cy="{mid}" r="6" fill="{colour}"/>',
        _text(xl, mid + 26, f"{low:+.1%}", anchor="middle"),
        _text(xh, mid + 26, f"{high:+.1%}", anchor="middle"),
        _text(xe, mid - 12, f"{estimate:+.1%}", anchor="middle", extra=' font-weight="bold"'),
    ]
    return _svg(width, height, body, label or "提升及 95% 置信区间")
