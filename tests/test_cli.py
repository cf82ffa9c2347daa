"""The CLI: exit codes, one-line causes naming the key or slug, seasons, new."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.cli import main
from generator.seasons import next_season_after

from .conftest import write_config

GOOD_BLOCK = "      timezone: America/New_York\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_bad_config_reports_every_key_at_once(tmp_path: Path, capsys) -> None:
    config = write_config(
        tmp_path / "mkdocs.yml",
        "      timezone: Mars/Olympus\n"
        "      privacy_k: 3\n"
        "      colour: blue\n"
        "      charter:\n"
        "        branch: 7\n"
        "        date: yesterday\n",
    )
    code, _, err = run(capsys, "seasons", "2026", "-f", str(config))
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("ERROR")]
    keys = {line.split(": ")[1] for line in lines}
    assert {
        "plugins.newsletter.timezone",
        "plugins.newsletter.privacy_k",
        "plugins.newsletter.charter.branch",
        "plugins.newsletter.charter.date",
    } <= keys
    assert all(str(config) in line for line in lines)
    assert "Mars/Olympus" in err and "at least 5" in err


def test_unknown_key_is_a_warning_not_an_error(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path / "mkdocs.yml", GOOD_BLOCK + "      colour: blue\n")
    code, out, err = run(capsys, "seasons", "2026", "--json", "-f", str(config))
    assert code == 0
    assert len(json.loads(out)) == 4
    # Shown by every command, so a misspelt option does not go unnoticed.
    assert f"{config}: plugins.newsletter.colour: unrecognised option 'colour': ignored" in err


@pytest.mark.parametrize(
    ("block", "key", "expected"),
    [
        ("      spaces:\n        spotlight: -1\n", "spaces.spotlight", "0 or more"),
        ("      feeds:\n        limit: -3\n", "feeds.limit", "0 or more"),
        ("      feeds:\n        tag_authority: x y\n", "feeds.tag_authority", "a comma"),
        ("      data_license: CC BY\n", "data_license", "SPDX"),
    ],
)
def test_counts_and_the_tag_authority_are_checked(
    tmp_path: Path, capsys, block: str, key: str, expected: str
) -> None:
    config = write_config(tmp_path / "mkdocs.yml", GOOD_BLOCK + block)
    code, _, err = run(capsys, "seasons", "2026", "-f", str(config))
    assert code == 1
    assert f"plugins.newsletter.{key}: expected" in err and expected in err


def test_missing_site_url_names_the_key(tmp_path: Path, capsys) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nplugins:\n  - newsletter\n", encoding="utf-8")
    code, _, err = run(capsys, "seasons", "2026", "-f", str(config))
    assert code == 1
    assert f"{config}: site_url: required" in err


def test_missing_config_file(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "seasons", "-f", str(tmp_path / "nope.yml"))
    assert code == 1
    assert "nope.yml" in err and "no such file" in err


def test_seasons_json_for_a_year(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path / "mkdocs.yml", GOOD_BLOCK)
    code, out, _ = run(capsys, "seasons", "2022", "--json", "-f", str(config))
    assert code == 0
    rows = json.loads(out)
    assert [r["slug"] for r in rows] == [
        "2022-march-equinox",
        "2022-june-solstice",
        "2022-september-equinox",
        "2022-december-solstice",
    ]
    september = rows[2]
    assert september["instant"].startswith("2022-09-23T01:03")
    assert september["local_date"] == "2022-09-22"  # New York
    assert september["window_start"] == rows[1]["window_end"]
    assert set(september) == {
        "slug",
        "instant",
        "window_start",
        "window_end",
        "local_date",
        "timezone",
    }


def test_seasons_range(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path / "mkdocs.yml", GOOD_BLOCK)
    code, out, _ = run(
        capsys, "seasons", "--from", "2024", "--to", "2026", "--json", "-f", str(config)
    )
    assert code == 0
    assert len(json.loads(out)) == 12


def test_bad_usage_exits_2(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["seasons", "--from", "soon"])
    assert caught.value.code == 2


def test_new_next_scaffolds_the_coming_issue_and_refuses_to_overwrite(
    tmp_path: Path, capsys
) -> None:
    config = write_config(tmp_path / "mkdocs.yml", GOOD_BLOCK)
    expected = next_season_after(datetime.now(UTC)).slug
    code, _, _ = run(capsys, "new", "--next", "-f", str(config))
    assert code == 0
    issue_md = tmp_path / "issues" / expected / "issue.md"
    assert "status: draft" in issue_md.read_text(encoding="utf-8")
    before = issue_md.read_bytes()
    code, _, err = run(capsys, "new", expected, "-f", str(config))
    assert code == 1 and "refusing to overwrite" in err
    assert issue_md.read_bytes() == before


def test_bad_slug_names_the_slug(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path / "mkdocs.yml", GOOD_BLOCK)
    for command in (["new", "2026-midsummer"], ["collect", "2026-midsummer"]):
        code, _, err = run(capsys, *command, "-f", str(config))
        assert code == 1
        assert len([line for line in err.splitlines() if line.startswith("ERROR")]) == 1
        assert "'2026-midsummer'" in err


def test_collect_unknown_issue_says_how_to_start_it(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path / "mkdocs.yml", GOOD_BLOCK)
    code, _, err = run(capsys, "collect", "2026-june-solstice", "-f", str(config))
    assert code == 1 and "newsletter new 2026-june-solstice" in err


def test_python_dash_m_entry_point_exists() -> None:
    import runpy

    with pytest.raises(SystemExit) as caught:
        runpy.run_module("generator", run_name="__main__", alter_sys=True)
    assert caught.value.code == 2  # no command given: usage error


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("new",), "newsletter new: give a SLUG or --next"),
        (("seasons", "2026", "--from", "2025"), "give YEAR or --from/--to, not both"),
    ],
)
def test_arguments_that_do_not_go_together_exit_2(
    tmp_path: Path, capsys, argv: tuple[str, ...], message: str
) -> None:
    config = write_config(tmp_path / "mkdocs.yml", GOOD_BLOCK)
    code, _, err = run(capsys, *argv, "-f", str(config))
    assert code == 2 and message in err


def test_the_command_leaves_a_build_whole_without_tidying_up(tmp_path: Path) -> None:
    """`newsletter build` ends with os._exit (cli.run): nothing the build wrote may
    be lost to it, neither the log, the site, nor the fragments it kept."""
    import sqlite3
    import subprocess
    import sys

    from generator.collect import collect_issue
    from generator.config import load_settings

    from .publish_support import AFTER_INSTANT, SLUG, make_letter

    config = make_letter(tmp_path, flags=True)
    collect_issue(load_settings(config), SLUG, collected_at=AFTER_INSTANT)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-f", str(config)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.rstrip().endswith("site built in site")  # the last line, flushed
    pages = list((tmp_path / "site").rglob("*.html"))
    assert (tmp_path / "site" / "transparency" / "index.html") in pages
    (database,) = (tmp_path / ".cache").rglob("fragments.sqlite")
    with sqlite3.connect(database) as db:
        kept = {text for (text,) in db.execute("SELECT text FROM fragment")}
    # Each page but the theme's 404 (which no plugin sees): minified, written and kept
    # by the worker, which ended before the command did.
    minified = [p for p in pages if p.name != "404.html"]
    assert minified and all(p.read_text(encoding="utf-8") in kept for p in minified)
    # A failed build leaves the usual way, with its exit status.
    config.write_text("site_name: [unclosed\n")
    failed = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-f", str(config)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert failed.returncode == 1 and "mkdocs.yml" in failed.stderr
