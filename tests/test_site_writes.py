"""The generated files that are not pages: written by the worker on a cold build."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from mkdocs.config import load_config
from mkdocs.structure.files import Files, InclusionLevel

from generator.background import Background
from generator.fragment_cache import FragmentCache
from generator.site_writes import SiteWrites, WrittenByWorker

CONTENTS: dict[str, str | bytes] = {
    "data/transparency.csv": "issue,value\r\n2026-june-solstice,12\r\n",
    "charter/atom.xml": b"<feed/>",
}


def _config(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    config["site_dir"] = str(tmp_path / "site")
    config.plugins._current_plugin = "newsletter"  # as while one of its events runs
    return config


def _all_files(tmp_path: Path) -> dict[str, str | bytes | Path]:
    copied = tmp_path / "data.json"
    copied.write_bytes(b'{"sections": {}}\n')
    return {**CONTENTS, "data/2026-june-solstice.json": copied, "index.md": "# Home\n"}


def _written(tmp_path: Path) -> dict[str, bytes]:
    site = tmp_path / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _expected(tmp_path: Path) -> dict[str, bytes]:
    return {
        "data/transparency.csv": b"issue,value\r\n2026-june-solstice,12\r\n",
        "charter/atom.xml": b"<feed/>",
        "data/2026-june-solstice.json": b'{"sections": {}}\n',
    }


def test_the_worker_writes_them_and_mkdocs_copies_none(tmp_path: Path) -> None:
    config = _config(tmp_path)
    with Background(FragmentCache(tmp_path / "cache")) as background:
        writes = SiteWrites(config, background)
        files = Files([writes.file(path, c) for path, c in _all_files(tmp_path).items()])
        files.copy_static_files()  # as MkDocs does, before the pages: writes nothing
        assert not (tmp_path / "site" / "data").exists()
        writes.start(files, InclusionLevel.is_included)
        writes.finish()
    assert _written(tmp_path) == _expected(tmp_path)
    kinds = {f.src_uri: type(f) for f in files}
    assert kinds["index.md"] is not WrittenByWorker  # a page, converted by MkDocs
    assert {kinds[p] for p in _expected(tmp_path)} == {WrittenByWorker}


def test_a_worker_that_failed_leaves_them_to_this_process(tmp_path: Path) -> None:
    class Broken(Background):
        def submit(self, render):  # type: ignore[no-untyped-def]
            failed: Future[object] = Future()
            failed.set_exception(BrokenProcessPool("the worker died"))
            return failed

    config = _config(tmp_path)
    writes = SiteWrites(config, Broken(FragmentCache(tmp_path / "cache")))
    files = Files([writes.file(path, c) for path, c in _all_files(tmp_path).items()])
    writes.start(files, InclusionLevel.is_included)
    writes.finish()
    assert _written(tmp_path) == _expected(tmp_path)


def test_without_a_worker_mkdocs_writes_them(tmp_path: Path) -> None:
    config = _config(tmp_path)
    writes = SiteWrites(config, None)
    files = Files([writes.file(path, c) for path, c in _all_files(tmp_path).items()])
    writes.start(files, InclusionLevel.is_included)
    files.copy_static_files()
    writes.finish()
    assert _written(tmp_path) == _expected(tmp_path)
    assert not any(isinstance(f, WrittenByWorker) for f in files)


def test_a_file_mkdocs_rules_leave_out_is_not_written(tmp_path: Path) -> None:
    """As MkDocs copies only the files its exclusion rules leave in (exclude_docs)."""
    config = _config(tmp_path)
    with Background(FragmentCache(tmp_path / "cache")) as background:
        writes = SiteWrites(config, background)
        files = Files([writes.file(path, c) for path, c in _all_files(tmp_path).items()])
        files.get_file_from_path("charter/atom.xml").inclusion = InclusionLevel.EXCLUDED
        writes.start(files, InclusionLevel.is_included)
        writes.finish()
    expected = _expected(tmp_path)
    del expected["charter/atom.xml"]
    assert _written(tmp_path) == expected
