"""`p_fee_uncharged` (退费冲减后未收费) holds exactly the encounter and item pairs that no
group of `p_fee_net` charges: the rules ask "does the line's item stay charged" of it."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanjianguan.analytic_store.ddl import native_table
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.rules.runner import prepare
from tests.rules.builder import StoreBuilder

# (encounter, item, the line's institution, quantity): refunds, zero lines, and an
# encounter's lines recorded under two institutions (two groups of the net for one pair).
_LINES = st.lists(
    st.tuples(
        st.sampled_from(["E1", "E2"]),
        st.sampled_from(["A", "B", "C"]),
        st.sampled_from(["H1", "H1", "H2"]),
        st.sampled_from([-3, -1, 0, 1, 2]),
    ),
    max_size=14,
)


def _uncharged_by_hand(lines: list[tuple[str, str, str, int]]) -> set[tuple[str, str]]:
    """The pairs none of whose sums per institution, encounter and item is above 0."""
    sums: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for encounter, item, institution, quantity in lines:
        sums[(institution, encounter, item)] += quantity
    pairs = {(e, i) for (_, e, i) in sums}
    return pairs - {(e, i) for (_, e, i), total in sums.items() if total > 0}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=_LINES)
def test_the_uncharged_pairs_are_those_no_group_of_the_net_charges(
    con: duckdb.DuckDBPyConnection, lines: list[tuple[str, str, str, int]]
) -> None:
    for table in ("fee_items", "encounters"):
        con.execute(f"DELETE FROM {native_table(table)}")
    build = StoreBuilder(con)
    for encounter in ("E1", "E2"):
        build.encounter(encounter)
    for encounter, item, institution, quantity in lines:
        build.fee(encounter, item, "2025-03-02 09:00:00", quantity, institution_id=institution)
    engine = DuckDBEngine(con)
    try:
        prepare(engine, "2025-03")  # every shared view
        uncharged = set(con.execute("SELECT encounter_id, item_code FROM p_fee_uncharged").fetchall())
        from_net = set(
            con.execute(
                "SELECT encounter_id, item_code FROM p_fee_net GROUP BY encounter_id, item_code "
                "HAVING NOT bool_or(net_quantity > 0)"
            ).fetchall()
        )
    finally:
        engine.close()
    assert uncharged == _uncharged_by_hand(lines) == from_net
