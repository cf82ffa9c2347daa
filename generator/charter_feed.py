"""/charter/atom.xml: an Atom 1.0 feed of the charter's material changes.

People who watch the charter alone subscribe to this feed. It is written
from the issues' frozen charter sections (no git), like the /charter/ pages:

- one entry per material change, each commit once (a change reported by
  two issues is credited to the first, as on the pages), newest first;
- entry id ``tag:<authority>:charter/<full commit id>``: it never changes
  when a subject is reworded or the URL layout moves;
- published and updated are the change's date; the feed's updated is the
  newest entry's (never the clock), so a rebuild changes nothing;
- the content is the change's rationale, sections and word diff as HTML,
  with insertions and deletions announced in words, every link absolute.

Commit text is untrusted: it reaches the HTML through autoescaped templates,
the XML through lxml (which escapes it again as element text), and
characters XML cannot carry are dropped first.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from generator.charter_diff import MATERIAL
from generator.charter_pages import CharterVersion, charter_versions, version_view
from generator.charter_section import change_view
from generator.errors import IssueError
from generator.feeds import ATOM_NS, absolutize, sub_element, xml_text
from generator.templating import make_environment

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
FEED_PATH = "charter/atom.xml"
ENTRY_TEMPLATE = "pages/charter_feed_entry.html.j2"
# With no material change yet: a fixed instant, never the build's clock.
NO_CHANGE_YET = "1970-01-01T00:00:00+00:00"
_FULL_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def _commit_id(version: CharterVersion) -> str:
    commit = version.change["commit"]
    # It becomes the entry's permanent id: a git object id and nothing else.
    if not isinstance(commit, str) or not _FULL_COMMIT.fullmatch(commit):
        raise IssueError(f"charter: bad commit id {commit!r} in an issue's data.json")
    return commit


def material_changes(sections: list[tuple[str, dict]]) -> list[CharterVersion]:
    """Material changes, each commit once, newest first (history order breaks ties)."""
    versions = [v for v in charter_versions(sections) if v.change["kind"] == MATERIAL]
    ordered = sorted(
        enumerate(versions),
        key=lambda item: (datetime.fromisoformat(item[1].change["date"]), item[0]),
        reverse=True,
    )
    return [version for _, version in ordered]


def _version_url(site_url: str, version: CharterVersion) -> str:
    # charter/versions/<short>.md is served at charter/versions/<short>/.
    return urljoin(site_url, version.page.removesuffix(".md") + "/")


def _entry_html(version: CharterVersion, site_url: str, tz: str) -> str:
    view = version_view(version)
    version_url = _version_url(site_url, version)
    html = (
        make_environment()
        .get_template(ENTRY_TEMPLATE)
        .render(
            v=view,
            tz=tz,
            issue_url=urljoin(site_url, f"issues/{version.issue_slug}/"),
            version_url=version_url,
        )
    )
    # Every link absolute (feed readers have no page to resolve against).
    return absolutize(xml_text(html), version_url)


def _sub(parent: Any, name: str, text: str | None = None, **attributes: str) -> Any:
    """An Atom element, its text and attributes cleared of what XML cannot carry."""
    return sub_element(parent, f"{{{ATOM_NS}}}{name}", text, **attributes)


def _summary(view: dict) -> str:
    rationale = view["rationale"]
    return " ".join(rationale) if rationale else "No rationale was recorded."


def _add_entry(feed: Any, version: CharterVersion, site_url: str, authority: str, tz: str) -> None:
    view = change_view(version.change)
    entry = _sub(feed, "entry")
    _sub(entry, "id", f"tag:{authority}:charter/{_commit_id(version)}")
    _sub(entry, "title", view["subject"])
    _sub(entry, "link", rel="alternate", type="text/html", href=_version_url(site_url, version))
    date = datetime.fromisoformat(version.change["date"]).isoformat()
    _sub(entry, "published", date)
    _sub(entry, "updated", date)
    _sub(_sub(entry, "author"), "name", view["author"] or "Unknown author")
    for label in view["sections"]:
        _sub(entry, "category", term=label)
    _sub(entry, "summary", _summary(view))
    _sub(entry, "content", _entry_html(version, site_url, tz), type="html")


def charter_atom_feed(
    sections: list[tuple[str, dict]],
    *,
    site_url: str,
    site_name: str,
    tag_authority: str,
    tz: str = "UTC",
) -> bytes:
    """The Atom feed of material charter changes, from (issue slug, section) pairs.

    `sections` are the published issues' charter sections, oldest issue
    first (as for the /charter/ pages); drafts must not be passed.
    """
    site_url = site_url if site_url.endswith("/") else site_url + "/"
    changes = material_changes(sections)
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})  # type: ignore[dict-item]
    feed.set(XML_BASE, site_url)
    _sub(feed, "id", f"tag:{tag_authority}:charter")
    _sub(feed, "title", f"{site_name}: ethical charter changes")
    _sub(feed, "subtitle", "Every material change to the ethical charter, with its rationale.")
    updated = (
        datetime.fromisoformat(changes[0].change["date"]).isoformat() if changes else NO_CHANGE_YET
    )
    _sub(feed, "updated", updated)
    _sub(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=urljoin(site_url, FEED_PATH),
    )
    _sub(feed, "link", rel="alternate", type="text/html", href=urljoin(site_url, "charter/"))
    _sub(_sub(feed, "author"), "name", site_name)
    for version in changes:
        _add_entry(feed, version, site_url, tag_authority, tz)
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
