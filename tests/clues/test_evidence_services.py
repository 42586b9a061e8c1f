"""The services behind the clue detail page: encounter evidence, stay timeline, peers, rule sheet."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from sanjianguan.analytic_store.masking import mask_patient_id
from sanjianguan.clues.encounter import EvidenceRefs, encounter_detail, stay_timeline
from sanjianguan.clues.peers import drg_reference, peer_distribution
from sanjianguan.clues.rule_sheet import RuleCatalogue, definition, run_params
from sanjianguan.indicators.results_table import ensure_tables as ensure_indicator_tables
from sanjianguan.rules.hits_table import ensure_tables as ensure_hit_tables
from sanjianguan.workflow_db.models import Clue
from tests.rules.builder import StoreBuilder

ID_CARD = "110101199003071234"


def _clue(**values: object) -> Clue:
    base: dict[str, object] = {
        "id": "XS1", "source_kind": "hit", "source_id": "h1", "rule_id": "C01", "period": "2025-03",
        "institution_id": "H1", "patient_id": "P1", "encounter_id": "E1", "evidence": {},
    }  # fmt: skip
    return Clue(**(base | values))


def test_evidence_refs_collect_lines_orders_pairs_encounters_and_days() -> None:
    clue = _clue(
        encounter_id="E9",
        event_date=date(2025, 3, 9),
        evidence={
            "line_ids": ["L1", "L2"],
            "earlier_line_id": "L0",
            "order_pairs": ["O1>O2", "O3+O4"],
            "stays": ["2025-01-02|E7|H2"],
            "encounter_ids": ["E8"],
            "diagnoses": ["i10.x00"],
            "first_admit_day": "2025-01-02",
        },
    )
    refs = EvidenceRefs.of(clue)
    assert refs.line_ids == {"L0", "L1", "L2"}
    assert refs.order_ids == {"O1", "O2", "O3", "O4"}
    assert refs.encounters == {"E7", "E8", "E9"}
    assert refs.diagnoses == {"I10.X00"}
    assert refs.days == (date(2025, 1, 2), date(2025, 3, 9))


def test_encounter_detail_marks_the_named_lines_and_masks_the_patient(con: duckdb.DuckDBPyConnection) -> None:
    b = StoreBuilder(con).institution("H1").institution("H2")
    b.encounter("E1", patient_id=ID_CARD)
    lines = [b.fee("E1", "X", f"2025-03-0{d} 09:00:00") for d in (1, 2, 3)]
    b.order("E1", "O1", "D1", "2025-03-01 09:00:00")
    b.encounter("E2", institution_id="H2")  # same id space, another institution: never read
    b.fee("E2", "X", "2025-03-01 09:00:00", line_id=lines[0])
    clue = _clue(evidence={"line_ids": [lines[2]], "order_ids": ["O1"], "related_encounter_id": "GONE"})
    detail = encounter_detail(con, clue, salt="s")
    (encounter,) = detail.encounters
    assert [line.line_id for line in encounter.lines] == lines
    assert encounter.hit_line_ids == [lines[2]]
    assert [o.hit for o in encounter.orders] == [True]
    assert encounter.patient_id == mask_patient_id("s", ID_CARD) != ID_CARD
    assert detail.missing == ["GONE"]


def test_stay_timeline_only_for_stay_rules_around_the_evidence_days(con: duckdb.DuckDBPyConnection) -> None:
    b = StoreBuilder(con).institution("H1")
    for enc, day in (("A", "2024-11-01"), ("B", "2025-01-10"), ("C", "2025-03-01"), ("D", "2025-05-01")):
        b.encounter(enc, admit=f"{day} 08:00:00", discharge=f"{day[:-2]}{int(day[-2:]) + 2:02d} 08:00:00")
    clue = _clue(
        rule_id="T06",
        encounter_id="C",
        event_date=date(2025, 3, 1),
        evidence={"encounters": ["B", "C"], "first_admit_day": "2025-01-10"},
    )
    stays = stay_timeline(con, clue)
    assert stays is not None
    assert [(s.encounter_id, s.hit, s.days) for s in stays] == [("B", True, 2), ("C", True, 2)]
    assert stay_timeline(con, _clue(rule_id="C01")) is None


def test_peers_of_the_same_level_and_category(con: duckdb.DuckDBPyConnection) -> None:
    b = StoreBuilder(con)
    for inst, level in (("H1", 2), ("H2", 2), ("H3", 2), ("H4", 3)):
        b.institution(inst, level=level)
    ensure_indicator_tables(con)
    for inst, value in (("H1", "3"), ("H2", "1"), ("H3", "2"), ("H4", "9")):
        con.execute(
            "INSERT INTO indicator_values (period, level, institution_id, indicator, value, target) "
            "VALUES ('2025-03', 'institution', ?, 'x', ?, 2.5)",
            [inst, Decimal(value)],
        )
    peers = peer_distribution(con, _clue(source_kind="indicator", rule_id="x"))
    assert peers is not None
    assert peers.peers == [1, 2, 3]
    assert peers.value == 3
    assert peers.rank == 3
    assert peers.summary == (1, 1, 2, 3, 3)
    assert peer_distribution(con, _clue(source_kind="indicator", rule_id="nope")) is None


def test_drg_reference_for_s_rules(con: duckdb.DuckDBPyConnection) -> None:
    StoreBuilder(con).ref("ref_drg", drg_code="G1", weight=1.2, avg_los=7, avg_cost=9000, risk_group="low")
    found = drg_reference(con, _clue(rule_id="S03", evidence={"drg_code": "G1"}))
    assert found is not None
    assert found.avg_los == 7
    assert drg_reference(con, _clue(rule_id="C01", evidence={"drg_code": "G1"})) is None


def test_rule_sheet_definition_policy_and_parameters(con: duckdb.DuckDBPyConnection) -> None:
    ensure_hit_tables(con)
    con.execute("INSERT INTO hits (hit_id, run_id, rule_id) VALUES ('h1', 'r1', 'T06')")
    con.execute(
        "INSERT INTO analysis_runs (run_id, params) VALUES ('r1', ?)",
        [json.dumps({"T06": {"min_admissions": 6}})],
    )
    used = run_params(con, "h1", "T06")
    assert used == {"min_admissions": 6}
    sheet = RuleCatalogue.for_home(None).sheet("T06", used)
    assert sheet is not None
    assert sheet.definition.startswith("高频住院：同一患者在 `window_days` 天内")
    assert "第十七条(五)" in sheet.policy
    row = next(p for p in sheet.params if p.name == "min_admissions")
    assert (row.default, row.configured, row.used, row.regional) == ("4", "4", "6", False)
    assert definition("builtin:NOPE.toml") == ""
    assert RuleCatalogue.for_home(None).sheet("cmi") is not None  # an indicator
    assert run_params(con, "nope", "T06") is None


def test_the_regions_override_is_shown(tmp_path: Path) -> None:
    (tmp_path / "rules.toml").write_text("[T06.params]\nmin_admissions = 5\n", encoding="utf-8")
    sheet = RuleCatalogue.for_home(tmp_path).sheet("T06")
    assert sheet is not None
    row = next(p for p in sheet.params if p.name == "min_admissions")
    assert (row.default, row.configured, row.used, row.regional) == ("4", "5", None, True)
