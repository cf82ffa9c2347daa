"""SVG charts of published transparency figures, drawn with matplotlib.

Charts only ever see published values: a suppressed count ("<10", "withheld")
gets no bar or point, only its marker as text, so a chart cannot reveal more
than the table beside it. Output bytes are reproducible: a fixed hash salt for
element ids, no date in the metadata, text kept as text (`svg.fonttype` none),
and no global matplotlib state is touched (a Figure without pyplot, settings in
an rc_context).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.figure import Figure

PublishedValue = int | str | None

_RC: Any = {
    "svg.hashsalt": "newsletter-transparency",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_BAR = "#3f51b5"
_SERIES_COLOURS = ("#3f51b5", "#e65100", "#2e7d32", "#6a1b9a")
_SERIES_MARKERS = ("o", "s", "^", "D")


def _svg_text(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(_RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return _inline(buffer.getvalue())


def _inline(svg: str) -> str:
    """Make matplotlib's SVG document fit inside an HTML fragment."""
    start = svg.index("<svg")
    body = re.sub(r"<metadata>.*?</metadata>", "", svg[start:], flags=re.S)
    body = re.sub(
        r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 class="nl-chart-svg"', body, count=1
    )
    body = body.replace("<svg", '<svg aria-hidden="true" focusable="false"', 1)
    lines: list[str] = []
    for line in (raw.strip() for raw in body.splitlines()):
        if not line:
            continue
        if lines and not line.startswith("<"):
            lines[-1] += " " + line  # keep every line starting with a tag
        else:
            lines.append(line)
    return "\n".join(lines)


def _number(value: PublishedValue) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def bar_chart(labels: Sequence[str], values: Sequence[PublishedValue], *, axis_label: str) -> str:
    """Horizontal bars; a suppressed value shows its marker where the bar would be."""
    with matplotlib.rc_context(_RC):
        height = 0.9 + 0.32 * len(labels)
        figure = Figure(figsize=(6.4, height))
        axes = figure.subplots()
        positions = list(range(len(labels)))[::-1]
        numbers = [_number(v) or 0 for v in values]
        axes.barh(positions, numbers, color=_BAR, height=0.7)
        axes.set_yticks(positions, labels=list(labels))
        axes.set_xlabel(axis_label)
        top = max(numbers, default=0) or 1
        axes.set_xlim(0, top * 1.15)
        for y, value in zip(positions, values, strict=True):
            text = f"{value:,}" if _number(value) is not None else str(value or "n/a")
            axes.text(_number(value) or 0, y, " " + text, va="center", fontsize=9)
        return _svg_text(figure)


def line_chart(
    labels: Sequence[str], series: dict[str, Sequence[PublishedValue]], *, axis_label: str
) -> str:
    """One line per series across issues; a suppressed point is a gap."""
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7.2, 3.6))
        axes = figure.subplots()
        positions = list(range(len(labels)))
        for index, (name, values) in enumerate(series.items()):
            points = [_number(v) for v in values]
            axes.plot(
                positions,
                [float("nan") if p is None else p for p in points],
                label=name,
                color=_SERIES_COLOURS[index % len(_SERIES_COLOURS)],
                marker=_SERIES_MARKERS[index % len(_SERIES_MARKERS)],
            )
        axes.set_xticks(positions, labels=list(labels), rotation=30, ha="right")
        axes.set_ylabel(axis_label)
        axes.set_ylim(bottom=0)
        axes.legend(frameon=False)
        return _svg_text(figure)
