"""Shared fixtures: a copy of the sample newsletter in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

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
