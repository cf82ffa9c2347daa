"""Exceptions the generator raises for bad input or bad config.

The library raises; only the CLI turns these into messages and exit codes.
Messages must never contain private values (reporter ids, comments, flagged
artifact references) or credentials.
"""

from __future__ import annotations


class NewsletterError(Exception):
    """A user error: bad input, bad config, or a refused operation (exit 1)."""


class ConfigError(NewsletterError):
    """The `newsletter` plugin block in mkdocs.yml is invalid.

    `problems` holds every (key, message) pair found, so all can be shown at once.
    """

    def __init__(self, config_file: str, problems: list[tuple[str, str]]):
        self.config_file = config_file
        self.problems = problems
        lines = [f"{config_file}: {key}: {msg}" for key, msg in problems]
        super().__init__("\n".join(lines))


class SourceError(NewsletterError):
    """A source record is invalid. Names the file, line (or row) and field."""

    def __init__(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ):
        self.path = path
        self.line = line
        self.field = field
        self.detail = message
        where = path if line is None else f"{path}:{line}"
        if field:
            where = f"{where}: {field}"
        super().__init__(f"{where}: {message}")


class SourceErrors(NewsletterError):
    """Several SourceErrors found in one pass (reported together, up to a cap)."""

    def __init__(self, errors: list[SourceError], total: int | None = None):
        self.errors = errors
        self.total = len(errors) if total is None else total
        lines = [str(e) for e in errors]
        if self.total > len(errors):
            lines.append(f"... and {self.total - len(errors)} more errors")
        super().__init__("\n".join(lines))


class IssueError(NewsletterError):
    """An issue folder, slug or front matter is invalid, or an operation is refused."""
