"""Fragments rendered in a worker process while the build goes on.

On a cold fragment cache (a fresh clone, a new generator version), a worker
renders what the cache lacks while this process goes on with other work,
and its results go into the caches, where the build then finds them:

- our templates, compiled, for the pages this process draws at on_files
  (generator.templating);
- the transparency report's pages and data files, while this process loads
  the issues and draws their pages (generator.site.start_site);
- the theme's templates, compiled (generator.templating);
- each issue's tables, charts and provenance panel, and its feed entry,
  while MkDocs converts the pages (generator.issue_work);
- the files that are not pages (each issue's data.json and CSV, say),
  written into site_dir itself (generator.site_writes);
- each page MkDocs has drawn, minified and written, while MkDocs builds the
  next ones (generator.minify, which keeps them in the cache itself).

One worker does all of it, in that order; a job it has not begun when this
process needs its result is done here instead (`result_or_render`). Where it
can, the worker is a fork of this process, which starts at once with every
module already imported. A warm cache starts no process at all, unless a
page is new.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_all_start_methods, get_context
from typing import Any, TypeVar

from .fragment_cache import FragmentCache

Key = tuple[str, ...]
T = TypeVar("T")
W = TypeVar("W")


def _render(render: Callable[[], T]) -> T:
    """In a worker process."""
    return render()


def _import(modules: tuple[str, ...]) -> str:
    """In a worker process: what its jobs will need, imported while there is no job yet."""
    for name in modules:
        importlib.import_module(name)
    return ""


def result_or_render(job: Future[T] | None, render: Callable[[], T]) -> T:
    """What the worker rendered, or `render()` here: without a job, if it failed (which
    raises the same error with its usual message), or if the worker is behind: the
    job is still waiting in the pool's queue (the pool hands the worker a job or two
    ahead, which can no longer be cancelled). Then this process, which would only
    wait for it, does the job instead, and the worker skips it."""
    try:
        if job is not None and not job.cancel():
            return job.result()
    except Exception:  # noqa: BLE001 - rendered here instead
        pass
    return render()


def finish_last_first(
    jobs: list[tuple[W, Future[Any] | None]], do_here: Callable[[W], Any]
) -> None:
    """Wait for each (work, job), the last first: `do_here(work)` for a job the worker
    has not begun (or could not do), while the worker goes on with the first ones."""
    for work, job in reversed(jobs):
        result_or_render(job, functools.partial(do_here, work))


# While a worker runs, how long this process's busy thread keeps the interpreter
# lock when another thread here wants it: the pool's threads, which hand the
# worker its jobs. At the default 5 ms a wait, the worker sat idle for want of
# the pages it writes (a third of the time MkDocs built pages, measured).
HANDOFF_INTERVAL = 0.0005
_running: list[float] = []  # the interval before the first worker started, while any runs


def _shorten_handoffs() -> None:
    if not _running:
        _running.append(sys.getswitchinterval())
        sys.setswitchinterval(HANDOFF_INTERVAL)
    else:
        _running.append(HANDOFF_INTERVAL)


def _restore_handoffs() -> None:
    if _running:
        interval = _running.pop()
        if not _running:
            sys.setswitchinterval(interval)


def _start_method() -> str:
    """A fork of this process when that is safe: it starts at once, with every
    module imported here. Forking a process that runs other threads (`serve`'s
    reloader, a test's server) can deadlock the child; then a clean process."""
    if sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in get_all_start_methods() else "spawn"


class Background:
    """Renders what the cache lacks in a worker process while the caller goes on.

    `add(key, render)` hands a job to the worker: `render` must be picklable
    (a module-level function, a functools.partial of one, or a bound method
    of a picklable object). `finish()` puts the results in the cache, or,
    after a failure elsewhere (`keep=False`), keeps nothing. Also a context
    manager, which finishes on exit. Anything that goes wrong in the worker
    is left to the one-by-one rendering that follows (the cache still lacks
    the key), which raises the same error with its usual message.
    """

    def __init__(self, cache: FragmentCache) -> None:
        self.cache = cache
        self.rendered = 0
        self._pool: ProcessPoolExecutor | None = None
        self._unavailable = (os.cpu_count() or 1) < 2  # rendering later here is as fast
        self._jobs: list[tuple[Key, Future[str]]] = []

    def add(self, key: Key, render: Callable[[], str]) -> bool:
        """Whether the worker has the job (not if the cache has it, or there is no worker)."""
        if any(job_key == key for job_key, _ in self._jobs):
            return True
        job = None if self.cache.has(key) else self.submit(render)
        if job is not None:
            self._jobs.append((key, job))
        return job is not None

    def warm_up(self, modules: tuple[str, ...]) -> None:
        """Start the worker now and have it import `modules` while this process goes on."""
        self.submit(functools.partial(_import, modules))

    def submit(self, render: Callable[[], T]) -> Future[T] | None:
        """Hand the worker a job whose result the caller caches itself (None: no worker)."""
        if not self._start():
            return None
        assert self._pool is not None
        try:
            return self._pool.submit(_render, render)
        except Exception:  # noqa: BLE001 - see the class docstring
            return None

    def result(self, key: Key) -> str | None:
        """What the worker rendered for `key`, once it has (None: no such job, or it failed)."""
        for job_key, job in self._jobs:
            if job_key == key:
                try:
                    return job.result()
                except Exception:  # noqa: BLE001 - see the class docstring
                    return None
        return None

    def _start(self) -> bool:
        if self._pool is None and not self._unavailable:
            try:
                self._pool = ProcessPoolExecutor(1, mp_context=get_context(_start_method()))
            except Exception:  # noqa: BLE001 - see the class docstring
                self._unavailable = True
            else:
                _shorten_handoffs()
        return self._pool is not None

    def finish(self, *, keep: bool = True) -> dict[Key, str]:
        """What the worker rendered, by key, now also in the cache (nothing unless `keep`)."""
        results: dict[Key, str] = {}
        try:
            for key, job in self._jobs if keep else ():
                try:
                    results[key] = job.result()
                except Exception:  # noqa: BLE001 - see the class docstring; the rest stay
                    continue
            self.cache.put_many(results.items())
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                _restore_handoffs()
            self._pool, self._jobs = None, []
        self.rendered += len(results)
        return results

    def __enter__(self) -> Background:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        self.finish(keep=error_type is None)
