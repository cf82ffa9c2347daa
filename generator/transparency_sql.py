"""The transparency report's queries, as text (generator/sql/).

Run by generator.transparency and its pre-aggregated route; quoted by the
methodology page, which has no need of DuckDB or of the suppression solver
that those modules import.
"""

from __future__ import annotations

from importlib import resources

QUERY_FILES = ("received", "resolved", "time_to_action", "pending", "appeals")


def query_text(name: str) -> str:
    return (resources.files("generator") / "sql" / f"{name}.sql").read_text(encoding="utf-8")
