"""Charts: static SVG (no script), same bytes for the same data, only published values."""

from __future__ import annotations

from bs4 import BeautifulSoup

from generator import charts

LABELS = ["Community", "Trusted flagger", "Automated", "Staff"]
VALUES: list[int | str | None] = [1234, "<10", 0, "withheld"]


def parse(svg: str) -> BeautifulSoup:
    return BeautifulSoup(svg, "html.parser")


def test_bar_chart_is_static_svg_with_every_label_and_marker() -> None:
    svg = charts.bar_chart(LABELS, VALUES)
    soup = parse(svg)
    root = soup.find("svg")
    assert root is not None and soup.contents[0] is root  # one element, ready to inline
    assert root["aria-hidden"] == "true" and "nl-chart-svg" in root["class"]
    assert soup.find("script") is None
    assert "<!--" not in svg
    texts = {t.get_text() for t in soup.find_all("text")}
    assert set(LABELS) <= texts
    assert {"1,234", "<10", "0", "withheld"} <= texts


def test_a_suppressed_value_gets_no_bar() -> None:
    soup = parse(charts.bar_chart(["a", "b"], [0, "<10"]))
    values = {t.get_text() for t in soup.select(".text-overlay text")}
    assert values == {"0", "<10"}
    assert soup.select(".series rect") == []  # neither a zero nor "<10" draws a bar


def test_bars_are_in_proportion_and_any_count_shows() -> None:
    soup = parse(charts.bar_chart(["a", "b", "c"], [1000, 500, 1]))
    widths = [float(r["width"]) for r in soup.select(".series rect")]
    assert abs(widths[0] - 2 * widths[1]) <= 1 and widths[1] > widths[2] >= 1


def test_labels_stay_text() -> None:
    hostile = '<script>alert(1)</script>"&'
    for svg in (
        charts.bar_chart([hostile], [12]),
        charts.line_chart([hostile, "b"], {hostile: [1, 2]}, axis_label=hostile),
    ):
        soup = parse(svg)
        assert soup.find("script") is None
        assert hostile in {t.get_text() for t in soup.find_all("text")}


def test_value_axis_steps_are_round_and_whole() -> None:
    assert charts.nice_ticks(140) == [0, 50, 100, 150]
    assert charts.nice_ticks(3) == [0, 1, 2, 3]
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(12_345)[-1] >= 12_345 and len(charts.nice_ticks(12_345)) <= 8


def test_same_data_same_bytes() -> None:
    first = charts.bar_chart(LABELS, VALUES)
    again = charts.bar_chart(list(LABELS), list(VALUES))
    other = charts.bar_chart(LABELS, [1, 2, 3, 4])
    assert first == again != other
    assert parse(first).svg.get("id") is None


def test_charts_keep_only_what_is_drawn_and_styled_by_the_site_stylesheet() -> None:
    """Wrapper groups, backgrounds, script hooks and redundant attributes are gone."""
    for svg in (
        charts.bar_chart(LABELS, VALUES),
        charts.line_chart(["a", "b"], {"x": [1, 2], "y": [3, None]}, axis_label="flags"),
    ):
        soup = parse(svg)
        wrappers = soup.select("g.bar, g.guides, g.dots, .background, .reactive, [id]")
        assert wrappers == []
        assert soup.select("[text-anchor], [rx], [ry]") == []
        assert "xlink" not in svg
        # What the stylesheet colours: every bar, dot and line sits in a series.
        drawn = soup.select(".series rect, .series circle, .series path")
        assert drawn and all(e.get("class") in (None, ["line"]) for e in drawn)


def test_line_chart_breaks_at_suppressed_points() -> None:
    labels = ["2025-12-21", "2026-03-20", "2026-06-21", "2026-09-22", "2026-12-21"]
    series = {"Received": [120, 130, "<10", 140, 150], "Resolved": [100, 110, 90, 95, 99]}
    svg = charts.line_chart(labels, series, axis_label="flags")
    soup = parse(svg)
    assert soup.find("script") is None
    texts = {t.get_text() for t in soup.find_all("text")}
    assert set(labels) <= texts and {"Received", "Resolved"} <= texts
    # A gap splits the Received line in two; Resolved stays one line.
    series = [s for s in soup.select("g.series") if s.select("path.line")]
    assert [len(s.select("path.line")) for s in series] == [2, 1]


def test_the_longest_bar_leaves_room_for_its_value() -> None:
    label = "notices (community, trusted flaggers, authorities)"
    soup = parse(charts.bar_chart([label, "b"], [12_345_678, 5]))
    width = float(soup.svg["viewbox"].split()[2])
    left = float(soup.select_one("g.horizontal")["transform"].split("(")[1].split(",")[0])
    for text in soup.select(".text-overlay text"):
        estimated = len(text.get_text()) * charts.VALUE_SIZE * charts.CHAR_EM
        assert left + float(text["x"]) + estimated <= width
