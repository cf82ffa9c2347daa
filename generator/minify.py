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
keyed by a digest of its HTML, so a rebuild pays almost nothing for it.

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


class PageMinifier:
    """Minified pages, from the fragment cache when a page is unchanged.

    Between `start()` and `finish()` (a site build), a page the cache lacks is
    minified by the worker process while MkDocs builds the next pages: it is
    written as it is first, and `finish()` writes it again minified.
    """

    def __init__(self, cache_dir: Path):
        self.cache = FragmentCache(cache_dir)
        self._background: Background | None = None
        self._own = False  # whether finish() ends the worker too
        self._waiting: list[tuple[tuple[str, ...], str, str, Future[str]]] = []

    def start(self, background: Background | None = None) -> None:
        """Hand pages to `background`'s worker (the build's, which it finishes
        after this), or to a worker of our own."""
        self._own = background is None
        self._background = background or Background(self.cache)

    def __call__(self, html: str, written_to: str | None = None) -> str:
        key = ("page", hashlib.sha256(html.encode()).hexdigest())
        if written_to and self._background and not self.cache.has(key):
            job = self._background.submit(partial(minify_page, html))
            if job is not None:
                self._waiting.append((key, written_to, html, job))
                return html
        return self.cache.fragment(key, partial(minify_page, html))

    def finish(self, *, keep: bool = True) -> None:
        """Write each page the worker minified over its first output (unless not `keep`)."""
        background, self._background = self._background, None
        waiting, self._waiting = self._waiting, []
        try:
            minified = {
                key: result_or_render(job, partial(minify_page, html))
                for key, _, html, job in waiting
                if keep
            }
            for key, written_to, _, _ in waiting if keep else ():
                text = minified[key]
                Path(written_to).write_bytes(text.encode("utf-8", errors="xmlcharrefreplace"))
            self.cache.put_many(minified.items())
        finally:
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
