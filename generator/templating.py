"""The jinja2 environment every page and section template renders with.

Autoescape is always on: values from sources (commit messages, Space titles,
feed entries) are untrusted and must reach HTML as text.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape

from .fragment_cache import FragmentCache


def long_date(value: str | datetime, tz: str = "UTC") -> str:
    """'2026-09-23T00:05:00+00:00' -> '23 September 2026' in time zone `tz`."""
    if isinstance(value, str) and len(value) == 10:  # a calendar date: no zone to convert
        day = date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local.day} {local:%B %Y}"


def thousands(value: int | float | str) -> str:
    """12345 -> '12,345'; strings (such as a suppressed '<10') pass through."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def published_count(value: int | str | None) -> str:
    """A published count for a table cell: 'not published' for None."""
    return "not published" if value is None else thousands(value)


def published_hours(value: float | None) -> str:
    return "not published" if value is None else f"{value} h"


MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|~"


def md_escape(value: str) -> str:
    """Text that Markdown shows literally: HTML-escaped, Markdown punctuation backslashed."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = " ".join(text.split())  # no line breaks: they could start a block
    return "".join("\\" + ch if ch in MARKDOWN_SPECIALS else ch for ch in text)


# Unicode bidirectional embedding, override and isolate controls. In untrusted
# text they can reorder what a reader sees around them (a title that appears to
# say something else), so they never reach a page.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_ANY_BIDI_CONTROL = re.compile("[" + "".join(map(chr, BIDI_CONTROLS)) + "]")


def without_bidi_controls(value: object) -> object:
    """Applied to every `{{ }}` output; Markup stays Markup."""
    # Searching first: most text has none, and translating copies the whole text.
    if isinstance(value, str) and not value.isascii() and _ANY_BIDI_CONTROL.search(value):
        return type(value)(value.translate(BIDI_CONTROLS))
    return value


# A word longer than this gets a line-break opportunity (<wbr>) every so many
# characters. Browsers lay out a very long unbreakable word slowly when they must
# wrap it: Chromium took two minutes over a page holding thirty copies of a
# 100,000-character one, and a few seconds with the breaks. Readers see the same text.
LONGEST_UNBROKEN = 60
_LONG_WORD = re.compile(rf"\S{{{LONGEST_UNBROKEN + 1},}}")


def pieces_of(word: str) -> list[str]:
    """`word` cut every LONGEST_UNBROKEN characters, to be joined with <wbr>."""
    return [word[i : i + LONGEST_UNBROKEN] for i in range(0, len(word), LONGEST_UNBROKEN)]


def breakable(value: object) -> Markup:
    """Escaped text, with <wbr> every LONGEST_UNBROKEN characters of a longer word."""
    text, parts, done = str(value), [], 0
    for word in _LONG_WORD.finditer(text):
        parts.append(escape(text[done : word.start()]))
        parts.append(Markup("<wbr>").join(map(escape, pieces_of(word.group()))))
        done = word.end()
    parts.append(escape(text[done:]))
    return Markup("").join(parts)


@jinja2.pass_context
def hold(context: jinja2.runtime.Context, html: str, searchable: bool = True) -> Markup:
    """`{% filter hold %}…{% endfilter %}`: keep a block of generated HTML out of
    Markdown, in the `slots` the page is rendered with (see generator.slots);
    without slots the block stays in place, as raw HTML Markdown passes on."""
    slots = context.get("slots")
    if slots is None:
        return Markup(html)
    marker = slots.hold(str(html).strip() + "\n", searchable=searchable)
    return Markup(f"\n{marker}\n\n")  # blank lines around it: a block of its own


def compiled_template_cache(cache_dir: Path) -> jinja2.BytecodeCache:
    """Compiled templates kept between builds (with the fragments, see CompiledTemplates).

    Compiling the theme's and our templates is about a tenth of a rebuild.
    Jinja checks each entry against its template's source and its own and
    Python's versions, so a changed template is compiled again; the output is
    the same either way.
    """
    return CompiledTemplates(cache_dir)


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates as rows of the fragment cache's database, not a file each
    (jinja2.FileSystemBytecodeCache): a cold build compiles seventy, and creating
    a file costs more than compiling some of them (see generator.site_writes)."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = FragmentCache.of_this_process(self.cache_dir).compiled(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = bucket.bytecode_to_string()
        FragmentCache.of_this_process(self.cache_dir).keep_compiled(bucket.key, code)


def compile_theme_templates(theme: Any, cache_dir: Path) -> int:
    """In the worker, on a cold cache: compile the theme's page templates and
    partials into the compiled-template cache, where MkDocs finds them, instead
    of compiling them itself as it builds the first pages. A template that needs
    a filter only a plugin adds (one this site does not use) is left to MkDocs.
    How many were compiled."""
    env = theme.get_env()  # the environment MkDocs makes: the same compiled code
    env.bytecode_cache = compiled_template_cache(cache_dir)
    language = f"partials/languages/{theme.get('language') or 'en'}.html"

    def wanted(name: str) -> bool:
        if name.startswith("partials/languages/"):
            return name == language
        pages = ("main.html", "base.html", "404.html", "sitemap.xml")  # base: main's parent
        return name.startswith("partials/") or name in pages

    compiled = 0
    for name in env.list_templates(filter_func=wanted):
        try:
            env.get_template(name)
            compiled += 1
        except jinja2.TemplateError:
            continue
    return compiled


def compile_our_templates(cache_dir: Path) -> int:
    """In the worker, on a cold cache: compile the generator's templates into the
    compiled-template cache, where this process finds them when it draws the
    pages, instead of compiling them itself. How many were compiled."""
    use_compiled_template_cache(cache_dir)
    env = make_environment()
    names = env.list_templates()
    for name in names:
        env.get_template(name)
    return len(names)


def use_compiled_template_cache(cache_dir: Path) -> None:
    """Let the shared environment keep its compiled templates in `cache_dir`."""
    make_environment().bytecode_cache = compiled_template_cache(cache_dir)


@functools.cache
def make_environment() -> jinja2.Environment:
    """One shared environment, so each template compiles once. Callers must not modify
    it; `use_compiled_template_cache` (the plugin, at start) says where to keep compiled
    templates between builds."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=without_bidi_controls,
    )
    env.filters["long_date"] = long_date
    env.filters["thousands"] = thousands
    env.filters["md_escape"] = md_escape
    env.filters["published_count"] = published_count
    env.filters["published_hours"] = published_hours
    env.filters["hold"] = hold
    env.filters["breakable"] = breakable
    return env
