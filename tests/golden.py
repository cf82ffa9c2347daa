"""Golden copies of the sample newsletter's feeds.

`make golden` (python tests/golden.py --refresh) rebuilds the sample and
rewrites tests/golden/; review the diff with `git diff tests/golden` before
committing. tests/test_golden.py fails with a readable diff when they differ.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
GOLDEN_FILES = ("feed.xml", "atom.xml", "feed.json", "charter/atom.xml")


def refresh() -> list[str]:
    sys.path.insert(0, str(HERE.parent))
    from generator.build import build_site
    from tests.conftest import copy_sample_site

    with tempfile.TemporaryDirectory() as tmp:
        site = build_site(str(copy_sample_site(Path(tmp))), strict=True)
        written = []
        for name in GOLDEN_FILES:
            if (site / name).exists():
                target = GOLDEN / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(site / name, target)
                written.append(name)
        return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--refresh", action="store_true", help="rewrite tests/golden/")
    if parser.parse_args().refresh:
        for name in refresh():
            print(f"refreshed tests/golden/{name}")


if __name__ == "__main__":
    main()
