"""Benchmark: bytes a browser loads for an issue page vs a Material blog post page.

Builds the sample newsletter and a tiny Material blog (same theme, same
`font: false`, search on) whose one post holds the same text as the latest
issue, written as a blog author would in Markdown: every word and link of
the article (its prose, and the text of its data sections), with headings,
lists and tables as Markdown gives them (no charts). Both are served on
127.0.0.1 and loaded in headless Chromium; every response the page causes is
counted by type (HTML, CSS, JS, images, fonts, search index), both as bytes
decoded and as bytes transferred when served gzip-compressed, as static hosts
such as GitHub Pages serve text (HTTP Archive's "page weight" is transfer
size). The goal, issue page <= blog post page, is on the page itself (HTML,
CSS, JS, images, fonts); the search index and the sitemap, which Material's
script fetches, grow with the whole site and are reported apart. Also fails
(exit 1) on any third-party request.

Run: .venv/bin/python bench/bench_page_weight.py [--site DIR]
  --site DIR  reuse an already built sample site instead of building one.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import os
import re
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bs4 import BeautifulSoup  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from generator.build import build_site  # noqa: E402
from tests.browser.chromium import launch_options  # noqa: E402
from tests.browser.pages import latest_sample_issue  # noqa: E402
from tests.browser.served import QuietHandler  # noqa: E402
from tests.conftest import copy_sample_site  # noqa: E402

BLOG_CONFIG = """site_name: Equinox & Solstice blog
site_url: https://blog.example.org/
docs_dir: docs
theme:
  name: material
  font: false
  features: [navigation.tabs, navigation.top, search.highlight]
  palette:
    - scheme: default
      primary: teal
      toggle: {icon: material/weather-night, name: Switch to dark mode}
    - scheme: slate
      primary: teal
      toggle: {icon: material/weather-sunny, name: Switch to light mode}
plugins:
  - search
  - blog
markdown_extensions: [tables]
"""
KINDS = {
    "document": "HTML",
    "stylesheet": "CSS",
    "script": "JS",
    "image": "images",
    "font": "fonts",
    "fetch": "data (sitemap)",
    "xhr": "data (sitemap)",
}


def issue_text_as_markdown(page: Path) -> str:
    """The issue page's article as a blog author would write it in Markdown.

    Every word and link of the article is kept: headings as headings, lists as lists,
    tables as Markdown tables (Material styles them), everything else (table
    captions, figure captions, definition lists, summaries) as paragraphs.
    Charts, scripts and heading anchors are dropped: a blog post of the same
    text has no charts.
    """
    article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article")
    assert article is not None, f"{page}: no <article>"
    for tag in article.select("a.headerlink, svg, script, style, h1"):
        tag.decompose()
    return "\n\n".join(_blocks(article)) + "\n"


_PARAGRAPHS = ("p", "dt", "dd", "figcaption", "summary", "caption", "pre")


def _text(element: Any) -> str:
    """The element's words, with its links kept as Markdown links."""
    return " ".join(_inline(element).split())


def _inline(element: Any) -> str:
    parts = []
    for child in element.children:
        name = getattr(child, "name", None)
        if name is None:
            parts.append(_escaped(str(child)))
        elif name == "a" and child.get("href"):
            parts.append(f"[{' '.join(_inline(child).split())}]({child['href']})")
        elif name == "code":
            parts.append(f"`{child.get_text()}`")
        else:
            parts.append(" " + _inline(child) + " ")
    return "".join(parts)


def _escaped(text: str) -> str:
    return re.sub(r"([\\`*_#|<>\[\]])", r"\\\1", text)


def _blocks(element: Any) -> list[str]:
    blocks: list[str] = []
    for child in element.children:
        name = getattr(child, "name", None)
        if name is None:
            text = _escaped(str(child).strip())
            blocks += [text] if text else []
        elif name in ("h2", "h3", "h4"):
            blocks.append("#" * int(name[1]) + " " + _text(child))
        elif name in ("ul", "ol"):
            blocks.append("\n".join(f"- {_text(li)}" for li in child.find_all("li")))
        elif name == "table":
            blocks += _table(child)
        elif name in _PARAGRAPHS:
            text = _text(child)
            blocks += [text] if text else []
        else:
            blocks += _blocks(child)
    return blocks


def _table(table: Any) -> list[str]:
    caption = table.find("caption")
    rows = [[_text(cell) for cell in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]
    header, body = rows[0], rows[1:]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return ([_text(caption)] if caption else []) + ["\n".join(lines)]


def build_blog(workdir: Path, title: str, text: str) -> Path:
    (workdir / "mkdocs.yml").write_text(BLOG_CONFIG, encoding="utf-8")
    posts = workdir / "docs" / "blog" / "posts"
    posts.mkdir(parents=True)
    (workdir / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (workdir / "docs" / "blog" / "index.md").write_text("# Blog\n", encoding="utf-8")
    post = f"---\ndate: 2026-09-23\n---\n\n# {title}\n\n<!-- more -->\n\n{text}\n"
    (posts / "issue.md").write_text(post, encoding="utf-8")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(workdir / "mkdocs.yml")))
    return workdir / "site"


def post_path(blog: Path) -> str:
    """Where the blog plugin put the post (its URL format is the plugin's choice)."""
    (post,) = (blog / "blog").glob("20*/**/index.html")
    return post.parent.relative_to(blog).as_posix() + "/"


COMPRESSED = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", "/")
PAGE_KINDS = ("HTML", "CSS", "JS", "images", "fonts", "other")  # other: the favicon


class GzipHandler(QuietHandler):
    """Serves text gzip-compressed (level 6, like common static hosts) when asked."""

    def send_head(self):  # type: ignore[no-untyped-def]
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        if (
            not wants
            or not self.path.split("?")[0].endswith(COMPRESSED)
            or not os.path.isfile(path)
        ):
            return super().send_head()
        body = gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def weigh(browser: Any, site: Path, path: str) -> tuple[Counter[str], Counter[str], list[str]]:
    """Bytes per kind of resource, decoded and transferred (each URL once), and any
    request that left 127.0.0.1."""
    handler = functools.partial(GzipHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    finished: list[Any] = []
    outside: list[str] = []
    page = browser.new_page()
    page.on("requestfinished", lambda request: finished.append(request))
    page.on("request", lambda r: outside.append(r.url) if _third_party(r.url) else None)
    try:
        response = page.goto(base + path, wait_until="networkidle")
        assert response is not None and response.status == 200, path
        page.wait_for_timeout(500)  # late requests (the search worker's) settle
        decoded: Counter[str] = Counter()
        transferred: Counter[str] = Counter()
        seen: set[str] = set()
        for request in finished:
            answer = request.response()
            if request.url in seen or answer is None:
                continue
            seen.add(request.url)
            kind = KINDS.get(request.resource_type, request.resource_type)
            if request.url.endswith("search_index.json"):
                kind = "search index"
            decoded[kind] += len(answer.body())
            transferred[kind] += request.sizes()["responseBodySize"]
    finally:
        page.close()
        server.shutdown()
    return decoded, transferred, outside


def _third_party(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname != "127.0.0.1"


def report(name: str, sizes: Counter[str]) -> None:
    parts = ", ".join(f"{kind} {count:,}" for kind, count in sorted(sizes.items()))
    print(f"{name}: {sum(sizes.values()):,} bytes ({parts})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built sample site")
    args = parser.parse_args()
    issue = latest_sample_issue()
    with tempfile.TemporaryDirectory(prefix="page-weight-") as temporary:
        workdir = Path(temporary)
        site = args.site
        if site is None:
            (workdir / "sample").mkdir()
            site = build_site(str(copy_sample_site(workdir / "sample")))
        page = site / "issues" / issue.slug / "index.html"
        (workdir / "blog").mkdir()
        blog = build_blog(workdir / "blog", issue.meta.title, issue_text_as_markdown(page))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_options())
            ours = weigh(browser, site, f"issues/{issue.slug}/")
            theirs = weigh(browser, blog, post_path(blog))
            browser.close()
    print(f"== page weight: issue {issue.slug} vs a Material blog post of the same text")
    for how, index in (("decoded", 0), ("gzip", 1)):
        report(f"issue page ({how})", ours[index])
        report(f"blog post  ({how})", theirs[index])
    for how, index in (("decoded", 0), ("gzip", 1)):
        mine = sum(ours[index][k] for k in PAGE_KINDS)
        other = sum(theirs[index][k] for k in PAGE_KINDS)
        print(
            f"page weight, {how} (HTML, CSS, JS, images, fonts, favicon): "
            f"{mine:,} vs {other:,} bytes, ratio {mine / other:.3f} (goal <= 1, "
            f"{'met' if mine <= other else 'not met'})"
        )
    for how, index in (("decoded", 0), ("gzip", 1)):
        mine, other = sum(ours[index].values()), sum(theirs[index].values())
        print(
            f"everything loaded, {how} (with the site-wide search index and sitemap): "
            f"{mine:,} vs {other:,} bytes, ratio {mine / other:.2f}"
        )
    print(f"third-party requests: issue page {len(ours[2])}, blog post {len(theirs[2])}")
    for url in ours[2]:
        print(f"  third-party request from the issue page: {url}")
    return 1 if ours[2] else 0


if __name__ == "__main__":
    sys.exit(main())
