"""The fragment cache: a hit is what a render gives; any change to the key renders again."""

from __future__ import annotations

from pathlib import Path

from generator import fragment_cache
from generator.fragment_cache import FragmentCache


def test_a_miss_renders_and_stores_then_a_hit_reads_the_same_text(tmp_path: Path) -> None:
    calls: list[str] = []

    def render() -> str:
        calls.append("render")
        return "<table>é</table>\n"

    first = FragmentCache(tmp_path)
    assert first.fragment(("digest-a", "transparency", "UTC"), render) == "<table>é</table>\n"
    again = FragmentCache(tmp_path)  # a later build
    assert again.fragment(("digest-a", "transparency", "UTC"), render) == "<table>é</table>\n"
    assert calls == ["render"] and (first.misses, again.hits) == (1, 1)
    # Another data digest, section or time zone is another fragment.
    again.fragment(("digest-b", "transparency", "UTC"), render)
    again.fragment(("digest-a", "transparency", "Europe/Amsterdam"), render)
    assert len(calls) == 3
    assert not list(tmp_path.rglob("*.tmp"))  # written whole, then renamed


def test_the_fingerprint_covers_the_generators_own_files(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "package"
    (package / "templates").mkdir(parents=True)
    (package / "render.py").write_text("X = 1\n")
    (package / "templates" / "t.html.j2").write_text("<p>{{ x }}</p>\n")
    monkeypatch.setattr(fragment_cache, "PACKAGE", package)

    def current() -> str:
        fragment_cache.fingerprint.cache_clear()
        return fragment_cache.fingerprint()

    before = current()
    (package / "templates" / "t.html.j2").write_text("<p>{{ x }}!</p>\n")
    edited = current()
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "render.cpython-311.pyc").write_bytes(b"\0")
    assert before != edited == current()  # a template edit counts, bytecode does not
    fragment_cache.fingerprint.cache_clear()


def test_opening_a_new_fingerprint_removes_older_ones(tmp_path: Path) -> None:
    stale = tmp_path / "fragments" / "an-older-generator"
    stale.mkdir(parents=True)
    (stale / "x.html").write_text("old")
    cache = FragmentCache(tmp_path)
    cache.fragment(("k",), lambda: "new")
    assert not stale.exists() and cache.folder.is_dir()


def _sample_archives() -> list:
    from generator.config import load_settings
    from generator.issues import load_issues
    from generator.site import archives

    from .conftest import REPO

    settings = load_settings(REPO / "mkdocs.yml")
    return archives(load_issues(settings.issues_dir, include_drafts=False), settings)


def test_a_cold_cache_is_filled_by_the_worker_with_what_this_process_renders(
    tmp_path: Path,
) -> None:
    from generator.background import Background

    found = _sample_archives()
    assert len(found) == 4  # transparency, charter, Spaces, the charter feed
    cache = FragmentCache(tmp_path)
    with Background(cache) as first:
        assert all(first.add(a.key, a.render) for a in found)
    assert first.rendered == 4
    with Background(cache) as again:
        assert not any(again.add(a.key, a.render) for a in found)  # the cache has them
    assert again.rendered == 0
    for archive in found:
        assert cache.fragment(archive.key, lambda: "not rendered") == archive.render()
    assert cache.misses == 0  # every page above came from the worker's work


def test_a_failure_while_the_worker_renders_keeps_nothing_it_rendered(tmp_path: Path) -> None:
    import pytest

    from generator.background import Background

    found = _sample_archives()
    cache = FragmentCache(tmp_path)
    with pytest.raises(RuntimeError, match="issue pages failed"):
        with Background(cache) as background:
            for archive in found:
                background.add(archive.key, archive.render)
            raise RuntimeError("issue pages failed")
    assert background.rendered == 0
    assert not any(cache.has(a.key) for a in found)


def test_new_pages_are_minified_and_written_by_the_worker(tmp_path: Path) -> None:
    from generator.minify import HAND_OVER_EVERY, PageMinifier, minify_page

    pages = [f"<html><body>\n  <p>  page {n}  </p>\n</body></html>" for n in range(11)]
    targets = [tmp_path / "site" / f"p{n}" / "index.html" for n in range(11)]
    minifier = PageMinifier(tmp_path / "cache")
    minifier.start()
    # MkDocs gets nothing to write: the worker writes each page, in groups.
    handed = [minifier(page, str(to)) for page, to in zip(pages, targets, strict=True)]
    assert handed == [""] * 11
    assert len(minifier._jobs) == 11 // HAND_OVER_EVERY
    minifier.finish()
    assert [to.read_text() for to in targets] == [minify_page(page) for page in pages]
    # Kept: the next build takes each from the cache at once, for MkDocs to write.
    minifier.start()
    assert minifier(pages[0], str(targets[0])) == minify_page(pages[0])
    minifier.finish()


def test_a_cold_build_looks_no_page_up(tmp_path: Path) -> None:
    """On a cache that held nothing, every page is new: no digest or lookup here."""
    from generator.minify import PageMinifier, minify_page

    page = "<html><body>\n  <p>  one  </p>\n</body></html>"
    minifier = PageMinifier(tmp_path / "cache")
    looked_up: list[tuple[str, ...]] = []
    has = minifier.cache.has
    minifier.cache.has = lambda key: looked_up.append(key) or has(key)  # type: ignore[method-assign]
    written = tmp_path / "index.html"
    minifier.start(cold=True)
    assert minifier(page, str(written)) == ""
    minifier.finish()
    assert written.read_text() == minify_page(page) and looked_up == []
    minifier.start()  # a warm build looks the page up, and finds it
    assert minifier(page, str(written)) == minify_page(page) and len(looked_up) == 1
    minifier.finish()


def test_pages_the_worker_has_not_begun_are_written_here(tmp_path: Path) -> None:
    from concurrent.futures import Future

    from generator.background import Background
    from generator.minify import HAND_OVER_EVERY, PageMinifier, minify_page

    class NeverStarts(Background):
        """A worker too busy to begin any of them before the build ends."""

        def submit(self, render):  # type: ignore[no-untyped-def]
            return Future()  # pending: cancelled, and done here instead

    count = 2 * HAND_OVER_EVERY + 1
    pages = [f"<html><body>\n  <p>  page {n}  </p>\n</body></html>" for n in range(count)]
    minifier = PageMinifier(tmp_path / "cache")
    minifier.start(NeverStarts(minifier.cache))
    for n, page in enumerate(pages):
        assert minifier(page, str(tmp_path / f"{n}.html")) == ""
    minifier.finish()
    written = [(tmp_path / f"{n}.html").read_text() for n in range(count)]
    assert written == list(map(minify_page, pages))


def test_a_page_the_worker_died_on_is_written_here_whole(tmp_path: Path) -> None:
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from generator.background import Background
    from generator.minify import PageMinifier, minify_page

    class DiesMidWrite(Background):
        """A worker killed while it wrote a page."""

        def submit(self, render):  # type: ignore[no-untyped-def]
            for path, _ in render.args[0]:
                Path(path).write_text("<html><bo")
            died: Future[object] = Future()
            died.set_exception(BrokenProcessPool("killed"))
            return died

    page = "<html><body>\n  <p>  one  </p>\n</body></html>"
    minifier = PageMinifier(tmp_path / "cache")
    minifier.start(DiesMidWrite(minifier.cache))
    assert minifier(page, str(tmp_path / "index.html")) == ""
    minifier.finish()
    assert (tmp_path / "index.html").read_text() == minify_page(page)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "index.html"]


def test_a_failed_build_hands_the_worker_no_more_pages(tmp_path: Path) -> None:
    from generator.minify import HAND_OVER_EVERY, PageMinifier, minify_page, page_key

    pages = [f"<html><body>\n  <p>  page {n}  </p>\n</body></html>" for n in range(9)]
    minifier = PageMinifier(tmp_path / "cache")
    minifier.start()
    for n, page in enumerate(pages):
        minifier(page, str(tmp_path / f"{n}.html"))
    minifier.finish(keep=False)
    # The last page never reached the worker; the first group did, and each of its
    # pages is whole and kept (the key determines the page, whatever the build).
    assert not (tmp_path / "8.html").exists() and not minifier.cache.has(page_key(pages[8]))
    for n, page in enumerate(pages[:HAND_OVER_EVERY]):
        assert (tmp_path / f"{n}.html").read_text() == minify_page(page)
        assert minifier.cache.fragment(page_key(page), lambda: "not kept") == minify_page(page)


def test_a_job_that_fails_in_the_worker_leaves_the_others_results(tmp_path: Path) -> None:
    from functools import partial

    from generator.background import Background

    cache = FragmentCache(tmp_path)
    with Background(cache) as background:
        assert background.add(("broken",), partial(int, "not a number"))
        assert background.add(("fine",), partial(str, 42))
    assert background.rendered == 1
    assert cache.has(("fine",)) and not cache.has(("broken",))


def test_a_damaged_database_is_started_afresh(tmp_path: Path) -> None:
    first = FragmentCache(tmp_path)
    first.put(("k",), "kept")
    first._db().close()
    first.database.write_bytes(b"not a database" * 1000)
    for path in first.folder.glob("fragments.sqlite-*"):
        path.unlink()
    again = FragmentCache(tmp_path)
    assert again.fragment(("k",), lambda: "rendered") == "rendered"
    assert FragmentCache(tmp_path).fragment(("k",), lambda: "not again") == "rendered"


def test_a_database_damaged_past_its_header_is_a_miss_then_started_afresh(tmp_path: Path) -> None:
    first = FragmentCache(tmp_path)
    first.put(("k",), "kept")
    first._db().close()  # the write-ahead log goes into the database file
    size = first.database.stat().st_size
    with first.database.open("r+b") as damaged:
        damaged.seek(4096)  # the first page (the header and schema) stays whole
        damaged.write(b"\xff" * (size - 4096))
    again = FragmentCache(tmp_path)
    assert again.fragment(("k",), lambda: "rendered") == "rendered"
    assert FragmentCache(tmp_path).fragment(("k",), lambda: "not again") == "rendered"


def test_the_switch_interval_is_short_while_any_worker_runs(tmp_path: Path) -> None:
    import sys
    from functools import partial

    from generator.background import HANDOFF_INTERVAL, Background

    before = sys.getswitchinterval()
    cache = FragmentCache(tmp_path)
    outer, inner = Background(cache), Background(cache)
    assert outer.submit(partial(str, 1)) is not None and inner.submit(partial(str, 2))
    assert sys.getswitchinterval() == HANDOFF_INTERVAL
    outer.finish()  # not in the order they started
    assert sys.getswitchinterval() == HANDOFF_INTERVAL
    inner.finish()
    assert sys.getswitchinterval() == before
