"""Benchmark: collect_charter against `git log --follow -p` on the same repository.

Builds a synthetic repository (10,000 commits, 2,000 of which change the
charter, which is renamed half-way; see `charter_text` for the edits) with
`git fast-import`, then times both side by side: the two alternate, round
after round, so both see the same load on a shared machine, and the best
round of each counts. The goal is a wall-clock ratio of at most 2. The CPU
time (user + system, of Python and of git) is printed too: collection
overlaps its Python work with git's walk, so on an idle machine with two or
more processors its wall-clock time is below its CPU time. Prints figures
only: it never fails on time.

Run: .venv/bin/python bench/bench_charter.py [--commits N] [--charter-commits M]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.sources.charter import collect_charter  # noqa: E402

OLD_PATH = "CHARTER.md"
NEW_PATH = "policy/CHARTER.md"
START = 1_700_000_000
GIT_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
}


def charter_text(version: int) -> str:
    """The charter after `version` changes: 40 sections, growing slowly.

    Like real charter edits, each version rewords one sentence; every 10th
    also adds a sentence, and every 25th only changes whitespace.
    """
    lines = ["# Ethical charter", ""]
    for section in range(40):
        lines += [f"## Principle {section}", ""]
        added = version // 400 + (1 if section < (version // 10) % 40 else 0)
        for sentence in range(4 + added):
            # Sentence s of section k was last reworded by the newest version
            # v <= version with v % 160 == 4k + s (when s < 4).
            slot = section * 4 + sentence
            revision = (version - slot) // 160 + 1 if sentence < 4 and version >= slot else 0
            lines.append(
                f"We hold ourselves to duty {section}.{sentence}, revised {revision} times, "
                "and we say why in the open, with the evidence we relied on."
            )
        lines.append("")
    if version % 25 == 0:
        lines[-2] += " " * (1 + version % 2)  # whitespace-only change
    return "\n".join(lines) + "\n"


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n%s\n" % (len(raw), raw)


def fast_import_stream(commits: int, charter_commits: int) -> bytes:
    every = max(commits // charter_commits, 1)
    parts: list[bytes] = []
    version = 0
    path = OLD_PATH
    for index in range(commits):
        stamp = START + index * 3600
        who = b"Bench Person <bench@example.org> %d +0000\n" % stamp
        parts.append(b"commit refs/heads/main\nmark :%d\n" % (index + 1))
        parts.append(b"author " + who + b"committer " + who)
        touches = index % every == 0 and version < charter_commits
        message = f"Change the charter, version {version}" if touches else f"Work item {index}"
        parts.append(_data(message + "\n\nRationale: benchmark.\n"))
        if index:
            parts.append(b"from :%d\n" % index)
        if touches and version == charter_commits // 2 and path == OLD_PATH:
            parts.append(f"R {OLD_PATH} {NEW_PATH}\n".encode())
            path = NEW_PATH
        elif touches:
            parts.append(f"M 100644 inline {path}\n".encode() + _data(charter_text(version)))
        else:
            parts.append(
                f"M 100644 inline src/module{index % 50}.py\n".encode()
                + _data(f"VALUE = {index}\n")
            )
        if touches:
            version += 1
        parts.append(b"\n")
    return b"".join(parts)


def build_repository(folder: Path, commits: int, charter_commits: int) -> None:
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(folder)], check=True, env=GIT_ENV)
    subprocess.run(
        ["git", "fast-import", "--quiet"],
        cwd=folder,
        input=fast_import_stream(commits, charter_commits),
        check=True,
        env=GIT_ENV,
    )


@dataclass
class Timing:
    wall: float = float("inf")
    cpu: float = float("inf")  # user + system, this process and its children
    python_cpu: float = float("inf")  # user + system, this process only
    git_cpu: float = float("inf")  # user + system, its children only


def _cpu_seconds() -> tuple[float, float]:
    """CPU time so far: (this process, its finished children)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def time_once(action, best: Timing) -> None:
    (began_own, began_children), began = _cpu_seconds(), time.perf_counter()
    action()
    wall = time.perf_counter() - began
    own, children = _cpu_seconds()
    best.wall = min(best.wall, wall)
    best.cpu = min(best.cpu, own - began_own + children - began_children)
    best.python_cpu = min(best.python_cpu, own - began_own)
    best.git_cpu = min(best.git_cpu, children - began_children)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--charter-commits", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        repo = Path(temp) / "repo"
        began = time.perf_counter()
        build_repository(repo, options.commits, options.charter_commits)
        print(
            f"synthetic repository: {options.commits:,} commits, "
            f"{options.charter_commits:,} change the charter (renamed once); "
            f"built in {time.perf_counter() - began:.1f} s"
        )

        def git_log() -> None:
            subprocess.run(
                ["git", "log", "--follow", "-p", "--", NEW_PATH],
                cwd=repo,
                stdout=subprocess.PIPE,
                check=True,
                env=GIT_ENV,
            )

        result: dict = {}

        def collect() -> None:
            result.update(
                collect_charter(
                    str(repo),
                    branch="main",
                    path=NEW_PATH,
                    start=datetime(1970, 1, 2, tzinfo=UTC),
                    end=datetime(2100, 1, 1, tzinfo=UTC),
                    cache_dir=Path(temp) / "cache",
                )
            )

        git, collected = Timing(), Timing()
        for _ in range(options.runs):
            time_once(git_log, git)
            time_once(collect, collected)
        changes = len(result["changes"])
        print(f"git log --follow -p -- {NEW_PATH}: {git.wall:8.3f} s  (CPU {git.cpu:.3f} s)")
        print(
            f"collect_charter (whole history):      {collected.wall:8.3f} s  "
            f"(CPU {collected.cpu:.3f} s; {changes:,} changes)"
        )
        # Python's share runs alongside git's processes; it is the part to
        # keep well under git's own time (per change: the cost of a version).
        print(
            f"  of which Python: CPU {collected.python_cpu:.3f} s "
            f"({collected.python_cpu / max(changes, 1) * 1e6:.0f} us per change), "
            f"git processes: CPU {collected.git_cpu:.3f} s"
        )
        print(
            f"ratio collect / git log: {collected.wall / git.wall:.2f} (goal: at most 2); "
            f"CPU ratio {collected.cpu / git.cpu:.2f}; "
            f"Python CPU / git log CPU {collected.python_cpu / git.cpu:.2f}"
        )


if __name__ == "__main__":
    main()
