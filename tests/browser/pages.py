"""What the browser tests visit and how they watch a page load."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from generator.config import load_settings
from generator.issues import load_issues

from ..conftest import REPO


def latest_sample_issue() -> Any:
    issues = load_issues(load_settings(REPO / "mkdocs.yml").issues_dir, include_drafts=False)
    return [i for i in issues if i.is_published][-1]


def reader_pages() -> dict[str, str]:
    """The pages the issue names: page type -> path under the site root."""
    return {
        "home": "",
        "archive": "issues/",
        "issue": f"issues/{latest_sample_issue().slug}/",
        "charter": "charter/",
        "transparency": "transparency/",
        "spaces": "spaces/",
        "subscribe": "subscribe/",
    }


@dataclass
class LoadWatch:
    """Console errors, page errors, failed or third-party requests seen on one page."""

    host: str
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("request", self._request)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _failed(self, request: Any) -> None:
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _request(self, request: Any) -> None:
        self.requests.append(request.url)
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.hostname != self.host:
            self.problems.append(f"third-party request: {request.url}")
