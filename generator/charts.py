"""SVG charts of published transparency figures, drawn with pygal.

pygal builds the SVG as an XML tree in pure Python, about 15 times faster
than matplotlib, whose layout and text measuring dominated site builds
(measured: ~0.35-0.55 s per chart with matplotlib, tuned or not, against
~0.03 s with pygal). The charts are static: pygal's tooltip script is never
linked (`js=[]`) and its inline configuration script is removed, so they
render without JavaScript. Output bytes are reproducible: pygal's random
chart id is replaced by a fixed one and dropped, and pygal's comments, which
carry the date of the build, are dropped.

Charts only ever see published values: a suppressed count ("<10",
"withheld") gets no bar or point, only its marker as text, so a chart cannot
reveal more than the table beside it. Same inputs give the same SVG; a
rebuild takes each issue's charts from the fragment cache with its section.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pygal
from pygal.style import Style

PublishedValue = int | str | None

# pygal lays text out for these sizes; newsletter.css ("Charts") draws the
# text at the same sizes, and gives every colour, so dark mode restyles charts.
_TEXT_SIZES = Style(
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=11,
    title_font_size=13,
    legend_font_size=12,
)
_COMMON: dict[str, Any] = {
    "style": _TEXT_SIZES,
    "js": [],
    "css": [],  # the site stylesheet styles charts (newsletter.css, "Charts")
    "disable_xml_declaration": True,
    "explicit_size": True,  # natural size; the style attribute lets it shrink
    "truncate_label": -1,
    "truncate_legend": -1,
    "tooltip_border_radius": 0,
    "max_scale": 6,  # at most about six value guides: enough to read a bar by
}


_DROPPED_TAGS = ("script", "style", "desc", "title")
_GEOMETRY = ("x", "y", "cx", "cy", "r", "width", "height", "d", "transform", "points")
_DECIMAL = re.compile(r"-?\d+\.\d+")
# Classes that only pygal's script or its own CSS used (newsletter.css selects
# by structure instead: `.series rect`, `.text-overlay text`), and attributes
# the stylesheet gives once for every chart: corner radii of 0, text anchors.
_UNSTYLED_CLASSES = frozenset(
    {"tooltip-trigger", "activate-serie", "reactive", "rect", "dot", "value", "nofill"}
    | {"graph", "horizontalbar-graph", "line-graph", "vertical", "plot", "overlay"}
    | {"always_show", "major", "bars", "bar", "dots", "guides", "legend"}
)
_STYLED_ATTRIBUTES = ("rx", "ry", "text-anchor")


def _tag(element: Any) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rpartition("}")[2]


def _rounded(match: re.Match[str]) -> str:
    # Whole pixels: bars 20 px high and labels 12 px tall need nothing finer,
    # and every decimal is a byte that gzip cannot squeeze.
    text = f"{float(match.group(0)):.0f}"
    return "0" if text == "-0" else text


def _empty(element: Any) -> bool:
    return len(element) == 0 and not (element.text or "").strip()


def _prune(root: Any, unwanted: Any) -> None:
    for parent in list(root.iter()):
        for child in list(parent):
            if unwanted(child):
                parent.remove(child)


def _unwanted(element: Any) -> bool:
    tag = _tag(element)
    if not tag or tag in _DROPPED_TAGS:
        return True
    # The backgrounds are unfilled rectangles: nothing is drawn.
    classes = (element.get("class") or "").split()
    return "tooltip-overlay" in classes or "background" in classes


def _unwrap(root: Any) -> None:
    """Replace each group left with no attribute (it changes nothing) by its children."""
    # Innermost first, so that a group's unwrapped children are unwrapped too.
    for parent in reversed(list(root.iter())):
        for position, child in reversed(list(enumerate(parent))):
            if _tag(child) == "g" and not child.attrib:
                parent.remove(child)
                for offset, grandchild in enumerate(child):
                    parent.insert(position + offset, grandchild)


def _restyle(element: Any) -> None:
    for name in _STYLED_ATTRIBUTES:
        element.attrib.pop(name, None)
    classes = element.get("class")
    if classes is not None:
        kept = " ".join(
            c for c in classes.split() if c not in _UNSTYLED_CLASSES and not c.startswith("serie-")
        )
        if kept:
            element.set("class", kept)
        else:
            del element.attrib["class"]


def _static(root: Any) -> Any:
    """Keep only what a static chart draws.

    Dropped: scripts; pygal's comments (they carry the build date); its CSS
    (the site stylesheet styles every chart once); its tooltip texts and
    tooltip layer and legend ids, which only the script uses; unfilled
    backgrounds; classes and attributes the stylesheet makes redundant, and
    then the groups left with no attribute (around each bar, dot and guide).
    Coordinates are rounded to whole pixels. A chart is about a fifth of its
    pygal size.
    """
    _prune(root, _unwanted)
    # Twice: emptying a group can empty its parent (the overlay layers).
    for _ in range(2):
        _prune(root, lambda element: _tag(element) in ("defs", "g") and _empty(element))
    for element in root.iter():
        _restyle(element)
        if element.get("id", "").startswith("activate-serie"):
            del element.attrib["id"]  # the script's hook; repeated in every line chart
        for name in _GEOMETRY:
            value = element.get(name)
            if value is not None:
                element.set(name, _DECIMAL.sub(_rounded, value))
    _unwrap(root)
    return root


# pygal names the chart's root (and scopes its CSS) by a random uuid; a fixed
# one keeps the output reproducible, and the root's id is then dropped.
_UUID = "nl"


def _render(chart: Any) -> str:
    chart.uuid = _UUID
    chart.add_xml_filter(_static)
    svg = str(chart.render(is_unicode=True))
    # Charts are only ever inlined in HTML, where the SVG namespace is implied;
    # the id only scoped pygal's CSS, and nothing links with xlink.
    for unused in (
        f' id="chart-{_UUID}"',
        ' xmlns:xlink="http://www.w3.org/1999/xlink"',
        ' xmlns="http://www.w3.org/2000/svg"',
    ):
        svg = svg.replace(unused, "", 1)
    svg = svg.replace('class="pygal-chart"', 'class="nl-chart-svg"', 1)
    # Scaled down to its box by the style attribute, also in feed readers.
    attributes = 'aria-hidden="true" style="max-width:100%;height:auto" '
    return svg.replace("<svg ", "<svg " + attributes, 1)


def _number(value: PublishedValue) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _shown(value: PublishedValue) -> str:
    number = _number(value)
    return f"{number:,}" if number is not None else str(value or "n/a")


def _thousands(value: float) -> str:
    return f"{value:,.0f}"


def _printed(text: str) -> Any:
    """pygal prints a bar's value through a formatter: print the published form."""
    return lambda _value: text


def bar_chart(labels: Sequence[str], values: Sequence[PublishedValue]) -> str:
    """Horizontal bars; a suppressed value shows its marker where the bar would be.

    Every bar prints its value, so the chart has no value axis, guides or
    axis title (the unit is in the caption and the table): less to read, and
    a lighter page.
    """
    chart = pygal.HorizontalBar(
        **_COMMON,
        width=640,
        height=40 + 30 * max(len(labels), 1),
        show_legend=False,
        show_x_labels=False,  # in a horizontal chart, the value axis
        print_values=True,
        print_values_position="top",
        # Headroom past the longest bar for its printed value.
        range=(0, round((max((_number(v) or 0 for v in values), default=0) or 1) * 1.15, 1)),
    )
    # pygal draws the first label at the bottom; reverse to read top-down.
    chart.x_labels = list(reversed(labels))
    points = [
        {"value": _number(v) or 0, "formatter": _printed(_shown(v))} for v in reversed(values)
    ]
    chart.add("", points)  # one unnamed series: the chart has no legend
    return _render(chart)


def line_chart(
    labels: Sequence[str], series: dict[str, Sequence[PublishedValue]], *, axis_label: str
) -> str:
    """One line per series across issues; a suppressed point is a gap."""
    chart = pygal.Line(
        **_COMMON,
        width=720,
        height=360,
        allow_interruptions=True,  # a suppressed point breaks the line
        x_label_rotation=30,
        y_title=axis_label,
        legend_at_bottom=True,
        legend_at_bottom_columns=4,
        include_x_axis=True,
        # Label at most about a dozen issues; the table beside the chart names all.
        x_labels_major_every=max(1, -(-len(labels) // 12)),
        show_minor_x_labels=len(labels) <= 12,
        value_formatter=_thousands,  # the axis reads as the tables do: 5,000
    )
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, [_number(v) for v in values])
    return _render(chart)
