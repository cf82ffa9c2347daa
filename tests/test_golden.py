"""The sample newsletter's feeds, byte for byte against tests/golden (refresh: make golden)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from .golden import GOLDEN, GOLDEN_FILES


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_feed_matches_golden_copy(built_sample: Path, name: str) -> None:
    golden = GOLDEN / name
    built = built_sample / name
    assert golden.exists(), f"no golden copy of {name}: run `make golden`"
    assert built.exists(), f"{name} missing from the built site"
    expected = golden.read_text(encoding="utf-8").splitlines()
    actual = built.read_text(encoding="utf-8").splitlines()
    if expected != actual:
        diff = "\n".join(
            list(
                difflib.unified_diff(
                    expected, actual, f"golden/{name}", f"site/{name}", lineterm=""
                )
            )[:80]
        )
        pytest.fail(f"{name} differs from its golden copy (run `make golden` if intended):\n{diff}")
