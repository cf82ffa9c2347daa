"""Make the charter's own Markdown safe to paste into a generated page.

The charter is the team's Markdown and is rendered as Markdown, but nothing
in it may reach the page as raw HTML, whatever Markdown extensions the site
enables. So, without relying on any extension:

- fenced code blocks become `<pre><code>` blocks we escape ourselves;
- elsewhere `<` becomes `&lt;` (except plain `<https://…>` autolinks), which
  also disarms raw HTML, comments and `--8<--` snippet includes;
- `{` becomes `&#123;`, so attribute lists (`{: onclick=… }`) and template
  macros cannot be written from the charter;
- link targets with a scheme other than http, https or mailto (such as
  `javascript:`) are replaced by `#unsafe-link`;
- headings are shifted down, so the charter nests under the page's headings;
- a run of hundreds of letters gets `<wbr>` breaks, which browsers lay out fast.
"""

from __future__ import annotations

import html
import re

from generator.templating import LONGEST_UNBROKEN, pieces_of
from generator.urls import UNSAFE_LINK, is_safe_url

_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)(.*)$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_AUTOLINK = re.compile(r"<(https?://[^\s<>\"'`{}]+)>")
_UNSAFE = UNSAFE_LINK
_REFERENCE_TARGET = re.compile(r"^( {0,3}\[[^\]]*\]:\s*)(\S*)", re.MULTILINE)
_NOT_A_TITLE = re.compile(r"^\s*([-*+]\s|\d+[.)]\s|#|>|\||<pre )")


def _is_safe_target(target: str) -> bool:
    """Relative links, anchors and http(s)/mailto only (see generator.urls).

    `<…>` around a target is Markdown's, not the URL's. Every page's HTML is
    checked again once converted, whatever slipped through here.
    """
    return is_safe_url(html.unescape(target.replace("&lt;", "<")).lstrip("< \t\n"))


def _disarm_inline_links(text: str) -> str:
    """Replace unsafe `](target …)` destinations by `#`, across line breaks."""
    out: list[str] = []
    position = 0
    while (found := text.find("](", position)) >= 0:
        cursor, depth = found + 2, 1
        paragraph_end = text.find("\n\n", cursor)
        limit = len(text) if paragraph_end < 0 else paragraph_end
        while cursor < limit and depth:
            depth += {"(": 1, ")": -1}.get(text[cursor], 0)
            cursor += 1
        inside = text[found + 2 : cursor - 1 if depth == 0 else cursor]
        out.append(text[position : found + 2])
        out.append(inside if _is_safe_target(inside) else _UNSAFE)
        if depth == 0:
            out.append(")")
        position = cursor
    out.append(text[position:])
    return "".join(out)


def _escape_prose(text: str) -> str:
    autolinks: list[str] = []

    def keep(match: re.Match[str]) -> str:
        autolinks.append(match.group(0))
        return f"\0{len(autolinks) - 1}\0"

    text = _AUTOLINK.sub(keep, text)
    text = text.replace("<", "&lt;").replace("{", "&#123;")
    text = _disarm_inline_links(text)
    text = _REFERENCE_TARGET.sub(
        lambda m: m.group(1) + (m.group(2) if _is_safe_target(m.group(2)) else _UNSAFE), text
    )
    text = _LONG_WORD.sub(_with_breaks, text)
    return re.sub(r"\0(\d+)\0", lambda m: autolinks[int(m.group(1))], text)


# A word that starts with this many letters and digits gets a line-break
# opportunity every so many characters (see generator.templating.LONGEST_UNBROKEN:
# a browser wraps a huge unbreakable word very slowly). Only at the start of a
# word, and letters and digits only, so that no link target, URL or Markdown
# syntax is cut.
_LONG_WORD = re.compile(rf"(?<!\S)[^\W_]{{{4 * LONGEST_UNBROKEN},}}")


def _with_breaks(word: re.Match[str]) -> str:
    return "<wbr>".join(pieces_of(word.group()))


def _code_block(lines: list[str]) -> list[str]:
    code = html.escape("\n".join(lines)).replace("{", "&#123;")
    return ["", f'<pre class="nl-charter-code"><code>{code}</code></pre>', ""]


def _shift_heading(line: str, shift: int) -> str:
    match = _ATX.match(line)
    if not match:
        return line
    level = min(len(match.group(2)) + shift, 6)
    return f"{match.group(1)}{'#' * level}{match.group(3)}"


def _split_fences(lines: list[str]) -> list[tuple[str, list[str]]]:
    """("prose", lines) and ("code", lines) blocks; unclosed fences are prose."""
    blocks: list[tuple[str, list[str]]] = [("prose", [])]
    index = 0
    while index < len(lines):
        fence = _FENCE_OPEN.match(lines[index])
        if fence and not (fence.group(2)[0] == "`" and "`" in fence.group(3)):
            closing = _find_fence_end(lines, index, fence.group(2))
            if closing is not None:
                blocks += [("code", lines[index + 1 : closing]), ("prose", [])]
                index = closing + 1
                continue
        blocks[-1][1].append(lines[index])
        index += 1
    return blocks


def _prose(lines: list[str], heading_shift: int) -> list[str]:
    # Escaped as a whole: a link's target may start on the next line.
    escaped = _escape_prose("\n".join(lines)).split("\n")
    out: list[str] = []
    for line in escaped:
        underline = _SETEXT.match(line)
        if underline and out and _can_be_setext_title(out[-1]):
            # Setext heading: rewrite as ATX so it can be shifted too.
            level = 1 if underline.group(1)[0] == "=" else 2
            out[-1] = _shift_heading("#" * level + " " + out[-1].strip(), heading_shift)
            continue
        out.append(_shift_heading(line, heading_shift))
    return out


def safe_charter_markdown(text: str, *, heading_shift: int = 0) -> str:
    """The charter's Markdown with raw HTML disarmed and headings shifted."""
    out: list[str] = []
    for kind, lines in _split_fences(text.replace("\r\n", "\n").split("\n")):
        out.extend(_code_block(lines) if kind == "code" else _prose(lines, heading_shift))
    return "\n".join(out)


def _find_fence_end(lines: list[str], start: int, fence: str) -> int | None:
    closer = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
    for index in range(start + 1, len(lines)):
        if closer.match(lines[index]):
            return index
    return None


def _can_be_setext_title(line: str) -> bool:
    return bool(line.strip()) and not _NOT_A_TITLE.match(line)
