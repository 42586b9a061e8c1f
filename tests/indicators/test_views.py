"""The indicators' own views on a synthetic month: what is built, and exact restrictions.

The indicators read sums per encounter, not the rules' evidence-heavy fee-line aggregates,
so preparing them must not build `p_fee_lines`, `p_fee_daily` or `p_fee_net`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sanjianguan.context import Context
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.indicators.compute import prepare
from sanjianguan.indicators.runner import IndicatorRun, analysis_scope, catalogue, evaluate
from sanjianguan.indicators.scope import month
from sanjianguan.indicators.views import indicator_views
from sanjianguan.kb.loader import load_kb
from sanjianguan.pipeline import collect_one
from sanjianguan.synth import generate

PERIOD = "2025-01"


@dataclass
class Month:
    home: Path
    con: duckdb.DuckDBPyConnection


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Month]:
    root = tmp_path_factory.mktemp("indicator-views")
    out = root / "region"
    generate(out, "tiny", 1, 5, start=PERIOD)
    ctx = Context.open(root / "home")
    with ctx.store() as con:
        load_kb(con, out / "ref")
        for batch in sorted((out / "batches").iterdir()):
            assert collect_one(ctx, con, batch).status == "accepted"
        yield Month(ctx.home, con)


def _run(data: Month, engine: DuckDBEngine) -> IndicatorRun:
    indicators, settings = catalogue(data.home)
    return evaluate(engine, indicators, analysis_scope(data.home, month(PERIOD)), settings)


def _temp_objects(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary "
        "UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary"
    ).fetchall()
    return {str(r[0]) for r in rows}


def test_preparing_builds_no_evidence_aggregates(synthetic: Month) -> None:
    # A fresh connection: the rules' temp views of another run must not hide what is built.
    with Context.open(synthetic.home).store() as con:
        prepare(DuckDBEngine(con), month(PERIOD))
        built = _temp_objects(con)
    assert {"i_charge_flags", "i_oe", "i_stays", "p_stays", "p_fee_items"} <= built
    assert not built & {"p_fee_lines", "p_fee_daily", "p_fee_net"}


def test_chosen_indicators_build_only_the_views_they_read(synthetic: Month) -> None:
    indicators, settings = catalogue(synthetic.home, ["cmi", "doctor_nurse_ratio"])
    with Context.open(synthetic.home).store() as con:
        run = evaluate(DuckDBEngine(con), indicators, analysis_scope(synthetic.home, month(PERIOD)), settings)
        built = _temp_objects(con)
    assert {v.value.indicator for v in run.judged} == {"cmi", "doctor_nurse_ratio"}
    assert {"p_encounters", "p_stays"} <= built
    assert not built & {"i_charge_flags", "i_charged_flagged", "i_encounters", "i_oe", "p_fee_items"}


def test_flagged_items_are_the_charged_rows_of_antibiotics_and_tcm_techniques(synthetic: Month) -> None:
    prepare(DuckDBEngine(synthetic.con), month(PERIOD))
    wanted = "FROM i_charged WHERE antibiotic_grade IS NOT NULL OR tag_list LIKE '%|tcm_nondrug|%'"
    counts = synthetic.con.execute(
        f"SELECT (SELECT count(*) FROM i_charged_flagged), "
        f"(SELECT count(*) FROM ((FROM i_charged_flagged EXCEPT ALL {wanted}) "
        f"UNION ALL ({wanted} EXCEPT ALL FROM i_charged_flagged)))"
    ).fetchone()
    assert counts is not None
    flagged, differing = counts
    assert flagged > 0
    assert differing == 0


def test_the_synthetic_region_gives_the_seed_indicators_values(synthetic: Month) -> None:
    """The sample KB's key_monitored drugs and TCM-advantage list meet the synthetic month's
    charges and diagnoses: both indicators have institution values, some strictly between 0 and 1."""
    judged = _run(synthetic, DuckDBEngine(synthetic.con)).judged
    for indicator in ("key_monitored_drug_share", "tcm_advantage_disease_ratio"):
        found = [
            j.value.value
            for j in judged
            if j.value.indicator == indicator and j.value.level.value == "institution"
        ]
        assert found, indicator
        assert all(0 <= v <= 1 for v in found), indicator
        assert any(0 < v < 1 for v in found), indicator


def test_charge_flags_add_line_amounts_by_each_line_s_type_and_flag_items_charged_net() -> None:
    # indicators.md: drug cost is the drug lines' amounts. A key-monitored drug charged once
    # on a drug line and once on an 'other' line counts only the drug line; a refunded
    # antibiotic (net quantity 0) sets no flag.
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE ref_items (item_code VARCHAR, antibiotic_grade VARCHAR, tags VARCHAR, "
        "high_value BOOLEAN, key_monitored BOOLEAN)"
    )
    con.execute(
        "INSERT INTO ref_items VALUES ('ABX', 'restricted', NULL, NULL, NULL), "
        "('HERB', NULL, NULL, NULL, NULL), ('STENT', NULL, NULL, true, NULL), "
        "('KEY', NULL, NULL, NULL, true), ('MOXA', NULL, 'tcm_nondrug|x', NULL, NULL)"
    )
    con.execute(
        "CREATE TABLE p_fee_items (encounter_id VARCHAR, item_code VARCHAR, item_type VARCHAR, "
        "quantity DECIMAL(18,4), amount DECIMAL(18,4))"
    )
    con.execute(
        "INSERT INTO p_fee_items VALUES "
        "('E1', 'ABX', 'drug_western', 2, 10), ('E1', 'ABX', 'drug_western', -2, -10), "
        "('E1', 'HERB', 'herbal_pieces', 1, 5), ('E1', 'STENT', 'material', 1, 100), "
        "('E1', 'KEY', 'drug_western', 1, 20), ('E1', 'KEY', 'other', 1, 7), "
        "('E1', 'MOXA', 'treatment', 1, 30), ('E2', 'ABX', 'drug_western', 1, 4)"
    )
    sql = {v.name: v.sql for v in indicator_views()}["i_charge_flags"]
    rows = con.execute(f"SELECT * FROM ({sql}) ORDER BY encounter_id").fetchall()
    assert rows == [
        ("E1", 0, 1, 1, 1, Decimal("100"), Decimal("25"), Decimal("20"), Decimal("100")),
        ("E2", 1, 0, 0, 0, Decimal("0"), Decimal("4"), Decimal("0"), Decimal("0")),
    ]
