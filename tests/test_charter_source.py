"""collect_charter against real git repositories made in tmp_path."""

from __future__ import annotations

import functools
import json
import logging
import os
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest

from generator.errors import NewsletterError
from generator.sources.charter import collect_charter, sanitise_url

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "generator/schemas/section-charter.json").read_text()
)
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))

CHARTER_V1 = """\
# Ethical charter

We publish what we do.

## Consent

We ask before we use data.

## Openness

We explain our decisions.
"""


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


class CharterRepo:
    """A git repository in tmp_path with fixed people and dates."""

    def __init__(self, path: Path, branch: str = "main"):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(path.parent),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "LC_ALL": "C",
        }
        self.git("init", "--quiet", "--initial-branch", branch)

    def git(self, *args: str, env: dict[str, str] | None = None, stdin: bytes = b"") -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env={**self.env, **(env or {})},
            input=stdin,
            capture_output=True,
            check=True,
        )
        return done.stdout.decode().strip()

    def write(self, files: dict[str, str | None]) -> None:
        for name, text in files.items():
            target = self.path / name
            if text is None:
                self.git("rm", "--quiet", name)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            self.git("add", name)

    def commit(
        self,
        message: str | bytes,
        files: dict[str, str | None] | None = None,
        *,
        when: str = "2026-01-10T12:00:00+00:00",
        authored: str | None = None,
        author: str = "Ada Lovelace",
        extra: tuple[str, ...] = (),
    ) -> str:
        self.write(files or {})
        raw = message.encode() if isinstance(message, str) else message
        self.git(
            *extra,
            "commit",
            "--quiet",
            "--allow-empty",
            "-F",
            "-",
            env=self._who(when, authored, author),
            stdin=raw,
        )
        return self.git("rev-parse", "HEAD")

    def merge(self, branch: str, message: str, *, when: str) -> str:
        self.git(
            "merge",
            "--quiet",
            "--no-ff",
            "-m",
            message,
            branch,
            env=self._who(when, None, "Ada Lovelace"),
        )
        return self.git("rev-parse", "HEAD")

    @staticmethod
    def _who(when: str, authored: str | None, author: str) -> dict[str, str]:
        return {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": "secret.address@private.example",
            "GIT_AUTHOR_DATE": authored or when,
            "GIT_COMMITTER_NAME": "Release Bot",
            "GIT_COMMITTER_EMAIL": "bot@private.example",
            "GIT_COMMITTER_DATE": when,
        }


def collect(repo: CharterRepo | str, tmp_path: Path, window=EVER, **options) -> dict:
    location = str(repo.path) if isinstance(repo, CharterRepo) else repo
    options.setdefault("branch", "main")
    options.setdefault("path", "CHARTER.md")
    section = collect_charter(
        location, start=window[0], end=window[1], cache_dir=tmp_path / "cache", **options
    )
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(section)
    return section


@pytest.fixture
def history(tmp_path: Path) -> CharterRepo:
    """Create, edit with trailers, whitespace-only edit, rename, branch + merge."""
    repo = CharterRepo(tmp_path / "charter")
    repo.commit("Adopt the charter", {"CHARTER.md": CHARTER_V1}, when="2026-01-10T12:00:00+00:00")
    repo.commit(
        "Ask again when the purpose changes\n\n"
        "Consent given for one purpose is not consent for another.\n\n"
        "Rationale: a reader pointed out that reuse was not covered.\n"
        "Effective-Date: 2026-03-01\n"
        "Change-Type: material\n",
        {
            "CHARTER.md": CHARTER_V1.replace(
                "use data.", "use data, and again when the purpose changes."
            )
        },
        when="2026-02-01T09:00:00+00:00",
    )
    spaced = CHARTER_V1.replace("use data,", "use data,").replace("We explain", "We  explain")
    spaced = spaced.replace("use data.", "use data, and again when the purpose changes.")
    repo.commit("Fix spacing", {"CHARTER.md": spaced}, when="2026-02-15T09:00:00+00:00")
    repo.git("mv", "CHARTER.md", "ETHICS.md")
    repo.commit("Rename the charter file", when="2026-03-01T09:00:00+00:00")
    repo.git("checkout", "--quiet", "-b", "openness")
    repo.commit(
        "Publish decisions within a month",
        {"ETHICS.md": spaced.replace("our decisions.", "our decisions within a month.")},
        when="2026-03-05T09:00:00+00:00",
    )
    repo.git("checkout", "--quiet", "main")
    repo.commit("Unrelated file", {"README.md": "hello\n"}, when="2026-03-06T09:00:00+00:00")
    repo.merge("openness", "Merge the openness branch", when="2026-03-10T09:00:00+00:00")
    return repo


def test_history_with_rename_merge_and_whitespace(history: CharterRepo, tmp_path: Path):
    section = collect(
        history, tmp_path, path="ETHICS.md", commit_url="https://forge.example/c/{sha}"
    )
    changes = section["changes"]
    assert [c["subject"] for c in changes] == [
        "Adopt the charter",
        "Ask again when the purpose changes",
        "Fix spacing",
        "Rename the charter file",
        "Merge the openness branch",
    ]
    adopt, consent, spacing, rename, merge = changes
    assert [c["kind"] for c in changes] == [
        "material",
        "material",
        "editorial",
        "editorial",
        "material",
    ]
    assert consent["kind_source"] == "trailer"
    assert consent["trailers"] == {
        "rationale": "a reader pointed out that reuse was not covered.",
        "effective_date": "2026-03-01",
        "change_type": "material",
    }
    assert consent["body"] == "Consent given for one purpose is not consent for another."
    assert consent["sections"] == [["Ethical charter", "Consent"]]
    assert spacing["kind_source"] == "classified"
    assert (rename["status"], rename["previous_path"], rename["path"]) == (
        "renamed",
        "CHARTER.md",
        "ETHICS.md",
    )
    assert merge["sections"] == [["Ethical charter", "Openness"]]
    assert merge["date"] == "2026-03-10T09:00:00+00:00"
    assert merge["url"] == f"https://forge.example/c/{merge['commit']}"
    inserted = [op["text"] for op in merge["diff"]["ops"] if op["op"] == "insert"]
    assert inserted == ["within a month"]
    assert adopt["status"] == "added" and adopt["previous_path"] is None
    assert section["current"]["commit"] == merge["commit"]
    assert section["current"]["text"] == merge["text"]
    assert section["counts"] == {"material": 3, "editorial": 2}
    assert all(c["author"] == "Ada Lovelace" for c in changes)
    assert section["provenance"] == {
        "repository": "charter",
        "branch": "main",
        "path": "ETHICS.md",
        "head": history.git("rev-parse", "main"),
        "first_parent": True,
        "date_field": "committer",
    }


def test_public_data_has_no_email_and_no_local_path(history: CharterRepo, tmp_path: Path):
    dumped = json.dumps(collect(history, tmp_path, path="ETHICS.md"))
    assert "private.example" not in dumped
    assert str(tmp_path) not in dumped


@pytest.mark.parametrize("origin", ["{home}/alice/charter-origin", "file://{home}/alice/x.git"])
def test_an_origin_on_this_machine_is_named_by_its_folder_only(
    history: CharterRepo, tmp_path: Path, origin: str
):
    history.git("remote", "add", "origin", origin.format(home=tmp_path / "home"))
    section = collect(history, tmp_path, path="ETHICS.md")
    assert section["provenance"]["repository"] == history.path.name
    assert "alice" not in json.dumps(section)


def test_same_input_same_output(history: CharterRepo, tmp_path: Path):
    first = collect(history, tmp_path, path="ETHICS.md")
    second = collect(history, tmp_path, path="ETHICS.md")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_window_is_half_open_and_current_is_at_its_end(history: CharterRepo, tmp_path: Path):
    window = (utc("2026-02-01T09:00:00+00:00"), utc("2026-03-01T09:00:00+00:00"))
    section = collect(history, tmp_path, window=window, path="ETHICS.md")
    assert [c["subject"] for c in section["changes"]] == [
        "Ask again when the purpose changes",
        "Fix spacing",
    ]
    assert section["current"]["commit"] == section["changes"][-1]["commit"]
    assert section["window"] == {
        "start": "2026-02-01T09:00:00+00:00",
        "end": "2026-03-01T09:00:00+00:00",
    }


def test_season_without_changes_keeps_the_version_in_force(history: CharterRepo, tmp_path):
    window = (utc("2026-06-01T00:00:00+00:00"), utc("2026-09-01T00:00:00+00:00"))
    section = collect(history, tmp_path, window=window, path="ETHICS.md")
    assert section["changes"] == []
    assert section["counts"] == {"material": 0, "editorial": 0}
    assert section["current"]["text"].startswith("# Ethical charter")


def test_first_parent_off_reports_branch_commits_not_merges(history: CharterRepo, tmp_path):
    section = collect(history, tmp_path, path="ETHICS.md", first_parent=False)
    subjects = [c["subject"] for c in section["changes"]]
    assert "Publish decisions within a month" in subjects
    assert "Merge the openness branch" not in subjects


def test_shallow_clone_is_refused_with_how_to_fix(history: CharterRepo, tmp_path: Path):
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", f"file://{history.path}", str(shallow)],
        check=True,
        env=history.env,
    )
    with pytest.raises(NewsletterError) as caught:
        collect(str(shallow), tmp_path, path="ETHICS.md")
    message = str(caught.value)
    assert "shallow" in message
    assert "git fetch --unshallow" in message
    assert "fetch-depth: 0" in message


def test_deleted_then_restored(tmp_path: Path):
    repo = CharterRepo(tmp_path / "charter")
    repo.commit("Adopt", {"CHARTER.md": CHARTER_V1}, when="2026-01-01T00:00:00+00:00")
    repo.commit("Withdraw", {"CHARTER.md": None}, when="2026-02-01T00:00:00+00:00")
    repo.commit("Restore", {"CHARTER.md": CHARTER_V1}, when="2026-03-01T00:00:00+00:00")
    section = collect(repo, tmp_path)
    adopt, withdraw, restore = section["changes"]
    assert (withdraw["status"], withdraw["text"], withdraw["path"]) == ("deleted", None, None)
    assert withdraw["previous_path"] == "CHARTER.md"
    assert withdraw["kind"] == "material"
    assert withdraw["diff"]["words_deleted"] == adopt["diff"]["words_inserted"]
    assert (restore["status"], restore["text"]) == ("added", CHARTER_V1)
    during = collect(repo, tmp_path, window=(EVER[0], utc("2026-02-15T00:00:00+00:00")))
    assert during["current"]["text"] is None
    assert during["current"]["commit"] == withdraw["commit"]


def test_moved_between_directories_then_edited(tmp_path: Path):
    repo = CharterRepo(tmp_path / "charter")
    repo.commit("Adopt", {"docs/charter.md": CHARTER_V1}, when="2026-01-01T00:00:00+00:00")
    repo.git("mv", "docs", "policy")
    repo.commit("Move the policy folder", when="2026-02-01T00:00:00+00:00")
    repo.commit(
        "Add a section",
        {"policy/charter.md": CHARTER_V1 + "\n## Redress\n\nWe answer complaints.\n"},
        when="2026-03-01T00:00:00+00:00",
    )
    section = collect(repo, tmp_path, path="policy/charter.md")
    adopt, move, add = section["changes"]
    assert adopt["path"] == "docs/charter.md"
    assert (move["previous_path"], move["path"], move["kind"]) == (
        "docs/charter.md",
        "policy/charter.md",
        "editorial",
    )
    assert add["sections"] == [["Ethical charter", "Redress"]]


def test_the_word_diff_does_not_depend_on_the_callers_locale(tmp_path, monkeypatch):
    # Under a UTF-8 locale git's [:punct:] holds curly quotes; under C it does not.
    repo = CharterRepo(tmp_path / "charter")
    repo.commit("Adopt", {"CHARTER.md": CHARTER_V1}, when="2026-01-01T00:00:00+00:00")
    quoted = CHARTER_V1.replace("We ask before", "We ask “first”—before")
    repo.commit("Quote", {"CHARTER.md": quoted}, when="2026-02-01T00:00:00+00:00")
    seen = []
    for locale in ("C", "C.UTF-8"):
        monkeypatch.setenv("LC_ALL", locale)
        seen.append(collect(repo, tmp_path)["changes"][1]["diff"])
    assert seen[0] == seen[1]
    # Bytes outside ASCII count as word characters: the quoted word changes whole.
    changed = [(op["op"], op["text"]) for op in seen[0]["ops"] if op["op"] != "equal"]
    assert changed == [("delete", "before"), ("insert", "“first”—before")]


def test_non_utf8_messages(tmp_path: Path):
    repo = CharterRepo(tmp_path / "charter")
    repo.commit(
        "Café rule\n\nRationale: données personnelles\n".encode("latin-1"),
        {"CHARTER.md": CHARTER_V1},
        extra=("-c", "i18n.commitEncoding=ISO-8859-1"),
        when="2026-01-01T00:00:00+00:00",
    )
    # No encoding header at all: raw Latin-1 bytes in a commit git thinks is UTF-8.
    repo.commit(
        "Déjà vu\n".encode("latin-1"),
        {"CHARTER.md": CHARTER_V1 + "\nMore.\n"},
        when="2026-02-01T00:00:00+00:00",
    )
    first, second = collect(repo, tmp_path)["changes"]
    assert first["subject"] == "Café rule"
    assert first["trailers"]["rationale"] == "données personnelles"
    assert second["subject"] == "Déjà vu"


def test_huge_diff_is_capped(tmp_path: Path):
    repo = CharterRepo(tmp_path / "charter")
    old = "# Charter\n\n" + "".join(f"Rule {i} says we care about item {i}.\n" for i in range(6000))
    new = "# Charter\n\n" + "".join(
        f"Clause {i} states a duty number {i * 7}.\n" for i in range(6000)
    )
    repo.commit("Adopt", {"CHARTER.md": old}, when="2026-01-01T00:00:00+00:00")
    repo.commit("Rewrite everything", {"CHARTER.md": new}, when="2026-02-01T00:00:00+00:00")
    rewrite = collect(repo, tmp_path)["changes"][-1]
    diff = rewrite["diff"]
    assert diff["truncated"] is True
    changed = sum(len(op.get("text", "")) for op in diff["ops"] if op["op"] != "equal")
    assert changed <= 20_000
    # Counted over the whole change, not only the part kept.
    assert 20_000 / 10 < diff["words_inserted"] <= 7 * 6000
    assert 20_000 / 10 < diff["words_deleted"] <= 8 * 6000
    assert rewrite["text"] == new  # the full version is kept for its permalink page


def test_author_dates_out_of_order(tmp_path: Path):
    repo = CharterRepo(tmp_path / "charter")
    repo.commit("Adopt", {"CHARTER.md": CHARTER_V1}, when="2026-01-01T00:00:00+00:00")
    # Written in May, rebased and landed in February...
    late = repo.commit(
        "Landed early, written late",
        {"CHARTER.md": CHARTER_V1 + "\nA.\n"},
        when="2026-02-01T00:00:00+00:00",
        authored="2026-05-01T00:00:00+00:00",
    )
    # ...written in January, landed in March.
    early = repo.commit(
        "Written early, landed late",
        {"CHARTER.md": CHARTER_V1 + "\nA.\nB.\n"},
        when="2026-03-01T00:00:00+00:00",
        authored="2026-01-15T00:00:00+00:00",
    )
    by_commit = collect(repo, tmp_path)
    assert [c["commit"] for c in by_commit["changes"][1:]] == [late, early]
    assert by_commit["changes"][1]["date"] == "2026-02-01T00:00:00+00:00"
    assert by_commit["changes"][1]["author_date"] == "2026-05-01T00:00:00+00:00"

    spring = (utc("2026-04-01T00:00:00+00:00"), utc("2026-06-01T00:00:00+00:00"))
    by_author = collect(repo, tmp_path, window=spring, date_field="author")
    assert [c["commit"] for c in by_author["changes"]] == [late]
    assert by_author["changes"][0]["date"] == "2026-05-01T00:00:00+00:00"
    # The version in force in spring is the newest in history order, not by author date.
    assert by_author["current"]["commit"] == early
    assert by_author["provenance"]["date_field"] == "author"

    winter = (utc("2026-01-10T00:00:00+00:00"), utc("2026-02-10T00:00:00+00:00"))
    assert [c["commit"] for c in collect(repo, tmp_path, window=winter)["changes"]] == [late]


def test_classification_without_trailers(tmp_path: Path):
    repo = CharterRepo(tmp_path / "charter")
    repo.commit("Adopt", {"CHARTER.md": CHARTER_V1}, when="2026-01-01T00:00:00+00:00")
    emphasised = CHARTER_V1.replace("We ask before", "We *ask* before")
    repo.commit("Emphasis", {"CHARTER.md": emphasised}, when="2026-01-02T00:00:00+00:00")
    repo.commit(
        "Typo, said editorial but is not",
        {"CHARTER.md": emphasised.replace("ask", "tell")},
        when="2026-01-03T00:00:00+00:00",
    )
    repo.commit(
        "Declared material\n\nChange-Type: Material\n",
        {"CHARTER.md": emphasised.replace("ask", "tell") + "\n"},
        when="2026-01-04T00:00:00+00:00",
    )
    kinds = [(c["kind"], c["kind_source"]) for c in collect(repo, tmp_path)["changes"]]
    assert kinds == [
        ("material", "classified"),
        ("editorial", "classified"),
        ("material", "classified"),
        ("material", "trailer"),
    ]


@pytest.mark.parametrize(
    "options, expected",
    [
        ({"branch": "nope"}, "branch 'nope' not found"),
        ({"date_field": "push"}, "date_field"),
        ({"commit_url": "javascript:alert('{sha}')"}, "commit_url"),
        ({"commit_url": "https://forge.example/commit/"}, "{sha}"),
    ],
)
def test_bad_options_are_user_errors(history: CharterRepo, tmp_path: Path, options, expected):
    with pytest.raises(NewsletterError, match=None) as caught:
        collect(history, tmp_path, path="ETHICS.md", **options)
    assert expected in str(caught.value)


def test_bad_window_and_missing_repository(tmp_path: Path):
    with pytest.raises(NewsletterError, match="not a git repository"):
        collect(str(tmp_path / "missing"), tmp_path)
    with pytest.raises(NewsletterError, match="timezone-aware"):
        collect(str(tmp_path), tmp_path, window=(datetime(2026, 1, 1), EVER[1]))
    with pytest.raises(NewsletterError, match="before its end"):
        collect(str(tmp_path), tmp_path, window=(EVER[1], EVER[0]))


# --- repositories given by URL ----------------------------------------------


@pytest.fixture
def served(history: CharterRepo, tmp_path: Path) -> Iterator[str]:
    """The history repo as a bare repository over dumb HTTP on 127.0.0.1."""
    root = tmp_path / "served"
    root.mkdir()
    bare = root / "charter.git"
    subprocess.run(
        ["git", "clone", "--quiet", "--bare", str(history.path), str(bare)],
        check=True,
        env=history.env,
    )
    subprocess.run(["git", "update-server-info"], cwd=bare, check=True, env=history.env)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _all_bytes_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def test_url_with_credentials_is_fetched_and_never_kept(served: str, tmp_path, caplog):
    url = f"http://fetchuser:s3cret-token@{served}/charter.git"
    caplog.set_level(logging.DEBUG)
    section = collect(url, tmp_path, path="ETHICS.md")
    assert len(section["changes"]) == 5
    assert section["provenance"]["repository"] == f"http://{served}/charter.git"
    again = collect(url, tmp_path, path="ETHICS.md")  # fetches into the same cache
    assert again == section
    for secret in ("s3cret-token", "fetchuser"):
        assert secret not in json.dumps(section)
        assert secret not in caplog.text
        assert secret.encode() not in _all_bytes_under(tmp_path / "cache")


def test_fetch_errors_do_not_show_credentials(served: str, tmp_path: Path, caplog):
    caplog.set_level(logging.DEBUG)
    for url in (
        f"http://fetchuser:s3cret-token@{served}/no-such-repo.git",
        f"http://{served}/charter.git?access_token=s3cret-token",
    ):
        with pytest.raises(NewsletterError) as caught:
            collect(url, tmp_path)
        assert "s3cret-token" not in str(caught.value)
        assert "fetchuser" not in str(caught.value)
        assert f"http://{served}/" in str(caught.value)
    assert "s3cret-token" not in caplog.text


def test_local_repository_provenance_uses_origin_without_credentials(history, tmp_path):
    history.git("remote", "add", "origin", "https://bot:ghp_TOKEN@forge.example/team/charter.git")
    section = collect(history, tmp_path, path="ETHICS.md")
    assert section["provenance"]["repository"] == "https://forge.example/team/charter.git"


@pytest.mark.parametrize(
    "url, safe",
    [
        ("https://u:p@forge.example:8443/a/b.git?x=1#f", "https://forge.example:8443/a/b.git"),
        ("https://token@forge.example/a.git", "https://forge.example/a.git"),
        ("git@forge.example:team/charter.git", "forge.example:team/charter.git"),
        ("/srv/git/charter", "/srv/git/charter"),
    ],
)
def test_sanitise_url(url: str, safe: str):
    assert sanitise_url(url) == safe


# --- long histories ---------------------------------------------------------------


def _long_history(path: Path, versions: int) -> CharterRepo:
    """A charter edited `versions` times (one `git fast-import`): lines reworded,
    added, removed, headings renamed, the last newline dropped and restored,
    and a rename half-way."""
    repo = CharterRepo(path)
    lines = ["# Charter", ""] + [
        line for part in range(12) for line in (f"## Part {part}", "", f"Rule {part}.", "")
    ]
    stream: list[bytes] = []
    name = "CHARTER.md"
    for version in range(versions):
        at = (version * 7) % len(lines)
        if version % 5 == 0:
            lines.insert(at, f"Added rule {version}.")
        elif version % 5 == 1 and len(lines) > 20:
            del lines[at]
        elif version % 5 == 2:
            lines[at] = f"### Heading {version}"
        else:
            lines[at] = f"Reworded {version}: {lines[at]}"[:60]
        text = "\n".join(lines) + ("" if version % 9 == 4 else "\n")
        data = text.encode()
        stamp = 1_700_000_000 + version * 3600
        who = b"Ada Lovelace <ada@private.example> %d +0000\n" % stamp
        stream.append(b"commit refs/heads/main\nmark :%d\n" % (version + 1))
        stream.append(b"author " + who + b"committer " + who)
        stream.append(b"data %d\nEdit %d\n" % (len(b"Edit %d" % version) + 1, version))
        if version:
            stream.append(b"from :%d\n" % version)
        if version == versions // 2:
            stream.append(b"R %s policy.md\n" % name.encode())
            name = "policy.md"
        stream.append(b"M 100644 inline %s\ndata %d\n%s\n\n" % (name.encode(), len(data), data))
    repo.git("fast-import", "--quiet", stdin=b"".join(stream))
    repo.git("reset", "--quiet", "--hard", "main")
    return repo


def test_long_history_is_the_same_whatever_the_batches_and_indexes(tmp_path, monkeypatch):
    """Versions' indexes are derived one from the next, and objects are read a
    batch ahead: the result equals one batch with every version indexed afresh."""
    from generator.charter_index import index_text
    from generator.sources import charter as charter_source

    repo = _long_history(tmp_path / "charter", 150)
    derived = collect(repo, tmp_path, path="policy.md")
    assert len(derived["changes"]) == 150
    monkeypatch.setattr(charter_source, "_BATCH", 7)
    assert collect(repo, tmp_path, path="policy.md") == derived
    monkeypatch.setattr(charter_source, "_BATCH", 1000)
    monkeypatch.setattr(
        charter_source._Indexes,
        "pair",
        lambda self, raw, before, after: (index_text(before), index_text(after)),
    )
    assert collect(repo, tmp_path, path="policy.md") == derived


def test_objects_asked_for_ahead_are_read_in_any_order(tmp_path: Path):
    """More objects asked for than may wait in the pipe: the reader takes
    answers as it goes, and each object is the right one."""
    from generator.charter_git import ObjectReader

    repo = CharterRepo(tmp_path / "charter")
    folder = tmp_path / "blobs"
    folder.mkdir()
    names = []
    for number in range(700):
        (folder / f"{number}.txt").write_text(f"blob {number}\n" * (number % 5 + 1))
        names.append(str(folder / f"{number}.txt"))
    ids = repo.git("hash-object", "-w", "--stdin-paths", stdin="\n".join(names).encode()).split()
    with ObjectReader(str(repo.path / ".git")) as objects:
        objects.request(ids)
        objects.request(ids[:10])  # asked for already: not asked again
        for number in reversed(range(700)):
            assert objects.take(ids[number]) == (f"blob {number}\n" * (number % 5 + 1)).encode()
        assert objects.raw(ids[3]) == b"blob 3\n" * 4  # taken, so read again
        with pytest.raises(NewsletterError, match="missing"):
            objects.raw("0" * 40)


def test_a_path_no_commit_ever_had_is_an_error(history: CharterRepo, tmp_path: Path):
    with pytest.raises(NewsletterError) as caught:
        collect(history, tmp_path, path="NOPE.md")
    assert str(caught.value) == (
        "charter: no commit of branch 'main' has a file 'NOPE.md'; "
        "plugins.newsletter.charter.path names the charter's file in the repository"
    )
