"""Slots: fragments held out of Markdown, pasted into the converted HTML."""

from __future__ import annotations

import markdown

from generator.slots import Slots

TABLE = '<table class="t"><tr><td>*not emphasis* [not a link](x)</td></tr></table>\n'


def test_a_marker_passes_through_markdown_and_is_filled_with_its_fragment() -> None:
    slots = Slots()
    marker = slots.hold(TABLE, searchable=True)
    html = markdown.markdown(f"# Title\n\n{marker}\n\nAfter *this*.\n", extensions=["md_in_html"])
    assert marker in html  # Markdown kept it as it was
    filled = slots.fill(html)
    assert TABLE in filled and marker not in filled
    assert "<em>not emphasis</em>" not in filled  # the fragment was never Markdown
    assert "<em>this</em>" in filled


def test_unsearchable_fragments_wait_until_asked_for() -> None:
    slots = Slots()
    shown = slots.hold("<p>prose-like</p>", searchable=True)
    hidden = slots.hold("<table><tr><td>42</td></tr></table>", searchable=False)
    page = f"{shown}\n{hidden}"
    early = slots.fill(page, searchable_only=True)
    assert "<p>prose-like</p>" in early and hidden in early and "42" not in early
    assert slots.fill(early) == "<p>prose-like</p>\n<table><tr><td>42</td></tr></table>"


def test_same_fragment_same_marker_and_unknown_markers_stay_inert() -> None:
    one, two = Slots(), Slots()
    assert one.hold(TABLE, searchable=True) == two.hold(TABLE, searchable=True)
    assert one.hold(TABLE, searchable=True) != one.hold(TABLE, searchable=False)
    stray = "<!-- nl-slot " + "0" * 24 + " -->"
    assert one.fill(f"<p>{stray}</p>") == f"<p>{stray}</p>"


def test_held_in_lists_a_sources_fragments_in_order() -> None:
    slots = Slots()
    first = slots.hold("<p>1</p>", searchable=True)
    second = slots.hold("<p>2</p>", searchable=False)
    assert [f.html for f in slots.held_in(f"{second} text {first}")] == ["<p>2</p>", "<p>1</p>"]


def test_the_hold_filter_holds_a_template_block_or_leaves_it_inline() -> None:
    from generator.templating import make_environment

    template = make_environment().from_string(
        "# {{ title }}\n\n{% filter hold(False) %}\n<table><td>{{ cell }}</td></table>\n"
        "{% endfilter %}\nAfter.\n"
    )
    slots = Slots()
    held = template.render(title="T", cell="<b>9</b>", slots=slots)
    (marker, fragment) = next(iter(slots.fragments.items()))
    assert fragment.html == "<table><td>&lt;b&gt;9&lt;/b&gt;</td></table>\n"  # still escaped
    assert not fragment.searchable
    # The marker is a Markdown block of its own: blank lines before and after.
    assert f"\n\n<!-- nl-slot {marker} -->\n\nAfter." in held and "<table>" not in held
    assert fragment.html in slots.fill(held)
    inline = template.render(title="T", cell="<b>9</b>", slots=None)
    assert "<table><td>&lt;b&gt;9&lt;/b&gt;</td></table>" in inline and "nl-slot" not in inline
