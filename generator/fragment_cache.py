"""Rendered section fragments, kept on disk for the builds that follow.

Rendering sections (tables, charts) is most of a build's own work, and the
data of a published issue never changes. So each fragment is stored under a
key made of the issue's data.json digest, the section, the time zone, and a
fingerprint of everything that renders: the generator's code and templates
and the versions of the libraries that render or minify (jinja2,
markupsafe, nh3, minify-html).
A change to any of them is a new key, so a hit is byte for byte what a fresh
render gives, and a build with a cold cache writes the same site.

Fragments live in `<cache_dir>/fragments/<fingerprint>/fragments.sqlite`;
folders of other fingerprints (an older generator) are removed when a new
one is opened.
Nothing here is private: fragments hold only what pages publish.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable
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
    """Get a fragment from disk, or render and store it.

    The fragments are rows of one SQLite database, not a file each: a cold
    build stores several hundred of them, and creating that many files costs
    more than rendering some of them. Every store is its own transaction, so a
    build that is killed keeps whole fragments only; concurrent builds (a
    `serve` and a `build`) read and write it safely.
    """

    def __init__(self, cache_dir: Path):
        self.folder = cache_dir / "fragments" / fingerprint()
        self.database = self.folder / "fragments.sqlite"
        self.hits = self.misses = 0
        self._connection: sqlite3.Connection | None = None

    @classmethod
    def of_this_process(cls, cache_dir: Path) -> FragmentCache:
        """One cache per folder for this process: the worker's jobs share its
        connection, and never use one opened by the process it was forked from."""
        key = (os.getpid(), cache_dir)
        if key not in _OF_PROCESS:
            _OF_PROCESS[key] = cls(cache_dir)
        return _OF_PROCESS[key]

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            for other in self.folder.parent.iterdir():
                if other != self.folder and other.is_dir():
                    shutil.rmtree(other, ignore_errors=True)
            self._connection = _connect(self.database)
        return self._connection

    def is_cold(self) -> bool:
        """Whether nothing was kept yet for this fingerprint (a fresh clone, a new generator)."""
        return not self.database.is_file()

    def _text(self, parts: tuple[str, ...]) -> str | None:
        row = self._row(_SELECT, parts)
        return None if row is None else str(row[0])

    def _row(self, query: str, parts: tuple[str, ...]) -> tuple[object, ...] | None:
        try:
            row: tuple[object, ...] | None = (
                self._db().execute(query, (_row_key(parts),)).fetchone()
            )
            return row
        except sqlite3.DatabaseError:  # damaged (see _connect): a miss, and a new database
            self._start_afresh()
            return None

    def _start_afresh(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        _remove(self.database)

    def has(self, parts: tuple[str, ...]) -> bool:
        return self._row(_EXISTS, parts) is not None  # without reading the fragment

    def put(self, parts: tuple[str, ...], text: str) -> None:
        self.put_many([(parts, text)])

    def put_many(self, items: Iterable[tuple[tuple[str, ...], str]]) -> None:
        """Store every (key, fragment) in one transaction."""
        rows = [(_row_key(parts), text) for parts, text in items]
        if rows:
            with self._db() as db:
                db.executemany(_INSERT, rows)

    def compiled(self, key: str) -> bytes | None:
        """A compiled template kept under `key` (see generator.templating)."""
        row = self._row(_SELECT_COMPILED, (key,))
        return None if row is None or not isinstance(row[0], bytes) else row[0]

    def keep_compiled(self, key: str, code: bytes) -> None:
        with self._db() as db:
            db.execute(_INSERT_COMPILED, (_row_key((key,)), code))

    def fragment(self, parts: tuple[str, ...], render: Callable[[], str]) -> str:
        """The fragment for `parts` (which must determine it), rendered on a miss."""
        text = self._text(parts)
        if text is not None:
            self.hits += 1
            return text
        text = render()
        self.misses += 1
        self.put(parts, text)
        return text


_OF_PROCESS: dict[tuple[int, Path], FragmentCache] = {}

_SELECT = "SELECT text FROM fragment WHERE key = ?"
_EXISTS = "SELECT 1 FROM fragment WHERE key = ?"
_INSERT = "INSERT OR REPLACE INTO fragment (key, text) VALUES (?, ?)"
_SELECT_COMPILED = "SELECT code FROM compiled WHERE key = ?"
_INSERT_COMPILED = "INSERT OR REPLACE INTO compiled (key, code) VALUES (?, ?)"


def _row_key(parts: tuple[str, ...]) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _connect(database: Path) -> sqlite3.Connection:
    """The database, made if new; one that is not a fragment database is started afresh."""
    for attempt in (1, 2):
        connection = sqlite3.connect(database, timeout=60)
        try:
            # Write-ahead log: readers never wait for a writer. No sync to disk: a
            # killed build leaves the database whole; only a system crash could
            # damage it, and a damaged cache is started afresh (below).
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS fragment (key TEXT PRIMARY KEY, text TEXT NOT NULL)"
            )
            connection.execute(
                "CREATE TABLE IF NOT EXISTS compiled (key TEXT PRIMARY KEY, code BLOB NOT NULL)"
            )
            return connection
        except sqlite3.DatabaseError:
            connection.close()
            if attempt == 2:
                raise
            _remove(database)
    raise AssertionError("unreachable")


def _remove(database: Path) -> None:
    for path in database.parent.glob(database.name + "*"):  # and its -wal, -shm
        path.unlink(missing_ok=True)
