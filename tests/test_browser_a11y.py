"""Accessibility in a real browser: axe-core on every page type, in light and dark
mode, plus the checks axe cannot make on its own (charts, diffs, headings, links)."""

from __future__ import annotations

from typing import Any

import pytest

from .browser.axe import BLOCKING, audit, axe_source, describe
from .browser.pages import reader_pages
from .browser.served import Served, served_sample_site

PAGES = reader_pages()
# Every page type: the reader pages plus the sub-pages generated from data.
PAGE_TYPES = {
    **PAGES,
    "charter-version": None,  # found at run time: the newest version page
    "transparency-methodology": "transparency/methodology/",
    "spaces-category": "spaces/rigorous/",
    "data": "data/",
}


@pytest.fixture(scope="module")
def site() -> Served:
    return served_sample_site()


def page_path(site: Served, kind: str) -> str:
    path = PAGE_TYPES[kind]
    if path is None:
        versions = sorted((site.root / "charter" / "versions").iterdir())
        return f"charter/versions/{versions[0].name}/"
    return path


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_axe_finds_no_serious_or_critical_violations(
    browser: Any, site: Served, kind: str, scheme: str
) -> None:
    source = axe_source()
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(site.url(page_path(site, kind)), wait_until="networkidle")
    expected = "slate" if scheme == "dark" else "default"
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
    blocking = [v for v in audit(page, source) if v["impact"] in BLOCKING]
    context.close()
    assert not blocking, f"{kind} ({scheme}):\n{describe(blocking)}"


CHARTS_SCRIPT = """() => [...document.querySelectorAll('article figure.nl-chart')].map((fig) => {
  const img = fig.querySelector('[role=img]');
  const svg = fig.querySelector('svg');
  let next = fig.nextElementSibling;
  while (next && !next.matches('table, div') ) next = next.nextElementSibling;
  const table = next && (next.matches('table') ? next : next.querySelector('table'));
  return {
    name: img ? (img.getAttribute('aria-label') || '') : '',
    svgHidden: svg ? svg.getAttribute('aria-hidden') === 'true' : false,
    caption: (fig.querySelector('figcaption') || {innerText: ''}).innerText,
    tableRows: table ? table.querySelectorAll('tbody tr').length : 0,
  };
})"""


@pytest.mark.parametrize("kind", ["issue", "transparency"])
def test_charts_have_text_alternatives_and_a_table(browser: Any, site: Served, kind: str) -> None:
    page = browser.new_page()
    page.goto(site.url(PAGES[kind]), wait_until="load")
    charts = page.evaluate(CHARTS_SCRIPT)
    page.close()
    assert charts, f"the {kind} page has charts"
    for chart in charts:
        assert len(chart["name"].split()) >= 4, chart  # a sentence, not "chart"
        assert chart["svgHidden"], "the drawing is hidden from screen readers, the name speaks"
        assert chart["caption"].strip(), chart
        assert chart["tableRows"] > 0, f"the same figures follow in a table: {chart}"


DIFF_SCRIPT = """() => [...document.querySelectorAll('article ins, article del')].map((el) => ({
  tag: el.tagName.toLowerCase(),
  line: getComputedStyle(el).textDecorationLine,
  said: [...el.querySelectorAll('.nl-visually-hidden')].map((s) => s.textContent).join(' '),
}))"""


def test_charter_diffs_do_not_rely_on_colour(browser: Any, site: Served) -> None:
    page = browser.new_page()
    page.goto(site.url(PAGES["charter"]), wait_until="load")
    marks = page.evaluate(DIFF_SCRIPT)
    page.close()
    tags = {m["tag"] for m in marks}
    assert tags == {"ins", "del"}, "the charter history shows insertions and deletions"
    for mark in marks:
        # Seen: underline or strike-through; heard: a spoken "Added"/"Removed".
        if mark["tag"] == "ins":
            assert "underline" in mark["line"] and "Added" in mark["said"], mark
        else:
            assert "line-through" in mark["line"] and "Removed" in mark["said"], mark


HEADINGS_SCRIPT = """() => [...document.querySelectorAll(
  'article h1, article h2, article h3, article h4, article h5, article h6')]
  .map((h) => [Number(h.tagName[1]), h.innerText.trim()])"""

# A link's purpose may come from its context (WCAG 2.4.4): the list item, paragraph
# or table cell around it, e.g. a Space title followed by its owner/name id.
LINKS_SCRIPT = """() => [...document.querySelectorAll('article a[href]')]
  .filter((a) => !a.classList.contains('headerlink'))
  .map((a) => ({
    href: a.href,
    name: (a.getAttribute('aria-label') || a.innerText || a.getAttribute('title') || '').trim(),
    context: (a.closest('li, p, td, th, dd, figcaption') || a).innerText.trim(),
  }))"""

VAGUE_LINK_TEXT = {"here", "click here", "this", "link", "more", "read more", "this page", "go"}


@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_headings_nest_and_links_say_where_they_go(browser: Any, site: Served, kind: str) -> None:
    page = browser.new_page()
    page.goto(site.url(page_path(site, kind)), wait_until="load")
    headings = page.evaluate(HEADINGS_SCRIPT)
    links = page.evaluate(LINKS_SCRIPT)
    page.close()
    levels = [level for level, _ in headings]
    assert levels[0] == 1 and levels.count(1) == 1, headings[:3]
    for (before, _), (after, text) in zip(headings, headings[1:], strict=False):
        assert after <= before + 1, f"{kind}: h{before} followed by h{after} ({text!r})"
    assert all(text for _, text in headings), "no empty heading"
    by_name: dict[str, set[str]] = {}
    for link in links:
        assert link["name"], f"{kind}: a link with no text: {link['href']}"
        assert link["name"].casefold().strip(".") not in VAGUE_LINK_TEXT, link
        in_context = f"{link['name']} | {link['context']}".casefold()
        by_name.setdefault(in_context, set()).add(link["href"].split("#")[0])
    ambiguous = {name: hrefs for name, hrefs in by_name.items() if len(hrefs) > 1}
    assert not ambiguous, f"{kind}: one link text and context, several destinations: {ambiguous}"
