"""Debian's Chromium for Playwright: where it is, how to start it, when to skip.

Playwright's own browser download does not work on our machines, so tests use
the system browser. Locally, a machine without it skips the browser tests with
a clear reason; in CI (the CI variable is set, and .ci/run installs Chromium)
a missing browser is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# Without these, Chromium tries Google's services at start and on a closed
# network fills the log with refused connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    for candidate in ([configured] if configured else []) + list(CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium")
    return found


def launch_options() -> dict[str, Any]:
    path = chromium_path()
    if path is None:
        raise RuntimeError("Chromium not found (install Debian's chromium package)")
    return {"executable_path": path, "args": CHROMIUM_ARGS, "headless": True}


def require_browser() -> None:
    """Skip (locally) or fail (in CI) when Playwright or Chromium is missing."""
    problems = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the Python package 'playwright' is not installed")
    if chromium_path() is None:
        problems.append("Chromium is not installed (apt-get install chromium)")
    if not problems:
        return
    reason = "browser tests need a real browser: " + "; ".join(problems)
    if os.environ.get("CI"):
        pytest.fail(f"{reason}. CI must run them: .ci/run installs both.", pytrace=False)
    pytest.skip(reason)
