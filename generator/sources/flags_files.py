"""The files of a flag export: finding them, their columns, their checksums, their readers.

A file's SHA-256 (for provenance) is computed by `FileHashes` in a thread
while DuckDB reads the same files: hashlib releases the GIL on large blocks,
so hashing overlaps the scan instead of adding a pass over every byte.
"""

from __future__ import annotations

import csv
import dataclasses
import glob
import hashlib
import io
import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from generator.errors import SourceError
from generator.sources.flags_schema import COLUMNS, REQUIRED

# DuckDB is imported where a query runs, not with the module: the methodology
# page quotes this SQL in a build that runs none of it (DuckDB takes 0.06 s).
if TYPE_CHECKING:
    import duckdb

KINDS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
_ZONED = "\x00zoned"  # marks a zoned timestamp column while reading a Parquet schema
_BLOCK = 1 << 20


@dataclass(frozen=True)
class ExportFile:
    path: Path
    name: str
    kind: str
    sha256: str
    columns: tuple[str, ...]
    zoned: frozenset[str] = frozenset()  # Parquet columns typed TIMESTAMP WITH TIME ZONE


def resolve_patterns(patterns: list[str], base_dir: Path) -> list[Path]:
    """Expand file paths and globs relative to base_dir, in a stable order."""
    found: list[Path] = []
    for pattern in patterns:
        full = pattern if Path(pattern).is_absolute() else str(base_dir / pattern)
        matches = sorted(Path(p) for p in glob.glob(full, recursive=True) if Path(p).is_file())
        if not matches:
            what = "no file matches the pattern" if glob.has_magic(pattern) else "file not found"
            raise SourceError(pattern, what)
        found += [m for m in matches if m not in found]
    return found


def sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _display_name(path: Path, base_dir: Path) -> str:
    try:
        return path.resolve().relative_to(base_dir.resolve()).as_posix()
    except ValueError:
        return path.name


def _columns_of(con: duckdb.DuckDBPyConnection, path: Path, kind: str, name: str) -> list[str]:
    import duckdb  # loaded already: whoever opened `con` imported it

    try:
        if kind == "csv":
            with path.open(encoding="utf-8", newline="") as stream:
                header = next(csv.reader(io.StringIO(stream.readline())), [])
            return [h.lstrip("\ufeff") if i == 0 else h for i, h in enumerate(header)]
        if kind == "parquet":
            rows = con.execute(f"DESCRIBE SELECT * FROM read_parquet({sql_str(str(path))})")
            return [
                r[0] if r[1] != "TIMESTAMP WITH TIME ZONE" else r[0] + _ZONED
                for r in rows.fetchall()
            ]
        keys: dict[str, None] = {}
        with path.open(encoding="utf-8") as stream:
            for number, line in enumerate(stream, start=1):
                if line.strip():
                    record = json.loads(line)
                    if not isinstance(record, dict):
                        raise SourceError(name, "each line must be a JSON object", line=number)
                    keys.update(dict.fromkeys(record))
        return list(keys)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        kind_name = "UTF-8 text" if isinstance(error, UnicodeDecodeError) else "JSON"
        raise SourceError(name, f"not valid {kind_name}") from None
    except duckdb.Error:
        raise SourceError(name, "not a readable Parquet file") from None


def extra_columns(files: list[ExportFile]) -> list[str]:
    """Columns outside the schema, which are ignored."""
    return sorted({c for f in files for c in f.columns if c not in COLUMNS})


def open_export_file(con: duckdb.DuckDBPyConnection, path: Path, base_dir: Path) -> ExportFile:
    """Check a file's type and header; its sha256 is left empty (see FileHashes)."""
    name = _display_name(path, base_dir)
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise SourceError(name, "unsupported file type; allowed: .csv, .jsonl, .ndjson, .parquet")
    described = _columns_of(con, path, kind, name)
    columns = tuple(c.removesuffix(_ZONED) for c in described)
    zoned = frozenset(c.removesuffix(_ZONED) for c in described if c.endswith(_ZONED))
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise SourceError(name, "missing required column(s): " + ", ".join(missing))
    return ExportFile(path, name, kind, "", columns, zoned)


class FileHashes:
    """SHA-256 of each file, computed in one background thread.

    Use as a context manager: leaving it early (an error in the export)
    stops the thread at its next block instead of reading on.
    """

    def __init__(self, files: list[ExportFile]) -> None:
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flags-sha256")
        self._digests: list[Future[str]] = [self._pool.submit(self._digest, f.path) for f in files]

    def _digest(self, path: Path) -> str:
        # One small buffer, filled again and again: the block stays in the
        # CPU cache between the copy and the hash, and nothing is allocated
        # per block (measured on 2 GB: 1.97 s of CPU, against 2.2 s reading
        # 4 MiB blocks; mapping the file saves 0.15 s more, but a file cut
        # short while mapped kills the process).
        digest = hashlib.sha256()
        buffer = bytearray(_BLOCK)
        view = memoryview(buffer)
        with path.open("rb", buffering=0) as stream:
            while not self._stop.is_set() and (size := stream.readinto(buffer)):
                digest.update(view[:size])
        return digest.hexdigest()

    def attach(self, files: list[ExportFile]) -> list[ExportFile]:
        """The files with their checksums, once every one is computed."""
        return [
            dataclasses.replace(f, sha256=d.result())
            for f, d in zip(files, self._digests, strict=True)
        ]

    def __enter__(self) -> FileHashes:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)


def reader_sql(file: ExportFile) -> str:
    """A DuckDB table function reading every column of the file as text."""
    where = sql_str(str(file.path))
    if file.kind == "csv":
        types = ", ".join(f"{sql_str(c)}: 'VARCHAR'" for c in file.columns)
        return (
            f"read_csv({where}, header=true, auto_detect=false, delim=',', quote='\"', "
            f"escape='\"', columns={{{types}}}, strict_mode=true, encoding='utf-8')"
        )
    if file.kind == "jsonl":
        types = ", ".join(f"{sql_str(c)}: 'VARCHAR'" for c in file.columns if c in COLUMNS)
        return f"read_json({where}, format='newline_delimited', columns={{{types}}})"
    return f"read_parquet({where})"


def _text_of(column: str, file: ExportFile) -> str:
    if column not in file.columns:
        return "NULL::VARCHAR"
    quoted = f'"{column}"'
    if column in file.zoned:
        # A zoned Parquet timestamp becomes RFC 3339 text; a naive one stays offset-less.
        quoted = f"strftime({quoted}, '%Y-%m-%dT%H:%M:%S.%f+00:00')"
    return f"nullif({quoted}::VARCHAR, '')"


def raw_select(index: int, file: ExportFile) -> str:
    """Every schema column of one file as text (`t_*`), with its file and row number."""
    texts = ", ".join(f"{_text_of(c, file)} AS t_{c}" for c in COLUMNS)
    return (
        f"SELECT {index}::USMALLINT AS file_no, ordinality::BIGINT AS row_no, {texts} "
        f"FROM {reader_sql(file)} WITH ORDINALITY"
    )
