"""Private columns of the flag export (reporter_id, comment, target_ref) never leave
collection: not in site/, the feeds, the downloads, data.json, nor any log or error.

Each private cell carries a unique marker; the tests look for the markers everywhere.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .browser.hostile import (
    PRIVATE_MARKERS,
    SLUG,
    HostileBuild,
    flag_rows,
    hostile_build,
    write_flags,
    write_newsletter,
)
from .conftest import REPO

MARKERS = tuple(PRIVATE_MARKERS.values())


@pytest.fixture(scope="module")
def built() -> HostileBuild:
    return hostile_build()


def _markers_in(data: bytes) -> list[str]:
    return [m for m in MARKERS if m.encode() in data]


def test_the_flags_with_markers_were_counted(built: HostileBuild) -> None:
    """The markers rode on real, accepted rows: otherwise absence would prove nothing."""
    data = json.loads(built.data_json.read_text(encoding="utf-8"))
    accounting = data["sections"]["transparency"]["accounting"]
    assert accounting["read"] == accounting["counted"] == len(flag_rows())
    assert accounting["rejected"] == 0


def test_markers_never_reach_any_file_under_site(built: HostileBuild) -> None:
    site = built.newsletter.site
    checked = 0
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        assert _markers_in(data) == [], path.relative_to(site)
        checked += 1
    assert checked > 50
    for feed in ("feed.xml", "atom.xml", "feed.json"):
        assert (site / feed).is_file(), f"the feed {feed} was written and checked"
    assert list((site / "data").glob("*.json")), "the downloads were written and checked"


def test_markers_never_reach_data_json(built: HostileBuild) -> None:
    assert _markers_in(built.data_json.read_bytes()) == []


def test_markers_never_reach_logs_or_output(built: HostileBuild) -> None:
    assert "flag" in built.output.lower() or "transparency" in built.output.lower(), (
        "the captured output includes the collection's own log lines"
    )
    assert _markers_in(built.output.encode()) == []


def _run_cli(config: Path, command: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "-v", command, "-f", str(config), *args],
        cwd=config.parent,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPO)},
        timeout=120,
    )


def test_markers_stay_out_of_errors_for_rejected_rows(tmp_path: Path) -> None:
    """Bad rows are reported by file, line and field, never by their private values."""
    newsletter = write_newsletter(tmp_path)
    rows = flag_rows(12)
    rows[3]["source"] = "not-a-source"
    rows[5]["received_at"] = "2026-07-20T10:00:00"  # no offset
    rows[7] = {**rows[6], "comment": rows[6]["comment"] + " changed"}  # same id, other values
    write_flags(tmp_path / "sources" / "flags" / "flags-2026-07.csv", rows)
    done = _run_cli(newsletter.config, "collect", SLUG)
    assert done.returncode == 1, done.stderr[-2000:]
    output = done.stdout + done.stderr
    assert "flags-2026-07.csv" in output and "source" in output and "flag_id" in output
    assert _markers_in(output.encode()) == []


def test_markers_stay_out_of_skipped_row_reports(tmp_path: Path) -> None:
    newsletter = write_newsletter(tmp_path)
    rows = flag_rows(12)
    rows[2]["reason"] = "NOT_A_REASON"
    write_flags(tmp_path / "sources" / "flags" / "flags-2026-07.csv", rows)
    done = _run_cli(newsletter.config, "collect", SLUG, "--skip-invalid")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-2000:]
    assert "flag export: 1 of 12 rows rejected (--skip-invalid)" in output
    assert _markers_in(output.encode()) == []
    data = (tmp_path / "issues" / SLUG / "data.json").read_bytes()
    assert _markers_in(data) == []


def test_rejected_rows_may_not_be_written_where_they_would_be_published(tmp_path: Path) -> None:
    newsletter = write_newsletter(tmp_path)
    rows = flag_rows(12)
    rows[2]["reason"] = "NOT_A_REASON"
    write_flags(tmp_path / "sources" / "flags" / "flags-2026-07.csv", rows)
    config = yaml.safe_load(newsletter.config.read_text(encoding="utf-8"))
    options = next(p["newsletter"] for p in config["plugins"] if "newsletter" in p)
    options["flags"]["rejected"] = f"{config['docs_dir']}/rejected.csv"
    newsletter.config.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    done = _run_cli(newsletter.config, "collect", SLUG, "--skip-invalid")
    assert done.returncode == 1
    assert "plugins.newsletter.flags.rejected: " in done.stderr
    assert "is inside the folder of docs_dir, which is published" in done.stderr
    assert not list(tmp_path.rglob("rejected.csv*"))
    assert not (tmp_path / "issues" / SLUG / "data.json").exists()
