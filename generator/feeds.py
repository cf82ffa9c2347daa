"""Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1, written from the issue model.

XML is built as an element tree and serialised by lxml, never joined from
strings. Entry ids are tag: URIs from the site's domain and the issue's slug,
so they survive a change of title or URL layout. Dates come from the seasons
and corrections, never from the clock.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import markdown as python_markdown
from lxml import etree

from .config import Settings
from .issue_work import FeedEntryJob
from .issues import Issue, publication_order, published_instant
from .render import SECTIONS, issue_pieces
from .urls import SAFE_SCHEMES, URL_ATTRIBUTES

if TYPE_CHECKING:
    from .fragment_cache import FragmentCache
    from .issue_work import IssueWork
    from .site import MarkdownSetup
    from .slots import Slots

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
# Characters XML 1.0 cannot carry (C0 controls but tab and newlines,
# surrogates, U+FFFE/U+FFFF): a commit message or a feed's entry may hold
# any of them, and one would make lxml refuse to write the whole feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WITH_URL = "//*[" + " or ".join(f"@{a}" for a in URL_ATTRIBUTES) + "]"


_FEED_CLUTTER = " | ".join(
    f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
    for name in ("headerlink", "nl-provenance-source", "nl-issue-nav")
)


def entry_id(settings: Settings, slug: str) -> str:
    return f"tag:{settings.tag_authority}:issue/{slug}"


def updated_instant(issue: Issue) -> datetime:
    """The latest correction's date, else when the issue was published."""
    latest = published_instant(issue)
    for correction in issue.meta.corrections:
        moment = datetime.fromisoformat(correction.date)
        if moment.tzinfo is None:
            continue
        latest = max(latest, moment)
    return latest


def absolutize(html: str, base_url: str) -> str:
    """Make every link, image and anchor absolute; drop URLs with unsafe schemes.

    Inline SVG charts are left out: feed readers strip them, and each chart's
    data table, which stays, carries the same figures. So are heading
    permalinks, the provenance panel's lists of sources and checksums (its
    summary and the data.json link stay) and the links between issues.
    """
    if not html.strip():
        return html
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for svg in root.xpath("//*[local-name()='svg']"):
        svg.drop_tree()
    # Only the site's stylesheet hides or explains these: a feed reader would show
    # a '¶' after every heading, the sources' checksums and the page navigation.
    for clutter in root.xpath(_FEED_CLUTTER):
        clutter.drop_tree()
    for element in root.xpath(_WITH_URL):
        for attribute in URL_ATTRIBUTES:
            value = element.get(attribute)
            if value is None:
                continue
            absolute = urljoin(base_url, value.strip())
            if urlsplit(absolute).scheme not in SAFE_SCHEMES:
                del element.attrib[attribute]
            else:
                element.set(attribute, absolute)
    inner = (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return inner


def entry_html(source: str, url: str, md: MarkdownSetup, slots: Slots) -> str:
    """A page source's full HTML, every slot filled, links absolute from `url`."""
    converter = python_markdown.Markdown(
        extensions=md.extensions, extension_configs=md.extension_configs
    )
    return absolutize(slots.fill(converter.convert(source)), url)


def issue_html(
    issue: Issue,
    page: str,
    settings: Settings,
    md: MarkdownSetup,
    slots: Slots,
    cache: FragmentCache | None = None,
    work: IssueWork | None = None,
) -> Callable[[], str]:
    """How to get the issue's full HTML from its page source, links absolute.

    With `work`, an entry the cache lacks is rendered by the worker meanwhile.
    """
    source = page.split("\n---\n", 1)[1]
    url = urljoin(settings.site_url, issue.url)
    if cache is None:
        return functools.partial(entry_html, source, url, md, slots)
    # The page source (whose slot markers name their fragments) and the
    # Markdown setup make the entry.
    setup = json.dumps([md.extensions, md.extension_configs], sort_keys=True, default=repr)
    key = ("feed-entry", url, setup, source)
    if work is None or cache.has(key):
        html = cache.fragment(key, functools.partial(entry_html, source, url, md, slots))
        return functools.partial(str, html)
    pieces = tuple(
        piece
        for _, piece in issue_pieces(issue, settings.timezone)
        if slots.promises(piece.key, searchable=piece.searchable)
    )
    job = FeedEntryJob(key, source, url, md, tuple(slots.held_now(source)), pieces)
    return functools.partial(work.add(job), key)


def feed_entries(
    issues: list[Issue],
    pages: dict[str, str],
    settings: Settings,
    md: MarkdownSetup,
    slots: Slots,
    cache: FragmentCache | None = None,
    work: IssueWork | None = None,
) -> list[dict[str, Any]]:
    """The entries, newest first; each one's "html" is a function that gives it."""
    # Newest publication first: an issue published late for an earlier season
    # is news to subscribers, and heads the feed.
    newest_first = sorted(issues, key=publication_order, reverse=True)
    limit = settings.options.feeds.limit
    if limit > 0:
        newest_first = newest_first[:limit]
    entries = []
    for issue in newest_first:
        sections = (issue.data or {}).get("sections", {})
        page = pages[f"{issue.url}index.md"]
        entries.append(
            {
                "id": entry_id(settings, issue.slug),
                "title": issue.meta.title,
                "url": urljoin(settings.site_url, issue.url),
                "summary": issue.meta.summary,
                "published": published_instant(issue),
                "updated": updated_instant(issue),
                "authors": list(issue.meta.editors),
                "categories": [k.heading for k in SECTIONS if k.key in sections],
                "html": issue_html(issue, page, settings, md, slots, cache, work),
            }
        )
    return entries


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def sub_element(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> Any:
    element = etree.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def rss_feed(entries: list[dict[str, Any]], settings: Settings) -> bytes:
    nsmap = {"atom": ATOM_NS, "content": CONTENT_NS, "dc": DC_NS}
    rss = etree.Element("rss", version="2.0", nsmap=nsmap)  # type: ignore[arg-type]
    channel = sub_element(rss, "channel")
    sub_element(channel, "title", settings.site_name)
    sub_element(channel, "link", settings.site_url)
    sub_element(channel, "description", settings.site_description or settings.site_name)
    sub_element(channel, "language", "en")
    sub_element(
        channel,
        f"{{{ATOM_NS}}}link",
        href=urljoin(settings.site_url, "feed.xml"),
        rel="self",
        type="application/rss+xml",
    )
    if entries:
        latest = max(e["updated"] for e in entries)
        sub_element(channel, "lastBuildDate", format_datetime(latest, usegmt=True))
    for entry in entries:
        item = sub_element(channel, "item")
        sub_element(item, "title", entry["title"])
        sub_element(item, "link", entry["url"])
        sub_element(item, "guid", entry["id"], isPermaLink="false")
        sub_element(item, "pubDate", format_datetime(entry["published"], usegmt=True))
        sub_element(item, "description", entry["summary"])
        for author in entry["authors"]:
            sub_element(item, f"{{{DC_NS}}}creator", author)
        for category in entry["categories"]:
            sub_element(item, "category", category)
        sub_element(item, f"{{{CONTENT_NS}}}encoded", entry["html"])
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def atom_feed(entries: list[dict[str, Any]], settings: Settings) -> bytes:
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})  # type: ignore[dict-item]
    feed.set(XML_BASE, settings.site_url)
    sub_element(feed, f"{{{ATOM_NS}}}id", f"tag:{settings.tag_authority}:feed")
    sub_element(feed, f"{{{ATOM_NS}}}title", settings.site_name)
    if settings.site_description:
        sub_element(feed, f"{{{ATOM_NS}}}subtitle", settings.site_description)
    latest = max((e["updated"] for e in entries), default=None)
    if latest is not None:
        sub_element(feed, f"{{{ATOM_NS}}}updated", latest.isoformat())
    sub_element(
        feed,
        f"{{{ATOM_NS}}}link",
        rel="self",
        type="application/atom+xml",
        href=urljoin(settings.site_url, "atom.xml"),
    )
    sub_element(
        feed, f"{{{ATOM_NS}}}link", rel="alternate", type="text/html", href=settings.site_url
    )
    author = sub_element(feed, f"{{{ATOM_NS}}}author")
    sub_element(author, f"{{{ATOM_NS}}}name", settings.site_name)
    for entry in entries:
        item = sub_element(feed, f"{{{ATOM_NS}}}entry")
        sub_element(item, f"{{{ATOM_NS}}}id", entry["id"])
        sub_element(item, f"{{{ATOM_NS}}}title", entry["title"])
        sub_element(
            item, f"{{{ATOM_NS}}}link", rel="alternate", type="text/html", href=entry["url"]
        )
        sub_element(item, f"{{{ATOM_NS}}}published", entry["published"].isoformat())
        sub_element(item, f"{{{ATOM_NS}}}updated", entry["updated"].isoformat())
        for name in entry["authors"]:
            sub_element(sub_element(item, f"{{{ATOM_NS}}}author"), f"{{{ATOM_NS}}}name", name)
        for category in entry["categories"]:
            sub_element(item, f"{{{ATOM_NS}}}category", term=category)
        sub_element(item, f"{{{ATOM_NS}}}summary", entry["summary"])
        sub_element(item, f"{{{ATOM_NS}}}content", entry["html"], type="html")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def json_feed(entries: list[dict[str, Any]], settings: Settings) -> bytes:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": settings.site_name,
        "home_page_url": settings.site_url,
        "feed_url": urljoin(settings.site_url, "feed.json"),
        "description": settings.site_description,
        "language": "en",
        "authors": [{"name": settings.site_name}],
        "items": [
            {
                "id": entry["id"],
                "url": entry["url"],
                "title": entry["title"],
                "summary": entry["summary"],
                "content_html": entry["html"],
                "date_published": entry["published"].isoformat(),
                "date_modified": entry["updated"].isoformat(),
                "authors": [{"name": name} for name in entry["authors"]],
                "tags": entry["categories"],
            }
            for entry in entries
        ],
    }
    return (json.dumps(feed, indent=2, ensure_ascii=False) + "\n").encode()


FEED_PATHS = ("feed.xml", "atom.xml", "feed.json")


def site_feeds(
    issues: list[Issue],
    pages: dict[str, str],
    settings: Settings,
    md: MarkdownSetup,
    slots: Slots,
    cache: FragmentCache | None = None,
    work: IssueWork | None = None,
) -> Callable[[], dict[str, bytes]]:
    """The three site feeds (FEED_PATHS), from published issues only, once asked for.

    `pages` holds the issues' page sources, `slots` the fragments those hold.
    With `work`, the entries the cache lacks are rendered by a worker meanwhile.
    """
    published = [i for i in issues if i.is_published]
    entries = feed_entries(published, pages, settings, md, slots, cache, work)

    def feeds() -> dict[str, bytes]:
        done = [{**entry, "html": entry["html"]()} for entry in entries]
        written = (rss_feed(done, settings), atom_feed(done, settings), json_feed(done, settings))
        return dict(zip(FEED_PATHS, written, strict=True))

    return feeds


SUBSCRIPTIONS = (
    ("RSS 2.0", "feed.xml", "almost every feed reader and e-mail digest service"),
    ("Atom 1.0", "atom.xml", "readers that prefer Atom"),
    ("JSON Feed 1.1", "feed.json", "newer readers and scripts"),
)


def subscribe_page(settings: Settings) -> str:
    """The subscribe page, with the feeds' absolute addresses to copy."""
    from .templating import make_environment

    feeds = [
        {"format": fmt, "url": urljoin(settings.site_url, path), "good_for": good_for}
        for fmt, path, good_for in SUBSCRIPTIONS
    ]
    return (
        make_environment()
        .get_template("pages/subscribe.md.j2")
        .render(feeds=feeds, charter_feed=urljoin(settings.site_url, "charter/atom.xml"))
    )
