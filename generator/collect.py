"""Collect: read every configured source for one issue's window into data.json.

Each section is gathered by its own source module; a section whose source is
not configured is left out (the page says so), never filled with stand-ins.
Nothing is written unless every section succeeded.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .config import Settings
from .errors import ConfigError, IssueError
from .issuedata import SCHEMA_VERSION, remove_stale_temporaries, write_data
from .issues import Issue, load_issue
from .seasons import IssueWindow, iso_utc, issue_window, previous_season

log = logging.getLogger(__name__)


def collection_time(now: datetime | None = None) -> datetime:
    """When data was collected: SOURCE_DATE_EPOCH if set (reproducible runs), else `now`."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    if now is None:
        raise ValueError("collection_time needs `now` when SOURCE_DATE_EPOCH is unset")
    return now


def collect_charter_section(settings: Settings, window: IssueWindow) -> dict[str, Any] | None:
    opts = settings.options.charter
    if not opts.repo:
        return None
    from .sources.charter import collect_charter

    repo = opts.repo
    if "://" not in repo and not repo.startswith("git@"):
        repo = str(settings.path(repo))
    return collect_charter(
        repo,
        branch=opts.branch,
        path=opts.path,
        start=window.start,
        end=window.end,
        first_parent=opts.first_parent,
        date_field=opts.date,
        commit_url=opts.commit_url,
        cache_dir=settings.cache_dir / "charter",
    )


def collect_transparency_section(
    settings: Settings, window: IssueWindow, *, skip_invalid: bool
) -> dict[str, Any] | None:
    opts = settings.options.flags
    before = issue_window(previous_season(window.season).slug)
    if opts.aggregates:
        from .transparency_aggregates import collect_transparency_from_aggregates

        return collect_transparency_from_aggregates(
            settings.path(opts.aggregates),
            start=window.start,
            end=window.end,
            previous=(before.start, before.end),
            k=settings.options.privacy_k,
        )
    if not opts.paths:
        return None
    from .transparency import collect_transparency

    rejected = settings.path(opts.rejected) if opts.rejected else None
    if rejected is not None and (folder := settings.public_folder_holding(rejected)):
        raise ConfigError(
            str(settings.config_file),
            [
                (
                    "plugins.newsletter.flags.rejected",
                    f"{rejected} is inside the folder of {folder}, which is published; "
                    "rejected rows keep every column, private ones too: write them elsewhere",
                )
            ],
        )

    return collect_transparency(
        list(opts.paths),
        base_dir=settings.root,
        start=window.start,
        end=window.end,
        previous=(before.start, before.end),
        k=settings.options.privacy_k,
        skip_invalid=skip_invalid,
        rejected_path=rejected,
    )


def collect_spaces_section(settings: Settings, window: IssueWindow) -> dict[str, Any] | None:
    opts = settings.options.spaces
    if not opts.snapshot and not opts.live:
        return None
    from .sources.spaces import collect_spaces

    return collect_spaces(
        snapshot=settings.path(opts.snapshot) if opts.snapshot else None,
        endpoint=opts.endpoint,
        token=opts.token or os.environ.get("HF_TOKEN"),
        categories=opts.categories,
        start=window.start,
        end=window.end,
        spotlight=opts.spotlight,
        notable=opts.notable,
    )


def collect_reading_section(
    settings: Settings, window: IssueWindow, *, strict: bool
) -> dict[str, Any] | None:
    feeds = settings.options.reading.feeds
    if not feeds:
        return None
    from .sources.reading import FeedSource, collect_reading

    sources = [
        FeedSource(
            name=feed.name,
            url=feed.url,
            path=settings.path(feed.path) if feed.path else None,
            tags=list(feed.tags),
            keywords=list(feed.keywords),
        )
        for feed in feeds
    ]
    return collect_reading(
        sources,
        start=window.start,
        end=window.end,
        cache_dir=settings.cache_dir / "feeds",
        strict=strict,
    )


def gather_sections(
    settings: Settings, window: IssueWindow, *, skip_invalid: bool, strict: bool
) -> dict[str, Any]:
    gathered = {
        "charter": collect_charter_section(settings, window),
        "transparency": collect_transparency_section(settings, window, skip_invalid=skip_invalid),
        "spaces": collect_spaces_section(settings, window),
        "reading": collect_reading_section(settings, window, strict=strict),
    }
    return {name: section for name, section in gathered.items() if section is not None}


def issue_data(
    settings: Settings, window: IssueWindow, sections: dict[str, Any], collected_at: datetime
) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "issue": {
            "slug": window.slug,
            "instant": iso_utc(window.end),
            "window_start": iso_utc(window.start),
            "window_end": iso_utc(window.end),
        },
        "sections": sections,
        "provenance": {
            "generator": f"newsletter {__version__}",
            "collected_at": iso_utc(collected_at),
            "timezone": settings.timezone,
            "privacy_k": settings.options.privacy_k,
        },
    }


def frozen_message(issue: Issue) -> str:
    return (
        f"{issue.issue_md}: issue {issue.slug} is published; its data is frozen. "
        f"A change after publication is a correction: `newsletter collect {issue.slug} "
        f'--correction "what was wrong"` keeps the earlier data and shows the change.'
    )


def collect_issue(
    settings: Settings,
    slug: str,
    *,
    collected_at: datetime,
    skip_invalid: bool = False,
    strict: bool = False,
    correction: str | None = None,
    refreeze: bool = False,
) -> Path:
    """Gather every section for `slug` and write issues/<slug>/data.json atomically.

    A published issue is collected again only as a correction (`correction` is
    its reason; `collected_at` dates it), which keeps the earlier data.
    `refreeze` is for regenerating the committed sample only: it rewrites a
    published issue's data and its recorded checksum, with no correction.
    """
    window = issue_window(slug)
    folder = settings.issues_dir / slug
    if not (folder / "issue.md").exists():
        raise IssueError(f"{folder}: no such issue; start it with `newsletter new {slug}`")
    for leftover in remove_stale_temporaries(folder):
        log.info("removed %s, left by an interrupted run", leftover.name)
    issue = load_issue(folder)
    frozen = issue.is_published and (issue.data_json.exists() or bool(issue.meta.data_sha256))
    if frozen and correction is None and not refreeze:
        raise IssueError(frozen_message(issue))
    if correction is not None and not frozen:
        raise IssueError(
            f"{issue.issue_md}: issue {slug} is not published; collect it without --correction"
        )
    sections = gather_sections(settings, window, skip_invalid=skip_invalid, strict=strict)
    data = issue_data(settings, window, sections, collected_at)
    if correction is not None:
        from .corrections import record_data_correction
        from .issuedata import validate_data

        validate_data(data, issue.data_json)
        record_data_correction(issue, data, reason=correction, now=collected_at)
    else:
        digest = write_data(issue.data_json, data)
        if refreeze and issue.meta.data_sha256 is not None:
            from .frontmatter import set_keys
            from .issuedata import write_atomic

            text = set_keys(
                issue.issue_md.read_text("utf-8"), {"data_sha256": digest}, issue.issue_md
            )
            write_atomic(issue.issue_md, text.encode("utf-8"))
    log.info("collected %s: sections %s", slug, ", ".join(sorted(sections)) or "none")
    return issue.data_json
