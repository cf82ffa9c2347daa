"""Sharing metadata: OpenGraph and Twitter cards, and a canonical URL, on the built site."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from generator.config import load_settings
from generator.issues import load_issues

from .browser.served import built_sample_site
from .conftest import REPO


@pytest.fixture(scope="module")
def site() -> Path:
    return built_sample_site()


def head_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").head


def meta(head: BeautifulSoup, key: str) -> str:
    tag = head.find("meta", attrs={"property": key}) or head.find("meta", attrs={"name": key})
    assert tag is not None, f"missing <meta> {key}"
    return str(tag["content"])


def published_issues() -> list:
    settings = load_settings(REPO / "mkdocs.yml")
    return [i for i in load_issues(settings.issues_dir, include_drafts=False) if i.is_published]


def test_every_issue_has_open_graph_and_twitter_cards(site: Path) -> None:
    settings = load_settings(REPO / "mkdocs.yml")
    for issue in published_issues():
        head = head_of(site / "issues" / issue.slug / "index.html")
        url = f"{settings.site_url}issues/{issue.slug}/"
        assert head.find("link", rel="canonical")["href"] == url
        assert meta(head, "og:type") == "article"
        assert meta(head, "og:url") == url
        assert meta(head, "og:title") == issue.meta.title
        assert meta(head, "og:description") == issue.meta.summary
        assert meta(head, "article:published_time") == issue.window.end.isoformat()
        assert meta(head, "og:image") == f"{settings.site_url}assets/social.png"
        assert meta(head, "og:image:alt")
        assert meta(head, "twitter:card") == "summary_large_image"
        assert meta(head, "twitter:title") == issue.meta.title
        assert meta(head, "twitter:description") == issue.meta.summary
        assert meta(head, "twitter:image") == meta(head, "og:image")


def test_other_pages_are_websites_with_the_site_description(site: Path) -> None:
    settings = load_settings(REPO / "mkdocs.yml")
    for page in ("index.html", "issues/index.html", "charter/index.html", "subscribe/index.html"):
        head = head_of(site / page)
        assert meta(head, "og:type") == "website"
        assert meta(head, "og:description") == settings.site_description
        assert head.find("meta", attrs={"property": "article:published_time"}) is None
        assert meta(head, "og:url") == head.find("link", rel="canonical")["href"]


def test_social_image_is_a_1200_by_630_png_on_the_site(site: Path) -> None:
    with Image.open(site / "assets" / "social.png") as image:
        assert image.format == "PNG" and image.size == (1200, 630)


def test_feed_autodiscovery_links_are_kept(site: Path) -> None:
    head = head_of(site / "issues" / published_issues()[-1].slug / "index.html")
    types = {link["type"] for link in head.find_all("link", rel="alternate")}
    assert {"application/rss+xml", "application/atom+xml", "application/feed+json"} <= types
