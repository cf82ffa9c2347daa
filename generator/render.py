"""Render: issues and their data into Markdown page sources, keyed by docs path.

This is the engine-neutral core: `site_pages` returns {docs-relative path:
page source}. The MkDocs plugin only hands these to MkDocs; another engine
could write them into a docs folder. Editors' prose is trusted Markdown;
everything from a source reaches the page through autoescaped HTML fragments.
"""

from __future__ import annotations

import html
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from markupsafe import Markup

from .config import Settings
from .issues import Issue
from .seasons import SEASON_LABELS, following_season
from .templating import make_environment


@dataclass(frozen=True)
class SectionKind:
    key: str  # key under data.json "sections"
    heading: str
    renderer: str  # "module:function" taking (section, *, tz) -> HTML fragment
    # Whether the site search indexes the section. Figures and tables stay out:
    # they would make the index, which every page loads, several times heavier.
    searchable: bool = True


SECTIONS = (
    SectionKind("charter", "Charter changes", "generator.sources.charter:render_charter_section"),
    SectionKind(
        "transparency",
        "Transparency report",
        "generator.transparency:render_transparency_section",
        searchable=False,
    ),
    SectionKind("spaces", "Ethics Spaces", "generator.sources.spaces:render_spaces_section"),
    SectionKind("reading", "Reading list", "generator.sources.reading:render_reading_section"),
)


def environment() -> Any:
    """The shared jinja2 environment (templates compile once per process)."""
    return make_environment()


def _renderer(dotted: str) -> Callable[..., str]:
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def with_front_matter(meta: dict[str, Any], body: str) -> str:
    header = yaml.safe_dump(meta, sort_keys=True, allow_unicode=True, width=1000)
    return f"---\n{header}---\n\n{body}"


def issue_meta(issue: Issue, tz: str) -> dict[str, Any]:
    """What pages and feeds say about an issue, apart from its content."""
    season = issue.window.season
    return {
        "slug": issue.slug,
        "title": issue.meta.title,
        "summary": issue.meta.summary,
        "editors": list(issue.meta.editors),
        "number": issue.number,
        "status": issue.meta.status,
        "season": season.label,
        "season_name": SEASON_LABELS[season.season],
        "year": season.year,
        "instant": season.instant.isoformat(),
        "date": season.local_date(tz).isoformat(),
        "url": issue.url,
        "corrections": [c.__dict__ for c in issue.meta.corrections],
    }


def section_fragments(issue: Issue, tz: str) -> list[dict[str, Any]]:
    """Each section's heading and HTML fragment, or None where there is no data."""
    sections = (issue.data or {}).get("sections", {})
    fragments = []
    for kind in SECTIONS:
        section = sections.get(kind.key)
        html = None
        if section is not None:
            html = Markup(_renderer(kind.renderer)(section, tz=tz))
        fragments.append(
            {"key": kind.key, "heading": kind.heading, "html": html, "searchable": kind.searchable}
        )
    return fragments


def issue_page(issue: Issue, settings: Settings) -> str:
    from .provenance import provenance_view

    tz = settings.timezone
    body = (
        environment()
        .get_template("pages/issue.md.j2")
        .render(
            issue=issue_meta(issue, tz),
            collected=issue.data is not None,
            prose=Markup(issue.prose.strip()),
            sections=section_fragments(issue, tz),
            provenance=provenance_view(issue.data, issue.slug),
            tz=tz,
        )
    )
    # MkDocs themes print page titles and descriptions unescaped: escape them here.
    meta = {"title": html.escape(issue.meta.title), "description": html.escape(issue.meta.summary)}
    return with_front_matter(meta, body)


def archive_page(issues: list[Issue], settings: Settings) -> str:
    tz = settings.timezone
    by_year: dict[int, list[dict[str, Any]]] = {}
    for issue in reversed(issues):
        by_year.setdefault(issue.window.season.year, []).append(issue_meta(issue, tz))
    body = (
        environment()
        .get_template("pages/archive.md.j2")
        .render(years=sorted(by_year.items(), reverse=True), tz=tz)
    )
    return with_front_matter({"title": "Archive"}, body)


def home_page(issues: list[Issue], settings: Settings) -> str:
    tz = settings.timezone
    published = [i for i in issues if i.is_published]
    latest = published[-1] if published else None
    upcoming = following_season(latest.window.season) if latest else None
    body = (
        environment()
        .get_template("pages/home.md.j2")
        .render(
            site_name=settings.site_name,
            description=settings.site_description,
            latest=issue_meta(latest, tz) if latest else None,
            recent=[issue_meta(i, tz) for i in reversed(published[-5:-1])],
            upcoming={"label": upcoming.label, "date": upcoming.local_date(tz).isoformat()}
            if upcoming
            else None,
            tz=tz,
        )
    )
    return with_front_matter({"title": settings.site_name}, body)


def site_pages(issues: list[Issue], settings: Settings) -> dict[str, str]:
    """Every generated page source, keyed by its path under the docs folder."""
    pages = {
        "index.md": home_page(issues, settings),
        "issues/index.md": archive_page(issues, settings),
    }
    for issue in issues:
        pages[f"issues/{issue.slug}/index.md"] = issue_page(issue, settings)
    return pages
