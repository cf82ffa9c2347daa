"""Ethics Spaces from the Hub: live through `huggingface_hub`, or from a snapshot.

Both modes feed the same validation (`space_record`) so that the same Hub
objects give the same section. Only the fields the newsletter shows are kept;
everything from the Hub is untrusted text and is escaped when rendered.

Retries: `HfApi.list_spaces` goes through `huggingface_hub.utils.http_backoff`,
which already retries 408/429/5xx and network errors (5 retries, 1 s doubling
to 8 s, honouring `Retry-After` and `RateLimit` headers), and follows the
`Link: rel="next"` pagination to the end. When it gives up it raises, so a
partial list can never be returned; we turn that into a `NewsletterError`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:  # the client is imported when the Hub is read, not when pages render
    from huggingface_hub import HfApi, SpaceInfo

from ..categories import CATEGORIES, CATEGORY_TITLES
from ..errors import NewsletterError, SourceError, SourceErrors

log = logging.getLogger(__name__)

# The fields `list_spaces` must return for us (`expand` keeps the answer small).
EXPAND_FIELDS = ["cardData", "createdAt", "lastModified", "likes", "private", "disabled", "tags"]
# Hub repo names: ASCII letters, digits, '-', '_', '.', no '--' or '..', at most 96.
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?"
SPACE_ID = re.compile(rf"^{_NAME}/{_NAME}$")
MAX_TITLE = 120
MAX_DESCRIPTION = 280
MAX_EMOJI = 8
MAX_REPORTED_ERRORS = 20


@dataclass(frozen=True)
class SpaceRecord:
    """One Space as the newsletter keeps it (validated, typed, UTC)."""

    id: str
    title: str
    emoji: str | None
    description: str | None
    likes: int
    created: datetime
    modified: datetime | None
    private: bool
    disabled: bool
    tags: frozenset[str] = field(default_factory=frozenset)


def valid_space_id(value: object) -> bool:
    return (
        isinstance(value, str)
        and bool(SPACE_ID.match(value))
        and ".." not in value
        and "--" not in value
    )


def public_base(endpoint: str) -> str:
    """The endpoint as a link base: https only (http allowed on loopback for tests)."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    loopback = host in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise NewsletterError(f"spaces endpoint must be an https URL, got scheme {parts.scheme!r}")
    if not host or parts.query or parts.fragment:
        raise NewsletterError("spaces endpoint must be a plain URL such as https://huggingface.co")
    netloc = host if parts.port is None else f"{host}:{parts.port}"  # drops any user:password@
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def space_url(base: str, space_id: str) -> str:
    return f"{base}/spaces/{space_id}"


# --- validation at the boundary -------------------------------------------------------


def _clean_text(value: object, limit: int) -> str | None:
    """Card text as one line of plain text; None when absent or empty."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    # Control and format characters (bidi overrides, zero-width) are dropped, not shown.
    kept = "".join(
        " " if ch.isspace() else ch for ch in value if unicodedata.category(ch)[0] != "C"
    )
    text = " ".join(kept.split())
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clean_emoji(value: object) -> str | None:
    text = _clean_text(value, MAX_EMOJI + 1)
    if text is None or len(text) > MAX_EMOJI or any(ch.isalnum() for ch in text):
        return None  # an emoji field holding words is ignored rather than shown as a title
    return text


def _timestamp(value: object, name: str, required: bool) -> datetime | None:
    if value is None and not required:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name}: expected an ISO 8601 timestamp, got {value!r}") from None
    else:
        raise ValueError(f"{name}: expected an ISO 8601 timestamp, got {type(value).__name__}")
    if moment.tzinfo is None:
        raise ValueError(f"{name}: timestamp {value!r} has no UTC offset")
    return moment.astimezone(UTC)


def space_record(obj: object) -> SpaceRecord:
    """Validate one Hub Space object (camelCase keys as /api/spaces returns them).

    Raises ValueError('<field>: <what was expected>').
    """
    if not isinstance(obj, Mapping):
        raise ValueError(f"<object>: expected a JSON object, got {type(obj).__name__}")
    space_id = obj.get("id")
    if not valid_space_id(space_id):
        raise ValueError(f"id: expected 'owner/name' (letters, digits, - _ .), got {space_id!r}")
    assert isinstance(space_id, str)
    created = _timestamp(obj.get("createdAt"), "createdAt", required=True)
    assert created is not None
    modified = _timestamp(obj.get("lastModified"), "lastModified", required=False)
    likes = obj.get("likes")
    likes = 0 if likes is None else likes
    if isinstance(likes, bool) or not isinstance(likes, int) or likes < 0:
        raise ValueError(f"likes: expected a whole number >= 0, got {likes!r}")
    flags = {}
    for name in ("private", "disabled"):
        flag = obj.get(name)
        if flag is not None and not isinstance(flag, bool):
            raise ValueError(f"{name}: expected true or false, got {flag!r}")
        flags[name] = bool(flag)
    tags = obj.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError("tags: expected a list of strings")
    card = obj.get("cardData") or {}
    if not isinstance(card, Mapping):
        raise ValueError(f"cardData: expected an object, got {type(card).__name__}")
    return SpaceRecord(
        id=space_id,
        title=_clean_text(card.get("title"), MAX_TITLE) or space_id.split("/", 1)[1],
        emoji=_clean_emoji(card.get("emoji")),
        description=_clean_text(card.get("short_description"), MAX_DESCRIPTION),
        likes=likes,
        created=created,
        modified=modified,
        private=flags["private"],
        disabled=flags["disabled"],
        tags=frozenset(tags),
    )


def _hub_fields(info: SpaceInfo) -> dict[str, Any]:
    """A SpaceInfo back to the API's field names, so both modes validate alike."""
    card = info.card_data.to_dict() if info.card_data is not None else None
    return {
        "id": info.id,
        "createdAt": info.created_at,
        "lastModified": info.last_modified,
        "likes": info.likes,
        "private": info.private,
        "disabled": info.disabled,
        "tags": info.tags,
        "cardData": card,
    }


# --- reading -------------------------------------------------------------------------


@dataclass
class Listing:
    """Spaces per category, plus where they came from."""

    members: dict[str, dict[str, SpaceRecord]]  # category -> id -> record
    provenance: dict[str, Any]


def read_snapshot(path: Path, categories: dict[str, list[str]]) -> Listing:
    """A JSON Lines file of /api/spaces objects; membership from each Space's tags."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise NewsletterError(f"{path}: cannot read the Spaces snapshot: {err.strerror}") from None
    errors: list[SourceError] = []
    records: dict[str, SpaceRecord] = {}
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = space_record(json.loads(line.decode("utf-8")))
        except UnicodeDecodeError:
            errors.append(SourceError(str(path), "not valid UTF-8", line=number))
            continue
        except json.JSONDecodeError as err:
            errors.append(SourceError(str(path), f"not valid JSON: {err.msg}", line=number))
            continue
        except ValueError as err:
            name, _, message = str(err).partition(": ")
            errors.append(SourceError(str(path), message, line=number, field=name))
            continue
        seen = records.get(record.id)
        if seen is not None and seen != record:
            errors.append(
                SourceError(
                    str(path),
                    "a different Space with this id came earlier",
                    line=number,
                    field="id",
                )
            )
        records[record.id] = record
    if errors:
        raise SourceErrors(errors[:MAX_REPORTED_ERRORS], total=len(errors))
    members = {
        category: {r.id: r for r in records.values() if r.tags & set(tags)}
        for category, tags in categories.items()
    }
    provenance = {
        "mode": "snapshot",
        "snapshot": {"file": path.name, "sha256": hashlib.sha256(raw).hexdigest()},
    }
    return Listing(members, provenance)


def _list_tag(api: HfApi, tag: str, endpoint: str) -> list[SpaceInfo]:
    """Every page for one tag, or an error: never a partial list."""
    from huggingface_hub.errors import HfHubHTTPError

    try:
        return list(api.list_spaces(filter=tag, expand=EXPAND_FIELDS))  # type: ignore[arg-type]
    except HfHubHTTPError as err:
        status = err.response.status_code if err.response is not None else "?"
        raise NewsletterError(
            f"{endpoint}: listing Spaces tagged {tag!r} failed with HTTP {status} "
            "after retries; no Spaces were collected"
        ) from None
    except Exception as err:  # network errors (after retries) or an answer not shaped as expected
        raise NewsletterError(
            f"{endpoint}: listing Spaces tagged {tag!r} failed ({type(err).__name__}); "
            "no Spaces were collected"
        ) from err


def read_hub(endpoint: str, token: str | None, categories: dict[str, list[str]]) -> Listing:
    """List each category's tags through the real client; membership from the query."""
    from huggingface_hub import HfApi

    base = public_base(endpoint)
    # token=False: never fall back to a token saved on the build machine.
    api = HfApi(endpoint=base, token=token or False)
    members: dict[str, dict[str, SpaceRecord]] = {}
    for category, tags in categories.items():
        found: dict[str, SpaceRecord] = {}
        for tag in tags:
            for info in _list_tag(api, tag, base):
                try:
                    record = space_record(_hub_fields(info))
                except ValueError as err:
                    name, _, message = str(err).partition(": ")
                    where = f"{base}/api/spaces?filter={tag}"
                    raise SourceError(where, f"Space {info.id!r}: {message}", field=name) from None
                found[record.id] = record
        members[category] = found
        log.info("spaces: %d listed for category %s", len(found), category)
    return Listing(members, {"mode": "api", "endpoint": base})


# --- aggregation (pure) --------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _by_likes(records: Iterable[SpaceRecord]) -> list[SpaceRecord]:
    """Most liked first; ties broken by id so the order never depends on the API."""
    return sorted(records, key=lambda r: (-r.likes, r.id))


def _in_window(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def summarise(
    listing: Listing,
    *,
    base: str,
    start: datetime,
    end: datetime,
    spotlight: int,
    notable: int,
) -> dict[str, Any]:
    """The section: per-category lists of ids, each Space stored once."""
    everyone: dict[str, SpaceRecord] = {}
    for found in listing.members.values():
        everyone.update(found)
    hidden = {i for i, r in everyone.items() if r.private or r.disabled}
    future = {i for i, r in everyone.items() if r.created >= end}
    shown = {i: r for i, r in everyone.items() if i not in hidden and i not in future}

    def is_new(r: SpaceRecord) -> bool:
        return _in_window(r.created, start, end)

    def is_updated(r: SpaceRecord) -> bool:
        return not is_new(r) and _in_window(r.modified, start, end)

    categories = []
    for key in CATEGORIES:
        mine = [r for i, r in listing.members.get(key, {}).items() if i in shown]
        updated = _by_likes(r for r in mine if is_updated(r))
        categories.append(
            {
                "key": key,
                "title": CATEGORY_TITLES[key],
                "count": len(mine),
                "new": [r.id for r in _by_likes(r for r in mine if is_new(r))],
                "updated": [r.id for r in updated[:notable]],
                "updated_count": len(updated),
                "all": [r.id for r in _by_likes(mine)],
            }
        )
    active = [r for r in shown.values() if is_new(r) or is_updated(r)]
    membership = {i: [k for k in CATEGORIES if i in listing.members.get(k, {})] for i in shown}
    spaces = [
        {
            "id": r.id,
            "title": r.title,
            "emoji": r.emoji,
            "description": r.description,
            "likes": r.likes,
            "created": _iso(r.created),
            "modified": _iso(r.modified),
            "categories": membership[r.id],
            "url": space_url(base, r.id),
        }
        for r in sorted(shown.values(), key=lambda r: r.id)
    ]
    return {
        "window": {"start": _iso(start), "end": _iso(end)},
        "spotlight": [r.id for r in _by_likes(active)[:spotlight]],
        "categories": categories,
        "spaces": spaces,
        "totals": {
            "catalogue": len(shown),
            "new": sum(1 for r in shown.values() if is_new(r)),
            "updated": sum(1 for r in shown.values() if is_updated(r)),
            "listed": len(everyone),
            "excluded_private_or_disabled": len(hidden),
            "created_after_window": len(future - hidden),
        },
    }


def collect_spaces(
    *,
    snapshot: Path | None,
    endpoint: str,
    token: str | None,
    categories: dict[str, list[str]],
    start: datetime,
    end: datetime,
    spotlight: int = 3,
    notable: int = 5,
) -> dict:
    """The Spaces section for the window [start, end)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    tags = {key: list(categories.get(key) or [f"ethics-{key}"]) for key in CATEGORIES}
    base = public_base(endpoint)
    listing = read_snapshot(snapshot, tags) if snapshot is not None else read_hub(base, token, tags)
    section = summarise(
        listing, base=base, start=start, end=end, spotlight=spotlight, notable=notable
    )
    section["provenance"] = {
        **listing.provenance,
        "endpoint": base,
        "as_of": _iso(end),
        "tags": tags,
    }
    return section


def render_spaces_section(section: dict, *, tz: str) -> str:
    """The issue's HTML fragment; rendering lives in generator.spaces_pages."""
    from ..spaces_pages import render_spaces_section as render  # that module imports this one

    return render(section, tz=tz)
