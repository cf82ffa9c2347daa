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


def test_a_cold_cache_is_filled_on_every_processor_with_what_one_process_renders(
    tmp_path: Path,
) -> None:
    from generator.config import load_settings
    from generator.issues import load_issues
    from generator.render import SECTIONS, MissingSections, section_fragments

    from .conftest import REPO

    settings = load_settings(REPO / "mkdocs.yml")
    issues = load_issues(settings.issues_dir, include_drafts=False)
    cache = FragmentCache(tmp_path)
    with MissingSections(issues, settings.timezone, cache) as first:
        pass
    expected = sum(len(i.data["sections"]) for i in issues if i.data)
    assert first.rendered == expected > 24  # the pool ran (it gives way below 24 sections)
    with MissingSections(issues, settings.timezone, cache) as again:
        pass
    assert again.rendered == 0
    for issue in issues[-3:]:
        from_pool = section_fragments(issue, settings.timezone, cache)
        one_by_one = section_fragments(issue, settings.timezone, None)
        assert from_pool == one_by_one
        assert len(from_pool) == len(SECTIONS)
    assert cache.misses == 0  # every fragment above came from the pool's work


def test_a_failure_while_the_workers_draw_keeps_nothing_they_drew(tmp_path: Path) -> None:
    import pytest

    from generator.config import load_settings
    from generator.issues import load_issues
    from generator.render import MissingSections

    from .conftest import REPO

    settings = load_settings(REPO / "mkdocs.yml")
    issues = load_issues(settings.issues_dir, include_drafts=False)
    cache = FragmentCache(tmp_path)
    with pytest.raises(RuntimeError, match="archive pages failed"):
        with MissingSections(issues, settings.timezone, cache) as sections:
            assert len(sections.missing) > 24
            raise RuntimeError("archive pages failed")
    assert sections.rendered == 0
    assert not any(cache.has(key) for key, _ in sections.missing)
