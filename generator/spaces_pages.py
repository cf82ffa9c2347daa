"""Render the Spaces section of an issue and the /spaces/ pages.

Input is the section dict from data.json, which is public and editable, so
nothing in it is trusted here either: ids are validated again, and a Space
link is rebuilt from the endpoint and the id (never taken from the data) and
only kept when it matches the stored one.
"""

from __future__ import annotations

from typing import Any

from .errors import NewsletterError
from .slots import Slots
from .sources.spaces import CATEGORIES, CATEGORY_TITLES, public_base, space_url, valid_space_id
from .templating import make_environment

CATEGORY_BLURBS = {
    "rigorous": "Best practices, audits, privacy and security, and clear limitations.",
    "consentful": "Self-determination for the people who use or are affected by the technology.",
    "socially-conscious": "Technology serving social, environmental and scientific efforts.",
    "sustainable": "Ecologically sustainable machine learning.",
    "inclusive": "Widening who builds machine learning and who benefits from it.",
    "inquisitive": "Shedding light on inequities and power structures.",
}
# Relative links: an issue lives at /issues/<slug>/, the catalogue at /spaces/.
FROM_ISSUE = "../../spaces/"


def _space_view(space: dict[str, Any], base: str | None) -> dict[str, Any]:
    space_id = space.get("id")
    if not valid_space_id(space_id):
        raise NewsletterError(f"spaces section: invalid Space id {space_id!r}")
    assert isinstance(space_id, str)
    href = None
    if base is not None and space.get("url") == space_url(base, space_id):
        href = space_url(base, space_id)
    return {
        "id": space_id,
        "title": str(space.get("title") or space_id.split("/", 1)[1]),
        "emoji": space.get("emoji") or None,
        "description": space.get("description") or None,
        "likes": int(space.get("likes") or 0),
        "created": space["created"],
        "href": href,
    }


def _views(section: dict[str, Any]) -> dict[str, dict[str, Any]]:
    try:
        base: str | None = public_base(str(section["provenance"]["endpoint"]))
    except (KeyError, TypeError, NewsletterError):
        base = None  # no trustworthy endpoint: show Spaces without links
    return {view["id"]: view for view in (_space_view(s, base) for s in section["spaces"])}


def _pick(views: dict[str, dict[str, Any]], ids: list[str]) -> list[dict[str, Any]]:
    missing = [i for i in ids if i not in views]
    if missing:
        raise NewsletterError(f"spaces section: unknown Space ids {missing[:3]!r}")
    return [views[i] for i in ids]


def _categories(section: dict[str, Any], views: dict[str, dict[str, Any]], prefix: str) -> list:
    given = {c["key"]: c for c in section["categories"]}
    tags = section.get("provenance", {}).get("tags", {})
    result = []
    for key in CATEGORIES:
        category = given.get(key, {})
        result.append(
            {
                "key": key,
                "title": CATEGORY_TITLES[key],
                "blurb": CATEGORY_BLURBS[key],
                "tags": [str(t) for t in tags.get(key, [f"ethics-{key}"])],
                "href": f"{prefix}{key}/",
                "count": int(category.get("count", 0)),
                "new": _pick(views, category.get("new", [])),
                "updated": _pick(views, category.get("updated", [])),
                "updated_count": int(category.get("updated_count", 0)),
                "all": _pick(views, category.get("all", [])),
            }
        )
    return result


def render_spaces_section(section: dict, *, tz: str) -> str:
    """The HTML fragment for an issue page (linking to /spaces/ relatively)."""
    views = _views(section)
    template = make_environment().get_template("sections/spaces.html.j2")
    return template.render(
        tz=tz,
        totals=section["totals"],
        spotlight=_pick(views, section["spotlight"]),
        categories=_categories(section, views, FROM_ISSUE),
        index_href=FROM_ISSUE,
    )


def spaces_pages(section: dict, *, tz: str = "UTC", slots: Slots | None = None) -> dict[str, str]:
    """'spaces/index.md' and 'spaces/<category>.md' from the latest issue's section."""
    views = _views(section)
    env = make_environment()
    as_of = section["provenance"]["as_of"]
    # index.md is served at /spaces/, a category page at /spaces/<key>/.
    categories = _categories(section, views, "")
    pages = {
        "spaces/index.md": env.get_template("pages/spaces_index.md.j2").render(
            tz=tz, as_of=as_of, totals=section["totals"], categories=categories, slots=slots
        )
    }
    category_page = env.get_template("pages/spaces_category.md.j2")
    for category in categories:
        pages[f"spaces/{category['key']}.md"] = category_page.render(
            tz=tz, as_of=as_of, category=category, slots=slots
        )
    return pages
