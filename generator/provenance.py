"""The provenance panel: where every section's figures came from.

Each section's `provenance` sub-dict has its own shape (a git repository and
commit, export files with SHA-256, an API endpoint and snapshot time, feeds).
This module turns them into rows of (label, value) for one template, so the
page never guesses at the shapes; keys it does not know are still listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .render import SECTIONS


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    code: bool = False  # a checksum, commit or path: shown in monospace


@dataclass(frozen=True)
class Source:
    heading: str
    rows: list[Row]
    files: list[Row] = field(default_factory=list)  # (name, sha256) of every input file


def _text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _scalar_rows(provenance: dict[str, Any], skip: set[str]) -> list[Row]:
    return [
        Row(key.replace("_", " "), _text(value), code=isinstance(value, str) and len(value) >= 40)
        for key, value in sorted(provenance.items())
        if key not in skip and isinstance(value, str | int | float | bool)
    ]


def charter_source(p: dict[str, Any]) -> Source:
    rows = [Row("repository", str(p.get("repository", "")))]
    if p.get("branch"):
        rows.append(Row("branch", str(p["branch"])))
    if p.get("head"):
        rows.append(Row("commit", str(p["head"]), code=True))
    if p.get("path"):
        rows.append(Row("file", str(p["path"]), code=True))
    known = {"repository", "branch", "head", "path"}
    return Source("Charter changes", rows + _scalar_rows(p, known))


def transparency_source(p: dict[str, Any]) -> Source:
    files = [
        Row(str(f.get("name", "")), str(f.get("sha256", "")), code=True)
        for f in p.get("files", [])
        if isinstance(f, dict)
    ]
    rows = [Row("format", str(p.get("schema", "")))] if p.get("schema") else []
    rows.append(Row("export files", f"{len(files)} (SHA-256 below)"))
    if p.get("k") is not None:
        rows.append(Row("threshold", f"counts below {p['k']} suppressed"))
    return Source(
        "Transparency report", rows + _scalar_rows(p, {"schema", "k", "files"}), files=files
    )


def spaces_source(p: dict[str, Any]) -> Source:
    rows = []
    if p.get("endpoint"):
        rows.append(Row("endpoint", str(p["endpoint"]), code=True))
    if p.get("mode"):
        rows.append(Row("mode", str(p["mode"])))
    if p.get("as_of"):
        rows.append(Row("snapshot time", str(p["as_of"])))
    files = []
    snapshot = p.get("snapshot")
    if isinstance(snapshot, dict) and snapshot.get("file"):
        files.append(Row(str(snapshot["file"]), str(snapshot.get("sha256", "")), code=True))
    tags = p.get("tags")
    if isinstance(tags, dict):
        listed = sorted({str(t) for values in tags.values() for t in values})
        rows.append(Row("tags", ", ".join(listed)))
    known = {"endpoint", "mode", "as_of", "snapshot", "tags"}
    return Source("Ethics Spaces", rows + _scalar_rows(p, known), files=files)


def reading_source(p: dict[str, Any]) -> Source:
    rows, files = [], []
    for feed in p.get("feeds", []):
        if not isinstance(feed, dict):
            continue
        where = feed.get("url") or feed.get("file") or ""
        rows.append(Row(str(feed.get("name", "feed")), f"{where} ({feed.get('status', '')})"))
        if feed.get("sha256"):
            files.append(Row(str(feed.get("file") or where), str(feed["sha256"]), code=True))
    return Source("Reading list", rows + _scalar_rows(p, {"feeds"}), files=files)


BUILDERS = {
    "charter": charter_source,
    "transparency": transparency_source,
    "spaces": spaces_source,
    "reading": reading_source,
}


def provenance_view(data: dict[str, Any] | None, slug: str) -> dict[str, Any] | None:
    """What the issue's provenance panel shows, or None when nothing was collected."""
    if data is None:
        return None
    sections = data.get("sections", {})
    sources = []
    for kind in SECTIONS:
        section = sections.get(kind.key)
        if section is None:
            continue
        provenance = section.get("provenance") or {}
        source = BUILDERS[kind.key](provenance)
        sources.append(Source(kind.heading, source.rows, source.files))
    overall = data.get("provenance", {})
    return {
        "generator": overall.get("generator", ""),
        "collected_at": overall.get("collected_at", ""),
        "timezone": overall.get("timezone", ""),
        "privacy_k": overall.get("privacy_k"),
        "sources": sources,
        "download": f"../../data/{slug}.json",
    }
