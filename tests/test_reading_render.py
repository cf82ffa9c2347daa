"""Reading list rendering: hostile feed entries must come out inert."""

from __future__ import annotations

from datetime import UTC, datetime

import markdown
from bs4 import BeautifulSoup

from generator.sources.reading import (
    FeedSource,
    collect_reading,
    render_reading_section,
    sanitise_html,
)

START = datetime(2026, 6, 21, 8, 24, tzinfo=UTC)
END = datetime(2026, 9, 22, 18, 5, tzinfo=UTC)
DATE = "Wed, 01 Jul 2026 10:00:00 GMT"

HOSTILE_TITLE = "&lt;script&gt;alert(1)&lt;/script&gt;Click [me](javascript:alert(2)) ![i](data:x)"
HOSTILE_SUMMARY = (
    '<p onclick="steal()">Hello <a href="javascript:alert(3)">js</a> '
    '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a> '
    '<a href="https://ok.example/read" onmouseover="x()">fine</a>'
    '<img src="https://tracker.example/p.gif" onerror="alert(4)">'
    '<script>alert(5)</script><iframe src="https://evil.example"></iframe>'
    '<style>body{display:none}</style><form action="https://evil.example"><input></form>'
    '<svg onload="alert(6)"></svg><div markdown="1">*md*</div></p>'
)


def rss_item(title: str, link: str, summary: str) -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link><pubDate>{DATE}</pubDate>"
        f"<description><![CDATA[{summary}]]></description></item>"
    )


def hostile_feed(tmp_path):
    items = [
        rss_item(HOSTILE_TITLE, "javascript:alert(7)", HOSTILE_SUMMARY),
        rss_item("Data link", "data:text/html,hi", "x"),
        rss_item("Good", "https://good.example/post", "<p>Plain <em>good</em> text.</p>"),
    ]
    path = tmp_path / "hostile.xml"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>h</title><link>https://h.example/</link>'
        "<description>d</description>" + "".join(items) + "</channel></rss>",
        "utf-8",
    )
    return collect_reading(
        [FeedSource(name="Hostile <b>feed</b>", path=path)],
        start=START,
        end=END,
        cache_dir=tmp_path / "cache",
    )


def assert_inert(soup: BeautifulSoup) -> None:
    banned = ["script", "iframe", "img", "svg", "style", "form", "input", "object", "embed"]
    assert soup.find_all(banned) == []
    for tag in soup.find_all(True):
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag
        assert "markdown" not in tag.attrs, tag
        for name in ("href", "src", "action"):
            value = str(tag.get(name, "")).strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), tag


def test_hostile_entries_are_inert_in_the_section(tmp_path):
    section = hostile_feed(tmp_path)
    by_title = {e["title"]: e for e in section["entries"]}
    # An RSS title is HTML to feedparser: its text is kept, the script dropped.
    hostile = by_title["Click [me](javascript:alert(2)) ![i](data:x)"]
    assert hostile["url"] is None and by_title["Data link"]["url"] is None
    assert section["provenance"]["feeds"][0]["entries"]["links_dropped"] == 2
    for page in (
        render_reading_section(section, tz="UTC"),
        markdown.markdown(
            "## Reading\n\n" + render_reading_section(section, tz="UTC"),
            extensions=["md_in_html", "attr_list"],
        ),
    ):
        soup = BeautifulSoup(page, "html.parser")
        assert_inert(soup)
        hrefs = sorted(a["href"] for a in soup.find_all("a", href=True))
        assert hrefs == ["https://good.example/post", "https://ok.example/read"]
        titles = [t.get_text() for t in soup.select(".nl-reading-title")]
        assert hostile["title"] in titles  # shown as text
        assert {m.get_text().split(",")[0] for m in soup.select(".nl-reading-meta")} == {
            "Hostile <b>feed</b>"
        }


def test_section_structure(tmp_path):
    section = hostile_feed(tmp_path)
    soup = BeautifulSoup(render_reading_section(section, tz="Europe/Paris"), "html.parser")
    outer = soup.find_all(recursive=False)
    assert len(outer) == 1 and outer[0]["class"] == ["nl-reading"]
    entries = soup.select("li.nl-reading-entry")
    assert len(entries) == 3
    good = [e for e in entries if "Good" in e.select_one(".nl-reading-title").get_text()][0]
    assert good.select_one("time")["datetime"] == "2026-07-01T10:00:00+00:00"
    assert good.select_one("time").get_text() == "1 July 2026"
    summary = good.select_one(".nl-reading-summary")
    assert [t.name for t in summary.find_all(True)] == ["p", "em"]
    link = soup.select_one(".nl-reading-summary a")
    assert link["rel"] == ["nofollow", "noopener", "noreferrer"]


def test_tampered_data_is_sanitised_again_at_render_time():
    section = {
        "entries": [
            {
                "feed": "f",
                "title": "<b>t</b>",
                "url": "javascript:alert(1)",
                "published": "2026-07-01T00:00:00+00:00",
                "summary_html": '<script>alert(2)</script><a href="javascript:x" onclick="y">z</a>',
            }
        ],
        "failed": [{"name": "<img src=x onerror=alert(3)>", "reason": "HTTP 500"}],
    }
    soup = BeautifulSoup(render_reading_section(section, tz="UTC"), "html.parser")
    assert_inert(soup)
    assert soup.select_one("span.nl-reading-title").get_text() == "<b>t</b>"
    assert soup.select_one(".nl-reading-summary a").get("href") is None
    assert "<img src=x onerror=alert(3)>" in soup.select_one(".nl-reading-failed").get_text()


def test_sanitiser_allow_list():
    cleaned = BeautifulSoup(sanitise_html(HOSTILE_SUMMARY), "html.parser")
    assert_inert(cleaned)
    assert sorted({t.name for t in cleaned.find_all(True)}) == ["a", "p"]
    assert [a.get("href") for a in cleaned.find_all("a")] == [None, None, "https://ok.example/read"]


def test_long_summary_becomes_a_plain_excerpt(tmp_path):
    long_html = "<p>" + "<b>word</b> " * 400 + "</p>"
    path = tmp_path / "long.xml"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>l</title><link>https://l.example/</link>'
        f"<description>d</description>{rss_item('Long', 'https://l.example/1', long_html)}"
        "</channel></rss>",
        "utf-8",
    )
    section = collect_reading(
        [FeedSource(name="Long", path=path)], start=START, end=END, cache_dir=tmp_path
    )
    summary = section["entries"][0]["summary_html"]
    assert len(summary) <= 600 and summary.endswith("…") and "<" not in summary


def test_empty_reading_list_says_so():
    soup = BeautifulSoup(
        render_reading_section({"entries": [], "failed": []}, tz="UTC"), "html.parser"
    )
    assert soup.select_one(".nl-reading-none") is not None
    assert soup.select(".nl-reading-failed") == []
