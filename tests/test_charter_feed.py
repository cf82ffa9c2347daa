"""/charter/atom.xml: one entry per material charter change, valid and stable."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import markdown
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from generator.charter_feed import charter_atom_feed
from generator.charter_pages import charter_pages
from generator.sample_charter import NEW_PATH, write_charter_repo
from tests.test_charter_source import CHARTER_V1, CharterRepo, collect

SITE = "https://news.example.org/ethics/"
AUTHORITY = "news.example.org,2026"
SEASONS = [
    datetime(2000, 1, 1, tzinfo=UTC),
    datetime(2023, 1, 1, tzinfo=UTC),
    datetime(2025, 1, 1, tzinfo=UTC),
    datetime(2100, 1, 1, tzinfo=UTC),
]


def feed_of(sections: list[tuple[str, dict]]) -> bytes:
    return charter_atom_feed(
        sections, site_url=SITE, site_name="Ethics Notes", tag_authority=AUTHORITY
    )


def parse(xml: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(xml)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, dict]]:
    """The sample newsletter's charter history, split over three issues."""
    tmp_path = tmp_path_factory.mktemp("sample")
    repo = tmp_path / "charter"
    write_charter_repo(repo)
    return [
        (f"season-{i}", collect(str(repo), tmp_path, window=(start, end), path=NEW_PATH))
        for i, (start, end) in enumerate(zip(SEASONS, SEASONS[1:], strict=False))
    ]


def all_changes(sections: list[tuple[str, dict]]) -> list[dict]:
    return [change for _, section in sections for change in section["changes"]]


def test_one_entry_per_material_change_newest_first(sample):
    changes = all_changes(sample)
    material = [c for c in changes if c["kind"] == "material"]
    editorial = [c for c in changes if c["kind"] == "editorial"]
    assert material and editorial  # the sample has both kinds
    parsed = parse(feed_of(sample))
    ids = [entry.id for entry in parsed.entries]
    newest_first = sorted(material, key=lambda c: c["date"], reverse=True)
    assert ids == [f"tag:{AUTHORITY}:charter/{c['commit']}" for c in newest_first]
    assert len(set(ids)) == len(ids)
    for commit in (c["commit"] for c in editorial):
        assert not any(commit in entry.id for entry in parsed.entries)
    for entry, change in zip(parsed.entries, newest_first, strict=True):
        assert entry.link == f"{SITE}charter/versions/{change['short']}/"
        when = datetime.fromisoformat(change["date"]).timetuple()[:6]
        assert entry.published_parsed[:6] == when and entry.updated_parsed[:6] == when
        assert entry.author == change["author"]
        assert entry.title == change["subject"]
    feed = parsed.feed
    assert feed.id == f"tag:{AUTHORITY}:charter"
    assert feed.updated_parsed[:6] == parsed.entries[0].updated_parsed[:6]  # never the clock
    links = {link.rel: link.href for link in feed.links}
    assert links == {"self": f"{SITE}charter/atom.xml", "alternate": f"{SITE}charter/"}


def test_a_change_reported_twice_is_one_entry(sample):
    first_issue = sample[1]
    twice = [first_issue, *sample]  # an overlapping or re-collected issue
    assert parse(feed_of(twice)).entries == parse(feed_of(sample)).entries


def test_content_has_rationale_accessible_diff_and_only_absolute_links(sample):
    parsed = parse(feed_of(sample))
    material = {c["commit"]: c for c in all_changes(sample) if c["kind"] == "material"}
    for entry in parsed.entries:
        change = material[entry.id.rsplit("/", 1)[1]]
        (content,) = entry.content
        assert content.type == "text/html"
        page = BeautifulSoup(content.value, "html.parser")
        for tag in page.find_all(True):
            for name in ("href", "src"):
                if tag.has_attr(name):
                    parts = urlsplit(tag[name])
                    assert parts.scheme in ("http", "https") and parts.netloc, tag
        hrefs = [a["href"] for a in page.find_all("a")]
        assert f"{SITE}charter/versions/{change['short']}/" in hrefs
        text = page.get_text(" ")
        rationale = change["trailers"]["rationale"]
        if rationale:
            assert " ".join(rationale.split()) in " ".join(text.split())
        marks = page.find_all(["ins", "del"])
        if change["diff"]["words_inserted"] or change["diff"]["words_deleted"]:
            assert marks
        # Marked by words, not only by style: feed readers drop the CSS.
        for mark in marks:
            assert mark.get_text().startswith(("[Added: ", "[Removed: "))


def test_output_is_stable_and_ids_survive_a_new_subject(sample):
    xml = feed_of(sample)
    assert feed_of(copy.deepcopy(sample)) == xml  # same input, same bytes
    reworded = copy.deepcopy(sample)
    for change in all_changes(reworded):
        change["subject"] = "A better subject for " + change["short"]
    before = [e.id for e in parse(xml).entries]
    after = parse(feed_of(reworded))
    assert [e.id for e in after.entries] == before
    assert all(e.title.startswith("A better subject") for e in after.entries)


def test_hostile_commit_text_stays_text(tmp_path: Path):
    repo = CharterRepo(tmp_path / "charter")
    repo.commit("Adopt the charter", {"CHARTER.md": CHARTER_V1}, when="2026-01-10T12:00:00+00:00")
    subject = '<script>alert(1)</script> & "quotes" \x01 ]]> <![CDATA[x]]>'
    rationale = "<img src=x onerror=alert(2)> see [x](javascript:alert(3)) &amp; </content>"
    repo.commit(
        f"{subject}\n\nRationale: {rationale}\nChange-Type: material\n",
        {"CHARTER.md": CHARTER_V1.replace("We ask before", "We always ask before")},
        when="2026-02-01T09:00:00+00:00",
        author='Eve & "Mallory" O\'Neil',
    )
    section = collect(repo, tmp_path, commit_url="https://forge.example/c/{sha}")
    xml = feed_of([("2026-march-equinox", section)])
    etree.fromstring(xml)  # well-formed XML
    parsed = parse(xml)
    newest = parsed.entries[0]
    assert newest.title == subject.replace("\x01", "")
    assert newest.author == section["changes"][-1]["author"] == 'Eve & "Mallory" O\'Neil'
    page = BeautifulSoup(newest.content[0].value, "html.parser")
    assert page.find_all(["script", "img"]) == []
    assert rationale in page.get_text()
    assert subject.replace("\x01", "") in page.get_text()
    for link in page.find_all("a"):
        assert link["href"].startswith("https://")
    assert newest.summary == rationale


def test_no_material_change_yet_gives_a_valid_empty_feed():
    parsed = parse(feed_of([]))
    assert parsed.entries == []
    assert parsed.feed.updated == "1970-01-01T00:00:00+00:00"


def test_charter_page_links_to_its_feed(sample):
    pages = charter_pages(sample, tz="UTC")
    html = markdown.markdown(pages["charter/index.md"])
    links = BeautifulSoup(html, "html.parser").find_all("a", href="atom.xml")
    assert len(links) == 1
    assert "Atom" in links[0].get_text()
