"""`newsletter check` on a real built site: clean first, then each kind of damage is found."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.build import build_site
from generator.check import ValueScanner, check_site, interior_runs
from generator.cli import main
from generator.collect import collect_issue
from generator.config import load_settings
from generator.issues import scaffold_issue
from generator.publish import publish_issue

from .publish_support import (
    AFTER_INSTANT,
    PRIVATE_COMMENT,
    PRIVATE_REFS,
    PRIVATE_REPORTERS,
    SLUG,
    make_letter,
)

DRAFT = "2026-december-solstice"


@pytest.fixture(scope="module")
def clean_letter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published issue (with a transparency section) and a draft, built once."""
    root = tmp_path_factory.mktemp("letter")
    config = make_letter(root, flags=True)
    settings = load_settings(config)
    collect_issue(settings, SLUG, collected_at=AFTER_INSTANT)
    publish_issue(settings, SLUG, now=AFTER_INSTANT, docs_dir=root / "pages")
    scaffold_issue(settings.issues_dir, DRAFT)
    build_site(str(config), strict=True)
    return root


@pytest.fixture
def letter(clean_letter: Path, tmp_path: Path) -> Path:
    """A private copy of the built letter, free to damage."""
    copy = tmp_path / "letter"
    shutil.copytree(clean_letter, copy, symlinks=True)
    return copy


def check(root: Path) -> list[str]:
    return check_site(str(root / "mkdocs.yml"))


def test_a_clean_site_has_no_problems(letter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(letter) == []
    assert main(["check", "-f", str(letter / "mkdocs.yml")]) == 0


def test_broken_links_and_anchors_are_each_listed(letter: Path) -> None:
    page = letter / "site" / "issues" / SLUG / "index.html"
    html = page.read_text(encoding="utf-8")
    html = html.replace("</article>", '<a href="../nowhere/">x</a><a href="#no-such-id">y</a>'
                        '<a href="../../subscribe/#nope">z</a></article>', 1)  # fmt: skip
    page.write_text(html, encoding="utf-8")
    problems = check(letter)
    where = f"issues/{SLUG}/index.html"
    assert f"{where}: link '../nowhere/' points to nothing in the site" in problems
    assert f"{where}: link '#no-such-id': no element with id 'no-such-id' in index.html" in problems
    assert any(p.startswith(f"{where}: link '../../subscribe/#nope'") for p in problems)
    assert len(problems) == 3


def test_a_feed_that_does_not_parse_is_reported(letter: Path) -> None:
    feed = letter / "site" / "atom.xml"
    feed.write_bytes(feed.read_bytes().replace(b"</feed>", b""))
    (letter / "site" / "feed.json").write_text("{", encoding="utf-8")
    problems = check(letter)
    assert any(p.startswith("atom.xml: does not parse") for p in problems)
    assert any(p.startswith("feed.json:1: not valid JSON") for p in problems)


def test_a_draft_in_a_feed_or_the_archive_is_reported(letter: Path) -> None:
    feed = letter / "site" / "feed.json"
    data = json.loads(feed.read_text(encoding="utf-8"))
    leaked = dict(data["items"][0], id=f"tag:x:issue/{DRAFT}", url=f"https://x/issues/{DRAFT}/")
    data["items"].append(leaked)
    feed.write_text(json.dumps(data), encoding="utf-8")
    archive = letter / "site" / "issues" / "index.html"
    archive.write_text(
        archive.read_text("utf-8").replace("</article>", f'<a href="{DRAFT}/">d</a></article>'),
        encoding="utf-8",
    )
    problems = check(letter)
    assert f"feeds: draft {DRAFT} appears in a feed" in problems
    assert f"issues/index.html: the archive links to draft {DRAFT}" in problems


def test_a_published_issue_changed_since_publication_is_reported(letter: Path) -> None:
    data_json = letter / "issues" / SLUG / "data.json"
    data = json.loads(data_json.read_text(encoding="utf-8"))
    data["provenance"]["timezone"] = "UTC"
    data_json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    issue_md = letter / "issues" / SLUG / "issue.md"
    issue_md.write_text(issue_md.read_text("utf-8") + "\nOne more line.\n", encoding="utf-8")
    problems = check(letter)
    assert any(p.endswith("changed since publication without a correction "
                          f"(use `newsletter collect {SLUG} --correction REASON`)")
               for p in problems)  # fmt: skip
    assert any("prose edited since publication without a correction" in p for p in problems)


def test_private_values_anywhere_in_the_site_are_reported_without_printing_them(
    letter: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = letter / "site"
    (site / "search" / "extra.txt").write_text(f"... {PRIVATE_REPORTERS[7]} ...", "utf-8")
    page = site / "subscribe" / "index.html"
    page.write_text(page.read_text("utf-8") + f"<!-- {PRIVATE_COMMENT} -->", "utf-8")
    sitemap = site / "sitemap.xml"
    sitemap.write_text(sitemap.read_text("utf-8") + PRIVATE_REFS[1], "utf-8")
    problems = check(letter)
    assert sorted(p.split(":")[0] for p in problems) == [
        "search/extra.txt",
        "sitemap.xml",
        "subscribe/index.html",
    ]
    assert main(["check", "-f", str(letter / "mkdocs.yml")]) == 1
    out, err = capsys.readouterr()
    assert "3 problem(s) found" in err
    for secret in (PRIVATE_REPORTERS[7], PRIVATE_COMMENT, PRIVATE_REFS[1]):
        assert secret not in out + err


def test_value_scanner_finds_values_inside_longer_text() -> None:
    scanner = ValueScanner(["models/a-org/m-1", "rep-00042", "a free text comment"])
    found = scanner.find("see https://hf.co/models/a-org/m-1, by rep-00042; a free text comment")
    assert found == {"models/a-org/m-1", "rep-00042", "a free text comment"}
    # A value is found where its runs of letters and digits stand whole: rep-000421 is
    # another reporter, not rep-00042.
    assert scanner.find("rep-00043, rep-000421 and a free text") == set()
    assert interior_runs("models/a-org/m-1") == ["org"]


def test_a_link_of_an_unsafe_scheme_in_a_page_is_reported(letter: Path) -> None:
    page = letter / "site" / "subscribe" / "index.html"
    hostile = '<a href="java&#x09;script:alert(1)">x</a><img src=" DATA:image/svg+xml,x">'
    page.write_text(page.read_text("utf-8").replace("</body>", hostile + "</body>"), "utf-8")
    problems = check(letter)
    assert sorted(p.split(": ", 1)[1] for p in problems) == [
        "a link with the unsafe scheme 'data:' (allowed: http, https, mailto, relative)",
        "a link with the unsafe scheme 'javascript:' (allowed: http, https, mailto, relative)",
    ]


def test_an_export_duckdb_cannot_read_is_reported_without_quoting_it(
    letter: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The reader guesses the columns from the first lines; a longer line further on
    # makes it fail with a message that quotes that line, private columns and all.
    export = letter / "sources" / "flags.csv"
    lines = export.read_text("utf-8").splitlines()
    body = lines[1:] * (30_000 // len(lines[1:]) + 1)
    secret = "REPORTER-LEAK-7f3a,COMMENT-LEAK-9c2e"
    export.write_text("\n".join([lines[0], *body, lines[1] + "," + secret]) + "\n", "utf-8")
    assert main(["check", "-f", str(letter / "mkdocs.yml")]) == 1
    out, err = capsys.readouterr()
    assert "flag export flags.csv: cannot be read to scan the site" in out
    assert "LEAK" not in out + err
