"""The issue model: `issues/<slug>/issue.md` (front matter + prose) and its data.

Front matter is validated where it enters; errors name the file, the line and
the key. Issue numbers follow publication order (the first published issue is
#1); drafts have no number.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from .errors import IssueError
from .issuedata import load_data
from .seasons import IssueWindow, issue_window

STATUSES = ("draft", "published")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*\n", re.DOTALL)
REQUIRED_KEYS = ("title", "status", "summary", "editors")
OPTIONAL_KEYS = ("published_at", "data_sha256", "prose_sha256", "corrections")

# libyaml's loader when PyYAML has it: the same safe subset, several times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Correction:
    date: str
    reason: str
    summary: str = ""


@dataclass(frozen=True)
class FrontMatter:
    title: str
    status: str
    summary: str
    editors: tuple[str, ...]
    published_at: str | None = None
    data_sha256: str | None = None
    prose_sha256: str | None = None  # of the prose bytes after the front matter, at publication
    corrections: tuple[Correction, ...] = ()


@dataclass
class Issue:
    slug: str
    folder: Path
    window: IssueWindow
    meta: FrontMatter
    prose: str
    data: dict[str, Any] | None = None
    data_digest: str | None = None  # SHA-256 of data.json's bytes as read
    number: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_published(self) -> bool:
        return self.meta.status == "published"

    @property
    def issue_md(self) -> Path:
        return self.folder / "issue.md"

    @property
    def data_json(self) -> Path:
        return self.folder / "data.json"

    @property
    def url(self) -> str:
        """Site-relative URL of the issue page."""
        return f"issues/{self.slug}/"


def _key_line(text: str, key: str) -> int:
    """1-based line of `key:` in issue.md, or the opening fence's line."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number
    return 1


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    match = FRONT_MATTER.match(text)
    if not match:
        raise IssueError(f"{path}:1: expected YAML front matter between '---' lines")
    try:
        meta = yaml.load(match.group(1) or "", Loader=SAFE_LOADER) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(exc, "problem", None)
        reason = f": {problem} (column {mark.column + 1})" if problem and mark else ""
        raise IssueError(f"{path}:{line}: front matter is not valid YAML{reason}") from None
    if not isinstance(meta, dict):
        raise IssueError(f"{path}:2: front matter must be a mapping of keys")
    return meta, text[match.end() :]


def parse_front_matter(meta: dict[str, Any], text: str, path: Path) -> FrontMatter:
    problems = []

    def problem(key: str, message: str) -> None:
        problems.append(f"{path}:{_key_line(text, key)}: {key}: {message}")

    for key in REQUIRED_KEYS:
        if key not in meta:
            problem(key, "required")
    for key in sorted(set(meta) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS)):
        problem(key, f"unknown key: expected one of {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}")
    for key in ("title", "summary"):
        if key in meta and (not isinstance(meta[key], str) or not meta[key].strip()):
            problem(key, "expected non-empty text")
    if "status" in meta and meta["status"] not in STATUSES:
        problem("status", f"expected 'draft' or 'published', got {meta['status']!r}")
    editors = meta.get("editors")
    if "editors" in meta and (
        not isinstance(editors, list) or not all(isinstance(e, str) and e for e in editors)
    ):
        problem("editors", "expected a list of names")
    corrections = _parse_corrections(meta.get("corrections") or [], problem)
    if problems:
        raise IssueError("\n".join(problems))
    return FrontMatter(
        title=meta["title"].strip(),
        status=meta["status"],
        summary=" ".join(meta["summary"].split()),
        editors=tuple(editors or ()),
        published_at=_optional_str(meta.get("published_at")),
        data_sha256=_optional_str(meta.get("data_sha256")),
        prose_sha256=_optional_str(meta.get("prose_sha256")),
        corrections=corrections,
    )


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _parse_corrections(raw: Any, problem: Any) -> tuple[Correction, ...]:
    if not isinstance(raw, list):
        problem("corrections", "expected a list of {date, reason, summary}")
        return ()
    found = []
    for entry in raw:
        if not isinstance(entry, dict) or not entry.get("date") or not entry.get("reason"):
            problem("corrections", "each correction needs a date and a reason")
            continue
        found.append(
            Correction(str(entry["date"]), str(entry["reason"]), str(entry.get("summary", "")))
        )
    return tuple(found)


def load_issue(folder: Path, *, with_data: bool = True) -> Issue:
    """One issue; `with_data=False` reads only data.json's checksum (for integrity and
    dates), not its content."""
    slug = folder.name
    window = issue_window(slug)  # raises IssueError on a bad slug
    path = folder / "issue.md"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise IssueError(f"{path}: missing: every issue folder needs an issue.md") from None
    meta, prose = split_front_matter(text, path)
    front = parse_front_matter(meta, text, path)
    data_path = folder / "data.json"
    data, digest = None, None
    if data_path.exists() and not with_data:
        digest = hashlib.sha256(data_path.read_bytes()).hexdigest()
    elif data_path.exists():
        # A published issue's data.json was validated when written; if its bytes still
        # match the checksum recorded at publication, validating again proves nothing.
        data, digest = load_data(data_path, trusted_sha256=front.data_sha256)
    return Issue(
        slug=slug,
        folder=folder,
        window=window,
        meta=front,
        prose=prose,
        data=data,
        data_digest=digest,
    )


def load_issues(issues_dir: Path, *, include_drafts: bool, with_data: bool = True) -> list[Issue]:
    """Every issue under `issues_dir`, oldest first, numbered in publication order."""
    if not issues_dir.is_dir():
        return []
    issues = [
        load_issue(folder, with_data=with_data)
        for folder in sorted(issues_dir.iterdir())
        if folder.is_dir() and not folder.name.startswith(".")
    ]
    issues.sort(key=lambda issue: issue.window.end)
    # Numbered in the order they were published, so that an issue published
    # later for an earlier season (a back-filled one) takes the next number
    # and never renumbers the issues readers already know.
    published = sorted((i for i in issues if i.is_published), key=publication_order)
    for number, issue in enumerate(published, start=1):
        issue.number = number
    return [i for i in issues if include_drafts or i.is_published]


def published_instant(issue: Issue) -> datetime:
    """When the issue was published (its window's end, for one without the record)."""
    recorded = issue.meta.published_at
    moment = datetime.fromisoformat(recorded) if recorded else None
    return moment if moment is not None and moment.tzinfo else issue.window.end


def publication_order(issue: Issue) -> tuple[datetime, datetime]:
    return published_instant(issue), issue.window.end


SCAFFOLD = """---
title: "{title}"
status: draft
summary: "TODO: one or two sentences on what this issue is about."
editors:
  - TODO
---

TODO: the editors' opening for the {label}.
"""


def scaffold_issue(issues_dir: Path, slug: str) -> Path:
    """Create issues/<slug>/issue.md as a draft. Refuses to overwrite anything."""
    window = issue_window(slug)
    folder = issues_dir / slug
    target = folder / "issue.md"
    if folder.exists():
        raise IssueError(f"{folder}: already exists; refusing to overwrite issue {slug}")
    folder.mkdir(parents=True)
    target.write_text(
        SCAFFOLD.format(title=window.season.label, label=window.season.label), encoding="utf-8"
    )
    return target
