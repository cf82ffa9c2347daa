"""Read and validate a flag export (schema flags-v1) into DuckDB.

Rows never become Python objects: each file is scanned once by DuckDB into a
compact, typed table (`checked`) holding only what aggregation needs plus one
bitmask of broken rules per row. Private columns (`target_ref`, `reporter_id`,
`comment`) only enter a 64-bit row hash used to tell exact duplicates from
conflicting rows; their values are never stored, logged or put in a message.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from generator.errors import NewsletterError, SourceError, SourceErrors

log = logging.getLogger(__name__)

SCHEMA = "flags-v1"
ERROR_CAP = 50

TARGET_TYPES = ("model", "dataset", "space", "discussion", "comment", "collection", "user")
SOURCES = ("community", "trusted_flagger", "automated", "staff", "authority")
REASONS = ("ethical_issue", "legal_issue", "not_working", "spam", "illegal_or_restricted", "other")
CATEGORIES = (
    "hate_or_discrimination",
    "harassment_or_bullying",
    "violence",
    "self_harm",
    "child_safety",
    "adult_content_untagged",
    "privacy_pii",
    "intellectual_property",
    "misinformation",
    "high_risk_use",
    "malware_or_security",
    "spam_or_fraud",
    "other",
    "no_violation",
)
ACTIONS = (
    "none",
    "nfaa_tag_added",
    "card_updated",
    "gated",
    "unranked",
    "interaction_restricted",
    "disabled",
    "removed",
    "account_suspended",
    "account_terminated",
)
DECIDERS = ("human", "automated", "hybrid")
APPEALS = ("none", "pending", "upheld", "reversed")

ENUMS: dict[str, tuple[str, ...]] = {
    "target_type": TARGET_TYPES,
    "source": SOURCES,
    "reason": REASONS,
    "category": CATEGORIES,
    "action": ACTIONS,
    "decided_by": DECIDERS,
    "appeal": APPEALS,
}
TIMESTAMPS = ("received_at", "resolved_at", "appeal_resolved_at")
PRIVATE = ("target_ref", "reporter_id", "comment")
REQUIRED = ("flag_id", "received_at", "target_type", "source", "reason")
DECISION = ("category", "action", "decided_by")
COLUMNS = (
    "flag_id",
    "received_at",
    "target_type",
    "source",
    "reason",
    "resolved_at",
    "category",
    "action",
    "decided_by",
    "appeal",
    "appeal_resolved_at",
    "target_ref",
    "reporter_id",
    "comment",
)
KINDS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}

_NO_OFFSET = r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?"
_ZONED = "\x00zoned"  # marks a zoned timestamp column while reading a Parquet schema
_EXAMPLE = "e.g. 2026-09-23T00:05:00+00:00"


def _allowed(column: str) -> str:
    return "allowed: " + ", ".join(ENUMS[column])


@dataclass(frozen=True)
class Rule:
    """One schema rule, checked in SQL over the text columns (`t_*`) and typed ones."""

    code: str
    column: str
    message: str
    broken_when: str


def _rules() -> list[Rule]:
    rules = [
        Rule(f"missing_{c}", c, "required value is missing", f"t_{c} IS NULL") for c in REQUIRED
    ]
    for c in TIMESTAMPS:
        rules.append(
            Rule(
                f"no_offset_{c}",
                c,
                f"timestamp has no UTC offset; expected RFC 3339 with offset, {_EXAMPLE}",
                f"t_{c} IS NOT NULL AND regexp_full_match(t_{c}, '{_NO_OFFSET}')",
            )
        )
        rules.append(
            Rule(
                f"bad_{c}",
                c,
                f"not an RFC 3339 timestamp; expected {_EXAMPLE}",
                f"t_{c} IS NOT NULL AND {c} IS NULL "
                f"AND NOT regexp_full_match(t_{c}, '{_NO_OFFSET}')",
            )
        )
    for c in ENUMS:
        # A cast, not an IN list: DuckDB plans a long IN list as a join over every row.
        rules.append(
            Rule(
                f"case_{c}",
                c,
                f"enum values are exact, lower case; {_allowed(c)}",
                f"t_{c} IS NOT NULL AND {c} IS NULL "
                f"AND try_cast(lower(t_{c}) AS {c}_t) IS NOT NULL",
            )
        )
        rules.append(
            Rule(
                f"bad_{c}",
                c,
                f"not an allowed value; {_allowed(c)}",
                f"t_{c} IS NOT NULL AND {c} IS NULL AND try_cast(lower(t_{c}) AS {c}_t) IS NULL",
            )
        )
    for c in DECISION:
        rules.append(
            Rule(
                f"unresolved_{c}",
                c,
                f"required when resolved_at is set; {_allowed(c)}",
                f"t_resolved_at IS NOT NULL AND t_{c} IS NULL",
            )
        )
        rules.append(
            Rule(
                f"pending_{c}",
                c,
                "must be empty while resolved_at is empty (pending flag)",
                f"t_resolved_at IS NULL AND t_{c} IS NOT NULL",
            )
        )
    rules += [
        Rule(
            "no_violation_action",
            "action",
            "category no_violation goes with action none; allowed: none",
            "category = 'no_violation'::category_t AND action <> 'none'::action_t",
        ),
        Rule(
            "resolved_before_received",
            "resolved_at",
            "earlier than received_at; resolved_at must be >= received_at",
            "resolved_at < received_at",
        ),
        Rule(
            "pending_appeal",
            "appeal",
            "must be empty or none while resolved_at is empty (pending flag)",
            "t_resolved_at IS NULL AND appeal IN ('pending'::appeal_t, 'upheld', 'reversed')",
        ),
        Rule(
            "appeal_unresolved",
            "appeal_resolved_at",
            "required when appeal is upheld or reversed",
            "appeal IN ('upheld'::appeal_t, 'reversed') AND t_appeal_resolved_at IS NULL",
        ),
        Rule(
            "appeal_not_decided",
            "appeal_resolved_at",
            "must be empty unless appeal is upheld or reversed",
            "t_appeal_resolved_at IS NOT NULL "
            "AND (t_appeal IS NULL OR appeal IN ('none'::appeal_t, 'pending'))",
        ),
        Rule(
            "appeal_before_resolved",
            "appeal_resolved_at",
            "earlier than resolved_at; appeal_resolved_at must be >= resolved_at",
            "appeal_resolved_at < resolved_at",
        ),
    ]
    return rules


RULES = _rules()
CONFLICT = Rule("conflicting_flag_id", "flag_id", "", "")
REASON_CODES = [r.code for r in RULES] + [CONFLICT.code]


@dataclass(frozen=True)
class ExportFile:
    path: Path
    name: str
    kind: str
    sha256: str
    columns: tuple[str, ...]
    zoned: frozenset[str] = frozenset()  # Parquet columns typed TIMESTAMP WITH TIME ZONE


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


def _display_name(path: Path, base_dir: Path) -> str:
    try:
        return path.resolve().relative_to(base_dir.resolve()).as_posix()
    except ValueError:
        return path.name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _columns_of(con: duckdb.DuckDBPyConnection, path: Path, kind: str, name: str) -> list[str]:
    try:
        if kind == "csv":
            with path.open(encoding="utf-8", newline="") as stream:
                header = next(csv.reader(io.StringIO(stream.readline())), [])
            return [h.lstrip("\ufeff") if i == 0 else h for i, h in enumerate(header)]
        if kind == "parquet":
            rows = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_sql_str(str(path))})")
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


def open_export_file(con: duckdb.DuckDBPyConnection, path: Path, base_dir: Path) -> ExportFile:
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
    return ExportFile(path, name, kind, _sha256(path), columns, zoned)


def _reader_sql(file: ExportFile) -> str:
    where = _sql_str(str(file.path))
    if file.kind == "csv":
        types = ", ".join(f"{_sql_str(c)}: 'VARCHAR'" for c in file.columns)
        return (
            f"read_csv({where}, header=true, auto_detect=false, delim=',', quote='\"', "
            f"escape='\"', columns={{{types}}}, strict_mode=true, encoding='utf-8')"
        )
    if file.kind == "jsonl":
        types = ", ".join(f"{_sql_str(c)}: 'VARCHAR'" for c in file.columns if c in COLUMNS)
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


def _raw_select(index: int, file: ExportFile) -> str:
    texts = ", ".join(f"{_text_of(c, file)} AS t_{c}" for c in COLUMNS)
    return (
        f"SELECT {index}::USMALLINT AS file_no, ordinality::BIGINT AS row_no, {texts} "
        f"FROM {_reader_sql(file)} WITH ORDINALITY"
    )


def _enum_types_sql() -> str:
    return "\n".join(
        f"CREATE TYPE {c}_t AS ENUM ({', '.join(_sql_str(v) for v in values)});"
        for c, values in ENUMS.items()
    )


# A row that passes this cheap test breaks no rule (each rule's condition is
# false for it), so the per-rule bits are only computed for the others.
_PLAINLY_VALID = " AND ".join(
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


def _has_offset(text: str) -> str:
    """Cheap test that a timestamp ends with an offset; the cast checks the rest.

    Exact layout is only checked, by the rules' regular expressions, for rows
    that fail here, so error messages stay precise without slowing valid rows.
    """
    return f"({text} LIKE '%Z' OR {text} LIKE '%+__:__' OR {text} LIKE '%-__:__')"


def checked_table_sql(raw_view: str = "raw") -> str:
    """The validation query: typed columns plus one bit per broken rule."""
    typed = ", ".join(
        [f"try_cast(t_{c} AS {c}_t) AS {c}" for c in ENUMS]
        + [
            f"CASE WHEN {_has_offset(f't_{c}')} THEN try_cast(t_{c} AS TIMESTAMPTZ) END AS {c}"
            for c in TIMESTAMPS
        ]
    )
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
        f"  CASE WHEN {_PLAINLY_VALID} THEN 0::UBIGINT\n"
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


def find_repeats(con: duckdb.DuckDBPyConnection, files: list[ExportFile]) -> bool:
    """Tell exact duplicates from conflicts; True if any flag_id repeats."""
    con.execute(REPEATED_SQL)
    involved = [f for (f,) in con.execute("SELECT DISTINCT file_no FROM repeated").fetchall()]
    if involved:
        union = "\nUNION ALL\n".join(_raw_select(i, files[i]) for i in sorted(involved))
        con.execute(f"CREATE VIEW raw_repeated AS {union}")
        con.execute(ROW_KEYS_SQL)
    con.execute(REPEATS_SQL)
    return bool(involved)


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


def _connect(temp_dir: Path | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"memory_limit": "1GB", "preserve_insertion_order": True})
    con.execute("SET TimeZone = 'UTC'")
    if temp_dir is not None:
        con.execute(f"SET temp_directory = {_sql_str(str(temp_dir))}")
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
    con.execute(_enum_types_sql())
    from generator.sources import flags_fast  # the typed route for clean CSV exports

    fast = flags_fast.load_fast(con, files)
    if fast is not None:
        return fast
    union = "\nUNION ALL\n".join(_raw_select(i, f) for i, f in enumerate(files))
    con.execute(f"CREATE VIEW raw AS {union}")
    validation_sql = checked_table_sql()
    _run_checked(con, validation_sql, files)
    has_repeats = find_repeats(con, files)
    con.execute(FLAGS_VIEW_SQL if has_repeats else PLAIN_FLAGS_VIEW_SQL)
    export = LoadedExport(
        con, files, _rows_per_file(con, len(files)), validation_sql=validation_sql
    )
    export.extra_columns = sorted({c for f in files for c in f.columns if c not in COLUMNS})
    _account(export)
    if export.rejected and not skip_invalid:
        raise _collect_errors(export)
    if export.rejected and rejected_path is not None:
        _write_rejected(export, rejected_path)
    return export


def _warn_extra_columns(files: list[ExportFile]) -> None:
    extra = sorted({c for f in files for c in f.columns if c not in COLUMNS})
    if extra:
        log.warning("flag export: ignoring unknown column(s): %s", ", ".join(extra))


def _run_checked(con: duckdb.DuckDBPyConnection, sql: str, files: list[ExportFile]) -> None:
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


def _rows_per_file(con: duckdb.DuckDBPyConnection, count: int) -> list[int]:
    rows = dict(con.execute("SELECT file_no, count(*) FROM checked GROUP BY file_no").fetchall())
    return [int(rows.get(i, 0)) for i in range(count)]


def _first_reason_sql() -> str:
    cases = " ".join(f"WHEN problems & {1 << i} <> 0 THEN '{r.code}'" for i, r in enumerate(RULES))
    return f"CASE {cases} END"


def _account(export: LoadedExport) -> None:
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


def _collect_errors(export: LoadedExport) -> SourceErrors:
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


def _write_rejected(export: LoadedExport, target: Path) -> None:
    """Write rejected rows with their reason, for the operator (never under the site)."""
    con = export.connection
    names = ", ".join(_sql_str(f.name) for f in export.files)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    con.execute(
        f"COPY (SELECT list_extract([{names}], r.file_no + 1) AS file, r.row_no AS row, "
        f"CASE WHEN c.problems <> 0 THEN {_first_reason_sql()} ELSE '{CONFLICT.code}' END "
        f"AS reason, r.* EXCLUDE (file_no, row_no) FROM raw r "
        f"JOIN checked c USING (file_no, row_no) LEFT JOIN repeats p USING (file_no, row_no) "
        f"WHERE c.problems <> 0 OR coalesce(p.conflicting, false) ORDER BY 1, 2) "
        f"TO {_sql_str(str(temporary))} (HEADER, DELIMITER ',')"
    )
    temporary.replace(target)


def require_k(k: int) -> None:
    if k < 5:
        raise NewsletterError(f"transparency: k = {k} is too small; the minimum is 5")
