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

import highspy
import numpy as np

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


class Audit:
    """One LP model of a count system, solved again and again as statuses change.

    The equations never change; a status only sets a count's bounds, and an
    audit only sets which count is minimised and maximised. So one HiGHS model
    is built per system and re-solved from its last basis (a warm start),
    which is what makes auditing hundreds of counts per issue cheap.
    """

    def __init__(self, system: CountSystem, k: int) -> None:
        self.system, self.k = system, k
        self.names = sorted(system.values)
        self.index = {n: i for i, n in enumerate(self.names)}
        # A withheld count cannot exceed the sum of all counts; any finite cap
        # that large keeps the LP bounded without cutting off a feasible table.
        self.ceiling = sum(system.values.values()) + k
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("presolve", "off")  # keeps the basis between solves
        count = len(self.names)
        zeros = np.zeros(count)
        empty = np.zeros(0, dtype=np.int32)
        self.highs.addCols(count, zeros, zeros, zeros, 0, empty, empty, np.zeros(0))
        self._add_equations()
        self.columns = np.arange(count, dtype=np.int32)
        self.objective = np.zeros(count)
        self.applied: dict[str, str] = {}
        self.members: dict[str, list[dict[str, int]]] = {n: [] for n in self.names}
        for equation in system.equations:
            for name in equation:
                self.members[name].append(equation)

    def _add_equations(self) -> None:
        starts: list[int] = []
        indices: list[int] = []
        values: list[float] = []
        for equation in self.system.equations:
            starts.append(len(indices))
            for name, coef in sorted(equation.items()):
                indices.append(self.index[name])
                values.append(float(coef))
        rows = len(starts)
        if rows:
            self.highs.addRows(
                rows,
                np.zeros(rows),
                np.zeros(rows),
                len(indices),
                np.array(starts, dtype=np.int32),
                np.array(indices, dtype=np.int32),
                np.array(values),
            )

    def _apply(self, status: dict[str, str]) -> None:
        changed = [n for n in self.names if self.applied.get(n) != status[n]]
        if not changed:
            return
        bounds = [_bounds(self.system.values[n], status[n], self.k, self.ceiling) for n in changed]
        self.highs.changeColsBounds(
            len(changed),
            np.array([self.index[n] for n in changed], dtype=np.int32),
            np.array([b[0] for b in bounds], dtype=float),
            np.array([b[1] for b in bounds], dtype=float),
        )
        self.applied.update({n: status[n] for n in changed})

    def _solve(self, sense: highspy.ObjSense) -> float:
        self.highs.changeObjectiveSense(sense)
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise ValueError("suppression audit: published counts are inconsistent")
        return float(self.highs.getInfo().objective_function_value)

    def range_of(self, name: str, status: dict[str, str]) -> tuple[float, float]:
        """Least and greatest value of `name` given what `status` publishes."""
        self._apply(status)
        self.objective[:] = 0.0
        self.objective[self.index[name]] = 1.0
        self.highs.changeColsCost(len(self.names), self.columns, self.objective)
        low = self._solve(highspy.ObjSense.kMinimize)
        high = self._solve(highspy.ObjSense.kMaximize)
        return (round(low, 6), round(high, 6))

    def pinned(self, name: str, status: dict[str, str]) -> bool:
        # An equation whose other counts are all published pins `name` outright:
        # the LP would say the same, so it is not asked.
        for equation in self.members[name]:
            if equation[name] and all(status[n] == EXACT for n in equation if n != name):
                return True
        low, high = self.range_of(name, status)
        return high - low < 0.5


def feasible_ranges(
    system: CountSystem,
    status: dict[str, str],
    k: int,
    *,
    stop_at_pinned: bool = False,
    only: list[str] | None = None,
    audit: Audit | None = None,
) -> dict[str, tuple[float, float]]:
    """Least and greatest value of every suppressed count given what is published."""
    hidden = [n for n in (only or sorted(system.values)) if status[n] != EXACT]
    if not hidden:
        return {}
    audit = audit or Audit(system, k)
    ranges: dict[str, tuple[float, float]] = {}
    for name in hidden:
        ranges[name] = audit.range_of(name, status)
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


def _complement(audit: Audit, status: dict[str, str], exposed: str, tries: int = 8) -> str | None:
    """The preferred candidate that alone makes `exposed` unrecoverable, else the first.

    Counts to keep are tried only when no other candidate is left.
    """
    system = audit.system
    candidates = _candidates(system, status, exposed)
    others = [n for n in candidates if n not in system.keep]
    candidates = others or candidates
    for name in candidates[:tries]:
        if not audit.pinned(exposed, status | {name: WITHHELD}):
            return name
    return candidates[0] if candidates else None


def _first_recoverable(audit: Audit, status: dict[str, str], safe: set[str]) -> str | None:
    for name in sorted(n for n, s in status.items() if s != EXACT and n not in safe):
        if audit.pinned(name, status):
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
    audit = Audit(system, k)
    while target := _first_recoverable(audit, status, safe):
        partner = _complement(audit, status, target)
        if partner is not None:
            status[partner] = WITHHELD
            continue
        # First the count and the small or zero parts beside it; if it is
        # still pinned (say a zero total over published zero parts), the small
        # or zero totals of its equations too.
        widened = _omit_around(system, status, target, totals_too=status[target] == OMITTED)
        if status[target] == OMITTED and not widened:
            raise ValueError(f"suppression cannot protect {target}")
        status[target] = OMITTED
    return status


def _omit_around(
    system: CountSystem, status: dict[str, str], target: str, *, totals_too: bool
) -> bool:
    """Omit small or zero counts tied to `target`; True if any was not omitted yet.

    First only the parts beside `target` in its equations. When `target` is
    already omitted and still pinned, the published zeros (or small counts)
    that pin it may sit further away (a zero total over zero parts, a zero
    subtotal over those): then every small or zero count reachable from
    `target` through equations and hidden counts is omitted.
    """
    changed = False
    frontier, used = {target}, set()
    while frontier:
        reached = [
            i for i, e in enumerate(system.equations) if i not in used and frontier & e.keys()
        ]
        used.update(reached)
        for equation in (system.equations[i] for i in reached):
            for name, coef in equation.items():
                small_or_zero = status[name] == SMALL or system.values[name] == 0
                side = coef < 0 or totals_too
                if side and small_or_zero and name not in system.fixed and status[name] != OMITTED:
                    status[name] = OMITTED
                    changed = True
        if not totals_too:
            break
        names = {n for i in reached for n in system.equations[i]}
        frontier = {n for n in names if status[n] != EXACT} - frontier if reached else set()
    return changed
