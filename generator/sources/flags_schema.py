"""The flag export contract (schema flags-v1): columns, allowed values and rules.

Every rule is one SQL condition over the text columns (`t_*`) and the typed
ones, with the message a user sees when a row breaks it. Messages name the
column and what was expected, never a value from the row: a value may be
private (see PRIVATE).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.errors import NewsletterError

SCHEMA = "flags-v1"
ERROR_CAP = 50

TARGET_TYPES = ("model", "dataset", "space", "discussion", "comment", "collection", "user")
SOURCES = ("community", "trusted_flagger", "automated", "staff", "authority")
REASONS = ("ethical_issue", "legal_issue", "not_working", "spam", "illegal_or_restricted", "other")
CATEGORIES = (
    "hate_or_discrimination",
    "harassment_or_bullying",
    "violence",
    "self_harm",
    "child_safety",
    "adult_content_untagged",
    "privacy_pii",
    "intellectual_property",
    "misinformation",
    "high_risk_use",
    "malware_or_security",
    "spam_or_fraud",
    "other",
    "no_violation",
)
ACTIONS = (
    "none",
    "nfaa_tag_added",
    "card_updated",
    "gated",
    "unranked",
    "interaction_restricted",
    "disabled",
    "removed",
    "account_suspended",
    "account_terminated",
)
DECIDERS = ("human", "automated", "hybrid")
APPEALS = ("none", "pending", "upheld", "reversed")

ENUMS: dict[str, tuple[str, ...]] = {
    "target_type": TARGET_TYPES,
    "source": SOURCES,
    "reason": REASONS,
    "category": CATEGORIES,
    "action": ACTIONS,
    "decided_by": DECIDERS,
    "appeal": APPEALS,
}
TIMESTAMPS = ("received_at", "resolved_at", "appeal_resolved_at")
PRIVATE = ("target_ref", "reporter_id", "comment")
REQUIRED = ("flag_id", "received_at", "target_type", "source", "reason")
DECISION = ("category", "action", "decided_by")
COLUMNS = (
    "flag_id",
    "received_at",
    "target_type",
    "source",
    "reason",
    "resolved_at",
    "category",
    "action",
    "decided_by",
    "appeal",
    "appeal_resolved_at",
    "target_ref",
    "reporter_id",
    "comment",
)

NO_OFFSET = r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?"
_EXAMPLE = "e.g. 2026-09-23T00:05:00+00:00"


def _allowed(column: str) -> str:
    return "allowed: " + ", ".join(ENUMS[column])


@dataclass(frozen=True)
class Rule:
    """One schema rule, checked in SQL over the text columns (`t_*`) and typed ones."""

    code: str
    column: str
    message: str
    broken_when: str


def _value_rules() -> list[Rule]:
    """Rules on one field at a time: present, a timestamp with offset, an allowed value."""
    rules = [
        Rule(f"missing_{c}", c, "required value is missing", f"t_{c} IS NULL") for c in REQUIRED
    ]
    for c in TIMESTAMPS:
        rules.append(
            Rule(
                f"no_offset_{c}",
                c,
                f"timestamp has no UTC offset; expected RFC 3339 with offset, {_EXAMPLE}",
                f"t_{c} IS NOT NULL AND regexp_full_match(t_{c}, '{NO_OFFSET}')",
            )
        )
        rules.append(
            Rule(
                f"bad_{c}",
                c,
                f"not an RFC 3339 timestamp; expected {_EXAMPLE}",
                f"t_{c} IS NOT NULL AND {c} IS NULL "
                f"AND NOT regexp_full_match(t_{c}, '{NO_OFFSET}')",
            )
        )
    for c in ENUMS:
        # A cast, not an IN list: DuckDB plans a long IN list as a join over every row.
        rules.append(
            Rule(
                f"case_{c}",
                c,
                f"enum values are exact, lower case; {_allowed(c)}",
                f"t_{c} IS NOT NULL AND {c} IS NULL "
                f"AND try_cast(lower(t_{c}) AS {c}_t) IS NOT NULL",
            )
        )
        rules.append(
            Rule(
                f"bad_{c}",
                c,
                f"not an allowed value; {_allowed(c)}",
                f"t_{c} IS NOT NULL AND {c} IS NULL AND try_cast(lower(t_{c}) AS {c}_t) IS NULL",
            )
        )
    return rules


def _row_rules() -> list[Rule]:
    """Rules tying the fields of one row together: a decision, an appeal, their order."""
    rules: list[Rule] = []
    for c in DECISION:
        rules.append(
            Rule(
                f"unresolved_{c}",
                c,
                f"required when resolved_at is set; {_allowed(c)}",
                f"t_resolved_at IS NOT NULL AND t_{c} IS NULL",
            )
        )
        rules.append(
            Rule(
                f"pending_{c}",
                c,
                "must be empty while resolved_at is empty (pending flag)",
                f"t_resolved_at IS NULL AND t_{c} IS NOT NULL",
            )
        )
    return rules + [
        Rule(
            "no_violation_action",
            "action",
            "category no_violation goes with action none; allowed: none",
            "category = 'no_violation'::category_t AND action <> 'none'::action_t",
        ),
        Rule(
            "resolved_before_received",
            "resolved_at",
            "earlier than received_at; resolved_at must be >= received_at",
            "resolved_at < received_at",
        ),
        Rule(
            "pending_appeal",
            "appeal",
            "must be empty or none while resolved_at is empty (pending flag)",
            "t_resolved_at IS NULL AND appeal IN ('pending'::appeal_t, 'upheld', 'reversed')",
        ),
        Rule(
            "appeal_unresolved",
            "appeal_resolved_at",
            "required when appeal is upheld or reversed",
            "appeal IN ('upheld'::appeal_t, 'reversed') AND t_appeal_resolved_at IS NULL",
        ),
        Rule(
            "appeal_not_decided",
            "appeal_resolved_at",
            "must be empty unless appeal is upheld or reversed",
            "t_appeal_resolved_at IS NOT NULL "
            "AND (t_appeal IS NULL OR appeal IN ('none'::appeal_t, 'pending'))",
        ),
        Rule(
            "appeal_before_resolved",
            "appeal_resolved_at",
            "earlier than resolved_at; appeal_resolved_at must be >= resolved_at",
            "appeal_resolved_at < resolved_at",
        ),
    ]


# The order matters: a row's bit i is RULES[i], and its first broken rule
# names it in the rejected file and in rejected_by_reason.
RULES = _value_rules() + _row_rules()
CONFLICT = Rule("conflicting_flag_id", "flag_id", "", "")
REASON_CODES = [r.code for r in RULES] + [CONFLICT.code]


def require_k(k: int) -> None:
    if k < 5:
        raise NewsletterError(f"transparency: k = {k} is too small; the minimum is 5")
