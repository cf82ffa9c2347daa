"""The site feeds, read back with feedparser: valid, complete, stable, no drafts."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup

from generator.build import build_site
from generator.config import load_settings
from generator.issues import load_issues

from .conftest import REPO, copy_sample_site

FEEDS = ("feed.xml", "atom.xml", "feed.json")


@pytest.fixture
def sample(built_sample: Path) -> tuple[Path, list]:
    settings = load_settings(REPO / "mkdocs.yml")
    issues = [i for i in load_issues(settings.issues_dir, include_drafts=True) if i.is_published]
    return built_sample, issues


def parse(site: Path, name: str) -> feedparser.FeedParserDict:
    if name == "feed.json":
        return json.loads((site / name).read_text(encoding="utf-8"))
    return feedparser.parse((site / name).read_bytes())


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_xml_feeds_parse_cleanly_with_every_published_issue(sample, name: str) -> None:
    site, issues = sample
    feed = parse(site, name)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert len(feed.entries) == len(issues) == 17
    by_id = {e.id: e for e in feed.entries}
    assert len(by_id) == 17
    for issue in issues:
        entry = by_id[f"tag:ethics.example.org,2022:issue/{issue.slug}"]
        assert entry.title == issue.meta.title
        published = entry.published_parsed
        instant = issue.window.end
        assert tuple(published[:6]) == instant.utctimetuple()[:6]
        assert entry.link == f"https://ethics.example.org/issues/{issue.slug}/"
        assert {a.name for a in entry.authors} >= set(issue.meta.editors) or name == "feed.xml"


def test_json_feed_has_every_issue_with_rfc3339_dates(sample) -> None:
    site, issues = sample
    feed = parse(site, "feed.json")
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    items = {item["id"]: item for item in feed["items"]}
    assert len(items) == 17
    for issue in issues:
        item = items[f"tag:ethics.example.org,2022:issue/{issue.slug}"]
        assert item["date_published"] == issue.window.end.isoformat()
        assert [a["name"] for a in item["authors"]] == list(issue.meta.editors)


@pytest.mark.parametrize("name", FEEDS)
def test_no_relative_url_in_any_content(sample, name: str) -> None:
    site, _ = sample
    feed = parse(site, name)
    contents = (
        [item["content_html"] for item in feed["items"]]
        if name == "feed.json"
        else [e.content[0].value for e in feed.entries]
    )
    for html in contents:
        page = BeautifulSoup(html, "html.parser")
        assert page.get_text(strip=True)
        for element in page.find_all(href=True) + page.find_all(src=True):
            url = element.get("href") or element.get("src")
            assert urlsplit(url).scheme in ("https", "mailto"), url


def test_drafts_never_reach_a_feed(sample) -> None:
    site, _ = sample
    for name in FEEDS:
        assert "2026-december-solstice" not in (site / name).read_text(encoding="utf-8")


def test_ids_survive_a_title_change_and_hostile_titles_stay_text(tmp_path: Path) -> None:
    config = copy_sample_site(tmp_path)
    issue_md = tmp_path / "issues" / "2024-june-solstice" / "issue.md"
    text = issue_md.read_text(encoding="utf-8")
    hostile = "<script>alert(1)</script> & [x](javascript:alert(1))"
    start = text.index("title:")
    end = text.index("\n", start)
    issue_md.write_text(text[:start] + f"title: '{hostile}'" + text[end:], encoding="utf-8")
    site = build_site(str(config), strict=True)
    for name in ("feed.xml", "atom.xml"):
        feed = parse(site, name)
        assert feed.bozo == 0
        entry = next(e for e in feed.entries if e.id.endswith("issue/2024-june-solstice"))
        assert entry.title == hostile
    page = BeautifulSoup((site / "issues/2024-june-solstice/index.html").read_text(), "html.parser")
    assert page.find("script", string=lambda s: s and "alert(1)" in s) is None
    assert hostile in page.select_one("article h1").get_text()


def test_entry_content_survives_the_round_trip(sample) -> None:
    """The text feedparser reads back from RSS and Atom is the text we put in JSON Feed."""
    site, issues = sample
    items = {item["id"]: item for item in parse(site, "feed.json")["items"]}

    def words(html: str) -> list[str]:
        return BeautifulSoup(html, "html.parser").get_text(" ").split()

    for name in ("feed.xml", "atom.xml"):
        for entry in parse(site, name).entries:
            expected = words(items[entry.id]["content_html"])
            assert words(entry.content[0].value) == expected
    for issue in issues:
        item = items[f"tag:ethics.example.org,2022:issue/{issue.slug}"]
        prose = " ".join(BeautifulSoup(issue.prose, "html.parser").get_text(" ").split()[:8])
        assert prose.replace("*", "") in " ".join(words(item["content_html"])).replace("*", "")
