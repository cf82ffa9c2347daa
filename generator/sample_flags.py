"""A synthetic flag export in the flags-v1 format, for the sample newsletter.

One file per month from April 2022 to November 2026, as the moderation system
would export it on `SNAPSHOT_AT`. Most months are CSV; one month is JSON Lines
and one Parquet so that every reader is exercised. Every row is valid: flags
still open at the snapshot are pending, resolved flags carry a category, an
action and who decided. Volumes grow and vary with the seasons, a backlog
builds in summer 2024, and a spam wave hits in March 2025.

Private columns hold obviously synthetic values (`rep-000123`,
`models/org-0042/model-17`, `[synthetic 000001] ...`) so that privacy tests
can search a built site for them.
"""

from __future__ import annotations

import bisect
import csv
import functools
import itertools
import json
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .sources.flags import COLUMNS

SCHEMA_COLUMNS = COLUMNS  # flags-v1 column order, as the reader declares it
# The exporter changed its column order in June 2025; readers go by header.
LATER_COLUMNS = (
    "flag_id",
    "source",
    "reason",
    "target_type",
    "target_ref",
    "received_at",
    "resolved_at",
    "decided_by",
    "category",
    "action",
    "appeal",
    "appeal_resolved_at",
    "reporter_id",
    "comment",
)
PRIVATE_COLUMNS = ("target_ref", "reporter_id", "comment")
SNAPSHOT_AT = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
FIRST_MONTH = (2022, 4)
LAST_MONTH = (2026, 11)
JSONL_MONTH = (2023, 7)
PARQUET_MONTH = (2025, 1)
LATER_COLUMNS_FROM = (2025, 6)
EXPLICIT_NO_APPEAL_FROM = (2025, 1)  # exporter writes "none" instead of empty
BACKLOG = (
    datetime(2024, 6, 10, tzinfo=UTC),
    datetime(2024, 9, 10, tzinfo=UTC),
)
SPAM_WAVE_MONTH = (2025, 3)
SEED = 20220401

TARGET_WEIGHTS = {
    "model": 30,
    "dataset": 15,
    "space": 20,
    "discussion": 15,
    "comment": 12,
    "collection": 3,
    "user": 5,
}
REASONS_BY_SOURCE = {
    "community": {
        "ethical_issue": 30,
        "legal_issue": 12,
        "not_working": 8,
        "spam": 25,
        "illegal_or_restricted": 10,
        "other": 15,
    },
    "trusted_flagger": {
        "ethical_issue": 30,
        "legal_issue": 25,
        "illegal_or_restricted": 35,
        "spam": 5,
        "other": 5,
    },
    "automated": {"spam": 55, "illegal_or_restricted": 30, "ethical_issue": 10, "not_working": 5},
    "staff": {
        "ethical_issue": 40,
        "spam": 20,
        "legal_issue": 10,
        "not_working": 10,
        "illegal_or_restricted": 10,
        "other": 10,
    },
    "authority": {"legal_issue": 60, "illegal_or_restricted": 40},
}
CATEGORIES_BY_REASON = {
    "spam": {"spam_or_fraud": 70, "no_violation": 20, "malware_or_security": 5, "other": 5},
    "illegal_or_restricted": {
        "child_safety": 6,
        "violence": 12,
        "malware_or_security": 15,
        "privacy_pii": 15,
        "intellectual_property": 10,
        "self_harm": 5,
        "no_violation": 27,
        "other": 10,
    },
    "legal_issue": {
        "intellectual_property": 45,
        "privacy_pii": 20,
        "no_violation": 25,
        "other": 10,
    },
    "ethical_issue": {
        "hate_or_discrimination": 15,
        "harassment_or_bullying": 10,
        "adult_content_untagged": 15,
        "misinformation": 12,
        "high_risk_use": 12,
        "privacy_pii": 6,
        "no_violation": 25,
        "other": 5,
    },
    "not_working": {"no_violation": 80, "other": 10, "malware_or_security": 10},
    "other": {
        "no_violation": 45,
        "other": 20,
        "spam_or_fraud": 15,
        "harassment_or_bullying": 10,
        "adult_content_untagged": 10,
    },
}
ACTIONS_BY_CATEGORY = {
    "no_violation": {"none": 1},
    "spam_or_fraud": {
        "removed": 50,
        "unranked": 20,
        "disabled": 10,
        "account_suspended": 15,
        "account_terminated": 5,
    },
    "malware_or_security": {"disabled": 50, "removed": 40, "account_suspended": 10},
    "adult_content_untagged": {"nfaa_tag_added": 80, "removed": 10, "none": 10},
    "high_risk_use": {"card_updated": 50, "gated": 30, "unranked": 10, "none": 10},
    "misinformation": {"card_updated": 40, "unranked": 30, "removed": 15, "none": 15},
    "privacy_pii": {"gated": 30, "removed": 40, "disabled": 20, "card_updated": 10},
    "intellectual_property": {"disabled": 40, "removed": 40, "none": 20},
    "hate_or_discrimination": {
        "removed": 40,
        "interaction_restricted": 20,
        "unranked": 20,
        "account_suspended": 10,
        "none": 10,
    },
    "harassment_or_bullying": {
        "interaction_restricted": 35,
        "removed": 35,
        "account_suspended": 20,
        "account_terminated": 5,
        "none": 5,
    },
    "violence": {"removed": 60, "disabled": 20, "account_suspended": 15, "account_terminated": 5},
    "self_harm": {"removed": 50, "gated": 30, "nfaa_tag_added": 20},
    "child_safety": {"removed": 50, "account_terminated": 40, "disabled": 10},
    "other": {"none": 30, "card_updated": 20, "unranked": 20, "removed": 30},
}
# Some actions make no sense for some targets; the moderator picks these instead.
ACTION_FOR_TARGET = {
    "discussion": {
        "card_updated": "interaction_restricted",
        "gated": "interaction_restricted",
        "nfaa_tag_added": "removed",
        "unranked": "interaction_restricted",
    },
    "comment": {
        "card_updated": "removed",
        "gated": "removed",
        "nfaa_tag_added": "removed",
        "unranked": "removed",
        "disabled": "removed",
    },
    "user": {
        "card_updated": "account_suspended",
        "gated": "account_suspended",
        "nfaa_tag_added": "account_suspended",
        "unranked": "account_suspended",
        "disabled": "account_suspended",
        "removed": "account_terminated",
        "interaction_restricted": "account_suspended",
    },
}
# Median hours to a decision, before backlog and automation adjustments.
MEDIAN_HOURS = {
    "child_safety": 3,
    "malware_or_security": 8,
    "spam_or_fraud": 12,
    "self_harm": 10,
    "violence": 20,
    "no_violation": 40,
}
DEFAULT_MEDIAN_HOURS = 55
REPORTER_OFFSETS = (
    "+00:00",
    "+01:00",
    "+02:00",
    "-05:00",
    "-08:00",
    "+09:00",
    "+05:30",
    "-03:00",
    "+10:00",
    "+08:00",
    "-04:00",
    "+03:00",
)
MODERATOR_OFFSETS = ("+01:00", "+02:00", "-05:00", "+00:00", "-04:00")
COMMENT_PHRASES = (
    "card claims clinical accuracy with no evaluation",
    "looks like a copy of my dataset, no licence given",
    "demo produces slurs when asked about religion",
    "Space is down since yesterday",
    '"free credits" link in the README, probably a scam',
    "pickle file runs code on load",
    "contains names and phone numbers from a forum",
    "images need the not-for-all-audiences tag",
    "repeated abusive replies in this thread",
    "model impersonates a public figure's voice",
    "résumé screening model, no bias analysis",
    "same spam posted in 40 discussions",
    "claims to detect lies from faces; pseudo-science",
    "user keeps harassing maintainers, see thread",
    "dataset scraped from a site that forbids it",
    "loan approval model with no limitations section",
    "election deepfakes in the examples — please check",
    "just test, ignore",
)
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class FlagExport:
    """Paths and counts of the synthetic export. `files` are in month order."""

    directory: Path
    files: tuple[Path, ...]
    csv_files: tuple[Path, ...]
    jsonl_file: Path
    parquet_file: Path
    rows_written: int  # including exact duplicates
    duplicate_rows: int
    snapshot_at: datetime


def months() -> list[tuple[int, int]]:
    year, month = FIRST_MONTH
    result = []
    while (year, month) <= LAST_MONTH:
        result.append((year, month))
        year, month = (year + 1, 1) if month == MONTHS_PER_YEAR else (year, month + 1)
    return result


def _next_month_start(year: int, month: int) -> datetime:
    year, month = (year + 1, 1) if month == MONTHS_PER_YEAR else (year, month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=UTC)
    return start, min(_next_month_start(year, month), SNAPSHOT_AT)


class Weighted:
    """A weighted choice with cumulative weights computed once (it runs ~300k times)."""

    def __init__(self, weights: dict[str, int]):
        self.values = tuple(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random) -> str:
        point = rng.random() * self.cumulative[-1]
        return self.values[bisect.bisect_right(self.cumulative, point)]


def _weighted_table(table: dict[str, dict[str, int]]) -> dict[str, Weighted]:
    return {key: Weighted(weights) for key, weights in table.items()}


_TARGETS = Weighted(TARGET_WEIGHTS)
_REASONS = _weighted_table(REASONS_BY_SOURCE)
_CATEGORIES = _weighted_table(CATEGORIES_BY_REASON)
_ACTIONS = _weighted_table(ACTIONS_BY_CATEGORY)
_DECIDERS_FOR_SCANNED = Weighted({"automated": 60, "hybrid": 25, "human": 15})
_DECIDERS = Weighted({"human": 70, "hybrid": 25, "automated": 5})


@functools.cache
def _zone(offset: str) -> timezone:
    sign = -1 if offset[0] == "-" else 1
    return timezone(timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])) * sign)


def _timestamp(instant: datetime, offset: str) -> str:
    if offset == "Z":
        return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return instant.astimezone(_zone(offset)).isoformat(timespec="seconds")


def _month_volume(rng: random.Random, index: int, year: int, month: int) -> int:
    growth = 300 * 1.032**index
    season = 1 + 0.2 * math.sin(2 * math.pi * (month - 4) / MONTHS_PER_YEAR)
    start, end = _month_bounds(year, month)
    fraction = (end - start) / (_next_month_start(year, month) - start)  # < 1 at the snapshot
    wave = 1.35 if (year, month) == SPAM_WAVE_MONTH else 1.0
    return min(2000, round(growth * season * wave * rng.uniform(0.92, 1.08) * fraction))


@functools.cache
def _sources(year: int, month: int) -> Weighted:
    progress = (year - 2022) + month / MONTHS_PER_YEAR  # automation grows over time
    weights = {
        "community": 70,
        "automated": round(8 + 6 * progress),
        "trusted_flagger": 3 if year < 2024 else 9,
        "staff": 6,
        "authority": 1,
    }
    return Weighted(weights)


def _target_ref(rng: random.Random, target: str) -> str:
    org = f"org-{rng.randrange(1, 400):04d}"
    if target in ("model", "dataset", "space"):
        return f"{target}s/{org}/{target}-{rng.randrange(1, 60):02d}"
    kind = rng.choice(("model", "dataset", "space"))
    repo = f"{kind}s/{org}/{kind}-{rng.randrange(1, 60):02d}"
    if target == "discussion":
        return f"{repo}/discussions/{rng.randrange(1, 300)}"
    if target == "comment":
        return f"{repo}/discussions/{rng.randrange(1, 300)}#comment-{rng.randrange(1, 50)}"
    if target == "collection":
        return f"collections/{org}/collection-{rng.randrange(1, 20)}"
    return f"users/user-{rng.randrange(1, 90000):06d}"


def _reporter(rng: random.Random, source: str) -> str:
    if source == "automated":
        return ""
    if source == "trusted_flagger":
        return f"rep-tf-{rng.randrange(1, 25):03d}"
    if source == "staff":
        return f"rep-staff-{rng.randrange(1, 30):02d}"
    if source == "authority":
        return f"rep-auth-{rng.randrange(1, 8):02d}"
    return f"rep-{rng.randrange(1, 60000):06d}"


def _delay(rng: random.Random, category: str, decided_by: str, received: datetime) -> timedelta:
    median = float(MEDIAN_HOURS.get(category, DEFAULT_MEDIAN_HOURS))
    if decided_by == "automated":
        median /= 6
    if BACKLOG[0] <= received < BACKLOG[1] and decided_by != "automated":
        median *= 7
    elif received >= datetime(2025, 1, 1, tzinfo=UTC):
        median *= 0.7
    hours = min(median * math.exp(rng.gauss(0, 1.1)), 24 * 90)
    return timedelta(hours=max(hours, 0.25), seconds=rng.randrange(60))


def _decided_by(rng: random.Random, source: str, category: str) -> str:
    if source == "automated" and category in ("spam_or_fraud", "malware_or_security"):
        return _DECIDERS_FOR_SCANNED.pick(rng)
    return _DECIDERS.pick(rng)


def _appeal(rng: random.Random, action: str, resolved: datetime) -> tuple[str, str]:
    """Return (appeal, appeal_resolved_at as UTC-instant ISO or "")."""
    rate = 0.2 if action.startswith("account_") else 0.05
    if action == "none" or rng.random() >= rate:
        return "", ""
    filed = resolved + timedelta(hours=72 * math.exp(rng.gauss(0, 0.8)))
    if filed >= SNAPSHOT_AT:
        return "", ""
    decided = filed + timedelta(hours=240 * math.exp(rng.gauss(0, 0.9)))
    if decided >= SNAPSHOT_AT or rng.random() < 0.05:
        return "pending", ""
    outcome = "reversed" if rng.random() < 0.25 else "upheld"
    return outcome, _timestamp(decided, rng.choice(MODERATOR_OFFSETS))


def _flag(
    rng: random.Random,
    flag_id: str,
    received: datetime,
    month: tuple[int, int],
    comment_number: int,
) -> dict[str, str]:
    source = _sources(*month).pick(rng)
    reason = _REASONS[source].pick(rng)
    if month == SPAM_WAVE_MONTH and rng.random() < 0.3:
        source, reason = "community", "spam"
    target = _TARGETS.pick(rng)
    row = dict.fromkeys(SCHEMA_COLUMNS, "")
    row.update(flag_id=flag_id, target_type=target, source=source, reason=reason)
    row["received_at"] = _timestamp(
        received, "Z" if source == "automated" else rng.choice(REPORTER_OFFSETS)
    )
    row["target_ref"] = _target_ref(rng, target)
    row["reporter_id"] = _reporter(rng, source)
    if source != "automated" and rng.random() < 0.6:
        row["comment"] = f"[synthetic {comment_number:06d}] {rng.choice(COMMENT_PHRASES)}"
    category = _CATEGORIES[reason].pick(rng)
    decided_by = _decided_by(rng, source, category)
    resolved = received + _delay(rng, category, decided_by, received)
    if resolved >= SNAPSHOT_AT or rng.random() < 0.002:  # a few flags stall
        return row
    action = _ACTIONS[category].pick(rng)
    action = ACTION_FOR_TARGET.get(target, {}).get(action, action)
    offset = "+00:00" if decided_by == "automated" else rng.choice(MODERATOR_OFFSETS)
    row.update(category=category, action=action, decided_by=decided_by)
    row["resolved_at"] = _timestamp(resolved, offset)
    row["appeal"], row["appeal_resolved_at"] = _appeal(rng, action, resolved)
    if not row["appeal"] and month >= EXPLICIT_NO_APPEAL_FROM:
        row["appeal"] = "none"
    return row


def month_rows(rng: random.Random, index: int, month: tuple[int, int]) -> list[dict[str, str]]:
    start, end = _month_bounds(*month)
    count = _month_volume(rng, index, *month)
    span = int((end - start).total_seconds())
    offsets = sorted(rng.randrange(span) for _ in range(count))
    prefix = f"FL-{month[0]}{month[1]:02d}-"
    return [
        _flag(rng, f"{prefix}{n:05d}", start + timedelta(seconds=s), month, index * 10000 + n)
        for n, s in enumerate(offsets, start=1)
    ]


def _add_duplicates(rng: random.Random, rows: list[dict[str, str]]) -> int:
    """Repeat one or two rows exactly, as a re-run export step would."""
    copies = rng.randint(1, 2)
    for _ in range(copies):
        original = rows[rng.randrange(len(rows))]
        rows.insert(rng.randrange(len(rows) + 1), dict(original))
    return copies


def _write_csv(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([row[c] for c in columns] for row in rows)


def _write_jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    # JSON has a null; empty values are written as null, not "".
    lines = [
        json.dumps({c: row[c] or None for c in SCHEMA_COLUMNS}, ensure_ascii=False) for row in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_parquet(path: Path, rows: list[dict[str, str]]) -> None:
    # Timestamps stay strings: Parquet timestamps would drop the original offset.
    columns = {
        c: pa.array([row[c] or None for row in rows], type=pa.string()) for c in SCHEMA_COLUMNS
    }
    pq.write_table(pa.table(columns), path, compression="snappy")


def write_flag_export(directory: Path) -> FlagExport:
    """Write the monthly files into `directory` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    duplicate_months = set(rng.sample(months()[1:-1], 6))
    files, csv_files = [], []
    written = duplicates = 0
    jsonl_file = directory / f"flags-{JSONL_MONTH[0]}-{JSONL_MONTH[1]:02d}.jsonl"
    parquet_file = directory / f"flags-{PARQUET_MONTH[0]}-{PARQUET_MONTH[1]:02d}.parquet"
    for index, month in enumerate(months()):
        rows = month_rows(rng, index, month)
        if month in duplicate_months or month == JSONL_MONTH:
            duplicates += _add_duplicates(rng, rows)
        if month == JSONL_MONTH:
            path = jsonl_file
            _write_jsonl(path, rows)
        elif month == PARQUET_MONTH:
            path = parquet_file
            _write_parquet(path, rows)
        else:
            path = directory / f"flags-{month[0]}-{month[1]:02d}.csv"
            columns = LATER_COLUMNS if month >= LATER_COLUMNS_FROM else SCHEMA_COLUMNS
            _write_csv(path, rows, columns)
            csv_files.append(path)
        files.append(path)
        written += len(rows)
    return FlagExport(
        directory=directory,
        files=tuple(files),
        csv_files=tuple(csv_files),
        jsonl_file=jsonl_file,
        parquet_file=parquet_file,
        rows_written=written,
        duplicate_rows=duplicates,
        snapshot_at=SNAPSHOT_AT,
    )
