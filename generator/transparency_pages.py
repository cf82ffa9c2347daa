"""Render the transparency section of an issue, the /transparency/ pages and /data/.

Input is section dicts from data.json: already suppressed, public, and
editable by hand, so every value is checked to be a published form (a count,
"<k", "withheld", or null) before it reaches a page, a chart or a CSV.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from typing import Any

from markupsafe import Markup

from generator import charts
from generator.errors import NewsletterError
from generator.slots import Slots
from generator.sources import flags_schema as schema
from generator.templating import make_environment
from generator.transparency_sql import QUERY_FILES, query_text

# Relative links: an issue lives at /issues/<slug>/, the report at /transparency/.
FROM_ISSUE = "../../transparency/"
LABELS = {
    "trusted_flagger": "trusted flagger",
    "own_initiative": "own initiative (automated and staff)",
    "notices": "notices (community, trusted flaggers, authorities)",
    "nfaa_tag_added": "not-for-all-audiences tag added",
    "privacy_pii": "privacy / personal data",
    "adult_content_untagged": "adult content without tag",
}
HEADLINES = (
    ("received", "Flags received"),
    ("resolved", "Flags resolved"),
    ("pending_at_close", "Pending at the end of the season"),
    ("appeals_decided", "Appeals decided"),
)
CSV_FIELDS = (
    "issue",
    "window_start",
    "window_end",
    "measure",
    "breakdown",
    "group",
    "subgroup",
    "value",
    "marker",
)


def label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " "))


def _checked(value: Any, k: int) -> int | str | None:
    """Only published forms pass: a count, '<k', 'withheld', or null."""
    if value is None or value == "withheld" or value == f"<{k}":
        return value  # type: ignore[no-any-return]
    if isinstance(value, int) and not isinstance(value, bool) and (value == 0 or value >= k):
        return value
    raise NewsletterError(f"transparency section: {value!r} is not a publishable count")


def _rows(section: dict[str, Any], part: str, breakdown: str) -> list[dict[str, Any]]:
    k = section["k"]
    return [
        {"key": r["key"], "label": label(r["key"]), "count": _checked(r["count"], k)}
        for r in section[part][breakdown]
    ]


def _figure(title: str, rows: list[dict[str, Any]], *, chart: bool = True) -> dict[str, Any]:
    """A table of one breakdown, with its bar chart unless the table alone reads as well."""
    if not chart:
        return {"title": title, "svg": None, "rows": rows}
    svg = charts.bar_chart([r["label"] for r in rows], [r["count"] for r in rows])
    return {"title": title, "svg": Markup(svg), "rows": rows}


def _cross_table(section: dict[str, Any], k: int) -> dict[str, Any]:
    """Decisions by category x action as a grid: one row per category, one column per action."""
    cells = section["resolved"]["by_category_action"]
    categories = list(dict.fromkeys(c["category"] for c in cells))
    actions = list(dict.fromkeys(c["action"] for c in cells))
    count = {(c["category"], c["action"]): _checked(c["count"], k) for c in cells}
    return {
        "actions": [label(a) for a in actions],
        "rows": [
            {"label": label(cat), "counts": [count.get((cat, a)) for a in actions]}
            for cat in categories
        ],
    }


def _section_view(section: dict[str, Any]) -> dict[str, Any]:
    k = int(section["k"])
    schema.require_k(k)
    headline = {key: _checked(section["headline"][key], k) for key, _ in HEADLINES}
    times = section["time_to_action"]
    by_category = {r["key"]: r for r in section["resolved"]["by_category"]}
    time_rows = [
        {**t, "label": label(t["key"]), "count": _checked(by_category[t["key"]]["count"], k)}
        for t in times["by_category"]
    ]
    change = section.get("change") or {}
    previous = (section.get("previous") or {}).get("headline") or {}
    changes = [
        {
            "label": title,
            "now": headline[key],
            "before": _checked(previous.get(key), k),
            "change": change.get(key),
        }
        for key, title in HEADLINES
        if previous
    ]
    return {
        "k": k,
        "window": section["window"],
        "headline": [{"key": key, "label": t, "value": headline[key]} for key, t in HEADLINES],
        "overall_time": times["overall"],
        # Charts where many groups are compared (decisions: 14 categories,
        # 10 actions); the short breakdowns of what was received (five
        # sources, seven kinds of target, seven reasons) read as well from
        # their tables.
        "received": [
            _figure(
                "Flags received by source",
                _rows(section, "received", "by_source"),
                chart=False,
            ),
            _figure(
                "Flags received by kind of target",
                _rows(section, "received", "by_target_type"),
                chart=False,
            ),
            _figure(
                "Flags received by the reason reporters gave",
                _rows(section, "received", "by_reason"),
                chart=False,
            ),
        ],
        "origin": _rows(section, "received", "by_origin"),
        "resolved": [
            _figure("Decisions by policy category", _rows(section, "resolved", "by_category")),
            _figure("Decisions by action taken", _rows(section, "resolved", "by_action")),
        ],
        "decided_by": _rows(section, "resolved", "by_decided_by"),
        "cross": _cross_table(section, k),
        "times": time_rows,
        "appeals": {
            key: _checked(section["appeals"][key], k) for key in ("decided", "upheld", "reversed")
        }
        | {"reversal_rate": section["appeals"]["reversal_rate"]},
        "changes": changes,
        "accounting": section["accounting"],
        "methodology_href": FROM_ISSUE + "methodology/",
        "report_href": FROM_ISSUE,
    }


def _tidy(html: str) -> str:
    # A raw HTML block in Markdown must not contain blank lines.
    return "\n".join(line for line in html.splitlines() if line.strip()) + "\n"


def render_transparency_section(section: dict[str, Any], *, tz: str) -> str:
    """HTML fragment: headline figures, then tables with their charts."""
    template = make_environment().get_template("sections/transparency.html.j2")
    return _tidy(template.render(view=_section_view(section), tz=tz, label=label))


# --- the DSA crosswalk (from the flags-v1 schema) ---------------------------

DSA_CATEGORIES = {
    "hate_or_discrimination": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "harassment_or_bullying": "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "violence": "STATEMENT_CATEGORY_VIOLENCE",
    "self_harm": "STATEMENT_CATEGORY_SELF_HARM",
    "child_safety": "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "adult_content_untagged": "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "privacy_pii": "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "intellectual_property": "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "misinformation": "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "high_risk_use": "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "malware_or_security": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "spam_or_fraud": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "other": "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "no_violation": "(no statement)",
}
DSA_ACTIONS = {
    "none": "(none)",
    "nfaa_tag_added": "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "card_updated": "DECISION_VISIBILITY_CONTENT_LABELLED",
    "gated": "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "unranked": "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "interaction_restricted": "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "disabled": "DECISION_VISIBILITY_CONTENT_DISABLED",
    "removed": "DECISION_VISIBILITY_CONTENT_REMOVED",
    "account_suspended": "DECISION_ACCOUNT_SUSPENDED",
    "account_terminated": "DECISION_ACCOUNT_TERMINATED",
}
DSA_SOURCES = {
    "community": "SOURCE_ARTICLE_16",
    "trusted_flagger": "SOURCE_TRUSTED_FLAGGER",
    "automated": "SOURCE_VOLUNTARY",
    "staff": "SOURCE_VOLUNTARY",
    "authority": "SOURCE_TYPE_OTHER_NOTIFICATION",
}
DSA_DECIDERS = {
    "human": "AUTOMATED_DECISION_NOT_AUTOMATED",
    "automated": "AUTOMATED_DECISION_FULLY",
    "hybrid": "AUTOMATED_DECISION_PARTIALLY",
}


# --- long-format data --------------------------------------------------------


def _utc_z(iso: str) -> str:
    """'2026-09-22T18:05:00+00:00' -> '2026-09-22T18:05:00Z' (Frictionless datetime)."""
    if not iso.endswith("+00:00"):
        raise NewsletterError(f"transparency section: window instant {iso!r} is not UTC")
    return iso.removesuffix("+00:00") + "Z"


def _cell(value: Any, k: int) -> tuple[str, str]:
    checked = _checked(value, k)
    if checked is None:
        return "", "not_published"
    if isinstance(checked, str):
        return "", checked
    return str(checked), ""


def _number_cell(value: Any) -> tuple[str, str]:
    if value is None:
        return "", "not_published"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NewsletterError(f"transparency section: {value!r} is not a number")
    return repr(float(value)) if isinstance(value, float) else str(value), ""


def long_rows(meta: dict[str, Any], section: dict[str, Any]) -> list[tuple[str, ...]]:
    """Every published figure of one issue as rows of the long-format CSV (CSV_FIELDS)."""
    k = int(section["k"])
    schema.require_k(k)
    base = (
        meta["slug"],
        _utc_z(section["window"]["start"]),
        _utc_z(section["window"]["end"]),
    )
    rows: list[tuple[str, ...]] = []

    def add(measure: str, breakdown: str, group: str, subgroup: str, cell: tuple[str, str]) -> None:
        rows.append((*base, measure, breakdown, group, subgroup, *cell))

    for part in ("received", "resolved"):
        add(part, "total", "", "", _cell(section[part]["total"], k))
        for breakdown, table in section[part].items():
            if breakdown.startswith("by_") and breakdown != "by_category_action":
                for r in table:
                    add(part, breakdown[3:], r["key"], "", _cell(r["count"], k))
    for c in section["resolved"]["by_category_action"]:
        add("resolved", "category_action", c["category"], c["action"], _cell(c["count"], k))
    for key in ("pending_at_start", "pending_at_close"):
        add(key, "total", "", "", _cell(section["headline"][key], k))
    appeals = section["appeals"]
    add("appeals", "total", "", "", _cell(appeals["decided"], k))
    for outcome in ("upheld", "reversed"):
        add("appeals", "outcome", outcome, "", _cell(appeals[outcome], k))
    add("appeal_reversal_rate", "total", "", "", _number_cell(appeals["reversal_rate"]))
    times = section["time_to_action"]
    for stat in ("median_hours", "p90_hours"):
        add(f"time_to_decision_{stat}", "total", "", "", _number_cell(times["overall"][stat]))
        for r in times["by_category"]:
            add(f"time_to_decision_{stat}", "category", r["key"], "", _number_cell(r[stat]))
    return rows


def csv_text(rows: list[tuple[str, ...]]) -> str:
    """RFC 4180: CRLF line ends, a header row, quoting only where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    writer.writerows(rows)
    return buffer.getvalue()


def _table_schema() -> dict[str, Any]:
    describe = {
        "issue": ("string", "Issue slug, e.g. 2026-september-equinox."),
        "window_start": ("datetime", "Start of the issue's window (inclusive), UTC."),
        "window_end": ("datetime", "End of the issue's window (exclusive), UTC."),
        "measure": ("string", "What is counted or measured; see the methodology page."),
        "breakdown": ("string", "total, or the column the figure is broken down by."),
        "group": ("string", "The value of the breakdown column (empty for totals)."),
        "subgroup": ("string", "The action, for the category_action breakdown."),
        "value": ("number", "The figure; empty when it is not published (see marker)."),
        "marker": ("string", "Why value is empty: <k (1 to k-1), withheld, not_published."),
    }
    fields = [{"name": n, "type": t, "description": d} for n, (t, d) in describe.items()]
    return {"fields": fields, "missingValues": [""]}


# Where the common data licences are read; any other SPDX id links to its SPDX page.
LICENSE_PAGES = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "ODC-By-1.0": "https://opendatacommons.org/licenses/by/1-0/",
    "PDDL-1.0": "https://opendatacommons.org/licenses/pddl/1-0/",
}


def license_entry(spdx: str) -> dict[str, str]:
    """A Data Package `licenses` entry for an SPDX identifier."""
    path = LICENSE_PAGES.get(spdx, f"https://spdx.org/licenses/{spdx}.html")
    return {"name": spdx, "path": path}


def datapackage(files: dict[str, str], license: str | None = None) -> str:
    """A Frictionless Data Package describing every transparency CSV in `files`."""
    resources = []
    for path in sorted(p for p in files if p.startswith("data/") and p.endswith(".csv")):
        data = files[path].encode("utf-8")
        name = path.removeprefix("data/").removesuffix(".csv")
        resources.append(
            {
                "name": name,
                "path": path.removeprefix("data/"),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": _table_schema(),
            }
        )
    package = {
        "profile": "tabular-data-package",
        "name": "newsletter-transparency",
        "title": "Transparency report: community flags and moderation decisions",
        "description": "Aggregates of the flag export per issue, with small counts suppressed.",
        "resources": resources,
    }
    if license:
        package["licenses"] = [license_entry(license)]
    return json.dumps(package, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- /transparency/ pages ------------------------------------------------------

SERIES = (
    ("received", "Flags received"),
    ("resolved", "Flags resolved"),
    ("pending_at_close", "Pending at the end"),
)


def _slug(meta: dict[str, Any]) -> str:
    slug = str(meta["slug"])
    if not re.fullmatch(r"\d{4}-[a-z]+(-[a-z]+)*", slug):
        raise NewsletterError(f"transparency pages: invalid issue slug {slug!r}")
    return slug


def _series_row(meta: dict[str, Any], section: dict[str, Any]) -> dict[str, Any]:
    k = int(section["k"])
    schema.require_k(k)
    head = section["headline"]
    keys = (
        "received",
        "resolved",
        "pending_at_close",
        "own_initiative",
        "notices",
        "appeals_decided",
    )
    return {
        "slug": _slug(meta),
        "href": f"../issues/{_slug(meta)}/",
        "title": str(meta["title"]),
        "season": str(meta.get("season") or meta["title"]),
        "number": meta.get("number"),
        "date": str(meta["date"]),
        "k": k,
        **{key: _checked(head.get(key), k) for key in keys},
        "reversal_rate": section["appeals"]["reversal_rate"],
        "median_hours": section["time_to_action"]["overall"]["median_hours"],
    }


def index_page(
    sections: list[tuple[dict[str, Any], dict[str, Any]]], slots: Slots | None = None
) -> str:
    rows = [_series_row(meta, section) for meta, section in sections]
    chart = charts.line_chart(
        [r["date"] for r in rows],
        {title: [r[key] for r in rows] for key, title in SERIES},
        axis_label="flags",
    )
    template = make_environment().get_template("pages/transparency_index.md.j2")
    ks = sorted({r["k"] for r in rows})
    return template.render(rows=rows, chart=Markup(chart), series=SERIES, ks=ks, slots=slots)


def methodology_page(sections: list[tuple[dict[str, Any], dict[str, Any]]]) -> str:
    # The queries live with the reading of the export, which the rest of this module
    # (the /data/ page drawn in the build's own process, say) has no need of.
    from generator.sources import flags as fx
    from generator.sources import flags_fast

    queries = [
        (
            "Fast path for a clean CSV export: typed reading and set-based checks",
            flags_fast.example_sql(),
        ),
        ("Validation: typed columns and one bit per broken rule", fx.checked_table_sql()),
        ("Rows whose flag_id repeats", fx.REPEATED_SQL.strip()),
        ("Their whole rows, to compare them", fx.ROW_KEYS_SQL.strip()),
        ("Exact duplicates and conflicts", fx.REPEATS_SQL.strip()),
        ("The counted flags", fx.FLAGS_VIEW_SQL.strip()),
    ] + [(f"{name}.sql", query_text(name).strip()) for name in (*QUERY_FILES, "aggregates_export")]
    template = make_environment().get_template("pages/transparency_methodology.md.j2")
    return template.render(
        ks=sorted({int(s["k"]) for _, s in sections}) or [10],
        rules=schema.RULES,
        conflict=schema.CONFLICT.code,
        crosswalks=[
            ("Policy category (`category`)", "DSA statement category", DSA_CATEGORIES),
            ("Action (`action`)", "DSA decision", DSA_ACTIONS),
            ("Source (`source`)", "DSA source", DSA_SOURCES),
            ("Decided by (`decided_by`)", "DSA automated decision", DSA_DECIDERS),
        ],
        queries=queries,
    )


def transparency_pages(
    sections: list[tuple[dict, dict]], slots: Slots | None = None, license: str | None = None
) -> dict[str, str]:
    """Page and data sources, keyed by docs-relative path, for every published issue.

    With `slots`, the pages' generated HTML blocks wait there (see generator.slots)."""
    files: dict[str, str] = {}
    header = csv_text([])
    every = [header]  # the combined CSV: each issue's rows, in the same order
    for meta, section in sections:
        text = csv_text(long_rows(meta, section))
        files[f"data/transparency-{_slug(meta)}.csv"] = text
        every.append(text.removeprefix(header))
    files["data/transparency.csv"] = "".join(every)
    files["data/datapackage.json"] = datapackage(files, license)
    files["transparency/index.md"] = index_page(sections, slots)
    files["transparency/methodology.md"] = methodology_page(sections)
    return files
