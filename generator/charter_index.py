"""Line and heading indexes of the charter's versions, built incrementally.

To say which sections a change touched, each version of the charter needs two
indexes: where its lines start, and which Markdown headings they fall under.
Scanning a whole version costs far more than reading it, and a charter's
history is thousands of versions that differ by a few lines. So a version's
index is derived from the previous version's and the change's hunks: lines
outside the hunks keep their headings and move by the hunk's line and
character deltas; only the hunks' new lines are scanned.

The derivation is checked, not trusted: the unchanged stretches of the two
texts are compared (in C, one memory comparison each). If the hunks do not
match the texts (a binary diff, a merge whose "before" is another version,
anything unexpected) the version is simply indexed from scratch.
Everything here is pure (no git, no I/O).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass
class Hunk:
    """One hunk of a word diff: 0-based half-open line ranges, and its ops."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    ops: list[tuple[str, str]] = field(default_factory=list)


# --- lines ------------------------------------------------------------------


def _end_sentinel(text: str) -> int:
    # Where a line after the last one would start: a last line without "\n"
    # is counted as if it had one (as `Lines` always has).
    return len(text) + (0 if not text or text.endswith("\n") else 1)


_BLOCK = 64  # lines per block of line starts


class Lines:
    """A text addressed by line number ("\n" only, as git numbers lines).

    Keeps line start offsets, not a list of line strings, so slicing a few
    line ranges out of a long text stays cheap. The offsets are kept in
    blocks of about `_BLOCK` lines, each with a shift to add to its entries:
    a version derived from the previous one (`advanced`) shares every block
    its hunks leave alone, and only moves their shifts.
    """

    text: str
    count: int
    _firsts: list[int]  # the first line of each block
    _blocks: list[list[int]]  # line starts, less the block's shift
    _shifts: list[int]
    _end: int  # where a line after the last would start

    def __init__(self, text: str):
        parts = text.split("\n")
        if parts[-1] == "":
            parts.pop()
        # Start of line k: the lengths of the lines before it plus their "\n"
        # (map and accumulate keep this loop in C).
        widths = map(operator.add, map(len, parts), itertools.repeat(1))
        starts = list(itertools.accumulate(widths, initial=0))
        end = starts.pop()
        firsts = list(range(0, len(parts), _BLOCK))
        blocks = [starts[first : first + _BLOCK] for first in firsts]
        self._set(text, firsts, blocks, [0] * len(blocks), end)

    def _set(
        self, text: str, firsts: list[int], blocks: list[list[int]], shifts: list[int], end: int
    ) -> None:
        self.text, self._firsts, self._blocks, self._shifts, self._end = (
            text,
            firsts,
            blocks,
            shifts,
            end,
        )
        self._length = len(text)
        self.count = firsts[-1] + len(blocks[-1]) if blocks else 0

    def _start(self, line: int) -> int:
        """Where line 0 <= `line` <= count starts (past the end for `count`)."""
        if line >= self.count:
            return self._end
        block = bisect.bisect_right(self._firsts, line) - 1
        return self._blocks[block][line - self._firsts[block]] + self._shifts[block]

    def offset(self, line: int) -> int:
        start = self._start(line if line > 0 else 0)
        return start if start <= self._length else self._length

    def slice(self, start: int, end: int) -> str:
        return self.text[self.offset(start) : self.offset(end)]

    def lines(self, start: int, end: int) -> list[str]:
        end = min(end, self.count)
        return self.slice(start, end).split("\n")[: max(end - start, 0)]

    def advanced(self, hunks: Sequence[Hunk], text: str) -> Lines | None:
        """The lines of `text`, which these hunks turn this text into.

        None when the hunks do not fit the two texts: the unchanged lines
        must be equal in both, and each hunk must start and end on a line
        boundary of `text`.
        """
        out = _BlockBuilder()
        old_line = new_line = delta = 0  # delta: how far unchanged lines moved
        for hunk in hunks:
            if not (
                old_line <= hunk.old_start <= hunk.old_end <= self.count
                and hunk.new_start <= hunk.new_end
                and hunk.new_start - new_line == hunk.old_start - old_line
                and self._same_lines(old_line, hunk.old_start, text, delta)
            ):
                return None
            out.share(self, old_line, hunk.old_start, delta)
            position = self._start(hunk.old_start) + delta
            if position > len(text) or (position and text[position - 1] != "\n"):
                return None
            added: list[int] = []
            for _ in range(hunk.new_end - hunk.new_start):
                if position >= len(text):
                    return None
                added.append(position)
                found = text.find("\n", position)
                position = found + 1 if found >= 0 else len(text) + 1
            out.add(added)
            delta = position - self._start(hunk.old_end)
            old_line, new_line = hunk.old_end, hunk.new_end
        tail_start = self.offset(old_line)
        if len(self.text) - tail_start != len(text) - (tail_start + delta):
            return None
        if not self._same_lines(old_line, self.count, text, delta):
            return None
        out.share(self, old_line, self.count, delta)
        if self._end + delta != _end_sentinel(text):
            return None
        return out.build(text, self._end + delta)

    def _same_lines(self, start: int, end: int, text: str, delta: int) -> bool:
        """Whether lines [start, end) of this text are in `text`, `delta` further on."""
        begin, finish = self.offset(start), self.offset(end)
        if begin == finish:
            return True
        return text[begin + delta : finish + delta] == self.text[begin:finish]


class _BlockBuilder:
    """Assembles the blocks of a derived `Lines`: shared ones and new ones."""

    def __init__(self) -> None:
        self.firsts: list[int] = []
        self.blocks: list[list[int]] = []
        self.shifts: list[int] = []
        self.count = 0
        self._own_last = False  # whether the last block was made here (may grow)

    def share(self, lines: Lines, start: int, end: int, delta: int) -> None:
        """Lines [start, end) of `lines`, moved by `delta` characters."""
        if start >= end:
            return
        firsts = lines._firsts
        first_block = bisect.bisect_right(firsts, start) - 1
        last_block = bisect.bisect_right(firsts, end - 1) - 1
        if first_block == last_block:
            self._part(lines, first_block, start, end, delta)
            return
        # Edge blocks may be cut; those between are shared whole, in one go.
        self._part(lines, first_block, start, firsts[first_block + 1], delta)
        middle = slice(first_block + 1, last_block)
        moved = self.count - firsts[first_block + 1]
        self.firsts += [first + moved for first in firsts[middle]]
        self.blocks += lines._blocks[middle]  # shared, never modified
        self.shifts += [shift + delta for shift in lines._shifts[middle]]
        if last_block > first_block + 1:
            self.count = self.firsts[-1] + len(self.blocks[-1])
            self._own_last = False
        self._part(lines, last_block, firsts[last_block], end, delta)

    def _part(self, lines: Lines, block: int, start: int, end: int, delta: int) -> None:
        """Lines [start, end) of one block of `lines`: shared if whole, else copied."""
        first, starts = lines._firsts[block], lines._blocks[block]
        shift = lines._shifts[block] + delta
        if end - start == len(starts):
            self.firsts.append(self.count)
            self.blocks.append(starts)  # shared, never modified
            self.shifts.append(shift)
            self.count += len(starts)
            self._own_last = False
        else:
            self.add([position + shift for position in starts[start - first : end - first]])

    def add(self, starts: list[int]) -> None:
        """Line starts of the new text (this builder owns the list)."""
        if not starts:
            return
        if self._own_last and len(self.blocks[-1]) + len(starts) <= 2 * _BLOCK:
            self.blocks[-1].extend(starts)
        else:
            self.firsts.append(self.count)
            self.blocks.append(starts)
            self.shifts.append(0)
            self._own_last = True
        self.count += len(starts)

    def build(self, text: str, end: int) -> Lines:
        if len(self.blocks) > 8 + 4 * self.count // _BLOCK:
            return Lines(text)  # too fragmented by small edits: start afresh
        lines = Lines.__new__(Lines)
        lines._set(text, self.firsts, self.blocks, self.shifts, end)
        return lines


# --- headings ---------------------------------------------------------------

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
# Each depends on its own line only, which is what lets an outline be updated
# by scanning just the changed lines.
_LINE_MARKS = re.compile(
    r"\n(?:(#{1,6})(?:[ \t]([^\n]*))?(?=\n|$)"
    r"| {0,3}(?:=+|-+)[ \t]*(?=\n|$)| {1,3}#| {0,3}(?:```|~~~))"
)
_ATX_ANYWHERE = re.compile(r"\n(#{1,6})(?:[ \t]([^\n]*))?(?=\n|$)")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")


def _margin_headings(lines: Lines, start: int, end: int) -> tuple[list[int], list[str]] | None:
    """ATX headings at the margin in lines [start, end): line numbers and source.

    None if those lines hold anything only the line-by-line parse handles.
    """
    chunk = "\n" + lines.slice(start, end)
    numbers: list[int] = []
    sources: list[str] = []
    line, counted = start, 0
    for match in _LINE_MARKS.finditer(chunk):
        if match.group(1) is None:
            return None
        # The match starts at the "\n" before its line: count lines as we go.
        line += chunk.count("\n", counted, match.start())
        counted = match.start()
        numbers.append(line)
        sources.append(match.group(0))
    return numbers, sources


class Outline:
    """The Markdown headings a text's lines fall under.

    ATX (`## Title`) and setext (underlined) headings count, except in fenced
    code. For the usual charter (ATX headings at the margin, no fences) a
    regex scan indexes the headings and a look-up is a bisection; otherwise
    a path is found by walking up, line by line, from the changed line.
    """

    def __init__(self, lines: Lines, margin: tuple[list[int], list[str]] | None = None):
        self.lines_of = lines
        if margin is None:
            margin = _margin_headings(lines, 0, lines.count)
        self._fast = margin is not None
        self._heading_lines: list[int] = []
        self._sources: list[str] = []
        self._paths: tuple[tuple[str, ...], ...] = ()
        # The slow path works on a list of lines; the fast one never needs it.
        self.lines: list[str] = []
        self._usable: list[bool] | None = None
        if margin is not None:
            self._heading_lines, self._sources = margin
            self._paths = _atx_paths(tuple(self._sources))
        else:
            self.lines = lines.lines(0, lines.count)
            self._usable = _fence_free(self.lines)

    def advanced(self, hunks: Sequence[Hunk], lines: Lines) -> Outline:
        """The outline of `lines`, which these (checked) hunks made from this text."""
        if not self._fast:
            return Outline(lines)
        numbers: list[int] = []
        sources: list[str] = []
        kept = 0
        shift = 0
        for hunk in hunks:
            end = bisect.bisect_left(self._heading_lines, hunk.old_start)
            numbers += [line + shift for line in self._heading_lines[kept:end]]
            sources += self._sources[kept:end]
            kept = bisect.bisect_left(self._heading_lines, hunk.old_end)
            found = _margin_headings(lines, hunk.new_start, hunk.new_end)
            if found is None:
                return Outline(lines)
            numbers += found[0]
            sources += found[1]
            shift = hunk.new_end - hunk.old_end
        numbers += [line + shift for line in self._heading_lines[kept:]]
        sources += self._sources[kept:]
        return Outline(lines, (numbers, sources))

    def _fast_path(self, line: int) -> tuple[str, ...]:
        found = bisect.bisect_right(self._heading_lines, line) - 1
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


# --- both -------------------------------------------------------------------


@dataclass(frozen=True)
class TextIndex:
    """One version's text with its line and heading indexes."""

    lines: Lines
    outline: Outline

    @property
    def text(self) -> str:
        return self.lines.text

    def advanced(self, hunks: Sequence[Hunk], text: str) -> TextIndex:
        """The index of `text`, derived from this one when the hunks fit."""
        lines = self.lines.advanced(hunks, text)
        if lines is None:
            return index_text(text)
        return TextIndex(lines, self.outline.advanced(hunks, lines))


def index_text(text: str) -> TextIndex:
    """Index a text from scratch."""
    lines = Lines(text)
    return TextIndex(lines, Outline(lines))


def heading_paths(lines: list[str]) -> list[tuple[str, ...]]:
    """The heading path of every line (a heading line is in its own section)."""
    return index_text("\n".join(lines)).outline.paths(0, len(lines))
