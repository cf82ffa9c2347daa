"""Issue fragments and feed entries rendered by the worker: the same as here, or rendered here."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import pytest

from generator.background import Background
from generator.config import load_settings
from generator.fragment_cache import FragmentCache
from generator.issue_work import FragmentsJob, IssueWork, Piece
from generator.site import MarkdownSetup, site_files

from .conftest import REPO

MARKDOWN = MarkdownSetup(
    extensions=["toc", "tables", "attr_list", "md_in_html"], extension_configs={}
)
MARKER = re.compile(r"<!-- nl-slot [0-9a-f]{24} -->")


def _sample_site(cache: Path, *, worker: bool, monkeypatch: pytest.MonkeyPatch):
    settings = load_settings(REPO / "mkdocs.yml")
    settings.options.cache_dir = str(cache)
    monkeypatch.setattr("generator.background.os.cpu_count", lambda: 2 if worker else 1)
    return site_files(settings, MARKDOWN, include_drafts=False)


def _filled(generated) -> dict[str, str | bytes]:
    """Each page source with its markers filled, as the engine would after conversion."""
    return {
        path: generated.slots.fill(text) if isinstance(text, str) else text
        for path, text in generated.files.items()
    }


def test_the_worker_renders_what_this_process_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = _sample_site(tmp_path / "here", worker=False, monkeypatch=monkeypatch)
    there = _sample_site(tmp_path / "there", worker=True, monkeypatch=monkeypatch)
    assert here.files == there.files  # page sources (markers included) and feeds
    filled = _filled(there)
    assert filled == _filled(here)
    issue_pages = [text for path, text in filled.items() if path.startswith("issues/2")]
    assert issue_pages and all(isinstance(text, str) for text in issue_pages)
    assert not any(MARKER.search(str(text)) for text in issue_pages)  # every slot filled
    assert any("nl-section-data" in str(text) for text in issue_pages)

    # Both kept what they rendered: a build that follows renders none of it.
    def not_again(*args: object) -> str:
        raise AssertionError("rendered again")

    monkeypatch.setattr("generator.render.section_html", not_again)
    monkeypatch.setattr("generator.feeds.entry_html", not_again)
    for cache_dir in ("here", "there"):
        rebuilt = _sample_site(tmp_path / cache_dir, worker=False, monkeypatch=monkeypatch)
        assert rebuilt.files == here.files and _filled(rebuilt) == filled


def test_a_piece_the_worker_could_not_render_raises_here_as_usual(tmp_path: Path) -> None:
    cache = FragmentCache(tmp_path)
    with Background(cache) as background:
        work = IssueWork(cache, background)
        broken = Piece(("digest", "broken"), partial(int, "not a number"))
        fine = Piece(("digest", "fine"), partial(str, 42))
        get_broken = work.add(FragmentsJob((broken,)))
        get_fine = work.add(FragmentsJob((fine,)))
        assert get_fine(fine.key) == "42"
        with pytest.raises(ValueError, match="not a number"):
            get_broken(broken.key)
        work.finish(keep=False)
    assert not cache.has(fine.key)  # a failed build keeps nothing


def test_finish_keeps_every_jobs_results_even_those_never_asked_for(tmp_path: Path) -> None:
    cache = FragmentCache(tmp_path)
    with Background(cache) as background:
        work = IssueWork(cache, background)
        pieces = tuple(Piece(("digest", str(n)), partial(str, n)) for n in range(3))
        work.add(FragmentsJob(pieces))
        work.finish()
    assert [cache.fragment(p.key, lambda: "missing") for p in pieces] == ["0", "1", "2"]
