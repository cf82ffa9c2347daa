"""Minified pages and stylesheets: smaller, the same to read, and still escaped."""

from __future__ import annotations

import html
from pathlib import Path

from bs4 import BeautifulSoup

from generator.minify import PageMinifier, minify_css, minify_page

HOSTILE = '<script>alert(1)</script> & "quoted" </title>'
PAGE = f"""<!doctype html>
<html lang="en">
  <head>
    <title>{html.escape(HOSTILE, quote=False)}</title>
    <meta property="og:title" content="{html.escape(HOSTILE)}">
  </head>
  <body>
    <article>
      <h1>An   issue</h1>
      <p>
        Read <a href="https://example.org/?a=1&amp;b=2">the   report</a> <code>now</code>.
      </p>
      <p>&lt;script&gt;alert(2)&lt;/script&gt;</p>
      <pre>  keep
    these   spaces</pre>
    </article>
  </body>
</html>
"""


def blocks(page: str) -> list[str]:
    soup = BeautifulSoup(page, "html.parser")
    return [
        e.get_text() if e.name == "pre" else " ".join(e.get_text().split())
        for e in soup.find_all(["title", "h1", "p", "pre", "a", "code"])
    ]


def test_a_minified_page_reads_the_same_and_is_smaller() -> None:
    minified = minify_page(PAGE)
    assert len(minified) < len(PAGE)
    assert blocks(minified) == blocks(PAGE)
    soup = BeautifulSoup(minified, "html.parser")
    assert soup.find("a")["href"] == "https://example.org/?a=1&b=2"
    assert "\n      <p>" not in minified  # the body lost its indentation


def test_untrusted_text_stays_escaped_even_for_lenient_parsers() -> None:
    minified = minify_page(PAGE)
    # Python's parser does not treat <title> as text-only, as browsers do: the
    # head must keep its entities, or it would see a script element there.
    soup = BeautifulSoup(minified, "html.parser")
    assert soup.find("script") is None
    assert soup.title.get_text() == HOSTILE
    assert soup.find("meta", property="og:title")["content"] == HOSTILE
    assert "<script>" not in minified


def test_the_stylesheet_keeps_its_rules_without_comments() -> None:
    css = "/* why */\n.a  b {\n  color: red;  /* note */\n}\n\n.c { margin: 0 }\n"
    assert minify_css(css) == ".a b{color:red}.c{margin:0}\n"


def test_an_unchanged_page_comes_from_the_cache(tmp_path: Path) -> None:
    first = PageMinifier(tmp_path)
    assert first(PAGE) == minify_page(PAGE)
    again = PageMinifier(tmp_path)
    assert again(PAGE) == minify_page(PAGE)
    assert (first.cache.misses, again.cache.hits, again.cache.misses) == (1, 1, 0)
