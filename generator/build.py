"""Build and serve through MkDocs, with atomic output.

The build writes into a temporary folder beside the target and swaps it into
place only on success, so a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mkdocs.exceptions import Abort, ConfigurationError
from mkdocs.utils import CountHandler

from .config import Settings, load_settings
from .errors import NewsletterError
from .issues import Issue, load_issues

log = logging.getLogger(__name__)


def _mkdocs_config(config_file: str | None, **overrides: object) -> object:
    from mkdocs.config import load_config

    load_settings(config_file)  # our own, clearer messages for the newsletter block first
    try:
        return load_config(config_file or None, **overrides)  # type: ignore[arg-type]
    except (Abort, ConfigurationError) as err:
        raise NewsletterError(f"{config_file or 'mkdocs.yml'}: {err}") from None


RENAME_EXCHANGE = 2  # linux/fs.h: swap two paths atomically


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths with renameat2(2); False where the system lacks it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), RENAME_EXCHANGE)
    return bool(result == 0)


def swap_into_place(built: Path, target: Path) -> None:
    """Replace `target` with `built`. Readers see the old tree or the new, never none:
    the two are exchanged in one step where the system allows it; otherwise the old
    tree is renamed aside first and restored by the next build if it is killed."""
    if target.exists() and _exchange(built, target):
        shutil.rmtree(built, ignore_errors=True)  # now holds the old tree
        return
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(built, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_stale_staging(target: Path) -> list[Path]:
    """Delete staging and swapped-out trees that a killed build left beside `target`."""
    removed = []
    aside = sorted(target.parent.glob(f".{target.name}.old-*"))
    if aside and not target.exists():
        os.replace(aside[0], target)  # killed between the two renames of a swap
        log.info("restored %s from %s", target.name, aside[0].name)
    for pattern in (f".{target.name}.building-*", f".{target.name}.old-*"):
        for leftover in sorted(target.parent.glob(pattern)):
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    return removed


def source_date_epoch(settings: Settings) -> int:
    """The build's date, from the data: the latest published issue's instant or correction.

    MkDocs dates the sitemap and gzip headers from SOURCE_DATE_EPOCH, else from
    the clock; this keeps two builds of the same commit byte-identical.
    """
    return _latest_instant(load_issues(settings.issues_dir, include_drafts=False, with_data=False))


def _latest_instant(published: list[Issue]) -> int:
    from .feeds import updated_instant

    if not published:
        return 0
    return int(max(updated_instant(issue) for issue in published).timestamp())


@contextlib.contextmanager
def reproducible_dates(published: list[Issue]) -> Iterator[None]:
    if os.environ.get("SOURCE_DATE_EPOCH"):
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(_latest_instant(published))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def check_frozen_issues(settings: Settings, published: list[Issue]) -> None:
    """--strict: a published issue edited without a correction stops the build."""
    from .publish import archive_integrity_problems

    problems = archive_integrity_problems(settings.issues_dir, published)
    if problems:
        raise NewsletterError("\n".join(["build aborted: published issues changed:", *problems]))


def build_site(
    config_file: str | None, *, strict: bool = False, site_dir: str | None = None
) -> Path:
    from mkdocs.commands.build import build

    settings = load_settings(config_file)
    # Read once (without their data) for the frozen-issue check and the build's date.
    published = load_issues(settings.issues_dir, include_drafts=False, with_data=False)
    if strict:
        check_frozen_issues(settings, published)
    config: Any = _mkdocs_config(config_file, strict=strict)
    target = Path(site_dir or config.site_dir).resolve()
    docs = Path(config.docs_dir).resolve()
    if target.is_relative_to(docs) or docs.is_relative_to(target):
        raise NewsletterError(
            f"site_dir: {target} and docs_dir {docs} must not be inside one another "
            "(the build would publish its own output, or replace the sources)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in remove_stale_staging(target):
        log.info("removed %s, left by an interrupted build", leftover.name)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    # mkdtemp makes the folder private (0700); the site is for a web server to read.
    staging.chmod(_folder_mode())
    config["site_dir"] = str(staging)
    counter = CountHandler()
    counter.setLevel(logging.WARNING)
    ours = logging.getLogger("generator")
    ours.addHandler(counter)
    try:
        with reproducible_dates(published):
            build(config)
        if strict and counter.get_counts():
            raise NewsletterError("build aborted: warnings in strict mode")
        swap_into_place(staging, target)
    except Abort as err:
        raise NewsletterError(str(err)) from None
    finally:
        ours.removeHandler(counter)
        shutil.rmtree(staging, ignore_errors=True)
    log.info("site built in %s", os.path.relpath(target))
    return target


def _folder_mode() -> int:
    """The mode a new folder gets under this process's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def serve_site(config_file: str | None, *, dev_addr: str) -> None:
    from mkdocs.commands.serve import serve

    load_settings(config_file)
    log.info("serving on http://%s/ (drafts included); Ctrl+C stops", dev_addr)
    try:
        serve(config_file=config_file or None, dev_addr=dev_addr, livereload=True)
    except (Abort, ConfigurationError) as err:
        raise NewsletterError(str(err)) from None
