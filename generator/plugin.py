"""The `newsletter` MkDocs plugin: a thin adapter from `site_files` to MkDocs.

`mkdocs build` leaves drafts out; `mkdocs serve` shows them and reloads when an
issue changes. Generated pages hold their large fragments in slots (see
generator.slots): searchable ones are filled in as soon as the Markdown is
converted, the rest after the search plugin has indexed the page. On a cold
cache a worker process renders those and the feed entries meanwhile
(generator.issue_work); the feeds are written once the pages are.
"""

from __future__ import annotations

import gc
import logging
import os
from functools import partial
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from .background import Background
from .config import NewsletterConfig, Settings
from .errors import NewsletterError
from .feeds import FEED_PATHS
from .fragment_cache import FragmentCache
from .issues import Issue
from .minify import PageMinifier, minify_extra_css
from .site import WORKER_MODULES, GeneratedSite, MarkdownSetup, site_files, start_site
from .site_writes import SiteWrites
from .slots import Slots
from .templating import (
    compile_our_templates,
    compile_theme_templates,
    compiled_template_cache,
    use_compiled_template_cache,
)
from .urls import disarm_unsafe_urls

log = logging.getLogger(f"mkdocs.plugins.{__name__}")


class SkippedPageNotice(logging.Filter):
    """MkDocs notes "Page skipped" (INFO) for each page whose output is empty: here,
    each new page, which the worker writes instead (generator.minify). Those notes
    are dropped; any other page's stays."""

    LOGGER = "mkdocs.commands.build"

    def __init__(self) -> None:
        super().__init__()
        self._notes: set[str] = set()

    def add(self, src_uri: str) -> None:
        """The page at `src_uri` is one the worker writes."""
        self._notes.add(f"Page skipped: '{src_uri}'. Generated empty output.")

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self._notes


class NewsletterPlugin(BasePlugin[NewsletterConfig]):
    serving = False
    minify: PageMinifier  # set by on_config, where the cache folder is known
    writes: SiteWrites  # set by on_files

    def __init__(self) -> None:
        super().__init__()
        self.slots = Slots()  # filled by on_files, read by the page events
        self.generated: GeneratedSite | None = None  # from on_files to on_post_build
        self.background: Background | None = None  # the worker of one build
        self.issues: list[Issue] = []  # loaded by on_config, for on_files
        self.cold = False  # whether the fragment cache held nothing at on_config
        self._skipped_notice = SkippedPageNotice()  # installed for each build
        self.feed_files: list[File] = []
        self._marked: Page | None = None  # the navigation entry a page is shown under

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    def settings(self, config: MkDocsConfig) -> Settings:
        return Settings(
            config_file=Path(config.config_file_path).resolve(),
            site_name=config.site_name,
            site_url=(config.site_url or "http://127.0.0.1:8000/").rstrip("/") + "/",
            site_description=config.site_description or "",
            options=self.config,
            docs_dir=Path(config.docs_dir).resolve(),
            site_dir=Path(config.site_dir).resolve(),
        )

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        cache_dir = self.settings(config).cache_dir
        self.minify = PageMinifier(cache_dir)
        self._skipped_notice = SkippedPageNotice()
        logging.getLogger(SkippedPageNotice.LOGGER).addFilter(self._skipped_notice)
        cache = FragmentCache(cache_dir)
        self.background = Background(cache)
        cold = self.cold = cache.is_cold()
        # What lives through the build is frozen (and thawed by _finish_generated):
        # collections skip it, 0.07 s of a cold build of 100 issues, and the worker,
        # a fork of this process, shares its memory pages instead of copying each
        # page a collection in either process would write to (see gc.freeze).
        if self.serving:  # the previous build's pages, before they would be frozen too
            gc.collect()
        gc.freeze()
        if cold:  # the worker will have work: our templates, compiled for on_files,
            self.background.submit(partial(compile_our_templates, cache_dir))
            self.background.warm_up(WORKER_MODULES)  # then what its other jobs need
        try:  # and have it start on the pages built from every issue's data
            self.issues = start_site(
                self.settings(config), include_drafts=self.serving, background=self.background
            )
        except NewsletterError as err:
            raise PluginError(str(err)) from None
        gc.freeze()  # every issue's data too
        if cold:  # then on the theme's templates, needed once the pages are converted
            self.background.submit(partial(compile_theme_templates, config.theme, cache_dir))
        # Our templates, compiled once and kept between builds (the theme's: on_env).
        use_compiled_template_cache(cache_dir)
        # Dates in the sitemap and gzip headers come from the data, not the clock,
        # for plain `mkdocs build` too (newsletter build sets it the same way).
        if not os.environ.get("SOURCE_DATE_EPOCH"):
            from .build import source_date_epoch

            os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch(self.settings(config)))
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        markdown = MarkdownSetup(
            extensions=list(config.markdown_extensions),
            extension_configs=dict(config.mdx_configs),
        )
        try:
            generated = site_files(
                self.settings(config),
                markdown,
                include_drafts=self.serving,
                background=self.background,  # started by on_config, which every build runs
                issues=self.issues,
            )
        except NewsletterError as err:
            raise PluginError(str(err)) from None
        self.slots, self.generated = generated.slots, generated
        # On a cold build the worker writes the files that are not pages (site_writes).
        self.writes = SiteWrites(config, self.background if self.cold else None)
        # The feeds are written after the pages (on_post_build); empty until then.
        later = dict.fromkeys(FEED_PATHS, b"")
        for path, content in sorted({**generated.files, **later}.items()):
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            if path in later:
                files.append(File.generated(config, path, content=b""))
            else:
                files.append(self.writes.file(path, content))
        self.feed_files = [f for f in map(files.get_file_from_path, FEED_PATHS) if f]
        minify_extra_css(files, config)
        return files

    def on_page_content(self, html: str, *, page: Page, **kwargs: Any) -> str:
        # The converted Markdown (the fragments in slots are ours, their URLs checked).
        return self.slots.fill(disarm_unsafe_urls(html), searchable_only=True)

    # After every other plugin's (the search plugin's included) has seen the page.
    @event_priority(-100)
    def on_page_context(self, context: Any, *, page: Page, nav: Any, **kwargs: Any) -> Any:
        if page.content is not None:
            page.content = self.slots.fill(page.content)
        self._mark_section(page, nav)
        return context

    def _mark_section(self, page: Page, nav: Any) -> None:
        """A page kept out of the navigation (an issue, a charter version) marks the
        navigation entry it belongs under as active, so its tab shows where it is."""
        if page in nav.pages:
            return
        holders = [p for p in nav.pages if p.url and page.url.startswith(p.url)]
        if holders:
            self._marked = max(holders, key=lambda p: len(p.url))
            self._marked.active = True

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        # The theme's templates, compiled once and kept with our fragments.
        env.bytecode_cache = compiled_template_cache(self.settings(config).cache_dir)
        # The files MkDocs would copy now (those its exclusion rules leave in).
        included = InclusionLevel.is_in_serve if self.serving else InclusionLevel.is_included
        self.writes.start(files, included)
        self.minify.start(self.background, cold=self.cold)  # the pages are built next
        return env

    # After every other plugin's: a page is minified as it is finally written, by
    # MkDocs (from the cache) or by the worker (a new page: MkDocs gets "").
    @event_priority(-100)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self._marked is not None:
            self._marked.active = False
            self._marked = None
        minified = self.minify(output, page.file.abs_dest_path)
        if output.strip() and not minified:  # the worker writes it: MkDocs skips it
            self._skipped_notice.add(page.file.src_uri)
        return minified

    # Before any other plugin's: the pages are final from here on.
    @event_priority(100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        # The pages first: the worker's latest jobs, which this process takes over
        # where the worker has not begun them; then the other files, and the feeds.
        self.minify.finish()
        self.writes.finish()  # these two before the worker they share ends
        self._write_feeds()
        self._finish_generated(keep=True)

    def _write_feeds(self) -> None:
        assert self.generated is not None and self.generated.later is not None
        feeds = self.generated.later()
        for file in self.feed_files:
            Path(file.abs_dest_path).write_bytes(feeds[file.src_uri])

    def _finish_generated(self, *, keep: bool) -> None:
        generated, self.generated = self.generated, None
        background, self.background = self.background, None
        try:
            if generated is not None:
                generated.finish(keep=keep)
        finally:
            if background is not None:
                background.finish(keep=keep)
            gc.unfreeze()  # what on_config froze: `serve` builds again and again
            logging.getLogger(SkippedPageNotice.LOGGER).removeFilter(self._skipped_notice)

    def on_build_error(self, *, error: Exception) -> None:
        self._finish_generated(keep=False)
        if hasattr(self, "minify"):  # set once on_config ran
            self.minify.finish(keep=False)

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        settings = self.settings(config)
        server.watch(str(settings.issues_dir))
        return server
