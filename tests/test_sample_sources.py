"""The sample sources: deterministic, valid, and shaped like the real inputs.

The schema checks here are written from ../shared/schemas/flags-v1.md on
purpose, not imported from the generator or the reader, so that a mistake in
either cannot hide itself.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import statistics
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import git
import pyarrow.parquet as pq
import pytest
from huggingface_hub import SpaceInfo

from generator.errors import NewsletterError
from generator.sample_sources import SampleSources, generate_sample_sources

# --- the flags-v1 contract, restated ---------------------------------------
COLUMNS = [
    "flag_id", "received_at", "target_type", "source", "reason", "resolved_at", "category",
    "action", "decided_by", "appeal", "appeal_resolved_at", "target_ref", "reporter_id", "comment",
]  # fmt: skip
REQUIRED = {"flag_id", "received_at", "target_type", "source", "reason"}
ENUMS = {
    "target_type": {"model", "dataset", "space", "discussion", "comment", "collection", "user"},
    "source": {"community", "trusted_flagger", "automated", "staff", "authority"},
    "reason": {
        "ethical_issue", "legal_issue", "not_working", "spam", "illegal_or_restricted", "other",
    },
    "category": {
        "hate_or_discrimination", "harassment_or_bullying", "violence", "self_harm",
        "child_safety", "adult_content_untagged", "privacy_pii", "intellectual_property",
        "misinformation", "high_risk_use", "malware_or_security", "spam_or_fraud", "other",
        "no_violation",
    },
    "action": {
        "none", "nfaa_tag_added", "card_updated", "gated", "unranked", "interaction_restricted",
        "disabled", "removed", "account_suspended", "account_terminated",
    },
    "decided_by": {"human", "automated", "hybrid"},
    "appeal": {"none", "pending", "upheld", "reversed"},
}  # fmt: skip
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
TIMESTAMPS = ("received_at", "resolved_at", "appeal_resolved_at")
# Equinox and solstice dates (UTC) from published almanac tables; commits and
# flags used here are never within a day of them, so dates are enough.
SEASON_ENDS = [
    "2022-06-21", "2022-09-23", "2022-12-21", "2023-03-20", "2023-06-21", "2023-09-23",
    "2023-12-22", "2024-03-20", "2024-06-20", "2024-09-22", "2024-12-21", "2025-03-20",
    "2025-06-21", "2025-09-22", "2025-12-21", "2026-03-20", "2026-06-21", "2026-09-23",
]  # fmt: skip
ETHICS_TAGS = {
    f"ethics-{v}"
    for v in (
        "rigorous", "consentful", "socially-conscious", "sustainable", "inclusive", "inquisitive"
    )
}  # fmt: skip


def _day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


WINDOWS = [(_day(a), _day(b)) for a, b in zip(SEASON_ENDS, SEASON_ENDS[1:], strict=False)]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleSources:
    return generate_sample_sources(tmp_path_factory.mktemp("first") / "sample_sources")


@pytest.fixture(scope="module")
def flag_rows(sample: SampleSources) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sample.flag_files:
        rows.extend(_read_flags(path))
    return rows


def _read_flags(path: Path) -> list[dict[str, str]]:
    """Rows as text, empty values as "" whatever the format."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    if path.suffix == ".jsonl":
        lines = path.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]
    else:
        records = pq.read_table(path).to_pylist()
    return [{k: "" if v is None else v for k, v in r.items()} for r in records]


def _tree_digest(root: Path) -> dict[str, str]:
    """SHA-256 of every file, except git's own index and logs (they hold mtimes)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


# --- determinism -----------------------------------------------------------


def test_generating_twice_gives_identical_bytes_and_commits(
    sample: SampleSources, tmp_path: Path
) -> None:
    # The second run goes over an earlier sample folder holding a stale file.
    dest = tmp_path / "sample_sources"
    (dest / "flags").mkdir(parents=True)
    (dest / ".sample-sources").write_text("from an older run\n", encoding="utf-8")
    (dest / "flags" / "flags-1999-01.csv").write_text("stale\n", encoding="utf-8")
    again = generate_sample_sources(dest)
    assert _tree_digest(again.root) == _tree_digest(sample.root)
    assert len(_tree_digest(sample.root)) > 60
    first, second = git.Repo(sample.charter_repo), git.Repo(again.charter_repo)
    assert first.head.commit.hexsha == second.head.commit.hexsha == sample.charter_head
    assert first.git.rev_list("--all") == second.git.rev_list("--all")


def test_refuses_to_delete_a_folder_it_did_not_make(tmp_path: Path) -> None:
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "keep.md").write_text("mine", encoding="utf-8")
    with pytest.raises(NewsletterError, match="not a sample sources folder"):
        generate_sample_sources(precious)
    assert (precious / "keep.md").read_text(encoding="utf-8") == "mine"


# --- flags -----------------------------------------------------------------


def test_flag_files_cover_every_month_in_three_formats(sample: SampleSources) -> None:
    names = [p.name for p in sample.flag_files]
    assert names[0] == "flags-2022-04.csv" and names[-1].startswith("flags-2026-11")
    assert len(names) == 56 and len(set(names)) == 56
    assert Counter(p.suffix for p in sample.flag_files) == {".csv": 54, ".jsonl": 1, ".parquet": 1}
    assert sample.flag_jsonl in sample.flag_files and sample.flag_parquet in sample.flag_files


def test_first_csv_has_columns_in_schema_order(sample: SampleSources) -> None:
    with sample.flag_files[0].open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == COLUMNS


def test_every_file_has_exactly_the_schema_columns(sample: SampleSources) -> None:
    for path in sample.flag_files:
        rows = _read_flags(path)
        assert rows, path.name
        assert set(rows[0]) == set(COLUMNS), path.name


def test_flag_values_are_valid(flag_rows: list[dict[str, str]]) -> None:
    for row in flag_rows:
        for column in REQUIRED:
            assert row[column], (row["flag_id"], column)
        for column, allowed in ENUMS.items():
            assert row[column] == "" or row[column] in allowed, (row["flag_id"], column)
        for column in TIMESTAMPS:
            assert row[column] == "" or RFC3339.match(row[column]), (row["flag_id"], column)


def test_resolution_and_appeals_are_consistent(flag_rows: list[dict[str, str]]) -> None:
    for row in flag_rows:
        decision = (row["category"], row["action"], row["decided_by"])
        if row["resolved_at"]:
            assert all(decision), row["flag_id"]
            assert _parse(row["resolved_at"]) >= _parse(row["received_at"])
        else:
            assert decision == ("", "", "") and row["appeal"] in ("", "none"), row["flag_id"]
        if row["category"] == "no_violation":
            assert row["action"] == "none"
        if row["appeal"] in ("upheld", "reversed"):
            assert _parse(row["appeal_resolved_at"]) >= _parse(row["resolved_at"])
        else:
            assert row["appeal_resolved_at"] == "", row["flag_id"]


def test_flag_ids_are_unique_apart_from_exact_duplicates(
    sample: SampleSources, flag_rows: list[dict[str, str]]
) -> None:
    distinct = {tuple(row[c] for c in COLUMNS) for row in flag_rows}
    assert len({row["flag_id"] for row in flag_rows}) == len(distinct)
    assert len(flag_rows) - len(distinct) == sample.flag_duplicate_rows >= 5
    assert len(flag_rows) == sample.flag_rows_written


def test_every_enum_value_and_several_offsets_occur(flag_rows: list[dict[str, str]]) -> None:
    for column, allowed in ENUMS.items():
        seen = {row[column] for row in flag_rows} - {""}
        assert seen == allowed, column
    offsets = {RFC3339.match(row["received_at"]).group(2) for row in flag_rows}  # type: ignore[union-attr]
    assert {"Z", "+00:00", "-05:00", "+09:00", "+05:30"} <= offsets


def test_volumes_grow_and_vary_by_month(flag_rows: list[dict[str, str]]) -> None:
    per_month = Counter(row["flag_id"][3:9] for row in flag_rows)
    full_months = [n for month, n in sorted(per_month.items()) if month != "202611"]
    assert 200 <= min(full_months) and max(full_months) <= 2100
    assert statistics.mean(full_months[-12:]) > 2.5 * statistics.mean(full_months[:12])
    year_2023 = full_months[9:21]
    assert max(year_2023) > 1.2 * min(year_2023)  # seasonal variation


def test_some_flags_are_pending_at_every_close_and_a_backlog_builds(
    flag_rows: list[dict[str, str]],
) -> None:
    received = [_parse(r["received_at"]) for r in flag_rows]
    resolved = [_parse(r["resolved_at"]) if r["resolved_at"] else None for r in flag_rows]
    pending = []
    for _, end in WINDOWS:
        pending.append(
            sum(
                1
                for a, b in zip(received, resolved, strict=True)
                if a < end and (b is None or b >= end)
            )
        )
    assert min(pending) > 0
    backlog = pending[SEASON_ENDS.index("2024-09-22") - 1]
    assert backlog == max(pending) and backlog > 2 * statistics.median(pending)


def test_appeals_have_every_outcome(flag_rows: list[dict[str, str]]) -> None:
    outcomes = Counter(row["appeal"] for row in flag_rows)
    assert outcomes["upheld"] > outcomes["reversed"] > outcomes["pending"] > 0


def test_private_columns_hold_obviously_synthetic_values(flag_rows: list[dict[str, str]]) -> None:
    for row in flag_rows:
        assert re.fullmatch(r"(models|datasets|spaces|collections|users)/\S+", row["target_ref"])
        assert row["reporter_id"] == "" or row["reporter_id"].startswith("rep-")
        assert row["comment"] == "" or re.match(r"\[synthetic \d{6}\] ", row["comment"])
    assert sum(1 for row in flag_rows if row["comment"]) > 1000


# --- Spaces ----------------------------------------------------------------


def test_spaces_snapshot_looks_like_the_hub_api(sample: SampleSources) -> None:
    spaces = [json.loads(line) for line in sample.spaces.read_text(encoding="utf-8").splitlines()]
    assert 100 <= len(spaces) <= 140
    assert len({s["id"] for s in spaces}) == len(spaces)
    for space in spaces:
        info = SpaceInfo(**space)  # the real client's parser accepts every object
        assert info.id == f"{space['author']}/{info.id.split('/')[1]}"
        assert info.created_at is not None and info.last_modified is not None
        assert datetime(2022, 3, 1, tzinfo=UTC) <= info.created_at <= info.last_modified
        assert info.last_modified < datetime(2026, 11, 21, tzinfo=UTC)
        assert space["lastModified"].endswith("Z") and space["createdAt"].endswith("Z")
    tagged = [s for s in spaces if ETHICS_TAGS & set(s["tags"])]
    assert len(tagged) >= 0.9 * len(spaces)
    assert {t for s in spaces for t in s["tags"]} >= ETHICS_TAGS
    assert 0 < sum(s["private"] for s in spaces) < 10
    assert 0 < sum(s["disabled"] for s in spaces) < 10
    for key in ("title", "emoji", "short_description"):
        missing = sum(1 for s in spaces if key not in s["cardData"])
        assert 0 < missing < len(spaces) / 2, key
    years = Counter(s["createdAt"][:4] for s in spaces)
    assert set(years) == {"2022", "2023", "2024", "2025", "2026"}


# --- feeds -----------------------------------------------------------------


@pytest.mark.parametrize(("attr", "version"), [("blog_feed", "atom10"), ("papers_feed", "rss20")])
def test_feeds_are_valid_and_span_the_years(sample: SampleSources, attr: str, version: str) -> None:
    feed = feedparser.parse(str(getattr(sample, attr)))
    assert feed.bozo == 0 and feed.version == version
    assert 35 <= len(feed.entries) <= 45
    years = {entry.published_parsed.tm_year for entry in feed.entries}
    assert years == {2022, 2023, 2024, 2025, 2026}
    for entry in feed.entries:
        assert entry.title and entry.link and entry.summary and entry.tags
    assert len({entry.title for entry in feed.entries}) == len(feed.entries)


def test_blog_entries_carry_html_content(sample: SampleSources) -> None:
    feed = feedparser.parse(str(sample.blog_feed))
    for entry in feed.entries:
        assert entry.content[0].type == "text/html"
        assert "<p>" in entry.content[0].value


# --- charter ---------------------------------------------------------------


@pytest.fixture(scope="module")
def charter(sample: SampleSources) -> git.Repo:
    return git.Repo(sample.charter_repo)


def test_charter_history_has_many_authored_commits(charter: git.Repo) -> None:
    commits = list(charter.iter_commits("main"))
    assert 30 <= len(commits) <= 45
    assert len({c.author.email for c in commits}) >= 4
    assert charter.active_branch.name == "main" and [b.name for b in charter.branches] == ["main"]
    assert any(c.authored_datetime != c.committed_datetime for c in commits)
    assert min(c.committed_datetime for c in commits).year == 2022
    latest = max(c.committed_datetime for c in commits)
    assert (latest.year, latest.month) == (2026, 11)


def test_charter_has_one_merge_and_one_rename(charter: git.Repo, sample: SampleSources) -> None:
    merges = [c for c in charter.iter_commits("main") if len(c.parents) == 2]
    assert len(merges) == 1
    log = charter.git.log("--follow", "--name-status", "--format=", "--", sample.charter_path)
    renames = [line.split("\t") for line in log.splitlines() if line.startswith("R")]
    assert [r[1:] for r in renames] == [["CHARTER.md", "charter/CHARTER.md"]]


def test_charter_commits_carry_reasons_in_trailers(charter: git.Repo) -> None:
    commits = list(charter.iter_commits("main"))
    kinds: Counter[str] = Counter()
    for commit in commits:
        trailers = commit.trailers_dict
        kind = trailers.get("Change-Type", ["(none)"])[0]
        kinds[kind] += 1
        if kind != "(none)":
            assert kind in ("material", "editorial") and trailers["Rationale"][0]
        for date in trailers.get("Effective-Date", []):
            datetime.strptime(date, "%Y-%m-%d")
        assert "\n\n" in commit.message or kind == "(none)"  # subject, then a body
    assert kinds["material"] > 20 and kinds["editorial"] >= 2 and 3 <= kinds["(none)"] <= 12


def test_some_commits_touch_only_the_readme(charter: git.Repo) -> None:
    readme_only = [
        c
        for c in charter.iter_commits("main", no_merges=True)
        if set(c.stats.files) == {"README.md"}
    ]
    assert len(readme_only) >= 3


def test_most_seasons_change_the_charter_and_a_couple_do_not(
    charter: git.Repo, sample: SampleSources
) -> None:
    touched = [
        c.committed_datetime
        for c in charter.iter_commits("main", paths=[sample.charter_path, "CHARTER.md"])
    ]
    per_window = [sum(1 for t in touched if start <= t < end) for start, end in WINDOWS]
    quiet = sum(1 for n in per_window if n == 0)
    assert 1 <= quiet <= 3 and len(per_window) == 17


def test_charter_text_has_the_six_values_and_the_commitments(sample: SampleSources) -> None:
    text = (sample.charter_repo / sample.charter_path).read_text(encoding="utf-8")
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings[:1] == ["Scope"]
    for name in (
        "Rigorous", "Consentful", "Socially conscious", "Sustainable", "Inclusive", "Inquisitive",
        "Content policy principles", "Transparency commitments", "How this charter changes",
    ):  # fmt: skip
        assert name in headings
    assert not any(line.startswith("### ") for line in text.splitlines())
    assert not any(line != line.rstrip() for line in text.splitlines())
