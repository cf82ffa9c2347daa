"""The Spaces section and /spaces/ pages: hostile Hub text must come out inert."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import markdown
import pytest
from bs4 import BeautifulSoup, Tag

from generator.errors import NewsletterError
from generator.sources.spaces import CATEGORIES, collect_spaces
from generator.spaces_pages import render_spaces_section, spaces_pages

START = datetime(2026, 6, 21, 8, 24, tzinfo=UTC)
END = datetime(2026, 9, 22, 18, 5, tzinfo=UTC)
DURING = "2026-07-01T09:30:00.000Z"
TAGS = {key: [f"ethics-{key}"] for key in CATEGORIES}
ENDPOINT = "https://huggingface.co"

HOSTILE_TITLE = "<script>alert(1)</script>[click me](javascript:alert(2)) ![x](data:text/html,hi)"
HOSTILE_DESCRIPTION = (
    '"><img src=x onerror=alert(3)><a href="javascript:alert(4)" onclick="evil()">go</a>'
    " <!-- c --> <iframe src=//evil.example></iframe> [ref]: javascript:alert(5)"
)


def hub_object(space_id, tags, likes=0, card=None, **extra):
    obj = {
        "id": space_id,
        "likes": likes,
        "createdAt": DURING,
        "lastModified": DURING,
        "private": False,
        "disabled": False,
        "tags": tags,
    }
    if card is not None:
        obj["cardData"] = card
    return {**obj, **extra}


OBJECTS = [
    hub_object(
        "evil/space",
        ["ethics-rigorous", "ethics-inquisitive"],
        likes=5,
        card={
            "title": HOSTILE_TITLE,
            "emoji": "<svg onload=alert(6)>",
            "short_description": HOSTILE_DESCRIPTION,
        },
        url="javascript:alert(7)",
    ),
    hub_object(
        "plain/space",
        ["ethics-consentful"],
        likes=2,
        card={"title": "Plain & simple", "emoji": "🌍", "short_description": "Fine."},
    ),
    hub_object("bare/space", ["ethics-sustainable"]),
]


@pytest.fixture
def section(tmp_path):
    path = tmp_path / "spaces.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in OBJECTS), "utf-8")
    return collect_spaces(
        snapshot=path, endpoint=ENDPOINT, token=None, categories=TAGS, start=START, end=END
    )


def as_html(markdown_page: str) -> str:
    """As MkDocs with Material's usual extensions would turn the page into HTML."""
    return markdown.markdown(markdown_page, extensions=["md_in_html", "attr_list", "tables"])


def assert_inert(soup: BeautifulSoup) -> None:
    assert soup.find_all(["script", "iframe", "img", "svg", "object", "embed"]) == []
    for tag in soup.find_all(True):
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag
        for name in ("href", "src"):
            value = str(tag.get(name, "")).strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), tag


@dataclass
class Item:
    """One listed Space, read from the markup's structure (its parts carry no class)."""

    li: Tag
    emoji: Tag | None
    title: Tag
    description: str | None


def items(soup: BeautifulSoup) -> list[Item]:
    found = []
    for li in soup.select("ul.nl-space-list > li"):
        emoji = li.find("span", attrs={"aria-hidden": "true"}, recursive=False)
        title = next(t for t in li.find_all(["a", "span"], recursive=False) if t is not emoji)
        br = li.find("br", recursive=False)
        description = "".join(str(text) for text in br.next_siblings) if br else None
        found.append(Item(li, emoji, title, description))
    return found


def space_links(soup: BeautifulSoup) -> list[str]:
    return [i.title["href"] for i in items(soup) if i.title.name == "a"]


def test_issue_section_is_inert_and_shows_hostile_text_as_text(section):
    soup = BeautifulSoup(render_spaces_section(section, tz="Europe/Paris"), "html.parser")
    assert_inert(soup)
    titles = [i.title.get_text() for i in items(soup)]
    assert HOSTILE_TITLE in titles
    descriptions = [i.description for i in items(soup) if i.description]
    assert any("onerror=alert(3)" in d for d in descriptions)  # shown, not run
    # The emoji field held markup, so it was dropped rather than shown.
    assert all(i.emoji.get_text() == "🌍" for i in items(soup) if i.emoji)
    assert set(space_links(soup)) == {
        "https://huggingface.co/spaces/evil/space",
        "https://huggingface.co/spaces/plain/space",
        "https://huggingface.co/spaces/bare/space",
    }


def test_issue_section_structure_and_relative_links(section):
    soup = BeautifulSoup(render_spaces_section(section, tz="UTC"), "html.parser")
    outer = soup.find_all(recursive=False)
    assert len(outer) == 1 and outer[0]["class"] == ["nl-spaces"]
    assert [h.get_text() for h in soup.select("h3.nl-spaces-category")] == [
        "Rigorous",
        "Consentful",
        "Socially conscious",
        "Sustainable",
        "Inclusive",
        "Inquisitive",
    ]
    category_links = [a["href"] for a in soup.select(".nl-spaces-all a")]
    assert category_links == [f"../../spaces/{key}/" for key in CATEGORIES]
    assert soup.select_one(".nl-spaces-summary a")["href"] == "../../spaces/"
    # A Space with no card: its name as title, no emoji, no description.
    bare = [i for i in items(soup) if "bare/space" in i.li.get_text()][0]
    assert bare.title.get_text() == "space"
    assert bare.emoji is None and bare.description is None


def test_section_survives_markdown_as_one_inert_block(section):
    page = "# Issue\n\n## Ethics Spaces\n\n" + render_spaces_section(section, tz="UTC")
    soup = BeautifulSoup(as_html(page), "html.parser")
    assert_inert(soup)
    # Markdown inside the block is not interpreted: the injected link stays text.
    assert not [a for a in soup.find_all("a") if "alert" in a.get("href", "")]
    assert HOSTILE_TITLE in [i.title.get_text() for i in items(soup)]


def test_spaces_pages_are_built_for_every_category(section):
    pages = spaces_pages(section, tz="UTC")
    assert sorted(pages) == sorted(["spaces/index.md"] + [f"spaces/{k}.md" for k in CATEGORIES])
    for name, text in pages.items():
        assert text.startswith("# "), name
        soup = BeautifulSoup(as_html(text), "html.parser")
        assert_inert(soup)
        assert len(soup.find_all("h1")) == 1
    index = BeautifulSoup(as_html(pages["spaces/index.md"]), "html.parser")
    assert index.h1.get_text() == "Ethics Spaces"
    counts = [li.get_text() for li in index.select(".nl-spaces-categories li")]
    assert counts == [
        "Rigorous: 1 Space",
        "Consentful: 1 Space",
        "Socially conscious: 0 Spaces",
        "Sustainable: 1 Space",
        "Inclusive: 0 Spaces",
        "Inquisitive: 1 Space",
    ]
    assert [a["href"] for a in index.select(".nl-spaces-categories a")] == [
        f"{key}/" for key in CATEGORIES
    ]
    rigorous = BeautifulSoup(as_html(pages["spaces/rigorous.md"]), "html.parser")
    assert rigorous.h1.get_text() == "Rigorous Spaces"
    assert space_links(rigorous) == ["https://huggingface.co/spaces/evil/space"]
    empty = BeautifulSoup(as_html(pages["spaces/inclusive.md"]), "html.parser")
    assert empty.select(".nl-spaces-none") and not items(empty)


def test_tampered_url_in_data_gives_no_link(section):
    tampered = copy.deepcopy(section)
    for space in tampered["spaces"]:
        space["url"] = "javascript:alert(8)"
    soup = BeautifulSoup(render_spaces_section(tampered, tz="UTC"), "html.parser")
    assert_inert(soup)
    assert space_links(soup) == []
    assert [i.title.name for i in items(soup)] == ["span"] * len(items(soup)) != []


def test_tampered_id_in_data_is_refused(section):
    tampered = copy.deepcopy(section)
    tampered["spaces"][0]["id"] = '"><script>x</script>'
    with pytest.raises(NewsletterError, match="invalid Space id"):
        render_spaces_section(tampered, tz="UTC")


def test_dates_follow_the_time_zone(tmp_path):
    late = hub_object("tz/space", ["ethics-rigorous"], createdAt="2026-07-01T23:30:00+00:00")
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(late) + "\n", "utf-8")
    section = collect_spaces(
        snapshot=path, endpoint=ENDPOINT, token=None, categories=TAGS, start=START, end=END
    )
    utc = BeautifulSoup(render_spaces_section(section, tz="UTC"), "html.parser")
    tokyo = BeautifulSoup(render_spaces_section(section, tz="Asia/Tokyo"), "html.parser")
    assert "created 1 July 2026" in items(utc)[0].li.get_text()
    assert "created 2 July 2026" in items(tokyo)[0].li.get_text()


def test_renderer_is_reachable_from_the_source_module(section):
    from generator.sources import spaces

    assert spaces.render_spaces_section(section, tz="UTC") == render_spaces_section(
        section, tz="UTC"
    )
