"""`newsletter check`: validate a built site before it is deployed.

Every problem is collected (not just the first), each naming the file:
internal links and anchors that resolve to nothing, links of an unsafe scheme
(`javascript:`, `data:`), feeds that do not parse,
drafts that leaked into a feed or the archive, published issues changed
without a correction, and any private value of the flag export (target_ref,
reporter_id, comment) found in any file of the site.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html

from .config import Settings, load_settings
from .issues import Issue, load_issues
from .publish import integrity_problems
from .urls import SAFE_SCHEMES, url_scheme

log = logging.getLogger(__name__)

LINK_ATTRIBUTES = (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"))
PRIVATE_COLUMNS = ("target_ref", "reporter_id", "comment")
MIN_PRIVATE_LENGTH = 6  # shorter values ("spam", "n/a") say nothing about anyone
ALNUM_RUN = re.compile(r"[A-Za-z0-9]{3,}")
FEEDS = ("feed.xml", "atom.xml", "charter/atom.xml")
BASE = "http://site.invalid/"


@dataclass
class SiteTree:
    root: Path
    ids: dict[Path, set[str]] = field(default_factory=dict)

    def html_files(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))

    def target_file(self, url_path: str) -> Path | None:
        """The file a site-relative URL path serves, or None."""
        candidate = self.root / unquote(url_path)
        if url_path == "" or url_path.endswith("/"):
            candidate = candidate / "index.html"
        elif candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def anchors(self, path: Path) -> set[str]:
        if path not in self.ids:
            document = lxml.html.fromstring(path.read_bytes())
            self.ids[path] = {e.get("id") for e in document.iter() if e.get("id")} | {
                e.get("name") for e in document.iter("a") if e.get("name")
            }
        return self.ids[path]


def link_problems(tree: SiteTree) -> list[str]:
    problems = []
    for page in tree.html_files():
        page_url = BASE + page.relative_to(tree.root).as_posix()
        document = lxml.html.fromstring(page.read_bytes())
        for tag, attribute in LINK_ATTRIBUTES:
            for element in document.iter(tag):
                value = (element.get(attribute) or "").strip()
                problem = check_link(tree, page, page_url, value)
                if problem:
                    problems.append(f"{page.relative_to(tree.root)}: {problem}")
    return problems


def check_link(tree: SiteTree, page: Path, page_url: str, value: str) -> str | None:
    if not value:
        return None
    scheme = url_scheme(value)
    if scheme not in SAFE_SCHEMES:
        return f"a link with the unsafe scheme '{scheme}:' (allowed: http, https, mailto, relative)"
    parts = urlsplit(urljoin(page_url, value))
    if f"{parts.scheme}://{parts.netloc}/" != BASE:
        return None  # external, or another scheme (mailto:): not part of this site
    target = tree.target_file(parts.path.lstrip("/"))
    if target is None:
        return f"link {value!r} points to nothing in the site"
    if parts.fragment and target.suffix == ".html":
        if unquote(parts.fragment) not in tree.anchors(target):
            return f"link {value!r}: no element with id {parts.fragment!r} in {target.name}"
    return None


def parse_feed(path: Path) -> Any:
    import feedparser

    # Content is our own HTML: sanitising it would only cost time.
    return feedparser.parse(path.read_bytes(), sanitize_html=False, resolve_relative_uris=False)


def feed_problems(site: Path, parsed_feeds: dict[str, Any]) -> list[str]:
    problems = []
    for name in FEEDS:
        path = site / name
        if not path.exists():
            if name != "charter/atom.xml":
                problems.append(f"{name}: missing")
            continue
        parsed = parsed_feeds[name] = parse_feed(path)
        if parsed.bozo:
            problems.append(f"{name}: does not parse: {parsed.bozo_exception}")
    path = site / "feed.json"
    try:
        feed = json.loads(path.read_text(encoding="utf-8"))
        if not str(feed.get("version", "")).startswith("https://jsonfeed.org/version/"):
            problems.append("feed.json: not a JSON Feed (no version)")
    except FileNotFoundError:
        problems.append("feed.json: missing")
    except json.JSONDecodeError as exc:
        problems.append(f"feed.json:{exc.lineno}: not valid JSON: {exc.msg}")
    return problems


def feed_links(site: Path, parsed_feeds: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for name in ("feed.xml", "atom.xml"):
        if name in parsed_feeds:
            for entry in parsed_feeds[name].entries:
                found.update({entry.get("link", ""), entry.get("id", "")})
    if (site / "feed.json").exists():
        try:
            items = json.loads((site / "feed.json").read_text(encoding="utf-8"))["items"]
            found.update(str(item.get(k, "")) for item in items for k in ("id", "url"))
        except (json.JSONDecodeError, KeyError, TypeError):
            pass  # reported by feed_problems
    return found


def draft_problems(site: Path, drafts: list[Issue], parsed_feeds: dict[str, Any]) -> list[str]:
    problems = []
    links = feed_links(site, parsed_feeds)
    archive = site / "issues" / "index.html"
    archive_links: set[str] = set()
    if archive.exists():
        document = lxml.html.fromstring(archive.read_bytes())
        archive_links = {a.get("href", "") for a in document.iter("a")}
    for draft in drafts:
        slug = draft.slug
        if any(slug in link for link in links):
            problems.append(f"feeds: draft {slug} appears in a feed")
        if any(slug in link for link in archive_links):
            problems.append(f"issues/index.html: the archive links to draft {slug}")
        if (site / "issues" / slug).exists():
            problems.append(f"issues/{slug}/: a page was built for draft {slug}")
        if (site / "data" / f"{slug}.json").exists():
            problems.append(f"data/{slug}.json: draft data is offered for download")
    return problems


def private_values(settings: Settings) -> tuple[set[str], list[str]]:
    """Distinct values of the flag export's private columns, and any problem reading it."""
    patterns = list(settings.options.flags.paths)
    if not patterns:
        return set(), []
    import duckdb

    from .errors import SourceError
    from .sources.flags import resolve_patterns

    try:
        files = resolve_patterns(patterns, settings.root)
    except SourceError as err:
        return set(), [f"flag export: {err}: cannot scan the site for private values"]
    values: set[str] = set()
    problems = []
    con = duckdb.connect()
    for path in files:
        try:
            values.update(_private_values_of(con, path))
        except duckdb.Error:
            # DuckDB's message may quote a line of the file, private columns and
            # all: it is never shown. `newsletter collect` says what is wrong.
            problems.append(
                f"flag export {path.name}: cannot be read to scan the site for its private "
                "values (run `newsletter collect` for the exact error)"
            )
    return {v for v in values if len(v) >= MIN_PRIVATE_LENGTH}, problems


def _private_values_of(con: object, path: Path) -> set[str]:
    quoted = "'" + str(path).replace("'", "''") + "'"
    if path.suffix == ".parquet":
        source = f"read_parquet({quoted})"
    elif path.suffix in (".jsonl", ".ndjson"):
        source = f"read_json({quoted}, format='newline_delimited', sample_size=-1)"
    else:
        source = f"read_csv({quoted}, all_varchar=true, header=true)"
    columns = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}  # type: ignore[attr-defined]
    found: set[str] = set()
    for column in PRIVATE_COLUMNS:
        if column in columns:
            rows = con.execute(  # type: ignore[attr-defined]
                f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM {source} '
                f'WHERE "{column}" IS NOT NULL'
            ).fetchall()
            found.update(str(row[0]).strip() for row in rows)
    return found


class ValueScanner:
    """Finds any of many values in text, where the value's runs of letters and digits
    stand whole (rep-000421 is another reporter than rep-00042). Each value is indexed
    by one of its runs; only values whose run occurs in the text are searched for."""

    def __init__(self, values: Iterable[str]) -> None:
        runs_of = {value: set(ALNUM_RUN.findall(value)) for value in values}
        frequency = Counter(run for runs in runs_of.values() for run in runs)
        self.index: dict[str, list[str]] = {}
        for value, runs in runs_of.items():
            if runs:
                # The run fewest values share, so a common word in a page (which
                # many free-text values contain) does not make every value a candidate.
                key = min(runs, key=lambda run: (frequency[run], -len(run), run))
                self.index.setdefault(key, []).append(value)

    def find(self, text: str) -> set[str]:
        runs = set(ALNUM_RUN.findall(text)) & self.index.keys()
        return {value for run in runs for value in self.index[run] if value in text}


def site_texts(site: Path) -> Iterable[tuple[Path, str]]:
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        yield path, raw.decode("utf-8", errors="replace")


def interior_runs(value: str) -> list[str]:
    """Runs of letters and digits that neither start nor end `value`: wherever the
    value occurs in a text, these occur there as whole runs too."""
    return [m.group() for m in ALNUM_RUN.finditer(value) if 0 < m.start() and m.end() < len(value)]


def privacy_problems(site: Path, values: set[str]) -> list[str]:
    if not values:
        return []
    texts = list(site_texts(site))
    vocabulary: set[str] = set()
    for _, text in texts:
        vocabulary.update(ALNUM_RUN.findall(text))
    # A value with an interior run the site never contains cannot occur in it.
    possible = {v for v in values if all(run in vocabulary for run in interior_runs(v))}
    scanner = ValueScanner(possible)
    problems = []
    for path, text in texts:
        leaked = scanner.find(text)
        if leaked:
            # Count the values, never print them: the report itself must not leak.
            problems.append(
                f"{path.relative_to(site)}: {len(leaked)} private value(s) from the flag "
                "export appear in this file"
            )
    return problems


def check_site(config_file: str | None, *, site_dir: str | None = None) -> list[str]:
    """Every problem found in the built site; empty when it may be deployed."""
    from mkdocs.config import load_config

    settings = load_settings(config_file)
    site = Path(site_dir or load_config(str(settings.config_file)).site_dir).resolve()
    if not (site / "index.html").is_file():
        return [f"{site}: no built site here (run `newsletter build` first)"]
    everything = load_issues(settings.issues_dir, include_drafts=True, with_data=False)
    problems = link_problems(SiteTree(site))
    parsed_feeds: dict[str, Any] = {}
    problems += feed_problems(site, parsed_feeds)
    drafts = [i for i in everything if not i.is_published]
    problems += draft_problems(site, drafts, parsed_feeds)
    for issue in everything:
        problems += integrity_problems(issue)
    values, reading = private_values(settings)
    problems += reading + privacy_problems(site, values)
    return problems
