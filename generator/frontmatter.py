"""Surgical edits to an issue.md's front matter: the prose bytes are never touched.

Publishing and corrections change a few keys. Re-serialising the whole front
matter would reorder keys and drop the editors' comments, so only the lines of
the keys that change are rewritten, and the result is parsed back to prove it
says what was meant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import IssueError
from .issues import FRONT_MATTER


def _dump(key: str, value: Any) -> list[str]:
    text = yaml.safe_dump(
        {key: value}, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False
    )
    return text.splitlines()


def _key_extent(lines: list[str], key: str) -> tuple[int, int] | None:
    """[first, end) of the lines holding top-level `key` and its nested block."""
    for first, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            end = first + 1
            while end < len(lines) and (
                lines[end][:1] in (" ", "\t", "-") or not lines[end].strip()
            ):
                end += 1
            while end > first + 1 and not lines[end - 1].strip():
                end -= 1  # trailing blank lines belong to no key
            return first, end
    return None


def _split(text: str, path: Path) -> tuple[list[str], str, str]:
    match = FRONT_MATTER.match(text)
    if not match:
        raise IssueError(f"{path}:1: expected YAML front matter between '---' lines")
    header = match.group(1) or ""
    opening, _, _ = match.group(0).partition("\n")
    return header.splitlines(), opening + "\n", text[match.end() :]


def _join(opening: str, lines: list[str], prose: str) -> str:
    return opening + "".join(f"{line}\n" for line in lines) + "---\n" + prose


def set_keys(text: str, values: dict[str, Any], path: Path) -> str:
    """`text` with each top-level key in `values` set (replaced in place, else appended)."""
    lines, opening, prose = _split(text, path)
    for key, value in values.items():
        extent = _key_extent(lines, key)
        if extent is None:
            lines.extend(_dump(key, value))
        else:
            lines[extent[0] : extent[1]] = _dump(key, value)
    result = _join(opening, lines, prose)
    _verify(result, path, values)
    return result


def append_correction(text: str, entry: dict[str, str], path: Path) -> str:
    """`text` with `entry` appended to the `corrections` list (created if absent)."""
    lines, opening, prose = _split(text, path)
    before = yaml.safe_load("\n".join(lines)) or {}
    existing = list(before.get("corrections") or [])
    item = _dump("corrections", [entry])[1:]  # "- date: ..." lines of the new item
    extent = _key_extent(lines, "corrections")
    if extent is None or not existing:
        if extent is not None:
            del lines[extent[0] : extent[1]]
        lines.extend(["corrections:", *item])
    else:
        first_item = next(
            line for line in lines[extent[0] + 1 : extent[1]] if line.lstrip().startswith("-")
        )
        indent = first_item[: len(first_item) - len(first_item.lstrip())]
        lines[extent[1] : extent[1]] = [indent + line for line in item]
    result = _join(opening, lines, prose)
    _verify(result, path, {"corrections": [*existing, entry]})
    return result


def _verify(text: str, path: Path, expected: dict[str, Any]) -> None:
    match = FRONT_MATTER.match(text)
    meta = yaml.safe_load(match.group(1) or "") if match else None
    if not isinstance(meta, dict) or any(meta.get(k) != v for k, v in expected.items()):
        raise IssueError(f"{path}: could not update the front matter safely; edit it by hand")
