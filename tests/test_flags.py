"""Reading and validating flag exports (flags-v1): every rule, every format."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from generator.errors import NewsletterError, SourceError, SourceErrors
from generator.sources import flags as fx

PRIVATE_MARKERS = ("SECRET-REF-7731", "SECRET-REPORTER-4410", "SECRET COMMENT 9921")
SOURCES = ", ".join(fx.SOURCES)
CATEGORIES = ", ".join(fx.CATEGORIES)
ACTIONS = ", ".join(fx.ACTIONS)
DECIDERS = ", ".join(fx.DECIDERS)
EXAMPLE = "e.g. 2026-09-23T00:05:00+00:00"


def flag(flag_id: str = "f1", **changes: str) -> dict[str, str]:
    row = {
        "flag_id": flag_id,
        "received_at": "2026-07-01T10:00:00+00:00",
        "target_type": "model",
        "source": "community",
        "reason": "spam",
        "resolved_at": "2026-07-02T10:00:00Z",
        "category": "spam_or_fraud",
        "action": "removed",
        "decided_by": "human",
        "appeal": "",
        "appeal_resolved_at": "",
        "target_ref": PRIVATE_MARKERS[0],
        "reporter_id": PRIVATE_MARKERS[1],
        "comment": PRIVATE_MARKERS[2],
    }
    row.update(changes)
    return row


def pending(flag_id: str = "p1", **changes: str) -> dict[str, str]:
    blank = {"resolved_at": "", "category": "", "action": "", "decided_by": ""}
    return flag(flag_id, **(blank | changes))


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def load(tmp_path: Path, rows: list[dict[str, str]], **options: object) -> fx.LoadedExport:
    write_csv(tmp_path / "flags.csv", rows)
    return fx.load_export(["flags.csv"], base_dir=tmp_path, **options)  # type: ignore[arg-type]


def errors_of(tmp_path: Path, rows: list[dict[str, str]]) -> list[str]:
    with pytest.raises(SourceErrors) as caught:
        load(tmp_path, rows)
    assert not any(m in str(caught.value) for m in PRIVATE_MARKERS)
    return [str(e) for e in caught.value.errors]


def counted(export: fx.LoadedExport) -> int:
    row = export.connection.execute("SELECT count(*) FROM flags").fetchone()
    assert row is not None
    return int(row[0])


# --- each schema rule, with its exact message -------------------------------

RULE_CASES = [
    ({"flag_id": ""}, "flags.csv:2: flag_id: required value is missing"),
    ({"source": ""}, "flags.csv:2: source: required value is missing"),
    (
        {"received_at": "2026-07-01T10:00:00"},
        "flags.csv:2: received_at: timestamp has no UTC offset; "
        f"expected RFC 3339 with offset, {EXAMPLE}",
    ),
    (
        {"resolved_at": "2026-07-02 10:00:00"},
        "flags.csv:2: resolved_at: timestamp has no UTC offset; "
        f"expected RFC 3339 with offset, {EXAMPLE}",
    ),
    (
        {"received_at": "2026-07-01"},
        f"flags.csv:2: received_at: not an RFC 3339 timestamp; expected {EXAMPLE}",
    ),
    (
        {"received_at": "2026-13-01T10:00:00+00:00"},
        f"flags.csv:2: received_at: not an RFC 3339 timestamp; expected {EXAMPLE}",
    ),
    (
        {"source": "Community"},
        f"flags.csv:2: source: enum values are exact, lower case; allowed: {SOURCES}",
    ),
    ({"source": "moderator"}, f"flags.csv:2: source: not an allowed value; allowed: {SOURCES}"),
    (
        {"category": "nsfw"},
        f"flags.csv:2: category: not an allowed value; allowed: {CATEGORIES}",
    ),
    (
        {"decided_by": ""},
        f"flags.csv:2: decided_by: required when resolved_at is set; allowed: {DECIDERS}",
    ),
    (
        {"category": "no_violation", "action": "removed"},
        "flags.csv:2: action: category no_violation goes with action none; allowed: none",
    ),
    (
        {"resolved_at": "2026-06-30T10:00:00+00:00"},
        "flags.csv:2: resolved_at: earlier than received_at; resolved_at must be >= received_at",
    ),
    (
        {"appeal": "reversed"},
        "flags.csv:2: appeal_resolved_at: required when appeal is upheld or reversed",
    ),
    (
        {"appeal": "pending", "appeal_resolved_at": "2026-07-05T00:00:00+00:00"},
        "flags.csv:2: appeal_resolved_at: must be empty unless appeal is upheld or reversed",
    ),
    (
        {"appeal": "upheld", "appeal_resolved_at": "2026-07-01T12:00:00+00:00"},
        "flags.csv:2: appeal_resolved_at: earlier than resolved_at; "
        "appeal_resolved_at must be >= resolved_at",
    ),
]


@pytest.mark.parametrize(("change", "message"), RULE_CASES)
def test_each_rule_has_an_exact_message(tmp_path: Path, change: dict, message: str) -> None:
    assert errors_of(tmp_path, [flag(**change)]) == [message]


def test_a_pending_flag_carries_no_decision(tmp_path: Path) -> None:
    assert errors_of(tmp_path, [pending(action="gated", appeal="pending")]) == [
        "flags.csv:2: action: must be empty while resolved_at is empty (pending flag)",
        "flags.csv:2: appeal: must be empty or none while resolved_at is empty (pending flag)",
    ]


def test_valid_variants_pass(tmp_path: Path) -> None:
    rows = [
        flag("a", appeal="none", received_at="2026-07-01T12:00:00.250+02:00"),
        flag("b", appeal="upheld", appeal_resolved_at="2026-07-09T00:00:00-03:00"),
        flag("c", category="no_violation", action="none", decided_by="automated"),
        pending("d"),
    ]
    export = load(tmp_path, rows)
    assert (export.read, export.counted, export.duplicates, export.rejected) == (4, 4, 0, 0)
    assert counted(export) == 4


def test_missing_column_names_the_file(tmp_path: Path) -> None:
    rows = [flag()]
    write_csv(tmp_path / "flags.csv", rows, [c for c in rows[0] if c != "reason"])
    with pytest.raises(SourceError) as caught:
        fx.load_export(["flags.csv"], base_dir=tmp_path)
    assert str(caught.value) == "flags.csv: missing required column(s): reason"


def test_missing_file_and_empty_glob(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^exports/none\.csv: file not found$"):
        fx.load_export(["exports/none.csv"], base_dir=tmp_path)
    with pytest.raises(SourceError, match=r"^exports/\*\.csv: no file matches the pattern$"):
        fx.load_export(["exports/*.csv"], base_dir=tmp_path)


def test_unsupported_file_type(tmp_path: Path) -> None:
    (tmp_path / "flags.xlsx").write_bytes(b"PK")
    with pytest.raises(SourceError) as caught:
        fx.load_export(["flags.xlsx"], base_dir=tmp_path)
    assert str(caught.value) == (
        "flags.xlsx: unsupported file type; allowed: .csv, .jsonl, .ndjson, .parquet"
    )


def test_errors_are_all_reported_up_to_a_cap(tmp_path: Path) -> None:
    rows = [flag(f"f{i}", source="nobody") for i in range(70)]
    with pytest.raises(SourceErrors) as caught:
        load(tmp_path, rows)
    assert len(caught.value.errors) == fx.ERROR_CAP
    assert caught.value.total == 70
    assert str(caught.value).splitlines()[-1] == "... and 20 more errors"
    assert caught.value.errors[-1].line == 51


def test_line_numbers_follow_multiline_fields(tmp_path: Path) -> None:
    rows = [flag("a", comment="line one\nline two\nline three"), flag("b", reason="spammy")]
    [message] = errors_of(tmp_path, rows)
    assert message.startswith("flags.csv:5: reason: not an allowed value")


# --- duplicates and conflicts --------------------------------------------------


def test_exact_duplicate_counts_once(tmp_path: Path) -> None:
    export = load(tmp_path, [flag("a"), flag("b"), flag("a")])
    assert (export.read, export.counted, export.duplicates, export.rejected) == (3, 2, 1, 0)
    assert counted(export) == 2


def test_conflicting_flag_id_is_an_error(tmp_path: Path) -> None:
    rows = [flag("a"), flag("b"), flag("a", action="gated")]
    assert errors_of(tmp_path, rows) == [
        "flags.csv:4: flag_id: same flag_id as flags.csv:2 with different values; "
        "flag_id must be unique"
    ]


def test_rows_differing_only_in_a_private_column_conflict(tmp_path: Path) -> None:
    rows = [flag("a"), flag("a", comment="another text")]
    [message] = errors_of(tmp_path, rows)
    assert message.startswith("flags.csv:3: flag_id: same flag_id as flags.csv:2")


def test_duplicates_across_files_of_a_glob(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    write_csv(tmp_path / "exports" / "2026-07.csv", [flag("a"), flag("b")])
    write_csv(tmp_path / "exports" / "2026-08.csv", [flag("b"), flag("c")])
    export = fx.load_export(["exports/*.csv"], base_dir=tmp_path)
    assert [f.name for f in export.files] == ["exports/2026-07.csv", "exports/2026-08.csv"]
    assert export.rows_per_file == [2, 2]
    assert (export.read, export.counted, export.duplicates) == (4, 3, 1)


def test_each_file_carries_the_sha256_of_its_bytes(tmp_path: Path) -> None:
    clean = write_csv(tmp_path / "a.csv", [flag("a"), flag("b")])
    repeated = write_csv(tmp_path / "b.csv", [flag("b"), flag("c")])  # the text route
    export = fx.load_export(["*.csv"], base_dir=tmp_path)
    assert export.route == "text"
    expected = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (clean, repeated)]
    assert [f.sha256 for f in export.files] == expected
    typed = fx.load_export(["a.csv"], base_dir=tmp_path)
    assert (typed.route, [f.sha256 for f in typed.files]) == ("typed", expected[:1])


def test_a_failed_export_leaves_no_checksum_thread_running(tmp_path: Path) -> None:
    write_csv(tmp_path / "flags.csv", [flag("a"), flag("b", reason="Spam")])
    with pytest.raises(SourceErrors):
        fx.load_export(["flags.csv"], base_dir=tmp_path)
    assert not [t for t in threading.enumerate() if t.name.startswith("flags-sha256")]


# --- skip-invalid accounting ---------------------------------------------------


def test_skip_invalid_accounts_for_every_row(tmp_path: Path) -> None:
    rows = [
        flag("a"),
        flag("a"),
        flag("b", source="x"),
        flag("c", received_at="2026-07-01T00:00:00", source="x"),
        flag("d"),
        flag("d", action="gated"),
        flag("e"),
    ]
    rejected = tmp_path / "operator" / "rejected.csv"
    export = load(tmp_path, rows, skip_invalid=True, rejected_path=rejected)
    assert export.read == export.counted + export.duplicates + export.rejected
    assert (export.read, export.counted, export.duplicates, export.rejected) == (7, 2, 1, 4)
    assert export.rejected_by_reason == {
        "no_offset_received_at": 1,
        "bad_source": 1,
        "conflicting_flag_id": 2,
    }
    with rejected.open(encoding="utf-8", newline="") as stream:
        written = list(csv.DictReader(stream))
    assert [(r["row"], r["reason"]) for r in written] == [
        ("3", "bad_source"),
        ("4", "no_offset_received_at"),
        ("5", "conflicting_flag_id"),
        ("6", "conflicting_flag_id"),
    ]
    # The operator's file only: it keeps the private columns.
    assert stat.S_IMODE(rejected.stat().st_mode) == 0o600
    assert [p.name for p in rejected.parent.iterdir()] == ["rejected.csv"]


# --- formats ---------------------------------------------------------------


def test_json_lines(tmp_path: Path) -> None:
    lines = [flag("a"), pending("b") | {"unknown": 1}, flag("c", reason="nope")]
    text = "\n".join(json.dumps({k: v or None for k, v in r.items()}) for r in lines)
    (tmp_path / "flags.jsonl").write_text(text + "\n", encoding="utf-8")
    with pytest.raises(SourceErrors) as caught:
        fx.load_export(["flags.jsonl"], base_dir=tmp_path)
    assert [str(e) for e in caught.value.errors] == [
        "flags.jsonl:3: reason: not an allowed value; allowed: " + ", ".join(fx.REASONS)
    ]
    export = fx.load_export(["flags.jsonl"], base_dir=tmp_path, skip_invalid=True)
    assert (export.counted, export.rejected, export.extra_columns) == (2, 1, ["unknown"])


def test_parquet_with_zoned_and_naive_timestamps(tmp_path: Path) -> None:
    zoned = pa.timestamp("us", tz="UTC")
    table = pa.table(
        {
            "flag_id": ["a", "b"],
            "received_at": pa.array([datetime(2026, 7, 1, tzinfo=UTC)] * 2, zoned),
            "target_type": ["model", "user"],
            "source": ["staff", "community"],
            "reason": ["spam", "other"],
            "resolved_at": pa.array([None, datetime(2026, 7, 3)], pa.timestamp("us")),
            "category": [None, "spam_or_fraud"],
            "action": [None, "removed"],
            "decided_by": [None, "human"],
        }
    )
    pq.write_table(table, tmp_path / "flags.parquet")
    with pytest.raises(SourceErrors) as caught:
        fx.load_export(["flags.parquet"], base_dir=tmp_path)
    assert [str(e) for e in caught.value.errors] == [
        "flags.parquet:2: resolved_at: timestamp has no UTC offset; "
        f"expected RFC 3339 with offset, {EXAMPLE}"
    ]
    pq.write_table(
        table.drop_columns(["resolved_at", "category", "action", "decided_by"]),
        tmp_path / "flags.parquet",
    )
    assert counted(fx.load_export(["flags.parquet"], base_dir=tmp_path)) == 2


def test_mixed_formats_in_one_export(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", [flag("a")])
    (tmp_path / "b.ndjson").write_text(json.dumps(flag("b")) + "\n", encoding="utf-8")
    export = fx.load_export(["a.csv", "b.ndjson"], base_dir=tmp_path)
    assert counted(export) == 2


# --- privacy -------------------------------------------------------------------


def test_unknown_columns_warn_once_by_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [flag("a") | {"shoe_size": "42", "team": "x"}]
    with caplog.at_level(logging.DEBUG):
        load(tmp_path, rows)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "flag export: ignoring unknown column(s): shoe_size, team"
    ]


def test_private_values_never_reach_messages_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = [
        flag("a", source=PRIVATE_MARKERS[0]),  # a private value in a public column
        flag("b", received_at=PRIVATE_MARKERS[1]),
        flag("b"),
    ]
    with caplog.at_level(logging.DEBUG), pytest.raises(SourceErrors) as caught:
        load(tmp_path, broken)
    text = str(caught.value) + repr(caught.value.errors) + caplog.text
    assert len(caught.value.errors) == 3
    assert not any(marker in text for marker in PRIVATE_MARKERS)


def test_a_ragged_csv_fails_without_quoting_the_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "flags.csv", [flag("a")])
    with path.open("a", encoding="utf-8") as stream:
        stream.write(f"b,{PRIVATE_MARKERS[2]},x,y\n")
    with pytest.raises(SourceError) as caught:
        fx.load_export(["flags.csv"], base_dir=tmp_path)
    assert caught.value.path == "flags.csv"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert not any(m in str(caught.value) for m in PRIVATE_MARKERS)


def test_k_below_five_is_refused() -> None:
    with pytest.raises(NewsletterError, match="k = 4 is too small"):
        fx.require_k(4)
