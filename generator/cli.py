"""The `newsletter` command. Each subcommand parses options, loads config, calls one function.

Exit status: 0 on success, 1 on a user error (bad input, bad config; the
message names the file, line or key), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, NoReturn

from . import __version__
from .config import load_settings
from .errors import NewsletterError

log = logging.getLogger("generator")


def configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("urllib3", "httpx", "httpcore", "git", "huggingface_hub", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def cmd_seasons(args: argparse.Namespace) -> int:
    from .seasons import windows_between

    settings = load_settings(args.config_file)
    if args.year is not None and (args.from_year or args.to_year):
        raise UsageError("newsletter seasons: give YEAR or --from/--to, not both")
    first = args.year or args.from_year or datetime.now(UTC).year
    last = args.year or args.to_year or first
    if last < first:
        raise NewsletterError(f"--to {last} is before --from {first}")
    windows = [w.as_json(settings.timezone) for w in windows_between(first, last)]
    if args.json:
        print(json.dumps(windows, indent=2))
    else:
        for w in windows:
            print(
                f"{w['slug']:<26} {w['instant']}  local {w['local_date']}  "
                f"window [{w['window_start']}, {w['window_end']})"
            )
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .issues import scaffold_issue
    from .seasons import next_season_after

    settings = load_settings(args.config_file)
    if args.next == bool(args.slug):
        raise UsageError("newsletter new: give a SLUG or --next")
    slug = args.slug or next_season_after(datetime.now(UTC)).slug
    path = scaffold_issue(settings.issues_dir, slug)
    log.info("created %s", os.path.relpath(path))
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    from .collect import collect_issue, collection_time

    settings = load_settings(args.config_file)
    path = collect_issue(
        settings,
        args.slug,
        collected_at=collection_time(datetime.now(UTC).replace(microsecond=0)),
        skip_invalid=args.skip_invalid,
        strict=args.strict,
        correction=args.correction,
    )
    log.info("wrote %s", os.path.relpath(path))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from .publish import correct_prose, publish_issue
    from .seasons import issue_window

    settings = load_settings(args.config_file)
    issue_window(args.slug)  # a bad slug is named before anything else
    # The editor's action is dated here, from the clock; library code never reads it.
    now = datetime.now(UTC).replace(microsecond=0)
    docs_dir = settings.docs_dir or settings.path("docs")  # load_settings reads docs_dir
    if args.correction is not None:
        issue = correct_prose(
            settings, args.slug, reason=args.correction, now=now, docs_dir=docs_dir
        )
        log.info("recorded a correction to the prose of %s", issue.slug)
        return 0
    issue = publish_issue(settings, args.slug, now=now, docs_dir=docs_dir)
    log.info("published %s (data sha256 %s)", issue.slug, issue.meta.data_sha256)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check_site

    problems = check_site(args.config_file, site_dir=args.site_dir)
    for problem in problems:
        print(problem)
    if problems:
        log.error("%d problem(s) found", len(problems))
        return 1
    log.info("site checked: no problems")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build_site

    build_site(args.config_file, strict=args.strict, site_dir=args.site_dir)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .build import serve_site

    serve_site(args.config_file, dev_addr=args.dev_addr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    run_demo(args.config_file, serve=args.serve, dev_addr=args.dev_addr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsletter", description="Seasonal ethics newsletter and transparency report."
    )
    parser.add_argument("--version", action="version", version=f"newsletter {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug messages")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int], help: str) -> Any:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument(
            "-f",
            "--config-file",
            metavar="PATH",
            default=None,
            help="the mkdocs.yml to use (default: ./mkdocs.yml)",
        )
        sub.set_defaults(handler=handler)
        return sub

    seasons = command("seasons", cmd_seasons, "list equinoxes and solstices and issue windows")
    seasons.add_argument("year", nargs="?", type=int, metavar="YEAR")
    seasons.add_argument("--from", dest="from_year", type=int, metavar="YEAR")
    seasons.add_argument("--to", dest="to_year", type=int, metavar="YEAR")
    seasons.add_argument("--json", action="store_true", help="print JSON")

    new = command("new", cmd_new, "start an issue: scaffold issues/<slug>/issue.md")
    new.add_argument("slug", nargs="?", metavar="SLUG")
    new.add_argument("--next", action="store_true", help="the next equinox or solstice")

    collect = command("collect", cmd_collect, "gather an issue's data into data.json")
    collect.add_argument("slug", metavar="SLUG")
    collect.add_argument(
        "--skip-invalid",
        action="store_true",
        help="count and skip invalid flag rows instead of stopping",
    )
    collect.add_argument(
        "--strict", action="store_true", help="treat warnings (a broken feed) as errors"
    )

    collect.add_argument(
        "--correction",
        metavar="REASON",
        default=None,
        help="re-collect a published issue as a visible correction, with its reason",
    )

    publish = command("publish", cmd_publish, "check an issue and publish it (freezes it)")
    publish.add_argument("slug", metavar="SLUG")
    publish.add_argument(
        "--correction",
        metavar="REASON",
        default=None,
        help="record an edit of a published issue's prose as a correction",
    )

    check = command("check", cmd_check, "validate a built site: links, feeds, drafts, privacy")
    check.add_argument("--site-dir", metavar="DIR", default=None)

    build = command("build", cmd_build, "build the site with MkDocs")
    build.add_argument("--strict", action="store_true", help="fail on warnings")
    build.add_argument("--site-dir", metavar="DIR", default=None)

    serve = command("serve", cmd_serve, "preview the site, drafts included")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", metavar="IP:PORT")

    demo = command("demo", cmd_demo, "generate the sample sources, collect and build the sample")
    demo.add_argument("--serve", action="store_true", help="serve the site afterwards")
    demo.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", metavar="IP:PORT")
    return parser


class UsageError(Exception):
    """Arguments that do not go together: exit 2, as argparse does for bad usage."""


def main(argv: Sequence[str] | None = None) -> int:
    return _dispatch(_parse(argv))


def run() -> NoReturn:
    """The `newsletter` command itself (`main` is for callers that go on afterwards).

    After a build it leaves without tearing the interpreter down: freeing each
    object the build made (the pages, every issue's data, MkDocs' and Jinja's
    structures) takes a tenth of a second and changes nothing on disk. By then
    the site is in place, every file written is closed, each store to the cache
    committed and the worker process ended. mypy leaves the same way."""
    args = _parse(None)
    code = _dispatch(args)
    if args.command == "build":
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    raise SystemExit(code)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    return build_parser().parse_args(argv)


def _dispatch(args: argparse.Namespace) -> int:
    configure_logging(args.verbose)
    try:
        return int(args.handler(args))
    except UsageError as err:
        print(f"{err} (see --help)", file=sys.stderr)
        return 2
    except NewsletterError as err:
        for line in str(err).splitlines() or ["error"]:
            log.error("%s", line)
        return 1
