"""SVG charts of published transparency figures: horizontal bars and lines.

The two chart kinds the site needs are written directly as SVG text. Why not
a plotting library: drawing was most of a cold build's work. matplotlib took
0.35-0.55 s per chart, pygal about 14 ms (its XML tree and attribute proxy,
whatever the options), leather 2.5 ms but cannot print a value on its bar;
this module takes well under a millisecond (`make bench`). What it draws is
what pygal drew once its script, CSS and wrapper groups were stripped, with
the same class names, so newsletter.css ("Charts") gives every chart its
type sizes and colours once, from the theme, and charts follow dark mode.

Charts are static (no script) and hidden from screen readers: the figure's
caption and the table beside it carry the figures. They only ever see
published values: a suppressed count ("<10", "withheld") gets no bar or
point, only its marker as text, so a chart cannot reveal more than the
table. Same inputs give the same bytes. Labels are escaped as text.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from html import escape

PublishedValue = int | str | None

# Text sizes as newsletter.css draws them; layout estimates text widths from them.
LABEL_SIZE = 12
VALUE_SIZE = 11
# Width of an average character, in ems, of the theme's sans-serif: enough room
# for a label without measuring fonts (a browser draws the text, not us).
CHAR_EM = 0.55
TOP = 20
# Scaled down to its box by the style attribute, also in feed readers.
_ROOT = (
    '<svg aria-hidden="true" style="max-width:100%;height:auto" class="nl-chart-svg" '
    'viewBox="0 0 {w} {h}" width="{w}" height="{h}">'
)


def _px(value: float) -> str:
    # Whole pixels: bars 20 px high and labels 12 px tall need nothing finer,
    # and every decimal is a byte that gzip cannot squeeze.
    text = f"{value:.0f}"
    return "0" if text == "-0" else text


def _text_width(text: str, size: int = LABEL_SIZE) -> float:
    return len(text) * size * CHAR_EM


def _number(value: PublishedValue) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _shown(value: PublishedValue) -> str:
    number = _number(value)
    return f"{number:,}" if number is not None else str(value or "n/a")


def _text(x: float, y: float, content: str, extra: str = "") -> str:
    return f'<text x="{_px(x)}" y="{_px(y)}"{extra}>{escape(content)}</text>'


def bar_chart(labels: Sequence[str], values: Sequence[PublishedValue]) -> str:
    """Horizontal bars, top-down in the order given, each printing its value.

    The chart has no value axis, guides or axis title: every bar prints its
    value, and the unit is in the caption and the table. A suppressed value
    or a zero draws no bar, only its printed form.
    """
    band = 30
    height = 40 + band * max(len(labels), 1)
    left = max((_text_width(label) for label in labels), default=0) + 25
    # Room past the longest bar for any printed value.
    room = max((_text_width(_shown(v), VALUE_SIZE) for v in values), default=0) + 16
    # Wider than usual only for very long labels: the page scales the chart down.
    width = max(640, round(left + room + 160))
    plot = width - left - room
    top_value = max((_number(v) or 0 for v in values), default=0) or 1
    bars, labels_svg, printed = [], [], []
    for row, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + row * band + band / 2  # the middle of the row
        labels_svg.append(_text(-5, y + LABEL_SIZE / 3, label))
        count = _number(value) or 0
        length = max(plot * count / top_value, 1) if count else 0  # any count shows
        if length:
            bars.append(f'<rect x="0" y="{_px(y - 11)}" width="{_px(length)}" height="22"/>')
        printed.append(_text(length + 6, y + VALUE_SIZE / 3, _shown(value)))
    return "".join(
        (
            _ROOT.format(w=width, h=height),
            f'<g class="horizontal" transform="translate({_px(left)}, 0)">',
            '<g class="axis y">',
            *labels_svg,
            '</g><g class="series color-0">',
            *bars,
            '</g><g class="text-overlay">',
            *printed,
            "</g></g></svg>",
        )
    )


def nice_ticks(highest: float, most: int = 6) -> list[float]:
    """Round steps from 0 to at least `highest`: 0, 20, 40... (a 1, 2 or 5 x 10^n step)."""
    if highest <= 0:
        return [0, 1]
    rough = highest / most
    power = 10 ** math.floor(math.log10(rough))
    # Counts are whole: no step below 1.
    step = max(1, next(power * m for m in (1, 2, 5, 10) if power * m >= rough))
    count = math.ceil(highest / step - 1e-9)
    return [i * step for i in range(count + 1)]


def _thousands(value: float) -> str:
    return f"{value:,.0f}"  # the axis reads as the tables do: 5,000


def _runs(points: Sequence[tuple[float, float] | None]) -> Iterator[list[tuple[float, float]]]:
    """The unbroken stretches of a line: a missing point starts a new one."""
    run: list[tuple[float, float]] = []
    for point in points:
        if point is None:
            if run:
                yield run
            run = []
        else:
            run.append(point)
    if run:
        yield run


def _path(run: list[tuple[float, float]]) -> str:
    (x0, y0), rest = run[0], run[1:]
    steps = " ".join(f"{_px(x)} {_px(y)}" for x, y in rest)
    return f'<path d="M{_px(x0)} {_px(y0)} L{steps}" class="line"/>'


def line_chart(
    labels: Sequence[str], series: dict[str, Sequence[PublishedValue]], *, axis_label: str
) -> str:
    """One line per series across issues; a suppressed point is a gap in its line.

    At most about a dozen issues are labelled on the x axis (the table beside
    the chart names them all), and the value axis has about six round steps.
    """
    width, height, columns = 720, 360, 4
    numbers = [[_number(v) for v in values] for values in series.values()]
    ticks = nice_ticks(max((v for row in numbers for v in row if v is not None), default=0))
    tick_texts = [_thousands(t) for t in ticks]
    left = 30 + max(_text_width(t) for t in tick_texts)
    legend_rows = -(-len(series) // columns)
    longest = max((_text_width(label) for label in labels), default=0)
    bottom = 30 + longest * 0.5 + 20 * legend_rows  # x labels slant at 30 degrees
    # The last labels slant past the plot's right edge.
    right = max(20, longest * math.cos(math.pi / 6))
    plot_w, plot_h = width - left - right, height - TOP - bottom
    top_value = ticks[-1]

    def y_of(value: float) -> float:
        return plot_h * (1 - value / top_value)

    pad = plot_w * 0.02
    step = (plot_w - 2 * pad) / max(len(labels) - 1, 1)
    xs = [pad + i * step for i in range(len(labels))]
    every = max(1, -(-len(labels) // 12))
    parts = [_ROOT.format(w=width, h=height), f'<g transform="translate({_px(left)}, {TOP})">']
    parts.append('<g class="axis y">')
    for tick, text in zip(ticks, tick_texts, strict=True):
        kind = "axis line" if tick == 0 else "guide line"
        y = y_of(tick)
        parts.append(f'<path d="M0 {_px(y)} h{_px(plot_w)}" class="{kind}"/>')
        parts.append(_text(-5, y + LABEL_SIZE / 3, text))
    parts.append('</g><g class="axis x">')
    for index in range(0, len(labels), every):
        x, y = xs[index], plot_h + 16
        kind = "line" if index == 0 else "guide line"
        parts.append(f'<path d="M{_px(x)} 0 v{_px(plot_h + 5)}" class="{kind}"/>')
        parts.append(_text(x, y, labels[index], f' transform="rotate(30 {_px(x)} {_px(y)})"'))
    parts.append("</g>")
    for colour, row in enumerate(numbers):
        points = [None if v is None else (xs[i], y_of(v)) for i, v in enumerate(row)]
        parts.append(f'<g class="series color-{colour}">')
        parts.extend(_path(run) for run in _runs(points) if len(run) > 1)
        parts.extend(
            f'<circle cx="{_px(x)}" cy="{_px(y)}" r="2"/>' for x, y in filter(None, points)
        )
        parts.append("</g>")
    parts.append("</g>")
    middle = TOP + plot_h / 2
    turned = f' class="title" transform="rotate(-90 16 {_px(middle)})"'
    parts.append(f'<g class="titles">{_text(16, middle, axis_label, turned)}</g>')
    parts.append(
        f'<g class="legends" transform="translate({_px(left)}, {_px(height - 20 * legend_rows)})">'
    )
    for index, name in enumerate(series):
        x, y = (index % columns) * plot_w / columns, (index // columns) * 20
        parts.append(
            f'<rect x="{_px(x)}" y="{_px(y)}" width="12" height="12" class="color-{index}"/>'
        )
        parts.append(_text(x + 17, y + 10, name))
    parts.append("</g></svg>")
    return "".join(parts)
