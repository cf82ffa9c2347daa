"""Everything the site generates, as {docs-relative path: content}.

Engine-neutral: the MkDocs plugin adds these as generated files; another
engine (or a test) can write them into a docs folder, and fill the slots of
the HTML it converts them to (generator.slots). Only published issues
reach the pages and feeds, unless `include_drafts` (used by `serve`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .config import Settings
from .feeds import site_feeds, subscribe_page
from .fragment_cache import FragmentCache
from .issues import Issue, load_issues
from .render import MissingSections, issue_meta, site_pages
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


def _cached_pages(
    cache: FragmentCache | None,
    name: str,
    issues: list[Issue],
    settings: Settings,
    build: Callable[[Slots | None], dict[str, str]],
    slots: Slots,
) -> dict[str, str]:
    """`build(slots)`'s pages, from the cache when the issues are as they were.

    The fragments the pages hold are cached with them and held in `slots` again.
    """
    if cache is None:
        return build(slots)

    def render() -> str:
        own = Slots()
        pages = build(own)
        held = [[f.html, f.searchable] for f in own.fragments.values()]
        return json.dumps({"pages": pages, "held": held}, sort_keys=True)

    stored = json.loads(cache.fragment((name, _archive_state(issues, settings)), render))
    for fragment, searchable in stored["held"]:
        slots.hold(fragment, searchable=searchable)
    return stored["pages"]  # type: ignore[no-any-return]


def charter_files(
    issues: list[Issue],
    settings: Settings,
    cache: FragmentCache | None,
    slots: Slots,
) -> dict[str, str]:
    found = published_sections(issues, "charter")
    if not found:
        return {}

    def build(held: Slots | None) -> dict[str, str]:
        from .charter_pages import charter_pages

        return charter_pages([(i.slug, s) for i, s in found], tz=settings.timezone, slots=held)

    return _cached_pages(cache, "charter-pages", issues, settings, build, slots)


def transparency_files(
    issues: list[Issue],
    settings: Settings,
    cache: FragmentCache | None,
    slots: Slots,
) -> dict[str, str]:
    published = [i for i in issues if i.is_published]
    found = published_sections(published, "transparency")
    if not found:
        return {}

    def build(held: Slots | None) -> dict[str, str]:
        from .transparency_pages import transparency_pages

        metas = [(issue_meta(i, settings.timezone), s) for i, s in found]
        return transparency_pages(metas, held, settings.options.data_license)

    # The Data Package names the data's licence too.
    name = "\0".join(("transparency-pages", settings.options.data_license or ""))
    return _cached_pages(cache, name, published, settings, build, slots)


def spaces_files(
    issues: list[Issue],
    settings: Settings,
    cache: FragmentCache | None,
    slots: Slots,
) -> dict[str, str]:
    found = published_sections(issues, "spaces")
    if not found:
        return {}

    def build(held: Slots | None) -> dict[str, str]:
        from .spaces_pages import spaces_pages

        return spaces_pages(found[-1][1], tz=settings.timezone, slots=held)

    return _cached_pages(cache, "spaces-pages", issues, settings, build, slots)


def charter_feed_files(
    issues: list[Issue], settings: Settings, cache: FragmentCache | None = None
) -> dict[str, bytes]:
    """/charter/atom.xml: one entry per material change, from published issues only."""
    published = [i for i in issues if i.is_published]
    found = published_sections(published, "charter")
    if not found:
        return {}

    def build(_: Slots | None) -> dict[str, str]:
        from .charter_feed import charter_atom_feed

        feed = charter_atom_feed(
            [(i.slug, s) for i, s in found],
            site_url=settings.site_url,
            site_name=settings.site_name,
            tag_authority=settings.tag_authority,
            tz=settings.timezone,
        )
        return {"charter/atom.xml": feed.decode("utf-8")}

    # The feed also depends on the site's address, name and tag authority.
    site = (settings.site_url, settings.site_name, settings.tag_authority)
    name = "\0".join(("charter-feed", *site))
    pages = _cached_pages(cache, name, published, settings, build, Slots())
    return {path: text.encode("utf-8") for path, text in pages.items()}


def data_downloads(issues: list[Issue]) -> dict[str, bytes]:
    """Each issue's data.json, byte for byte, under /data/."""
    return {
        f"data/{issue.slug}.json": issue.data_json.read_bytes()
        for issue in issues
        if issue.data is not None
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


@dataclass
class GeneratedSite:
    """Generated files by docs path, and the fragments their page sources hold."""

    files: dict[str, str | bytes]
    slots: Slots


def site_files(
    settings: Settings, markdown: MarkdownSetup, *, include_drafts: bool
) -> GeneratedSite:
    issues = load_issues(settings.issues_dir, include_drafts=include_drafts)
    slots, cache = Slots(), FragmentCache(settings.cache_dir)
    # On a cold cache, worker processes draw the issues' sections while this
    # process builds the pages made from every issue.
    with MissingSections(issues, settings.timezone, cache):
        archive_files = {
            **charter_files(issues, settings, cache, slots),
            **transparency_files(issues, settings, cache, slots),
            **spaces_files(issues, settings, cache, slots),
        }
    pages = site_pages(issues, settings, slots, cache)
    files: dict[str, str | bytes] = {}
    files.update(pages)
    files.update(archive_files)
    files.update(placeholder_pages(files))
    files.update(data_downloads(issues))
    files["data/index.md"] = data_index_page(files, issues, settings, slots)
    published = [i for i in issues if i.is_published]
    files.update(site_feeds(published, pages, settings, markdown, slots, cache))
    files.update(charter_feed_files(issues, settings, cache))
    files["subscribe.md"] = subscribe_page(settings)
    return GeneratedSite(files, slots)
