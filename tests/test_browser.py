"""The built sample site in real headless Chromium (Debian's, driven by Playwright).

Readers load every kind of page without errors, find an issue through search,
switch to dark mode, read on a 375 px phone without sideways scrolling, and
read everything, charts and tables included, with JavaScript turned off.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .browser.pages import LoadWatch, latest_sample_issue, reader_pages
from .browser.served import Served, served_sample_site

PAGES = reader_pages()


@pytest.fixture(scope="module")
def site() -> Served:
    return served_sample_site()


@pytest.mark.parametrize("kind", list(PAGES))
def test_page_loads_without_errors_or_failed_requests(
    browser: Any, site: Served, kind: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    watch = LoadWatch(host="127.0.0.1")
    watch.attach(page)
    response = page.goto(site.url(PAGES[kind]), wait_until="networkidle")
    assert response is not None and response.status == 200
    assert page.locator("article h1").count() == 1
    assert watch.problems == []
    assert any(url.endswith(".css") for url in watch.requests), "the theme's CSS was loaded"
    context.close()


def _search_word(site: Served, slug: str, prose: str) -> str:
    """A word of the issue's prose found on no other page, so one result must be the issue."""
    import json

    index = json.loads((site.root / "search" / "search_index.json").read_text(encoding="utf-8"))
    elsewhere = " ".join(
        doc["text"] + " " + doc["title"]
        for doc in index["docs"]
        if not doc["location"].startswith(f"issues/{slug}/")
    ).casefold()
    words = sorted(set(re.findall(r"\b[a-z]{8,}\b", prose.casefold())))
    unique = [w for w in words if w not in elsewhere]
    assert unique, "the latest issue has a word of its own to search for"
    return unique[0]


ISSUE_RESULT_SHOWN = """(slug) => [...document.querySelectorAll('.md-search-result__item a')]
  .some((a) => a.href.includes(`issues/${slug}/`) && a.offsetParent !== null)"""
SEARCH_READY = """() => {
  const meta = document.querySelector('.md-search-result__meta');
  return meta !== null && meta.textContent.trim() !== '' && !/initializing/i.test(meta.textContent);
}"""


def test_search_finds_an_issue_by_a_word_from_its_prose(browser: Any, site: Served) -> None:
    issue = latest_sample_issue()
    word = _search_word(site, issue.slug, issue.prose)
    page = browser.new_page()
    page.goto(site.url(""), wait_until="networkidle")
    # Material says "Initializing search" until its worker has indexed the site;
    # a query typed before then can be dropped.
    page.wait_for_function(SEARCH_READY, timeout=45_000)
    # Typed key by key, as a reader does: Material searches on keyup (a filled
    # value is seen only if its delayed focus handler happens to read it).
    page.locator("input.md-search__input").press_sequentially(word, delay=20)
    # A result links to the issue and is shown (results arrive in batches).
    page.wait_for_function(ISSUE_RESULT_SHOWN, arg=issue.slug, timeout=15_000)
    hits = page.locator(f'.md-search-result__item a[href*="issues/{issue.slug}/"]')
    # Results for sections of the issue may be folded under its title: read them all.
    found = " ".join(hits.nth(i).text_content() or "" for i in range(hits.count()))
    assert word in found.casefold()
    marked = page.locator(".md-search-result__list mark").all_text_contents()
    assert any(word in m.casefold() for m in marked), "the word is highlighted in the results"
    page.close()


def _scheme_and_background(page: Any) -> tuple[str, str]:
    return page.evaluate(
        "() => [document.body.getAttribute('data-md-color-scheme'),"
        " getComputedStyle(document.body).backgroundColor]"
    )


def _luminance(css_colour: str) -> float:
    red, green, blue = (int(v) for v in re.findall(r"\d+", css_colour)[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_dark_mode_toggle_switches_scheme_and_remembers_it(browser: Any, site: Served) -> None:
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(site.url(PAGES["issue"]), wait_until="networkidle")
    scheme, light_background = _scheme_and_background(page)
    assert scheme == "default"
    toggle = page.locator("form[data-md-component=palette] label:not([hidden])")
    assert "dark mode" in (toggle.get_attribute("title") or "").lower()
    toggle.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    _, dark_background = _scheme_and_background(page)
    assert _luminance(dark_background) < _luminance(light_background) / 2
    page.goto(site.url(PAGES["archive"]), wait_until="networkidle")
    assert _scheme_and_background(page)[0] == "slate", "the choice carries to the next page"
    page.locator("form[data-md-component=palette] label:not([hidden])").click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'default'")
    context.close()


# Elements sticking out past the right edge of the viewport, unless they sit inside
# a box that scrolls sideways on its own (a wide table in its scroll wrapper).
OVERFLOW_SCRIPT = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if ((x === 'auto' || x === 'scroll') && p !== document.documentElement && p !== document.body)
        return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll('.md-main *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1 && !scrolls(el))
      out.push(el.tagName + '.' + el.className + ' right=' + Math.round(box.right));
  }
  return {page: document.documentElement.scrollWidth, body: document.body.scrollWidth,
          width, out: out.slice(0, 5)};
}"""


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_no_horizontal_scroll_at_375px(browser: Any, site: Served, javascript: bool) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, java_script_enabled=javascript
    )
    page = context.new_page()
    for kind, path in PAGES.items():
        page.goto(site.url(path), wait_until="load")
        found = page.evaluate(OVERFLOW_SCRIPT)
        assert found["page"] <= found["width"], (kind, found)
        assert found["body"] <= found["width"], (kind, found)
        assert found["out"] == [], (kind, found)
    context.close()


READABLE_SCRIPT = """() => {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0
      && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const article = document.querySelector('article');
  return {
    h1: visible(article.querySelector('h1')),
    text: article.innerText.length,
    charts: [...article.querySelectorAll('figure.nl-chart')].map((fig) => ({
      drawn: [...fig.querySelectorAll('svg')].some(visible),
      name: (fig.querySelector('[role=img]') || fig).getAttribute('aria-label') || '',
      caption: fig.querySelector('figcaption') ? fig.querySelector('figcaption').innerText : '',
    })),
    tables: [...article.querySelectorAll('table')].map((t) => ({
      visible: visible(t),
      cells: [...t.querySelectorAll('td, th')].filter(visible).length,
      all: t.querySelectorAll('td, th').length,
    })),
  };
}"""


def test_every_page_is_readable_without_javascript(browser: Any, site: Served) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    seen_charts = seen_tables = 0
    for kind, path in PAGES.items():
        page.goto(site.url(path), wait_until="load")
        assert page.evaluate("() => !!document.querySelector('html.no-js, html:not(.js)')")
        found = page.evaluate(READABLE_SCRIPT)
        assert found["h1"] and found["text"] > 200, kind
        for chart in found["charts"]:
            assert chart["drawn"], (kind, chart)
            assert chart["name"].strip() or chart["caption"].strip(), (kind, chart)
        for table in found["tables"]:
            assert table["visible"] and table["cells"] == table["all"] > 0, (kind, table)
        seen_charts += len(found["charts"])
        seen_tables += len(found["tables"])
    assert seen_charts >= 2 and seen_tables >= 2, "the pages checked hold charts and tables"
    context.close()


def test_missing_browser_skips_locally_but_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from .browser import chromium

    monkeypatch.setattr(chromium, "chromium_path", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        chromium.require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run them"):
        chromium.require_browser()
