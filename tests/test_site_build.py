"""A real MkDocs build of the sample newsletter, checked by parsing the HTML."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import build_site
from generator.config import load_settings
from generator.issues import load_issues

from .conftest import REPO, copy_sample_site


@pytest.fixture
def built(built_sample: Path) -> Path:
    return built_sample


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def sample_issues() -> tuple[list, list]:
    settings = load_settings(REPO / "mkdocs.yml")
    everything = load_issues(settings.issues_dir, include_drafts=True)
    return [i for i in everything if i.is_published], [i for i in everything if not i.is_published]


def test_sample_has_17_published_issues_and_a_draft() -> None:
    published, drafts = sample_issues()
    assert len(published) == 17
    assert published[0].slug == "2022-september-equinox" and published[0].number == 1
    assert published[-1].slug == "2026-september-equinox" and published[-1].number == 17
    assert [d.slug for d in drafts] == ["2026-december-solstice"]


def test_every_published_issue_has_a_page_with_its_prose(built: Path) -> None:
    published, _ = sample_issues()
    for issue in published:
        page = soup(built / "issues" / issue.slug / "index.html")
        article = page.select_one("article")
        assert article is not None
        assert article.h1.get_text(strip=True).startswith(issue.meta.title)
        meta = article.select_one(".nl-issue-meta")
        assert f"Issue {issue.number}" in meta.get_text(" ", strip=True)
        assert meta.time["datetime"] == issue.window.end.isoformat()
        first_words = " ".join(issue.prose.split()[:6])
        assert first_words in article.get_text(" ", strip=True)
        headings = [h2.get_text(strip=True).rstrip("¶") for h2 in article.find_all("h2")]
        for section in ("Charter changes", "Transparency report", "Ethics Spaces", "Reading list"):
            assert section in headings


def test_sections_reach_the_page_but_only_searchable_ones_reach_the_index(built: Path) -> None:
    slug = "2026-september-equinox"
    page = soup(built / "issues" / slug / "index.html").select_one("article")
    assert "nl-slot" not in str(page)  # every held fragment was pasted in
    for selector in (".nl-charter", ".nl-transparency table", ".nl-spaces", ".nl-provenance"):
        assert page.select_one(selector) is not None, selector
    index = json.loads((built / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = [d for d in index["docs"] if d["location"].startswith(f"issues/{slug}/")]
    headings = {d["title"] for d in entries}
    text = " ".join(d["text"] for d in entries)
    assert {"Charter changes", "Transparency report", "Ethics Spaces"} <= headings
    # Figures, Space listings and feed entries (anyone's text) and provenance stay
    # out of the index.
    for left_out in (
        ".nl-transparency table",
        ".nl-spaces li",
        ".nl-reading li",
        ".nl-provenance dd",
    ):
        for element in page.select(left_out)[:5]:
            words = element.get_text(" ", strip=True)
            assert len(words) < 12 or words not in text, (left_out, words)
    issue = next(i for i in sample_issues()[0] if i.slug == slug)
    assert " ".join(issue.prose.split()[:6]) in text


def test_draft_is_left_out_of_the_build(built: Path) -> None:
    assert not (built / "issues" / "2026-december-solstice").exists()
    archive = soup(built / "issues" / "index.html")
    links = {a["href"] for a in archive.select("ul.nl-archive a")}
    assert "2026-december-solstice/" not in links


def test_archive_groups_issues_by_year_with_season_labels(built: Path) -> None:
    archive = soup(built / "issues" / "index.html").select_one("article")
    years = [h2.get_text(strip=True).rstrip("¶") for h2 in archive.find_all("h2")]
    assert years == ["2026", "2025", "2024", "2023", "2022"]
    entries = archive.select("ul.nl-archive li")
    assert len(entries) == 17
    assert entries[0].a.strong.get_text() == "September equinox"
    assert entries[0].a["href"] == "2026-september-equinox/"


def test_home_shows_latest_issue_subscribe_links_and_next_date(built: Path) -> None:
    home = soup(built / "index.html").select_one("article")
    latest = home.select_one(".nl-latest-title a")
    assert latest["href"] == "issues/2026-september-equinox/"
    hrefs = {a["href"] for a in home.find_all("a")}
    assert {"feed.xml", "atom.xml", "feed.json", "subscribe/"} <= hrefs
    upcoming = [t for t in home.find_all("time") if t["datetime"] == "2026-12-21"]
    assert upcoming, "the next issue's date (December solstice 2026) is on the home page"


def test_issues_stay_out_of_the_navigation(built: Path) -> None:
    nav = soup(built / "index.html").select_one("nav.md-nav--primary")
    nav_links = [a.get("href", "") for a in nav.find_all("a")]
    assert not any("2024-" in href for href in nav_links)


@pytest.mark.parametrize(
    ("page", "tab"),
    [
        ("issues/2026-september-equinox/index.html", "Issues"),
        ("issues/index.html", "Issues"),
        ("transparency/methodology/index.html", "Transparency"),
        ("charter/index.html", "Charter"),
        ("subscribe/index.html", "Subscribe"),
    ],
)
def test_pages_outside_the_navigation_show_the_tab_they_belong_under(
    built: Path, page: str, tab: str
) -> None:
    document = soup(built / page)
    active = [a.get_text(strip=True) for a in document.select(".md-tabs__item--active a")]
    assert active == [tab]


def test_every_page_offers_feed_autodiscovery(built: Path) -> None:
    for page in ("index.html", "issues/index.html", "issues/2024-june-solstice/index.html"):
        links = soup(built / page).select('link[rel="alternate"]')
        types = {link["type"] for link in links}
        assert {"application/rss+xml", "application/atom+xml", "application/feed+json"} <= types


def test_data_downloads_match_committed_data(built: Path) -> None:
    published, _ = sample_issues()
    for issue in published:
        if issue.data is None:
            continue
        assert (built / "data" / f"{issue.slug}.json").read_bytes() == issue.data_json.read_bytes()
        json.loads((built / "data" / f"{issue.slug}.json").read_text(encoding="utf-8"))


def test_data_page_lists_each_issues_downloads_newest_first(built: Path) -> None:
    published, _ = sample_issues()
    page = soup(built / "data" / "index.html")
    rows = page.select("article table tbody tr")
    assert [r.th.a["href"] for r in rows] == [f"../issues/{i.slug}/" for i in reversed(published)]
    for row, issue in zip(rows, reversed(published), strict=True):
        links = [a["href"] for a in row.select("td a")]
        assert links == [f"{issue.slug}.json", f"transparency-{issue.slug}.csv"]
        assert all((built / "data" / link).is_file() for link in links)
    site_wide = [a["href"] for a in page.select("article ul a")]
    assert site_wide == ["transparency.csv", "datapackage.json"]
    # The sample's data_license, named on the page and in the Data Package.
    licence = page.select_one("article p a[href^='https://creativecommons.org/']")
    assert (licence.get_text(), licence["href"]) == (
        "CC-BY-4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    )
    package = json.loads((built / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] == [
        {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}
    ]


def test_failed_build_leaves_previous_site_untouched(tmp_path: Path) -> None:
    config = copy_sample_site(tmp_path)
    site = build_site(str(config), strict=True)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    broken = tmp_path / "issues" / "2024-june-solstice" / "issue.md"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("status: published", "status: maybe")
    )
    from generator.errors import NewsletterError

    with pytest.raises(NewsletterError):
        build_site(str(config), strict=True)
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    assert not list(tmp_path.glob(".site.building-*"))


def test_the_built_folder_is_readable_by_a_web_server(built: Path) -> None:
    import os
    import stat

    umask = os.umask(0)
    os.umask(umask)
    # Built in a private temporary folder, then given the mode of any new folder.
    assert stat.S_IMODE(built.stat().st_mode) == 0o777 & ~umask


def test_builds_leave_the_interpreter_as_they_found_it(tmp_path: Path) -> None:
    """A build freezes what lives through it (gc.freeze) and, with a worker, shortens
    the interpreter's switch interval; it thaws and restores both at the end, of a
    failed build too: `serve` builds again and again in one process."""
    import gc
    import sys

    from generator.errors import NewsletterError

    interval = sys.getswitchinterval()
    config = copy_sample_site(tmp_path)
    build_site(str(config))  # a cold cache: with a worker
    assert gc.get_freeze_count() == 0 and sys.getswitchinterval() == interval
    shutil.rmtree(tmp_path / ".cache")
    # The draft's data, read with every issue's once MkDocs has started.
    (tmp_path / "issues" / "2026-december-solstice" / "data.json").write_text("{")
    with pytest.raises(NewsletterError):
        build_site(str(config))
    assert gc.get_freeze_count() == 0 and sys.getswitchinterval() == interval


def test_pages_the_worker_writes_raise_no_skipped_page_notes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """On a cold build the worker writes each page, and MkDocs, handed an empty page,
    notes "Page skipped" for it: the plugin drops those notes, and only those."""
    import logging

    config = copy_sample_site(tmp_path)
    with caplog.at_level(logging.INFO):
        site = build_site(str(config))  # a cold cache: with a worker
    assert not [r for r in caplog.records if "skipped" in r.getMessage()]
    assert (site / "issues" / "2026-september-equinox" / "index.html").stat().st_size > 0
    from generator.plugin import SkippedPageNotice

    notice = SkippedPageNotice()
    notice.add("issues/o'neill/index.md")
    note = "Page skipped: '{}'. Generated empty output."
    records = [
        logging.makeLogRecord({"msg": note.format(uri)})
        for uri in ("issues/o'neill/index.md", "theirs.md", "issues/o")
    ]
    assert [notice.filter(r) for r in records] == [False, True, True]
