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
keyed by a digest of its HTML, so a rebuild pays almost nothing for it. On
a cold cache, the worker process minifies the pages MkDocs has written, in
place, while MkDocs builds the next ones.

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

from .background import Background, result_or_render
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


def minify_written(paths: tuple[str, ...], cache_dir: Path) -> None:
    """In the worker: minify each page written at `paths` in place, and keep it in the cache."""
    cache = FragmentCache.of_this_process(cache_dir)
    for path in paths:
        _minify_in_place(Path(path), cache)


def _minify_in_place(path: Path, cache: FragmentCache, html: str | None = None) -> None:
    """Minify the page MkDocs wrote at `path` (its HTML: `html`, else read there)."""
    if html is None:
        html = path.read_bytes().decode("utf-8")
    minified = minify_page(html)
    # Over the page itself, not a new file renamed over it: creating a file costs
    # far more than writing one (see generator.site_writes). If the worker dies
    # mid-write, this process writes the page again from the HTML MkDocs wrote,
    # which it keeps until then (PageMinifier.finish).
    with path.open("r+b") as page:
        page.write(minified.encode("utf-8", errors="xmlcharrefreplace"))
        page.truncate()
    cache.put(page_key(html), minified)


class PageMinifier:
    """Minified pages, from the fragment cache when a page is unchanged.

    Between `start()` and `finish()` (a site build), a page the cache lacks is
    written as it is first. Once it is on disk (when the next page is asked
    for, or at `finish()`), the worker process minifies it there in place,
    with the pages before it (`HAND_OVER_EVERY` at a time), while MkDocs builds
    the next pages, and keeps it in the cache. At `finish()`, this process
    minifies the last pages itself if the worker has not begun them.
    A page's key is a digest of its HTML, so what the worker kept is right even
    if the build fails afterwards.
    """

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self.cache = FragmentCache(cache_dir)
        self._cold = False  # see start()
        self._background: Background | None = None
        self._own = False  # whether finish() ends the worker too
        # (path, HTML) of each page not yet handed to the worker, and of each handed
        # over: the HTML is kept to write the page again if the worker fails.
        self._written: list[tuple[str, str]] = []
        self._jobs: list[tuple[list[tuple[str, str]], Future[None]]] = []

    def start(self, background: Background | None = None, *, cold: bool = False) -> None:
        """Hand pages to `background`'s worker (the build's, which it finishes
        after this), or to a worker of our own. `cold`: the cache held nothing
        when the build began (a fresh clone, a new generator), so every page is
        new; looking each up here would only cost this process."""
        self._own, self._cold = background is None, cold
        self._background = background or Background(self.cache)

    def __call__(self, html: str, written_to: str | None = None) -> str:
        key = None if self._cold else page_key(html)
        new = key is None or not self.cache.has(key)
        if written_to and html.strip() and self._background and new:
            if len(self._written) >= HAND_OVER_EVERY:
                self._hand_over()  # the pages asked for before this one are on disk now
            self._written.append((written_to, html))
            return html
        return self.cache.fragment(key or page_key(html), partial(minify_page, html))

    def _hand_over(self) -> None:
        assert self._background is not None
        pages, self._written = self._written, []
        if not pages:
            return
        paths = tuple(path for path, _ in pages)
        job = self._background.submit(partial(minify_written, paths, self.cache_dir))
        if job is None:  # no worker: minify them here
            self._minify_here(pages)
        else:
            self._jobs.append((pages, job))

    def _minify_here(self, pages: list[tuple[str, str]]) -> None:
        for path, html in pages:
            _minify_in_place(Path(path), self.cache, html)

    def finish(self, *, keep: bool = True) -> None:
        """Wait for the worker to minify every page written (none more unless `keep`)."""
        background = self._background
        try:
            if background is not None and keep:
                self._hand_over()
                # The last pages first: those the worker has not started on, this
                # process minifies itself, while the worker goes on with the first.
                for pages, job in reversed(self._jobs):
                    result_or_render(job, partial(self._minify_here, pages))
        finally:
            self._background, self._written, self._jobs = None, [], []
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
