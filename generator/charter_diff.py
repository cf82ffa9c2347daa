"""Compare versions of the charter: word-level diff, sections touched, kind.

Git computes the word diff (in C, in the same `git log` run that lists the
changes: ``--word-diff=porcelain -U0``); this module turns its output into
the public diff, works out which Markdown sections the changed lines fall
under, and classifies the change. Everything here is pure (no git, no I/O).

The diff is stored in data.json as a list of operations, each
``{"op": "equal" | "insert" | "delete", "text": ...}``. Unchanged text between
changes is cut down to a few words of context; what is left out is recorded
as ``{"op": "skip", "lines": n}`` (the line breaks it held; 0 when it was
part of one long line). Past `max_changed_chars` of inserted plus
deleted text the list stops and ``truncated`` is true, so the rewrite of a
huge document stays small in the public data.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from generator.charter_index import Hunk, Lines, Outline, TextIndex, heading_paths, index_text

__all__ = [
    "spelling_key",
    "EDITORIAL",
    "GIT_WORD_REGEX",
    "MATERIAL",
    "DiffLimits",
    "Hunk",
    "TextIndex",
    "build_diff",
    "classify_hunks",
    "heading_paths",
    "index_text",
    "meaningful_words",
    "parse_word_diff",
    "sections_touched",
]

# Words are runs of letters and digits (any bytes but spaces and ASCII
# punctuation, so UTF-8 letters stay whole); each punctuation mark is a word.
GIT_WORD_REGEX = r"[^[:space:][:punct:]]+|[[:punct:]]"

# For counting and context, a word is anything between whitespace.
_NON_SPACE = re.compile(r"\S")
_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
# Characters that only format Markdown (emphasis, code, quotes, tables, lists).
_FORMATTING_CHARS = frozenset("`*_~#>|+=")

MATERIAL = "material"
EDITORIAL = "editorial"


@dataclass(frozen=True)
class DiffLimits:
    """How much of a diff is kept in the public data."""

    context_words: int = 12
    max_changed_chars: int = 20_000


def _range(start: str, count: str | None) -> tuple[int, int]:
    size = 1 if count is None else int(count)
    first = int(start) if size == 0 else int(start) - 1
    return first, first + size


def parse_word_diff(lines: Iterable[str]) -> list[Hunk]:
    """Hunks from `git diff --word-diff=porcelain` lines (file headers skipped).

    Porcelain marks newlines with "~" whatever side they belong to; a newline
    ending a line made only of insertions (or deletions) is counted as one.
    """
    hunks: list[Hunk] = []
    ops: list[tuple[str, str]] = []
    whole = None  # "insert" or "delete" when the hunk has lines on one side only
    seen = 0  # the kinds of op on the current line, as bits of _KINDS
    for line in lines:
        kind = _KINDS.get(line[:1])
        if kind is None:
            header = _HUNK_HEADER.match(line) if line.startswith("@@") else None
            if header:
                old = _range(header.group(1), header.group(2))
                new = _range(header.group(3), header.group(4))
                hunks.append(Hunk(old[0], old[1], new[0], new[1]))
                ops = hunks[-1].ops
                whole = "insert" if old[0] == old[1] else "delete" if new[0] == new[1] else None
                seen = 0
            continue
        if not hunks:
            continue
        if kind:
            op, text = _OPS[kind], line[1:]
            seen |= kind
        else:
            op, text = whole or _NEWLINE_OPS.get(seen, "equal"), "\n"
            seen = 0
        # Added to the last op when it is of the same kind: fewer, longer ops.
        if ops and ops[-1][0] == op:
            ops[-1] = (op, ops[-1][1] + text)
        else:
            ops.append((op, text))
    return hunks


# Line markers of the porcelain format: "~" ends a line (0), the others carry
# a word run of one kind (a bit each, to record which kinds a line holds).
_KINDS = {"~": 0, " ": 1, "+": 2, "-": 4}
_OPS = {1: "equal", 2: "insert", 4: "delete"}
_NEWLINE_OPS = {2: "insert", 4: "delete"}  # a line of insertions (deletions) only


# --- the public diff --------------------------------------------------------


def _count_words(text: str) -> int:
    return len(text.split())


# An equal, insert or delete run of the diff being built: (op, source, start,
# end, newlines). Its text is source[start:end], not a copy: unchanged runs
# are most of the charter and only their first and last words are kept, so
# they are read in place. `newlines` counts the line breaks of equal runs
# (from line numbers, not by scanning the text). Plain tuples: a diff is
# built for every version of the charter.
_Run = tuple[str, str, int, int, int]


def _own_run(op: str, text: str) -> _Run:
    return (op, text, 0, len(text), text.count("\n") if op == "equal" else 0)


def _join_equal(first: _Run, second: _Run) -> _Run:
    """Two adjacent equal runs as one, in place in the charter when they are there."""
    _, source, start, end, newlines = first
    _, other, other_start, other_end, other_newlines = second
    newlines += other_newlines
    if source is other and end == other_start:
        return ("equal", source, start, other_end, newlines)
    # A hunk's unchanged words next to a gap are usually the text that
    # follows (or precedes) the gap in the charter itself.
    size = other_end - other_start
    if end + size <= len(source) and source.startswith(other[other_start:other_end], end):
        return ("equal", source, start, end + size, newlines)
    size = end - start
    if size <= other_start and other.startswith(source[start:end], other_start - size):
        return ("equal", other, other_start - size, other_end, newlines)
    text = source[start:end] + other[other_start:other_end]
    return ("equal", text, 0, len(text), newlines)


def _fold_whitespace(runs: list[_Run]) -> list[_Run]:
    """Absorb whitespace-only equal runs between changes, then regroup.

    "Removed: a b, Added: c d" reads better than "Removed: a, Added: c, (space),
    Removed: b, Added: d". Adjacent runs of one kind are merged.
    """
    grouped: list[_Run] = []
    deleted: list[str] = []
    inserted: list[str] = []
    last = len(runs) - 1
    for index, run in enumerate(runs):
        op, source, start, end, _ = run
        if op != "equal":
            (deleted if op == "delete" else inserted).append(source[start:end])
            continue
        if (
            0 < index < last
            and runs[index - 1][0] != "equal"
            and runs[index + 1][0] != "equal"
            and not _NON_SPACE.search(source, start, end)
        ):
            # Whitespace between two changes: taken into both.
            deleted.append(source[start:end])
            inserted.append(source[start:end])
            continue
        if deleted or inserted:
            _flush_changes(grouped, deleted, inserted)
        if grouped and grouped[-1][0] == "equal":
            grouped[-1] = _join_equal(grouped[-1], run)
        elif end > start:
            grouped.append(run)
    _flush_changes(grouped, deleted, inserted)
    return grouped


def _flush_changes(grouped: list[_Run], deleted: list[str], inserted: list[str]) -> None:
    """Pending changes as one deletion then one insertion (the lists are emptied)."""
    if deleted:
        text = "".join(deleted)
        grouped.append(("delete", text, 0, len(text), 0))
        deleted.clear()
    if inserted:
        text = "".join(inserted)
        grouped.append(("insert", text, 0, len(text), 0))
        inserted.clear()


def _trim_equal(run: _Run, *, keep_head: bool, keep_tail: bool, context: int) -> list[dict]:
    """Cut an unchanged run down to `context` words next to each change."""
    head_words = context if keep_head else 0
    tail_words = context if keep_tail else 0
    _, text, start, end, newlines = run
    # A text of n characters has at most (n + 1) // 2 words: most runs between
    # two changes are short, and need no scan at all.
    if (end - start + 1) // 2 <= head_words + tail_words:
        return [{"op": "equal", "text": text[start:end]}]
    head_end = _end_of_words(text, start, end, head_words)
    tail_start = _start_of_last_words(text, start, end, tail_words)
    if tail_start <= head_end or not _NON_SPACE.search(text, head_end, tail_start):
        return [{"op": "equal", "text": text[start:end]}]  # nothing worth leaving out
    out: list[dict] = []
    if head_end > start:
        out.append({"op": "equal", "text": text[start:head_end]})
    # Only the kept ends are scanned for line breaks, never the long middle.
    skipped = newlines - text.count("\n", start, head_end) - text.count("\n", tail_start, end)
    out.append({"op": "skip", "lines": skipped})
    if tail_start < end:
        out.append({"op": "equal", "text": text[tail_start:end]})
    return out


def _end_of_words(text: str, start: int, end: int, count: int) -> int:
    """Where the first `count` words of text[start:end] end (`start` for none)."""
    if count <= 0:
        return start
    found = _first_words(count).match(text, start, end)
    assert found is not None  # the pattern matches the empty string
    return found.end()


@functools.lru_cache(maxsize=8)
def _first_words(count: int) -> re.Pattern[str]:
    # Greedy, and nothing follows: the first match takes whole words, up to
    # `count` of them, and ends after the last one's last character.
    return re.compile(rf"(?:\s*\S+){{0,{count}}}")


def _start_of_last_words(text: str, start: int, end: int, count: int) -> int:
    """Where the last `count` words of text[start:end] start (`end` for none).

    Reads backwards through a growing window rather than reversing the whole
    text: the run after the last change is most of a long charter.
    """
    if count <= 0:
        return end
    window = 16 * count
    while True:
        tail = text[max(start, end - window) : end][::-1]
        found = _end_of_words(tail, 0, len(tail), count)
        # The count-th word is whole if whitespace follows it in the window,
        # or the window is the whole text.
        if found < len(tail) or len(tail) == end - start:
            return end - found
        window *= 4


def _compact(runs: list[_Run], limits: DiffLimits) -> dict:
    result: list[dict] = []
    budget = limits.max_changed_chars
    truncated = False
    last = len(runs) - 1
    words = {"insert": 0, "delete": 0}
    for index, run in enumerate(runs):
        op, text = run[0], run[1]  # changes are runs of their own (text is whole)
        if op == "equal":
            result += _trim_equal(
                run, keep_head=index > 0, keep_tail=index < last, context=limits.context_words
            )
            continue
        words[op] += _count_words(text)
        if truncated:
            continue
        if len(text) > budget:
            if budget:
                result.append({"op": op, "text": text[:budget]})
            truncated = True
            continue
        budget -= len(text)
        result.append({"op": op, "text": text})
    return {
        "ops": result,
        "words_inserted": words["insert"],
        "words_deleted": words["delete"],
        "truncated": truncated,
    }


def _gap(lines: Lines, start: int, end: int) -> _Run | None:
    """Lines [start, end) of the text, in place, or None if there are none."""
    first, last = lines.offset(start), lines.offset(end)
    if last <= first:
        return None
    if not 0 <= start <= end <= lines.count:
        return _own_run("equal", lines.text[first:last])  # not a range of lines
    # Every line ends with a break, except a last line without one.
    unterminated = end == lines.count and not lines.text.endswith("\n")
    return ("equal", lines.text, first, last, end - start - unterminated)


def build_diff(hunks: list[Hunk], new: str | TextIndex, limits: DiffLimits = DiffLimits()) -> dict:
    """The public diff: hunks with the unchanged new text between them."""
    lines = _index(new).lines
    runs: list[_Run] = []
    position = 0
    for hunk in hunks:
        if gap := _gap(lines, position, hunk.new_start):
            runs.append(gap)
        runs += [
            (op, text, 0, len(text), text.count("\n") if op == "equal" else 0)
            for op, text in hunk.ops
        ]
        position = max(position, hunk.new_end)
    if tail := _gap(lines, position, lines.count):
        runs.append(tail)
    return _compact(_fold_whitespace(runs), limits)


# --- sections -----------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _index_of(text: str) -> TextIndex:
    # Cached for callers that pass texts: each change's "after" is the next
    # change's "before". The collector passes indexes it derives itself.
    return index_text(text)


def _index(text_or_index: str | TextIndex) -> TextIndex:
    return text_or_index if isinstance(text_or_index, TextIndex) else _index_of(text_or_index)


def _touched(outline: Outline, start: int, end: int) -> list[tuple[str, ...]]:
    end = min(end, outline.lines_of.count)
    if start >= end:
        return []
    paths = outline.paths(start, end)
    lines = outline.lines_of.lines(start, end)
    # Blank lines added or removed at a section's edge do not touch it.
    return [p for p, line in zip(paths, lines, strict=True) if line.strip()]


def sections_touched(
    hunks: list[Hunk], old: str | TextIndex, new: str | TextIndex
) -> list[list[str]]:
    """Heading paths of the sections the changed lines fall under, in order."""
    old_outline, new_outline = _index(old).outline, _index(new).outline
    found: list[tuple[str, ...]] = []
    for hunk in hunks:
        touched = _touched(new_outline, hunk.new_start, hunk.new_end)
        touched += _touched(old_outline, hunk.old_start, hunk.old_end)
        if not touched and new_outline.lines_of.count:
            at = min(max(hunk.new_start - 1, 0), new_outline.lines_of.count - 1)
            touched = new_outline.paths(at, at + 1)
        for path in touched:
            if path not in found:
                found.append(path)
    return [list(path) for path in found]


# --- classification -----------------------------------------------------------


class _FormattingToSpace(dict):
    """str.translate table: punctuation and Markdown formatting become spaces.

    Filled lazily, one entry per distinct character, so translate stays fast.
    """

    def __missing__(self, code: int) -> int:
        char = chr(code)
        formatting = char in _FORMATTING_CHARS or unicodedata.category(char).startswith("P")
        self[code] = ord(" ") if formatting else code
        return self[code]


_TO_SPACE = _FormattingToSpace()


def meaningful_words(text: str) -> list[str]:
    """The words of a text, ignoring whitespace, punctuation and formatting."""
    return text.translate(_TO_SPACE).split()


# British and American spellings of one word (colour/color, organise/organize,
# centre/center, travelled/traveled, defence/defense, catalogue/catalog,
# judgement/judgment, programme/program, paediatric/pediatric): each pattern
# rewrites the British form to the American one. Only these regular
# patterns count, not "any small edit": "not" and "now" differ by one letter
# and mean opposite things. Each rewrite needs a few letters before it, so
# short words such as "four" (for), "hour" or "are" are never touched.
_SPELLING_VARIANTS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"(?<=[a-z]{3})our(?=s?$|ed$|ing$|ite|able|ful|er)", "or"),
        (r"(?<=[a-z]{2})is(?=e$|es$|ed$|ing$|ation|er$|ers$)", "iz"),
        (r"(?<=[a-z]{2})ys(?=e$|es$|ed$|ing$)", "yz"),
        (r"(?<=[a-z]{2}[^aeiou])re(?=s?$)", "er"),
        (r"(?<=[a-z]{3})ence(?=s?$)", "ense"),
        (r"(?<=[a-z]{3}[aeiou])ll(?=ed$|ing$|er$|ers$)", "l"),
        (r"(?<=[a-z]{3})ogue(?=s?$)", "og"),
        (r"(?<=[a-z]{2})dge(?=ment|ing$)", "dg"),
        (r"(?<=[a-z]{4})amme(?=s?$)", "am"),
        (r"(?<=[a-z])(?:ae|oe)(?=[a-z]{3})", "e"),
    )
)


@functools.lru_cache(maxsize=4096)
def spelling_key(word: str) -> str:
    """The word with British spellings rewritten to American ones.

    Two words with the same key are spelling variants of each other. Case
    is kept: "Committee" and "committee" differ (a defined term, a name).
    """
    for pattern, replacement in _SPELLING_VARIANTS:
        word = pattern.sub(replacement, word)
    return word


def _same_words(removed: list[str], added: list[str]) -> bool:
    if removed == added:
        return True
    return len(removed) == len(added) and all(
        old == new or spelling_key(old) == spelling_key(new)
        for old, new in zip(removed, added, strict=True)
    )


def classify_hunks(hunks: list[Hunk], *, whole_file: bool) -> str:
    """'editorial' when only whitespace, punctuation, formatting or spelling changed.

    Adding or deleting the whole charter (`whole_file`) is always material.
    In each hunk, the words removed and the words added (in order) must be
    the same for the change to be editorial, or differ only as British and
    American spellings of one word (acknowledgment, acknowledgement): case,
    digits and symbols such as ≤ or % count.
    """
    if whole_file:
        return MATERIAL
    for hunk in hunks:
        removed = "".join(text for op, text in hunk.ops if op == "delete")
        added = "".join(text for op, text in hunk.ops if op == "insert")
        if not _same_words(meaningful_words(removed), meaningful_words(added)):
            return MATERIAL
    return EDITORIAL
