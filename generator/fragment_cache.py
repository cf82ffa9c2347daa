"""Rendered section fragments, kept on disk for the builds that follow.

Rendering sections (tables, charts) is most of a build's own work, and the
data of a published issue never changes. So each fragment is stored under a
key made of the issue's data.json digest, the section, the time zone, and a
fingerprint of everything that renders: the generator's code and templates
and the versions of the libraries that render or minify (jinja2,
markupsafe, nh3, minify-html).
A change to any of them is a new key, so a hit is byte for byte what a fresh
render gives, and a build with a cold cache writes the same site.

Fragments live in `<cache_dir>/fragments/<fingerprint>/`; folders of other
fingerprints (an older generator) are removed when a new one is opened.
Nothing here is private: fragments hold only what pages publish.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
RENDERING_LIBRARIES = ("jinja2", "markupsafe", "nh3", "minify-html")


@functools.cache
def fingerprint() -> str:
    """A digest of the generator's sources and templates and the rendering libraries."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    for name in RENDERING_LIBRARIES:
        digest.update(f"{name}=={metadata.version(name)}\0".encode())
    return digest.hexdigest()[:20]


class FragmentCache:
    """Get a fragment from disk, or render and store it."""

    def __init__(self, cache_dir: Path):
        self.folder = cache_dir / "fragments" / fingerprint()
        self.hits = self.misses = 0
        self._opened = False

    def _open(self) -> None:
        if self._opened:
            return
        self._opened = True
        self.folder.mkdir(parents=True, exist_ok=True)
        for other in self.folder.parent.iterdir():
            if other != self.folder and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)

    def _path(self, parts: tuple[str, ...]) -> Path:
        self._open()
        return self.folder / (hashlib.sha256("\0".join(parts).encode()).hexdigest() + ".html")

    def is_cold(self) -> bool:
        """Whether nothing was kept yet for this fingerprint (a fresh clone, a new generator)."""
        return not self.folder.is_dir()

    def has(self, parts: tuple[str, ...]) -> bool:
        return self._path(parts).is_file()

    def put(self, parts: tuple[str, ...], text: str) -> None:
        self._store(self._path(parts), text)

    def fragment(self, parts: tuple[str, ...], render: Callable[[], str]) -> str:
        """The fragment for `parts` (which must determine it), rendered on a miss."""
        path = self._path(parts)
        try:
            text = path.read_text(encoding="utf-8")
            self.hits += 1
            return text
        except FileNotFoundError:
            pass
        text = render()
        self.misses += 1
        self._store(path, text)
        return text

    def _store(self, path: Path, text: str) -> None:
        # Written whole then renamed: a reader never sees half a fragment.
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, path)
        except OSError:
            Path(temporary).unlink(missing_ok=True)
            raise
