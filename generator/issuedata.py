"""`data.json`: everything collected for one issue, validated by a shipped JSON Schema.

Written atomically (temporary file in the same folder, then rename), with
sorted keys and a trailing newline so the same data gives the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import IssueError

SCHEMA_VERSION = 1
SCHEMA_ID = "https://newsletter.invalid/schemas/data.schema.json"


def dump_json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomic(path: Path, content: bytes) -> None:
    """Write `content` to `path` so that readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; data.json is public
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema
    from referencing import Registry, Resource

    folder = resources.files("generator") / "schemas"
    registry: Registry = Registry()
    main = None
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        schema = json.loads(entry.read_text(encoding="utf-8"))
        # Every schema is found by its file name next to data.schema.json.
        schema["$id"] = f"https://newsletter.invalid/schemas/{entry.name}"
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))
        if entry.name == "data.schema.json":
            main = schema
    assert main is not None, "data.schema.json ships with the package"
    return jsonschema.Draft202012Validator(main, registry=registry)


def validate_data(data: Any, path: Path) -> None:
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [
            f"{path}: {'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message[:300]}"
            for e in errors[:20]
        ]
        raise IssueError("\n".join(lines))


def read_data(path: Path) -> dict[str, Any]:
    return load_data(path)[0]


# Digests of data.json contents already validated in this process: schema
# validation costs far more than parsing, and a build reads every issue.
_VALIDATED: set[str] = set()


def load_data(path: Path, *, trusted_sha256: str | None = None) -> tuple[dict[str, Any], str]:
    """Parse and validate data.json; returns (data, SHA-256 of its bytes).

    Validation is skipped when the bytes match `trusted_sha256` (the checksum
    recorded when the issue was published, after validation) or were already
    validated in this process.
    """
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise IssueError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise IssueError(
            f"{path}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})"
        ) from None
    if digest != trusted_sha256 and digest not in _VALIDATED:
        validate_data(data, path)
        _VALIDATED.add(digest)
    return data, digest


def write_data(path: Path, data: dict[str, Any]) -> str:
    """Validate and write data.json atomically; returns the SHA-256 of the bytes written."""
    validate_data(data, path)
    content = dump_json(data)
    write_atomic(path, content)
    digest = hashlib.sha256(content).hexdigest()
    _VALIDATED.add(digest)
    return digest


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete temporary files a killed writer left in `folder` (names `.<file>.*.tmp`)."""
    removed = []
    for leftover in sorted(folder.glob(".*.tmp")):
        if leftover.is_file():
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed
