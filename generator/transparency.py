"""The transparency report: window aggregates of a flag export, made safe to publish.

Two stages. `query_window` runs the SQL in generator/sql/ on DuckDB and
returns plain counts for one window. `build_section` is pure: it ties those
counts into one system of equations, suppresses small counts and their
complements (generator.suppression), and returns the public section dict.
`collect_transparency` wires both to the export on disk.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from generator import suppression as sup
from generator.errors import NewsletterError
from generator.sources import flags as fx
from generator.transparency_sql import QUERY_FILES, query_text

log = logging.getLogger(__name__)

OWN_INITIATIVE = ("automated", "staff")
NOTICES = ("community", "trusted_flagger", "authority")
HEADLINE_CHANGES = (
    "received",
    "resolved",
    "pending_at_close",
    "own_initiative",
    "notices",
    "appeals_decided",
)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def as_json(self) -> dict[str, str]:
        return {"start": _iso(self.start), "end": _iso(self.end)}


@dataclass
class WindowCounts:
    """Raw (unsuppressed) counts of one window. Never published as such."""

    window: Window
    received: dict[tuple[str, str, str], int] = field(default_factory=dict)
    resolved: dict[tuple[str, str, str], int] = field(default_factory=dict)
    times: dict[str | None, tuple[float, float]] = field(default_factory=dict)
    pending_at_start: int = 0
    pending_at_close: int = 0
    appeals: dict[str, int] = field(default_factory=dict)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise NewsletterError("transparency: window instants must be timezone-aware")
    return moment.astimezone(UTC).isoformat()


# --- querying ---------------------------------------------------------------


def query_window(con: duckdb.DuckDBPyConnection, window: Window) -> WindowCounts:
    """Run the aggregation SQL for one window over the `flags` view."""
    span = {"window_start": _iso(window.start), "window_end": _iso(window.end)}
    counts = WindowCounts(window)
    for source, target, reason, n in con.execute(query_text("received"), span).fetchall():
        counts.received[(source, target, reason)] = int(n)
    for category, action, decider, n in con.execute(query_text("resolved"), span).fetchall():
        counts.resolved[(category, action, decider)] = int(n)
    for category, n, median, p90 in con.execute(query_text("time_to_action"), span).fetchall():
        if n:  # the overall row of an empty window has no percentiles
            counts.times[category] = (float(median), float(p90))
    pending = query_text("pending")
    counts.pending_at_start = int(con.execute(pending, {"at": span["window_start"]}).fetchone()[0])  # type: ignore[index]
    counts.pending_at_close = int(con.execute(pending, {"at": span["window_end"]}).fetchone()[0])  # type: ignore[index]
    counts.appeals = {o: int(n) for o, n in con.execute(query_text("appeals"), span).fetchall()}
    return counts


def query_windows(con: duckdb.DuckDBPyConnection, windows: list[Window]) -> list[WindowCounts]:
    """Every window at once, each on its own cursor of the same database.

    The queries are small scans of the typed table, which DuckDB runs mostly
    on one thread each: side by side they use the cores a loop leaves idle.
    """
    cursors = [con.cursor() for _ in windows]
    try:
        for cursor in cursors:
            cursor.execute("SET TimeZone = 'UTC'")
        with ThreadPoolExecutor(max_workers=max(1, len(windows))) as pool:
            return list(pool.map(query_window, cursors, windows))
    finally:
        for cursor in cursors:
            cursor.close()


# --- the system of published counts -----------------------------------------


def _margin(cells: Mapping[tuple[str, str, str], int], axis: int, key: str) -> int:
    return sum(n for cell, n in cells.items() if cell[axis] == key)


def _add_breakdown(
    system: sup.CountSystem, total: str, prefix: str, values: dict[str, int]
) -> list[str]:
    names = [system.add(f"{prefix}.{key}", n) for key, n in values.items()]
    system.add_sum(total, names)
    return names


def count_system(counts: WindowCounts, k: int, pending_start_status: str) -> sup.CountSystem:
    """Every count the section publishes for one window, and the equations tying them."""
    s = sup.CountSystem()
    received = counts.received
    r_total = s.add("received.total", sum(received.values()))
    if not 1 <= s.values[r_total] < k:  # a table under a small total is not published
        by = {
            a: {v: _margin(received, i, v) for v in fx.ENUMS[a]}
            for i, a in enumerate(("source", "target_type", "reason"))
        }
        for axis, values in by.items():
            _add_breakdown(s, r_total, f"received.{axis}", values)
        own = s.add("received.origin.own_initiative", sum(by["source"][v] for v in OWN_INITIATIVE))
        notices = s.add("received.origin.notices", sum(by["source"][v] for v in NOTICES))
        s.add_sum(own, [f"received.source.{v}" for v in OWN_INITIATIVE])
        s.add_sum(notices, [f"received.source.{v}" for v in NOTICES])
    resolved = counts.resolved
    d_total = s.add("resolved.total", sum(resolved.values()))
    if not 1 <= s.values[d_total] < k:
        _add_resolved_tables(s, d_total, resolved)
    start = s.add("pending.start", counts.pending_at_start)
    close = s.add("pending.close", counts.pending_at_close)
    s.equations.append({close: 1, start: -1, r_total: -1, d_total: 1})
    s.fixed[start] = pending_start_status
    a_total = s.add("appeals.decided", sum(counts.appeals.values()))
    s.keep |= {r_total, d_total, close, a_total}
    if not 1 <= s.values[a_total] < k:
        _add_breakdown(
            s, a_total, "appeals", {o: counts.appeals.get(o, 0) for o in ("upheld", "reversed")}
        )
    return s


def _add_resolved_tables(
    s: sup.CountSystem, total: str, cells: dict[tuple[str, str, str], int]
) -> None:
    categories = {c: _margin(cells, 0, c) for c in fx.CATEGORIES}
    actions = {a: _margin(cells, 1, a) for a in fx.ACTIONS}
    _add_breakdown(s, total, "resolved.category", categories)
    _add_breakdown(s, total, "resolved.action", actions)
    _add_breakdown(s, total, "resolved.decided_by", {d: _margin(cells, 2, d) for d in fx.DECIDERS})
    for category in (c for c, n in categories.items() if n):
        row = {
            f"{category}.{a}": sum(n for (c, x, _), n in cells.items() if (c, x) == (category, a))
            for a in fx.ACTIONS
            if actions[a]
        }
        _add_breakdown(s, f"resolved.category.{category}", "resolved.cell", row)
    for action in (a for a, n in actions.items() if n):
        s.add_sum(
            f"resolved.action.{action}",
            [f"resolved.cell.{c}.{action}" for c, n in categories.items() if n],
        )


# --- the public section -------------------------------------------------------


@dataclass
class Published:
    system: sup.CountSystem
    status: dict[str, str]
    k: int

    def value(self, name: str) -> int | str | None:
        return sup.published(self.system.values[name], self.status[name], self.k)

    def has(self, name: str) -> bool:
        return name in self.system.values

    def exact(self, name: str) -> bool:
        return self.has(name) and self.status[name] == sup.EXACT

    def rows(self, prefix: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
        return [
            {"key": key, "count": self.value(f"{prefix}.{key}")}
            for key in keys
            if self.has(f"{prefix}.{key}")
        ]


def protect_window(counts: WindowCounts, k: int, pending_start_status: str) -> Published:
    system = count_system(counts, k, pending_start_status)
    return Published(system, sup.protect(system, k), k)


def _hours(value: float) -> float:
    return round(value, 1)


def _time_rows(counts: WindowCounts, pub: Published) -> dict[str, Any]:
    def stats(category: str | None, n: int) -> dict[str, float | None]:
        if n < pub.k or category not in counts.times:
            return {"median_hours": None, "p90_hours": None}
        median, p90 = counts.times[category]
        return {"median_hours": _hours(median), "p90_hours": _hours(p90)}

    total = pub.system.values["resolved.total"]
    by_category = [
        {"key": c, **stats(c, pub.system.values[f"resolved.category.{c}"])}
        for c in fx.CATEGORIES
        if pub.has(f"resolved.category.{c}") and pub.system.values[f"resolved.category.{c}"]
    ]
    return {"overall": stats(None, total), "by_category": by_category}


def _rate(pub: Published, part: str, whole: str) -> float | None:
    """A share is published only when both counts are, so it reveals nothing new."""
    if not (pub.exact(part) and pub.exact(whole)) or pub.system.values[whole] == 0:
        return None
    return round(pub.system.values[part] / pub.system.values[whole], 3)


def _headline(pub: Published) -> dict[str, Any]:
    def maybe(name: str) -> int | str | None:
        return pub.value(name) if pub.has(name) else None

    return {
        "received": pub.value("received.total"),
        "resolved": pub.value("resolved.total"),
        "pending_at_start": pub.value("pending.start"),
        "pending_at_close": pub.value("pending.close"),
        "own_initiative": maybe("received.origin.own_initiative"),
        "notices": maybe("received.origin.notices"),
        "appeals_decided": pub.value("appeals.decided"),
    }


def _cells(pub: Published) -> list[dict[str, Any]]:
    return [
        {"category": c, "action": a, "count": pub.value(f"resolved.cell.{c}.{a}")}
        for c in fx.CATEGORIES
        for a in fx.ACTIONS
        if pub.has(f"resolved.cell.{c}.{a}")
    ]


def _window_body(counts: WindowCounts, pub: Published) -> dict[str, Any]:
    headline = _headline(pub)
    return {
        "window": counts.window.as_json(),
        "headline": headline,
        "received": {
            "total": headline["received"],
            "by_source": pub.rows("received.source", fx.SOURCES),
            "by_target_type": pub.rows("received.target_type", fx.TARGET_TYPES),
            "by_reason": pub.rows("received.reason", fx.REASONS),
            "by_origin": pub.rows("received.origin", ("own_initiative", "notices")),
        },
        "resolved": {
            "total": headline["resolved"],
            "by_category": pub.rows("resolved.category", fx.CATEGORIES),
            "by_action": pub.rows("resolved.action", fx.ACTIONS),
            "by_decided_by": pub.rows("resolved.decided_by", fx.DECIDERS),
            "by_category_action": _cells(pub),
        },
        "time_to_action": _time_rows(counts, pub),
        "appeals": {
            "decided": headline["appeals_decided"],
            "upheld": pub.value("appeals.upheld") if pub.has("appeals.upheld") else None,
            "reversed": pub.value("appeals.reversed") if pub.has("appeals.reversed") else None,
            "reversal_rate": _rate(pub, "appeals.reversed", "appeals.decided"),
        },
    }


def _changes(now: dict[str, Any], before: dict[str, Any]) -> dict[str, int | None]:
    """Differences only between two exactly published figures."""
    return {
        key: now[key] - before[key]
        if isinstance(now[key], int) and isinstance(before[key], int)
        else None
        for key in HEADLINE_CHANGES
    }


def build_section(
    current: WindowCounts,
    previous: WindowCounts | None,
    *,
    k: int,
    accounting: dict[str, Any],
    provenance: dict[str, Any],
) -> dict[str, Any]:
    """Pure: counts of the window (and the one before) to the public section dict."""
    fx.require_k(k)
    before = None
    start_status = sup.primary_status(current.pending_at_start, k)
    if previous is not None:
        earlier = sup.primary_status(previous.pending_at_start, k)
        before = protect_window(previous, k, earlier)
        start_status = before.status["pending.close"]
    pub = protect_window(current, k, start_status)
    section: dict[str, Any] = {"schema": fx.SCHEMA, "k": k, **_window_body(current, pub)}
    if previous is not None and before is not None:
        earlier_head = _headline(before)
        section["previous"] = {"window": previous.window.as_json(), "headline": earlier_head}
        section["change"] = _changes(section["headline"], earlier_head)
    else:
        section["previous"] = None
        section["change"] = None
    section["accounting"] = accounting
    section["provenance"] = provenance
    return section


def render_transparency_section(section: dict, *, tz: str) -> str:
    """HTML fragment of the section (see generator.transparency_pages)."""
    from generator.transparency_pages import render_transparency_section as render

    return render(section, tz=tz)


# --- the export's own counts ---------------------------------------------------


def protect_accounting(
    accounting: dict[str, Any], file_rows: list[int] | None, k: int
) -> tuple[dict[str, Any], list[int | str | None] | None]:
    """The rows read and counted, and each export file's rows, as they may be published.

    These count flags too: with one export file a month, a file's rows are
    the flags of that month. So they follow the small-count rule, with
    complementary suppression over read = counted + duplicates + rejected and
    read = the files' rows. Exact duplicates and rejected rows (by rule) are
    published exactly: they describe the export's rows, not any flag's
    attributes, and the methodology accounts for every row.
    """
    s = sup.CountSystem()
    read = s.add("read", accounting["read"])
    parts = [s.add(n, accounting[n]) for n in ("counted", "duplicates", "rejected")]
    s.add_sum(read, parts)
    by_reason = [s.add(f"rejected.{c}", n) for c, n in accounting["rejected_by_reason"].items()]
    if by_reason:
        s.add_sum("rejected", by_reason)
    files = [s.add(f"file.{i}", n) for i, n in enumerate(file_rows or [])]
    if files:
        s.add_sum(read, files)
    s.fixed.update({n: sup.EXACT for n in ("duplicates", "rejected", *by_reason)})
    s.keep |= {read, "counted"}
    status = sup.protect(s, k)

    def shown(name: str) -> int | str | None:
        return sup.published(s.values[name], status[name], k)

    published = {**accounting, "read": shown(read), "counted": shown("counted")}
    return published, [shown(n) for n in files] if file_rows is not None else None


# --- wiring ----------------------------------------------------------------


def _accounting(export: fx.LoadedExport) -> dict[str, Any]:
    return {
        "read": export.read,
        "counted": export.counted,
        "duplicates": export.duplicates,
        "rejected": export.rejected,
        "rejected_by_reason": dict(export.rejected_by_reason),
        "ignored_columns": list(export.extra_columns),
    }


def _provenance(export: fx.LoadedExport, k: int, file_rows: list[Any]) -> dict[str, Any]:
    files = [
        {"name": f.name, "sha256": f.sha256, "rows": rows}
        for f, rows in zip(export.files, file_rows, strict=True)
    ]
    return {"files": files, "k": k, "schema": fx.SCHEMA, "queries": list(QUERY_FILES)}


def _reaches_back_to(con: duckdb.DuckDBPyConnection, moment: datetime) -> bool:
    """Whether the export holds any flag received before `moment`."""
    found = con.execute(
        "SELECT EXISTS (SELECT 1 FROM flags WHERE received_at < CAST($at AS TIMESTAMPTZ))",
        {"at": _iso(moment)},
    ).fetchone()
    return bool(found and found[0])


def collect_transparency(
    patterns: list[str],
    *,
    base_dir: Path,
    start: datetime,
    end: datetime,
    previous: tuple[datetime, datetime] | None,
    k: int = 10,
    skip_invalid: bool = False,
    rejected_path: Path | None = None,
) -> dict:
    """Read, validate and aggregate the flag export for the window [start, end)."""
    fx.require_k(k)
    if not start < end:
        raise NewsletterError("transparency: the window start must be before its end")
    # DuckDB may spill to disk on large exports: a private folder, removed after.
    with tempfile.TemporaryDirectory(prefix="newsletter-flags-") as spill:
        export = fx.load_export(
            patterns,
            base_dir=base_dir,
            skip_invalid=skip_invalid,
            rejected_path=rejected_path,
            temp_dir=Path(spill),
        )
        if export.rejected:
            log.warning(
                "flag export: %d of %d rows rejected (--skip-invalid), counted by reason "
                "in the issue's methodology note%s",
                export.rejected,
                export.read,
                f"; written to {rejected_path}" if rejected_path else "",
            )
        if previous is not None and not _reaches_back_to(export.connection, previous[1]):
            previous = None  # the export starts later: no figures, rather than zeros
        windows = [Window(start, end)] + ([Window(*previous)] if previous else [])
        try:
            current, *before = query_windows(export.connection, windows)
        finally:
            export.connection.close()
    earlier = before[0] if before else None
    accounting, file_rows = protect_accounting(_accounting(export), export.rows_per_file, k)
    return build_section(
        current,
        earlier,
        k=k,
        accounting=accounting,
        provenance=_provenance(export, k, file_rows or []),
    )
