"""axe-core from the npm registry (package.json pins it; `npm ci` installs it)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ..conftest import REPO

AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_source() -> str:
    """The axe-core script; skip (locally) or fail (in CI) when `npm ci` was not run."""
    if not AXE_SCRIPT.is_file():
        reason = f"axe-core is not installed ({Path(AXE_SCRIPT).relative_to(REPO)}): run `npm ci`"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def audit(page: Any, source: str) -> list[dict[str, Any]]:
    """axe's violations on the loaded page (WCAG 2.x A/AA rules and best practices)."""
    page.add_script_tag(content=source)
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'wcag22aa', 'best-practice']}})"
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']})")
        for node in violation["nodes"][:3]:
            lines.append(f"    {node['target']}: {node['html'][:120]}")
    return "\n".join(lines)
