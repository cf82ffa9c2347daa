"""Hostile input end to end: sources full of markup, script, bad URLs, bidi controls
and 100,000-character strings are collected and built; every value is rejected with a
clear error or shows up as inert text, in the files and in a real browser."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from generator.collect import collect_issue
from generator.config import load_settings
from generator.errors import SourceErrors

from .browser.hostile import (
    CORPUS,
    ONE_LINE,
    PRIVATE_MARKERS,
    SLUG,
    HostileBuild,
    flag_rows,
    hostile_build,
    hostile_space_ids,
    write_flags,
    write_newsletter,
    write_spaces,
)
from .browser.served import serve_folder

COLLECTED_AT = datetime(2026, 9, 23, tzinfo=UTC)
# URL-bearing attributes; their values must never be javascript: (or data:) URLs.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset"}
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.I)
# The theme's own inline scripts, recognised by how they start.
THEME_SCRIPTS = ("var palette=__md_get", "var target=document.getElement", "__md_scope=", "{")


@pytest.fixture(scope="module")
def built() -> HostileBuild:
    return hostile_build()


def _url_is_bad(value: str) -> bool:
    """As a browser reads it: entities decoded, whitespace and controls removed."""
    cleaned = re.sub(r"[\s\x00-\x1f]", "", html.unescape(value))
    return bool(BAD_SCHEME.match(cleaned))


def _bad_markup(soup: BeautifulSoup) -> list[str]:
    """Elements or attributes that could only have come from injected markup."""
    found = []
    for tag in soup.find_all(True):
        if tag.name in ("iframe", "object", "embed", "base", "style"):
            if not (tag.name == "style" and tag.find_parent("svg")):  # matplotlib's chart CSS
                found.append(f"<{tag.name}>")
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on"):
                found.append(f"<{tag.name} {name}=…>")
            if name in ("id", "class", "name") or name.startswith("data-"):
                if "pwn" in text.lower():
                    found.append(f"<{tag.name} {name}={text[:40]!r}>")
            if name in URL_ATTRIBUTES and _url_is_bad(text):
                found.append(f"<{tag.name} {name}={text[:40]!r}>")
        if tag.name == "script":
            source = tag.get("src", "")
            if source:
                if "assets/javascripts/" not in source or "://" in source:
                    found.append(f"<script src={source[:60]!r}>")
            elif not tag.get_text().lstrip().startswith(THEME_SCRIPTS):
                found.append(f"<script>{tag.get_text()[:40]!r}")
    return found


def _html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# --- rejected clearly -----------------------------------------------------------------


def test_hostile_space_ids_are_rejected_with_file_line_and_field(tmp_path: Path) -> None:
    newsletter = write_newsletter(tmp_path)
    snapshot = tmp_path / "sources" / "spaces.jsonl"
    objects = hostile_space_ids()
    write_spaces(snapshot, objects)
    with pytest.raises(SourceErrors) as caught:
        collect_issue(load_settings(newsletter.config), SLUG, collected_at=COLLECTED_AT)
    errors = caught.value
    assert errors.total == len(objects)
    for error in errors.errors:
        assert Path(error.path) == snapshot and error.line is not None and error.field == "id"
        assert "expected 'owner/name'" in error.detail
    assert not (tmp_path / "issues" / SLUG / "data.json").exists(), "nothing half-written"


ENUM_COLUMNS = ("target_type", "source", "reason", "category", "action", "decided_by", "appeal")


@pytest.mark.parametrize("column", ENUM_COLUMNS)
def test_unknown_enum_values_in_the_flag_export_are_rejected(tmp_path: Path, column: str) -> None:
    newsletter = write_newsletter(tmp_path)
    rows = flag_rows(len(ONE_LINE))
    for row, value in zip(rows, ONE_LINE, strict=True):
        row[column] = value[:300]
        if column in ("category", "action", "decided_by") and not row["resolved_at"]:
            row["resolved_at"] = row["received_at"]
    export = tmp_path / "sources" / "flags" / "flags-2026-07.csv"
    write_flags(export, rows)
    with pytest.raises(SourceErrors) as caught:
        collect_issue(load_settings(newsletter.config), SLUG, collected_at=COLLECTED_AT)
    errors = caught.value
    about_column = [e for e in errors.errors if e.field == column]
    assert about_column, str(errors)[:500]
    for error in about_column:
        assert Path(error.path).name == export.name and error.line is not None
        assert "allowed" in error.detail or "lower case" in error.detail
    message = str(errors)
    for marker in PRIVATE_MARKERS.values():
        assert marker not in message, "a rejected row's private columns stay out of errors"


# --- rendered as inert text -----------------------------------------------------------


def test_collected_data_keeps_hostile_values_as_plain_strings(built: HostileBuild) -> None:
    data = json.loads(built.data_json.read_text(encoding="utf-8"))
    sections = data["sections"]
    assert set(sections) == {"charter", "transparency", "spaces", "reading"}
    titles = {space["title"] for space in sections["spaces"]["spaces"]}
    assert CORPUS[0] in titles, "a Space title with a script tag is kept, as text"
    assert all(len(title) <= 120 for title in titles), "100,000 characters are cut short"
    summaries = [e["summary_html"] or "" for e in sections["reading"]["entries"]]
    assert summaries and not any("<script" in s or "onerror" in s for s in summaries)


def test_no_page_holds_injected_markup(built: HostileBuild) -> None:
    pages = _html_pages(built.newsletter.site)
    assert len(pages) > 20
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert _bad_markup(soup) == [], page.relative_to(built.newsletter.site)


def _visible_text(page: Path) -> str:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return soup.select_one("article").get_text(" ")


def test_hostile_values_are_shown_as_text(built: HostileBuild) -> None:
    site = built.newsletter.site
    issue = _visible_text(site / "issues" / SLUG / "index.html")
    charter = _visible_text(site / "charter" / "index.html")
    spaces = _visible_text(site / "spaces" / "index.html")
    for text in (issue, charter, spaces):
        assert CORPUS[0] in text, "the script tag is shown as the characters it is"
    assert '<img id="pwn-img" src="x" onerror=' in issue
    assert "[a pwn link](javascript:window.pwned=6)" in issue, "Markdown stays literal"


def test_issue_title_with_markup_is_escaped_once(built: HostileBuild) -> None:
    page = built.newsletter.site / "issues" / SLUG / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    title = 'Tom & Jerry <em>read</em> the "hostile" issue'
    assert soup.select_one("article h1").get_text(strip=True) == title
    assert soup.select_one("article h1").find("em") is None
    assert soup.find("meta", property="og:title")["content"] == title
    assert soup.find("meta", attrs={"name": "twitter:title"})["content"] == title


HTML_ELEMENTS = {"description", "encoded"}  # RSS description, content:encoded


def _holds_html(element: ET.Element) -> bool:
    """Whether a feed reader reads this element's text as HTML (Atom: type="html")."""
    local = element.tag.rsplit("}", 1)[-1]
    return element.get("type") == "html" or local in HTML_ELEMENTS


def _feed_urls(site: Path) -> Iterator[str]:
    """Every URL in the feeds, including those inside their HTML content."""
    for name in ("atom.xml", "feed.xml", "charter/atom.xml"):
        path = site / name
        if not path.exists():
            continue
        for element in ET.parse(path).iter():
            yield from (v for k, v in element.attrib.items() if k in ("href", "src"))
            if element.tag.rsplit("}", 1)[-1] in ("link", "guid", "id", "uri", "icon", "logo"):
                yield element.text or ""
            if element.text and _holds_html(element):
                yield from _html_urls(element.text)
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    for item in [feed, *feed.get("items", [])]:
        for key in ("home_page_url", "feed_url", "url", "external_url", "image", "icon"):
            if isinstance(item.get(key), str):
                yield item[key]
        yield from _html_urls(item.get("content_html") or "")


def _html_urls(fragment: str) -> Iterator[str]:
    for tag in BeautifulSoup(fragment, "html.parser").find_all(True):
        for name, value in tag.attrs.items():
            if name in URL_ATTRIBUTES:
                yield " ".join(value) if isinstance(value, list) else str(value)


def test_no_javascript_url_anywhere_under_site(built: HostileBuild) -> None:
    site = built.newsletter.site
    # Inside a real tag only: escaped text such as `&lt;a href="javascript:…` is inert.
    pattern = re.compile(
        rb"""<[a-z][^<>]*\b(?:href|src|action|formaction|xlink:href|poster)\s*=\s*["']?\s*"""
        rb"javascript:",
        re.I,
    )
    # Feeds and data files hold hostile text legitimately (escaped); they are parsed below
    # and their URLs checked. Every other file is searched byte for byte.
    for path in site.rglob("*"):
        if path.is_file() and path.suffix not in (".xml", ".json", ".gz"):
            assert not pattern.search(path.read_bytes()), path.relative_to(site)
    for page in _html_pages(site):
        assert not any(_url_is_bad(url) for url in _html_urls(page.read_text(encoding="utf-8")))
    urls = list(_feed_urls(site))
    assert urls and [u for u in urls if _url_is_bad(u)] == []


def test_bidi_controls_never_reach_pages_unisolated(built: HostileBuild) -> None:
    controls = re.compile("[\u202a-\u202e\u2066-\u2069]")
    page = built.newsletter.site / "issues" / SLUG / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for text in soup.select_one("article").find_all(string=controls):
        # The charter's own text in diffs is isolated by CSS (ins/del: unicode-bidi).
        if text.find_parent(class_="nl-charter-diff") is None:
            assert text.find_parent("bdi") is not None, repr(str(text)[:80])


# --- in a real browser ----------------------------------------------------------------

DOM_SCRIPT = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const v = attr.value.replace(/[\\s\\x00-\\x1f]/g, '').toLowerCase();
      if (attr.name.startsWith('on')) bad.push(el.tagName + ' ' + attr.name);
      if (['id', 'class', 'name'].includes(attr.name) && v.includes('pwn'))
        bad.push(el.tagName + ' ' + attr.name + '=' + v.slice(0, 30));
      if (['href', 'src', 'action', 'formaction'].includes(attr.name)
          && /^(javascript|vbscript|data):/.test(v)) bad.push(el.tagName + ' ' + attr.name);
    }
  }
  for (const el of document.querySelectorAll('iframe, object, embed, base'))
    bad.push(el.tagName);
  return {pwned: typeof window.pwned, bad: bad.slice(0, 10)};
}"""


def test_browser_opens_no_dialog_and_holds_no_injected_element(
    built: HostileBuild, browser: Any
) -> None:
    site = built.newsletter.site
    served, server = serve_folder(site)
    version = sorted((site / "charter" / "versions").iterdir())[-1].name
    paths = ["", "issues/", f"issues/{SLUG}/", "charter/", f"charter/versions/{version}/"]
    paths += ["spaces/", "spaces/rigorous/", "transparency/"]
    dialogs: list[str] = []
    page = browser.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        for path in paths:
            page.goto(served.url(path), wait_until="load")
            page.mouse.move(10, 10)
            page.mouse.move(300, 400)  # hover handlers, had any been injected
            found = page.evaluate(DOM_SCRIPT)
            assert found == {"pwned": "undefined", "bad": []}, path
        assert dialogs == []
    finally:
        page.close()
        server.shutdown()
