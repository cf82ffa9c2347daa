"""The reading list: entries from RSS/Atom feeds published in the issue's window.

Feeds come from a URL (fetched conditionally, with ETag and Last-Modified
kept in a cache) or from a file. feedparser reads them. Entry text is
untrusted: titles become plain text, summaries are sanitised with nh3 (an
allow-list sanitiser) at collect time and again at render time, and only
absolute http(s) links survive.

A feed that cannot be fetched or parsed is reported by name in a warning and
in the section; the other feeds are still collected (unless strict).
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import html
import json
import logging
import os
import re
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import nh3
from markupsafe import Markup

from ..errors import NewsletterError
from ..templating import make_environment

log = logging.getLogger(__name__)

USER_AGENT = "ethics-newsletter-reading-list/1 (+feedparser)"
TIMEOUT_SECONDS = 20
MAX_FEED_BYTES = 10 * 1024 * 1024
MAX_TITLE = 300
MAX_SUMMARY_TEXT = 600
# Query parameters that carry secrets are never written to provenance.
SECRET_PARAMS = re.compile(r"token|key|secret|password|passwd|auth|sig|session", re.I)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "em", "i",
    "li", "ol", "p", "q", "strong", "sub", "sup", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}


@dataclass
class FeedSource:
    """One configured feed: exactly one of url or path."""

    name: str
    url: str | None = None
    path: Path | None = None
    tags: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


class FeedFailure(Exception):
    """This feed could not be read; the message is safe to publish."""


# --- untrusted text ------------------------------------------------------------------


def is_web_link(value: object) -> bool:
    """An absolute http(s) URL with a host, no credentials, no control characters."""
    if not isinstance(value, str) or any(ord(ch) < 33 or ch == "\x7f" for ch in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "@" not in parts.netloc


def _href_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "href":
        return value if is_web_link(value) else None
    return value


def sanitise_html(fragment: str) -> str:
    """Allow-listed tags and attributes only; links must be absolute http(s)."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        attribute_filter=_href_filter,
        link_rel="nofollow noopener noreferrer",
    )


def plain_text(fragment: object, limit: int) -> str:
    """Markup removed (script content too), entities decoded, one line, capped."""
    if not isinstance(fragment, str):
        return ""
    text = html.unescape(nh3.clean(fragment, tags=set()))
    text = " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def public_url(url: str) -> str:
    """The URL for provenance and logs: no user:password@, no secret query values."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, "REDACTED" if SECRET_PARAMS.search(k) else v) for k, v in query]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(kept), ""))


# --- fetching ------------------------------------------------------------------------


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class FeedCache:
    """The last good copy of a feed and its validators (<hash of URL>.body and .json)."""

    directory: Path
    url: str

    @property
    def _stem(self) -> Path:
        return self.directory / hashlib.sha256(self.url.encode()).hexdigest()[:32]

    def load(self) -> tuple[bytes, dict[str, str]] | None:
        try:
            body = self._stem.with_suffix(".body").read_bytes()
            validators = json.loads(self._stem.with_suffix(".json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return body, {k: v for k, v in validators.items() if isinstance(v, str)}

    def store(self, body: bytes, validators: dict[str, str]) -> None:
        _write_atomically(self._stem.with_suffix(".body"), body)
        _write_atomically(self._stem.with_suffix(".json"), json.dumps(validators).encode())


def _request(url: str, cached: dict[str, str] | None) -> urllib.request.Request:
    parts = urlsplit(url)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/atom+xml, application/rss+xml, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"}  # fmt: skip
    if parts.username is not None:  # user:password@ in the URL becomes Basic auth
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    if cached:
        if "etag" in cached:
            headers["If-None-Match"] = cached["etag"]
        if "last_modified" in cached:
            headers["If-Modified-Since"] = cached["last_modified"]
    clean = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return urllib.request.Request(clean, headers=headers)


class _CarefulRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only, and never carry credentials to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        target = urlsplit(newurl)
        if target.scheme not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, "redirect to a non-web URL", headers, fp)
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and target.hostname != urlsplit(req.full_url).hostname:
            new.remove_header("Authorization")
        return new


def fetch_url(url: str, cache_dir: Path) -> bytes:
    """The feed's bytes: fresh (200) or, when not modified (304), from the cache."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedFailure("the feed URL is not an http(s) URL")
    cache = FeedCache(cache_dir, url)
    cached = cache.load()
    request = _request(url, cached[1] if cached else None)
    try:
        opener = urllib.request.build_opener(_CarefulRedirects)
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_FEED_BYTES + 1)
            headers = response.headers
    except urllib.error.HTTPError as err:
        if err.code == 304 and cached is not None:
            log.info("reading: %s not modified, using the cached copy", public_url(url))
            return cached[0]
        raise FeedFailure(f"HTTP {err.code}") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise FeedFailure(f"unreachable ({type(reason).__name__})") from None
    if len(body) > MAX_FEED_BYTES:
        raise FeedFailure(f"larger than {MAX_FEED_BYTES} bytes")
    validators = {}
    if headers.get("ETag"):
        validators["etag"] = headers["ETag"]
    if headers.get("Last-Modified"):
        validators["last_modified"] = headers["Last-Modified"]
    cache.store(body, validators)
    return body


def read_document(feed: FeedSource, cache_dir: Path) -> tuple[bytes, dict[str, Any]]:
    """The feed's bytes and how to name its source in provenance."""
    if feed.url is not None:
        return fetch_url(feed.url, cache_dir), {"url": public_url(feed.url)}
    if feed.path is None:
        raise FeedFailure("neither a URL nor a file is configured")
    try:
        body = Path(feed.path).read_bytes()
    except OSError as err:
        raise FeedFailure(f"cannot read file {Path(feed.path).name} ({err.strerror})") from None
    return body, {"file": Path(feed.path).name}


def parse_feed(body: bytes, base_url: str | None) -> Any:
    import feedparser  # when feeds are read, not when pages render

    headers = {"content-location": base_url} if base_url else {}
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    # Wrong declared encoding or content type are common and harmless; bad XML is not.
    benign = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    broken = parsed.get("bozo") and not isinstance(parsed.get("bozo_exception"), benign)
    if broken or not parsed.get("version"):
        problem = type(parsed.get("bozo_exception")).__name__ if broken else "unknown format"
        raise FeedFailure(f"not a well-formed RSS or Atom feed ({problem})")
    return parsed


# --- entries -------------------------------------------------------------------------


def _published(entry: Any) -> datetime | None:
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    if moment is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(moment), tz=UTC)


def _matches(entry: Any, feed: FeedSource) -> bool:
    """No tags or keywords configured: everything. Otherwise any tag or any keyword."""
    if not feed.tags and not feed.keywords:
        return True
    terms = {str(t.get("term", "")).casefold() for t in entry.get("tags", [])}
    if terms & {t.casefold() for t in feed.tags}:
        return True
    text = plain_text(entry.get("title"), 10_000) + " " + plain_text(_summary(entry), 100_000)
    folded = text.casefold()
    return any(k.casefold() in folded for k in feed.keywords)


def _summary(entry: Any) -> str:
    if entry.get("summary"):
        return str(entry["summary"])
    content = entry.get("content") or []
    return str(content[0].get("value", "")) if content else ""


def _summary_html(entry: Any) -> str | None:
    raw = _summary(entry)
    if plain_text(raw, MAX_SUMMARY_TEXT + 1) == "":
        return None
    text = plain_text(raw, MAX_SUMMARY_TEXT)
    if text.endswith("…"):  # too long to keep its markup: a plain excerpt instead
        return html.escape(text, quote=False)
    return sanitise_html(raw).strip()


@dataclass
class FeedTally:
    """Every entry read is accounted for."""

    read: int = 0
    kept: int = 0
    outside_window: int = 0
    filtered_out: int = 0
    undated: int = 0
    duplicates: int = 0
    links_dropped: int = 0


def feed_entries(
    parsed: Any, feed: FeedSource, start: datetime, end: datetime, seen: set[str]
) -> tuple[list[dict[str, Any]], FeedTally]:
    tally = FeedTally()
    kept = []
    for entry in parsed.entries:
        tally.read += 1
        published = _published(entry)
        if published is None:
            tally.undated += 1
            continue
        if not start <= published < end:
            tally.outside_window += 1
            continue
        if not _matches(entry, feed):
            tally.filtered_out += 1
            continue
        link = entry.get("link")
        if link is not None and not is_web_link(link):
            tally.links_dropped += 1
            link = None
        title = plain_text(entry.get("title"), MAX_TITLE) or None
        key = link or str(entry.get("id") or f"{feed.name}|{title}|{published.isoformat()}")
        if key in seen:
            tally.duplicates += 1
            continue
        seen.add(key)
        tally.kept += 1
        kept.append(
            {
                "feed": feed.name,
                "title": title,
                "url": link,
                "published": published.isoformat(),
                "summary_html": _summary_html(entry),
            }
        )
    return kept, tally


def collect_reading(
    feeds: list[FeedSource],
    *,
    start: datetime,
    end: datetime,
    cache_dir: Path,
    strict: bool = False,
) -> dict:
    """The reading-list section for the window [start, end)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    entries: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    failed: list[dict[str, str]] = []
    seen: set[str] = set()
    for feed in feeds:
        origin: dict[str, Any] = {"name": feed.name}
        try:
            body, where = read_document(feed, cache_dir)
            origin.update(where, sha256=hashlib.sha256(body).hexdigest())
            parsed = parse_feed(body, feed.url and public_url(feed.url))
        except FeedFailure as problem:
            if feed.url is not None:
                origin.setdefault("url", public_url(feed.url))
            elif feed.path is not None:
                origin.setdefault("file", Path(feed.path).name)
            log.warning("reading: feed %r could not be read: %s", feed.name, problem)
            failed.append({"name": feed.name, "reason": str(problem)})
            sources.append({**origin, "status": "failed", "error": str(problem)})
            continue
        kept, tally = feed_entries(parsed, feed, start, end, seen)
        entries.extend(kept)
        sources.append({**origin, "status": "ok", "entries": vars(tally)})
    if failed and strict:
        names = ", ".join(f"{f['name']!r} ({f['reason']})" for f in failed)
        raise NewsletterError(f"reading list: feeds could not be read: {names}")
    entries.sort(key=lambda e: (_desc(e["published"]), e["feed"], e["title"] or "", e["url"] or ""))
    return {
        "window": {
            "start": start.astimezone(UTC).isoformat(),
            "end": end.astimezone(UTC).isoformat(),
        },
        "entries": entries,
        "failed": failed,
        "provenance": {"feeds": sources},
    }


def _desc(iso: str) -> float:
    return -datetime.fromisoformat(iso).timestamp()


# --- rendering -----------------------------------------------------------------------


def _entry_view(entry: dict[str, Any]) -> dict[str, Any]:
    summary = entry.get("summary_html")
    return {
        "feed": str(entry.get("feed", "")),
        "title": entry.get("title") or "Untitled entry",
        "href": entry["url"] if is_web_link(entry.get("url")) else None,
        "published": entry["published"],
        # Sanitised again: data.json is public and may have been edited by hand.
        "summary": Markup(sanitise_html(summary)) if isinstance(summary, str) else None,
    }


def render_reading_section(section: dict, *, tz: str) -> str:
    """The HTML fragment for an issue page."""
    template = make_environment().get_template("sections/reading.html.j2")
    return template.render(
        tz=tz,
        entries=[_entry_view(e) for e in section["entries"]],
        failed=[str(f.get("name", "")) for f in section.get("failed", [])],
    )
