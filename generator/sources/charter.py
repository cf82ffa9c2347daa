"""Source: the ethical charter's history, read from git with gitpython.

One collection runs git a fixed number of times, whatever the number of
commits (besides rev-parse checks): one `git log --follow --raw -p
--word-diff=porcelain -U0` lists every change with its blob ids, dates and
word diff (computed by git, in C), and one `git cat-file --batch` reads the
commit objects and charter versions of the changes in the window, batch by
batch while `git log` is still walking (see generator.charter_git). The
history is read in full and filtered in Python, not with `--since`, whose
walk can stop early when committer dates are out of order. Each version's
line and heading index is derived from the next version's (see
generator.charter_index), so a long history costs little more than git's
own work.

Choices, documented for readers of the data:

- **Merges.** By default only the branch's first-parent history is walked and
  a merge is reported as one change (its diff against the first parent), so a
  feature branch merged into the charter's branch counts once, on the day it
  landed. With ``first_parent=False`` every non-merge commit that touched the
  charter is reported instead and merges themselves are skipped.
- **Dates.** A change's date is its committer date by default (when it
  reached the branch); ``date_field="author"`` uses the author date. The
  window [start, end) is applied to that date. Changes keep their history
  order, oldest first, even when dates disagree with it.
- **Renames and moves** are followed (`git log --follow`); a deletion and a
  later restoration are two changes.
- **Shallow clones** are refused: their history is cut short, so dates and
  "previous versions" would be wrong without any sign of it.
- **URLs.** A repository given by URL is fetched into ``cache_dir`` (a bare
  repository named after a hash of the URL without credentials). The URL with
  its credentials is never logged, stored in the cache's config, put in an
  error message or in provenance.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from generator.charter_diff import (
    EDITORIAL,
    MATERIAL,
    Hunk,
    TextIndex,
    build_diff,
    classify_hunks,
    index_text,
    sections_touched,
)
from generator.charter_git import ObjectReader, RawChange, stream_changes
from generator.charter_repository import (
    open_repository,
    provenance_name,
    refuse_shallow,
    sanitise_url,
)
from generator.charter_section import render_charter_section
from generator.errors import NewsletterError

__all__ = ["collect_charter", "render_charter_section", "sanitise_url"]

logger = logging.getLogger(__name__)

SHORT_SHA = 12
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DATE_FIELDS = ("committer", "author")
CHANGE_TYPES = (MATERIAL, EDITORIAL)
_PERSON = re.compile(rb"^(.*) <[^>]*> (-?\d+) [+-]\d{4}$")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*)$")


# --- commit messages -------------------------------------------------------


def _decode(data: bytes, encoding: str | None, part: str, sha: str) -> str:
    """Decode commit text: declared encoding, else UTF-8, else Latin-1."""
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            logger.warning("charter: %s of %s is not valid %r", part, sha[:SHORT_SHA], encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        logger.warning("charter: %s of %s is not UTF-8; read as Latin-1", part, sha[:SHORT_SHA])
        return data.decode("latin-1")


@dataclass
class _Commit:
    author: str
    author_date: datetime
    commit_date: datetime
    message: str


def _person_date(line: bytes) -> tuple[bytes, datetime]:
    match = _PERSON.match(line)
    if not match:
        raise NewsletterError("charter: a commit has a malformed author or committer line")
    # The instant is what matters; the author's UTC offset is not kept.
    return match.group(1), datetime.fromtimestamp(int(match.group(2)), UTC)


def _parse_commit(sha: str, raw: bytes) -> _Commit:
    header, _, message = raw.partition(b"\n\n")
    fields: dict[bytes, bytes] = {}
    for line in header.split(b"\n"):
        key, _, value = line.partition(b" ")
        # The first of each; a continuation of a multi-line header (gpgsig)
        # starts with a space, so it has no key.
        if key and key not in fields:
            fields[key] = value
    encoding = fields.get(b"encoding", b"").decode("ascii", "replace") or None
    author_name, author_date = _person_date(fields[b"author"])
    _, commit_date = _person_date(fields[b"committer"])
    return _Commit(
        author=_decode(author_name, encoding, "author", sha).strip(),
        author_date=author_date,
        commit_date=commit_date,
        message=_decode(message, encoding, "message", sha),
    )


@dataclass
class _Message:
    subject: str
    body: str
    trailers: dict[str, list[str]] = field(default_factory=dict)


def _split_message(message: str) -> _Message:
    """Subject (first paragraph), body, and the trailer block (last paragraph)."""
    paragraphs = [p.strip("\n") for p in _PARAGRAPH_BREAK.split(message.strip()) if p.strip()]
    if not paragraphs:
        return _Message(subject="", body="")
    subject = " ".join(paragraphs[0].split())
    rest = paragraphs[1:]
    trailers: dict[str, list[str]] = {}
    if rest:
        parsed = _parse_trailers(rest[-1])
        if parsed is not None:
            trailers = parsed
            rest = rest[:-1]
    return _Message(subject=subject, body="\n\n".join(rest), trailers=trailers)


def _parse_trailers(paragraph: str) -> dict[str, list[str]] | None:
    """Trailers keyed by lower-case name, or None if this is not a trailer block."""
    found: list[list[str]] = []
    for line in paragraph.splitlines():
        if line[:1] in (" ", "\t") and found:
            found[-1][1] += " " + line.strip()
            continue
        match = _TRAILER.match(line)
        if not match:
            return None
        found.append([match.group(1).lower(), match.group(2).strip()])
    trailers: dict[str, list[str]] = {}
    for key, value in found:
        trailers.setdefault(key, []).append(value)
    return trailers


class _Versions:
    """Charter versions (decoded once each) and commits, from an ObjectReader."""

    def __init__(self, objects: ObjectReader):
        self.objects = objects
        self._text: dict[str, str] = {}

    def text(self, blob: str | None) -> str | None:
        if blob is None:
            return None
        if blob not in self._text:
            # Decoded once and kept as text: the bytes are not needed again.
            data = self.objects.take(blob)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                logger.warning("charter: version %s is not UTF-8; bad bytes replaced", blob)
                text = data.decode("utf-8", "replace")
            # The check is a fast scan; replace() would copy every version.
            self._text[blob] = text.replace("\r\n", "\n") if "\r" in text else text
        return self._text[blob]

    def request(self, changes: Iterable[RawChange]) -> None:
        """Ask for these changes' commits and the versions not yet decoded."""
        self.objects.request(
            object_id
            for raw in changes
            for object_id in (raw.sha, raw.new_blob, raw.old_blob)
            if object_id not in self._text
        )

    def commit(self, sha: str) -> _Commit:
        return _parse_commit(sha, self.objects.take(sha))


class _Indexes:
    """Line and heading indexes of the versions, each derived from the next.

    Changes are built newest first (as git lists them), and one's "before"
    is nearly always the previous one's "after", so each version's index is
    derived from its successor's by reversing the hunks: only the changed
    lines are scanned (see generator.charter_index; a mismatch falls back to
    a full scan).
    """

    def __init__(self) -> None:
        self._last: tuple[str, TextIndex] | None = None

    def pair(self, raw: RawChange, before: str, after: str) -> tuple[TextIndex, TextIndex]:
        if self._last is not None and self._last[0] == raw.new_blob:
            new = self._last[1]
        else:
            new = index_text(after)
        reverse = [Hunk(h.new_start, h.new_end, h.old_start, h.old_end) for h in raw.hunks]
        old = new.advanced(reverse, before)
        self._last = (raw.old_blob or "", old)
        return old, new


# --- building the section ---------------------------------------------------


def _change_type(trailers: dict[str, list[str]], short: str) -> str | None:
    values = trailers.get("change-type")
    if not values:
        return None
    value = values[-1].strip().lower()
    if value in CHANGE_TYPES:
        return value
    logger.warning(
        "charter: commit %s has Change-Type %r; expected material or editorial; classifying",
        short,
        values[-1][:80],  # untrusted and unbounded: keep log lines short
    )
    return None


_STATUS_NAMES = {"A": "added", "D": "deleted", "R": "renamed", "C": "copied"}


def _status_name(raw: RawChange) -> str:
    return _STATUS_NAMES.get(raw.status, "modified")


def _build_change(
    blobs: _Versions,
    indexes: _Indexes,
    raw: RawChange,
    commit: _Commit,
    date_field: str,
    commit_url: str | None,
) -> dict:
    short = raw.sha[:SHORT_SHA]
    message = _split_message(commit.message)
    before = blobs.text(raw.old_blob)
    after = blobs.text(raw.new_blob)
    declared = _change_type(message.trailers, short)
    rationale = message.trailers.get("rationale")
    effective = message.trailers.get("effective-date")
    author_date = commit.author_date.isoformat()
    commit_date = (
        author_date if commit.commit_date == commit.author_date else commit.commit_date.isoformat()
    )
    old_index, new_index = indexes.pair(raw, before or "", after or "")
    return {
        "commit": raw.sha,
        "short": short,
        "date": commit_date if date_field == "committer" else author_date,
        "author_date": author_date,
        "commit_date": commit_date,
        "author": commit.author,
        "subject": message.subject,
        "body": message.body,
        "trailers": {
            "rationale": " ".join(rationale) if rationale else None,
            "effective_date": effective[-1] if effective else None,
            "change_type": declared,
        },
        "kind": declared or classify_hunks(raw.hunks, whole_file=raw.status in "AD"),
        "kind_source": "trailer" if declared else "classified",
        "status": _status_name(raw),
        "path": raw.new_path if after is not None else None,
        "previous_path": raw.old_path if before is not None else None,
        "sections": sections_touched(raw.hunks, old_index, new_index),
        "diff": build_diff(raw.hunks, new_index),
        "url": commit_url.replace("{sha}", raw.sha) if commit_url else None,
        "text": after,
    }


def _check_arguments(
    start: datetime, end: datetime, date_field: str, commit_url: str | None
) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise NewsletterError("charter: the window's start and end must be timezone-aware")
    if not start < end:
        raise NewsletterError("charter: the window's start must be before its end")
    if date_field not in DATE_FIELDS:
        raise NewsletterError(
            f"charter: date_field must be 'committer' or 'author', not {date_field!r}"
        )
    if commit_url is not None and (
        "{sha}" not in commit_url or not commit_url.startswith(("https://", "http://"))
    ):
        raise NewsletterError(
            "charter: commit_url must be an http(s) URL containing {sha}, "
            "e.g. https://forge.example/charter/commit/{sha}"
        )


def collect_charter(
    repo: str,
    *,
    branch: str,
    path: str,
    start: datetime,
    end: datetime,
    first_parent: bool = True,
    date_field: str = "committer",
    commit_url: str | None = None,
    cache_dir: Path,
) -> dict:
    """The "Charter changes" section for the window [start, end)."""
    _check_arguments(start, end, date_field, commit_url)
    opened, ref = open_repository(repo, branch, cache_dir)
    try:
        refuse_shallow(opened)
        head = opened.git.rev_parse(ref)
        if not opened.git.rev_list("--max-count=1", ref, "--", path):
            raise NewsletterError(
                f"charter: no commit of branch {branch!r} has a file {path!r}; "
                "plugins.newsletter.charter.path names the charter's file in the repository"
            )
        git_dir = str(opened.git_dir)
        with (
            ObjectReader(git_dir) as objects,
            contextlib.closing(stream_changes(git_dir, ref, path, first_parent)) as raws,
        ):
            versions = _Versions(objects)
            changes, last_before_end = _collect_window(
                versions, raws, start, end, date_field, commit_url
            )
            current = _current_version(versions, last_before_end, date_field, commit_url)
        provenance = {
            "repository": provenance_name(repo, opened),
            "branch": branch,
            "path": path,
            "head": head,
            "first_parent": first_parent,
            "date_field": date_field,
        }
    finally:
        opened.close()
    logger.info("charter: %d changes in the window", len(changes))
    return {
        "window": {"start": _utc(start), "end": _utc(end)},
        "changes": changes,
        "counts": {
            MATERIAL: sum(1 for c in changes if c["kind"] == MATERIAL),
            EDITORIAL: sum(1 for c in changes if c["kind"] == EDITORIAL),
        },
        "current": current,
        "provenance": provenance,
    }


_BATCH = 64  # changes whose objects are asked for together


def _collect_window(
    versions: _Versions,
    raws: Iterable[RawChange],
    start: datetime,
    end: datetime,
    date_field: str,
    commit_url: str | None,
) -> tuple[list[dict], RawChange | None]:
    """The changes in [start, end), oldest first, and the last change before end.

    `raws` come newest first, while git is still producing them. When a
    batch is complete its objects are asked for, and the batch before it is
    built while git reads them. The whole history is read and filtered here,
    not with `--since`, whose walk can stop early when committer dates are
    out of order.
    """
    changes: list[dict] = []
    batch: list[RawChange] = []
    asked: list[RawChange] = []  # the batch whose objects git is reading
    indexes = _Indexes()
    last_before_end: RawChange | None = None

    def advance() -> None:
        nonlocal batch, asked
        versions.request(batch)
        for raw in asked:
            commit = versions.commit(raw.sha)
            changes.append(_build_change(versions, indexes, raw, commit, date_field, commit_url))
        asked, batch = batch, []

    for raw in raws:
        date = raw.date(date_field)
        if last_before_end is None and date < end:
            # Newest first: the first change dated before the end is the last
            # in history order (an early author date landing later counts late).
            last_before_end = raw
        if start <= date < end:
            batch.append(raw)
            if len(batch) == _BATCH:
                advance()
    advance()  # builds the batch before the last
    advance()  # builds the last
    changes.reverse()
    return changes, last_before_end


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _current_version(
    versions: _Versions, raw: RawChange | None, date_field: str, commit_url: str | None
) -> dict | None:
    """The charter as of the window's end: after the last change dated before it.

    "Last" is in history order, so a commit with an early author date that
    landed later does not turn the clock back.
    """
    if raw is None:
        return None
    text = versions.text(raw.new_blob)
    return {
        "commit": raw.sha,
        "short": raw.sha[:SHORT_SHA],
        "date": raw.date(date_field).isoformat(),
        "path": raw.new_path if text is not None else None,
        "text": text,
        "url": commit_url.replace("{sha}", raw.sha) if commit_url else None,
    }
