"""Ethics Spaces: the real huggingface_hub client against a local Hub-shaped server."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from generator.errors import NewsletterError, SourceError, SourceErrors
from generator.sources.spaces import CATEGORIES, collect_spaces

try:
    from tests.hubserver import HubServer, HubState
except ImportError:  # tests/ itself on sys.path (pytest's default import mode)
    from hubserver import HubServer, HubState  # type: ignore[no-redef]

START = datetime(2026, 6, 21, 8, 24, tzinfo=UTC)
END = datetime(2026, 9, 22, 18, 5, tzinfo=UTC)
BEFORE = "2026-01-10T12:00:00.000Z"
DURING = "2026-07-01T09:30:00.000Z"
AFTER = "2026-10-01T00:00:00.000Z"
TAGS = {key: [f"ethics-{key}"] for key in CATEGORIES}
TOKEN = "hf_localTestTokenDoNotLeak123"
SCHEMA = Path(__file__).parents[1] / "generator" / "schemas" / "section-spaces.json"


def space(space_id, tags, created, modified=None, likes=0, card=None, **extra):
    obj = {
        "_id": "0" * 24,
        "id": space_id,
        "author": space_id.split("/")[0],
        "likes": likes,
        "private": False,
        "disabled": False,
        "createdAt": created,
        "lastModified": modified or created,
        "tags": tags + ["gradio", "region:us"],
        "sdk": "gradio",
    }
    if card is not None:
        obj["cardData"] = card
    obj.update(extra)
    return obj


def card(title, emoji="🧭", description="A short description"):
    return {"title": title, "emoji": emoji, "short_description": description, "sdk": "gradio"}


# Not in id order: ties must be broken by id, not by the API's order.
SPACES = [
    space("bob/consent-ui", ["ethics-consentful"], DURING, likes=10, card=card("Consent UI")),
    space(
        "alice/audit-kit",
        ["ethics-rigorous", "ethics-inclusive"],
        DURING,
        likes=10,
        card=card("Audit kit"),
    ),
    space(
        "carol/green-ml",
        ["ethics-sustainable"],
        BEFORE,
        modified=DURING,
        likes=50,
        card=card("Green ML", emoji="🌱"),
    ),
    space(
        "dan/private-thing",
        ["ethics-rigorous"],
        DURING,
        likes=99,
        private=True,
        card=card("Private"),
    ),
    space(
        "erin/disabled",
        ["ethics-inquisitive"],
        DURING,
        likes=98,
        disabled=True,
        card=card("Disabled"),
    ),
    space("frank/old", ["ethics-inquisitive"], BEFORE, likes=7, card=card("Old one")),
    space("gina/future", ["ethics-rigorous"], AFTER, likes=500, card=card("Future")),
    space("nocard/bare", ["ethics-socially-conscious"], DURING, likes=0),
    space("ivan/unrelated", [], DURING, likes=1000, card=card("Unrelated")),
    space("lee/rigour-3", ["ethics-rigorous"], DURING, likes=4, card=card("Rigour 3")),
    space("kim/rigour-2", ["ethics-rigorous"], DURING, likes=4, card=card("Rigour 2")),
]


def write_snapshot(path: Path, objects: list) -> Path:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), "utf-8")
    return path


@pytest.fixture
def sleeps(monkeypatch):
    """huggingface_hub's backoff sleeps between retries: record them instead."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


def collect_api(url, token=None, **kwargs):
    return collect_spaces(
        snapshot=None, endpoint=url, token=token, categories=TAGS, start=START, end=END, **kwargs
    )


def collect_snapshot(path):
    return collect_spaces(
        snapshot=path,
        endpoint="https://huggingface.co",
        token=None,
        categories=TAGS,
        start=START,
        end=END,
    )


def without_provenance(section: dict) -> dict:
    return {k: v for k, v in section.items() if k != "provenance"}


def test_api_follows_every_page_and_matches_snapshot(tmp_path):
    with HubServer(HubState(spaces=SPACES, page_size=2)) as hub:
        live = collect_api(hub.url)
        requests = hub.api_requests()
        hub.state.page_size = 3  # other page boundaries, same data: same section
        again = collect_api(hub.url)
        snap = collect_spaces(
            snapshot=write_snapshot(tmp_path / "spaces.jsonl", SPACES),
            endpoint=hub.url,
            token=None,
            categories=TAGS,
            start=START,
            end=END,
        )
    rigorous = [r for r in requests if r.query.get("filter") == ["ethics-rigorous"]]
    # 5 rigorous Spaces, 2 a page: three pages, the later ones through the Link header.
    assert [r.query.get("cursor") for r in rigorous] == [None, ["2"], ["4"]]
    assert set(rigorous[0].query["expand"]) >= {"cardData", "createdAt", "likes", "private"}
    assert without_provenance(live) == without_provenance(snap)
    assert json.dumps(live) == json.dumps(again)
    assert live["provenance"]["mode"] == "api"
    assert snap["provenance"]["snapshot"]["file"] == "spaces.jsonl"
    assert len(snap["provenance"]["snapshot"]["sha256"]) == 64
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(live)
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(snap)


def test_section_lists_new_updated_and_spotlight(tmp_path):
    section = collect_spaces(
        snapshot=write_snapshot(tmp_path / "s.jsonl", SPACES),
        endpoint="https://huggingface.co",
        token=None,
        categories=TAGS,
        start=START,
        end=END,
        spotlight=3,
        notable=5,
    )
    by_key = {c["key"]: c for c in section["categories"]}
    assert [c["key"] for c in section["categories"]] == list(CATEGORIES)
    # Ties on likes are broken by id; private, disabled and not-yet-created are left out.
    assert by_key["rigorous"]["new"] == ["alice/audit-kit", "kim/rigour-2", "lee/rigour-3"]
    assert by_key["inclusive"]["new"] == ["alice/audit-kit"]
    assert by_key["sustainable"]["new"] == []
    assert by_key["sustainable"]["updated"] == ["carol/green-ml"]
    assert by_key["inquisitive"] == {
        "key": "inquisitive",
        "title": "Inquisitive",
        "count": 1,
        "new": [],
        "updated": [],
        "updated_count": 0,
        "all": ["frank/old"],
    }
    assert section["spotlight"] == ["carol/green-ml", "alice/audit-kit", "bob/consent-ui"]
    # alice is in two categories but counted once.
    assert section["totals"] == {
        "catalogue": 7,
        "new": 5,
        "updated": 1,
        "listed": 10,
        "excluded_private_or_disabled": 2,
        "created_after_window": 1,
    }
    spaces = {s["id"]: s for s in section["spaces"]}
    assert set(spaces) == {
        "alice/audit-kit",
        "bob/consent-ui",
        "carol/green-ml",
        "frank/old",
        "nocard/bare",
        "kim/rigour-2",
        "lee/rigour-3",
    }
    assert spaces["alice/audit-kit"]["categories"] == ["rigorous", "inclusive"]
    assert spaces["nocard/bare"] == {
        "id": "nocard/bare",
        "title": "bare",
        "emoji": None,
        "description": None,
        "likes": 0,
        "created": "2026-07-01T09:30:00+00:00",
        "modified": "2026-07-01T09:30:00+00:00",
        "categories": ["socially-conscious"],
        "url": "https://huggingface.co/spaces/nocard/bare",
    }


def test_notable_keeps_the_most_liked_updates(tmp_path):
    updated = [
        space(f"u/s{i}", ["ethics-sustainable"], BEFORE, modified=DURING, likes=i) for i in range(8)
    ]
    section = collect_spaces(
        snapshot=write_snapshot(tmp_path / "s.jsonl", updated),
        endpoint="https://hf.co",
        token=None,
        categories=TAGS,
        start=START,
        end=END,
        notable=3,
        spotlight=1,
    )
    sustainable = section["categories"][CATEGORIES.index("sustainable")]
    assert sustainable["updated"] == ["u/s7", "u/s6", "u/s5"]
    assert sustainable["updated_count"] == 8
    assert section["spotlight"] == ["u/s7"]


def test_429_and_500_are_retried_then_succeed(sleeps):
    with HubServer(HubState(spaces=SPACES, fail_next=[429, 500])) as hub:
        section = collect_api(hub.url)
        statuses_served = len(hub.api_requests())
    assert sleeps == [1, 2]  # huggingface_hub's exponential backoff, one wait per failure
    assert section["categories"][0]["new"] == ["alice/audit-kit", "kim/rigour-2", "lee/rigour-3"]
    assert statuses_served > 2


@pytest.mark.parametrize("status", [429, 500, 503])
def test_persistent_failure_is_a_clear_error(sleeps, status):
    with HubServer(HubState(spaces=SPACES, fail_always=status)) as hub:
        with pytest.raises(NewsletterError) as caught:
            collect_api(hub.url)
        tried = len(hub.api_requests())
    message = str(caught.value)
    assert f"HTTP {status}" in message and "ethics-rigorous" in message
    assert "no Spaces were collected" in message
    assert tried == len(sleeps) + 1 == 6  # five retries, then the error
    assert sleeps == sorted(sleeps) and sleeps[0] < sleeps[-1]


def test_failure_on_a_later_page_never_gives_a_partial_list(sleeps):
    with HubServer(HubState(spaces=SPACES, page_size=2, fail_next_pages=502)) as hub:
        with pytest.raises(NewsletterError, match="HTTP 502"):
            collect_api(hub.url)
        assert any("cursor" in r.query for r in hub.api_requests())


def test_token_is_sent_but_never_logged_or_stored(caplog, sleeps):
    caplog.set_level(logging.DEBUG)
    with HubServer(HubState(spaces=SPACES, fail_next=[500])) as hub:
        section = collect_api(hub.url, token=TOKEN)
        headers = [r.headers for r in hub.api_requests()]
    assert all(h.get("authorization") == f"Bearer {TOKEN}" for h in headers)
    assert TOKEN not in json.dumps(section)
    assert TOKEN not in caplog.text


def test_without_token_no_saved_token_is_used(monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_fromTheEnvironmentNotPassed")
    with HubServer(HubState(spaces=SPACES)) as hub:
        collect_api(hub.url, token=None)
        headers = [r.headers for r in hub.api_requests()]
    assert headers and all("authorization" not in h for h in headers)


def test_unreachable_hub_is_a_clear_error(sleeps):
    with HubServer() as hub:
        url = hub.url
    with pytest.raises(NewsletterError, match="no Spaces were collected"):
        collect_api(url)


@pytest.mark.parametrize(
    "endpoint", ["javascript:alert(1)", "http://example.org", "ftp://hub", "https://hub/?q=1"]
)
def test_endpoint_must_be_https(tmp_path, endpoint):
    with pytest.raises(NewsletterError, match="endpoint"):
        collect_spaces(
            snapshot=write_snapshot(tmp_path / "s.jsonl", SPACES),
            endpoint=endpoint,
            token=None,
            categories=TAGS,
            start=START,
            end=END,
        )


def test_endpoint_credentials_are_dropped(tmp_path):
    section = collect_spaces(
        snapshot=write_snapshot(tmp_path / "s.jsonl", SPACES[:1]),
        endpoint="https://user:secret@hub.example/",
        token=None,
        categories=TAGS,
        start=START,
        end=END,
    )
    assert "secret" not in json.dumps(section)
    assert section["spaces"][0]["url"] == "https://hub.example/spaces/bob/consent-ui"


def test_url_field_in_the_data_is_ignored(tmp_path):
    hostile = space(
        "mal/ware",
        ["ethics-rigorous"],
        DURING,
        url="javascript:alert(1)",
        host="https://evil.example",
    )
    section = collect_snapshot(write_snapshot(tmp_path / "s.jsonl", [hostile]))
    assert section["spaces"][0]["url"] == "https://huggingface.co/spaces/mal/ware"


def test_snapshot_errors_name_file_line_and_field(tmp_path):
    lines = [
        json.dumps(SPACES[0]),
        "{not json",
        json.dumps({**SPACES[1], "id": "../../etc/passwd"}),
        json.dumps({k: v for k, v in SPACES[2].items() if k != "createdAt"}),
        json.dumps({**SPACES[5], "createdAt": "2026-01-01T00:00:00"}),
        "",
        json.dumps({**SPACES[6], "likes": -3}),
        json.dumps({**SPACES[7], "private": "no"}),
        json.dumps([1, 2]),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(SourceErrors) as caught:
        collect_snapshot(path)
    found = [(e.path, e.line, e.field) for e in caught.value.errors]
    assert found == [
        (str(path), 2, None),
        (str(path), 3, "id"),
        (str(path), 4, "createdAt"),
        (str(path), 5, "createdAt"),
        (str(path), 7, "likes"),
        (str(path), 8, "private"),
        (str(path), 9, "<object>"),
    ]
    assert "no UTC offset" in str(caught.value)


def test_conflicting_duplicate_in_snapshot_is_an_error(tmp_path):
    path = write_snapshot(tmp_path / "d.jsonl", [SPACES[0], SPACES[0], {**SPACES[0], "likes": 1}])
    with pytest.raises(SourceErrors) as caught:
        collect_snapshot(path)
    assert [(e.line, e.field) for e in caught.value.errors] == [(3, "id")]


def test_missing_snapshot_file_is_a_clear_error(tmp_path):
    with pytest.raises(NewsletterError, match="missing.jsonl"):
        collect_snapshot(tmp_path / "missing.jsonl")


def test_custom_category_tags(tmp_path):
    tags = {**TAGS, "rigorous": ["audits", "ethics-rigorous"]}
    objects = [space("x/audit", ["audits"], DURING, likes=2)]
    with HubServer(HubState(spaces=objects)) as hub:
        live = collect_spaces(
            snapshot=None, endpoint=hub.url, token=None, categories=tags, start=START, end=END
        )
        asked = {r.query["filter"][0] for r in hub.api_requests()}
    assert {"audits", "ethics-rigorous", "ethics-inquisitive"} <= asked
    assert live["categories"][0]["new"] == ["x/audit"]
    assert live["provenance"]["tags"]["rigorous"] == ["audits", "ethics-rigorous"]


def test_api_object_missing_a_field_is_a_clear_error():
    broken = {k: v for k, v in SPACES[1].items() if k != "createdAt"}
    with HubServer(HubState(spaces=[broken])) as hub:
        with pytest.raises(SourceError) as caught:
            collect_api(hub.url)
    assert caught.value.field == "createdAt"
    assert "alice/audit-kit" in str(caught.value) and "ethics-rigorous" in caught.value.path


def test_snapshot_line_not_utf8(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(SPACES[0]).encode() + b"\n" + b'{"id": "caf\xe9/x"}\n')
    with pytest.raises(SourceErrors) as caught:
        collect_snapshot(path)
    assert [(e.line, e.detail) for e in caught.value.errors] == [(2, "not valid UTF-8")]
