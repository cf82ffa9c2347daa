"""The pre-aggregated route: a warehouse's flags-aggregates-v1 file gives the same section."""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from generator.errors import SourceError, SourceErrors
from generator.sources import flags as fx
from generator.transparency import Window, collect_transparency
from generator.transparency_aggregates import (
    FORMAT,
    HEADER,
    collect_transparency_from_aggregates,
    write_aggregates,
)

from .test_flags import write_csv
from .test_transparency import END, PREVIOUS, START, K, export_rows

WINDOWS = [Window(START, END), Window(*PREVIOUS)]


def section_schema() -> dict:
    path = resources.files("generator") / "schemas" / "section-transparency.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def aggregates(tmp_path: Path) -> Path:
    write_csv(tmp_path / "flags.csv", export_rows())
    export = fx.load_export(["flags.csv"], base_dir=tmp_path)
    target = tmp_path / "aggregates.csv"
    write_aggregates(export, WINDOWS, target)
    return target


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def rewrite(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)


def from_aggregates(path: Path) -> dict:
    return collect_transparency_from_aggregates(path, start=START, end=END, previous=PREVIOUS, k=K)


def test_both_routes_publish_the_same_section(tmp_path: Path) -> None:
    path = aggregates(tmp_path)
    direct = collect_transparency(
        ["flags.csv"], base_dir=tmp_path, start=START, end=END, previous=PREVIOUS, k=K
    )
    routed = from_aggregates(path)
    jsonschema.Draft202012Validator(section_schema()).validate(routed)
    assert routed["provenance"]["files"][0]["name"] == "aggregates.csv"
    assert routed["provenance"]["files"][0]["rows"] == len(rows_of(path))
    direct.pop("provenance")
    routed.pop("provenance")
    assert routed == direct


def test_the_format_is_long_with_one_header_and_a_version_on_every_row(tmp_path: Path) -> None:
    path = aggregates(tmp_path)
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == ",".join(HEADER)
    rows = rows_of(path)
    assert {r["format"] for r in rows} == {FORMAT}
    measures = {r["measure"] for r in rows}
    assert measures == {
        "received",
        "resolved",
        "time_to_action",
        "pending_at_start",
        "pending_at_close",
        "appeals",
        "rows",
    }
    accounting = {r["key"]: int(r["flags"]) for r in rows if r["measure"] == "rows"}
    assert accounting["read"] == accounting["counted"] + accounting["duplicates"]


def test_every_bad_cell_is_named_by_line_and_column(tmp_path: Path) -> None:
    path = aggregates(tmp_path)
    rows = rows_of(path)
    received = next(i for i, r in enumerate(rows) if r["measure"] == "received")
    rows[received]["source"] = "Community"
    rows[received + 1]["flags"] = "-3"
    rows[0]["window_end"] = "2026-09-23T00:00:00"  # no offset
    rewrite(path, rows)
    with pytest.raises(SourceErrors) as caught:
        from_aggregates(path)
    found = sorted((e.line, e.field, e.detail) for e in caught.value.errors)
    allowed = "not an allowed value; allowed: " + ", ".join(fx.SOURCES)
    assert found == [
        (2, "window_end", "not an RFC 3339 timestamp with offset; e.g. 2026-09-23T00:05:00+00:00"),
        (received + 2, "source", allowed),
        (received + 3, "flags", "not a whole number of flags (0 or more)"),
    ]


def test_a_missing_window_is_an_error_not_zeros(tmp_path: Path) -> None:
    path = aggregates(tmp_path)
    rows = [r for r in rows_of(path) if r["window_start"] != WINDOWS[1].as_json()["start"]]
    rewrite(path, rows)
    with pytest.raises(SourceError, match=r"holds no aggregates for the window"):
        from_aggregates(path)


def test_accounting_must_balance(tmp_path: Path) -> None:
    path = aggregates(tmp_path)
    rows = rows_of(path)
    for row in rows:
        if row["measure"] == "rows" and row["key"] == "read":
            row["flags"] = str(int(row["flags"]) + 1)
    rewrite(path, rows)
    with pytest.raises(SourceError, match=r"read must equal counted \+ duplicates \+ rejected"):
        from_aggregates(path)


def test_a_wrong_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "aggregates.csv"
    path.write_text("measure,flags\r\nreceived,3\r\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        from_aggregates(path)
    assert caught.value.line == 1
