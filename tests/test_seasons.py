"""Seasons against independent references: Meeus' algorithm and published almanac minutes."""

import csv
from datetime import datetime
from pathlib import Path

import pytest

from generator.errors import IssueError
from generator.seasons import (
    FIRST_YEAR,
    LAST_YEAR,
    TABLE,
    compute_seasons,
    issue_window,
    next_season_after,
    season_for_slug,
    seasons_of_year,
    table_text,
    windows_between,
)

REFERENCE = Path(__file__).parent / "data" / "seasons_meeus.csv"

# Published almanac instants (UT, to the minute), as printed in astronomical
# almanacs for these years.
ALMANAC_MINUTES = {
    "2000-march-equinox": "2000-03-20T07:35+00:00",
    "2000-june-solstice": "2000-06-21T01:48+00:00",
    "2000-september-equinox": "2000-09-22T17:27+00:00",
    "2000-december-solstice": "2000-12-21T13:37+00:00",
    "2022-september-equinox": "2022-09-23T01:04+00:00",
    "2024-march-equinox": "2024-03-20T03:06+00:00",
    "2024-june-solstice": "2024-06-20T20:51+00:00",
    "2024-september-equinox": "2024-09-22T12:44+00:00",
    "2024-december-solstice": "2024-12-21T09:21+00:00",
    "2026-december-solstice": "2026-12-21T20:50+00:00",
}


def reference_rows() -> list[tuple[str, datetime]]:
    with REFERENCE.open(encoding="utf-8") as fh:
        return [(row["slug"], datetime.fromisoformat(row["utc"])) for row in csv.DictReader(fh)]


def test_shipped_table_is_the_ephemeris_search_row_for_row() -> None:
    # Lookups read the shipped table; searching DE421 again must give the same bytes.
    computed = compute_seasons(FIRST_YEAR, LAST_YEAR)
    assert len(computed) == 4 * (LAST_YEAR - FIRST_YEAR + 1)
    assert TABLE.read_text(encoding="utf-8") == table_text(computed)


def test_reference_table_covers_1900_to_2049() -> None:
    rows = reference_rows()
    assert len(rows) == 600
    assert rows[0][0] == "1900-march-equinox" and rows[-1][0] == "2049-december-solstice"


def test_every_instant_1900_2049_agrees_with_meeus_within_60_seconds() -> None:
    worst = max(
        abs((season_for_slug(slug).instant - expected).total_seconds())
        for slug, expected in reference_rows()
    )
    assert worst < 60, worst


@pytest.mark.parametrize(("slug", "minute"), sorted(ALMANAC_MINUTES.items()))
def test_instants_match_published_almanac_minutes(slug: str, minute: str) -> None:
    delta = season_for_slug(slug).instant - datetime.fromisoformat(minute)
    assert abs(delta.total_seconds()) <= 60


def test_local_date_near_midnight() -> None:
    equinox = season_for_slug("2022-september-equinox")
    assert equinox.local_date("America/New_York").isoformat() == "2022-09-22"
    assert equinox.local_date("UTC").isoformat() == "2022-09-23"


def test_windows_are_contiguous_and_ordered() -> None:
    windows = windows_between(2022, 2027)
    assert len(windows) == 24
    for before, after in zip(windows, windows[1:], strict=False):
        assert before.end == after.start
        assert before.start < before.end
    first = issue_window("2022-september-equinox")
    assert first.start == season_for_slug("2022-june-solstice").instant


def test_seasons_come_in_calendar_order() -> None:
    for year in (1900, 1999, 2026, 2049):
        kinds = [s.season for s in seasons_of_year(year)]
        assert kinds == ["march-equinox", "june-solstice", "september-equinox", "december-solstice"]


def test_next_season_after_a_moment() -> None:
    assert next_season_after(datetime.fromisoformat("2026-11-22T12:00+00:00")).slug == (
        "2026-december-solstice"
    )
    exact = season_for_slug("2026-december-solstice").instant
    assert next_season_after(exact).slug == "2027-march-equinox"


@pytest.mark.parametrize(
    "slug",
    [
        "2026-winter-solstice",
        "26-june-solstice",
        "2026-June-solstice",
        "../etc",
        "1850-march-equinox",
    ],
)
def test_bad_slugs_are_refused_with_the_slug_named(slug: str) -> None:
    with pytest.raises(IssueError) as caught:
        season_for_slug(slug)
    assert slug in str(caught.value) or "1850" in str(caught.value)


def test_the_first_table_year_has_no_whole_window() -> None:
    from generator.seasons import windows_between

    with pytest.raises(IssueError) as caught:
        windows_between(1900, 1900)
    assert str(caught.value) == (
        "year 1900: its first window opens in 1899, before the ephemeris range 1900-2052; "
        "issue windows start in 1901"
    )
    assert windows_between(1901, 1901)[0].start.year == 1900
