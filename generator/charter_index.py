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


_SPACING = 16  # lines at most from one anchor to the next


@functools.lru_cache(maxsize=64)
def _lines_pattern(count: int) -> re.Pattern[str]:
    # `count` whole lines, matched in one call rather than `count` finds.
    return re.compile(rf"(?:[^\n]*\n){{{count}}}")


class Lines:
    """A text addressed by line number ("\n" only, as git numbers lines).

    Keeps the start offsets of a few lines ("anchors", at most `_SPACING`
    lines apart), not a list of line strings: a line's start is found from
    the anchor before it (a few `str.find` calls, in C) and remembered. A
    version derived from the previous one (`advanced`) moves the anchors
    its hunks leave alone and adds some in the hunks, and it already knows
    where its hunks start and end, which is where diffs and sections look.
    """

    text: str
    count: int
    _anchor_lines: list[int]  # line numbers, increasing, from 0
    _anchor_starts: list[int]  # where those lines start
    _end: int  # where a line after the last would start
    _known: dict[int, int]  # line starts found so far

    def __init__(self, text: str):
        parts = text.split("\n")
        if parts[-1] == "":
            parts.pop()
        # Start of line k: the lengths of the lines before it plus their "\n"
        # (map and accumulate keep this loop in C).
        widths = map(operator.add, map(len, parts), itertools.repeat(1))
        starts = list(itertools.accumulate(widths, initial=0))
        end = starts.pop()
        anchors = list(range(0, len(parts), _SPACING))
        self._set(text, len(parts), anchors, starts[::_SPACING], end, {})

    def _set(
        self,
        text: str,
        count: int,
        anchor_lines: list[int],
        anchor_starts: list[int],
        end: int,
        known: dict[int, int],
    ) -> None:
        self.text, self.count, self._end, self._known = text, count, end, known
        self._anchor_lines, self._anchor_starts = anchor_lines, anchor_starts
        self._length = len(text)

    def _start(self, line: int) -> int:
        """Where line 0 <= `line` <= count starts (past the end for `count`)."""
        if line >= self.count:
            return self._end
        start = self._known.get(line)
        if start is None:
            anchor = bisect.bisect_right(self._anchor_lines, line) - 1
            start = self._walk(self._anchor_starts[anchor], line - self._anchor_lines[anchor])
            self._known[line] = start
        return start

    def _walk(self, start: int, lines: int) -> int:
        """Where the line `lines` after the one starting at `start` starts."""
        if lines <= 0:
            return start
        found = _lines_pattern(lines).match(self.text, start)
        if found is not None:
            return found.end()
        find = self.text.find  # the last line has no "\n": count what there is
        for _ in range(lines):
            start = find("\n", start) + 1
        return start

    def offset(self, line: int) -> int:
        """Where line `line` starts (the text's length for `count` and after)."""
        start = self._known.get(line)
        if start is not None:
            return start
        if line >= self.count:
            return self._length
        return self._start(line if line > 0 else 0)

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
        out = _AnchorBuilder(self)
        length = len(text)
        old_line = new_line = delta = 0  # delta: how far unchanged lines moved
        unchanged = 0  # where this text's unchanged lines after the last hunk start
        for hunk in hunks:
            if not (
                old_line <= hunk.old_start <= hunk.old_end <= self.count
                and hunk.new_start <= hunk.new_end
                and hunk.new_start - new_line == hunk.old_start - old_line
            ):
                return None
            old_start = self._start(hunk.old_start)
            if not self._found_in(text, unchanged, min(old_start, self._length), delta):
                return None
            out.keep(hunk.old_start, new_line - old_line, delta)
            position = old_start + delta
            if position > length or (position and text[position - 1] != "\n"):
                return None
            out.known[hunk.new_start] = position
            for line in range(hunk.new_start, hunk.new_end):
                if position >= length:
                    return None
                if (line - hunk.new_start) % _SPACING == 0:
                    out.add(line, position)
                found = text.find("\n", position)
                position = found + 1 if found >= 0 else length + 1
            out.known[hunk.new_end] = min(position, length)
            # The unchanged line after the hunk: an anchor, so that anchors
            # never drift further apart than they were.
            if position < length:
                out.add(hunk.new_end, position)
            out.skip(hunk.old_end)
            old_end = (
                self._walk(old_start, hunk.old_end - hunk.old_start)
                if hunk.old_end < self.count
                else self._end
            )
            delta = position - old_end
            unchanged = min(old_end, self._length)
            old_line, new_line = hunk.old_end, hunk.new_end
        # The unchanged lines after the last hunk run to the end of both texts.
        if self._length - unchanged != length - (unchanged + delta):
            return None
        if not self._found_in(text, unchanged, self._length, delta):
            return None
        if self._end + delta != _end_sentinel(text):
            return None
        out.keep(self.count, new_line - old_line, delta)
        return out.build(text, self.count + new_line - old_line, self._end + delta)

    def _found_in(self, text: str, begin: int, finish: int, delta: int) -> bool:
        """Whether this text's [begin, finish) is in `text`, `delta` further on.

        One copy and one comparison, both in C: this is the check that lets
        a derived index be trusted.
        """
        if finish <= begin:
            return True
        if begin + delta < 0:
            return False
        return text.startswith(self.text[begin:finish], begin + delta)


class _AnchorBuilder:
    """Assembles the anchors of a derived `Lines`: moved ones and new ones."""

    def __init__(self, lines: Lines) -> None:
        self.source = lines
        self.lines: list[int] = []
        self.starts: list[int] = []
        self.known: dict[int, int] = {}
        self._next = 0  # the first of the source's anchors not yet kept or skipped

    def keep(self, before: int, shift: int, delta: int) -> None:
        """The source's anchors before line `before`, moved by `shift` lines, `delta` chars."""
        source_lines = self.source._anchor_lines
        stop = bisect.bisect_left(source_lines, before, self._next)
        first = self._next
        if stop > first and self.lines and self.lines[-1] >= source_lines[first] + shift:
            first += 1  # already added by the hunk before
        starts = self.source._anchor_starts[first:stop]
        # Edits that keep the line count (or the length) move nothing: copy.
        self.lines += (
            [line + shift for line in source_lines[first:stop]]
            if shift
            else source_lines[first:stop]
        )
        self.starts += [start + delta for start in starts] if delta else starts
        self._next = stop

    def skip(self, before: int) -> None:
        """Drop the source's anchors before line `before` (a hunk replaced them)."""
        self._next = bisect.bisect_left(self.source._anchor_lines, before, self._next)

    def add(self, line: int, start: int) -> None:
        if not self.lines or self.lines[-1] < line:
            self.lines.append(line)
            self.starts.append(start)

    def build(self, text: str, count: int, end: int) -> Lines | None:
        if count and (not self.lines or self.lines[0] != 0):
            return None  # cannot happen when the hunks fit; never trust it
        if len(self.lines) > 2 * (count // _SPACING) + 8:
            self._thin()
        lines = Lines.__new__(Lines)
        lines._set(text, count, self.lines, self.starts, end, self.known)
        return lines

    def _thin(self) -> None:
        """Drop anchors that the ones around them make useless (still at most
        `_SPACING` lines apart): many small edits add anchors close together."""
        lines, starts = [self.lines[0]], [self.starts[0]]
        for index in range(1, len(self.lines) - 1):
            if self.lines[index + 1] - lines[-1] > _SPACING:
                lines.append(self.lines[index])
                starts.append(self.starts[index])
        if len(self.lines) > 1:
            lines.append(self.lines[-1])
            starts.append(self.starts[-1])
        self.lines, self.starts = lines, starts


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

    def __init__(
        self,
        lines: Lines,
        margin: tuple[list[int], list[str]] | None = None,
        paths: tuple[tuple[str, ...], ...] | None = None,
    ):
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
            self._paths = _atx_paths(tuple(self._sources)) if paths is None else paths
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
        same_headings = True  # most edits leave every heading as it was
        for hunk in hunks:
            end = bisect.bisect_left(self._heading_lines, hunk.old_start)
            numbers += _moved(self._heading_lines[kept:end], shift)
            sources += self._sources[kept:end]
            kept = bisect.bisect_left(self._heading_lines, hunk.old_end)
            found = _margin_headings(lines, hunk.new_start, hunk.new_end)
            if found is None:
                return Outline(lines)
            numbers += found[0]
            sources += found[1]
            same_headings = same_headings and kept == end and not found[0]
            shift = hunk.new_end - hunk.old_end
        numbers += _moved(self._heading_lines[kept:], shift)
        if same_headings:
            # The same headings at moved lines: their sources and paths are shared.
            return Outline(lines, (numbers, self._sources), self._paths)
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
            first = bisect.bisect_right(self._heading_lines, start) - 1
            if first == bisect.bisect_right(self._heading_lines, end - 1) - 1:
                # All in one section (the usual small edit): one path.
                return [self._paths[first] if first >= 0 else ()] * max(end - start, 0)
            return [self._fast_path(line) for line in range(start, end)]
        stack = self.stack_above(start)
        out: list[tuple[str, ...]] = []
        for index in range(start, end):
            heading = self.heading(index)
            if heading:
                stack = [h for h in stack if h[0] < heading[0]] + [heading]
            out.append(tuple(title for _, title in stack))
        return out


def _moved(lines: list[int], shift: int) -> list[int]:
    # Most edits keep the line count: nothing moves.
    return [line + shift for line in lines] if shift else lines


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
