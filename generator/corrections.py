"""Corrections: the only way a published issue changes, always visibly.

A data correction re-collects the issue, keeps the earlier data.json as
`corrections/data-<n>.json` (the data as it was before correction n), and
appends `{date, reason, summary}` to the front matter, where `summary` says in
words what changed in the section data. A prose correction records an edit to
the editors' text. Either way the new checksums replace the old ones, the
issue page shows a Corrections box and the feeds move the entry's `updated`.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import IssueError
from .frontmatter import append_correction, set_keys
from .issuedata import dump_json, sha256_of, write_atomic
from .issues import Issue, load_issue
from .publish import prose_sha256
from .render import SECTIONS
from .seasons import iso_utc

log = logging.getLogger(__name__)

IDENTITY_KEYS = ("id", "commit", "url", "key", "name", "file", "slug")
MAX_EXAMPLES = 3


def archived_data_path(issue: Issue, number: int) -> Path:
    return issue.folder / "corrections" / f"data-{number}.json"


def _identity(item: Any) -> str:
    if isinstance(item, dict):
        for key in IDENTITY_KEYS:
            if isinstance(item.get(key), str | int):
                return f"{key}={item[key]}"
    return json.dumps(item, sort_keys=True)


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """Every value under `value` by its path; list entries are named by their identity
    (`received.by_source.community.count`), so a reader sees which figure moved."""
    if isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
        named = {_identity(i).partition("=")[2] or str(n): i for n, i in enumerate(value)}
        if len(named) == len(value):
            value = named
    if isinstance(value, dict):
        found: dict[str, Any] = {}
        for key, inner in value.items():
            found.update(_leaves(inner, f"{prefix}.{key}" if prefix else str(key)))
        return found
    return {prefix: value}


def _number(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"


def describe_field(name: str, old: Any, new: Any) -> str | None:
    """One field of a section in words, or None if it did not change."""
    if old == new:
        return None
    if isinstance(old, list) and isinstance(new, list):
        before = {_identity(i): i for i in old}
        after = {_identity(i): i for i in new}
        added = len(after.keys() - before.keys())
        removed = len(before.keys() - after.keys())
        changed = sum(1 for k in after.keys() & before.keys() if after[k] != before[k])
        counts = [(added, "added"), (removed, "removed"), (changed, "changed")]
        words = ", ".join(f"{n} {what}" for n, what in counts if n)
        return f"{name}: {words or 'reordered'} ({len(old)} → {len(new)} entries)"
    old_leaves, new_leaves = _leaves(old, name), _leaves(new, name)
    changes = [
        f"{path} {_number(old_leaves.get(path))} → {_number(new_leaves.get(path))}"
        for path in sorted(old_leaves.keys() | new_leaves.keys())
        if old_leaves.get(path) != new_leaves.get(path)
    ]
    more = len(changes) - MAX_EXAMPLES
    return "; ".join(changes[:MAX_EXAMPLES]) + (f"; {more} more values changed" if more > 0 else "")


def describe_changes(old: dict[str, Any], new: dict[str, Any]) -> str:
    """What changed between two data.json contents' sections, in words."""
    old_sections, new_sections = old.get("sections", {}), new.get("sections", {})
    sentences = []
    for kind in SECTIONS:
        before, after = old_sections.get(kind.key), new_sections.get(kind.key)
        if before == after:
            continue
        if before is None or after is None:
            sentences.append(f"{kind.heading}: section {'added' if before is None else 'removed'}.")
            continue
        parts = []
        for name in sorted(before.keys() | after.keys()):
            if name == "provenance":
                continue
            described = describe_field(name, before.get(name), after.get(name))
            if described:
                parts.append(described)
        if before.get("provenance") != after.get("provenance"):
            parts.append("its source changed (see provenance)")
        sentences.append(f"{kind.heading}: {'; '.join(parts)}.")
    return " ".join(sentences) or "No section data changed."


def _next_number(issue: Issue) -> int:
    return len(issue.meta.corrections) + 1


def archive_published_data(issue: Issue) -> Path:
    """Keep the data as published (or last corrected) before it is replaced."""
    target = archived_data_path(issue, _next_number(issue))
    if target.exists():
        # A correction that was interrupted after archiving: keep that copy if it
        # is the data the front matter still vouches for.
        if sha256_of(target) != issue.meta.data_sha256:
            raise IssueError(
                f"{target}: already exists and is not the published data; "
                "resolve it by hand before correcting again"
            )
        return target
    write_atomic(target, issue.data_json.read_bytes())
    return target


def require_published(issue: Issue) -> None:
    if not issue.is_published or issue.meta.data_sha256 is None:
        raise IssueError(
            f"{issue.issue_md}: issue {issue.slug} is not published with checksums; "
            "a correction applies to a published issue (publish it first)"
        )


def record_data_correction(
    issue: Issue, new_data: dict[str, Any], *, reason: str, now: datetime
) -> Issue:
    """Replace a published issue's data with `new_data` as correction n, keeping the old."""
    require_published(issue)
    if not reason.strip():
        raise IssueError("a correction needs a reason")
    old_data = issue.data or {"sections": {}}
    if old_data.get("sections") == new_data.get("sections"):
        raise IssueError(
            f"{issue.data_json}: re-collecting changed nothing in the sections; "
            "no correction recorded"
        )
    archive_published_data(issue)
    content = dump_json(new_data)
    write_atomic(issue.data_json, content)
    entry = {
        "date": iso_utc(now),
        "reason": " ".join(reason.split()),
        "summary": describe_changes(old_data, new_data),
    }
    text = issue.issue_md.read_text(encoding="utf-8")
    text = append_correction(text, entry, issue.issue_md)
    text = set_keys(text, {"data_sha256": sha256_of(issue.data_json)}, issue.issue_md)
    write_atomic(issue.issue_md, text.encode("utf-8"))
    log.info("correction %d recorded for %s", len(issue.meta.corrections) + 1, issue.slug)
    return load_issue(issue.folder)


def record_prose_correction(folder: Path, *, reason: str, now: datetime) -> Issue:
    """Record an edit of a published issue's prose as a correction."""
    issue = load_issue(folder)
    require_published(issue)
    if not reason.strip():
        raise IssueError("a correction needs a reason")
    digest = prose_sha256(issue.prose)
    if digest == issue.meta.prose_sha256:
        raise IssueError(f"{issue.issue_md}: the prose has not changed since publication")
    entry = {
        "date": iso_utc(now),
        "reason": " ".join(reason.split()),
        "summary": "The editors' text was revised.",
    }
    text = issue.issue_md.read_text(encoding="utf-8")
    text = append_correction(text, entry, issue.issue_md)
    text = set_keys(text, {"prose_sha256": digest}, issue.issue_md)
    write_atomic(issue.issue_md, text.encode("utf-8"))
    return load_issue(folder)
