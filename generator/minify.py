"""Smaller pages and stylesheets for readers.

Pages: minify-html removes the indentation of the theme's templates and the
quotes and spaces HTML does not need, in the page's body. It keeps every
closing tag and the text of every block (checked on the sample site: the
words of each paragraph, cell, heading and `pre` are unchanged), leaves
inline scripts and styles alone, and writes text with `<` still escaped.
The head only loses its indentation: minify-html would write the title and
meta values (issue titles and summaries, which editors and sources can set)
with their `<` unescaped. That is valid HTML, but a page should never hold
`<script>` as raw characters, even where a browser reads it as text. A page
that did not change since the last build is taken from the fragment cache,
keyed by a digest of its HTML, so a rebuild pays almost nothing for it. A
page the cache lacks is minified and written by the worker process, while
MkDocs builds the next ones: MkDocs is handed an empty page, which it does
not write (creating the files is a fifth of what MkDocs does for a page on
the machine the benchmarks run on, see generator.site_writes).

Stylesheets: the site's own (`extra_css` under site_src) keep their comments,
which explain the accessibility and chart rules; readers need none of it.
rcssmin drops comments and spaces only, so the rules and their order are
unchanged. Material's CSS is already minified and is left alone.
"""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import Future
from functools import partial
from pathlib import Path

import minify_html
import rcssmin
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from .background import Background, finish_last_first
from .fragment_cache import FragmentCache

# Whitespace between two tags, with a line break in it: one line break shows the same.
_INDENTATION = re.compile(r">\s*\n\s*<")


def minify_page(html: str) -> str:
    start, end = html.find("<body"), html.rfind("</body>")
    if start < 0 or end < start:
        return _INDENTATION.sub(">\n<", html)
    body = html[start : end + len("</body>")]
    minified = str(minify_html.minify(body, keep_closing_tags=True))
    return _INDENTATION.sub(">\n<", html[:start]) + minified + html[end + len("</body>") :]


def minify_css(text: str) -> str:
    return str(rcssmin.cssmin(text)) + "\n"


def page_key(html: str) -> tuple[str, str]:
    """A page's fragment cache key: a digest of its HTML, which determines it minified."""
    return ("page", hashlib.sha256(html.encode()).hexdigest())


# Pages handed to the worker together: each message costs this process a wake-up
# of the pool's thread (about 0.25 ms), more than the worker takes to minify a page.
HAND_OVER_EVERY = 8

Page = tuple[str, str]  # where it goes, and its HTML as the theme drew it


def minify_pages(pages: tuple[Page, ...], cache_dir: Path) -> None:
    """In the worker: minify and write each page, and keep it in the cache."""
    write_minified(pages, FragmentCache.of_this_process(cache_dir))


def write_minified(pages: tuple[Page, ...], cache: FragmentCache) -> None:
    """Write each page minified, as MkDocs writes a page (whole: a page the worker
    died on is written again over it), and keep it in the cache."""
    for path, html in pages:
        minified = minify_page(html)
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(minified.encode("utf-8", errors="xmlcharrefreplace"))
        cache.put(page_key(html), minified)


class PageMinifier:
    """Minified pages, from the fragment cache when a page is unchanged.

    Between `start()` and `finish()` (a site build), a page the cache lacks goes
    to the worker process (`HAND_OVER_EVERY` at a time), which minifies it,
    writes it and keeps it in the cache, while MkDocs builds the next pages;
    MkDocs gets an empty page instead, which it does not write. At `finish()`,
    this process does the pages the worker has not begun itself, and any it
    could not do. A page's key is a digest of its HTML, so what the worker kept
    is right even if the build fails afterwards.
    """

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self.cache = FragmentCache(cache_dir)
        self._cold = False  # see start()
        self._background: Background | None = None
        self._own = False  # whether finish() ends the worker too
        # The pages not yet handed to the worker, and those handed over (kept to
        # write them here if the worker fails).
        self._pending: list[Page] = []
        self._jobs: list[tuple[tuple[Page, ...], Future[None] | None]] = []

    def start(self, background: Background | None = None, *, cold: bool = False) -> None:
        """Hand pages to `background`'s worker (the build's, which it finishes
        after this), or to a worker of our own. `cold`: the cache held nothing
        when the build began (a fresh clone, a new generator), so every page is
        new; looking each up here would only cost this process."""
        self._own, self._cold = background is None, cold
        self._background = background or Background(self.cache)

    def __call__(self, html: str, written_to: str | None = None) -> str:
        """The page minified; or, for a new page going to `written_to` in a build,
        "": the worker writes it."""
        key = None if self._cold else page_key(html)
        new = key is None or not self.cache.has(key)
        if written_to and html.strip() and self._background and new:
            self._pending.append((written_to, html))
            if len(self._pending) >= HAND_OVER_EVERY:
                self._hand_over()
            return ""
        return self.cache.fragment(key or page_key(html), partial(minify_page, html))

    def _hand_over(self) -> None:
        assert self._background is not None
        pages, self._pending = tuple(self._pending), []
        if not pages:
            return
        job = self._background.submit(partial(minify_pages, pages, self.cache_dir))
        if job is None:  # no worker: written here
            write_minified(pages, self.cache)
        else:
            self._jobs.append((pages, job))

    def finish(self, *, keep: bool = True) -> None:
        """Wait until every page handed over is written (and hand over no more unless
        `keep`: the build failed, and its pages are thrown away)."""
        background = self._background
        try:
            if background is not None and keep:
                self._hand_over()
                finish_last_first(self._jobs, partial(write_minified, cache=self.cache))
        finally:
            self._background, self._pending, self._jobs = None, [], []
            if background is not None and self._own:
                background.finish(keep=keep)


def minify_extra_css(files: Files, config: MkDocsConfig) -> None:
    """Replace each of the site's own `extra_css` files by its minified text."""
    for path in config.extra_css:
        original = files.get_file_from_path(str(path))
        if original is None or original.abs_src_path is None or path.endswith(".min.css"):
            continue  # a URL, a generated file, or already minified
        text = Path(original.abs_src_path).read_text(encoding="utf-8")
        files.remove(original)
        files.append(File.generated(config, original.src_uri, content=minify_css(text)))
