"""The sample newsletter's charter repository, collected and rendered."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import markdown
from bs4 import BeautifulSoup

from generator.charter_pages import charter_pages
from generator.charter_section import render_charter_section
from generator.sample_charter import NEW_PATH, OLD_PATH, write_charter_repo
from tests.test_charter_source import EVER, collect

SEASONS = [
    datetime(2000, 1, 1, tzinfo=UTC),
    datetime(2023, 1, 1, tzinfo=UTC),
    datetime(2025, 1, 1, tzinfo=UTC),
    datetime(2100, 1, 1, tzinfo=UTC),
]


def test_sample_history_in_sections_and_on_the_charter_page(tmp_path: Path):
    repo = tmp_path / "charter"
    write_charter_repo(repo)
    whole = collect(str(repo), tmp_path, path=NEW_PATH)
    changes = whole["changes"]
    assert len(changes) >= 5
    assert any(c["status"] == "renamed" and c["previous_path"] == OLD_PATH for c in changes)
    assert {c["kind"] for c in changes} == {"material", "editorial"}
    assert all(c["author"] and "@" not in c["author"] for c in changes)
    assert whole["current"]["text"] == (repo / NEW_PATH).read_text(encoding="utf-8")
    # Untrailered, and only a spelling variant (acknowledgment -> acknowledgement).
    (spelling,) = [c for c in changes if c["subject"] == "Use British spelling of acknowledgement"]
    assert spelling["trailers"]["change_type"] is None
    assert (spelling["kind"], spelling["kind_source"]) == ("editorial", "classified")

    # Split into seasons: every change is reported once, in order.
    sections = [
        (f"season-{i}", collect(str(repo), tmp_path, window=(start, end), path=NEW_PATH))
        for i, (start, end) in enumerate(zip(SEASONS, SEASONS[1:], strict=False))
    ]
    reported = [c["commit"] for _, s in sections for c in s["changes"]]
    assert reported == [c["commit"] for c in changes]
    for _, section in sections:
        page = BeautifulSoup(render_charter_section(section, tz="Europe/Paris"), "html.parser")
        material = page.select("section.nl-charter-change--material")
        assert len(material) == section["counts"]["material"]
        if not section["changes"]:
            assert "did not change" in page.get_text()

    pages = charter_pages(sections, tz="Europe/Paris")
    assert len(pages) == 1 + len(changes)
    index = BeautifulSoup(markdown.markdown(pages["charter/index.md"]), "html.parser")
    assert len(index.select("div.nl-charter-version")) == len(changes)
    assert len(index.select("div.nl-charter-version ins, div.nl-charter-version del")) > 0
    assert collect(str(repo), tmp_path, window=EVER, path=NEW_PATH) == whole
