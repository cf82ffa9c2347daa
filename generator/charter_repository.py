"""Where the charter's repository is: a local path, or a URL fetched into a cache.

Credentials in a URL (user, password, token in the query) are never logged,
stored in the cache's config, put in an error message or in provenance: the
URL goes to `git fetch` on its command line only, and anything git prints is
redacted before it reaches a message.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import git

from generator.errors import NewsletterError

logger = logging.getLogger(__name__)

_SCP_LIKE = re.compile(r"^(?:[^@/:\s]+@)?[^@/:\s]+:(?!//)")


def is_url(repo: str) -> bool:
    return "://" in repo or bool(_SCP_LIKE.match(repo)) and not Path(repo).exists()


def sanitise_url(repo: str) -> str:
    """The URL without user, password, query or fragment (tokens hide there)."""
    if "://" not in repo:
        return repo.split("@", 1)[-1] if _SCP_LIKE.match(repo) else repo
    parts = urlsplit(repo)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _redact(text: str, url: str) -> str:
    """Remove the raw URL and any userinfo from text git printed."""
    text = text.replace(url, sanitise_url(url))
    if "://" in url:
        parts = urlsplit(url)
        secrets = [parts.netloc.rpartition("@")[0], parts.query, parts.fragment]
        for secret in filter(None, secrets):
            text = text.replace(secret, "***")
    return re.sub(r"//[^/\s@']+@", "//", text)


def fetch_into_cache(url: str, branch: str, cache_dir: Path) -> Path:
    """Fetch the branch's full history into a bare cache repository."""
    safe = sanitise_url(url)
    name = "charter-" + hashlib.sha256(safe.encode()).hexdigest()[:16] + ".git"
    target = Path(cache_dir) / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        git.Repo.init(target, bare=True)
    # The URL goes on the command line only: never into the cache's config.
    command = [
        "git",
        "--git-dir",
        str(target),
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        "--force",
        "--end-of-options",
        url,
        f"+refs/heads/{branch}:refs/heads/{branch}",
    ]
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="true")
    logger.info("fetching charter repository %s (branch %s)", safe, branch)
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    if done.returncode != 0:
        detail = _redact(done.stderr.decode("utf-8", "replace").strip(), url)
        raise NewsletterError(f"charter: cannot fetch branch {branch!r} from {safe}: {detail}")
    return target


def open_repository(repo: str, branch: str, cache_dir: Path) -> tuple[git.Repo, str]:
    """Open the repository and return it with the ref to read."""
    if is_url(repo):
        opened = git.Repo(fetch_into_cache(repo, branch, cache_dir))
        refs = [f"refs/heads/{branch}"]
    else:
        try:
            opened = git.Repo(repo)
        except (git.NoSuchPathError, git.InvalidGitRepositoryError):
            raise NewsletterError(f"charter: {repo} is not a git repository") from None
        refs = [f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"]
    for ref in refs:
        try:
            opened.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}")
            return opened, ref
        except git.GitCommandError:
            continue
    opened.close()
    raise NewsletterError(f"charter: branch {branch!r} not found in the charter repository")


def refuse_shallow(repo: git.Repo) -> None:
    if repo.git.rev_parse("--is-shallow-repository").strip() == "true":
        raise NewsletterError(
            "charter: the charter repository is a shallow clone, so its history "
            "(and the dates of charter changes) would be incomplete. Fetch the "
            "full history with `git fetch --unshallow`; in CI, check out with "
            "`fetch-depth: 0` (actions/checkout)."
        )


def _public_remote(url: str) -> str | None:
    """A remote's URL fit to publish; None for a path on this machine (file:// too)."""
    if "://" in url:
        return None if urlsplit(url).scheme.lower() == "file" else sanitise_url(url)
    if _SCP_LIKE.match(url) and not url.startswith(("/", ".", "~")):
        return sanitise_url(url)
    return None


def provenance_name(repo: str, opened: git.Repo) -> str:
    """A public name for the repository: never a path on the build machine."""
    if is_url(repo) and (public := _public_remote(repo)):
        return public
    try:
        origin = _public_remote(opened.remotes.origin.url)
    except (AttributeError, ValueError):
        origin = None
    return origin or Path(repo.removeprefix("file://")).resolve().name
