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


def test_held_now_lists_a_sources_fragments_in_order_but_not_promises() -> None:
    slots = Slots()
    first = slots.hold("<p>1</p>", searchable=True)
    second = slots.hold("<p>2</p>", searchable=False)
    promised = slots.promise(("k",), lambda: "<p>3</p>", searchable=False)
    held = slots.held_now(f"{second} text {promised} {first}")
    assert [f.html for _, f in held] == ["<p>2</p>", "<p>1</p>"]
    assert slots.promises(("k",), searchable=False)


def test_a_promise_is_asked_for_once_when_its_marker_is_first_filled() -> None:
    asked: list[str] = []

    def table() -> str:
        asked.append("table")
        return "<table><tr><td>7</td></tr></table>"

    slots = Slots()
    marker = slots.promise(("digest", "transparency"), table, searchable=False)
    # The marker names the key, as holding the same fragment under that key does.
    assert marker == Slots().hold("anything", searchable=False, key=("digest", "transparency"))
    early = slots.fill(f"<p>a</p>\n{marker}", searchable_only=True)
    assert marker in early and asked == []  # not searchable: not asked for yet
    assert slots.fill(early) == "<p>a</p>\n<table><tr><td>7</td></tr></table>"
    assert slots.fill(marker) == "<table><tr><td>7</td></tr></table>" and asked == ["table"]
    assert not slots.promises(("digest", "transparency"), searchable=False)


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
