"""Everything the site generates, as {docs-relative path: content}.

Engine-neutral: the MkDocs plugin adds these as generated files; another
engine (or a test) can write them into a docs folder, and fill the slots of
the HTML it converts them to (generator.slots). Only published issues
reach the pages and feeds, unless `include_drafts` (used by `serve`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .background import Background
from .config import Settings
from .feeds import site_feeds, subscribe_page
from .fragment_cache import FragmentCache
from .issue_work import IssueWork
from .issues import Issue, load_issues
from .render import SECTIONS, issue_meta, site_pages
from .slots import Slots


@dataclass(frozen=True)
class MarkdownSetup:
    """How the engine turns Markdown into HTML (for the feeds' full content)."""

    extensions: list[Any]
    extension_configs: dict[str, Any]


def published_sections(issues: list[Issue], key: str) -> list[tuple[Issue, dict[str, Any]]]:
    return [
        (issue, issue.data["sections"][key])
        for issue in issues
        if issue.data and key in issue.data.get("sections", {})
    ]


def _archive_state(issues: list[Issue], settings: Settings) -> str:
    """What pages built from every issue's data depend on: each issue's data and meta."""
    state = [[issue_meta(i, settings.timezone), i.data_digest] for i in issues]
    return json.dumps(state, sort_keys=True)


@dataclass(frozen=True)
class ArchivePages:
    """Pages built from every issue's data, and the cache key they are kept under.

    `build` takes `slots=` and returns {docs path: source}; it is picklable (a
    functools.partial of a module function), so a worker process can run it.
    """

    key: tuple[str, ...]
    build: Callable[..., dict[str, str]]

    def render(self) -> str:
        """The pages and the fragments they hold, as JSON for the cache."""
        own = Slots()
        pages = self.build(slots=own)
        held = [[f.html, f.searchable] for f in own.fragments.values()]
        return json.dumps({"pages": pages, "held": held}, sort_keys=True)

    def pages(
        self, cache: FragmentCache | None, slots: Slots, background: Background | None = None
    ) -> dict[str, str]:
        """The pages, from the worker or the cache when the issues are as they were.

        The fragments the pages hold are cached with them and held in `slots` again.
        """
        if cache is None:
            return self.build(slots=slots)
        rendered = background.result(self.key) if background else None
        stored = json.loads(rendered or cache.fragment(self.key, self.render))
        for fragment, searchable in stored["held"]:
            slots.hold(fragment, searchable=searchable)
        return stored["pages"]  # type: ignore[no-any-return]


def _archive(
    name: str, issues: list[Issue], settings: Settings, build: Callable[..., dict[str, str]]
) -> ArchivePages:
    return ArchivePages((name, _archive_state(issues, settings)), build)


def charter_archive(issues: list[Issue], settings: Settings) -> ArchivePages | None:
    from .charter_pages import charter_pages

    found = published_sections(issues, "charter")
    if not found:
        return None
    pairs = [(i.slug, s) for i, s in found]
    build = functools.partial(charter_pages, pairs, tz=settings.timezone)
    return _archive("charter-pages", issues, settings, build)


def transparency_archive(issues: list[Issue], settings: Settings) -> ArchivePages | None:
    from .transparency_pages import transparency_pages

    published = [i for i in issues if i.is_published]
    found = published_sections(published, "transparency")
    if not found:
        return None
    metas = [(issue_meta(i, settings.timezone), s) for i, s in found]
    build = functools.partial(transparency_pages, metas, license=settings.options.data_license)
    # The Data Package names the data's licence too.
    name = "\0".join(("transparency-pages", settings.options.data_license or ""))
    return _archive(name, published, settings, build)


def spaces_archive(issues: list[Issue], settings: Settings) -> ArchivePages | None:
    from .spaces_pages import spaces_pages

    found = published_sections(issues, "spaces")
    if not found:
        return None
    build = functools.partial(spaces_pages, found[-1][1], tz=settings.timezone)
    return _archive("spaces-pages", issues, settings, build)


def charter_feed_pages(
    pairs: list[tuple[str, dict[str, Any]]],
    *,
    site: tuple[str, str, str],
    tz: str,
    slots: Slots | None = None,
) -> dict[str, str]:
    from .charter_feed import charter_atom_feed

    site_url, site_name, tag_authority = site
    feed = charter_atom_feed(
        pairs, site_url=site_url, site_name=site_name, tag_authority=tag_authority, tz=tz
    )
    return {"charter/atom.xml": feed.decode("utf-8")}


def charter_feed_archive(issues: list[Issue], settings: Settings) -> ArchivePages | None:
    """/charter/atom.xml: one entry per material change, from published issues only."""
    published = [i for i in issues if i.is_published]
    found = published_sections(published, "charter")
    if not found:
        return None
    # The feed also depends on the site's address, name and tag authority.
    site = (settings.site_url, settings.site_name, settings.tag_authority)
    pairs = [(i.slug, s) for i, s in found]
    build = functools.partial(charter_feed_pages, pairs, site=site, tz=settings.timezone)
    return _archive("\0".join(("charter-feed", *site)), published, settings, build)


def archives(issues: list[Issue], settings: Settings) -> list[ArchivePages]:
    """Every archive-wide set of pages the issues have data for, the largest first."""
    found = (
        transparency_archive(issues, settings),
        charter_archive(issues, settings),
        spaces_archive(issues, settings),
        charter_feed_archive(issues, settings),
    )
    return [archive for archive in found if archive is not None]


def data_downloads(issues: list[Issue]) -> dict[str, Path]:
    """Each issue's data.json under /data/: the file to copy, byte for byte."""
    return {
        f"data/{issue.slug}.json": issue.data_json for issue in issues if issue.data is not None
    }


# The site-wide downloads, and what each holds.
SITE_DOWNLOADS = (
    ("transparency.csv", "the transparency figures of every issue, one figure a row"),
    ("datapackage.json", "describes every CSV file here (a Frictionless Data Package)"),
)


def data_index_page(
    files: dict[str, Any], issues: list[Issue], settings: Settings, slots: Slots
) -> str:
    """/data/: every download the site offers, with what it holds, newest issue first."""
    from .templating import make_environment
    from .transparency_pages import license_entry

    listed = [
        _issue_downloads(issue, files)
        for issue in reversed(issues)
        if f"data/{issue.slug}.json" in files
    ]
    every = [(name, what) for name, what in SITE_DOWNLOADS if f"data/{name}" in files]
    spdx = settings.options.data_license
    terms = license_entry(spdx) if spdx else None
    template = make_environment().get_template("pages/data_index.md.j2")
    return template.render(issues=listed, every=every, license=terms, slots=slots)


def _issue_downloads(issue: Issue, files: dict[str, Any]) -> dict[str, str | None]:
    csv = f"transparency-{issue.slug}.csv"
    return {
        "slug": issue.slug,
        "label": issue.window.season.label,
        "csv": csv if f"data/{csv}" in files else None,
    }


def placeholder_pages(files: dict[str, Any]) -> dict[str, str]:
    """Top-level pages the navigation names, when no issue has their data yet."""
    wanted = {
        "charter/index.md": "Charter",
        "transparency/index.md": "Transparency report",
        "spaces/index.md": "Ethics Spaces",
    }
    return {
        path: f"# {title}\n\nNo published issue has data for this page yet.\n"
        for path, title in wanted.items()
        if path not in files
    }


# What the worker renders with: the sections' renderers and the archive-wide pages,
# imported while it waits for its first job. The transparency methodology quotes
# the queries `collect` runs, from modules that leave DuckDB unimported until a
# query runs (it would hold up the report by 0.06 s).
WORKER_MODULES = (
    *(kind.renderer.partition(":")[0] for kind in SECTIONS),
    "generator.render",
    "generator.feeds",
    "generator.charter_pages",
    "generator.transparency_pages",
    "generator.sources.flags",  # the methodology quotes its SQL
    "generator.spaces_pages",
    "generator.charter_feed",
)


@dataclass
class GeneratedSite:
    """Generated files by docs path, and the fragments their page sources hold.

    `later` gives the files (the feeds) whose entries a worker may still be
    rendering: the engine writes them after the pages. Without a worker of
    the caller's, they are in `files` already and `later` is None.
    """

    files: dict[str, str | bytes | Path]  # a Path: a copy of that file
    slots: Slots
    later: Callable[[], dict[str, bytes]] | None = None
    work: IssueWork | None = None

    def finish(self, *, keep: bool = True) -> None:
        """Keep what the worker rendered in the cache (unless not `keep`)."""
        if self.work is not None:
            self.work.finish(keep=keep)


def start_site(settings: Settings, *, include_drafts: bool, background: Background) -> list[Issue]:
    """The issues of the site, with the worker already rendering the largest of the
    archive-wide pages if the cache lacks it. Called as early as the engine can (the plugin: at
    on_config), so that the pages are ready when `site_files(issues=...)` wants them."""
    issues = load_issues(settings.issues_dir, include_drafts=include_drafts)
    # The largest (the transparency report and its data) takes longer than this
    # process takes to draw the issues' pages; the others are quick, and drawn
    # here after those rather than waited for.
    for pages_of_archive in archives(issues, settings)[:1]:
        background.add(pages_of_archive.key, pages_of_archive.render)
    return issues


def site_files(
    settings: Settings,
    markdown: MarkdownSetup,
    *,
    include_drafts: bool,
    background: Background | None = None,
    issues: list[Issue] | None = None,
) -> GeneratedSite:
    """Every generated file. With the caller's `background` (which the caller
    finishes), the feeds come `later` and the pages' fragments may still be
    promised; then the caller calls `finish` on the result when done. `issues`:
    from `start_site` with the same background (else loaded here)."""
    cache = FragmentCache(settings.cache_dir)
    if background is not None:
        return _site_files(settings, markdown, include_drafts, cache, background, issues)
    # On a cold cache, a worker process renders the archive-wide pages, the
    # issues' fragments and the feed entries while this one draws the pages.
    with Background(cache) as own:
        generated = _site_files(settings, markdown, include_drafts, cache, own, issues)
        try:
            assert generated.later is not None
            generated.files.update(generated.later())
        except BaseException:
            generated.finish(keep=False)
            raise
        generated.finish()
    return GeneratedSite(generated.files, generated.slots)


def _site_files(
    settings: Settings,
    markdown: MarkdownSetup,
    include_drafts: bool,
    cache: FragmentCache,
    background: Background,
    issues: list[Issue] | None,
) -> GeneratedSite:
    if issues is None:
        issues = start_site(settings, include_drafts=include_drafts, background=background)
    slots, work = Slots(), IssueWork(cache, background)
    archive = archives(issues, settings)
    try:
        pages = site_pages(issues, settings, slots, cache, work)
        published = [i for i in issues if i.is_published]
        feeds = site_feeds(published, pages, settings, markdown, slots, cache, work)
        files: dict[str, str | bytes | Path] = {}
        files.update(pages)
        for pages_of_archive in archive:
            files.update(pages_of_archive.pages(cache, slots, background))
        files.update(placeholder_pages(files))
        files.update(data_downloads(issues))
        files["data/index.md"] = data_index_page(files, issues, settings, slots)
        files["subscribe.md"] = subscribe_page(settings)
    except BaseException:
        work.finish(keep=False)
        raise
    return GeneratedSite(files, slots, later=feeds, work=work)
