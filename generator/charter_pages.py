"""Build the /charter/ page and one page per charter version, from frozen data.

Input is every issue's charter section (from data.json), so the pages need
no git repository. A version reported by several issues (overlapping
windows, a re-collected issue) appears once, credited to the first issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

from generator.charter_markdown import safe_charter_markdown
from generator.charter_section import change_view
from generator.errors import IssueError
from generator.seasons import season_for_slug
from generator.slots import Slots
from generator.templating import make_environment

INDEX_PAGE = "charter/index.md"
INDEX_TEMPLATE = "pages/charter_index.md.j2"
VERSION_TEMPLATE = "pages/charter_version.md.j2"
# The charter's own headings go under the page's "## …" headings.
HEADING_SHIFT = 2


@dataclass(frozen=True)
class CharterVersion:
    """One version of the charter and the issue that reported it."""

    issue_slug: str
    change: dict

    @property
    def page(self) -> str:
        short = self.change["short"]
        # It becomes a file name and a Markdown link target: hex digits only.
        if not re.fullmatch(r"[0-9a-f]{7,64}", short):
            raise IssueError(f"charter: bad short commit id {short!r} in an issue's data.json")
        return f"charter/versions/{short}.md"

    @property
    def issue_label(self) -> str:
        """How readers know the issue: its season, 'September equinox 2026'."""
        try:
            return season_for_slug(self.issue_slug).label
        except IssueError:  # not a season's slug: shown as it is
            return self.issue_slug


def charter_versions(sections: list[tuple[str, dict]]) -> list[CharterVersion]:
    """Every version, oldest first, each commit once."""
    seen: set[str] = set()
    versions: list[CharterVersion] = []
    for slug, section in sections:
        for change in section["changes"]:
            if change["commit"] in seen:
                continue
            seen.add(change["commit"])
            versions.append(CharterVersion(issue_slug=slug, change=change))
    return versions


def _charter_body(text: str | None) -> Markup | None:
    """The team's Markdown, with raw HTML disarmed (see charter_markdown)."""
    if text is None:
        return None
    # Markup: safe_charter_markdown has escaped everything HTML could use.
    return Markup(safe_charter_markdown(text, heading_shift=HEADING_SHIFT))


def _current(sections: list[tuple[str, dict]]) -> dict | None:
    for _, section in reversed(sections):
        if section.get("current"):
            return section["current"]
    return None


def version_view(version: CharterVersion) -> dict:
    """What the charter's pages and its feed show of one version."""
    return {
        **change_view(version.change),
        "issue_slug": version.issue_slug,
        "issue_label": version.issue_label,
        "version_page": version.page.removeprefix("charter/"),
    }


def charter_pages(
    sections: list[tuple[str, dict]], *, tz: str, slots: Slots | None = None
) -> dict[str, str]:
    """Markdown sources keyed by docs-relative path: the index and each version.

    With `slots`, their generated HTML blocks wait there (see generator.slots)."""
    env = make_environment()
    versions = charter_versions(sections)
    current = _current(sections)
    pages = {
        INDEX_PAGE: env.get_template(INDEX_TEMPLATE).render(
            tz=tz,
            slots=slots,
            current=current,
            current_body=_charter_body(current["text"]) if current else None,
            timeline=[version_view(v) for v in reversed(versions)],
        )
    }
    version_template = env.get_template(VERSION_TEMPLATE)
    for version in versions:
        pages[version.page] = version_template.render(
            tz=tz,
            slots=slots,
            v=version_view(version),
            body=_charter_body(version.change["text"]),
        )
    return pages
