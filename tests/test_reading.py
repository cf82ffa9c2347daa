"""Reading list: feedparser on real XML, feeds served on 127.0.0.1 with ETag and 304."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from generator.errors import NewsletterError
from generator.sources.reading import FeedSource, collect_reading

try:
    from tests.hubserver import HubServer, HubState
except ImportError:  # tests/ itself on sys.path (pytest's default import mode)
    from hubserver import HubServer, HubState  # type: ignore[no-redef]

START = datetime(2026, 6, 21, 8, 24, tzinfo=UTC)
END = datetime(2026, 9, 22, 18, 5, tzinfo=UTC)
SCHEMA = Path(__file__).parents[1] / "generator" / "schemas" / "section-reading.json"
RSS_TYPE = "application/rss+xml"


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>Team blog</title><link>https://blog.example/</link><description>d</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def item(title, link, date=None, categories=(), description=""):
    parts = [f"<title>{title}</title>", f"<link>{link}</link>"]
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    parts += [f"<category>{c}</category>" for c in categories]
    if description:
        parts.append(f"<description><![CDATA[{description}]]></description>")
    return "<item>" + "".join(parts) + "</item>"


BLOG = rss(
    item(
        "Auditing a model",
        "https://blog.example/audit",
        "Wed, 01 Jul 2026 10:00:00 +0200",
        ["ethics"],
        "<p>We <em>audited</em> it. <a href='https://ok.example/r'>Report</a></p>",
    ),
    item(
        "On consent",
        "https://blog.example/consent",
        "Fri, 14 Aug 2026 09:00:00 GMT",
        [],
        "Why Consent matters.",
    ),
    item("Cake recipes", "https://blog.example/cake", "Sat, 15 Aug 2026 09:00:00 GMT", ["food"]),
    item("Old news", "https://blog.example/old", "Mon, 01 Jun 2026 09:00:00 GMT", ["ethics"]),
    item(
        "Exactly at the end",
        "https://blog.example/end",
        "Tue, 22 Sep 2026 18:05:00 GMT",
        ["ethics"],
    ),
    item("No date", "https://blog.example/nodate", None, ["ethics"]),
)

PAPERS_ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Papers</title><id>urn:papers</id><updated>2026-09-01T00:00:00Z</updated>
  <entry><title>Data statements, revisited</title><id>urn:p1</id>
    <link href="https://papers.example/p1"/><published>2026-09-01T12:00:00Z</published>
    <updated>2026-09-01T12:00:00Z</updated>
    <content type="html">&lt;p&gt;Long &lt;strong&gt;content&lt;/strong&gt;&lt;/p&gt;</content>
  </entry>
  <entry><title>Same as the blog</title><id>urn:p2</id>
    <link href="https://blog.example/audit"/><updated>2026-07-02T00:00:00Z</updated></entry>
</feed>
"""


def blog_feed(url: str, **kwargs) -> FeedSource:
    return FeedSource(name="Team blog", url=f"{url}/blog.xml", **kwargs)


def test_entries_in_window_filtered_by_tag_or_keyword(tmp_path):
    papers = tmp_path / "papers.atom"
    papers.write_bytes(PAPERS_ATOM)
    with HubServer(HubState(files={"/blog.xml": (BLOG, RSS_TYPE)})) as hub:
        section = collect_reading(
            [
                blog_feed(hub.url, tags=["Ethics"], keywords=["consent"]),
                FeedSource(name="Papers", path=papers),
            ],
            start=START,
            end=END,
            cache_dir=tmp_path / "cache",
        )
    assert [(e["feed"], e["title"]) for e in section["entries"]] == [
        ("Papers", "Data statements, revisited"),
        ("Team blog", "On consent"),
        ("Team blog", "Auditing a model"),
    ]
    audit = section["entries"][2]
    assert audit["published"] == "2026-07-01T08:00:00+00:00"
    assert audit["url"] == "https://blog.example/audit"
    blog, paper = section["provenance"]["feeds"]
    assert blog["entries"] == {
        "read": 6,
        "kept": 2,
        "outside_window": 2,
        "filtered_out": 1,
        "undated": 1,
        "duplicates": 0,
        "links_dropped": 0,
    }
    assert paper["file"] == "papers.atom" and paper["entries"]["duplicates"] == 1
    assert section["failed"] == []
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(section)


def test_no_filter_keeps_every_entry_in_the_window(tmp_path):
    with HubServer(HubState(files={"/blog.xml": (BLOG, RSS_TYPE)})) as hub:
        section = collect_reading([blog_feed(hub.url)], start=START, end=END, cache_dir=tmp_path)
    assert [e["title"] for e in section["entries"]] == [
        "Cake recipes",
        "On consent",
        "Auditing a model",
    ]


def test_conditional_fetch_uses_etag_and_cache(tmp_path):
    cache = tmp_path / "cache"
    with HubServer(HubState(files={"/blog.xml": (BLOG, RSS_TYPE)})) as hub:
        first = collect_reading([blog_feed(hub.url)], start=START, end=END, cache_dir=cache)
        second = collect_reading([blog_feed(hub.url)], start=START, end=END, cache_dir=cache)
        one, two = hub.state.requests
    assert "if-none-match" not in one.headers and one.status == 200
    assert two.headers["if-none-match"].startswith('"')
    assert two.headers["if-modified-since"].endswith("GMT")
    assert two.status == 304  # no body sent: the entries came from the cache
    assert first == second
    assert len(list(cache.glob("*.body"))) == 1


def test_changed_feed_is_fetched_again(tmp_path):
    cache = tmp_path / "cache"
    state = HubState(files={"/blog.xml": (BLOG, RSS_TYPE)})
    with HubServer(state) as hub:
        collect_reading([blog_feed(hub.url)], start=START, end=END, cache_dir=cache)
        state.files["/blog.xml"] = (
            rss(item("Fresh", "https://b.example/f", "Sat, 01 Aug 2026 00:00:00 GMT")),
            RSS_TYPE,
        )
        section = collect_reading([blog_feed(hub.url)], start=START, end=END, cache_dir=cache)
        assert state.requests[-1].status == 200
    assert [e["title"] for e in section["entries"]] == ["Fresh"]


def test_broken_feeds_warn_by_name_and_others_are_still_collected(tmp_path, caplog):
    bad_file = tmp_path / "broken.xml"
    bad_file.write_bytes(b"<rss><channel><item><title>unclosed")
    with HubServer() as dead:
        dead_url = dead.url
    with HubServer(
        HubState(files={"/blog.xml": (BLOG, RSS_TYPE), "/html": (b"<html><body>Oops", "text/html")})
    ) as hub:
        feeds = [
            FeedSource(name="Missing", url=f"{hub.url}/nothing.xml"),
            FeedSource(name="Down", url=f"{dead_url}/feed.xml"),
            FeedSource(name="Malformed", path=bad_file),
            FeedSource(name="Not a feed", url=f"{hub.url}/html"),
            FeedSource(name="Absent file", path=tmp_path / "nope.xml"),
            blog_feed(hub.url),
        ]
        with caplog.at_level(logging.WARNING):
            section = collect_reading(feeds, start=START, end=END, cache_dir=tmp_path / "c")
    assert len(section["entries"]) == 3
    assert [f["name"] for f in section["failed"]] == [
        "Missing",
        "Down",
        "Malformed",
        "Not a feed",
        "Absent file",
    ]
    assert section["failed"][0]["reason"] == "HTTP 404"
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    for name in ("Missing", "Down", "Malformed", "Not a feed", "Absent file"):
        assert any(repr(name) in message for message in warned), name
    statuses = [f["status"] for f in section["provenance"]["feeds"]]
    assert statuses == ["failed"] * 5 + ["ok"]
    assert str(tmp_path) not in json.dumps(section)  # no local paths in public data
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(section)


def test_strict_turns_a_broken_feed_into_an_error(tmp_path):
    with HubServer(HubState(files={"/blog.xml": (BLOG, RSS_TYPE)})) as hub:
        feeds = [blog_feed(hub.url), FeedSource(name="Gone", url=f"{hub.url}/gone.xml")]
        with pytest.raises(NewsletterError, match="'Gone' \\(HTTP 404\\)"):
            collect_reading(feeds, start=START, end=END, cache_dir=tmp_path, strict=True)


def test_credentials_are_used_but_never_published(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with HubServer(HubState(files={"/private.xml": (BLOG, RSS_TYPE)})) as hub:
        host = hub.url.removeprefix("http://")
        feed = FeedSource(
            name="Private", url=f"http://reader:s3cret@{host}/private.xml?token=t0k&x=1"
        )
        section = collect_reading([feed], start=START, end=END, cache_dir=tmp_path)
        request = hub.state.requests[0]
    assert request.headers["authorization"] == "Basic cmVhZGVyOnMzY3JldA=="
    assert request.query == {"token": ["t0k"], "x": ["1"]}
    text = json.dumps(section)
    assert "s3cret" not in text and "t0k" not in text and "reader" not in text
    assert section["provenance"]["feeds"][0]["url"] == (
        f"http://{host}/private.xml?token=REDACTED&x=1"
    )
    assert "s3cret" not in caplog.text and "t0k" not in caplog.text


def test_same_input_same_section(tmp_path):
    papers = tmp_path / "papers.atom"
    papers.write_bytes(PAPERS_ATOM)
    feeds = [FeedSource(name="Papers", path=papers)]
    one = collect_reading(feeds, start=START, end=END, cache_dir=tmp_path / "a")
    two = collect_reading(feeds, start=START, end=END, cache_dir=tmp_path / "b")
    assert json.dumps(one) == json.dumps(two)


def test_credentials_are_not_carried_to_another_host_on_redirect(tmp_path):
    with HubServer(HubState(files={"/blog.xml": (BLOG, RSS_TYPE)})) as target:
        # 127.0.0.1 and localhost are different hosts to the client.
        elsewhere = target.url.replace("127.0.0.1", "localhost") + "/blog.xml"
        with HubServer(HubState(redirects={"/feed": elsewhere})) as origin:
            host = origin.url.removeprefix("http://")
            feed = FeedSource(name="Moved", url=f"http://reader:s3cret@{host}/feed")
            section = collect_reading([feed], start=START, end=END, cache_dir=tmp_path)
            assert origin.state.requests[0].headers["authorization"].startswith("Basic ")
        assert target.state.requests and all(
            "authorization" not in r.headers for r in target.state.requests
        )
    assert len(section["entries"]) == 3 and section["failed"] == []


def test_redirect_to_a_non_web_url_is_a_failure(tmp_path):
    with HubServer(HubState(redirects={"/feed": "file:///etc/passwd"})) as hub:
        section = collect_reading(
            [FeedSource(name="Sneaky", url=f"{hub.url}/feed")],
            start=START,
            end=END,
            cache_dir=tmp_path,
        )
    assert section["failed"] == [{"name": "Sneaky", "reason": "HTTP 302"}]
