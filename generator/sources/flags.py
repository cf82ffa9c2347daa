"""Read and validate a flag export (schema flags-v1) into DuckDB.

Rows never become Python objects. A clean all-CSV export is read once by
DuckDB's typed reader (generator.sources.flags_fast); anything else, or an
export the fast path is not sure of, takes the text path: every column read
as text, one bit per broken rule (flags_checks), then the accounting and the
error messages (flags_accounting). Private columns (`target_ref`,
`reporter_id`, `comment`) only enter a 64-bit row hash used to tell exact
duplicates from conflicting rows; their values are never stored, logged or
put in a message.

The contract itself (columns, allowed values, rules) is flags_schema; this
module re-exports its names, so `from generator.sources import flags as fx`
gives the whole public surface.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from generator.sources import flags_fast
from generator.sources.flags_accounting import (
    LoadedExport,
    account,
    collect_errors,
    rows_per_file,
    write_rejected,
)
from generator.sources.flags_checks import (
    FLAGS_VIEW_SQL,
    PLAIN_FLAGS_VIEW_SQL,
    REPEATED_SQL,
    REPEATS_SQL,
    ROW_KEYS_SQL,
    checked_table_sql,
    enum_types_sql,
    find_repeats,
    run_checked,
)
from generator.sources.flags_files import (
    KINDS,
    ExportFile,
    FileHashes,
    extra_columns,
    open_export_file,
    raw_select,
    resolve_patterns,
    sql_str,
)
from generator.sources.flags_schema import (
    ACTIONS,
    APPEALS,
    CATEGORIES,
    COLUMNS,
    CONFLICT,
    DECIDERS,
    DECISION,
    ENUMS,
    ERROR_CAP,
    PRIVATE,
    REASON_CODES,
    REASONS,
    REQUIRED,
    RULES,
    SCHEMA,
    SOURCES,
    TARGET_TYPES,
    TIMESTAMPS,
    Rule,
    require_k,
)

__all__ = [
    "ACTIONS",
    "APPEALS",
    "CATEGORIES",
    "COLUMNS",
    "CONFLICT",
    "DECIDERS",
    "DECISION",
    "ENUMS",
    "ERROR_CAP",
    "FLAGS_VIEW_SQL",
    "KINDS",
    "PLAIN_FLAGS_VIEW_SQL",
    "PRIVATE",
    "REASONS",
    "REASON_CODES",
    "REPEATED_SQL",
    "REPEATS_SQL",
    "REQUIRED",
    "ROW_KEYS_SQL",
    "RULES",
    "SCHEMA",
    "SOURCES",
    "TARGET_TYPES",
    "TIMESTAMPS",
    "ExportFile",
    "LoadedExport",
    "Rule",
    "checked_table_sql",
    "find_repeats",
    "load_export",
    "open_export_file",
    "require_k",
    "resolve_patterns",
]

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger(__name__)

# DuckDB's own limit; the process peaks about 0.5 GiB above it (Python, the reader).
MEMORY_LIMIT = "1GB"


def _connect(temp_dir: Path | None) -> duckdb.DuckDBPyConnection:
    import duckdb  # here: see generator.sources.flags_files

    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "preserve_insertion_order": True})
    con.execute("SET TimeZone = 'UTC'")
    if temp_dir is not None:
        con.execute(f"SET temp_directory = {sql_str(str(temp_dir))}")
    return con


def load_export(
    patterns: list[str],
    *,
    base_dir: Path,
    skip_invalid: bool = False,
    rejected_path: Path | None = None,
    temp_dir: Path | None = None,
) -> LoadedExport:
    """Read, validate and deduplicate an export. Strict unless skip_invalid."""
    con = _connect(temp_dir)
    files = [open_export_file(con, p, base_dir) for p in resolve_patterns(patterns, base_dir)]
    _warn_extra_columns(files)
    con.execute(enum_types_sql())
    with FileHashes(files) as hashes:
        export = flags_fast.load_fast(con, files) or _load_text(
            con, files, skip_invalid=skip_invalid, rejected_path=rejected_path
        )
        export.files = hashes.attach(export.files)
    return export


def _load_text(
    con: duckdb.DuckDBPyConnection,
    files: list[ExportFile],
    *,
    skip_invalid: bool,
    rejected_path: Path | None,
) -> LoadedExport:
    """The text path: finds every broken rule and repeated id, with file, line and column."""
    union = "\nUNION ALL\n".join(raw_select(i, f) for i, f in enumerate(files))
    con.execute(f"CREATE VIEW raw AS {union}")
    validation_sql = checked_table_sql()
    run_checked(con, validation_sql, files)
    has_repeats = find_repeats(con, files)
    con.execute(FLAGS_VIEW_SQL if has_repeats else PLAIN_FLAGS_VIEW_SQL)
    export = LoadedExport(con, files, rows_per_file(con, len(files)), validation_sql=validation_sql)
    export.extra_columns = extra_columns(files)
    account(export)
    if export.rejected and not skip_invalid:
        raise collect_errors(export)
    if export.rejected and rejected_path is not None:
        write_rejected(export, rejected_path)
    return export


def _warn_extra_columns(files: list[ExportFile]) -> None:
    extra = extra_columns(files)
    if extra:
        log.warning("flag export: ignoring unknown column(s): %s", ", ".join(extra))
