"""`newsletter demo`: the sample newsletter from sample sources, end to end.

The sources are generated deterministically into `sample_sources/` (git-ignored).
Published sample issues are frozen: their committed data.json is kept, and only
issues without data (and drafts) are collected. The demo dates each collection
at the issue's own instant, so regenerating the sample gives the same bytes.
"""

from __future__ import annotations

import logging

from .build import build_site, serve_site
from .collect import collect_issue
from .config import load_settings
from .issues import load_issues
from .sample_sources import generate_sample_sources

log = logging.getLogger(__name__)
SAMPLE_SOURCES = "sample_sources"


def collect_sample(config_file: str | None, *, recollect: bool = False) -> list[str]:
    """Collect every sample issue that lacks data (all of them if `recollect`)."""
    settings = load_settings(config_file)
    collected = []
    for issue in load_issues(settings.issues_dir, include_drafts=True):
        if issue.data is not None and issue.is_published and not recollect:
            continue
        if recollect and issue.data_json.exists():
            issue.data_json.unlink()
        collect_issue(settings, issue.slug, collected_at=issue.window.end, refreeze=recollect)
        collected.append(issue.slug)
    return collected


def run_demo(config_file: str | None, *, serve: bool, dev_addr: str) -> None:
    settings = load_settings(config_file)
    sources = generate_sample_sources(settings.root / SAMPLE_SOURCES)
    log.info("sample sources written to %s", sources.root)
    collected = collect_sample(config_file)
    log.info("collected %d issue(s): %s", len(collected), ", ".join(collected) or "none")
    site = build_site(config_file, strict=True)
    log.info("the sample newsletter is built in %s", site)
    if serve:
        serve_site(config_file, dev_addr=dev_addr)
