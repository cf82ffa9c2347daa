"""The generated files that are not pages, written by the worker on a cold build.

Each issue's data.json and transparency CSV, the site-wide CSV and its Data
Package, the charter's feed: for a hundred issues, two hundred files, more
than MkDocs writes for the pages. Creating a file costs far more than
writing its bytes (0.1 to 1.5 ms a file on the machine the benchmarks run
on, by where the folder lies on the disk), so on a cold build the worker
process writes them into site_dir while MkDocs converts and builds the
pages. MkDocs still knows each of them (links to them are checked, other
plugins see them) but copies none (`WrittenByWorker`). If the worker fails,
this process writes them at the end (`SiteWrites.finish`). Without a
worker (a rebuild), MkDocs writes them as usual.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel

from .background import Background, finish_last_first

# What a generated file holds: its text or bytes, or the file it is a copy of.
Content = str | bytes | Path

# Files handed to the worker together: in groups, so that at the end of the build
# this process can take over the groups the worker has not begun.
WRITE_EVERY = 25


class WrittenByWorker(File):
    """A generated file the worker writes into site_dir itself: MkDocs copies nothing.
    Its source is where it is written, so it can be read only after the pages are
    built (`SiteWrites.finish`); no plugin of this site reads it before."""

    def copy_file(self, dirty: bool = False) -> None:
        return None


def write_into(site_dir: str, items: list[tuple[str, Content]]) -> None:
    """Write each (site path, content) under `site_dir`, as MkDocs would."""
    for path, content in items:
        target = Path(site_dir, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


class SiteWrites:
    """The File for each generated file, and, with a worker, the job that writes them."""

    def __init__(self, config: MkDocsConfig, background: Background | None) -> None:
        self.config = config
        self.background = background
        self._items: list[tuple[str, Content]] = []
        self._jobs: list[tuple[list[tuple[str, Content]], Future[None] | None]] = []

    def file(self, path: str, content: Content) -> File:
        """A page source for MkDocs to convert, or a file for it (or the worker) to write."""
        if path.endswith(".md"):
            return File.generated(self.config, path, content=self._text_or_bytes(content))
        if self.background is not None:
            self._items.append((path, content))
            return WrittenByWorker.generated(
                self.config, path, abs_src_path=str(Path(self.config.site_dir, path))
            )
        if isinstance(content, Path):
            return File.generated(self.config, path, abs_src_path=str(content))
        return File.generated(self.config, path, content=content)

    @staticmethod
    def _text_or_bytes(content: Content) -> str | bytes:
        return content.read_bytes() if isinstance(content, Path) else content

    def start(self, files: Files, included: Callable[[InclusionLevel], bool]) -> None:
        """Hand the worker the files given to `file` that MkDocs' rules leave in
        (`included`, as MkDocs copies files): call where MkDocs would copy them."""
        if self.background is None or not self._items:
            return
        kept = {
            f.src_uri for f in files if isinstance(f, WrittenByWorker) and included(f.inclusion)
        }
        items = [(path, content) for path, content in self._items if path in kept]
        self._items = []
        for start in range(0, len(items), WRITE_EVERY):
            group = items[start : start + WRITE_EVERY]
            job = self.background.submit(partial(write_into, self.config.site_dir, group))
            self._jobs.append((group, job))

    def finish(self) -> None:
        """Wait until the worker has written them, the last first: a group it has not
        begun (or could not write) is written here."""
        finish_last_first(self._jobs, partial(write_into, self.config.site_dir))
        self._jobs = []
