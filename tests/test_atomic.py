"""Atomic output: `build` and `collect` killed midway (SIGKILL) lose nothing.

Builds and collections are reproducible, so after any kill the site and the
data must be byte-identical to the complete run's: the old tree or the new,
never a mixture, never missing. The next run removes what the killed one left.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.build import build_site
from generator.collect import collect_issue
from generator.config import load_settings
from generator.issuedata import read_data

from .publish_support import AFTER_INSTANT, SLUG, make_letter

KILLS = 3


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def newsletter(config: Path, *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(int(AFTER_INSTANT.timestamp())))
    return subprocess.Popen(
        [sys.executable, "-m", "generator", *args, "-f", str(config)],
        cwd=config.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def timed_run(config: Path, *args: str) -> float:
    started = time.monotonic()
    assert newsletter(config, *args).wait(timeout=300) == 0
    return time.monotonic() - started


def kill_midway(config: Path, args: tuple[str, ...], after: float) -> None:
    process = newsletter(config, *args)
    time.sleep(after)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


@pytest.fixture(scope="module")
def letter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("letter")
    config = make_letter(root, flags=True)
    collect_issue(load_settings(config), SLUG, collected_at=AFTER_INSTANT)
    return config


def test_killed_builds_leave_the_previous_site_whole(letter: Path) -> None:
    root = letter.parent
    duration = timed_run(letter, "build")
    reference = tree(root / "site")
    docs_before = sorted(p.name for p in (root / "pages").rglob("*"))
    chance = random.Random(7)
    for _ in range(KILLS):
        kill_midway(letter, ("build",), chance.uniform(0.3, duration))
        assert tree(root / "site") == reference
    timed_run(letter, "build")
    assert tree(root / "site") == reference
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []
    assert sorted(p.name for p in (root / "pages").rglob("*")) == docs_before


def test_killed_collections_leave_the_data_whole(letter: Path) -> None:
    folder = letter.parent / "issues" / SLUG
    duration = timed_run(letter, "collect", SLUG)
    reference = (folder / "data.json").read_bytes()
    chance = random.Random(11)
    for _ in range(KILLS):
        kill_midway(letter, ("collect", SLUG), chance.uniform(0.3, duration))
        assert (folder / "data.json").read_bytes() == reference
        read_data(folder / "data.json")  # parses and validates
    # A temporary file a killed writer might leave is removed by the next run.
    (folder / ".data.json.killed.tmp").write_bytes(b'{"half": ')
    assert timed_run(letter, "collect", SLUG) > 0
    assert sorted(p.name for p in folder.iterdir()) == ["data.json", "issue.md"]
    assert (folder / "data.json").read_bytes() == reference


def test_a_build_killed_between_the_two_renames_is_restored(letter: Path) -> None:
    """Where the system cannot exchange two folders, the old site is renamed aside
    first; a kill right then leaves no site/, and the next build puts it back."""
    root = letter.parent
    build_site(str(letter))
    reference = tree(root / "site")
    os.replace(root / "site", root / ".site.old-12345")
    (root / ".site.building-dead").mkdir()
    build_site(str(letter), site_dir=str(root / "elsewhere"))  # another target: untouched
    assert not (root / "site").exists()
    from generator.build import remove_stale_staging

    remove_stale_staging(root / "site")
    assert tree(root / "site") == reference
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def test_a_site_folder_inside_the_docs_folder_is_refused(letter: Path) -> None:
    from generator.errors import NewsletterError

    docs = letter.parent / "pages"
    with pytest.raises(NewsletterError, match="must not be inside one another"):
        build_site(str(letter), site_dir=str(docs / "out"))
    assert not (docs / "out").exists()
