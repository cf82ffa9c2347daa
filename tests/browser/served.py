"""The sample newsletter built once per test session and served on 127.0.0.1.

Building the sample site takes about a minute, so every browser test module
shares one build (cached for the process) and one static HTTP server.
"""

from __future__ import annotations

import atexit
import functools
import http.server
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from generator.build import build_site

from ..conftest import copy_sample_site


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves one folder; no request log on stderr."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@dataclass(frozen=True)
class Served:
    """A folder on a local HTTP server."""

    root: Path
    base_url: str  # ends with "/"

    def url(self, path: str) -> str:
        return self.base_url + path.lstrip("/")


def serve_folder(root: Path) -> tuple[Served, http.server.ThreadingHTTPServer]:
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    return Served(root, f"http://127.0.0.1:{port}/"), server


@functools.cache
def _build_once() -> Path | Exception:
    workdir = Path(tempfile.mkdtemp(prefix="newsletter-browser-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    try:
        # Not strict: tests/test_site_build.py checks strictness; these check the pages.
        return build_site(str(copy_sample_site(workdir)))
    except Exception as err:  # kept, so that one failed build is reported once per test
        return err


def built_sample_site() -> Path:
    """site/ of a private copy of the sample newsletter, built once per test session.

    BROWSER_TEST_SITE=<folder> reuses a site built earlier, for quick local runs.
    """
    reuse = os.environ.get("BROWSER_TEST_SITE")
    if reuse:
        return Path(reuse).resolve()
    built = _build_once()
    if isinstance(built, Exception):
        raise RuntimeError(f"the sample site did not build: {built}") from built
    return built


@functools.cache
def served_sample_site() -> Served:
    served, server = serve_folder(built_sample_site())
    atexit.register(server.shutdown)
    return served
