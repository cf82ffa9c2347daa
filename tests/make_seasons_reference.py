"""Regenerate tests/data/seasons_meeus.csv, the independent reference for seasons.

Method: Jean Meeus, Astronomical Algorithms, ch. 27 (mean instants corrected by
periodic terms), as implemented by PyMeeus, converted from TT to UT with
PyMeeus' own Delta-T. It shares no code or ephemeris with skyfield/DE421.
Run: .venv/bin/pip install pymeeus==0.5.12 && .venv/bin/python tests/make_seasons_reference.py
"""

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pymeeus.Epoch import Epoch
from pymeeus.Sun import Sun

SEASONS = {
    "spring": "march-equinox",
    "summer": "june-solstice",
    "autumn": "september-equinox",
    "winter": "december-solstice",
}


def meeus_instant(year: int, season: str) -> datetime:
    epoch = Sun.get_equinox_solstice(year, season)
    y, m, d, hh, mm, ss = epoch.get_full_date()
    tt = datetime(y, m, d, tzinfo=UTC) + timedelta(hours=hh, minutes=mm, seconds=ss)
    return tt - timedelta(seconds=Epoch.tt2ut(y, m))


def main() -> None:
    out = Path(__file__).parent / "data" / "seasons_meeus.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["slug", "utc"])
        for year in range(1900, 2050):
            for meeus_name, slug in SEASONS.items():
                moment = meeus_instant(year, meeus_name).replace(microsecond=0)
                writer.writerow([f"{year}-{slug}", moment.isoformat()])


if __name__ == "__main__":
    main()
