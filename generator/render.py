"""Render: issues and their data into Markdown page sources, keyed by docs path.

This is the engine-neutral core: `site_pages` returns {docs-relative path:
page source}. The MkDocs plugin only hands these to MkDocs; another engine
could write them into a docs folder. Editors' prose is trusted Markdown;
everything from a source reaches the page through autoescaped HTML fragments,
which wait in slots (see generator.slots) until the Markdown is converted.
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
from .fragment_cache import FragmentCache
from .issues import Issue
from .seasons import SEASON_LABELS, following_season
from .slots import Slots
from .templating import make_environment

# libyaml's emitter when PyYAML has it: the same safe output, several times faster.
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True)
class SectionKind:
    key: str  # key under data.json "sections"
    heading: str
    # "module:function" taking (section, *, tz) -> HTML fragment. Rendering
    # modules, not the sources: a build never imports a source's client.
    renderer: str
    # Whether the site search indexes the section. Figures and tables stay out:
    # they would make the index, which every page loads, several times heavier.
    searchable: bool = True


SECTIONS = (
    SectionKind("charter", "Charter changes", "generator.charter_section:render_charter_section"),
    SectionKind(
        "transparency",
        "Transparency report",
        "generator.transparency_pages:render_transparency_section",
        searchable=False,
    ),
    # Space titles and descriptions, and the entries of other people's feeds, are
    # anyone's text: the search index keeps to the team's words. /spaces/ and its
    # category pages stay searchable.
    SectionKind(
        "spaces",
        "Ethics Spaces",
        "generator.spaces_pages:render_spaces_section",
        searchable=False,
    ),
    SectionKind(
        "reading",
        "Reading list",
        "generator.sources.reading:render_reading_section",
        searchable=False,
    ),
)


def environment() -> Any:
    """The shared jinja2 environment (templates compile once per process)."""
    return make_environment()


def _renderer(dotted: str) -> Callable[..., str]:
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def with_front_matter(meta: dict[str, Any], body: str) -> str:
    header = yaml.dump(meta, Dumper=SAFE_DUMPER, sort_keys=True, allow_unicode=True, width=1000)
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


def section_fragments(
    issue: Issue, tz: str, cache: FragmentCache | None = None
) -> list[dict[str, Any]]:
    """Each section's heading and HTML fragment, or None where there is no data."""
    sections = (issue.data or {}).get("sections", {})
    fragments = []
    for kind in SECTIONS:
        section = sections.get(kind.key)
        html = None
        if section is not None:
            html = Markup(_rendered(kind, section, issue, tz, cache))
        fragments.append(
            {"key": kind.key, "heading": kind.heading, "html": html, "searchable": kind.searchable}
        )
    return fragments


def _issue_fragment(
    cache: FragmentCache | None, issue: Issue, parts: tuple[str, ...], render: Callable[[], str]
) -> str:
    """`render()`, kept in the cache under the issue's data.json digest and `parts`.

    The digest determines everything rendered from the data; the cache adds
    the code's fingerprint. An issue without a digest is rendered every time.
    """
    if cache is None or issue.data_digest is None:
        return render()
    return cache.fragment((issue.data_digest, *parts), render)


def _rendered(
    kind: SectionKind, section: Any, issue: Issue, tz: str, cache: FragmentCache | None
) -> str:
    def render() -> str:
        return _renderer(kind.renderer)(section, tz=tz)

    return _issue_fragment(cache, issue, _section_parts(kind, tz), render)


def _section_parts(kind: SectionKind, tz: str) -> tuple[str, ...]:
    return (kind.key, kind.renderer, tz)


def _held_sections(
    issue: Issue, tz: str, slots: Slots, cache: FragmentCache | None
) -> list[dict[str, Any]]:
    """Each section with a slot marker in place of its fragment (None without data)."""
    held = []
    for fragment in section_fragments(issue, tz, cache):
        markup, slot = fragment["html"], None
        if markup is not None and not fragment["searchable"]:
            markup = f'<div class="nl-section-data" data-search-exclude>\n{markup}</div>\n'
        if markup is not None:
            slot = slots.hold(markup, searchable=fragment["searchable"])
        held.append({**fragment, "slot": slot})
    return held


def _held_provenance(
    issue: Issue, tz: str, slots: Slots, cache: FragmentCache | None
) -> Markup | None:
    from .provenance import provenance_view

    def render() -> str:
        provenance = provenance_view(issue.data, issue.slug)
        if not provenance:
            return ""
        panel = (
            environment()
            .get_template("pages/provenance.html.j2")
            .render(provenance=provenance, tz=tz)
        )
        return f"<div data-search-exclude>\n{panel}</div>\n"

    html = _issue_fragment(cache, issue, (issue.slug, "provenance", tz), render)
    return slots.hold(html, searchable=False) if html else None


def issue_page(
    issue: Issue,
    settings: Settings,
    slots: Slots,
    cache: FragmentCache | None = None,
    neighbours: tuple[Issue | None, Issue | None] = (None, None),
) -> str:
    """The issue's page source; its sections and provenance wait in `slots`.

    `neighbours` are the issues of the seasons before and after it on the site.
    """
    tz = settings.timezone
    previous, following = (issue_meta(i, tz) if i else None for i in neighbours)
    body = (
        environment()
        .get_template("pages/issue.md.j2")
        .render(
            issue=issue_meta(issue, tz),
            slots=slots,
            collected=issue.data is not None,
            prose=Markup(issue.prose.strip()),
            sections=_held_sections(issue, tz, slots, cache),
            provenance_slot=_held_provenance(issue, tz, slots, cache),
            previous=previous,
            next=following,
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
    return with_front_matter({"title": "Issues"}, body)


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
    # No title of its own: the theme then titles the home page with the site's
    # name alone, not "name - name"; its heading is the site's name too.
    return f"# {html.escape(settings.site_name)}\n\n{body}"


def site_pages(
    issues: list[Issue], settings: Settings, slots: Slots, cache: FragmentCache | None = None
) -> dict[str, str]:
    """Every generated page source, keyed by its path under the docs folder."""
    pages = {
        "index.md": home_page(issues, settings),
        "issues/index.md": archive_page(issues, settings),
    }
    for index, issue in enumerate(issues):
        neighbours = (
            issues[index - 1] if index > 0 else None,
            issues[index + 1] if index + 1 < len(issues) else None,
        )
        pages[f"issues/{issue.slug}/index.md"] = issue_page(
            issue, settings, slots, cache, neighbours
        )
    return pages
