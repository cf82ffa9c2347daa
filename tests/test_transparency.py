"""The transparency section end to end: window rules, figures, HTML, pages, data."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup

from generator.errors import NewsletterError, SourceError
from generator.sources import flags as fx
from generator.transparency import (
    Window,
    collect_transparency,
    query_window,
    query_windows,
    render_transparency_section,
)
from generator.transparency_pages import CSV_FIELDS, transparency_pages

from .test_flags import PRIVATE_MARKERS, flag, pending, write_csv

START = datetime(2026, 6, 21, tzinfo=UTC)
END = datetime(2026, 9, 23, tzinfo=UTC)
PREVIOUS = (datetime(2026, 3, 20, tzinfo=UTC), START)
K = 5


def iso(moment: datetime) -> str:
    return moment.isoformat()


def export_rows() -> list[dict[str, str]]:
    """A season with a known answer (see each group's comment)."""
    rows = []
    base = datetime(2026, 7, 1, tzinfo=UTC)
    for i in range(20):  # A: received and resolved in the window, after i+1 hours
        received = base + timedelta(hours=i)
        rows.append(
            flag(
                f"a{i}",
                received_at=iso(received),
                resolved_at=iso(received + timedelta(hours=i + 1)),
            )
        )
    for i in range(6):  # appeals decided in the window, upheld
        rows[i] |= {"appeal": "upheld", "appeal_resolved_at": "2026-08-01T00:00:00+00:00"}
    rows[6] |= {"appeal": "reversed", "appeal_resolved_at": "2026-10-01T00:00:00+00:00"}
    rows += [
        # B: received exactly at the start (inclusive), still pending
        pending("b", received_at=iso(START), source="staff", target_type="dataset", reason="other"),
        # C: received exactly at the end: belongs to the next window
        pending("c", received_at=iso(END)),
        # D: received in the previous window, resolved in this one after 720 hours
        flag(
            "d",
            received_at="2026-06-01T00:00:00+00:00",
            resolved_at="2026-07-01T00:00:00+00:00",
            category="no_violation",
            action="none",
            decided_by="automated",
        ),
        # E: resolved exactly at the end: pending at close
        flag("e", received_at="2026-06-10T00:00:00+00:00", resolved_at=iso(END)),
        dict(rows[0]),  # an exact duplicate
    ]
    return rows


@pytest.fixture(scope="module")
def section(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("export")
    write_csv(folder / "flags.csv", export_rows())
    return collect_transparency(
        ["flags.csv"], base_dir=folder, start=START, end=END, previous=PREVIOUS, k=K
    )


def counts(rows: list[dict]) -> dict:
    return {r["key"]: r["count"] for r in rows}


def test_window_rules(section: dict) -> None:
    assert section["headline"] == {
        "received": 21,
        "resolved": 21,
        "pending_at_start": "<5",
        "pending_at_close": "<5",
        "own_initiative": "<5",
        "notices": "withheld",
        "appeals_decided": 6,
    }
    assert section["appeals"] == {
        "decided": 6,
        "upheld": 6,
        "reversed": 0,
        "reversal_rate": 0.0,
    }


def test_small_counts_and_their_complements(section: dict) -> None:
    assert counts(section["received"]["by_source"]) == {
        "community": "withheld",
        "trusted_flagger": 0,
        "automated": 0,
        "staff": "<5",
        "authority": 0,
    }
    by_category = counts(section["resolved"]["by_category"])
    assert by_category["no_violation"] == "<5"
    assert by_category["spam_or_fraud"] == "withheld"
    assert by_category["violence"] == 0
    # Nothing published with the exact value 20 or 1 that would undo the above.
    published = json.dumps({k: section[k] for k in ("received", "resolved", "headline")})
    assert '"count": 20' not in published and '"count": 1,' not in published


def test_time_to_action_needs_k_flags(section: dict) -> None:
    times = section["time_to_action"]
    assert times["overall"] == {"median_hours": 11.0, "p90_hours": 19.0}
    by_category = {r["key"]: r for r in times["by_category"]}
    assert by_category["spam_or_fraud"] == {
        "key": "spam_or_fraud",
        "median_hours": 10.5,
        "p90_hours": 18.1,
    }
    assert by_category["no_violation"]["median_hours"] is None


def test_previous_window_and_change(section: dict) -> None:
    previous = section["previous"]
    assert previous["window"] == {
        "start": "2026-03-20T00:00:00+00:00",
        "end": "2026-06-21T00:00:00+00:00",
    }
    assert previous["headline"]["received"] == "<5"
    assert previous["headline"]["resolved"] == 0
    assert section["change"]["received"] is None  # "<5" before: no exact change
    assert section["change"]["appeals_decided"] == 6


def test_accounting_and_provenance(section: dict) -> None:
    assert section["accounting"] == {
        "read": 25,
        "counted": 24,
        "duplicates": 1,
        "rejected": 0,
        "rejected_by_reason": {},
        "ignored_columns": [],
    }
    [file] = section["provenance"]["files"]
    assert file["name"] == "flags.csv" and file["rows"] == 25
    assert len(file["sha256"]) == 64
    assert (section["provenance"]["k"], section["provenance"]["schema"]) == (5, "flags-v1")


def test_a_small_export_file_is_not_published_exactly(tmp_path: Path) -> None:
    # One file a month: a file's rows are that month's flags, so they follow the
    # small-count rule, and one other file is withheld so that the total read
    # does not give the small one away.
    rows = export_rows()
    write_csv(tmp_path / "flags-2026-05.csv", rows[3:])
    write_csv(tmp_path / "flags-2026-07.csv", rows[:3])
    section = collect_transparency(
        ["flags-*.csv"], base_dir=tmp_path, start=START, end=END, previous=PREVIOUS, k=K
    )
    shown = [(f["name"], f["rows"]) for f in section["provenance"]["files"]]
    assert shown == [("flags-2026-05.csv", "withheld"), ("flags-2026-07.csv", "<5")]
    accounting = section["accounting"]
    assert (accounting["read"], accounting["counted"], accounting["duplicates"]) == (25, 24, 1)
    page = BeautifulSoup(render_transparency_section(section, tz="UTC"), "html.parser")
    assert "The export held 25 rows: 24 counted" in page.get_text(" ", strip=True)


def test_an_export_smaller_than_k_shows_no_exact_total(tmp_path: Path) -> None:
    write_csv(tmp_path / "flags.csv", export_rows()[:3])
    section = collect_transparency(
        ["flags.csv"], base_dir=tmp_path, start=START, end=END, previous=None, k=K
    )
    accounting = section["accounting"]
    assert accounting["read"] == "<5" and accounting["counted"] != 3
    assert section["provenance"]["files"][0]["rows"] == "<5"
    assert '": 3' not in json.dumps(accounting | {"files": section["provenance"]["files"]})


def test_a_season_before_the_export_began_has_no_figures_not_zeros(tmp_path: Path) -> None:
    rows = [r for r in export_rows() if r["received_at"] >= iso(START)]
    write_csv(tmp_path / "flags.csv", rows)
    section = collect_transparency(
        ["flags.csv"], base_dir=tmp_path, start=START, end=END, previous=PREVIOUS, k=K
    )
    assert section["previous"] is None and section["change"] is None


def test_section_matches_its_json_schema(section: dict) -> None:
    path = resources.files("generator") / "schemas" / "section-transparency.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(section)
    json.dumps(section, allow_nan=False)


def test_same_input_same_output(tmp_path: Path, section: dict) -> None:
    write_csv(tmp_path / "flags.csv", export_rows())
    again = collect_transparency(
        ["flags.csv"], base_dir=tmp_path, start=START, end=END, previous=PREVIOUS, k=K
    )
    assert json.dumps(again, sort_keys=True) == json.dumps(section, sort_keys=True)
    assert render_transparency_section(again, tz="UTC") == render_transparency_section(
        section, tz="UTC"
    )


def test_k_below_five_and_bad_windows_are_refused(tmp_path: Path) -> None:
    write_csv(tmp_path / "flags.csv", export_rows())
    options = {"base_dir": tmp_path, "previous": None}
    with pytest.raises(NewsletterError, match="k = 4 is too small"):
        collect_transparency(["flags.csv"], start=START, end=END, k=4, **options)  # type: ignore[arg-type]
    with pytest.raises(NewsletterError, match="start must be before"):
        collect_transparency(["flags.csv"], start=END, end=START, **options)  # type: ignore[arg-type]
    with pytest.raises(SourceError, match="^missing/\\*.csv: no file matches"):
        collect_transparency(["missing/*.csv"], start=START, end=END, **options)  # type: ignore[arg-type]


def test_skip_invalid_is_accounted_in_the_section(tmp_path: Path) -> None:
    rows = export_rows() + [flag("bad", reason="Spam"), flag("bad2", received_at="2026-07-01")]
    write_csv(tmp_path / "flags.csv", rows)
    section = collect_transparency(
        ["flags.csv"],
        base_dir=tmp_path,
        start=START,
        end=END,
        previous=None,
        k=K,
        skip_invalid=True,
    )
    accounting = section["accounting"]
    assert accounting["rejected_by_reason"] == {"bad_received_at": 1, "case_reason": 1}
    assert accounting["read"] == accounting["counted"] + accounting["duplicates"] + 2
    assert section["previous"] is None and section["change"] is None


def test_windows_side_by_side_count_as_one_by_one(tmp_path: Path) -> None:
    write_csv(tmp_path / "flags.csv", export_rows())
    export = fx.load_export(["flags.csv"], base_dir=tmp_path)
    windows = [Window(START, END), Window(*PREVIOUS), Window(START, START + timedelta(days=9))]
    try:
        together = query_windows(export.connection, windows)
        alone = [query_window(export.connection, w) for w in windows]
    finally:
        export.connection.close()
    assert together == alone
    assert together[0].received and together[1].pending_at_close == 2  # "d" and "e"


# --- rendering -------------------------------------------------------------------


def test_rendered_section_structure(section: dict) -> None:
    html = render_transparency_section(section, tz="Europe/Paris")
    soup = BeautifulSoup(html, "html.parser")
    [outer] = soup.find_all(recursive=False)
    assert outer.name == "div" and outer["class"] == ["nl-transparency"]
    assert not soup.find("script") and not soup.find(["h1", "h2"])
    figures = {
        dt.get_text(): dd.get_text()
        for dt, dd in zip(soup.select("dl dt"), soup.select("dl dd"), strict=True)
    }
    assert figures["Flags received"] == "21"
    assert figures["Pending at the end of the season"] == "<5"
    for figure in soup.find_all("figure"):
        image = figure.find(attrs={"role": "img"})
        assert image["aria-label"].startswith("Bar chart: ")
        assert image.find("svg") is not None
        assert figure.find_next_sibling("table").caption.get_text() == figure.figcaption.get_text()
    table = soup.find("caption", string="Flags received by source").parent
    rows = {tr.th.get_text(): tr.td.get_text() for tr in table.tbody.find_all("tr")}
    assert rows == {
        "community": "withheld",
        "trusted flagger": "0",
        "automated": "0",
        "staff": "<5",
        "authority": "0",
    }
    assert all(th["scope"] in {"col", "row"} for th in soup.find_all("th"))
    assert not any(line.strip() == "" for line in html.splitlines())


def test_rendering_rejects_an_unpublishable_count(section: dict) -> None:
    tampered = json.loads(json.dumps(section))
    tampered["received"]["by_source"][3]["count"] = 1
    with pytest.raises(NewsletterError, match="not a publishable count"):
        render_transparency_section(tampered, tz="UTC")


# --- pages and data --------------------------------------------------------------


def issue(slug: str, number: int) -> dict:
    return {
        "slug": slug,
        "title": f"Issue <{number}>",
        "number": number,
        "date": "2026-09-23",
        "instant": "2026-09-23T00:00:00+00:00",
    }


def test_pages_and_data_files(section: dict) -> None:
    pages = transparency_pages(
        [(issue("2026-june-solstice", 1), section), (issue("2026-september-equinox", 2), section)]
    )
    assert sorted(pages) == [
        "data/datapackage.json",
        "data/transparency-2026-june-solstice.csv",
        "data/transparency-2026-september-equinox.csv",
        "data/transparency.csv",
        "transparency/index.md",
        "transparency/methodology.md",
    ]
    # The left navigation is empty there: hidden, so the wide table has the room.
    assert pages["transparency/index.md"].startswith("---\nhide:\n  - navigation\n---\n\n# Transp")
    assert pages["transparency/methodology.md"].startswith("# How the transparency figures")
    package = json.loads(pages["data/datapackage.json"])
    assert "licenses" not in package  # none configured: no reuse is promised
    for resource in package["resources"]:
        data = pages["data/" + resource["path"]]
        assert resource["hash"] == "sha256:" + hashlib.sha256(data.encode()).hexdigest()
        assert data.endswith("\r\n")
        rows = list(csv.DictReader(io.StringIO(data, newline="")))
        assert [f["name"] for f in resource["schema"]["fields"]] == list(CSV_FIELDS)
        for row in rows:
            assert (row["value"] == "") == (row["marker"] != "")
            if row["value"]:
                float(row["value"])
            datetime.fromisoformat(row["window_start"].replace("Z", "+00:00"))
    everything = pages["data/transparency.csv"]
    assert (
        everything.count("\r\n")
        == 2 * pages["data/transparency-2026-june-solstice.csv"].count("\r\n") - 1
    )
    soup = BeautifulSoup(pages["transparency/index.md"], "html.parser")
    links = [a["href"] for a in soup.select("tbody a")]
    assert links == ["../issues/2026-june-solstice/", "../issues/2026-september-equinox/"]
    assert soup.select("tbody th a")[0].get_text() == "Issue <1>"  # escaped, shown as text


def test_methodology_shows_the_exact_queries(section: dict) -> None:
    page = transparency_pages([(issue("2026-september-equinox", 2), section)])[
        "transparency/methodology.md"
    ]
    soup = BeautifulSoup(page, "html.parser")
    shown = [code.get_text() for code in soup.select("pre code.language-sql")]
    received = (resources.files("generator") / "sql" / "received.sql").read_text("utf-8")
    assert received.strip() in shown
    assert any(text.startswith("CREATE TABLE checked AS") for text in shown)
    assert "STATEMENT_CATEGORY_CYBER_VIOLENCE" in page


def test_no_private_value_anywhere(section: dict) -> None:
    pages = transparency_pages([(issue("2026-september-equinox", 2), section)])
    outputs = [json.dumps(section), render_transparency_section(section, tz="UTC"), *pages.values()]
    for marker in PRIVATE_MARKERS:
        assert not any(marker in text for text in outputs)


def test_a_bad_slug_is_refused(section: dict) -> None:
    with pytest.raises(NewsletterError, match="invalid issue slug"):
        transparency_pages([(issue("../../etc", 1), section)])
