"""The "Charter changes" section and the /charter/ pages, from frozen data."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup

from generator.charter_feed import charter_atom_feed
from generator.charter_markdown import safe_charter_markdown
from generator.charter_pages import charter_pages
from generator.charter_section import render_charter_section
from generator.errors import IssueError
from tests.test_charter_source import CHARTER_V1, CharterRepo, collect

HOSTILE_SUBJECT = "<script>alert(1)</script> [x](javascript:alert(1))"
HOSTILE_CHARTER = """\
# Charter {: onclick="alert(1)" }

Intro <script>alert(2)</script> <img src=x onerror=alert(3)> <!-- hidden -->
See <https://example.org/ok> and [bad](javascript:alert(4)) and [also](
javascript:alert(5)) and [fine](https://example.org/fine).

```html {onclick=alert(6)}
<script>alert(7)</script>
```

--8<-- "/etc/passwd"

[ref]: javascript:alert(8)
Use [ref][ref].
"""


@pytest.fixture
def repo(tmp_path: Path) -> CharterRepo:
    repo = CharterRepo(tmp_path / "charter")
    repo.commit("Adopt the charter", {"CHARTER.md": CHARTER_V1}, when="2026-01-10T12:00:00+00:00")
    repo.commit(
        f"{HOSTILE_SUBJECT}\n\nBody <b>bold</b>\n\nRationale: because <i>reasons</i>\n",
        {"CHARTER.md": CHARTER_V1.replace("We ask before", "We always ask before")},
        when="2026-02-01T09:00:00+00:00",
    )
    repo.commit(
        "Tidy punctuation",
        {
            "CHARTER.md": CHARTER_V1.replace("We ask before", "We always ask before").replace(
                "decisions.", "decisions!"
            )
        },
        when="2026-02-02T09:00:00+00:00",
    )
    return repo


@pytest.fixture
def section(repo: CharterRepo, tmp_path: Path) -> dict:
    return collect(repo, tmp_path, commit_url="https://forge.example/c/{sha}")


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def assert_inert(page: BeautifulSoup) -> None:
    assert page.find_all(["script", "img", "iframe", "style"]) == []
    for tag in page.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.startswith("on"), tag
            if name in ("href", "src"):
                assert not str(value).lower().startswith(("javascript:", "data:")), tag


def test_material_first_with_accessible_diff(section: dict):
    html = render_charter_section(section, tz="Europe/Paris")
    page = soup(html)
    outer = page.find_all(recursive=False)
    assert len(outer) == 1 and "nl-charter" in outer[0]["class"]
    headings = [h.get_text() for h in page.find_all("h3")]
    assert headings == ["Material changes", "Editorial changes"]
    changes = page.select("section.nl-charter-change")
    assert [c.h4.get_text() for c in changes] == ["Adopt the charter", HOSTILE_SUBJECT]
    hostile = changes[1]
    ins = hostile.find("ins")
    hidden = [s.get_text() for s in ins.find_all("span", class_="nl-visually-hidden")]
    assert hidden == ["[Added: ", "]"]
    visible = [t for t in ins.find_all(string=True) if t.parent is ins]
    assert "".join(visible).strip() == "always"
    rationale = hostile.find("strong", string="Rationale:").parent.get_text()
    assert rationale == "Rationale: because <i>reasons</i>"
    assert hostile.select_one(".nl-charter-sections li").get_text() == "Ethical charter › Consent"
    link = hostile.select_one(".nl-charter-meta a")
    assert link["href"] == f"https://forge.example/c/{section['changes'][1]['commit']}"
    editorial = page.select("ul.nl-charter-editorial li")
    assert len(editorial) == 1 and editorial[0].get_text().startswith("2 February 2026: Tidy")
    assert_inert(page)
    assert "\n\n" not in html  # one raw HTML block in the page's Markdown


def test_deletion_is_announced(section: dict):
    frozen = copy.deepcopy(section)
    change = frozen["changes"][1]
    change["diff"] = {
        "ops": [
            {"op": "skip", "lines": 3},
            {"op": "equal", "text": "We "},
            {"op": "delete", "text": "ask"},
            {"op": "skip", "lines": 0},
        ],
        "words_inserted": 0,
        "words_deleted": 1,
        "truncated": True,
    }
    page = soup(render_charter_section(frozen, tz="UTC"))
    deleted = page.find("del")
    assert deleted.find("span", class_="nl-visually-hidden").get_text() == "[Removed: "
    assert page.select_one(".nl-charter-truncated") is not None
    skips = [span.get_text() for span in page.select(".nl-charter-skip")]
    assert skips == ["[… 3 unchanged lines …]", "[… unchanged text …]"]


def test_season_without_changes_says_so(section: dict):
    quiet = {**section, "changes": [], "counts": {"material": 0, "editorial": 0}}
    page = soup(render_charter_section(quiet, tz="UTC"))
    text = page.get_text(" ", strip=True)
    assert text.startswith("The charter did not change this season.")
    assert page.find("ins") is None and page.find("h3") is None


def test_published_issue_renders_after_force_push(repo: CharterRepo, section: dict, tmp_path):
    frozen_file = tmp_path / "data.json"
    frozen_file.write_text(json.dumps({"sections": {"charter": section}}), encoding="utf-8")
    before = render_charter_section(section, tz="UTC")
    pages_before = charter_pages([("2026-march-equinox", section)], tz="UTC")
    # Rewrite history and drop the old commits, then lose the repository entirely.
    repo.git("reset", "--hard", "--quiet", "HEAD~2")
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "--prune=now", "--quiet")
    shutil.rmtree(repo.path)
    frozen = json.loads(frozen_file.read_text(encoding="utf-8"))["sections"]["charter"]
    assert render_charter_section(frozen, tz="UTC") == before
    assert charter_pages([("2026-march-equinox", frozen)], tz="UTC") == pages_before


def test_charter_pages_timeline_versions_and_dedup(section: dict):
    first = {**section, "changes": section["changes"][:2]}
    pages = charter_pages(
        [("2026-march-equinox", first), ("2026-june-solstice", section)], tz="UTC"
    )
    shorts = [c["short"] for c in section["changes"]]
    assert sorted(pages) == sorted(
        ["charter/index.md"] + [f"charter/versions/{s}.md" for s in shorts]
    )
    for path, source in pages.items():
        if path.startswith("charter/versions/"):  # versions stay out of the search index
            assert source.startswith("---\nsearch:\n  exclude: true\n---\n")
            source = source.split("---\n", 2)[2].lstrip("\n")
        assert source.startswith("# "), path
    html = markdown.markdown(pages["charter/index.md"], extensions=["toc", "attr_list"])
    page = soup(html)
    versions = page.select("div.nl-charter-version")
    assert [v["id"] for v in versions] == [f"version-{s}" for s in reversed(shorts)]
    issue_links = [
        (a.get_text(), a["href"]) for v in versions for a in v.select('a[href^="../issues/"]')
    ]
    # Named as readers know the issue, by its season.
    assert issue_links == [
        ("June solstice 2026", "../issues/2026-june-solstice/"),
        ("March equinox 2026", "../issues/2026-march-equinox/"),
        ("March equinox 2026", "../issues/2026-march-equinox/"),
    ]
    version_links = [
        (a.get_text(), a["href"])
        for a in page.find_all("a", string=lambda s: s and s.startswith("Full text of version"))
    ]
    # Each link names its version, so a list of links read aloud stays clear.
    assert [href for _, href in version_links] == [f"versions/{s}.md" for s in reversed(shorts)]
    assert [text.split()[4] for text, _ in version_links] == list(reversed(shorts))
    assert page.find("h4", string="Consent") is not None  # the current text, nested
    assert_inert(page)


def test_tampered_commit_id_is_refused(section: dict):
    frozen = copy.deepcopy(section)
    frozen["changes"][0]["short"] = "abc)](javascript:alert(1)"
    with pytest.raises(IssueError, match="bad short commit id"):
        charter_pages([("2026-march-equinox", frozen)], tz="UTC")


def test_version_page_has_that_versions_text(section: dict):
    pages = charter_pages([("2026-march-equinox", section)], tz="UTC")
    adopt = section["changes"][0]
    source = pages[f"charter/versions/{adopt['short']}.md"]
    page = soup(markdown.markdown(source))
    assert page.h1.get_text().startswith(f"Charter version {adopt['short']}")
    assert "We ask before we use data." in page.get_text()
    assert "always" not in page.get_text()


def test_hostile_charter_markdown_is_inert():
    source = safe_charter_markdown(HOSTILE_CHARTER, heading_shift=1)
    html = markdown.markdown(
        source,
        extensions=["attr_list", "md_in_html", "pymdownx.superfences", "pymdownx.snippets"],
    )
    page = soup(html)
    assert_inert(page)
    assert page.find("h2").get_text().startswith("Charter")
    assert "<script>alert(2)</script>" in page.get_text()
    assert page.find("pre").get_text() == "<script>alert(7)</script>"
    assert page.find("a", string="fine")["href"] == "https://example.org/fine"
    assert page.find("a", string="https://example.org/ok")["href"] == "https://example.org/ok"
    assert "root:" not in page.get_text()


def test_a_huge_word_gets_line_breaks_but_no_link_target_is_cut():
    # Chromium took minutes to lay out pages holding huge unbreakable words.
    word, target = "pwn" + "A" * 100_000, "https://example.org/" + "q" * 300
    source = safe_charter_markdown(f"{word}&x\n\n[link]({target}) " + "z" * 250)
    page = soup(markdown.markdown(source))
    first = page.find("p")
    assert len(first.find_all("wbr")) == len(word) // 60  # a break every 60 characters
    assert first.get_text() == word + "&x"  # the same text for readers
    assert page.find("a", string="link")["href"] == target
    assert len(page.find_all("p")[1].find_all("wbr")) == 4


def test_breakable_text_is_escaped_with_a_break_every_sixty_characters():
    from generator.templating import breakable

    value = "<b>" + "é" * 130 + " short & " + "x" * 60
    html = str(breakable(value))
    assert html.count("<wbr>") == 2 and "&lt;b&gt;" in html and "<b>" not in html
    assert soup(html).get_text() == value
    words = soup(html.replace("<wbr>", " ")).get_text().split()
    assert max(map(len, words)) == 60


def test_pages_build_with_mkdocs_strict(section: dict, tmp_path: Path):
    site = tmp_path / "site"
    docs = site / "docs"
    for slug in ("2026-march-equinox",):
        (docs / "issues" / slug).mkdir(parents=True)
        (docs / "issues" / slug / "index.md").write_text("# Issue\n", encoding="utf-8")
    (docs / "index.md").write_text("# Home\n", encoding="utf-8")
    sections = [("2026-march-equinox", section)]
    for path, source in charter_pages(sections, tz="UTC").items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(source, encoding="utf-8")
    # The plugin writes the charter feed beside the page, as here.
    (docs / "charter" / "atom.xml").write_bytes(
        charter_atom_feed(
            sections, site_url="https://t.example/", site_name="t", tag_authority="t.example,2026"
        )
    )
    (site / "mkdocs.yml").write_text(
        "site_name: t\nmarkdown_extensions: [attr_list, md_in_html, toc]\n", encoding="utf-8"
    )
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"],
        cwd=site,
        check=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    built = soup((site / "site" / "charter" / "index.html").read_text(encoding="utf-8"))
    assert built.select("ins .nl-visually-hidden")
    (feed_link,) = built.find_all("a", href="atom.xml")
    assert (site / "site" / "charter" / feed_link["href"]).is_file()
    assert_inert(built.select_one("div.nl-charter-version"))
