"""Small-count suppression with complementary suppression and an exact audit.

Everything one issue publishes about a season is modelled as a system of
counts tied by linear equations (a table's parts sum to its total; pending at
close = pending at start + received - resolved). A reader knows:

- every count published exactly;
- a count shown as "<k" lies in 1..k-1 (primary suppression);
- a count shown as "withheld" is at least k (complementary suppression; zeros
  are published, so a withheld count is never 0);
- a count shown as "not published" (omitted, a last resort) may be any value
  from 0 up;
- every equation of the system.

A suppressed count is *recoverable* when those facts leave it one possible
value. The audit computes, for each suppressed count, its least and greatest
value under those facts by linear programming. The systems built here are
tables with margins and hierarchies, whose constraint matrices are totally
unimodular, so the LP bounds are attained by integer tables and the audit is
exact. Complementary suppression withholds, for each recoverable count, the
smallest publishable count tied to it that makes it unrecoverable (headline
totals last), until none is recoverable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

EXACT = "exact"
SMALL = "small"
WITHHELD = "withheld"
OMITTED = "omitted"
WITHHELD_MARK = "withheld"


@dataclass
class CountSystem:
    """Named counts, equations among them, and counts fixed by an earlier issue.

    `equations` are coefficient maps meaning sum(coef * count) == 0.
    `fixed` counts were published elsewhere with a known status; they are part
    of what a reader knows but are never chosen for complementary suppression.
    `keep` counts (headline totals) are chosen only when nothing else works.
    """

    values: dict[str, int] = field(default_factory=dict)
    equations: list[dict[str, int]] = field(default_factory=list)
    fixed: dict[str, str] = field(default_factory=dict)
    keep: set[str] = field(default_factory=set)  # withhold these only as a last resort

    def add(self, name: str, value: int) -> str:
        if name in self.values and self.values[name] != value:
            raise ValueError(f"count {name} given two values")
        self.values[name] = int(value)
        return name

    def add_sum(self, total: str, parts: list[str]) -> None:
        equation = {total: 1}
        for part in parts:
            equation[part] = equation.get(part, 0) - 1
        self.equations.append(equation)


def primary_status(value: int, k: int) -> str:
    return SMALL if 1 <= value < k else EXACT


def published(value: int, status: str, k: int) -> int | str | None:
    """The value a reader sees: the count, '<k', 'withheld', or None (omitted)."""
    if status == OMITTED:
        return None
    if status == SMALL:
        return f"<{k}"
    if status == WITHHELD:
        return WITHHELD_MARK
    return value


def _bounds(value: int, status: str, k: int, ceiling: int) -> tuple[float, float]:
    if status == EXACT:
        return (value, value)
    if status == SMALL:
        return (1, k - 1)
    if status == OMITTED:
        return (0, ceiling)
    return (k, max(ceiling, k))


def feasible_ranges(
    system: CountSystem,
    status: dict[str, str],
    k: int,
    *,
    stop_at_pinned: bool = False,
    only: list[str] | None = None,
) -> dict[str, tuple[float, float]]:
    """Least and greatest value of every suppressed count given what is published."""
    names = sorted(system.values)
    hidden = [n for n in (only or names) if status[n] != EXACT]
    if not hidden:
        return {}
    index = {n: i for i, n in enumerate(names)}
    # A withheld count cannot exceed the sum of all counts; any finite cap that
    # large keeps the LP bounded without cutting off a feasible table.
    ceiling = sum(system.values.values()) + k
    bounds = [_bounds(system.values[n], status[n], k, ceiling) for n in names]
    rows = [e for e in system.equations if any(status[n] != EXACT for n in e)]
    a_eq = np.zeros((max(len(rows), 1), len(names)))
    for r, equation in enumerate(rows):
        for name, coef in equation.items():
            a_eq[r, index[name]] = coef
    b_eq = np.zeros(a_eq.shape[0])
    ranges: dict[str, tuple[float, float]] = {}
    for name in hidden:
        goal = np.zeros(len(names))
        goal[index[name]] = 1.0
        low = linprog(goal, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-goal, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if not (low.success and high.success):
            raise ValueError("suppression audit: published counts are inconsistent")
        ranges[name] = (round(low.fun, 6), round(-high.fun, 6))
        if stop_at_pinned and ranges[name][1] - ranges[name][0] < 0.5:
            break
    return ranges


def recoverable(
    system: CountSystem, status: dict[str, str], k: int, *, first_only: bool = False
) -> list[str]:
    """Suppressed counts that what is published pins to one value."""
    ranges = feasible_ranges(system, status, k, stop_at_pinned=first_only)
    return sorted(n for n, (low, high) in ranges.items() if high - low < 0.5)


def _candidates(system: CountSystem, status: dict[str, str], exposed: str) -> list[str]:
    """Publishable counts tied to `exposed` through equations and hidden counts.

    Ordered by preference: counts the system would rather keep (headline
    totals) last, then the smallest first.
    """
    frontier, used, found = {exposed}, set(), set()
    while frontier:
        reached = [
            i for i, e in enumerate(system.equations) if i not in used and frontier & e.keys()
        ]
        used.update(reached)
        names = {n for i in reached for n in system.equations[i]}
        found |= {
            n
            for n in names
            if status[n] == EXACT and system.values[n] > 0 and n not in system.fixed
        }
        frontier = {n for n in names if status[n] != EXACT} - frontier if reached else set()
    return sorted(found, key=lambda n: (n in system.keep, system.values[n], n))


def _complement(
    system: CountSystem, status: dict[str, str], exposed: str, k: int, tries: int = 8
) -> str | None:
    """The preferred candidate that alone makes `exposed` unrecoverable, else the first.

    Counts to keep are tried only when no other candidate is left.
    """
    candidates = _candidates(system, status, exposed)
    others = [n for n in candidates if n not in system.keep]
    candidates = others or candidates
    for name in candidates[:tries]:
        trial = status | {name: WITHHELD}
        low, high = feasible_ranges(system, trial, k, only=[exposed])[exposed]
        if high - low >= 0.5:
            return name
    return candidates[0] if candidates else None


def _first_recoverable(
    system: CountSystem, status: dict[str, str], k: int, safe: set[str]
) -> str | None:
    for name in sorted(n for n, s in status.items() if s != EXACT and n not in safe):
        low, high = feasible_ranges(system, status, k, only=[name])[name]
        if high - low < 0.5:
            return name
        safe.add(name)
    return None


def protect(system: CountSystem, k: int) -> dict[str, str]:
    """Status of every count: primary '<k', then complements until none is recoverable.

    When a recoverable count has no publishable partner left (for example
    k-1 parts of 1 under a total of at most k-1, where the bounds alone pin
    every part), it and the small or zero parts of its equations are omitted
    (published as null, "not published"), which hides even whether they are 0.
    """
    status = {n: primary_status(v, k) for n, v in system.values.items()}
    status.update(system.fixed)
    # Hiding more only widens what a reader must allow for, so a count once
    # found unrecoverable stays so: each is audited until it passes, not again.
    safe: set[str] = set()
    while target := _first_recoverable(system, status, k, safe):
        partner = _complement(system, status, target, k)
        if partner is not None:
            status[partner] = WITHHELD
            continue
        if status[target] == OMITTED:
            raise ValueError(f"suppression cannot protect {target}")
        status[target] = OMITTED
        for equation in (e for e in system.equations if target in e):
            for name, coef in equation.items():
                small_or_zero = status[name] == SMALL or system.values[name] == 0
                if coef < 0 and small_or_zero and name not in system.fixed:
                    status[name] = OMITTED  # the parts, not the total
    return status
