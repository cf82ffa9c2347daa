"""Hostile input for every field a source can set, and a small newsletter built from it.

Every payload that could run carries the token `pwn` (in an id, a class or a
global it sets), so a test can look for it in the DOM and in the files.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import functools
import json
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from ..conftest import REPO

LONG = "pwn" + "A" * 99_990 + "<b id=pwn-long>"  # 100,000 characters, markup at the end
CORPUS = (
    '<script id="pwn-script">window.pwned = 1; alert("pwn")</script>',
    '<img id="pwn-img" src="x" onerror="window.pwned = 2; alert(2)">',
    '"><svg id="pwn-svg" onload="window.pwned = 3">',
    "' onmouseover='window.pwned = 4' data-pwn='",
    "javascript:window.pwned = 5; alert(5)",
    "JaVaScRiPt:alert('pwn')",
    "data:text/html;base64,PHNjcmlwdCBpZD1wd24+YWxlcnQoMSk8L3NjcmlwdD4=",
    "[a pwn link](javascript:window.pwned=6)",
    "![a pwn image](javascript:window.pwned=7)",
    "[pwn ref][1]\n\n[1]: javascript:alert(8)",
    "![pwn data image](data:image/svg+xml,<svg onload=alert(9)>)",
    '<a id="pwn-a" href="javascript:window.pwned=10">click</a>',
    '<iframe id="pwn-iframe" src="javascript:window.pwned=11"></iframe>',
    "<!-- pwn comment --> after the comment",
    "--> <script>window.pwned = 12</script> <!--",
    '{: #pwn-attr onclick="window.pwned=13" }',
    "&lt;script id=pwn&gt;alert(14)&lt;/script&gt;",
    "{{ config.site_name }} {% raw %} pwn template",
    "\u202egnp.exe pwn\u202c and \u2066isolated pwn\u2069 and \u200fRTL mark",
    "\u202eunbalanced override pwn, never closed",
    '<style id="pwn-style">body { display: none }</style>',
    # Markdown a link scanner can miscount: escaped or code-span `](`, an escaped
    # parenthesis in an earlier target, a reference with an empty label.
    "see ]( [x](javascript:window.pwned=21)",
    "`](` [x](javascript:window.pwned=22)",
    "[ok](http://x/\\() [x](javascript:window.pwned=23)",
    "[]: javascript:window.pwned=24\n\n[][]",
    # A character XML cannot carry, once the entity is decoded (a feed's summary).
    "control &#1; character",
    LONG,
)
# One-line versions (a git author name, an enum value, a CSV cell cannot hold newlines).
ONE_LINE = tuple(" ".join(value.split("\n")) for value in CORPUS)
SLUG = "2026-september-equinox"
INSIDE = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)  # inside the slug's window
BEFORE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


# --- charter: a git repository whose commits are written byte for byte ----------------


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)}
    env["PATH"] = "/usr/bin:/bin:/usr/local/bin"
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, input=stdin, capture_output=True, check=True
    )
    return done.stdout.decode().strip()


def _raw_commit(repo: Path, *, text: str, author: str, when: datetime, message: str) -> str:
    """A commit object written literally: `git commit` would strip '<' and '>' from names."""
    (repo / "CHARTER.md").write_text(text, encoding="utf-8")
    _git(repo, "add", "CHARTER.md")
    tree = _git(repo, "write-tree")
    parents = _git(repo, "rev-list", "--max-count=1", "--all")
    stamp = f"{int(when.timestamp())} +0000"
    header = f"tree {tree}\n" + (f"parent {parents}\n" if parents else "")
    header += f"author {author} <editor@example.org> {stamp}\n"
    header += f"committer {author} <editor@example.org> {stamp}\n\n"
    sha = _git(
        repo, "hash-object", "--literally", "-t", "commit", "-w", "--stdin",
        stdin=(header + message).encode("utf-8"),
    )  # fmt: skip
    _git(repo, "update-ref", "refs/heads/main", sha)
    return sha


def write_charter_repo(repo: Path) -> None:
    repo.mkdir(parents=True)
    _git(repo, "init", "--quiet", "--template=", "--initial-branch=main")
    base = "# Charter\n\n## Scope\n\nWe publish what we decide, and why.\n"
    _raw_commit(repo, text=base, author="Ada Editor", when=BEFORE, message="Start the charter\n")
    hostile_text = base + "\n## Hostile\n\n" + "\n\n".join(CORPUS) + "\n"
    for number, value in enumerate(ONE_LINE):
        body = "\n\n".join(CORPUS)
        message = (
            f"{value}\n\n{body}\n\nControl characters: \x01 \x1b[2J\n\n"
            f"Change-Type: {'material' if number % 2 else value}\n"
            f"Rationale: {value}\nEffective-Date: {value}\n"
        )
        text = hostile_text + f"\nChange {number}: {value}\n"
        when = INSIDE + timedelta(hours=number)
        _raw_commit(repo, text=text, author=value, when=when, message=message)


# --- Spaces: a snapshot of /api/spaces objects ----------------------------------------


def space_objects() -> list[dict[str, object]]:
    spaces = []
    for number, value in enumerate(CORPUS):
        spaces.append(
            {
                "id": f"hostile-owner/space-{number:02d}",
                "createdAt": (INSIDE + timedelta(days=number % 20)).isoformat(),
                "lastModified": (INSIDE + timedelta(days=1 + number % 20)).isoformat(),
                "likes": 100 - number,
                "private": False,
                "disabled": False,
                "tags": ["ethics-rigorous", "ethics-inclusive", value[:200]],
                "cardData": {"title": value, "emoji": value[:8], "short_description": value},
            }
        )
    return spaces


def write_spaces(path: Path, spaces: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(s) + "\n" for s in spaces), encoding="utf-8")


def hostile_space_ids() -> list[dict[str, object]]:
    """Valid Spaces but for the id, which takes each corpus value in turn."""
    good = space_objects()[0]
    return [{**good, "id": value} for value in CORPUS] + [{**good, "id": f"owner/{CORPUS[0]}"}]


# --- reading list: an Atom feed -------------------------------------------------------

ATOM = "http://www.w3.org/2005/Atom"


def write_feed(path: Path) -> None:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = CORPUS[0]
    ET.SubElement(feed, f"{{{ATOM}}}id").text = "tag:example.org,2026:hostile"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = INSIDE.isoformat()
    ET.SubElement(feed, f"{{{ATOM}}}link", href=CORPUS[4])
    for number, value in enumerate(CORPUS):
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title", type="html" if number % 2 else "text").text = value
        ET.SubElement(entry, f"{{{ATOM}}}id").text = value if number % 3 == 0 else f"urn:e:{number}"
        links = (CORPUS[4], CORPUS[5], CORPUS[6], f"https://example.org/post/{number}")
        ET.SubElement(entry, f"{{{ATOM}}}link", href=links[number % 4])
        moment = (INSIDE + timedelta(hours=number)).isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}published").text = moment
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = moment
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = value
        ET.SubElement(entry, f"{{{ATOM}}}category", term=value[:200])
        summary_html = f'<p>{value}</p><p><a href="{CORPUS[4]}">x</a> {CORPUS[1]}</p>'
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="html").text = summary_html
        content = ET.SubElement(entry, f"{{{ATOM}}}content", type="html")
        content.text = CORPUS[(number + 1) % len(CORPUS)]
    ET.ElementTree(feed).write(path, encoding="utf-8", xml_declaration=True)


# --- flags: an export whose private columns carry markers and the corpus --------------

FLAG_COLUMNS = (
    "flag_id", "received_at", "target_type", "source", "reason", "resolved_at", "category",
    "action", "decided_by", "appeal", "appeal_resolved_at", "target_ref", "reporter_id", "comment",
)  # fmt: skip
PRIVATE_MARKERS = {
    "target_ref": "TARGETREF-7f3a9c1e-marker",
    "reporter_id": "REPORTER-b82d44f0-marker",
    "comment": "COMMENT-5e61aa3b-marker",
}


def flag_rows(count: int = 40) -> list[dict[str, str]]:
    """Valid flags in the window; private columns hold a marker plus a hostile value."""
    rows = []
    for number in range(count):
        received = INSIDE + timedelta(hours=3 * number)
        resolved = number % 4 != 0
        value = ONE_LINE[number % len(ONE_LINE)][:500]
        rows.append(
            {
                "flag_id": f"FL-H-{number:04d}",
                "received_at": received.isoformat(),
                "target_type": ("model", "dataset", "space")[number % 3],
                "source": ("community", "automated")[number % 2],
                "reason": ("ethical_issue", "spam")[number % 2],
                "resolved_at": (received + timedelta(hours=5)).isoformat() if resolved else "",
                "category": ("spam_or_fraud" if number % 2 else "no_violation") if resolved else "",
                "action": ("removed" if number % 2 else "none") if resolved else "",
                "decided_by": "human" if resolved else "",
                "appeal": "",
                "appeal_resolved_at": "",
                **{column: f"{marker} {value}" for column, marker in PRIVATE_MARKERS.items()},
            }
        )
    return rows


def write_flags(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=FLAG_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


# --- the newsletter around them -------------------------------------------------------


@dataclass(frozen=True)
class HostileNewsletter:
    root: Path
    config: Path

    @property
    def site(self) -> Path:
        return self.root / "site"


ISSUE_MD = """---
title: "Tom & Jerry <em>read</em> the \\"hostile\\" issue"
status: published
summary: "A summary with <b>tags</b> & ampersands, kept as text."
editors:
  - Ada Editor
---

The editors' own prose for the hostile test issue.
"""


def write_newsletter(root: Path) -> HostileNewsletter:
    """mkdocs.yml (the sample's theme and settings), sources, and one issue to collect."""
    sample = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    shutil.copytree(REPO / "site_src", root / "site_src")
    sources = root / "sources"
    sources.mkdir()
    write_charter_repo(sources / "charter")
    write_spaces(sources / "spaces.jsonl", space_objects())
    (sources / "feeds").mkdir()
    write_feed(sources / "feeds" / "hostile.atom")
    write_flags(sources / "flags" / "flags-2026-07.csv", flag_rows())
    for plugin in sample["plugins"]:
        if isinstance(plugin, dict) and "newsletter" in plugin:
            options = plugin["newsletter"]
            options["charter"].update(repo="sources/charter", path="CHARTER.md")
            options["flags"] = {"paths": ["sources/flags/flags-*.csv"]}
            options["spaces"]["snapshot"] = "sources/spaces.jsonl"
            options["reading"] = {
                "feeds": [{"name": CORPUS[0][:60], "path": "sources/feeds/hostile.atom"}]
            }
    config = root / "mkdocs.yml"
    config.write_text(yaml.safe_dump(sample, sort_keys=False), encoding="utf-8")
    issue = root / "issues" / SLUG
    issue.mkdir(parents=True)
    (issue / "issue.md").write_text(ISSUE_MD, encoding="utf-8")
    return HostileNewsletter(root, config)


# --- one collect + build, shared by the hostile-input and privacy tests ---------------


@dataclass(frozen=True)
class HostileBuild:
    newsletter: HostileNewsletter
    output: str  # every log record and everything written to stdout/stderr meanwhile
    data_json: Path


@contextlib.contextmanager
def captured_output(sink: Path) -> Iterator[None]:
    """Logs (all levels) and file descriptors 1 and 2, into `sink`."""
    import logging
    import os
    import sys

    handler = logging.FileHandler(sink, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    with open(sink.with_suffix(".fds"), "wb") as out:
        try:
            for fd in saved:
                os.dup2(out.fileno(), fd)
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            root.removeHandler(handler)
            root.setLevel(level)
            handler.close()


@functools.cache
def hostile_build() -> HostileBuild:
    """Collect and build the hostile newsletter once per test session."""
    from generator.build import build_site
    from generator.collect import collect_issue
    from generator.config import load_settings

    root = Path(tempfile.mkdtemp(prefix="newsletter-hostile-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    newsletter = write_newsletter(root / "letter")
    sink = root / "output.log"
    with captured_output(sink):
        settings = load_settings(newsletter.config)
        data_json = collect_issue(settings, SLUG, collected_at=datetime(2026, 9, 23, tzinfo=UTC))
        build_site(str(newsletter.config))
    output = sink.read_text(encoding="utf-8") + sink.with_suffix(".fds").read_text(
        encoding="utf-8", errors="replace"
    )
    return HostileBuild(newsletter, output, data_json)
