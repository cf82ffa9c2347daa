"""Suppression: small counts hidden, and no hidden count recoverable from the rest.

The property tests do not trust the LP audit that `protect` uses: they search
for integer tables directly, by enumeration, among everything a reader could
believe given what is published.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import suppression as sup

K = 5


def table_system(cells: list[list[int]]) -> sup.CountSystem:
    """A two-way table with row totals, column totals and a grand total."""
    system = sup.CountSystem()
    rows, cols = len(cells), len(cells[0])
    for i, j in itertools.product(range(rows), range(cols)):
        system.add(f"c{i}{j}", cells[i][j])
    for i in range(rows):
        system.add(f"r{i}", sum(cells[i]))
        system.add_sum(f"r{i}", [f"c{i}{j}" for j in range(cols)])
    for j in range(cols):
        system.add(f"k{j}", sum(cells[i][j] for i in range(rows)))
        system.add_sum(f"k{j}", [f"c{i}{j}" for i in range(rows)])
    system.add("t", sum(map(sum, cells)))
    system.add_sum("t", [f"r{i}" for i in range(rows)])
    system.add_sum("t", [f"k{j}" for j in range(cols)])
    return system


def believable(value: int, status: str, cap: int) -> range:
    """Values a reader cannot rule out for one count (withheld ones: up to a search cap).

    Capping the search can only hide alternatives, never invent them, so a
    count found to take two values really is not recoverable.
    """
    if status == sup.EXACT:
        return range(value, value + 1)
    if status == sup.SMALL:
        return range(1, K)
    if status == sup.OMITTED:
        return range(0, min(cap, value + 2 * K) + 1)
    return range(K, min(cap, value + 2 * K) + 1)


def alternative_values(cells: list[list[int]], status: dict[str, str]) -> dict[str, set[int]]:
    """All values each hidden count takes over all tables consistent with what is published."""
    rows, cols = len(cells), len(cells[0])
    cap = sum(map(sum, cells)) + 2 * K
    names = [[f"c{i}{j}" for j in range(cols)] for i in range(rows)]

    def fits(name: str, value: int) -> bool:
        if status[name] == sup.SMALL:
            return 1 <= value < K
        return value >= K if status[name] == sup.WITHHELD else True  # omitted: any

    row_options = []
    for i in range(rows):
        domains = [believable(cells[i][j], status[names[i][j]], cap) for j in range(cols)]
        options = []
        for combo in itertools.product(*domains):
            total = sum(combo)
            if status[f"r{i}"] == sup.EXACT and total != sum(cells[i]):
                continue
            if fits(f"r{i}", total):
                options.append(combo)
        row_options.append(options)
    seen: dict[str, set[int]] = {n: set() for n, s in status.items() if s != sup.EXACT}
    for table in itertools.product(*row_options):
        columns = [sum(row[j] for row in table) for j in range(cols)]
        grand = sum(columns)
        ok = all(
            (columns[j] == sum(cells[i][j] for i in range(rows)))
            if status[f"k{j}"] == sup.EXACT
            else fits(f"k{j}", columns[j])
            for j in range(cols)
        )
        if not ok or not (
            grand == sum(map(sum, cells)) if status["t"] == sup.EXACT else fits("t", grand)
        ):
            continue
        values = {names[i][j]: table[i][j] for i in range(rows) for j in range(cols)}
        values |= {f"r{i}": sum(table[i]) for i in range(rows)}
        values |= {f"k{j}": columns[j] for j in range(cols)} | {"t": grand}
        for name in seen:
            seen[name].add(values[name])
    return seen


small_counts = st.one_of(st.integers(0, 4), st.integers(0, 4), st.integers(5, 12))
tables = st.integers(2, 3).flatmap(
    lambda cols: st.lists(
        st.lists(small_counts, min_size=cols, max_size=cols), min_size=2, max_size=2
    )
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables)
def test_no_hidden_count_of_a_table_is_recoverable(cells: list[list[int]]) -> None:
    system = table_system(cells)
    status = sup.protect(system, K)
    for name, value in system.values.items():
        if 1 <= value < K:
            assert status[name] in {sup.SMALL, sup.OMITTED}  # every small count is hidden
        if status[name] == sup.WITHHELD:
            assert value >= K  # withheld never hides a zero or a small count
    for name, values in alternative_values(cells, status).items():
        assert system.values[name] in values
        assert len(values) >= 2, f"{name} is recoverable in {cells} with {status}"


def test_audit_finds_what_enumeration_finds() -> None:
    cells = [[3, 7], [6, 8]]
    system = table_system(cells)
    primary = {n: sup.primary_status(v, K) for n, v in system.values.items()}
    assert sup.recoverable(system, primary, K) == ["c00"]
    assert alternative_values(cells, primary)["c00"] == {3}


def test_a_total_just_above_k_is_withheld_too() -> None:
    system = sup.CountSystem()
    system.add("total", 11)
    system.add("a", 10)
    system.add("b", 1)
    system.add_sum("total", ["a", "b"])
    status = sup.protect(system, 10)
    # Withholding a would not do (b = 11 - a with a >= 10 gives b = 1); the total does.
    assert status == {"total": sup.WITHHELD, "a": sup.EXACT, "b": sup.SMALL}
    ranges = sup.feasible_ranges(system, status, 10)
    assert ranges["b"][0] < ranges["b"][1]


def test_fixed_counts_are_never_chosen_as_complements() -> None:
    system = sup.CountSystem()
    for name, value in {"close": 40, "start": 30, "received": 13, "resolved": 3}.items():
        system.add(name, value)
    system.equations.append({"close": 1, "start": -1, "received": -1, "resolved": 1})
    system.fixed["start"] = sup.EXACT
    status = sup.protect(system, 10)
    assert status["start"] == sup.EXACT
    assert status["resolved"] == sup.SMALL
    assert status["received"] == sup.WITHHELD
    assert status["close"] == sup.EXACT


def test_published_forms() -> None:
    assert sup.published(0, sup.EXACT, 10) == 0
    assert sup.published(3, sup.SMALL, 10) == "<10"
    assert sup.published(25, sup.WITHHELD, 10) == "withheld"


def test_with_no_partner_left_the_parts_are_omitted() -> None:
    system = sup.CountSystem()
    system.add("total", 4)
    for i in range(5):
        system.add(f"p{i}", 1 if i < 4 else 0)
    system.add_sum("total", [f"p{i}" for i in range(5)])
    # k = 5: four parts of at least 1 under a total of at most 4 are all 1.
    status = sup.protect(system, K)
    assert status == {"total": sup.SMALL} | {f"p{i}": sup.OMITTED for i in range(5)}
    assert sup.published(0, status["p4"], K) is None
    assert sup.recoverable(system, status, K) == []
