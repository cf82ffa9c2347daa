"""Publishing and corrections on a small real newsletter: front matter, frozen data, feeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup

from generator.build import build_site
from generator.cli import main
from generator.collect import collect_issue
from generator.config import load_settings
from generator.corrections import describe_changes, record_prose_correction
from generator.errors import IssueError, NewsletterError
from generator.frontmatter import append_correction, set_keys
from generator.issuedata import sha256_of
from generator.issues import load_issue, load_issues
from generator.publish import integrity_problems, prose_sha256, publish_issue
from generator.site import MarkdownSetup, site_files

from .publish_support import AFTER_INSTANT, SLUG, make_letter, prose_bytes, write_feed

CORRECTED_AT = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
MARKDOWN = MarkdownSetup(
    extensions=["toc", "tables", "attr_list", "md_in_html"], extension_configs={}
)


@pytest.fixture(autouse=True)
def no_fixed_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    config = make_letter(tmp_path)
    collect_issue(load_settings(config), SLUG, collected_at=AFTER_INSTANT)
    return config


def publish(config: Path, now: datetime = AFTER_INSTANT):
    return publish_issue(load_settings(config), SLUG, now=now, docs_dir=config.parent / "pages")


def front(issue_md: Path) -> dict:
    text = issue_md.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def test_publish_sets_status_time_and_checksums_and_keeps_the_prose(letter: Path) -> None:
    issue_md = letter.parent / "issues" / SLUG / "issue.md"
    prose_before = prose_bytes(issue_md)
    issue = publish(letter)
    meta = front(issue_md)
    assert meta["status"] == "published"
    assert meta["published_at"] == "2026-10-01T09:30:00+00:00"
    assert meta["data_sha256"] == sha256_of(issue.data_json)
    assert meta["prose_sha256"] == prose_sha256(issue.prose)
    assert prose_bytes(issue_md) == prose_before
    assert issue_md.read_text(encoding="utf-8").startswith("---\n# The editors keep notes here")
    assert integrity_problems(issue) == []


def test_publish_lists_every_problem_of_an_unready_issue(tmp_path: Path) -> None:
    config = make_letter(tmp_path)
    issue_md = tmp_path / "issues" / SLUG / "issue.md"
    text = issue_md.read_text(encoding="utf-8")
    issue_md.write_text(
        text.replace("Counting carefully", "TODO: finish this. Counting carefully").replace(
            "(../)", "(../2019-june-solstice/)"
        ),
        encoding="utf-8",
    )
    too_early = datetime(2026, 9, 1, tzinfo=UTC)
    with pytest.raises(IssueError) as caught:
        publish(config, now=too_early)
    lines = str(caught.value).splitlines()
    assert lines[0] == f"cannot publish {SLUG}:"
    assert any("window closes" in line for line in lines)
    assert any(
        line.endswith("no data: run `newsletter collect 2026-september-equinox`") for line in lines
    )
    assert any("placeholder text 'TODO'" in line and ":14:" in line for line in lines)
    assert any(
        line.endswith(":14: link '../2019-june-solstice/' points to nothing on the site")
        for line in lines
    )
    assert front(issue_md)["status"] == "draft"


def test_links_to_pages_as_mkdocs_writes_them_are_accepted(letter: Path) -> None:
    issue_md = letter.parent / "issues" / SLUG / "issue.md"
    links = (
        "See [the archive](../index.md), [the home page](../../index.md), "
        "[how to subscribe](../../subscribe/) and [this issue](index.md). "
        "Not [a missing one](../../nowhere/index.md).\n"
    )
    issue_md.write_text(issue_md.read_text(encoding="utf-8") + links, encoding="utf-8")
    with pytest.raises(IssueError) as caught:
        publish(letter)
    assert [line.split(": ", 1)[1] for line in str(caught.value).splitlines()[1:]] == [
        "link '../../nowhere/index.md' points to nothing on the site"
    ]


def test_a_prose_correction_passes_the_publish_checks_first(letter: Path) -> None:
    publish(letter)
    issue_md = letter.parent / "issues" / SLUG / "issue.md"
    text = issue_md.read_text(encoding="utf-8")
    issue_md.write_text(text + "\nTODO say more, see [x](../nowhere/).\n", encoding="utf-8")
    code = main(["publish", SLUG, "--correction", "wip", "-f", str(letter)])
    assert code == 1
    assert front(issue_md).get("corrections") is None
    issue_md.write_text(text + "\nOne more sentence.\n", encoding="utf-8")
    assert main(["publish", SLUG, "--correction", "Added a sentence.", "-f", str(letter)]) == 0
    assert [c["reason"] for c in front(issue_md)["corrections"]] == ["Added a sentence."]


def test_an_issue_marked_published_by_hand_stops_a_strict_build(letter: Path) -> None:
    issue_md = letter.parent / "issues" / SLUG / "issue.md"
    text = issue_md.read_text(encoding="utf-8")
    issue_md.write_text(text.replace("status: draft", "status: published"), encoding="utf-8")
    with pytest.raises(NewsletterError, match="published without recorded checksums"):
        build_site(str(letter), strict=True)


def test_collect_on_a_published_issue_exits_1_unless_it_is_a_correction(
    letter: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(letter)
    data_json = letter.parent / "issues" / SLUG / "data.json"
    before = data_json.read_bytes()
    code = main(["collect", SLUG, "-f", str(letter)])
    err = capsys.readouterr().err
    assert code == 1
    assert "is published; its data is frozen" in err and "--correction" in err
    assert data_json.read_bytes() == before


def test_a_correction_keeps_the_old_data_says_what_changed_and_moves_updated(letter: Path) -> None:
    settings = load_settings(letter)
    issue = publish(letter)
    published_bytes = issue.data_json.read_bytes()
    feeds_before = site_files(settings, MARKDOWN, include_drafts=False).files
    write_feed(letter.parent, ["Counting flags", "Reading cards", "A late post we missed"])

    collect_issue(settings, SLUG, collected_at=CORRECTED_AT, correction="A post was missing.")

    corrected = load_issue(issue.folder)
    archived = issue.folder / "corrections" / "data-1.json"
    assert archived.read_bytes() == published_bytes
    assert len(corrected.meta.corrections) == 1
    entry = corrected.meta.corrections[0]
    assert entry.date == "2026-10-05T08:00:00+00:00"
    assert entry.reason == "A post was missing."
    assert entry.summary.startswith("Reading list: entries: 1 added (2 → 3 entries)")
    assert corrected.meta.data_sha256 == sha256_of(corrected.data_json)
    assert integrity_problems(corrected) == []

    feeds_after = site_files(settings, MARKDOWN, include_drafts=False).files
    old_entry = feedparser.parse(feeds_before["atom.xml"]).entries[0]
    new_entry = feedparser.parse(feeds_after["atom.xml"]).entries[0]
    assert new_entry.id == old_entry.id
    assert old_entry.updated == old_entry.published == "2026-10-01T09:30:00+00:00"
    assert new_entry.updated == "2026-10-05T08:00:00+00:00"
    items = json.loads(feeds_after["feed.json"])["items"]
    assert items[0]["date_modified"] == "2026-10-05T08:00:00+00:00"


def test_a_correction_that_changes_nothing_is_refused(letter: Path) -> None:
    settings = load_settings(letter)
    publish(letter)
    with pytest.raises(IssueError, match="changed nothing"):
        collect_issue(settings, SLUG, collected_at=CORRECTED_AT, correction="Just in case.")
    assert not (letter.parent / "issues" / SLUG / "corrections").exists()


def test_prose_edited_without_a_correction_is_caught_then_recorded(letter: Path) -> None:
    issue = publish(letter)
    text = issue.issue_md.read_text(encoding="utf-8")
    issue.issue_md.write_text(text.replace("counted flags", "counted the flags"), encoding="utf-8")
    problems = integrity_problems(load_issue(issue.folder))
    assert len(problems) == 1 and "prose edited since publication" in problems[0]
    with pytest.raises(NewsletterError, match="published issues changed"):
        build_site(str(letter), strict=True)

    fixed = record_prose_correction(issue.folder, reason="Typo.", now=CORRECTED_AT)
    assert integrity_problems(fixed) == []
    assert [c.reason for c in fixed.meta.corrections] == ["Typo."]
    assert "counted the flags" in fixed.prose


def test_issue_page_shows_corrections_box_and_provenance_panel(letter: Path) -> None:
    settings = load_settings(letter)
    publish(letter)
    write_feed(letter.parent, ["Counting flags", "Reading cards", "A late post"])
    collect_issue(settings, SLUG, collected_at=CORRECTED_AT, correction="A post was missing.")
    site = build_site(str(letter), strict=True)
    page = BeautifulSoup((site / "issues" / SLUG / "index.html").read_text("utf-8"), "html.parser")
    article = page.select_one("article")
    box = article.select_one("div.nl-corrections")
    entries = box.select("li.nl-correction")
    assert len(entries) == 1
    assert entries[0].time["datetime"] == "2026-10-05T08:00:00+00:00"
    assert entries[0].select_one(".nl-correction-reason").get_text() == "A post was missing."
    panel = article.select_one("div.nl-provenance")
    sources = {d.summary.get_text(): d for d in panel.select("details.nl-provenance-source")}
    assert list(sources) == ["Reading list"]
    files = sources["Reading list"].select_one("pre.nl-provenance-files").get_text()
    sha = sha256_of(letter.parent / "sources" / "blog.atom")
    assert files.splitlines() == [f"{sha}  blog.atom"]  # the format `sha256sum -c` reads
    assert panel.code.get_text() == "newsletter 0.1.0"
    download = panel.select_one("a.nl-data-download")["href"]
    target = (site / "issues" / SLUG / download).resolve()
    assert target == (site / "data" / f"{SLUG}.json").resolve()
    assert target.read_bytes() == (letter.parent / "issues" / SLUG / "data.json").read_bytes()


def test_front_matter_edits_keep_comments_and_order(tmp_path: Path) -> None:
    path = tmp_path / "issue.md"
    text = (
        '---\n# note\ntitle: "T"\nstatus: draft\neditors:\n- A\ncorrections:\n'
        '  - date: "2026-01-01T00:00:00+00:00"\n    reason: r\n---\nbody\n---\n'
    )
    edited = set_keys(text, {"status": "published", "data_sha256": "ab"}, path)
    assert edited.splitlines()[:4] == ["---", "# note", 'title: "T"', "status: published"]
    assert edited.endswith("---\nbody\n---\n")
    entry = {"date": "2026-02-01T00:00:00+00:00", "reason": "why: a colon", "summary": "s"}
    appended = append_correction(edited, entry, path)
    meta = yaml.safe_load(appended.split("---\n")[1])
    assert [c["reason"] for c in meta["corrections"]] == ["r", "why: a colon"]
    assert meta["data_sha256"] == "ab" and meta["editors"] == ["A"]


def test_describe_changes_names_sections_and_values() -> None:
    old = {"sections": {"transparency": {"headline": {"received": 5450, "resolved": 10}}}}
    new = {
        "sections": {
            "transparency": {"headline": {"received": 5460, "resolved": 10}},
            "reading": {"entries": []},
        }
    }
    assert describe_changes(old, new) == (
        "Transparency report: headline.received 5,450 → 5,460. Reading list: section added."
    )


def test_describe_changes_names_the_entry_of_a_nested_list_that_moved() -> None:
    rows = [{"key": "own_initiative", "count": 150}, {"key": "notices", "count": 932}]
    old = {"sections": {"transparency": {"received": {"by_origin": rows, "total": 1082}}}}
    moved = [rows[0] | {"count": 151}, rows[1]]
    new = {"sections": {"transparency": {"received": {"by_origin": moved, "total": 1083}}}}
    assert describe_changes(old, new) == (
        "Transparency report: received.by_origin.own_initiative.count 150 → 151; "
        "received.total 1,082 → 1,083."
    )


def test_cli_publish_then_again_is_refused(
    letter: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["publish", SLUG, "-f", str(letter)]) == 0
    published_at = front(letter.parent / "issues" / SLUG / "issue.md")["published_at"]
    assert datetime.fromisoformat(published_at).microsecond == 0
    capsys.readouterr()
    assert main(["publish", SLUG, "-f", str(letter)]) == 1
    assert "is already published" in capsys.readouterr().err
    assert main(["publish", "2026-midsummer", "-f", str(letter)]) == 1


def test_refreezing_the_sample_rewrites_data_and_checksum(letter: Path) -> None:
    settings = load_settings(letter)
    issue = publish(letter)
    write_feed(letter.parent, ["Counting flags"])
    collect_issue(settings, SLUG, collected_at=AFTER_INSTANT, refreeze=True)
    again = load_issue(issue.folder)
    assert again.meta.corrections == ()
    assert again.meta.data_sha256 == sha256_of(again.data_json) != issue.meta.data_sha256
    assert integrity_problems(again) == []


def test_broken_front_matter_and_data_json_say_where_and_why(tmp_path: Path) -> None:
    from generator.issuedata import load_data
    from generator.issues import split_front_matter

    issue_md = tmp_path / "issue.md"
    with pytest.raises(IssueError) as caught:
        split_front_matter("---\ntitle: a\nsummary: [unclosed\n---\nText.\n", issue_md)
    assert str(caught.value).startswith(f"{issue_md}:4: front matter is not valid YAML: ")
    assert "(column 1)" in str(caught.value)
    data_json = tmp_path / "data.json"
    data_json.write_text('{\n  "schema": "a\tb"\n}\n', encoding="utf-8")
    with pytest.raises(IssueError) as caught:
        load_data(data_json)
    assert str(caught.value) == (
        f"{data_json}:2: not valid JSON: Invalid control character at (column 15)"
    )


def test_an_issue_back_filled_later_takes_the_next_number_and_heads_the_feeds(
    letter: Path,
) -> None:
    publish(letter)
    settings = load_settings(letter)
    older = "2026-june-solstice"
    folder = letter.parent / "issues" / older
    folder.mkdir()
    (folder / "issue.md").write_text(
        '---\ntitle: "The spring we missed"\nstatus: draft\n'
        'summary: "Written late, for the spring."\neditors:\n  - Ada Editor\n---\n\n'
        "The spring's issue, published after the summer's.\n",
        encoding="utf-8",
    )
    collect_issue(settings, older, collected_at=AFTER_INSTANT)
    later = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    publish_issue(settings, older, now=later, docs_dir=letter.parent / "pages")
    numbers = {i.slug: i.number for i in load_issues(settings.issues_dir, include_drafts=False)}
    assert numbers == {SLUG: 1, older: 2}  # the September issue keeps its number
    files = site_files(settings, MARKDOWN, include_drafts=False).files
    entries = feedparser.parse(files["atom.xml"]).entries
    assert [e.title for e in entries] == ["The spring we missed", "A test issue"]
    assert entries[0].published == "2026-10-20T12:00:00+00:00"
