"""The sample charter repository: an original ethics charter and its git history.

The history is data (a list of `CharterCommit`), replayed into a fresh git
repository with fixed names, emails and dates, so every run gives the same
commit ids. Paragraphs use one sentence per line, so a diff shows the sentence
that changed. Every text edit must match exactly once; a mismatch is a bug in
this module and raises at once.
"""

# ruff: noqa: E501
# The charter uses one sentence per line (so diffs show whole sentences), and
# the history below is a table; wrapping either would only make it harder to read.

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

OLD_PATH = "CHARTER.md"
NEW_PATH = "charter/CHARTER.md"
SIDE_BRANCH = "inquisitive-rewrite"


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    utc_offset_hours: float


PEOPLE = {
    "amara": Person("Amara Okafor", "amara.okafor@ethics.example.org", 0),
    "jonas": Person("Jonas Lindqvist", "jonas.lindqvist@ethics.example.org", 1),
    "priya": Person("Priya Raman", "priya.raman@ethics.example.org", 5.5),
    "mateo": Person("Mateo Alvarez", "mateo.alvarez@ethics.example.org", -5),
    "hana": Person("Hana Sato", "hana.sato@ethics.example.org", 9),
    "tomas": Person("Tomas Novak", "tomas.novak@ethics.example.org", 2),
}

# An edit is ("replace", old, new) or ("insert", before_heading_or_None, block).
Edit = tuple[str, str | None, str]


@dataclass(frozen=True)
class CharterCommit:
    when: str  # local wall time of the author, "YYYY-MM-DD HH:MM"
    author: str
    subject: str
    body: str = ""
    trailers: tuple[tuple[str, str], ...] = ()
    edits: tuple[Edit, ...] = ()
    readme: str | None = None  # new README.md text, if this commit changes it
    committer: str | None = None
    committed: str | None = None  # committer wall time when it differs
    branch: str = "main"
    kind: str = "normal"  # "normal", "rename", "merge"


def _material(rationale: str, effective: str | None = None) -> tuple[tuple[str, str], ...]:
    trailers = [("Rationale", rationale), ("Change-Type", "material")]
    if effective:
        trailers.append(("Effective-Date", effective))
    return tuple(trailers)


def _after(anchor: str, sentence: str) -> tuple[Edit, ...]:
    """Add `sentence` on a new line after the line ending with `anchor`."""
    return (("replace", f"{anchor}\n", f"{anchor}\n{sentence}\n"),)


def _editorial(rationale: str) -> tuple[tuple[str, str], ...]:
    return (("Rationale", rationale), ("Change-Type", "editorial"))


INITIAL_CHARTER = """\
# Ethical charter of the Hub ethics team

This charter says what the ethics team of the Hub values, what it works on, and how it holds itself to account.
It is a living document: every change is made in the open, in this repository, with the reason written down.

## Rigorous

We check our claims before we make them.
When we say that a model is biased, or that a dataset is safe to share, we show the evidence and the method, and we say what we could not test.
We would rather recieve a correction than keep an error.

## Consentful

People whose work, words, faces or voices end up in data deserve a say in it.
We support tools and practices that ask for consent and make it easy to withdraw.

## Socially conscious

Machine learning changes who holds power.
We look at who benefits from a project and who carries its risks.

## Sustainable

Training and serving models costs energy, water and hardware.
We encourage smaller models, shared checkpoints and honest reporting of compute.

## Inclusive

We want the Hub to work for people who are not like us.
We seek out contributors from communities that are under-represented in machine learning.

## Inquisitive

We do not have all the answers.
We ask questions in public, and we change our minds when we learn something new.
"""

SCOPE = """\
## Scope

This charter applies to the work of the ethics team: reviews of models, datasets and Spaces that are flagged to us, advice to other teams, the research we publish and the tools we build.
It does not replace the Hub's content policy or its terms of service ; it explains the values we bring to them.
"""

TRANSPARENCY = """\
## Transparency commitments

- We publish a newsletter at every equinox and solstice that reports what changed in this charter and why.
- We publish statistics about the flags the community raises and what was done about them, in aggregate only, so that no reporter can be identified.
- We say when we got something wrong
"""

PRINCIPLES = """\
## Content policy principles

The Hub's content policy is written and enforced by the whole company.
When we\x20\x20
take part in it, we hold to these principles:

1. Prefer the lightest action that addresses the harm: a note on a model card before a gate, a gate before removal.
2. Judge the artifact and its documented use, not the identity of its author.
3. Give the people affected a way to be heard and answer them.
4. Treat research on harmful content differently from its distribution, and say where we drew the line.
"""

CHANGES = """\
## How this charter changes

Anyone may propose a change by opening a pull request on this repository.
Each change needs a commit message that gives the reason for it and says whether it changes what we do (a material change) or only how we say it (an editorial change).
Each change lists its authors, as an acknowledgment of their work.
Material changes are discussed with the whole team for at least two weeks before they are merged, and they are reported in the next newsletter.
"""

INQUISITIVE_OLD = """\
## Inquisitive

We do not have all the answers.
We ask questions in public, and we change our minds when we learn something new.
"""

INQUISITIVE_NEW = """\
### Inquisitive

We do not have all the answers, and we say so.
We keep a public list of open questions that the team is working on, and we invite the community to work on them with us.
When we learn something that contradicts this charter, we change the charter.
"""

README_V1 = """\
# Ethics charter

This repository holds the ethical charter of the Hub ethics team, in `CHARTER.md`.

To propose a change, open a pull request.
Write the reason for the change in the commit message, with a `Rationale:` trailer and a `Change-Type:` trailer (`material` or `editorial`).
"""

README_V2 = (
    README_V1
    + """
## Maintainers

- Amara Okafor
- Jonas Lindqvist
- Priya Raman
"""
)

README_V3 = README_V2.replace(
    "To propose a change", "Questions: ethics-team@ethics.example.org.\n\nTo propose a change"
)

README_V4 = (
    README_V3
    + """
## Review rota

Each month one maintainer reviews open pull requests and flags material changes for the team meeting.
"""
)

README_V5 = README_V4.replace("in `CHARTER.md`", "in `charter/CHARTER.md`")

README_V6 = (
    README_V5
    + """
## Preview

Any Markdown viewer shows the charter as it will be published; there is nothing to build.
"""
)

# fmt: off
HISTORY: tuple[CharterCommit, ...] = (
    CharterCommit(
        "2022-05-16 10:20", "amara", "Add first draft of the ethics charter",
        "The team agreed on six values at its spring offsite.\nThis draft writes them down so that they can be discussed in the open.",
        _material("Start a public record of the values the team works by."),
        (("insert", None, INITIAL_CHARTER),),
    ),
    CharterCommit(
        "2022-06-02 14:05", "jonas", "Add a README on how to propose changes",
        "Contributors asked where to start.",
        _editorial("Explain the pull request process."),
        readme=README_V1,
    ),
    CharterCommit(
        "2022-07-05 09:40", "amara", "Define the scope of the charter",
        "The first draft did not say which work the charter covers.\nReviewers asked whether it binds the whole company; it does not.",
        _material("Make clear that the charter covers the ethics team's own work.", "2022-07-15"),
        (("insert", "## Rigorous", SCOPE),),
    ),
    CharterCommit(
        "2022-08-11 16:30", "priya", "Expand the consentful value to data removal",
        "People asked us for help to be removed from a scraped dataset.\nThe charter now says that we help them.",
        _material("Removal requests are part of consent, not an afterthought."),
        _after("make it easy to withdraw.", "When a dataset holds personal data, we ask its maintainers to document how consent was obtained, and we help people who ask to be removed from it."),
    ),
    CharterCommit(
        "2022-09-02 11:15", "jonas", "Fix typo in the rigorous section",
        edits=(("replace", "recieve", "receive"),),
    ),
    CharterCommit(
        "2022-10-06 08:50", "mateo", "Add transparency commitments",
        "The newsletter starts this season.\nThese commitments say what it will report.",
        _material("Readers should know what we promise to publish, and hold us to it.", "2022-11-01"),
        (("insert", None, TRANSPARENCY),),
    ),
    CharterCommit(
        "2022-11-14 13:25", "priya", "Say that inclusion covers languages",
        "Most model cards on the Hub are written in English only.",
        _material("Inclusion must include people who do not read English."),
        _after("under-represented in machine learning.", "We count languages other than English as part of that work: documentation, model cards and evaulations should not assume that every user reads English."),
    ),
    CharterCommit(
        "2022-12-01 17:45", "amara", "Add missing full stop in transparency list",
        edits=(("replace", "we got something wrong\n", "we got something wrong.\n"),),
    ),
    CharterCommit(
        "2023-01-18 10:10", "hana", "Add content policy principles",
        "The team now takes part in reviews of flagged content.\nThese principles say how we weigh a decision.",
        _material("Reviews need shared principles so that similar cases get similar outcomes.", "2023-02-01"),
        (("insert", "## Transparency commitments", PRINCIPLES),),
    ),
    CharterCommit(
        "2023-02-22 15:35", "mateo", "Commit to yearly sustainability reporting",
        "We ask others to report compute; we should do the same.",
        _material("Hold the team to the standard it asks of model authors."),
        _after("honest reporting of compute.", "Once a year we report the energy used by the team's own experiments."),
    ),
    CharterCommit(
        "2023-03-14 16:40", "priya", "Reword the socially conscious value",
        "The old wording said what we look at, not what we do about it.\nReviewed in a pull request that stayed open for two weeks.",
        _material("Looking is not enough; the value now commits us to speak up."),
        (("replace", "who carries its risks.\n", "who carries its risks, and we speak up when they are not the same people.\n"),),
        committer="jonas", committed="2023-03-27 09:10",
    ),
    CharterCommit(
        "2023-04-19 12:00", "jonas", "List the charter maintainers in the README",
        "New contributors did not know whom to ask for a review.",
        (),
        readme=README_V2,
    ),
    CharterCommit(
        "2023-05-09 09:05", "hana", "Add a section on how this charter changes",
        "The process lived only in the README, which is not part of the charter.",
        _material("The way the charter changes is itself a commitment.", "2023-06-01"),
        (("insert", None, CHANGES),),
    ),
    CharterCommit(
        "2023-06-07 18:20", "priya", "Remove trailing whitespace",
        edits=(("replace", "When we  \ntake part", "When we take part"),),
    ),
    CharterCommit(
        "2023-07-12 10:45", "amara", "Require impact notes for gated datasets",
        "Several gated datasets with personal data gave no reason for their gate.",
        _material("A gate should say whom it protects and how access is granted."),
        _after("say where we drew the line.", "5. A gated dataset that holds personal or sensitive data needs an impact note that says who may be harmed and how access is granted."),
    ),
    CharterCommit(
        "2023-08-30 14:15", "hana", "Describe how appeals work",
        "The transparency report will count appeals from next season.",
        _material("People affected by a decision need a way to contest it.", "2023-09-15"),
        _after("so that no reporter can be identified.", "- Anyone whose work is restricted after a flag may appeal; we report how many appeals we receive and how many decisions are reversed."),
    ),
    CharterCommit(
        "2023-10-04 11:30", "tomas", "Rewrite the inquisitive value around open questions",
        "The value said we ask questions, but not where or with whom.",
        _material("Make the open questions list part of the charter."),
        (("replace", INQUISITIVE_OLD, INQUISITIVE_NEW),),
        branch=SIDE_BRANCH,
    ),
    CharterCommit(
        "2023-10-11 09:55", "mateo", "Use British spelling of acknowledgement",
        edits=(("replace", "acknowledgment", "acknowledgement"),),
    ),
    CharterCommit(
        "2023-10-18 16:00", "amara", "Merge branch 'inquisitive-rewrite'",
        "Brings in the rewrite of the inquisitive value, discussed for two weeks.",
        _material("The team agreed to keep a public list of open questions."),
        kind="merge",
    ),
    CharterCommit(
        "2023-11-20 13:40", "priya", "Commit to publishing model card reviews",
        "Authors who asked for a review found it useful and agreed to share it.",
        _material("Reviews help others only if they are public."),
        _after("how many decisions are reversed.", "- When we review a model card at the request of its authors, we publish a summary of the review with their agreement."),
    ),
    CharterCommit(
        "2024-01-23 10:00", "jonas", "Add a contact address to the README",
        "People wrote to personal addresses.",
        (),
        readme=README_V3,
    ),
    CharterCommit(
        "2024-03-05 15:20", "tomas", "Document the review rota",
        "Pull requests waited weeks for a reviewer.",
        (),
        readme=README_V4,
    ),
    CharterCommit(
        "2024-04-10 09:30", "amara", "Move the charter into its own folder",
        "The repository will hold translations of the charter next to it.",
        _editorial("Make room for translations; the text does not change."),
        readme=README_V5, kind="rename",
    ),
    CharterCommit(
        "2024-05-15 11:50", "hana", "Require explicit consent for voice and face data",
        "Voice cloning Spaces trained on people who never agreed were flagged this spring.",
        _material("Voices and faces identify people; they need explicit consent.", "2024-06-01"),
        _after("who ask to be removed from it.", "Voice and face data need explicit consent from each person recorded, and we do not help to publish models trained on people who did not agree."),
    ),
    CharterCommit(
        "2024-07-09 08:25", "mateo", "Set targets for time to action on flags",
        "Flags waited too long this summer and reporters had no idea when to expect an answer.",
        _material("Targets make delays visible and let readers hold us to them."),
        _after("with their agreement.", "- We aim to act on flags about child safety within 24 hours and on all other flags within 14 days, and we publish how often we meet those targets."),
    ),
    CharterCommit(
        "2024-08-27 17:05", "priya", "Add a missing comma in principle 3",
        edits=(("replace", "to be heard and answer", "to be heard, and answer"),),
    ),
    CharterCommit(
        "2024-10-15 10:35", "tomas", "Extend the scope to collections and user profiles",
        "The flag form now covers collections and user profiles.",
        _material("The charter should cover everything the community can flag.", "2024-11-01"),
        (("replace", "datasets and Spaces that are flagged", "datasets, Spaces, collections and user profiles that are flagged"),),
    ),
    CharterCommit(
        "2024-11-26 14:50", "amara", "Commit to reporting missed targets",
        "The moderation backlog of summer 2024 went unexplained for months.",
        _material("Readers should hear about a missed target from us first."),
        _after("how often we meet those targets.", "- When we miss our own targets, as we did during the moderation backlog of summer 2024, we say so in the next newsletter and explain what we changed."),
    ),
    CharterCommit(
        "2025-01-21 09:15", "hana", "Ask model authors to disclose training energy",
        "Few model cards state the energy used for training.",
        _material("A template makes disclosure easy enough to become normal."),
        _after("the team's own experiments.", "We ask authors of large models to state the energy used for training on their model cards, and we provide a template for it."),
    ),
    CharterCommit(
        "2025-03-03 12:40", "jonas", "Correct the heading level of the inquisitive value",
        "The merge of October 2023 left it one level too deep.",
        _editorial("All six values are sections of the same level."),
        (("replace", "### Inquisitive", "## Inquisitive"),),
    ),
    CharterCommit(
        "2025-04-22 16:10", "priya", "Name the six values in the preamble",
        "Readers who stop after the first paragraph should still meet the values.",
        _material("The values are the heart of the charter and belong up front."),
        _after("with the reason written down.", "Six values guide us: we aim to be rigorous, consentful, socially conscious, sustainable, inclusive and inquisitive."),
    ),
    CharterCommit(
        "2025-06-03 10:00", "mateo", "Limit decisions made by automated tools alone",
        "Automated scanners now raise a third of all flags.",
        _material("People deserve a human review except for spam and known malware.", "2025-07-01"),
        _after("how access is granted.", "6. Automated tools may raise flags, but they act alone only on spam and known malware; every other automated decision is reviewed by a person."),
    ),
    CharterCommit(
        "2025-08-12 11:25", "tomas", "Explain how to preview the charter",
        "Contributors asked how to check their formatting.",
        (),
        readme=README_V6,
    ),
    CharterCommit(
        "2025-10-07 13:30", "amara", "Commit to publishing the suppression method",
        "Small counts in the transparency report are hidden to protect reporters.",
        _material("Readers should be able to check that hidden counts stay hidden."),
        _after("explain what we changed.", '- Counts smaller than ten are published as "fewer than ten", and we publish the method that keeps them from being worked out from the totals.'),
    ),
    CharterCommit(
        "2025-11-18 15:55", "hana", "Fix typo in the inclusive section",
        edits=(("replace", "evaulations", "evaluations"),),
    ),
    CharterCommit(
        "2026-01-27 09:45", "priya", "Add a right to an explanation",
        "Appeals showed that many people did not know which rule was applied.",
        _material("A decision that cannot be understood cannot be contested.", "2026-03-01"),
        _after("every other automated decision is reviewed by a person.", "7. Every decision that limits access to someone's work comes with a plain explanation of the rule applied and of how to appeal."),
    ),
    CharterCommit(
        "2026-02-24 14:20", "jonas", "Clarify what counts as high-risk use",
        "Reviewers disagreed about medical and immigration models.",
        _material("Name the domains so that reviews are consistent."),
        _after("of how to appeal.", "8. Models offered for medical, legal, financial or immigration decisions must say so on their card and state their limits, and they are reviewed before they are featured."),
    ),
    CharterCommit(
        "2026-04-14 10:05", "tomas", "Add accessibility to the inclusive value",
        "An audit found that two of our own Spaces could not be used with a screen reader.",
        _material("Inclusion includes people who use assistive technology."),
        _after("every user reads English.", "The pages, Spaces and tools we build meet WCAG 2.2 level AA, and we test them with screen readers."),
    ),
    CharterCommit(
        "2026-05-26 16:35", "mateo", "Reword the rigorous value for evaluations",
        "Most of our reviews now rest on evaluations rather than single examples.",
        _material("Evidence means reproducible evaluations, published with their code."),
        (("replace", "we show the evidence and the method, and we say what we could not test.\n", "we publish the evaluation behind the claim, with its data and code, and we say what we could not test.\n"),),
    ),
    CharterCommit(
        "2026-07-21 09:20", "hana", "Commit to a yearly external review",
        "A team that reviews others should be reviewed too.",
        _material("Outside reviewers see what the team has stopped noticing.", "2027-01-01"),
        _after("reported in the next newsletter.", "Once a year, starting in 2027, people outside the team review this charter, and we publish their report with our response."),
    ),
    CharterCommit(
        "2026-09-08 12:10", "amara", "Tidy the wording of how this charter changes",
        "Pull requests are opened in a repository, not on it.",
        _editorial("Plain wording; the process does not change."),
        (("replace", "pull request on this repository", "pull request in this repository"),),
    ),
    CharterCommit(
        "2026-10-13 10:40", "priya", "Require labels on synthetic media",
        "Generated images of real public figures spread from the Hub during an election.",
        _material("People must be able to tell generated media from records of real events.", "2026-12-01"),
        _after("before they are featured.", "9. Generated images, audio and video that could be mistaken for real people or events must be labelled as synthetic."),
    ),
    CharterCommit(
        "2026-11-10 17:30", "jonas", "Remove stray space before semicolon in scope",
        edits=(("replace", "terms of service ;", "terms of service;"),),
    ),
)
# fmt: on


def apply_edits(text: str, edits: tuple[Edit, ...]) -> str:
    """Apply each edit; an edit whose anchor is not found exactly once is a bug."""
    for op, anchor, new in edits:
        if op == "insert" and anchor is None:
            text = f"{text}\n{new}" if text else new
            continue
        if anchor is None or text.count(anchor) != 1:
            raise ValueError(f"charter edit anchor not unique: {anchor!r}")
        if op == "insert":
            text = text.replace(anchor, f"{new}\n{anchor}")
        else:
            text = text.replace(anchor, new)
    return text


def git_date(wall_time: str, person: Person) -> str:
    """Git's raw date format: seconds since the epoch and the author's offset."""
    offset = timedelta(hours=person.utc_offset_hours)
    local = datetime.strptime(wall_time, "%Y-%m-%d %H:%M").replace(tzinfo=timezone(offset))
    minutes = int(person.utc_offset_hours * 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{int(local.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def commit_message(commit: CharterCommit) -> str:
    parts = [commit.subject]
    if commit.body:
        parts.append(commit.body)
    if commit.trailers:
        parts.append("\n".join(f"{key}: {value}" for key, value in commit.trailers))
    return "\n\n".join(parts) + "\n"


class _Git:
    """Runs git in one repository, isolated from the machine's git config."""

    def __init__(self, repo: Path):
        self.repo = repo
        self.base_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(repo),
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "LC_ALL": "C",
            "TZ": "UTC",
        }

    def __call__(self, *args: str, commit: CharterCommit | None = None) -> str:
        env = dict(self.base_env)
        if commit is not None:
            author = PEOPLE[commit.author]
            committer = PEOPLE[commit.committer or commit.author]
            env.update(
                GIT_AUTHOR_NAME=author.name,
                GIT_AUTHOR_EMAIL=author.email,
                GIT_AUTHOR_DATE=git_date(commit.when, author),
                GIT_COMMITTER_NAME=committer.name,
                GIT_COMMITTER_EMAIL=committer.email,
                GIT_COMMITTER_DATE=git_date(commit.committed or commit.when, committer),
            )
        config = ["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"]
        result = subprocess.run(
            ["git", *config, *args],
            cwd=self.repo,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout.strip()


def write_charter_repo(repo: Path) -> str:
    """Create the charter repository at `repo` (must not exist); return HEAD's sha."""
    repo.mkdir(parents=True)
    git = _Git(repo)
    git("init", "--quiet", "--template=", "--initial-branch=main")
    texts = {"main": ""}
    branch = "main"
    charter_path = OLD_PATH
    for commit in HISTORY:
        if commit.kind == "merge":  # always into main, from the side branch
            git("checkout", "--quiet", "main")
            branch = "main"
            _merge(git, commit)
            texts["main"] = (repo / charter_path).read_text(encoding="utf-8")
            continue
        if commit.branch != branch:
            fresh = commit.branch not in texts
            git("checkout", "--quiet", *(["-b"] if fresh else []), commit.branch)
            texts.setdefault(commit.branch, texts[branch])
            branch = commit.branch
        if commit.kind == "rename":
            (repo / NEW_PATH).parent.mkdir(parents=True, exist_ok=True)
            git("mv", OLD_PATH, NEW_PATH)
            charter_path = NEW_PATH
        if commit.edits:
            texts[commit.branch] = apply_edits(texts[commit.branch], commit.edits)
            _write(repo / charter_path, texts[commit.branch])
            git("add", "--", charter_path)
        if commit.readme is not None:
            _write(repo / "README.md", commit.readme)
            git("add", "--", "README.md")
        message = commit_message(commit)
        git("commit", "--quiet", "--cleanup=verbatim", "-m", message, commit=commit)
    return git("rev-parse", "HEAD")


def _merge(git: _Git, commit: CharterCommit) -> None:
    git(
        "merge",
        "--quiet",
        "--no-ff",
        "--no-edit",
        "-m",
        commit_message(commit).rstrip("\n"),
        SIDE_BRANCH,
        commit=commit,
    )
    git("branch", "--quiet", "-d", SIDE_BRANCH)


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))
