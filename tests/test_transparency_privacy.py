"""A reader with only the published section cannot recover any hidden count.

The "attacker" here rebuilds the equations from the published section dict
alone (not from the generator's internal system), adds what each marker
reveals, and asks a linear program for the least and greatest value of every
hidden count. Random seasons come from hypothesis.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from generator.sources import flags as fx
from generator.transparency import Window, WindowCounts, build_section

K = 5
BIG = 10_000


class Reader:
    """What a reader knows: named unknowns with bounds, and equations."""

    def __init__(self) -> None:
        self.bounds: dict[str, tuple[float, float]] = {}
        self.equations: list[dict[str, int]] = []

    def see(self, name: str, value: object) -> str:
        if isinstance(value, int):
            bound: tuple[float, float] = (value, value)
        elif value == f"<{K}":
            bound = (1, K - 1)
        elif value == "withheld":
            bound = (K, BIG)
        else:
            assert value is None, value
            bound = (0, BIG)
        self.bounds[name] = bound
        return name

    def total_of(self, total: str, parts: list[str]) -> None:
        self.equations.append({total: 1} | {p: -1 for p in parts})

    def hidden_ranges(self) -> dict[str, tuple[float, float]]:
        names = sorted(self.bounds)
        index = {n: i for i, n in enumerate(names)}
        a_eq = np.zeros((len(self.equations), len(names)))
        for row, equation in enumerate(self.equations):
            for name, coef in equation.items():
                a_eq[row, index[name]] = coef
        ranges = {}
        for name in names:
            if self.bounds[name][0] == self.bounds[name][1]:
                continue
            goal = np.zeros(len(names))
            goal[index[name]] = 1
            bounds = [self.bounds[n] for n in names]
            low = linprog(goal, A_eq=a_eq, b_eq=np.zeros(len(a_eq)), bounds=bounds)
            high = linprog(-goal, A_eq=a_eq, b_eq=np.zeros(len(a_eq)), bounds=bounds)
            assert low.success and high.success
            ranges[name] = (low.fun, -high.fun)
        return ranges


def read_table(reader: Reader, prefix: str, total: str, rows: list[dict]) -> list[str]:
    names = [reader.see(f"{prefix}.{r['key']}", r["count"]) for r in rows]
    if names:
        reader.total_of(total, names)
    return names


def what_a_reader_knows(section: dict) -> Reader:
    reader = Reader()
    head = section["headline"]
    received = reader.see("received", head["received"])
    resolved = reader.see("resolved", head["resolved"])
    for axis in ("by_source", "by_target_type", "by_reason"):
        read_table(reader, f"received.{axis}", received, section["received"][axis])
    origin = {r["key"]: r["count"] for r in section["received"]["by_origin"]}
    if origin:
        reader.total_of(
            reader.see("own", origin["own_initiative"]),
            [f"received.by_source.{s}" for s in ("automated", "staff")],
        )
        reader.total_of(
            reader.see("notices", origin["notices"]),
            [f"received.by_source.{s}" for s in ("community", "trusted_flagger", "authority")],
        )
    for axis in ("by_category", "by_action", "by_decided_by"):
        read_table(reader, f"resolved.{axis}", resolved, section["resolved"][axis])
    cells = section["resolved"]["by_category_action"]
    for c in cells:
        reader.see(f"cell.{c['category']}.{c['action']}", c["count"])
    for key, axis in (("category", "by_category"), ("action", "by_action")):
        for group in {c[key] for c in cells}:
            reader.total_of(
                f"resolved.{axis}.{group}",
                [f"cell.{c['category']}.{c['action']}" for c in cells if c[key] == group],
            )
    start = reader.see("start", head["pending_at_start"])
    close = reader.see("close", head["pending_at_close"])
    reader.equations.append({close: 1, start: -1, received: -1, resolved: 1})
    appeals = section["appeals"]
    decided = reader.see("appeals", appeals["decided"])
    if appeals["upheld"] is not None or appeals["reversed"] is not None:
        reader.total_of(
            decided, [reader.see(f"appeals.{o}", appeals[o]) for o in ("upheld", "reversed")]
        )
    return reader


small = st.one_of(st.integers(1, 4), st.integers(1, 4), st.integers(5, 40))
received_cells = st.dictionaries(
    st.tuples(
        st.sampled_from(fx.SOURCES),
        st.sampled_from(fx.TARGET_TYPES[:3]),
        st.sampled_from(fx.REASONS[:3]),
    ),
    small,
    max_size=6,
)
resolved_cells = st.dictionaries(
    st.tuples(
        st.sampled_from(fx.CATEGORIES[:4]),
        st.sampled_from(fx.ACTIONS[:4]),
        st.sampled_from(fx.DECIDERS),
    ),
    small,
    max_size=6,
)


@st.composite
def seasons(draw: st.DrawFn) -> WindowCounts:
    window = Window(datetime(2026, 6, 21, tzinfo=UTC), datetime(2026, 9, 23, tzinfo=UTC))
    counts = WindowCounts(window, received=draw(received_cells), resolved=draw(resolved_cells))
    received, resolved = sum(counts.received.values()), sum(counts.resolved.values())
    counts.pending_at_start = draw(st.integers(max(0, resolved - received), resolved + 12))
    counts.pending_at_close = counts.pending_at_start + received - resolved
    counts.appeals = {"upheld": draw(st.integers(0, 12)), "reversed": draw(st.integers(0, 6))}
    return counts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seasons())
def test_no_hidden_count_is_recoverable_from_a_section(counts: WindowCounts) -> None:
    provenance = {"files": [], "k": K, "schema": "flags-v1"}
    section = build_section(counts, None, k=K, accounting={}, provenance=provenance)
    reader = what_a_reader_knows(section)
    for name, (low, high) in reader.hidden_ranges().items():
        assert high - low >= 1 - 1e-6, f"{name} is recoverable: {low}..{high}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seasons())
def test_published_counts_are_true_and_small_ones_hidden(counts: WindowCounts) -> None:
    provenance = {"files": [], "k": K, "schema": "flags-v1"}
    section = build_section(counts, None, k=K, accounting={}, provenance=provenance)
    true_by_source = {
        s: sum(n for (src, _, _), n in counts.received.items() if src == s) for s in fx.SOURCES
    }
    for row in section["received"]["by_source"]:
        truth = true_by_source[row["key"]]
        if 1 <= truth < K:
            assert row["count"] in (f"<{K}", None)
        elif isinstance(row["count"], int):
            assert row["count"] == truth
    head = section["headline"]
    if isinstance(head["pending_at_close"], int):
        assert head["pending_at_close"] == counts.pending_at_close
    rate = section["appeals"]["reversal_rate"]
    if rate is not None:
        assert isinstance(section["appeals"]["reversed"], int)
        assert isinstance(section["appeals"]["decided"], int)
