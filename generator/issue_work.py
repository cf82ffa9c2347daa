"""Each issue's slotted fragments and feed entry, rendered by the worker process.

On a cold fragment cache, an issue's tables, charts and provenance panel,
and its feed entry, are most of what the build itself draws. None of them is
needed before MkDocs has converted every page: the page source holds a
promise for each fragment (generator.slots), filled after the search plugin
has indexed the page, and the feeds are written after the pages. So the
worker renders them, a job an issue in the order of the pages, while this
process and MkDocs go on; a slot filled before its job is done waits for it.

A job the worker could not do is rendered here when first asked for, which
raises its usual error. What the worker rendered goes into the fragment
cache when the build ends well (`IssueWork.finish`).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from .background import Background, Key, result_or_render
from .fragment_cache import FragmentCache
from .slots import Fragment, Slots

if TYPE_CHECKING:
    from .site import MarkdownSetup

# What this process rendered for pieces during a build, by key. In the worker,
# an issue's feed entry finds here the fragments its issue's earlier job
# rendered. Only a speed-up: a key determines its piece, and a piece not found
# here is rendered again.
_RENDERED: dict[Key, str] = {}


@dataclass(frozen=True)
class Piece:
    """A fragment a page promises, and how to render it (picklable)."""

    key: Key  # its fragment cache key, which determines it
    render: Callable[[], str]
    searchable: bool = False

    def html(self) -> str:
        found = _RENDERED.get(self.key)
        if found is None:
            found = _RENDERED[self.key] = self.render()
        return found


class Job(Protocol):
    def render(self) -> dict[Key, str]: ...


@dataclass(frozen=True)
class FragmentsJob:
    """One issue's promised fragments."""

    pieces: tuple[Piece, ...]

    def render(self) -> dict[Key, str]:
        return {piece.key: piece.html() for piece in self.pieces}


@dataclass(frozen=True)
class FeedEntryJob:
    """An issue's feed entry: its page source converted, every slot filled."""

    key: Key
    source: str
    url: str
    markdown: MarkdownSetup
    held: tuple[tuple[str, Fragment], ...]  # the fragments held already, by marker id
    pieces: tuple[Piece, ...]  # and the promised ones

    def render(self) -> dict[Key, str]:
        from .feeds import entry_html

        slots = Slots(dict(self.held))
        for piece in self.pieces:
            slots.hold(piece.html(), searchable=piece.searchable, key=piece.key)
        return {self.key: entry_html(self.source, self.url, self.markdown, slots)}


@dataclass
class _Pending:
    job: Job
    future: Future[dict[Key, str]] | None
    results: dict[Key, str] | None = None

    def done(self) -> dict[Key, str]:
        if self.results is None:
            self.results = result_or_render(self.future, self.job.render)
        return self.results

    def get(self, key: Key) -> str:
        return self.done()[key]


class IssueWork:
    """Jobs for the worker (or, without one, for this process when asked)."""

    def __init__(self, cache: FragmentCache, background: Background | None) -> None:
        self.cache = cache
        self.background = background
        self._pending: list[_Pending] = []

    def add(self, job: Job) -> Callable[[Key], str]:
        """Start `job`; the function returned gives a piece of its result, once done."""
        future = self.background.submit(job.render) if self.background else None
        pending = _Pending(job, future)
        self._pending.append(pending)
        return pending.get

    def finish(self, *, keep: bool = True) -> None:
        """Keep every job's results in the cache (unless not `keep`)."""
        pending, self._pending = self._pending, []
        if keep:
            self.cache.put_many(item for job in pending for item in job.done().items())
        _RENDERED.clear()
