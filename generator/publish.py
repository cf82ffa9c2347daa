"""Publishing: an issue is checked, then frozen by checksums in its front matter.

`publish_issue` sets `status: published`, `published_at`, `data_sha256` (of
data.json's bytes) and `prose_sha256` (of the prose after the front matter).
From then on the data changes only through a correction (see corrections.py),
and `integrity_problems` reports any edit made without one. Times are passed
in (`now`): library code never reads the clock.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import markdown as python_markdown

from .config import Settings
from .errors import IssueError
from .frontmatter import set_keys
from .issuedata import write_atomic
from .issues import Issue, load_issue, load_issues
from .seasons import iso_utc

log = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b")
# Trees the site generates whose inner pages an editor may link to.
GENERATED_TREES = ("charter/", "transparency/", "spaces/", "data/")
GENERATED_FILES = ("", "issues/", "subscribe/", "feed.xml", "atom.xml", "feed.json")


def prose_sha256(prose: str) -> str:
    return hashlib.sha256(prose.encode("utf-8")).hexdigest()


def placeholder_problems(issue: Issue) -> list[str]:
    text = issue.issue_md.read_text(encoding="utf-8")
    return [
        f"{issue.issue_md}:{number}: placeholder text {match.group(1)!r} left in"
        for number, line in enumerate(text.splitlines(), start=1)
        for match in [PLACEHOLDER.search(line)]
        if match
    ]


def site_paths(settings: Settings, issues: list[Issue], docs_dir: Path) -> set[str]:
    """Site-relative URLs the built site will have, as far as known before building."""
    known = set(GENERATED_FILES)
    known.update(issue.url for issue in issues)
    known.update(f"data/{issue.slug}.json" for issue in issues)
    if docs_dir.is_dir():
        for path in docs_dir.rglob("*"):
            if path.is_file():
                rel = path.relative_to(docs_dir).as_posix()
                known.add(page_url(rel) if rel.endswith(".md") else rel)
    return known


def page_url(markdown_path: str) -> str:
    """The directory URL MkDocs serves a Markdown page at: a/index.md and a.md -> a/."""
    stem = markdown_path.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index").rstrip("/")
    return stem + "/" if stem else ""


def _line_of(text: str, target: str) -> int:
    """The line of issue.md where a link's target is written (1 if not found as is)."""
    found = text.find(target)
    return text.count("\n", 0, found) + 1 if found >= 0 else 1


def link_problems(issue: Issue, settings: Settings, docs_dir: Path) -> list[str]:
    """Links in the prose that point inside the site to nothing it will have."""
    import lxml.html  # here: every strict build imports this module, for its other checks

    html = python_markdown.markdown(issue.prose, extensions=["attr_list", "tables"])
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    targets = [
        (str(tag.tag), str(tag.get("href") or tag.get("src") or ""))
        for tag in root.iter("a", "img")
    ]
    issues = load_issues(settings.issues_dir, include_drafts=True)
    known = site_paths(settings, issues, docs_dir)
    base = "https://site.invalid/" + issue.url
    text = issue.issue_md.read_text(encoding="utf-8")
    problems = []
    for kind, target in targets:
        parts = urlsplit(urljoin(base, target))
        if not target or target.startswith("#"):
            continue
        if parts.scheme in ("http", "https") and parts.netloc != "site.invalid":
            continue  # external: reachable or not, that is not ours to decide offline
        where = f"{issue.issue_md}:{_line_of(text, target)}"
        what = "image" if kind == "img" else "link"
        if parts.scheme not in ("http", "https"):
            if parts.scheme != "mailto":
                problems.append(f"{where}: {what} {target!r}: unsupported scheme")
            continue
        path = parts.path.lstrip("/")
        if path.endswith(".md"):
            path = page_url(path)
        if path in known or path.startswith(GENERATED_TREES):
            continue
        problems.append(f"{where}: {what} {target!r} points to nothing on the site")
    return problems


def readiness_problems(
    issue: Issue, settings: Settings, docs_dir: Path, now: datetime
) -> list[str]:
    """Everything that stops `issue` from being published, as messages naming the file."""
    problems = []
    if now < issue.window.end:
        problems.append(
            f"{issue.issue_md}: the issue's window closes at {iso_utc(issue.window.end)}; "
            "publish after it"
        )
    if issue.data is None:
        problems.append(f"{issue.data_json}: no data: run `newsletter collect {issue.slug}`")
    else:
        collected = datetime.fromisoformat(issue.data["provenance"]["collected_at"])
        if collected < issue.window.end:
            problems.append(
                f"{issue.data_json}: collected at {iso_utc(collected)}, before the window "
                f"closed; run `newsletter collect {issue.slug}` again"
            )
    if not issue.prose.strip():
        problems.append(f"{issue.issue_md}: no prose after the front matter")
    return problems + prose_problems(issue, settings, docs_dir)


def prose_problems(issue: Issue, settings: Settings, docs_dir: Path) -> list[str]:
    """Placeholders left in and links to nothing: checked at publication and at each
    correction of the prose."""
    return placeholder_problems(issue) + link_problems(issue, settings, docs_dir)


def correct_prose(
    settings: Settings, slug: str, *, reason: str, now: datetime, docs_dir: Path
) -> Issue:
    """Record an edit of a published issue's prose, once it passes the publish checks."""
    from .corrections import record_prose_correction

    folder = settings.issues_dir / slug
    problems = prose_problems(load_issue(folder), settings, docs_dir)
    if problems:
        raise IssueError("\n".join([f"cannot record a correction to {slug}:", *problems]))
    return record_prose_correction(folder, reason=reason, now=now)


def publish_issue(settings: Settings, slug: str, *, now: datetime, docs_dir: Path) -> Issue:
    """Check `slug` and mark it published. An issue published before checksums were
    recorded (status already `published`, no `data_sha256`) only gets its checksums,
    with `published_at` its own instant if it had none."""
    folder = settings.issues_dir / slug
    issue = load_issue(folder)
    adopting = issue.is_published and issue.meta.data_sha256 is None
    if issue.is_published and not adopting:
        raise IssueError(
            f"{issue.issue_md}: issue {slug} is already published "
            f"({issue.meta.published_at}); change it with a correction"
        )
    problems = readiness_problems(issue, settings, docs_dir, now)
    if problems:
        raise IssueError("\n".join([f"cannot publish {slug}:", *problems]))
    published_at = issue.meta.published_at or iso_utc(issue.window.end if adopting else now)
    text = issue.issue_md.read_text(encoding="utf-8")
    updated = set_keys(
        text,
        {
            "status": "published",
            "published_at": published_at,
            "data_sha256": issue.data_digest,
            "prose_sha256": prose_sha256(issue.prose),
        },
        issue.issue_md,
    )
    write_atomic(issue.issue_md, updated.encode("utf-8"))
    log.info("published %s at %s", slug, published_at)
    return load_issue(folder)


def integrity_problems(issue: Issue) -> list[str]:
    """How a published issue differs from what was published (and corrected)."""
    if not issue.is_published:
        return []
    meta = issue.meta
    if meta.data_sha256 is None or meta.prose_sha256 is None:
        return [
            f"{issue.issue_md}: published without recorded checksums; "
            f"run `newsletter publish {issue.slug}` to record them"
        ]
    problems = []
    if issue.data_digest is None:
        problems.append(f"{issue.data_json}: missing; it was published with data")
    elif issue.data_digest != meta.data_sha256:
        problems.append(
            f"{issue.data_json}: changed since publication without a correction "
            f"(use `newsletter collect {issue.slug} --correction REASON`)"
        )
    if prose_sha256(issue.prose) != meta.prose_sha256:
        problems.append(
            f"{issue.issue_md}: prose edited since publication without a correction "
            f"(record it with `newsletter publish {issue.slug} --correction REASON`)"
        )
    return problems


def archive_integrity_problems(issues_dir: Path, published: list[Issue] | None = None) -> list[str]:
    """Every published issue's problems; `published` saves loading them again.

    An issue marked published by hand, without `newsletter publish`, has no
    checksums: that is a problem too, so it cannot skip the publish checks.
    """
    if published is None:
        published = load_issues(issues_dir, include_drafts=False, with_data=False)
    return [problem for issue in published for problem in integrity_problems(issue)]
