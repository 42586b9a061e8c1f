"""`analyze`: stored hits with stable ids, no duplicates on re-run, run metadata recorded."""

from __future__ import annotations

import datetime as dt
import json
import weakref
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sanjianguan.engines.base import Rows, ViewDeclaration
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.errors import RuleError
from sanjianguan.rules import runner
from sanjianguan.rules.hits import Hit, to_hits
from sanjianguan.rules.model import EVIDENCE_PREFIX, STANDARD_COLUMNS
from sanjianguan.rules.registry import load_catalogue, select
from sanjianguan.rules.runner import RuleResult, analyze, compute, period_values
from tests.rules.builder import StoreBuilder, temp_tables


@pytest.fixture
def sample(build: StoreBuilder) -> StoreBuilder:
    build.item("X", max_per_day=1, price_cap_l3=Decimal("10")).encounter("E1", discharge_disposition="1")
    build.fee("E1", "X", "2025-03-02 08:00:00", 3, 12)
    return build


def _analyze(con: duckdb.DuckDBPyConnection, home: Path, ids: list[str] | None = None) -> str:
    rules = select(load_catalogue(home), ids)
    return analyze(con, DuckDBEngine(con), rules, "2025-03").run_id


def test_rerun_keeps_ids_and_adds_no_duplicates(
    sample: StoreBuilder, con: duckdb.DuckDBPyConnection, home: Path
) -> None:
    first = _analyze(con, home)
    before = con.execute("SELECT rule_id, hit_id, amount_involved FROM hits ORDER BY hit_id").fetchall()
    second = _analyze(con, home)
    after = con.execute("SELECT rule_id, hit_id, amount_involved FROM hits ORDER BY hit_id").fetchall()

    assert first != second
    assert before == after
    assert sorted(r[0] for r in after) == ["C01", "C02"]
    assert con.execute("SELECT DISTINCT run_id FROM hits").fetchall() == [(second,)]


def test_partial_rerun_replaces_only_its_rules(
    sample: StoreBuilder, con: duckdb.DuckDBPyConnection, home: Path
) -> None:
    _analyze(con, home)
    con.execute("DELETE FROM fee_lines")
    _analyze(con, home, ["C02"])
    assert con.execute("SELECT rule_id FROM hits").fetchall() == [("C01",)]


def test_run_records_kb_version_params_and_counts(
    sample: StoreBuilder, con: duckdb.DuckDBPyConnection, home: Path
) -> None:
    run_id = _analyze(con, home)
    row = con.execute(
        "SELECT period, engine, rules, kb_version, params, hit_counts, started_at <= finished_at "
        "FROM analysis_runs WHERE run_id = ?",
        [run_id],
    ).fetchone()
    assert row is not None
    period, engine, rules, kb_version, params, counts, ordered = row
    assert (period, engine, kb_version, ordered) == ("2025-03", "duckdb", 1, True)
    assert json.loads(rules) == [c.rule.id for c in select(load_catalogue(home), None)]
    assert json.loads(params)["C02"] == {"tolerance": "0.01"}
    assert json.loads(counts)["C01"]["hits"] == 1
    assert json.loads(counts)["C02"]["amount"] == "6.00"


def test_stored_hit_carries_rule_metadata(
    sample: StoreBuilder, con: duckdb.DuckDBPyConnection, home: Path
) -> None:
    _analyze(con, home, ["C01"])
    row = con.execute(
        "SELECT rule_name, category, grade, period, amount_involved, evidence FROM hits"
    ).fetchone()
    assert row is not None
    assert row[:5] == ("重复收费", "charges", "violation", "2025-03", Decimal("24.00"))
    assert json.loads(row[5])["net_quantity"] == "3"


@pytest.mark.parametrize("period", ["2025-13", "2025-3", "202503", ""])
def test_bad_period_is_an_error(period: str) -> None:
    with pytest.raises(RuleError, match="YYYY-MM"):
        period_values(period)


def test_period_bounds() -> None:
    values = period_values("2025-12")
    assert (str(values["period_start"]), str(values["period_end"])) == ("2025-12-01", "2026-01-01")


class _Recording(DuckDBEngine):
    """Records the views it creates (a run releases its built views when it ends)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        super().__init__(con)
        self.created: list[str] = []

    def _create_view(self, view: ViewDeclaration, sql: str) -> None:
        self.created.append(view.name)
        super()._create_view(view, sql)


def test_a_run_builds_only_the_views_its_rules_read(
    sample: StoreBuilder, con: duckdb.DuckDBPyConnection, home: Path
) -> None:
    engine = _Recording(con)
    [c01] = compute(engine, select(load_catalogue(home), ["C01"]), "2025-03")
    assert len(c01.hits) == 1
    built = set(engine.created)
    # C01 decides on sums of its own items' fee lines: no shared aggregate is built.
    assert {"p_encounters", "p_fee_items", "p_fee_lines"} <= built
    assert not built & {"p_fee_daily", "p_fee_net", "p_stays", "p_orders", "p_diagnoses"}


def test_a_built_view_is_released_once_the_last_rule_reading_it_has_run(
    sample: StoreBuilder, con: duckdb.DuckDBPyConnection, home: Path
) -> None:
    # Held through the later rules, a city month's fee lines made them spill to disk.
    engine = DuckDBEngine(con)
    seen: list[tuple[str, bool]] = []
    rules = select(load_catalogue(home), ["C02", "C06"])
    held = "p_fee_uncharged"
    compute(engine, rules, "2025-03", lambda r: seen.append((r.rule_id, held in temp_tables(con))))
    assert seen == [("C02", True), ("C06", False)]


def test_a_stored_run_lets_each_rules_hits_go_before_the_next_rule(
    sample: StoreBuilder, con: duckdb.DuckDBPyConnection, home: Path
) -> None:
    # A city month's 330 000 hits were held in Python until the last rule returned.
    alive: list[list[bool]] = []
    refs: list[weakref.ref[Hit]] = []

    def watch(result: RuleResult) -> None:
        # no gc.collect(): hits go by reference counting (a cycle keeping one would fail here)
        alive.append([ref() is not None for ref in refs])
        refs.extend(weakref.ref(h) for h in result.hits)

    rules = select(load_catalogue(home), ["C01", "C02", "C06"])
    summary = analyze(con, DuckDBEngine(con), rules, "2025-03", watch)

    assert [(t.rule_id, t.hit_count) for t in summary.results] == [("C01", 1), ("C02", 1), ("C06", 0)]
    assert alive == [[], [False], [False, False]]
    assert summary.results[1].amount == Decimal("6.00")


def test_the_staged_hits_are_what_compute_finds_and_the_staging_table_goes(
    sample: StoreBuilder, con: duckdb.DuckDBPyConnection, home: Path
) -> None:
    rules = select(load_catalogue(home), None)
    found = sorted(h.hit_id for r in compute(DuckDBEngine(con), rules, "2025-03") for h in r.hits)
    summary = analyze(con, DuckDBEngine(con), rules, "2025-03")
    stored = [str(r[0]) for r in con.execute("SELECT hit_id FROM hits ORDER BY hit_id").fetchall()]
    assert stored == found
    assert sum(t.hit_count for t in summary.results) == len(found)
    assert not temp_tables(con, "staged_hits_")


def test_a_rule_failing_midway_drops_the_staging_and_keeps_the_stored_hits(
    sample: StoreBuilder, con: duckdb.DuckDBPyConnection, home: Path
) -> None:
    _analyze(con, home)
    before = con.execute("SELECT hit_id, run_id FROM hits ORDER BY hit_id").fetchall()

    def fail_after_first(result: RuleResult) -> None:
        assert temp_tables(con, "staged_hits_")  # staged, not stored
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        analyze(con, DuckDBEngine(con), select(load_catalogue(home), None), "2025-03", fail_after_first)
    assert con.execute("SELECT hit_id, run_id FROM hits ORDER BY hit_id").fetchall() == before
    assert not temp_tables(con, "staged_hits_")


class _Batches(DuckDBEngine):
    """Records the size of every batch of rows a rule's query hands over."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        super().__init__(con)
        self.sizes: list[int] = []

    def fetch_batches(self, sql: str, size: int) -> tuple[list[str], Iterator[Rows]]:
        columns, batches = super().fetch_batches(sql, size)

        def recorded() -> Iterator[Rows]:
            for batch in batches:
                self.sizes.append(len(batch))
                yield batch

        return columns, recorded()


def test_a_rules_rows_come_in_batches_and_give_the_hits_of_one_fetch(
    build: StoreBuilder, con: duckdb.DuckDBPyConnection, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # T07 lists each group's similar stays in every row: a city month's rows held at once
    # were 12.5 M ids in Python beside the hits.
    build.item("X", max_per_day=1)
    for n in range(7):
        build.encounter(f"E{n}").fee(f"E{n}", "X", "2025-03-02 08:00:00", 3, 12)
    rules = select(load_catalogue(home), ["C01"])
    whole = compute(DuckDBEngine(con), rules, "2025-03")

    monkeypatch.setattr(runner, "FETCH_BATCH", 2)
    engine = _Batches(con)
    batched = compute(engine, rules, "2025-03")

    assert engine.sizes == [2, 2, 2, 1]
    assert batched[0].hits == whole[0].hits
    assert len(whole[0].hits) == 7


def test_a_hit_key_repeated_in_another_batch_is_still_the_rules_error(home: Path) -> None:
    rule = select(load_catalogue(home), ["C01"])[0].rule
    columns = [*STANDARD_COLUMNS, *(EVIDENCE_PREFIX + name for name in rule.evidence)]
    row = {"hit_key": "E1|X|2025-03-02", "institution_id": "H1", "event_date": dt.date(2025, 3, 2)}
    values = tuple(row.get(c) for c in columns)
    with pytest.raises(RuleError, match="hit_key"):
        to_hits(rule, columns, iter([[values], [values]]))
