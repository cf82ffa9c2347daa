"""Which URLs a page or feed may carry: relative ones, http(s) and mailto.

Text from a source (the charter, a feed, the Hub) is escaped or cleaned
where it is rendered; this is the last line behind that. Every page's HTML,
once its Markdown is converted, goes through `disarm_unsafe_urls`, so a link
that slipped through the charter's Markdown (`javascript:`, `data:`,
`vbscript:`) never reaches a reader, and `newsletter check` reports any that
is still in a built page.
"""

from __future__ import annotations

import html
import re

URL_ATTRIBUTES = ("href", "src", "poster", "cite", "action", "formaction")
SAFE_SCHEMES = ("http", "https", "mailto", "")
UNSAFE_LINK = "#unsafe-link"

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# What browsers ignore inside a URL before they read its scheme.
_IGNORED = re.compile(r"[\s\x00-\x1f\x7f]")
# A start tag, its quoted attribute values allowed to hold `>`.
_TAG = re.compile(r"<[A-Za-z](?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_URL_ATTRIBUTE = re.compile(
    r"(\s(?:xlink:)?(?:" + "|".join((*URL_ATTRIBUTES, "data")) + r")\s*=\s*)"
    r"(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+))",
    re.IGNORECASE,
)


def url_scheme(value: str) -> str:
    """The scheme a browser would read from an attribute value ("" when relative)."""
    cleaned = _IGNORED.sub("", html.unescape(value))
    found = _SCHEME.match(cleaned)
    return found.group(1).lower() if found else ""


def is_safe_url(value: str) -> bool:
    return url_scheme(value) in SAFE_SCHEMES


def _disarm_attribute(match: re.Match[str]) -> str:
    value = next(v for v in match.groups()[1:] if v is not None)
    if is_safe_url(value):
        return match.group(0)
    return f'{match.group(1)}"{UNSAFE_LINK}"'


def _disarm_tag(match: re.Match[str]) -> str:
    return _URL_ATTRIBUTE.sub(_disarm_attribute, match.group(0))


def disarm_unsafe_urls(page_html: str) -> str:
    """`page_html` with every URL attribute of an unsafe scheme replaced by `#unsafe-link`."""
    return _TAG.sub(_disarm_tag, page_html)
