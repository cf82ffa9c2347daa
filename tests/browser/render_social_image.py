"""Render site_src/pages/assets/social.svg to social.png (1200x630) with Chromium.

Run after editing the SVG: `.venv/bin/python -m tests.browser.render_social_image`.
Social networks do not accept SVG cards, so the PNG is committed beside its source.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.chromium import launch_options

ASSETS = Path(__file__).resolve().parents[2] / "site_src" / "pages" / "assets"


def render() -> Path:
    svg = (ASSETS / "social.svg").read_text(encoding="utf-8")
    target = ASSETS / "social.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        page = browser.new_page(viewport={"width": 1200, "height": 630})
        page.set_content(f"<body style='margin:0'>{svg}</body>")
        page.locator("svg").screenshot(path=str(target))
        browser.close()
    return target


if __name__ == "__main__":
    print(render())
