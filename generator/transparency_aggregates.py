"""The pre-aggregated route: per-window counts computed where the flags live.

An export too large for one machine is aggregated by the warehouse that holds
it, with generator/sql/aggregates_export.sql, and `collect` reads the result,
a small CSV in the long format "flags-aggregates-v1":

    format,window_start,window_end,measure,source,target_type,reason,
    category,action,decided_by,key,flags,median_hours,p90_hours

one row per count (see MEASURES), windows as RFC 3339 instants with offset.
Export-wide accounting rows (measure `rows`, key read/counted/duplicates/
rejected; measure `rejected_by_reason`, key a rule code) leave the windows
empty. The counts then go through the same suppression as the export route
(generator.transparency.build_section), so both routes publish the same
section for the same flags.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from generator.errors import NewsletterError, SourceError, SourceErrors
from generator.sources import flags as fx
from generator.transparency import Window, WindowCounts, build_section, protect_accounting
from generator.transparency_sql import QUERY_FILES, query_text

FORMAT = "flags-aggregates-v1"
HEADER = (
    "format",
    "window_start",
    "window_end",
    "measure",
    "source",
    "target_type",
    "reason",
    "category",
    "action",
    "decided_by",
    "key",
    "flags",
    "median_hours",
    "p90_hours",
)
# measure -> the columns that name its group, and the values each may take.
MEASURES: dict[str, dict[str, tuple[str, ...]]] = {
    "received": {c: fx.ENUMS[c] for c in ("source", "target_type", "reason")},
    "resolved": {c: fx.ENUMS[c] for c in ("category", "action", "decided_by")},
    "time_to_action": {"category": fx.CATEGORIES},  # empty category: all categories
    "pending_at_start": {},
    "pending_at_close": {},
    "appeals": {"key": ("upheld", "reversed")},
    "rows": {"key": ("read", "counted", "duplicates", "rejected")},
    "rejected_by_reason": {"key": tuple(fx.REASON_CODES)},
}
EXPORT_WIDE = ("rows", "rejected_by_reason")
OPTIONAL_GROUP = {("time_to_action", "category")}


@dataclass
class AggregateFile:
    name: str
    sha256: str
    rows: int
    windows: dict[tuple[str, str], WindowCounts]
    accounting: dict[str, Any]


def _instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _hours(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value >= 0 else None


class _Reader:
    """Checks each row, keeping every error (up to the cap) with its line and column."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[SourceError] = []
        self.total = 0

    def error(self, line: int, column: str, message: str) -> None:
        self.total += 1
        if len(self.errors) < fx.ERROR_CAP:
            self.errors.append(SourceError(self.name, message, line=line, field=column))

    def row(self, line: int, row: dict[str, str]) -> tuple[str, tuple[str, ...]] | None:
        if row["format"] != FORMAT:
            self.error(line, "format", f"unknown format; allowed: {FORMAT}")
            return None
        measure = row["measure"]
        if measure not in MEASURES:
            self.error(line, "measure", "unknown measure; allowed: " + ", ".join(MEASURES))
            return None
        ok = self._window(line, row, measure) & self._numbers(line, row, measure)
        group: list[str] = []
        for column in HEADER[4:11]:
            allowed = MEASURES[measure].get(column)
            value = row[column]
            if allowed is None and value:
                self.error(line, column, f"must be empty for measure {measure}")
                ok = False
            elif allowed is not None and value not in allowed:
                if value or (measure, column) not in OPTIONAL_GROUP:
                    self.error(line, column, "not an allowed value; allowed: " + ", ".join(allowed))
                    ok = False
            if allowed is not None:
                group.append(value)
        return (measure, tuple(group)) if ok else None

    def _window(self, line: int, row: dict[str, str], measure: str) -> bool:
        ok = True
        for column in ("window_start", "window_end"):
            if measure in EXPORT_WIDE:
                if row[column]:
                    self.error(line, column, f"must be empty for measure {measure}")
                    ok = False
            elif _instant(row[column]) is None:
                message = "not an RFC 3339 timestamp with offset; e.g. 2026-09-23T00:05:00+00:00"
                self.error(line, column, message)
                ok = False
        return ok

    def _numbers(self, line: int, row: dict[str, str], measure: str) -> bool:
        ok = _count(row["flags"]) is not None
        if not ok:
            self.error(line, "flags", "not a whole number of flags (0 or more)")
        for column in ("median_hours", "p90_hours"):
            wanted = measure == "time_to_action" and row["flags"] not in ("", "0")
            if wanted and _hours(row[column]) is None:
                self.error(line, column, "a number of hours (0 or more) is required")
                ok = False
            elif not wanted and row[column]:
                self.error(line, column, f"must be empty for measure {measure} with no flags")
                ok = False
        return ok


def _key(start: str, end: str) -> tuple[str, str]:
    return (_instant(start).isoformat(), _instant(end).isoformat())  # type: ignore[union-attr]


def _add(counts: WindowCounts, measure: str, group: tuple[str, ...], row: dict[str, str]) -> None:
    flags = int(row["flags"])
    if measure in ("received", "resolved"):
        cells = counts.received if measure == "received" else counts.resolved
        cell = (group[0], group[1], group[2])
        cells[cell] = cells.get(cell, 0) + flags
    elif measure == "time_to_action" and flags:
        category = group[0] or None
        counts.times[category] = (float(row["median_hours"]), float(row["p90_hours"]))
    elif measure == "pending_at_start":
        counts.pending_at_start = flags
    elif measure == "pending_at_close":
        counts.pending_at_close = flags
    elif measure == "appeals":
        counts.appeals[group[0]] = flags


def read_aggregates(path: Path, *, name: str | None = None) -> AggregateFile:
    """Parse and check a flags-aggregates-v1 file; every error names line and column."""
    name = name or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(name, "file not found") from None
    except UnicodeDecodeError:
        raise SourceError(name, "not valid UTF-8 text") from None
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != HEADER:
        raise SourceError(name, "header must be exactly: " + ",".join(HEADER), line=1)
    check = _Reader(name)
    windows: dict[tuple[str, str], WindowCounts] = {}
    accounting: dict[str, Any] = {"rejected_by_reason": {}}
    rows = 0
    for row in reader:
        rows += 1
        line = reader.line_num
        parsed = check.row(line, row)
        if parsed is None:
            continue
        measure, group = parsed
        if measure == "rows":
            accounting[group[0]] = int(row["flags"])
        elif measure == "rejected_by_reason":
            accounting["rejected_by_reason"][group[0]] = int(row["flags"])
        else:
            key = _key(row["window_start"], row["window_end"])
            window = Window(*(_instant(t) for t in key))  # type: ignore[arg-type]
            _add(windows.setdefault(key, WindowCounts(window)), measure, group, row)
    if check.errors:
        raise SourceErrors(check.errors, check.total)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return AggregateFile(name, digest, rows, windows, _accounting(name, accounting))


def _accounting(name: str, found: dict[str, Any]) -> dict[str, Any]:
    missing = [k for k in MEASURES["rows"]["key"] if k not in found]
    if missing:
        raise SourceError(name, "missing measure rows for: " + ", ".join(missing), field="key")
    if found["read"] != found["counted"] + found["duplicates"] + found["rejected"]:
        raise SourceError(name, "rows: read must equal counted + duplicates + rejected")
    by_reason = {c: n for c, n in found["rejected_by_reason"].items() if n}
    if by_reason and sum(by_reason.values()) != found["rejected"]:
        raise SourceError(name, "rejected_by_reason must add up to rows rejected")
    return {
        "read": found["read"],
        "counted": found["counted"],
        "duplicates": found["duplicates"],
        "rejected": found["rejected"],
        "rejected_by_reason": {c: by_reason[c] for c in fx.REASON_CODES if c in by_reason},
        "ignored_columns": [],
    }


def _window_counts(data: AggregateFile, start: datetime, end: datetime) -> WindowCounts:
    key = _key(start.isoformat(), end.isoformat())
    if key not in data.windows:
        raise SourceError(
            data.name, f"holds no aggregates for the window [{key[0]}, {key[1]})", field="window"
        )
    return data.windows[key]


def collect_transparency_from_aggregates(
    path: Path,
    *,
    start: datetime,
    end: datetime,
    previous: tuple[datetime, datetime] | None,
    k: int = 10,
) -> dict:
    """The transparency section from pre-aggregated counts (flags-aggregates-v1)."""
    fx.require_k(k)
    if not start < end:
        raise NewsletterError("transparency: the window start must be before its end")
    data = read_aggregates(path)
    current = _window_counts(data, start, end)
    earlier = _window_counts(data, *previous) if previous else None
    provenance = {
        "files": [{"name": data.name, "sha256": data.sha256, "rows": data.rows}],
        "k": k,
        "schema": fx.SCHEMA,
        "queries": [*QUERY_FILES, "aggregates_export"],
    }
    # The aggregates file's own rows are lines of figures, not flags: only the
    # export's accounting follows the small-count rule.
    accounting, _ = protect_accounting(data.accounting, None, k)
    return build_section(current, earlier, k=k, accounting=accounting, provenance=provenance)


def write_aggregates(export: fx.LoadedExport, windows: list[Window], target: Path) -> None:
    """Run aggregates_export.sql on a loaded export: the reference for a warehouse run."""
    con: duckdb.DuckDBPyConnection = export.connection
    query = query_text("aggregates_export")
    temporary = target.with_name(target.name + ".tmp")
    with temporary.open("w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream, lineterminator="\r\n")
        out.writerow(HEADER)
        for window in windows:
            span = window.as_json()
            params = {"window_start": span["start"], "window_end": span["end"]}
            for row in con.execute(query, params).fetchall():
                out.writerow(["" if v is None else _cell(v) for v in row])
        accounting = {
            "read": export.read,
            "counted": export.counted,
            "duplicates": export.duplicates,
            "rejected": export.rejected,
        }
        for key, n in accounting.items():
            out.writerow([FORMAT, "", "", "rows", *[""] * 6, key, n, "", ""])
        for code, n in export.rejected_by_reason.items():
            out.writerow([FORMAT, "", "", "rejected_by_reason", *[""] * 6, code, n, "", ""])
    temporary.replace(target)


def _cell(value: object) -> str:
    return repr(value) if isinstance(value, float) else str(value)
