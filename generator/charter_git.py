"""The two git processes a charter collection runs, read as they produce.

- `stream_changes`: one `git log --follow --raw -p --word-diff=porcelain -U0`
  lists every change to the charter, newest first, with its blob ids, dates
  and word diff (computed by git, in C). Changes are parsed as the output
  arrives, while git is still walking older history.
- `ObjectReader`: one `git cat-file --batch` reads the commit objects and
  charter versions the collector asks for, in batches, while `git log` runs.
  A batch is asked for before the previous one is built, so git reads it
  while Python works.

So git walks history on one processor while Python parses, fetches and
builds on another; neither waits for the other to finish. Nothing here
decides what a change means: see generator.sources.charter.
"""

from __future__ import annotations

import codecs
import collections
import contextlib
import os
import subprocess
import tempfile
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO

from generator.charter_diff import GIT_WORD_REGEX, Hunk, parse_word_diff
from generator.errors import NewsletterError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RECORD = b"\0commit "
_PIPE_SIZE = 1 << 20  # bytes; fewer task switches for megabytes of output
# Ids asked for and not yet answered, in bytes: well under the smallest pipe
# buffer (16 KiB), so writing more ids can never wait for git, which may be
# waiting for us to read its answers.
_IDS_OUTSTANDING = 12 * 1024
_F_SETPIPE_SZ = 1031  # Linux fcntl; elsewhere pipes keep their size


@dataclass
class RawChange:
    """One commit from `git log --raw -p`: the charter's blobs, paths and hunks."""

    sha: str
    status: str = ""
    old_blob: str | None = None
    new_blob: str | None = None
    old_path: str | None = None
    new_path: str | None = None
    hunks: list[Hunk] = field(default_factory=list)
    author_date: datetime = EPOCH
    commit_date: datetime = EPOCH

    def date(self, date_field: str) -> datetime:
        return self.commit_date if date_field == "committer" else self.author_date


def log_command(ref: str, path: str, first_parent: bool) -> list[str]:
    """One `git log` for every change: raw lines (blobs, renames) and word diffs.

    The options pin down everything a user's git config could change in the
    output (colour, external diff tools, signatures, path quoting).
    """
    args = [
        "-c",
        "core.quotepath=off",
        "log",
        "--follow",
        "-M",
        "--raw",
        "-p",
        "-U0",
        "--word-diff=porcelain",
        f"--word-diff-regex={GIT_WORD_REGEX}",
        "--no-abbrev",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--no-show-signature",
        "--format=%x00commit %H %at %ct",
    ]
    if first_parent:
        # One chain of first parents: already in history order, and git can
        # stream it from the first commit (--topo-order would walk it all first).
        args += ["--first-parent", "--diff-merges=first-parent"]
    else:
        args += ["--topo-order", "--diff-merges=off"]
    return args + [ref, "--", path]


def _unquote_path(path: str) -> str:
    """Undo git's C-style quoting of unusual paths."""
    if len(path) >= 2 and path[0] == path[-1] == '"':
        raw = codecs.escape_decode(path[1:-1].encode("utf-8"))[0]
        return bytes(raw).decode("utf-8", "replace")
    return path


def _parse_raw_line(change: RawChange, line: str) -> None:
    meta, *paths = line[1:].split("\t")
    fields = meta.split()
    change.status = fields[4][0]
    # An id of zeros: no such side (an added or deleted file).
    change.old_blob = fields[2] if fields[2].strip("0") else None
    change.new_blob = fields[3] if fields[3].strip("0") else None
    change.old_path, change.new_path = _unquote_path(paths[0]), _unquote_path(paths[-1])


def _parse_record(record: bytes) -> RawChange | None:
    """One commit's output: header, raw line, word diff. None if it has no raw line."""
    text = record.decode("utf-8", "replace")
    # The patch starts at its first "diff --git" line; before it, the header
    # and the raw lines. Its hunks start at the first "@@" line (the file
    # headers in between say nothing the raw line does not).
    patch = text.find("\ndiff --git ")
    head = text if patch < 0 else text[:patch]
    header, _, rest = head.partition("\n")
    sha, authored, committed = header.split()
    change = RawChange(
        sha=sha,
        author_date=datetime.fromtimestamp(int(authored), UTC),
        commit_date=datetime.fromtimestamp(int(committed), UTC),
    )
    for line in rest.split("\n"):
        if line.startswith(":"):
            _parse_raw_line(change, line)
            break
    if not change.status:
        return None
    if patch >= 0:
        hunks = text.find("\n@@", patch)
        if hunks >= 0:
            change.hunks = parse_word_diff(text[hunks + 1 :].split("\n"))
    return change


def _widen_pipe(stream: IO[bytes] | None) -> None:
    with contextlib.suppress(ImportError, OSError, AttributeError, ValueError):
        import fcntl

        if stream is not None:
            fcntl.fcntl(stream.fileno(), _F_SETPIPE_SZ, _PIPE_SIZE)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End a git process we no longer read from (it may be blocked writing)."""
    if process.poll() is None:
        process.kill()
    process.wait()


def _git_environment() -> dict[str, str]:
    """The caller's environment in the C locale.

    The word diff's character classes ([:punct:], [:space:]) follow the
    locale: under a UTF-8 locale curly quotes are punctuation, under C they
    are part of a word. Pinning C makes the same history give the same diff
    on every machine (and git's walk is a little faster).
    """
    return {**os.environ, "LC_ALL": "C"}


def stream_changes(
    git_dir: str, ref: str, path: str, first_parent: bool
) -> Generator[RawChange, None, None]:
    """Every commit that changed the charter, newest first, as git finds them."""
    command = ["git", "--git-dir", git_dir, *log_command(ref, path, first_parent)]
    with tempfile.TemporaryFile() as errors:
        # stderr goes to a file: a pipe nobody reads could fill and block git.
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, env=_git_environment()
        )
        try:
            assert process.stdout is not None
            _widen_pipe(process.stdout)
            pending = b""
            while chunk := os.read(process.stdout.fileno(), _PIPE_SIZE):
                *records, pending = (pending + chunk).split(_RECORD)
                for record in records:
                    if record and (change := _parse_record(record)):
                        yield change
            if pending and (change := _parse_record(pending)):
                yield change
            if process.wait() != 0:
                errors.seek(0)
                detail = errors.read().decode("utf-8", "replace").strip()
                raise NewsletterError(f"charter: git log failed: {detail}")
        finally:
            _stop(process)


class ObjectReader:
    """Git objects by id, from one `git cat-file --batch` process.

    Ids can be requested ahead (`request`): git reads those objects while
    the caller works on others, and their answers are read when needed.
    Each object is read once. Use as a context manager, so the process ends
    however collection ends.
    """

    def __init__(self, git_dir: str):
        self._raw: dict[str, bytes] = {}
        self._asked: collections.deque[str] = collections.deque()  # answers to read, in order
        self._asked_ids: set[str] = set()
        self._process = subprocess.Popen(
            ["git", "--git-dir", git_dir, "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        _widen_pipe(self._process.stdout)

    def __enter__(self) -> ObjectReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process.stdin is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
        _stop(self._process)

    def request(self, ids: Iterable[str | None]) -> None:
        """Ask git for these objects now; their answers are read later, when needed.

        None, ids already read and ids already asked for are skipped.
        """
        wanted = [
            i for i in dict.fromkeys(ids) if i and i not in self._raw and i not in self._asked_ids
        ]
        stdin = self._process.stdin
        assert stdin is not None
        # Ids have one length per repository (SHA-1 or SHA-256), plus "\n".
        limit = max(_IDS_OUTSTANDING // (len(wanted[0]) + 1), 2) if wanted else 2
        step = limit // 2
        for first in range(0, len(wanted), step):
            part = wanted[first : first + step]
            while len(self._asked) + len(part) > limit:
                self._receive()
            try:
                stdin.write(("\n".join(part) + "\n").encode())
                stdin.flush()
            except OSError:
                raise NewsletterError(
                    "charter: git cat-file stopped reading the charter's history"
                ) from None
            self._asked += part
            self._asked_ids.update(part)

    def fetch(self, ids: Iterable[str | None]) -> None:
        """Read these objects now (and any asked for before them)."""
        self.request(ids)
        while self._asked:
            self._receive()

    def _receive(self) -> None:
        """Read the answer to the oldest request."""
        stdout = self._process.stdout
        assert stdout is not None
        object_id = self._asked.popleft()
        self._asked_ids.discard(object_id)
        fields = stdout.readline().split()
        if len(fields) != 3:
            raise NewsletterError(f"charter: git object {object_id} is missing")
        size = int(fields[2])
        self._raw[object_id] = stdout.read(size)
        stdout.read(1)  # the newline after each object

    def raw(self, object_id: str) -> bytes:
        if object_id not in self._raw:
            self._wait_for(object_id)
        return self._raw[object_id]

    def take(self, object_id: str) -> bytes:
        """An object's bytes, forgotten here (read again if asked for again)."""
        data = self._raw.pop(object_id, None)
        if data is None:
            self._wait_for(object_id)
            data = self._raw.pop(object_id)
        return data

    def _wait_for(self, object_id: str) -> None:
        if object_id not in self._asked_ids:
            self.request([object_id])
        while object_id not in self._raw:
            self._receive()
