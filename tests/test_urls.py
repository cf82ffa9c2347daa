"""The last line behind escaping: URL attributes of an unsafe scheme, however written."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from generator.urls import UNSAFE_LINK, disarm_unsafe_urls, is_safe_url


@pytest.mark.parametrize(
    "html",
    [
        '<a href="javascript:alert(1)">x</a>',
        "<a HREF='JavaScript:alert(1)'>x</a>",
        "<a href=javascript:alert(1)>x</a>",
        '<a title="a > b" href="java&#x09;script:alert(1)">x</a>',
        '<a href="javascript&colon;alert(1)">x</a>',
        '<a href="\x01 javascript:alert(1)">x</a>',
        '<img alt="" src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;">',
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
        '<object data="vbscript:msgbox(1)"></object>',
        '<form action="javascript:alert(1)"><button formaction="javascript:x">b</button></form>',
    ],
)
def test_every_unsafe_url_attribute_is_disarmed(html: str) -> None:
    soup = BeautifulSoup(disarm_unsafe_urls(html), "html.parser")
    values = [
        value
        for tag in soup.find_all(True)
        for name, value in tag.attrs.items()
        if name in {"href", "src", "xlink:href", "data", "action", "formaction"}
    ]
    assert values and all(v == UNSAFE_LINK for v in values)


@pytest.mark.parametrize(
    "url",
    ["https://example.org/a?b=1", "http://x", "mailto:team@example.org", "../issues/", "#top", ""],
)
def test_safe_urls_are_left_as_they_are(url: str) -> None:
    html = f'<p><a class="x" href="{url}">link</a> and <img src="{url}" alt=""></p>'
    assert is_safe_url(url)
    assert disarm_unsafe_urls(html) == html
