"""Render an issue's "Charter changes" section from its frozen section dict.

Only the section dict (from data.json) is read: no git, so a published issue
renders the same after its commits have vanished from the repository.
Every value from a commit (subject, body, author, trailers) reaches the HTML
through autoescaped template expressions only.
"""

from __future__ import annotations

import re

from generator.templating import long_date, make_environment

SECTION_TEMPLATE = "sections/charter.html.j2"
_SECTION_SEPARATOR = " › "


def _paragraphs(text: str | None) -> list[str]:
    """Split text into paragraphs with no blank lines (raw HTML block safe)."""
    if not text:
        return []
    return [" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def _safe_url(url: str | None) -> str | None:
    return url if url and url.startswith(("https://", "http://")) else None


def diff_view(diff: dict) -> dict:
    """Diff ops with their text split into lines, for <br>-joined rendering."""
    ops = []
    for op in diff["ops"]:
        if op["op"] == "skip":
            ops.append({"op": "skip", "skipped_lines": op["lines"], "lines": []})
        else:
            ops.append({"op": op["op"], "skipped_lines": 0, "lines": op["text"].split("\n")})
    return {
        "ops": ops,
        "truncated": diff["truncated"],
        "words_inserted": diff["words_inserted"],
        "words_deleted": diff["words_deleted"],
    }


def section_label(path: list[str]) -> str:
    return _SECTION_SEPARATOR.join(path) if path else "Before the first heading"


def _readable_date(text: str | None) -> str | None:
    """An Effective-Date trailer as the site writes dates ('1 January 2027'); other
    text (the trailer is free text) stays as it was written."""
    if text and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return long_date(text)
        except ValueError:
            return text
    return text


def change_view(change: dict) -> dict:
    """What a template needs to show one change."""
    trailers = change["trailers"]
    from_trailer = _paragraphs(trailers.get("rationale"))
    return {
        "commit": change["commit"],
        "short": change["short"],
        "date": change["date"],
        "author": change["author"],
        "subject": change["subject"] or "(no subject)",
        "body": _paragraphs(change["body"]),
        "rationale": from_trailer or _paragraphs(change["body"]),
        "rationale_from": "trailer" if from_trailer else ("body" if change["body"] else None),
        "effective_date": _readable_date(trailers.get("effective_date")),
        "kind": change["kind"],
        "kind_source": change["kind_source"],
        "status": change["status"],
        "path": change["path"],
        "previous_path": change["previous_path"],
        "sections": [section_label(p) for p in change["sections"]],
        "diff": diff_view(change["diff"]),
        "url": _safe_url(change.get("url")),
    }


def render_charter_section(section: dict, *, tz: str) -> str:
    """The HTML fragment of an issue's "Charter changes" section."""
    changes = [change_view(c) for c in section["changes"]]
    current = section.get("current")
    template = make_environment().get_template(SECTION_TEMPLATE)
    return template.render(
        tz=tz,
        material=[c for c in changes if c["kind"] == "material"],
        editorial=[c for c in changes if c["kind"] == "editorial"],
        current=({**current, "url": _safe_url(current.get("url"))} if current else None),
    )
