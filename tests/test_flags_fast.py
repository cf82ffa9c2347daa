"""The typed fast path: taken only for clean CSV exports, same result as the text path."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import SourceErrors
from generator.sources import flags as fx
from generator.sources import flags_fast

from .test_flags import PRIVATE_MARKERS, flag, pending, write_csv


def clean_rows() -> list[dict[str, str]]:
    return [
        flag("f1"),
        flag("f2", category="no_violation", action="none", decided_by="automated"),
        flag(
            "f3",
            resolved_at="2026-07-03T10:00:00.250+02:00",
            appeal="reversed",
            appeal_resolved_at="2026-07-09T00:00:00Z",
        ),
        flag("f4", appeal="none"),
        pending("p1", source="staff", target_type="dataset"),
    ]


def flags_table(export: fx.LoadedExport) -> list[tuple[object, ...]]:
    columns = [*fx.ENUMS, *(f"epoch({c})" for c in fx.TIMESTAMPS)]
    query = f"SELECT {', '.join(columns)} FROM flags ORDER BY ALL"
    return export.connection.execute(query).fetchall()


def test_a_clean_csv_export_takes_the_typed_route_and_counts_every_row(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", clean_rows()[:3])
    write_csv(tmp_path / "b.csv", clean_rows()[3:])
    export = fx.load_export(["*.csv"], base_dir=tmp_path)
    assert export.route == "typed"
    assert (export.read, export.counted, export.duplicates, export.rejected) == (5, 5, 0, 0)
    assert export.rows_per_file == [3, 2]


def test_typed_and_text_routes_load_the_same_flags(tmp_path: Path) -> None:
    write_csv(tmp_path / "flags.csv", clean_rows())
    typed = fx.load_export(["flags.csv"], base_dir=tmp_path)
    # A repeated row (an exact duplicate) sends the export down the text route.
    write_csv(tmp_path / "flags.csv", [*clean_rows(), clean_rows()[0]])
    text = fx.load_export(["flags.csv"], base_dir=tmp_path)
    assert (typed.route, text.route) == ("typed", "text")
    assert text.duplicates == 1
    assert flags_table(typed) == flags_table(text)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"received_at": "2026-07-01T10:00:00"}, "received_at"),  # no offset: cast accepts it
        ({"target_type": "Model"}, "target_type"),  # the typed reader rejects it
        ({"appeal": "upheld"}, "appeal_resolved_at"),  # a rule across columns
        ({"category": "no_violation"}, "action"),
        ({"resolved_at": "2026-06-30T10:00:00+00:00"}, "resolved_at"),
    ],
)
def test_a_broken_rule_falls_back_to_the_text_route_and_its_message(
    tmp_path: Path, change: dict[str, str], field: str
) -> None:
    write_csv(tmp_path / "flags.csv", [flag("f1"), flag("f2", **change)])
    with pytest.raises(SourceErrors) as caught:
        fx.load_export(["flags.csv"], base_dir=tmp_path)
    errors = caught.value.errors
    assert [(e.path, e.line, e.field) for e in errors] == [("flags.csv", 3, field)]
    assert not any(m in str(caught.value) for m in PRIVATE_MARKERS)


def test_conflicting_flag_ids_fall_back_and_are_named(tmp_path: Path) -> None:
    write_csv(tmp_path / "flags.csv", [flag("f1"), flag("f1", reason="other")])
    with pytest.raises(SourceErrors) as caught:
        fx.load_export(["flags.csv"], base_dir=tmp_path)
    assert [(e.line, e.field) for e in caught.value.errors] == [(3, "flag_id")]


def test_a_flag_id_repeated_in_another_file_takes_the_text_route(tmp_path: Path) -> None:
    rows = [flag(f"f{i}") for i in range(40)]
    write_csv(tmp_path / "a.csv", rows[:25])
    write_csv(tmp_path / "b.csv", [*rows[25:], rows[3]])  # f3 again, far from its first copy
    export = fx.load_export(["*.csv"], base_dir=tmp_path)
    assert (export.route, export.rows_per_file) == ("text", [25, 16])
    assert (export.read, export.counted, export.duplicates) == (41, 40, 1)


def test_no_reject_table_is_left_behind(tmp_path: Path) -> None:
    """DuckDB's reject tables may quote a whole line, private columns included."""
    write_csv(tmp_path / "flags.csv", [flag("f1"), flag("f2", source="nobody")])
    export = fx.load_export(["flags.csv"], base_dir=tmp_path, skip_invalid=True)
    found = export.connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    tables = {t for (t,) in found}
    assert not tables & {"reject_errors", "reject_scans"}
    assert (export.route, export.counted, export.rejected) == ("text", 1, 1)


def test_mixed_formats_take_the_text_route(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", [flag("f1")])
    (tmp_path / "b.jsonl").write_text(
        '{"flag_id": "f2", "received_at": "2026-07-01T10:00:00Z", '
        '"target_type": "model", "source": "staff", '
        '"reason": "spam"}\n',
        encoding="utf-8",
    )
    export = fx.load_export(["a.csv", "b.jsonl"], base_dir=tmp_path)
    assert (export.route, export.counted) == ("text", 2)
    assert not flags_fast.eligible(export.files)


def test_the_published_fast_query_names_no_local_path() -> None:
    sql = flags_fast.example_sql()
    assert "read_csv('flags.csv'" in sql
    assert str(Path.cwd()) not in sql


# Timestamp forms: the typed route takes a file only when the text route
# would count the same instant from it, and leaves every other form to the
# text route, which names the rule broken.
ACCEPTED = [
    ("2026-07-01T10:00:00Z", 1782900000),
    ("2026-07-01T12:00:00+02:00", 1782900000),
    ("2026-07-01T05:30:00-04:30", 1782900000),
    ("2026-07-01T10:00:00.250Z", 1782900000.25),
    ("2026-07-01T10:00:00.123456+00:00", 1782900000.123456),
    ("2026-07-01 10:00:00+00:00", 1782900000),  # RFC 3339 allows a space for the T
]
REJECTED = [
    ("2026-07-01T10:00:00", "no_offset_received_at"),
    ("2026-07-01T10:00:00.250", "no_offset_received_at"),
    ("2026-07-01 10:00:00", "no_offset_received_at"),
    ("2026-07-01T10:00:00+0200", "bad_received_at"),  # an offset, but not RFC 3339's
    ("2026-07-01T10:00:00+02", "bad_received_at"),
    ("2026-07-01T10:00:00+00:00:00", "bad_received_at"),
    ("2026-07-01T10:00:00z", "bad_received_at"),
    ("2026-07-01T10:00:00UTC", "bad_received_at"),
]


@pytest.mark.parametrize(("received_at", "epoch"), ACCEPTED)
def test_a_timestamp_with_an_offset_is_read_alike_on_both_routes(
    tmp_path: Path, received_at: str, epoch: float
) -> None:
    rows = [flag("f1", received_at=received_at, resolved_at="2026-07-02T00:00:00Z")]
    write_csv(tmp_path / "flags.csv", rows)
    typed = fx.load_export(["flags.csv"], base_dir=tmp_path)
    write_csv(tmp_path / "flags.csv", rows * 2)  # an exact duplicate: the text route
    text = fx.load_export(["flags.csv"], base_dir=tmp_path)
    assert (typed.route, text.route) == ("typed", "text")
    query = "SELECT epoch(received_at) FROM flags"
    assert typed.connection.execute(query).fetchall() == [(pytest.approx(epoch),)]
    assert flags_table(typed) == flags_table(text)


@pytest.mark.parametrize(("received_at", "code"), REJECTED)
def test_a_timestamp_without_an_rfc_3339_offset_is_never_taken_by_the_typed_route(
    tmp_path: Path, received_at: str, code: str
) -> None:
    write_csv(tmp_path / "flags.csv", [flag("f1"), flag("f2", received_at=received_at)])
    files = fx.resolve_patterns(["flags.csv"], tmp_path)
    con = fx._connect(None)
    opened = [fx.open_export_file(con, path, tmp_path) for path in files]
    con.execute(fx.enum_types_sql())
    assert not flags_fast.try_fast(con, opened).clean
    export = fx.load_export(["flags.csv"], base_dir=tmp_path, skip_invalid=True)
    assert (export.route, export.counted, export.rejected_by_reason) == ("text", 1, {code: 1})
