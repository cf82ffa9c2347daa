"""Benchmark: building archives of 100 and 400 issues, against a Material blog.

Generates archives with full data sections by cloning the committed sample
issues (prose and data.json) under new slugs, one per equinox and solstice
going back from the newest sample issue, each published with its checksums.
Builds them with our plugin (`newsletter build`), and, side by side in the
same run, builds the same 100 issues' prose as a Material blog (the `blog`
plugin, posts with a date) with mkdocs-rss-plugin: what a MkDocs user would
otherwise pick. Every build runs in a fresh process.

Each archive is built twice per round: cold (no fragment cache, as on a
fresh clone) and again (a rebuild, as after an editor adds or edits an
issue: published issues' sections come from the fragment cache,
generator/fragment_cache.py). The blog is built as often, in the same
rounds as the 100 issues, so that a slow moment of the machine weighs on
both alike. Each side's best time over the rounds counts. Clones share their
sample issue's figures, but nothing is shared between issues in a build:
each issue's sections and charts are drawn, as for an archive whose issues
all differ.

Goals: ours(100) <= blog(100); ours(400) <= 4.5 x ours(100). Prints figures
only: it never fails on time.

Run: .venv/bin/python bench/bench_build.py [--sizes 100 400] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.issuedata import dump_json  # noqa: E402
from generator.issues import load_issues, split_front_matter  # noqa: E402
from generator.seasons import iso_utc, issue_window, previous_season  # noqa: E402

NEWEST = "2026-september-equinox"
BLOG_CONFIG = """\
site_name: Blog benchmark
site_url: https://blog.example.org/
docs_dir: docs
theme:
  name: material
  font: false
plugins:
  - search
  - blog
  - rss:
      match_path: "blog/posts/.*"
      use_git: false
      date_from_meta:
        as_creation: date
"""


def sample_issues() -> list[tuple[str, dict]]:
    """(prose, data) of each committed published sample issue."""
    found = []
    for issue in load_issues(ROOT / "issues", include_drafts=False):
        assert issue.data is not None
        found.append((issue.prose, issue.data))
    return found


def slugs_back_from(newest: str, count: int) -> list[str]:
    season = issue_window(newest).season
    slugs = []
    for _ in range(count):
        slugs.append(season.slug)
        season = previous_season(season)
    return list(reversed(slugs))


def issue_text(slug: str, prose: str, published_at: str, data_sha: str) -> str:
    digest = hashlib.sha256(prose.encode()).hexdigest()
    return (
        f'---\ntitle: "Issue {slug}"\nstatus: published\n'
        f'summary: "The {slug} issue of the benchmark archive."\n'
        f"editors:\n  - Bench Editor\npublished_at: '{published_at}'\n"
        f"data_sha256: {data_sha}\nprose_sha256: {digest}\n---\n{prose}"
    )


def make_archive(dest: Path, count: int, samples: list[tuple[str, dict]]) -> Path:
    """mkdocs.yml + site_src + `count` published issues with full data sections."""
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(ROOT / "site_src", dest / "site_src")
    for n, slug in enumerate(slugs_back_from(NEWEST, count)):
        prose, data = samples[n % len(samples)]
        window = issue_window(slug)
        data = json.loads(json.dumps(data))
        data["issue"] = {
            "slug": slug,
            "instant": iso_utc(window.end),
            "window_start": iso_utc(window.start),
            "window_end": iso_utc(window.end),
        }
        data["provenance"]["collected_at"] = iso_utc(window.end)
        content = dump_json(data)
        folder = dest / "issues" / slug
        folder.mkdir(parents=True)
        (folder / "data.json").write_bytes(content)
        text = issue_text(slug, prose, iso_utc(window.end), hashlib.sha256(content).hexdigest())
        (folder / "issue.md").write_text(text, encoding="utf-8")
    return dest / "mkdocs.yml"


def make_blog(dest: Path, archive: Path) -> Path:
    """The same issues' prose as a Material blog with mkdocs-rss-plugin."""
    posts = dest / "docs" / "blog" / "posts"
    posts.mkdir(parents=True)
    (dest / "docs" / "index.md").write_text("# Blog benchmark\n", encoding="utf-8")
    (dest / "docs" / "blog" / "index.md").write_text("# Blog\n", encoding="utf-8")
    for folder in sorted((archive / "issues").iterdir()):
        text = (folder / "issue.md").read_text(encoding="utf-8")
        meta, prose = split_front_matter(text, folder / "issue.md")
        date = issue_window(folder.name).end.date().isoformat()
        (posts / f"{folder.name}.md").write_text(
            f'---\ndate: {date}\ndescription: "{meta["summary"]}"\n---\n\n'
            f"# {meta['title']}\n\n<!-- more -->\n{prose}",
            encoding="utf-8",
        )
    (dest / "mkdocs.yml").write_text(BLOG_CONFIG, encoding="utf-8")
    return dest / "mkdocs.yml"


def timed(command: list[str], cwd: Path) -> float:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed in {cwd}:\n{result.stderr[-3000:]}")
    return elapsed


def cold_and_rebuild(command: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    """Best cold build (cache emptied first) and best rebuild (cache kept)."""
    cold = rebuild = float("inf")
    for _ in range(runs):
        shutil.rmtree(cwd / ".cache", ignore_errors=True)
        cold = min(cold, timed(command, cwd))
        rebuild = min(rebuild, timed(command, cwd))
    return cold, rebuild


def require_blog_plugins() -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        print(f"mkdocs-rss-plugin {version('mkdocs-rss-plugin')}")
    except PackageNotFoundError:
        sys.exit(
            "bench_build needs mkdocs-rss-plugin for the blog side: "
            ".venv/bin/pip install --no-deps mkdocs-rss-plugin==1.17.3 cachecontrol msgpack"
        )


def compile_generator() -> None:
    """Compile the generator's modules, as installing a package does.

    The blog's plugins were compiled when pip installed them. Ours is an
    editable install, which compiles nothing, and this machine sets
    PYTHONDONTWRITEBYTECODE: without this, every build here would compile the
    generator's modules again, which a build after `pip install` never does.
    """
    import compileall

    compileall.compile_dir(ROOT / "generator", quiet=1)


def main() -> None:
    require_blog_plugins()
    compile_generator()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(100, 400), metavar=("N", "M"))
    parser.add_argument("--runs", type=int, default=3, help="best of this many builds each")
    args = parser.parse_args()
    small, large = args.sizes
    python = sys.executable
    samples = sample_issues()
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        base = Path(tmp)
        commands, folders = {}, {}
        for size in (small, large):
            folders[size] = base / f"ours-{size}"
            folders[size].mkdir()
            config = make_archive(folders[size], size, samples)
            commands[size] = [python, "-m", "generator", "build", "--strict", "-f", str(config)]
        blog = base / "blog"
        blog.mkdir()
        blog_command = [python, "-m", "mkdocs", "build", "-f", str(make_blog(blog, folders[small]))]
        # Round by round, our 100 issues and the blog one after the other, so that
        # a slow moment of the machine weighs on both sides alike.
        cold, rebuild = {small: float("inf")}, {small: float("inf")}
        blog_time = float("inf")
        for _ in range(args.runs):
            one_cold, one_rebuild = cold_and_rebuild(commands[small], folders[small], 1)
            cold[small] = min(cold[small], one_cold)
            rebuild[small] = min(rebuild[small], one_rebuild)
            blog_time = min(blog_time, timed(blog_command, blog), timed(blog_command, blog))
        cold[large], rebuild[large] = cold_and_rebuild(commands[large], folders[large], args.runs)
        for size in (small, large):
            issues = len(list((folders[size] / "site" / "issues").glob("*/index.html")))
            print(
                f"ours({size}): cold {cold[size]:.1f} s, rebuild {rebuild[size]:.1f} s, "
                f"{issues} issue pages"
            )
        posts = len(list((blog / "site" / "blog").rglob("*/index.html")))
        print(f"blog({small}): {blog_time:.1f} s, {posts} blog pages (Material blog + rss)")
    for label, ours in (("cold", cold), ("rebuild", rebuild)):
        print(
            f"{label:8s} ours({small}) / blog({small}) = {ours[small] / blog_time:.2f} (goal <= 1);"
            f"  ours({large}) / ours({small}) = {ours[large] / ours[small]:.2f}"
            f" (goal <= {4.5 * large / small / 4:.2f})"
        )


if __name__ == "__main__":
    main()
