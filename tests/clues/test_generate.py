"""Hits → clues: one clue per hit, routed to the institution's county, idempotent, audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import duckdb
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.audit.verify import verify
from sanjianguan.clues.generate import generate_clues
from sanjianguan.clues.ids import is_opaque
from sanjianguan.context import Context
from sanjianguan.errors import InvalidInputError, StoreError
from sanjianguan.indicators.results_table import ensure_tables as ensure_indicator_tables
from sanjianguan.rules.hits_table import HIT_COLUMNS, ensure_tables
from sanjianguan.workflow_db.models import AuditEvent, Clue, Institution


@pytest.fixture
def store(ctx: Context) -> Iterator[duckdb.DuckDBPyConnection]:
    with ctx.store() as con:
        ensure_tables(con)
        con.execute(
            "INSERT INTO institutions (institution_id, name, region_code, level, category) VALUES "
            "('H1', '翠屏区人民医院', '511502', 2, '综合医院'), "
            "('H2', '南溪区中医医院', '511503', 2, '中医医院')"
        )
        yield con


def add_hit(con: duckdb.DuckDBPyConnection, hit_id: str, institution: str, period: str = "2026-02") -> None:
    values = {
        "hit_id": hit_id,
        "run_id": "run-1",
        "rule_id": "R-DUP-01",
        "rule_name": "重复收费",
        "category": "fee",
        "grade": "1",
        "period": period,
        "hit_key": hit_id,
        "institution_id": institution,
        "department": "内科",
        "doctor_id": "D1",
        "patient_id": "P1",
        "encounter_id": "E1",
        "related_encounter_id": "E0",
        "event_date": date(2026, 2, 3),
        "amount_involved": Decimal("12.30"),
        "evidence": json.dumps({"items": ["A", "B"], "amount": "12.30"}),
    }
    marks = ", ".join("?" for _ in HIT_COLUMNS)
    con.execute(
        f"INSERT INTO hits ({', '.join(HIT_COLUMNS)}) VALUES ({marks})", [values[c] for c in HIT_COLUMNS]
    )


def test_generate_is_idempotent_and_routed(session: Session, store: duckdb.DuckDBPyConnection) -> None:
    for hit_id, inst in (("a1", "H1"), ("a2", "H2"), ("a3", "H9")):
        add_hit(store, hit_id, inst)
    add_hit(store, "other-month", "H1", period="2026-01")
    report = generate_clues(session, store, "2026-02")
    session.commit()
    assert (report.created, report.already_present, report.without_region) == (3, 0, 1)
    clues = {c.source_id: c for c in session.execute(select(Clue)).scalars()}
    assert set(clues) == {"a1", "a2", "a3"}
    assert all(is_opaque(c.id) and c.source_kind == "hit" for c in clues.values())
    assert clues["a1"].region_code == "511502"
    assert clues["a1"].amount_involved == Decimal("12.30")
    assert clues["a1"].evidence["related_encounter_id"] == "E0"
    assert clues["a1"].status == "generated"
    assert session.get(Institution, "H2") is not None

    add_hit(store, "a4", "H2")
    again = generate_clues(session, store, "2026-02")
    session.commit()
    assert (again.created, again.already_present) == (1, 3)
    events = session.execute(select(AuditEvent).where(AuditEvent.event == "clue.generated")).scalars().all()
    assert [e.payload["created"] for e in events] == [3, 1]
    assert verify(session).ok


def test_bad_period_and_missing_hits_table(session: Session, ctx: Context) -> None:
    with ctx.store() as con:
        with pytest.raises(InvalidInputError):
            generate_clues(session, con, "2026-13")
        with pytest.raises(StoreError):
            generate_clues(session, con, "2026-02")


def add_indicator(
    con: duckdb.DuckDBPyConnection, institution: str, indicator: str, group: str, failing: bool
) -> None:
    ensure_indicator_tables(con)
    con.execute(
        "INSERT INTO indicator_values (period, period_kind, level, institution_id, indicator, "
        "indicator_name, indicator_group, value, target, failing, failing_reason) "
        "VALUES ('2026-02', 'month', 'institution', ?, ?, '指标', ?, 0.75, 0.6, ?, ?)",
        [institution, indicator, group, failing, "target" if failing else None],
    )


def test_failing_level_2_indicators_become_clues_once(
    session: Session, store: duckdb.DuckDBPyConnection
) -> None:
    add_indicator(store, "H1", "inpatient_antibiotic_rate", "2B", failing=True)
    add_indicator(store, "H2", "inpatient_antibiotic_rate", "2B", failing=False)  # meets its target
    add_indicator(store, "H2", "cmi", "3", failing=True)  # level 3: reported only (art. 23)
    first = generate_clues(session, store, "2026-02")
    again = generate_clues(session, store, "2026-02")
    clues = session.execute(select(Clue).where(Clue.source_kind == "indicator")).scalars().all()
    assert [(c.source_id, c.rule_id, c.institution_id, c.region_code) for c in clues] == [
        ("2026-02.H1.inpatient_antibiotic_rate", "inpatient_antibiotic_rate", "H1", "511502")
    ]
    assert is_opaque(clues[0].id)
    assert (clues[0].evidence["value"], clues[0].evidence["target"]) == ("0.75", "0.6")
    assert (first.created, again.created, again.already_present) == (1, 0, 1)
