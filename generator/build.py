"""Build and serve through MkDocs, with atomic output.

The build writes into a temporary folder beside the target and swaps it into
place only on success, so a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from mkdocs.exceptions import Abort, ConfigurationError
from mkdocs.utils import CountHandler

from .config import load_settings
from .errors import NewsletterError

log = logging.getLogger(__name__)


def _mkdocs_config(config_file: str | None, **overrides: object) -> object:
    from mkdocs.config import load_config

    load_settings(config_file)  # our own, clearer messages for the newsletter block first
    try:
        return load_config(config_file or None, **overrides)  # type: ignore[arg-type]
    except (Abort, ConfigurationError) as err:
        raise NewsletterError(f"{config_file or 'mkdocs.yml'}: {err}") from None


def swap_into_place(built: Path, target: Path) -> None:
    """Replace `target` with `built`; the old tree is removed only after the swap."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(built, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_site(
    config_file: str | None, *, strict: bool = False, site_dir: str | None = None
) -> Path:
    from mkdocs.commands.build import build

    probe = _mkdocs_config(config_file)
    target = Path(site_dir or probe.site_dir).resolve()  # type: ignore[attr-defined]
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    counter = CountHandler()
    counter.setLevel(logging.WARNING)
    ours = logging.getLogger("generator")
    ours.addHandler(counter)
    try:
        config = _mkdocs_config(config_file, strict=strict, site_dir=str(staging))
        build(config)  # type: ignore[arg-type]
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


def serve_site(config_file: str | None, *, dev_addr: str) -> None:
    from mkdocs.commands.serve import serve

    load_settings(config_file)
    log.info("serving on http://%s/ (drafts included); Ctrl+C stops", dev_addr)
    try:
        serve(config_file=config_file or None, dev_addr=dev_addr, livereload=True)
    except (Abort, ConfigurationError) as err:
        raise NewsletterError(str(err)) from None
