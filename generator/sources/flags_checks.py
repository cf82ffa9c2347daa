"""The text path's validation SQL: typed columns, one bit per broken rule, repeated ids.

Each file is scanned once by DuckDB into a compact, typed table (`checked`)
holding only what aggregation needs plus one bitmask of broken rules per row.
Private columns only enter a 64-bit row hash, computed for the rows whose
flag_id repeats, to tell exact duplicates from conflicting rows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from generator.errors import SourceError
from generator.sources.flags_files import ExportFile, raw_select, sql_str
from generator.sources.flags_schema import COLUMNS, DECISION, ENUMS, RULES, TIMESTAMPS

if TYPE_CHECKING:  # imported where a query runs (see flags_files)
    import duckdb


def enum_types_sql() -> str:
    return "\n".join(
        f"CREATE TYPE {c}_t AS ENUM ({', '.join(sql_str(v) for v in values)});"
        for c, values in ENUMS.items()
    )


# A row that passes this cheap test breaks no rule (each rule's condition is
# false for it), so the per-rule bits are only computed for the others.
PLAINLY_VALID = " AND ".join(
    ["t_flag_id IS NOT NULL"]
    + [f"{c} IS NOT NULL" for c in ("received_at", "target_type", "source", "reason")]
    + [f"(t_{c} IS NULL) = ({c} IS NULL)" for c in (*ENUMS, *TIMESTAMPS)]
    + [f"(resolved_at IS NULL) = ({c} IS NULL)" for c in DECISION]
    + [
        "coalesce(category <> 'no_violation'::category_t OR action = 'none'::action_t, true)",
        "coalesce(resolved_at >= received_at, true)",
        "coalesce(appeal_resolved_at >= resolved_at, true)",
        "coalesce(appeal IN ('upheld'::appeal_t, 'reversed'), false) "
        "= (appeal_resolved_at IS NOT NULL)",
        "(resolved_at IS NOT NULL OR coalesce(appeal, 'none'::appeal_t) = 'none'::appeal_t)",
    ]
)


def has_offset(text: str) -> str:
    """Cheap test that a timestamp ends with an offset; the cast checks the rest.

    Exact layout is only checked, by the rules' regular expressions, for rows
    that fail here, so error messages stay precise without slowing valid rows.
    """
    return f"({text} LIKE '%Z' OR {text} LIKE '%+__:__' OR {text} LIKE '%-__:__')"


def typed_timestamps_sql() -> str:
    """The timestamp columns, typed: NULL unless the text has an offset and casts."""
    return ", ".join(
        f"CASE WHEN {has_offset(f't_{c}')} THEN try_cast(t_{c} AS TIMESTAMPTZ) END AS {c}"
        for c in TIMESTAMPS
    )


def checked_table_sql(raw_view: str = "raw") -> str:
    """The validation query: typed columns plus one bit per broken rule."""
    enums = ", ".join(f"try_cast(t_{c} AS {c}_t) AS {c}" for c in ENUMS)
    typed = f"{enums}, {typed_timestamps_sql()}"
    bits = "\n    + ".join(
        f"(CASE WHEN {r.broken_when} THEN {1 << i} ELSE 0 END)::UBIGINT"
        for i, r in enumerate(RULES)
    )
    columns = ", ".join(list(ENUMS) + list(TIMESTAMPS))
    return (
        "CREATE TABLE checked AS\n"
        # The whole-row key is only computed for rows whose flag_id repeats
        # (REPEATED_SQL), which keeps the one scan of every row lean.
        "SELECT file_no, row_no, hash(t_flag_id) AS flag_key,\n"
        f"  {columns},\n"
        f"  CASE WHEN {PLAINLY_VALID} THEN 0::UBIGINT\n"
        f"  ELSE coalesce({bits}, 0) END AS problems\n"
        f"FROM (SELECT *, {typed} FROM {raw_view})"
    )


REPEATED_SQL = """
CREATE TABLE repeated AS
WITH keyed AS (
  SELECT flag_key FROM checked WHERE flag_key IS NOT NULL
  GROUP BY flag_key HAVING count(*) > 1
)
SELECT c.file_no, c.row_no, c.flag_key, NULL::UBIGINT AS row_key
FROM checked c JOIN keyed USING (flag_key)
"""

# Rows sharing a flag_id are compared whole (every column, private ones too),
# read again from the files involved only (view `raw_repeated`).
ROW_KEYS_SQL = f"""
UPDATE repeated SET row_key = p.row_key
FROM (
  SELECT file_no, row_no, hash({", ".join("t_" + c for c in COLUMNS)}) AS row_key
  FROM raw_repeated SEMI JOIN repeated USING (file_no, row_no)
) AS p
WHERE repeated.file_no = p.file_no AND repeated.row_no = p.row_no
"""

REPEATS_SQL = """
CREATE TABLE repeats AS
SELECT file_no, row_no, flag_key, row_key,
  count(DISTINCT row_key) OVER (PARTITION BY flag_key) > 1 AS conflicting,
  row_number() OVER w AS copy_no,
  first_value(file_no) OVER w AS first_file, first_value(row_no) OVER w AS first_row
FROM repeated
WINDOW w AS (PARTITION BY flag_key ORDER BY file_no, row_no)
"""

FLAGS_VIEW_SQL = """
CREATE VIEW flags AS
SELECT c.* EXCLUDE (file_no, row_no, flag_key, problems)
FROM checked c ANTI JOIN (
  SELECT file_no, row_no FROM repeats WHERE conflicting OR copy_no > 1
) r USING (file_no, row_no)
WHERE c.problems = 0
"""

# Without repeated flag ids there is nothing to leave out but invalid rows.
PLAIN_FLAGS_VIEW_SQL = """
CREATE VIEW flags AS
SELECT c.* EXCLUDE (file_no, row_no, flag_key, problems)
FROM checked c
WHERE c.problems = 0
"""


def run_checked(con: duckdb.DuckDBPyConnection, sql: str, files: list[ExportFile]) -> None:
    """Build `checked`; a file DuckDB cannot parse is named, its content never quoted."""
    import duckdb  # loaded already: whoever opened `con` imported it

    try:
        con.execute(sql)
    except duckdb.Error as error:
        # DuckDB's message may quote the offending row (private data): keep only where.
        text = str(error)
        found = re.search(r"(?:Line|line)\D{0,3}(\d+)", text)
        path = re.search(r"file \"?([^\"\s]+)", text)
        name = next((f.name for f in files if path and str(f.path) == path.group(1)), None)
        raise SourceError(
            name or ", ".join(f.name for f in files),
            "cannot be parsed (RFC 4180 CSV with a header row, JSON Lines of objects, "
            "or Parquet expected)",
            line=int(found.group(1)) if found else None,
        ) from None


def find_repeats(con: duckdb.DuckDBPyConnection, files: list[ExportFile]) -> bool:
    """Tell exact duplicates from conflicts; True if any flag_id repeats."""
    con.execute(REPEATED_SQL)
    involved = [f for (f,) in con.execute("SELECT DISTINCT file_no FROM repeated").fetchall()]
    if involved:
        union = "\nUNION ALL\n".join(raw_select(i, files[i]) for i in sorted(involved))
        con.execute(f"CREATE VIEW raw_repeated AS {union}")
        con.execute(ROW_KEYS_SQL)
    con.execute(REPEATS_SQL)
    return bool(involved)
