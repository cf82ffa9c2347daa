"""What happened to every row of a loaded export: counted, duplicate or rejected.

The accounting keeps read = counted + duplicates + rejected. Errors name a
file, line and column, and the rule broken; never a value, which may be private.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import SourceError, SourceErrors
from generator.sources.flags_files import ExportFile, sql_str
from generator.sources.flags_schema import CONFLICT, ERROR_CAP, REASON_CODES, RULES

if TYPE_CHECKING:  # imported where a query runs (see flags_files)
    import duckdb


@dataclass
class LoadedExport:
    """A validated export loaded in DuckDB; view `flags` holds the counted rows."""

    connection: duckdb.DuckDBPyConnection
    files: list[ExportFile]
    rows_per_file: list[int]
    read: int = 0
    counted: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)
    validation_sql: str = ""
    route: str = "text"  # "typed": a clean all-CSV export read by flags_fast


def rows_per_file(con: duckdb.DuckDBPyConnection, count: int) -> list[int]:
    rows = dict(con.execute("SELECT file_no, count(*) FROM checked GROUP BY file_no").fetchall())
    return [int(rows.get(i, 0)) for i in range(count)]


def _first_reason_sql() -> str:
    cases = " ".join(f"WHEN problems & {1 << i} <> 0 THEN '{r.code}'" for i, r in enumerate(RULES))
    return f"CASE {cases} END"


def account(export: LoadedExport) -> None:
    """Fill in read, counted, duplicates and rejected (by first broken rule)."""
    con = export.connection
    export.read = sum(export.rows_per_file)
    (dups,) = con.execute(
        "SELECT count(*) FROM repeats r JOIN checked c USING (file_no, row_no) "
        "WHERE NOT r.conflicting AND r.copy_no > 1 AND c.problems = 0"
    ).fetchone() or (0,)
    reasons = con.execute(
        f"SELECT reason, count(*) FROM ("
        f"SELECT CASE WHEN c.problems <> 0 THEN {_first_reason_sql()} "
        f"ELSE '{CONFLICT.code}' END AS reason FROM checked c "
        f"LEFT JOIN repeats r USING (file_no, row_no) "
        f"WHERE c.problems <> 0 OR coalesce(r.conflicting, false)) GROUP BY reason"
    ).fetchall()
    by_reason = dict(reasons)
    export.rejected_by_reason = {c: int(by_reason[c]) for c in REASON_CODES if c in by_reason}
    export.rejected = sum(export.rejected_by_reason.values())
    export.duplicates = int(dups)
    export.counted = export.read - export.duplicates - export.rejected


def _csv_start_lines(path: Path, records: set[int]) -> dict[int, int]:
    """Physical start line of some CSV records (quoted fields may span lines)."""
    found: dict[int, int] = {}
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        line = 1
        for record, _ in enumerate(reader):
            if record in records:
                found[record] = line
                if len(found) == len(records):
                    break
            line = reader.line_num + 1
    return found


def _line_finder(export: LoadedExport, wanted: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    lines: dict[tuple[int, int], int] = {}
    for file_no, file in enumerate(export.files):
        rows = {row for f, row in wanted if f == file_no}
        if file.kind == "csv" and rows:
            starts = _csv_start_lines(file.path, rows)
            lines.update({(file_no, r): starts.get(r, r + 1) for r in rows})
        else:
            lines.update({(file_no, r): r for r in rows})
    return lines


def collect_errors(export: LoadedExport) -> SourceErrors:
    """The first ERROR_CAP broken rules and conflicts, in file and line order, and the total."""
    con = export.connection
    (total_rule_breaks,) = con.execute(
        "SELECT coalesce(sum(bit_count(problems)), 0) FROM checked"
    ).fetchone() or (0,)
    (total_conflicts,) = con.execute(
        "SELECT count(*) FROM repeats WHERE conflicting AND copy_no > 1"
    ).fetchone() or (0,)
    rows = con.execute(
        "SELECT file_no, row_no, problems, NULL, NULL FROM checked WHERE problems <> 0 "
        "UNION ALL SELECT file_no, row_no, 0, first_file, first_row FROM repeats "
        "WHERE conflicting AND copy_no > 1 ORDER BY 1, 2 LIMIT ?",
        [ERROR_CAP],
    ).fetchall()
    wanted = [(r[0], r[1]) for r in rows] + [(r[3], r[4]) for r in rows if r[3] is not None]
    line_of = _line_finder(export, wanted)
    errors: list[SourceError] = []
    for file_no, row_no, problems, first_file, first_row in rows:
        file = export.files[file_no]
        line = line_of[(file_no, row_no)]
        if problems:
            errors += [
                SourceError(file.name, r.message, line=line, field=r.column)
                for i, r in enumerate(RULES)
                if problems & (1 << i)
            ]
        else:
            first = export.files[first_file]
            where = f"{first.name}:{line_of[(first_file, first_row)]}"
            message = f"same flag_id as {where} with different values; flag_id must be unique"
            errors.append(SourceError(file.name, message, line=line, field="flag_id"))
    total = int(total_rule_breaks) + int(total_conflicts)
    return SourceErrors(errors[:ERROR_CAP], total)


def write_rejected(export: LoadedExport, target: Path) -> None:
    """Write rejected rows with their reason, for the operator (never under the site)."""
    con = export.connection
    names = ", ".join(sql_str(f.name) for f in export.files)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    # Readable by its owner only: the rows keep the private columns. DuckDB
    # writes a new file, whose mode follows the umask.
    umask = os.umask(0o077)
    try:
        con.execute(
            f"COPY (SELECT list_extract([{names}], r.file_no + 1) AS file, r.row_no AS row, "
            f"CASE WHEN c.problems <> 0 THEN {_first_reason_sql()} ELSE '{CONFLICT.code}' END "
            f"AS reason, r.* EXCLUDE (file_no, row_no) FROM raw r "
            f"JOIN checked c USING (file_no, row_no) LEFT JOIN repeats p USING (file_no, row_no) "
            f"WHERE c.problems <> 0 OR coalesce(p.conflicting, false) ORDER BY 1, 2) "
            f"TO {sql_str(str(temporary))} (HEADER, DELIMITER ',')"
        )
        temporary.chmod(0o600)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        os.umask(umask)
