"""A small real newsletter for publishing tests: one issue, a reading feed, a flag export.

No tests here: the builders are shared by test_publish, test_check, test_atomic
and test_reproducible. Everything is written into a temporary folder.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

SLUG = "2026-september-equinox"
AFTER_INSTANT = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)  # an editor's clock, after the window
SITE_URL = "https://letter.example.org/"

CONFIG = """\
site_name: Test letter
site_url: {site_url}
docs_dir: pages
site_dir: site
theme:
  name: material
  font: false
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: true
plugins:
  - search
  - newsletter:
      timezone: Europe/Amsterdam
      privacy_k: 5
{sources}
validation:
  nav:
    omitted_files: ignore
"""

READING = """\
      reading:
        feeds:
          - name: Team blog
            path: sources/blog.atom
"""

FLAGS = """\
      flags:
        paths:
          - sources/flags.csv
"""

PROSE = """
The equinox issue of a test newsletter. We read the season's posts and counted flags.

## What we learned

Counting carefully is [most of the work](#what-we-learned). See the [archive](../).
"""

FRONT = """---
# The editors keep notes here; publishing must not drop them.
title: "A test issue"
status: draft
summary: "What a season looks like when it is counted."
editors:
  - Ada Editor
---
"""

# Private values of the flag export: none may reach the site.
PRIVATE_REFS = [f"models/secret-org/hidden-model-{n}" for n in range(3)]
PRIVATE_REPORTERS = [f"reporter-{n:05d}" for n in range(40)]
PRIVATE_COMMENT = "please look at this quietly, it concerns my neighbour"


def atom_entry(title: str, url: str, when: datetime) -> str:
    return (
        f"<entry><title>{title}</title><link href='{url}'/><id>{url}</id>"
        f"<updated>{when.isoformat()}</updated><summary>About {title}.</summary></entry>"
    )


def write_feed(root: Path, titles: list[str]) -> None:
    start = datetime(2026, 7, 1, 12, tzinfo=UTC)
    entries = "".join(
        atom_entry(title, f"https://blog.example.org/{n}", start + timedelta(days=7 * n))
        for n, title in enumerate(titles)
    )
    (root / "sources" / "blog.atom").write_text(
        "<?xml version='1.0' encoding='utf-8'?>"
        "<feed xmlns='http://www.w3.org/2005/Atom'><title>Team blog</title>"
        "<id>https://blog.example.org/</id><updated>2026-09-01T00:00:00Z</updated>"
        f"{entries}</feed>",
        encoding="utf-8",
    )


def write_flags(root: Path) -> None:
    columns = [
        "flag_id", "received_at", "target_type", "source", "reason", "resolved_at",
        "category", "action", "decided_by", "appeal", "appeal_resolved_at",
        "target_ref", "reporter_id", "comment",
    ]  # fmt: skip
    start = datetime(2026, 7, 1, tzinfo=UTC)
    with (root / "sources" / "flags.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for n in range(40):
            received = start + timedelta(hours=17 * n)
            writer.writerow(
                [
                    f"FL-{n:05d}", received.isoformat(), "model", "community", "ethical_issue",
                    (received + timedelta(days=2)).isoformat(), "no_violation", "none", "human",
                    "", "", PRIVATE_REFS[n % 3], PRIVATE_REPORTERS[n],
                    PRIVATE_COMMENT if n % 2 else "",
                ]
            )  # fmt: skip


def make_letter(root: Path, *, flags: bool = False, titles: list[str] | None = None) -> Path:
    """mkdocs.yml + sources + issues/<SLUG>/issue.md (a draft, not collected)."""
    (root / "pages").mkdir(parents=True, exist_ok=True)
    (root / "pages" / "subscribe.md").write_text("# Subscribe\n\nUse the feeds.\n")
    (root / "sources").mkdir(exist_ok=True)
    write_feed(root, titles or ["Counting flags", "Reading cards"])
    sources = READING
    if flags:
        write_flags(root)
        sources += FLAGS
    config = root / "mkdocs.yml"
    config.write_text(CONFIG.format(site_url=SITE_URL, sources=sources), encoding="utf-8")
    folder = root / "issues" / SLUG
    folder.mkdir(parents=True)
    (folder / "issue.md").write_text(FRONT + PROSE, encoding="utf-8")
    return config


def prose_bytes(issue_md: Path) -> bytes:
    """What follows the closing front-matter fence."""
    raw = issue_md.read_bytes()
    return raw[raw.index(b"\n---\n", 4) + 5 :]
