"""Word diff parsing and compaction, sections touched, material/editorial."""

from __future__ import annotations

import difflib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.charter_diff import (
    DiffLimits,
    Hunk,
    build_diff,
    classify_hunks,
    heading_paths,
    parse_word_diff,
    sections_touched,
)
from generator.charter_index import _SPACING, Lines, TextIndex, index_text

NO_TRIM = DiffLimits(context_words=10**9, max_changed_chars=10**9)

# `git diff -U0 --word-diff=porcelain` for "We ask before we use data." ->
# "We tell before we use data!" on line 7, plus a new line 12.
PORCELAIN = "\n".join(
    [
        "diff --git a/C.md b/C.md",
        "index 1111111..2222222 100644",
        "--- a/C.md",
        "+++ b/C.md",
        "@@ -7 +7 @@ ## Consent",
        " We ",
        "-ask",
        "+tell",
        "  before we use data",
        "-.",
        "+!",
        "~",
        "@@ -11,0 +12 @@ We explain.",
        "+New line here.",
        "~",
    ]
)

NEW_TEXT = "".join(f"line {i}\n" for i in range(1, 7)) + (
    "We tell before we use data!\nline 8\nline 9\nline 10\nline 11\nNew line here.\n"
)


def test_parse_word_diff_reads_ranges_and_ops():
    first, second = parse_word_diff(PORCELAIN.splitlines())
    assert (first.old_start, first.old_end, first.new_start, first.new_end) == (6, 7, 6, 7)
    assert first.ops == [
        ("equal", "We "),
        ("delete", "ask"),
        ("insert", "tell"),
        ("equal", " before we use data"),
        ("delete", "."),
        ("insert", "!"),
        ("equal", "\n"),
    ]
    # A pure insertion: its newline is inserted too.
    assert (second.old_start, second.old_end, second.new_start, second.new_end) == (11, 11, 11, 12)
    assert second.ops == [("insert", "New line here.\n")]


def test_build_diff_fills_gaps_from_the_new_text():
    diff = build_diff(parse_word_diff(PORCELAIN.splitlines()), NEW_TEXT, NO_TRIM)
    new = "".join(op["text"] for op in diff["ops"] if op["op"] in ("equal", "insert"))
    assert new == NEW_TEXT
    assert [op["op"] for op in diff["ops"]] == [
        "equal",
        "delete",
        "insert",
        "equal",
        "delete",
        "insert",
        "equal",
        "insert",
    ]
    assert (diff["words_inserted"], diff["words_deleted"]) == (5, 2)
    assert diff["truncated"] is False


def test_long_unchanged_runs_become_skips_with_context():
    diff = build_diff(
        parse_word_diff(PORCELAIN.splitlines()), NEW_TEXT, DiffLimits(context_words=2)
    )
    ops = diff["ops"]
    assert ops[0] == {"op": "skip", "lines": 5}
    assert ops[1] == {"op": "equal", "text": "6\nWe "}
    skips = [op for op in ops if op["op"] == "skip"]
    assert skips == [{"op": "skip", "lines": 5}, {"op": "skip", "lines": 3}]


def test_whitespace_between_changes_is_folded_into_one_change():
    hunk = Hunk(0, 1, 0, 1, [("delete", "old"), ("equal", " "), ("delete", "words")])
    hunk.ops[1:1] = [("insert", "new")]
    hunk.ops.append(("insert", "phrase"))
    diff = build_diff([hunk], "new phrase", NO_TRIM)
    assert diff["ops"] == [
        {"op": "delete", "text": "old words"},
        {"op": "insert", "text": "new phrase"},
    ]


def test_truncation_keeps_the_budget_and_says_so():
    lines = [f"-line {i} old" for i in range(3000)] + [f"+row {i} new" for i in range(3000)]
    porcelain = ["@@ -1,3000 +1,3000 @@", *[x for line in lines for x in (line, "~")]]
    new_text = "".join(f"row {i} new\n" for i in range(3000))
    diff = build_diff(parse_word_diff(porcelain), new_text, DiffLimits(max_changed_chars=1000))
    assert diff["truncated"] is True
    assert sum(len(op.get("text", "")) for op in diff["ops"] if op["op"] != "equal") <= 1000
    assert (diff["words_deleted"], diff["words_inserted"]) == (9000, 9000)


def _hunk(removed: str, added: str) -> Hunk:
    ops = [op for op in (("delete", removed), ("insert", added)) if op[1]]
    return Hunk(0, 1, 0, 1, ops)


@pytest.mark.parametrize(
    "removed, added, kind",
    [
        ("", "", "editorial"),  # whitespace only: git shows no changed words
        (".", "!", "editorial"),
        ("", "**", "editorial"),
        ("- ", "* ", "editorial"),
        ("end.", "end…", "editorial"),
        ("ask", "tell", "material"),
        ("16", "18", "material"),
        ("≥", "≤", "material"),
        ("We", "we", "material"),
        ("ask tell", "tell ask", "material"),
    ],
)
def test_classify_hunks(removed: str, added: str, kind: str):
    assert classify_hunks([_hunk(removed, added)], whole_file=False) == kind


@pytest.mark.parametrize(
    "american, british",
    [
        ("acknowledgment", "acknowledgement"),
        ("judgment", "judgement"),
        ("color", "colour"),
        ("behaviors", "behaviours"),
        ("favorite", "favourite"),
        ("organization", "organisation"),
        ("recognized", "recognised"),
        ("analyze", "analyse"),
        ("center", "centre"),
        ("traveled", "travelled"),
        ("labeling", "labelling"),
        ("defense", "defence"),
        ("catalog", "catalogue"),
        ("program", "programme"),
        ("pediatric", "paediatric"),
        ("Organize", "Organise"),
    ],
)
def test_spelling_variants_are_editorial(american: str, british: str):
    for removed, added in ((american, british), (british, american)):
        hunk = _hunk(f"the {removed} of", f"the {added} of")
        assert classify_hunks([hunk], whole_file=False) == "editorial", (removed, added)


@pytest.mark.parametrize(
    "removed, added",
    [
        ("not", "now"),  # one letter, opposite meaning
        ("four", "for"),
        ("hour", "hor"),
        ("shall", "shell"),
        ("may", "must"),
        ("license", "licensed"),
        ("us", "US"),
        ("committee", "Committee"),  # a defined term
        ("data", "date"),
        ("color", "colour coded"),  # a word more
        ("colour", "color, never"),
        ("are", "aer"),
        ("sure", "suer"),
    ],
)
def test_other_small_edits_stay_material(removed: str, added: str):
    assert classify_hunks([_hunk(removed, added)], whole_file=False) == "material"


def test_a_spelling_fix_beside_a_real_change_is_material():
    hunks = [_hunk("colour", "color"), _hunk("ask", "tell")]
    assert classify_hunks(hunks, whole_file=False) == "material"


def test_adding_or_deleting_the_whole_charter_is_material():
    assert classify_hunks([], whole_file=True) == "material"
    assert classify_hunks([], whole_file=False) == "editorial"  # a pure rename


DOC = """\
# Charter

Intro.

## Consent

Ask first.

```
# not a heading
```

### Children
Parents decide.

Openness
--------

Explain.
"""


def test_heading_paths_follow_atx_setext_and_skip_code():
    lines = DOC.splitlines()
    by_text = dict(zip(lines, heading_paths(lines), strict=True))
    assert by_text["Intro."] == ("Charter",)
    assert by_text["# not a heading"] == ("Charter", "Consent")
    assert by_text["Parents decide."] == ("Charter", "Consent", "Children")
    assert by_text["Openness"] == ("Charter", "Openness")
    assert by_text["--------"] == ("Charter", "Openness")
    assert by_text["Explain."] == ("Charter", "Openness")


def test_sections_touched_uses_new_and_old_headings():
    lines = DOC.splitlines()
    children = lines.index("Parents decide.")
    explain = lines.index("Explain.")
    hunks = [
        Hunk(children, children + 1, children, children + 1),
        Hunk(explain, explain + 1, explain, explain + 1),
    ]
    assert sections_touched(hunks, DOC, DOC) == [
        ["Charter", "Consent", "Children"],
        ["Charter", "Openness"],
    ]
    heading = lines.index("### Children")
    removed = DOC.replace("### Children\nParents decide.\n", "")
    deletion = [Hunk(heading, heading + 2, heading, heading)]
    assert sections_touched(deletion, DOC, removed) == [["Charter", "Consent", "Children"]]


def test_blank_lines_at_a_section_edge_do_not_touch_it():
    old = "# A\n\nx\n"
    new = "# A\n\nx\n\n## B\n\ny\n"
    assert sections_touched([Hunk(3, 3, 3, 7)], old, new) == [["A", "B"]]


def test_text_before_any_heading_has_an_empty_path():
    assert sections_touched([Hunk(0, 1, 0, 1)], "Preamble.\n# A\n", "Preface.\n# A\n") == [[]]


ATX_LINE = st.builds(
    lambda level, title, closing: f"{'#' * level} {title}{' ##' if closing else ''}",
    st.integers(1, 6),
    st.sampled_from(["Consent", "Open *data*", "Care_for", "Ünïcode"]),
    st.booleans(),
)
PLAIN_LINE = st.sampled_from(["", "Some text.", "#hashtag is not a heading", "- item", "* item"])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(ATX_LINE, PLAIN_LINE), max_size=30))
def test_fast_outline_agrees_with_the_line_by_line_parse(lines: list[str]):
    text = "".join(line + "\n" for line in lines)
    fast = index_text(text).outline
    # A fence after the text forces the line-by-line parse for the same lines.
    slow = index_text(text + "```\n```\n").outline
    assert fast._fast and not slow._fast
    assert fast.paths(0, len(lines)) == slow.paths(0, len(lines))


# --- incremental indexes --------------------------------------------------------

LINE = st.sampled_from(
    ["", "Text.", "More text here.", "# Top", "## Part", "### Small", "```", "Title", "---", "  "]
)


def _line_hunks(old: str, new: str) -> list[Hunk]:
    """Line hunks as `git diff -U0` gives them (difflib finds the same kind).

    As for git, a last line without a newline differs from the same line with one.
    """
    matcher = difflib.SequenceMatcher(
        a=old.splitlines(keepends=True), b=new.splitlines(keepends=True), autojunk=False
    )
    return [Hunk(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _join(lines: list[str], final_newline: bool) -> str:
    return "\n".join(lines) + ("\n" if final_newline and lines else "")


def _same_index(derived: TextIndex, fresh: TextIndex) -> None:
    count = fresh.lines.count
    assert derived.lines.count == count
    offsets = [derived.lines.offset(line) for line in range(-1, count + 2)]
    assert offsets == [fresh.lines.offset(line) for line in range(-1, count + 2)]
    assert derived.outline.paths(0, count) == fresh.outline.paths(0, count)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(LINE, max_size=40),
    st.lists(LINE, max_size=40),
    st.booleans(),
    st.booleans(),
)
def test_derived_index_equals_a_fresh_one(old_lines, new_lines, old_nl, new_nl):
    """Each version's index is derived from the next one's by its hunks (both ways)."""
    old, new = _join(old_lines, old_nl), _join(new_lines, new_nl)
    hunks = _line_hunks(old, new)
    _same_index(index_text(old).advanced(hunks, new), index_text(new))
    backwards = [Hunk(h.new_start, h.new_end, h.old_start, h.old_end) for h in hunks]
    _same_index(index_text(new).advanced(backwards, old), index_text(old))


@settings(max_examples=100, deadline=None)
@given(st.lists(LINE, max_size=30), st.lists(LINE, max_size=30), st.data())
def test_hunks_that_do_not_fit_are_never_trusted(old_lines, new_lines, data):
    """Wrong hunks (a binary diff, another version) give a fresh index, never a wrong one."""
    old, new = _join(old_lines, True), _join(new_lines, True)
    limit = len(old_lines) + 2
    start = data.draw(st.integers(0, limit))
    new_start = data.draw(st.integers(0, limit))
    hunks = [
        Hunk(
            start,
            start + data.draw(st.integers(0, 3)),
            new_start,
            new_start + data.draw(st.integers(0, 3)),
        )
    ]
    _same_index(index_text(old).advanced(hunks, new), index_text(new))
    _same_index(index_text(old).advanced([], new), index_text(new))


def test_many_small_edits_keep_the_index_exact():
    """A long chain of derived versions (blocks shared, split and merged) stays exact."""
    lines = [f"## Part {n}" if n % 9 == 0 else f"Sentence {n}." for n in range(300)]
    index = index_text(_join(lines, True))
    for step in range(200):
        at = (step * 37) % (len(lines) + 1)
        before = _join(lines, True)
        if step % 3 == 0:
            lines[at:at] = [f"Inserted {step}.", f"# Heading {step}"]
        elif step % 3 == 1:
            del lines[at : at + 3]
        else:
            lines[at : at + 1] = [f"Changed {step}."]
        index = index.advanced(_line_hunks(before, _join(lines, True)), _join(lines, True))
        assert isinstance(index.lines, Lines)
    _same_index(index, index_text(_join(lines, True)))


# --- diffs of long texts, read in place -------------------------------------------


def _prefixed_hunks(old: str, new: str) -> list[Hunk]:
    """Line hunks whose ops start with the changed lines' common prefix, unchanged,
    as git's word diff starts a changed line with its unchanged words."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    hunks = _line_hunks(old, new)
    for hunk in hunks:
        removed = "".join(old_lines[hunk.old_start : hunk.old_end])
        added = "".join(new_lines[hunk.new_start : hunk.new_end])
        prefix = os.path.commonprefix([removed, added])
        candidates = [
            ("equal", prefix),
            ("delete", removed[len(prefix) :]),
            ("insert", added[len(prefix) :]),
        ]
        hunk.ops = [op for op in candidates if op[1]]
    return hunks


WORDY_LINE = st.sampled_from(
    ["", "  ", "# Top", "Alpha beta gamma.", "One two three four five six.", "x", "## Part"]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(WORDY_LINE, max_size=40),
    st.lists(WORDY_LINE, max_size=40),
    st.booleans(),
    st.booleans(),
    st.integers(0, 4),
)
def test_trimmed_diff_accounts_for_every_line_break(old_lines, new_lines, old_nl, new_nl, context):
    """Kept text appears in order in the new text, and kept plus skipped line
    breaks are all of its line breaks (skips are counted from line numbers)."""
    old, new = _join(old_lines, old_nl), _join(new_lines, new_nl)
    hunks = _prefixed_hunks(old, new)
    diff = build_diff(hunks, new, DiffLimits(context_words=context))
    full = build_diff(hunks, new, NO_TRIM)
    if hunks:  # (with no change at all, the whole text is one skip)
        assert "".join(op["text"] for op in full["ops"] if op["op"] != "delete") == new
    kept_breaks = skipped = position = 0
    for op in diff["ops"]:
        if op["op"] == "skip":
            skipped += op["lines"]
        elif op["op"] != "delete":
            found = new.find(op["text"], position)
            assert found >= position
            position = found + len(op["text"])
            kept_breaks += op["text"].count("\n")
    assert kept_breaks + skipped == new.count("\n")
    assert (diff["words_inserted"], diff["words_deleted"]) == (
        full["words_inserted"],
        full["words_deleted"],
    )


def test_unchanged_words_that_differ_from_the_text_are_kept_as_given():
    """Git's word diff may space a line's unchanged words differently from the
    text: they are joined to the text around them as given, not looked up in it."""
    text = "Intro line.\nWe ask  first.\nClosing line.\n"
    hunk = Hunk(
        1, 2, 1, 2, [("equal", "We "), ("delete", "ask"), ("insert", "ask"), ("equal", " first.\n")]
    )
    diff = build_diff([hunk], text, NO_TRIM)
    assert diff["ops"] == [
        {"op": "equal", "text": "Intro line.\nWe "},
        {"op": "delete", "text": "ask"},
        {"op": "insert", "text": "ask"},
        {"op": "equal", "text": " first.\nClosing line.\n"},
    ]
    assert diff["ops"][0]["text"] in text  # in place
    hunk.ops[0] = ("equal", "We  ")  # not what the text holds at that place
    diff = build_diff([hunk], text, NO_TRIM)
    assert diff["ops"][0] == {"op": "equal", "text": "Intro line.\nWe  "}


def test_repeated_edits_in_one_place_keep_anchors_few_and_close():
    """Each derived index adds anchors at its hunks; they are thinned so that
    looking a line up stays a short walk, and the index stays exact."""
    lines = [f"Line {n}." for n in range(200)]
    index = index_text(_join(lines, True))
    for step in range(300):
        before = _join(lines, True)
        lines[100:101] = [f"Edited {step}.", f"Added {step}."] if step % 2 else [f"Edit {step}."]
        after = _join(lines, True)
        index = index.advanced(_line_hunks(before, after), after)
    anchors = index.lines._anchor_lines
    assert anchors[0] == 0 and anchors == sorted(set(anchors))
    gaps = [b - a for a, b in zip(anchors, anchors[1:], strict=False)]
    assert max(gaps + [index.lines.count - anchors[-1]]) <= _SPACING
    assert len(anchors) <= 2 * (index.lines.count // _SPACING) + 8
    _same_index(index, index_text(_join(lines, True)))
