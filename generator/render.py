"""Render: issues and their data into Markdown page sources, keyed by docs path.

This is the engine-neutral core: `site_pages` returns {docs-relative path:
page source}. The MkDocs plugin only hands these to MkDocs; another engine
could write them into a docs folder. Editors' prose is trusted Markdown;
everything from a source reaches the page through autoescaped HTML fragments,
which wait in slots (see generator.slots) until the Markdown is converted.
"""

from __future__ import annotations

import functools
import html
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from markupsafe import Markup

from .config import Settings
from .fragment_cache import FragmentCache
from .issue_work import FragmentsJob, IssueWork, Piece
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


def section_html(renderer: str, section: Any, tz: str, searchable: bool) -> str:
    """A section's HTML fragment; one kept out of the search index says so."""
    html = _renderer(renderer)(section, tz=tz)
    if not searchable:
        html = f'<div class="nl-section-data" data-search-exclude>\n{html}</div>\n'
    return html


def provenance_html(data: dict[str, Any], slug: str, tz: str) -> str:
    """The provenance panel of an issue with data."""
    from .provenance import provenance_view

    panel = (
        environment()
        .get_template("pages/provenance.html.j2")
        .render(provenance=provenance_view(data, slug), tz=tz)
    )
    return f"<div data-search-exclude>\n{panel}</div>\n"


def _provenance_data(data: dict[str, Any]) -> dict[str, Any]:
    """What the provenance panel reads of data.json (all a worker needs of it)."""
    sections = data.get("sections", {})
    return {
        "sections": {key: {"provenance": s.get("provenance")} for key, s in sections.items()},
        "provenance": data.get("provenance", {}),
    }


def issue_pieces(issue: Issue, tz: str) -> list[tuple[str, Piece]]:
    """The fragments of an issue's page, by what they are: each section key and "provenance".

    Each piece's key is the fragment cache key that determines it: the
    issue's data.json digest, what the piece is and how it is rendered.
    """
    if issue.data is None or issue.data_digest is None:
        return []
    pieces = []
    sections = issue.data.get("sections", {})
    for kind in SECTIONS:
        if kind.key in sections:
            key = (issue.data_digest, kind.key, kind.renderer, tz)
            render = functools.partial(
                section_html, kind.renderer, sections[kind.key], tz, kind.searchable
            )
            pieces.append((kind.key, Piece(key, render, kind.searchable)))
    data = _provenance_data(issue.data)
    render = functools.partial(provenance_html, data, issue.slug, tz)
    key = (issue.data_digest, issue.slug, "provenance", tz)
    pieces.append(("provenance", Piece(key, render)))
    return pieces


def held_pieces(
    issue: Issue, tz: str, slots: Slots, cache: FragmentCache | None, work: IssueWork | None
) -> dict[str, Markup]:
    """The slot marker of each piece of the issue's page, by what it is.

    A searchable piece, or one the cache has, is held now. On a cold cache,
    with `work`, the rest are promised and a worker renders them.
    """
    held, promised = {}, []
    for name, piece in issue_pieces(issue, tz):
        if piece.searchable or work is None or cache is None or cache.has(piece.key):
            html = cache.fragment(piece.key, piece.render) if cache else piece.render()
            held[name] = slots.hold(html, searchable=piece.searchable, key=piece.key)
        else:
            promised.append((name, piece))
    if promised:
        assert work is not None
        get = work.add(FragmentsJob(tuple(piece for _, piece in promised)))
        for name, piece in promised:
            held[name] = slots.promise(
                piece.key, functools.partial(get, piece.key), searchable=piece.searchable
            )
    return held


def issue_page(
    issue: Issue,
    settings: Settings,
    slots: Slots,
    cache: FragmentCache | None = None,
    neighbours: tuple[Issue | None, Issue | None] = (None, None),
    work: IssueWork | None = None,
) -> str:
    """The issue's page source; its sections and provenance wait in `slots`.

    `neighbours` are the issues of the seasons before and after it on the site.
    """
    tz = settings.timezone
    previous, following = (issue_meta(i, tz) if i else None for i in neighbours)
    held = held_pieces(issue, tz, slots, cache, work)
    sections = [
        {"key": kind.key, "heading": kind.heading, "slot": held.get(kind.key)} for kind in SECTIONS
    ]
    body = (
        environment()
        .get_template("pages/issue.md.j2")
        .render(
            issue=issue_meta(issue, tz),
            slots=slots,
            collected=issue.data is not None,
            prose=Markup(issue.prose.strip()),
            sections=sections,
            provenance_slot=held.get("provenance"),
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
    issues: list[Issue],
    settings: Settings,
    slots: Slots,
    cache: FragmentCache | None = None,
    work: IssueWork | None = None,
) -> dict[str, str]:
    """Every generated page source, keyed by its path under the docs folder.

    With `work`, the fragments the cache lacks are promised (see generator.issue_work).
    """
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
            issue, settings, slots, cache, neighbours, work
        )
    return pages
