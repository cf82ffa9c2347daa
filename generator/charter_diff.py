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

import bisect
import functools
import itertools
import operator
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

# Words are runs of letters and digits (any bytes but spaces and ASCII
# punctuation, so UTF-8 letters stay whole); each punctuation mark is a word.
GIT_WORD_REGEX = r"[^[:space:][:punct:]]+|[[:punct:]]"

# For counting and context, a word is anything between whitespace.
_WORD = re.compile(r"\S+")
_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Characters that only format Markdown (emphasis, code, quotes, tables, lists).
_FORMATTING_CHARS = frozenset("`*_~#>|+=")

MATERIAL = "material"
EDITORIAL = "editorial"


@dataclass(frozen=True)
class DiffLimits:
    """How much of a diff is kept in the public data."""

    context_words: int = 12
    max_changed_chars: int = 20_000


@dataclass
class Hunk:
    """One hunk of a word diff: 0-based half-open line ranges, and its ops."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    ops: list[tuple[str, str]] = field(default_factory=list)


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
    line_ops: set[str] = set()
    for line in lines:
        header = _HUNK_HEADER.match(line) if line.startswith("@@") else None
        if header:
            old = _range(header.group(1), header.group(2))
            new = _range(header.group(3), header.group(4))
            hunks.append(Hunk(old[0], old[1], new[0], new[1]))
            line_ops = set()
            continue
        if not hunks or not line:
            continue
        marker, text = line[0], line[1:]
        hunk = hunks[-1]
        if marker == "~":
            _append(hunk.ops, _newline_op(hunk, line_ops), "\n")
            line_ops = set()
        elif marker in _MARKERS:
            op = _MARKERS[marker]
            _append(hunk.ops, op, text)
            line_ops.add(op)
    return hunks


_MARKERS = {" ": "equal", "+": "insert", "-": "delete"}


def _append(ops: list[tuple[str, str]], op: str, text: str) -> None:
    """Add to the last op when it is of the same kind: fewer, longer ops."""
    if ops and ops[-1][0] == op:
        ops[-1] = (op, ops[-1][1] + text)
    else:
        ops.append((op, text))


def _newline_op(hunk: Hunk, line_ops: set[str]) -> str:
    if hunk.old_start == hunk.old_end:
        return "insert"
    if hunk.new_start == hunk.new_end:
        return "delete"
    return line_ops.pop() if line_ops in ({"insert"}, {"delete"}) else "equal"


# --- the public diff --------------------------------------------------------


def _count_words(text: str) -> int:
    return len(text.split())


def _fold_whitespace(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Absorb whitespace-only equal runs between changes, then regroup.

    "Removed: a b, Added: c d" reads better than "Removed: a, Added: c, (space),
    Removed: b, Added: d". Adjacent runs of one kind are merged.
    """
    folded: list[tuple[str, str]] = []
    for index, (op, text) in enumerate(ops):
        between_changes = (
            op == "equal"
            and not text.strip()
            and 0 < index < len(ops) - 1
            and ops[index - 1][0] != "equal"
            and ops[index + 1][0] != "equal"
        )
        if between_changes:
            folded.extend([("delete", text), ("insert", text)])
        else:
            folded.append((op, text))
    grouped: list[tuple[str, str]] = []
    pending = {"delete": "", "insert": ""}
    for op, text in folded + [("equal", "")]:
        if op != "equal":
            pending[op] += text
            continue
        for kind in ("delete", "insert"):
            if pending[kind]:
                grouped.append((kind, pending[kind]))
                pending[kind] = ""
        if grouped and grouped[-1][0] == "equal":
            grouped[-1] = ("equal", grouped[-1][1] + text)
        elif text:
            grouped.append(("equal", text))
    return grouped


def _trim_equal(text: str, *, keep_head: bool, keep_tail: bool, context: int) -> list[dict]:
    """Cut an unchanged run down to `context` words next to each change."""
    head_words = context if keep_head else 0
    tail_words = context if keep_tail else 0
    # A text of n characters has at most (n + 1) // 2 words: most runs between
    # two changes are short, and need no scan at all.
    if (len(text) + 1) // 2 <= head_words + tail_words:
        return [{"op": "equal", "text": text}]
    head_end = _end_of_words(text, head_words)
    tail_start = len(text) - _end_of_words(text[::-1], tail_words)
    if tail_start <= head_end or not text[head_end:tail_start].strip():
        return [{"op": "equal", "text": text}]  # nothing worth leaving out
    out: list[dict] = []
    if head_end:
        out.append({"op": "equal", "text": text[:head_end]})
    out.append({"op": "skip", "lines": text.count("\n", head_end, tail_start)})
    if tail_start < len(text):
        out.append({"op": "equal", "text": text[tail_start:]})
    return out


def _end_of_words(text: str, count: int) -> int:
    """Where the first `count` words of text end (0 for none)."""
    end = 0
    for end_match in itertools.islice(_WORD.finditer(text), count):
        end = end_match.end()
    return end


def _compact(ops: list[tuple[str, str]], limits: DiffLimits) -> dict:
    result: list[dict] = []
    budget = limits.max_changed_chars
    truncated = False
    for index, (op, text) in enumerate(ops):
        if op == "equal":
            result.extend(
                _trim_equal(
                    text,
                    keep_head=index > 0,
                    keep_tail=index < len(ops) - 1,
                    context=limits.context_words,
                )
            )
            continue
        if len(text) > budget:
            if budget:
                result.append({"op": op, "text": text[:budget]})
            truncated = True
            break
        budget -= len(text)
        result.append({"op": op, "text": text})
    return {
        "ops": result,
        "words_inserted": sum(_count_words(t) for op, t in ops if op == "insert"),
        "words_deleted": sum(_count_words(t) for op, t in ops if op == "delete"),
        "truncated": truncated,
    }


class Lines:
    """A text addressed by line number ("\n" only, as git numbers lines).

    Keeps line start offsets, not a list of line strings, so slicing a few
    line ranges out of a long text stays cheap.
    """

    def __init__(self, text: str):
        self.text = text
        parts = text.split("\n")
        if parts[-1] == "":
            parts.pop()
        self.count = len(parts)
        # Start of line k: the lengths of the lines before it plus their "\n"
        # (map and accumulate keep this loop in C).
        widths = map(operator.add, map(len, parts), itertools.repeat(1))
        self._starts = list(itertools.accumulate(widths, initial=0))

    def offset(self, line: int) -> int:
        return min(self._starts[min(max(line, 0), self.count)], len(self.text))

    def slice(self, start: int, end: int) -> str:
        return self.text[self.offset(start) : self.offset(end)]

    def lines(self, start: int, end: int) -> list[str]:
        end = min(end, self.count)
        return self.slice(start, end).split("\n")[: max(end - start, 0)]


@functools.lru_cache(maxsize=4)
def _lines(text: str) -> Lines:
    # Cached: each change's "after" is the next change's "before".
    return Lines(text)


def build_diff(hunks: list[Hunk], new_text: str, limits: DiffLimits = DiffLimits()) -> dict:
    """The public diff: hunks with the unchanged new text between them."""
    lines = _lines(new_text)
    ops: list[tuple[str, str]] = []
    position = 0
    for hunk in hunks:
        gap = lines.slice(position, hunk.new_start)
        if gap:
            ops.append(("equal", gap))
        ops.extend(hunk.ops)
        position = max(position, hunk.new_end)
    tail = new_text[lines.offset(position) :]
    if tail:
        ops.append(("equal", tail))
    return _compact(_fold_whitespace(ops), limits)


# --- sections -----------------------------------------------------------------

Heading = tuple[int, str]  # (level, title)
_EMPHASIS = str.maketrans("", "", "*_`")


def _clean_heading(title: str) -> str:
    return " ".join(title.translate(_EMPHASIS).split())


def _heading_at(lines: list[str], index: int) -> Heading | None:
    """The heading that line `index` starts: ATX, or the title of a setext one."""
    line = lines[index]
    first = line.lstrip(" ")[:1] if line[:1] == " " else line[:1]
    if first == "#":
        atx = _ATX_HEADING.match(line)
        if atx:
            return len(atx.group(1)), _clean_heading(atx.group(2) or "")
        return None
    if index + 1 < len(lines) and first and line.strip():
        below = lines[index + 1]
        if below.lstrip(" ")[:1] in ("=", "-") and not _FENCE.match(line):
            underline = _SETEXT_UNDERLINE.match(below)
            if underline:
                return (1 if underline.group(1)[0] == "=" else 2), _clean_heading(line)
    return None


def _fence_free(lines: list[str]) -> list[bool]:
    """For each line, whether it is outside fenced code blocks (headings count there)."""
    outside: list[bool] = []
    fence: str | None = None
    for line in lines:
        opener = _FENCE.match(line)
        if fence is None:
            outside.append(opener is None)
            fence = opener.group(1) if opener else None
        else:
            outside.append(False)
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
    return outside


# Line starts that matter to the outline, found in one scan (the literal "\n"
# first keeps it fast): an ATX heading at the margin (groups 1-2), or a line
# only the line-by-line parse handles: setext underline, indented heading, fence.
_LINE_MARKS = re.compile(
    r"\n(?:(#{1,6})(?:[ \t]([^\n]*))?(?=\n|$)"
    r"| {0,3}(?:=+|-+)[ \t]*(?=\n|$)| {1,3}#| {0,3}(?:```|~~~))"
)
_ATX_ANYWHERE = re.compile(r"\n(#{1,6})(?:[ \t]([^\n]*))?(?=\n|$)")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")


class _Outline:
    """The Markdown headings a text's lines fall under.

    ATX (`## Title`) and setext (underlined) headings count, except in fenced
    code. For the usual charter (ATX headings at the margin, no fences) one
    regex scan indexes the headings and a look-up is a bisection; otherwise
    a path is found by walking up, line by line, from the changed line.
    """

    def __init__(self, text: str):
        self.lines_of = _lines(text)
        self.text = text
        headings = []
        self._fast = True
        for match in _LINE_MARKS.finditer("\n" + text):
            if match.group(1) is None:
                self._fast = False
                break
            headings.append(match)
        # The slow path works on a list of lines; the fast one never needs it.
        self.lines = [] if self._fast else self.lines_of.lines(0, self.lines_of.count)
        self._usable = None if self._fast else _fence_free(self.lines)
        self._offsets: list[int] = []
        self._paths: list[tuple[str, ...]] = []
        if self._fast:
            self._offsets = [match.start() for match in headings]  # offsets in the text
            self._paths = list(_atx_paths(tuple(match.group(0) for match in headings)))

    def _fast_path(self, line: int) -> tuple[str, ...]:
        found = bisect.bisect_right(self._offsets, self.lines_of.offset(line)) - 1
        return self._paths[found] if found >= 0 else ()

    def heading(self, index: int) -> Heading | None:
        if self._usable is not None and not self._usable[index]:
            return None
        return _heading_at(self.lines, index)

    def stack_above(self, index: int) -> list[Heading]:
        """Headings in effect just before line `index`, top level first."""
        found: list[Heading] = []
        need = 7
        for above in range(index - 1, -1, -1):
            heading = self.heading(above)
            if heading and heading[0] < need:
                found.append(heading)
                need = heading[0]
                if need == 1:
                    break
        return found[::-1]

    def paths(self, start: int, end: int) -> list[tuple[str, ...]]:
        """The heading path of each line in [start, end)."""
        if self._fast:
            return [self._fast_path(line) for line in range(start, end)]
        stack = self.stack_above(start)
        out: list[tuple[str, ...]] = []
        for index in range(start, end):
            heading = self.heading(index)
            if heading:
                stack = [h for h in stack if h[0] < heading[0]] + [heading]
            out.append(tuple(title for _, title in stack))
        return out


@functools.lru_cache(maxsize=64)
def _atx_paths(heading_lines: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The path at each of these ATX heading lines. Cached: versions of a
    charter nearly always share their headings."""
    paths: list[tuple[str, ...]] = []
    stack: list[Heading] = []
    for line in heading_lines:
        match = _ATX_ANYWHERE.match(line)
        assert match is not None  # these lines were found by the same pattern
        level = len(match.group(1))
        title = _clean_heading(_CLOSING_HASHES.sub("", match.group(2) or ""))
        stack = [h for h in stack if h[0] < level] + [(level, title)]
        paths.append(tuple(t for _, t in stack))
    return tuple(paths)


def heading_paths(lines: list[str]) -> list[tuple[str, ...]]:
    """The heading path of every line (a heading line is in its own section)."""
    return _Outline("\n".join(lines)).paths(0, len(lines))


@functools.lru_cache(maxsize=4)
def _outline(text: str) -> _Outline:
    # Cached: each change's "after" is the next change's "before".
    return _Outline(text)


def _touched(outline: _Outline, start: int, end: int) -> list[tuple[str, ...]]:
    end = min(end, outline.lines_of.count)
    if start >= end:
        return []
    paths = outline.paths(start, end)
    lines = outline.lines_of.lines(start, end)
    # Blank lines added or removed at a section's edge do not touch it.
    return [p for p, line in zip(paths, lines, strict=True) if line.strip()]


def sections_touched(hunks: list[Hunk], old_text: str, new_text: str) -> list[list[str]]:
    """Heading paths of the sections the changed lines fall under, in order."""
    old, new = _outline(old_text), _outline(new_text)
    found: list[tuple[str, ...]] = []
    for hunk in hunks:
        touched = _touched(new, hunk.new_start, hunk.new_end)
        touched += _touched(old, hunk.old_start, hunk.old_end)
        if not touched and new.lines_of.count:
            at = min(max(hunk.new_start - 1, 0), new.lines_of.count - 1)
            touched = new.paths(at, at + 1)
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


def classify_hunks(hunks: list[Hunk], *, whole_file: bool) -> str:
    """'editorial' when only whitespace, punctuation or formatting changed.

    Adding or deleting the whole charter (`whole_file`) is always material.
    In each hunk, the words removed and the words added (in order) must be
    the same for the change to be editorial: case, digits and symbols such
    as ≤ or % count.
    """
    if whole_file:
        return MATERIAL
    for hunk in hunks:
        removed = "".join(text for op, text in hunk.ops if op == "delete")
        added = "".join(text for op, text in hunk.ops if op == "insert")
        if meaningful_words(removed) != meaningful_words(added):
            return MATERIAL
    return EDITORIAL
