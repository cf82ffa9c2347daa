"""Two builds of the same sources give byte-identical site trees (the second from the
fragment cache the first filled); no date from the clock."""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from generator.build import build_site, source_date_epoch
from generator.config import load_settings
from generator.templating import compiled_template_cache

from .conftest import copy_sample_site

KEEP = ("2026-june-solstice", "2026-september-equinox", "2026-december-solstice")


@pytest.fixture(autouse=True)
def no_fixed_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample newsletter cut to its last two published issues and the draft."""
    root = tmp_path_factory.mktemp("sample")
    config = copy_sample_site(root)
    for folder in (root / "issues").iterdir():
        if folder.name not in KEEP:
            shutil.rmtree(folder)
    return config


def compiled_templates(cache_dir: Path) -> int:
    """How many compiled templates the fragment cache's database keeps."""
    (database,) = (cache_dir / "fragments").rglob("fragments.sqlite")
    with sqlite3.connect(database) as db:
        (count,) = db.execute("SELECT count(*) FROM compiled").fetchone()
    return int(count)


def test_two_builds_are_byte_identical(sample: Path, tmp_path: Path) -> None:
    # The first build renders every fragment and compiles every template; the
    # second reads both from the cache.
    cache = load_settings(sample).cache_dir
    shutil.rmtree(cache, ignore_errors=True)
    first = build_site(str(sample), strict=True, site_dir=str(tmp_path / "one"))
    assert compiled_templates(cache) >= 30
    time.sleep(1.1)  # a second apart: a timestamp from the clock would differ
    second = build_site(str(sample), strict=True, site_dir=str(tmp_path / "two"))
    one, two = tree(first), tree(second)
    required = ["sitemap.xml", "sitemap.xml.gz", "feed.xml", "atom.xml", "feed.json"]
    required += ["search/search_index.json", "issues/2026-september-equinox/index.html"]
    assert set(required) <= set(one)
    assert sorted(one) == sorted(two)
    differing = [path for path in one if one[path] != two[path]]
    assert differing == []
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_dates_come_from_the_data_not_the_clock(sample: Path, tmp_path: Path) -> None:
    site = build_site(str(sample), strict=True, site_dir=str(tmp_path / "site"))
    epoch = source_date_epoch(load_settings(sample))
    latest = datetime.fromtimestamp(epoch, tz=UTC)
    assert latest.isoformat() == "2026-09-23T00:05:13+00:00"  # the latest published instant
    sitemap = etree.fromstring((site / "sitemap.xml").read_bytes())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert {e.text for e in sitemap.findall(".//s:lastmod", ns)} == {"2026-09-23"}
    header = (site / "sitemap.xml.gz").read_bytes()[:10]
    midnight = datetime(2026, 9, 23, tzinfo=UTC).timestamp()  # MkDocs keeps the date only
    assert int.from_bytes(header[4:8], "little") == midnight  # gzip's mtime field
    assert (
        gzip.decompress((site / "sitemap.xml.gz").read_bytes())
        == (site / "sitemap.xml").read_bytes()
    )
    today = datetime.now(UTC).date().isoformat()
    if today != "2026-09-23":
        assert not [p for p, content in tree(site).items() if today.encode() in content]


def test_what_other_plugins_add_to_a_page_survives_minifying_in_the_worker(
    sample: Path, tmp_path: Path
) -> None:
    """A cold build minifies pages in a worker and writes them again at the end: a
    change another plugin (here a hook) makes to a page is kept, as in a rebuild."""
    root = tmp_path / "hooked"
    shutil.copytree(sample.parent, root, ignore=shutil.ignore_patterns(".cache", "site"))
    (root / "hook.py").write_text(
        "def on_post_page(output, page, config):\n"
        "    return output.replace('</body>', '<p id=\"nl-hook\">hooked</p></body>')\n",
        encoding="utf-8",
    )
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "hooks:\n  - hook.py\n")
    cold = tree(build_site(str(config), strict=True, site_dir=str(tmp_path / "cold")))
    again = tree(build_site(str(config), strict=True, site_dir=str(tmp_path / "again")))
    page = cold["issues/2026-september-equinox/index.html"].decode()
    assert "hooked</p>" in page and "\n  " not in page.partition("<body")[2]  # minified
    assert cold == again


def test_theme_templates_compiled_by_the_worker_are_what_mkdocs_compiles(
    sample: Path, tmp_path: Path
) -> None:
    from mkdocs.config import load_config

    from generator.templating import compile_theme_templates

    theme = load_config(str(sample)).theme
    compiled = compile_theme_templates(theme, tmp_path)
    assert compiled >= 30 and compiled_templates(tmp_path) == compiled
    env = theme.get_env()  # as MkDocs makes it for the pages
    cache = compiled_template_cache(tmp_path)
    for name in ("main.html", "partials/toc.html", "partials/languages/en.html"):
        source, filename, _ = env.loader.get_source(env, name)
        bucket = cache.get_bucket(env, name, filename, source)
        assert bucket.code == env.compile(source, name, filename)  # what a miss compiles
