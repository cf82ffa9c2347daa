"""Word diff parsing and compaction, sections touched, material/editorial."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.charter_diff import (
    DiffLimits,
    Hunk,
    _Outline,
    build_diff,
    classify_hunks,
    heading_paths,
    parse_word_diff,
    sections_touched,
)

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
    fast = _Outline(text)
    # A fence after the text forces the line-by-line parse for the same lines.
    slow = _Outline(text + "```\n```\n")
    assert fast._fast and not slow._fast
    assert fast.paths(0, len(lines)) == slow.paths(0, len(lines))
