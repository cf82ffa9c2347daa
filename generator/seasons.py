"""Equinoxes and solstices, and the issue windows they bound.

The instants come from the JPL DE421 ephemeris (bundled offline by the
`skyfield-data` package) through skyfield's season finder: the moment the
Sun's apparent geocentric ecliptic longitude crosses 0°, 90°, 180° or 270°.
Skyfield's built-in time scale converts TT to UTC without a download.

Compared on 1900-2049 against DE421: PyEphem (VSOP87) drifts up to 60.3 s,
PyMeeus (Meeus ch. 27) up to 52 s and runs 30x slower; skyfield on DE421 is
the reference itself. See README "Seasons".

The instants never change, and searching the ephemeris costs about 0.1 s
per year, so they are computed once for every year the ephemeris covers and
shipped as a table (`data/season_instants.csv`); a build looks them up. The
table is written by `python -m generator.seasons --write-table` and a test
recomputes every row from the ephemeris.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from .errors import IssueError

TABLE = resources.files("generator") / "data" / "season_instants.csv"

SEASON_SLUGS = ("march-equinox", "june-solstice", "september-equinox", "december-solstice")
SEASON_LABELS = {
    "march-equinox": "March equinox",
    "june-solstice": "June solstice",
    "september-equinox": "September equinox",
    "december-solstice": "December solstice",
}
ISSUE_SLUG = re.compile(r"^(\d{4})-(" + "|".join(SEASON_SLUGS) + r")$")

# Years the bundled DE421 covers with margin (the file spans 1899-07 to 2053-10).
FIRST_YEAR, LAST_YEAR = 1900, 2052


@dataclass(frozen=True)
class Season:
    """One equinox or solstice: the instant an issue is dated by."""

    year: int
    season: str  # one of SEASON_SLUGS
    instant: datetime  # aware, UTC, to the second

    @property
    def slug(self) -> str:
        return f"{self.year}-{self.season}"

    @property
    def label(self) -> str:
        return f"{SEASON_LABELS[self.season]} {self.year}"

    def local_date(self, tz: str) -> date:
        return self.instant.astimezone(ZoneInfo(tz)).date()


@dataclass(frozen=True)
class IssueWindow:
    """The season an issue covers: [start, end), end being the issue's own instant."""

    season: Season
    start: datetime
    end: datetime

    @property
    def slug(self) -> str:
        return self.season.slug

    def as_json(self, tz: str) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "instant": iso_utc(self.end),
            "window_start": iso_utc(self.start),
            "window_end": iso_utc(self.end),
            "local_date": self.season.local_date(tz).isoformat(),
            "timezone": tz,
        }


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


@functools.lru_cache(maxsize=1)
def _ephemeris() -> tuple[Any, Any]:
    # Imported lazily: skyfield pulls in numpy, which most commands never need.
    from skyfield.api import load, load_file

    de421 = resources.files("skyfield_data") / "data" / "de421.bsp"
    return load.timescale(builtin=True), load_file(str(de421))


def compute_seasons(first_year: int, last_year: int) -> list[Season]:
    """Search the ephemeris for every instant of these years (one vectorised search)."""
    from skyfield import almanac

    ts, eph = _ephemeris()
    times, kinds = almanac.find_discrete(
        ts.utc(first_year, 1, 1), ts.utc(last_year + 1, 1, 1), almanac.seasons(eph)
    )
    found = []
    for t, kind in zip(times, kinds, strict=True):
        utc = t.utc_datetime()
        # Round to the second: the ephemeris search is precise to milliseconds,
        # and whole seconds keep published timestamps short and stable.
        instant = (utc + timedelta(microseconds=500_000)).replace(microsecond=0)
        found.append(Season(utc.year, SEASON_SLUGS[int(kind)], instant))
    return found


def table_text(seasons: list[Season]) -> str:
    lines = ["slug,utc"] + [f"{s.slug},{iso_utc(s.instant)}" for s in seasons]
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=1)
def _table() -> dict[int, tuple[Season, ...]]:
    by_year: dict[int, list[Season]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines()[1:]:
        slug, utc = line.split(",")
        year, season = int(slug[:4]), slug[5:]
        by_year.setdefault(year, []).append(Season(year, season, datetime.fromisoformat(utc)))
    return {year: tuple(seasons) for year, seasons in by_year.items()}


def seasons_of_year(year: int) -> tuple[Season, ...]:
    """The four instants of `year`, in order (March, June, September, December)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise IssueError(f"year {year} is outside the ephemeris range {FIRST_YEAR}-{LAST_YEAR}")
    return _table()[year]


def season_for_slug(slug: str) -> Season:
    match = ISSUE_SLUG.match(slug)
    if not match:
        raise IssueError(
            f"bad issue slug {slug!r}: expected YEAR-SEASON, with SEASON one of "
            + ", ".join(SEASON_SLUGS)
            + " (for example 2026-december-solstice)"
        )
    year, season = int(match.group(1)), match.group(2)
    return seasons_of_year(year)[SEASON_SLUGS.index(season)]


def previous_season(season: Season) -> Season:
    index = SEASON_SLUGS.index(season.season)
    if index == 0:
        return seasons_of_year(season.year - 1)[3]
    return seasons_of_year(season.year)[index - 1]


def following_season(season: Season) -> Season:
    index = SEASON_SLUGS.index(season.season)
    if index == 3:
        return seasons_of_year(season.year + 1)[0]
    return seasons_of_year(season.year)[index + 1]


def issue_window(slug: str) -> IssueWindow:
    """The window of the issue `slug`: [previous instant, this instant)."""
    season = season_for_slug(slug)
    return IssueWindow(season, previous_season(season).instant, season.instant)


def windows_between(first_year: int, last_year: int) -> list[IssueWindow]:
    # A year's first window opens at the December solstice of the year before.
    if first_year == FIRST_YEAR:
        raise IssueError(
            f"year {FIRST_YEAR}: its first window opens in {FIRST_YEAR - 1}, before the "
            f"ephemeris range {FIRST_YEAR}-{LAST_YEAR}; issue windows start in {FIRST_YEAR + 1}"
        )
    return [
        issue_window(season.slug)
        for year in range(first_year, last_year + 1)
        for season in seasons_of_year(year)
    ]


def next_season_after(moment: datetime) -> Season:
    """The first equinox or solstice strictly after `moment` (an aware datetime)."""
    for year in (moment.year, moment.year + 1):
        for season in seasons_of_year(year):
            if season.instant > moment:
                return season
    raise AssertionError("unreachable: every year has four seasons")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--write-table"]:
        sys.exit("usage: python -m generator.seasons --write-table")
    with resources.as_file(TABLE) as path:
        path.write_text(table_text(compute_seasons(FIRST_YEAR, LAST_YEAR)), encoding="utf-8")
