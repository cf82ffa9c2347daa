"""Shared fixtures: a copy of the sample newsletter in a temporary folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


def copy_sample_site(dest: Path) -> Path:
    """mkdocs.yml, site_src/ and issues/ of the sample newsletter, copied into `dest`."""
    shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(REPO / "site_src", dest / "site_src")
    shutil.copytree(REPO / "issues", dest / "issues")
    return dest / "mkdocs.yml"


@pytest.fixture
def sample_site(tmp_path: Path) -> Path:
    """Path to mkdocs.yml of a private copy of the sample newsletter."""
    return copy_sample_site(tmp_path)


def write_config(path: Path, plugin_block: str, *, extra: str = "") -> Path:
    """A minimal mkdocs.yml with the given (indented) newsletter block."""
    path.write_text(
        "site_name: Test letter\n"
        "site_url: https://letter.example.org/\n"
        "docs_dir: pages\n"
        f"{extra}"
        "plugins:\n"
        "  - newsletter:\n"
        f"{plugin_block}",
        encoding="utf-8",
    )
    (path.parent / "pages").mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample newsletter built once per test session (read-only for tests)."""
    from generator.build import build_site

    root = tmp_path_factory.mktemp("built-sample")
    config = copy_sample_site(root)
    return build_site(str(config), strict=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian chromium through Playwright (fails in CI when it is missing)."""
    from playwright.sync_api import sync_playwright

    from .browser.chromium import launch_options, require_browser

    require_browser()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(**launch_options())
        yield chromium
        chromium.close()
