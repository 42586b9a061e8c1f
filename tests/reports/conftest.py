"""A hand-made store for the self-check profile; every figure is worked out in test_profile.py.

H1 (二级甲等, 公立, 60 approved / 50 open beds), settlement month 2025-03 (31 days):

| encounter | type | patient (insurance) | stay | LOS | total |
|---|---|---|---|---|---|
| O1 | outpatient | P1 职工 | | | 100 |
| O2 | outpatient | P2 居民 | | | 50 |
| O3 | emergency | P3 自费 | | | 80 |
| O4 | outpatient | P4 (none) | | | 20 |
| C1 | chronic_outpatient | P1 职工 | | | 300 |
| C2 | chronic_outpatient | P2 居民 | | | 500 |
| C3 | chronic_outpatient | P3 自费 | | | 1000 |
| I1 | inpatient | P1 职工 | 03-01 → 03-05 | 4 | 1000 |
| I2 | inpatient | P1 职工 | 03-10 10:00 → 15:00 | 1 (same day) | 500 |
| I3 | inpatient | P2 居民 | 03-02 → 03-12 | 10 | 3000 |
| I4 | inpatient | P3 自费 | 02-20 → 03-03 | 11 | 2000 |
| I5 | inpatient | P4 (none) | 03-20 → (none) | NULL | 600 |

Outside the month: I6 (H1, P1 职工, settled 2025-04, 04-01 → 04-03, LOS 2, 400) and
O0 (H1, outpatient, settled 2024-12). H2 (一级, 民营, no beds) has one outpatient visit
O9 of P1 in 2025-03; H3 is known but has no encounters.

Knowledge base: XCT tagged `ct`, XCT2 tagged `ct|contrast`, XMRI `mri`, XDR `dr`, XCR `cr`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sanjianguan.context import Context
from tests.rules.builder import StoreBuilder

MARCH = "2025-03"


def _fees(b: StoreBuilder, encounter_id: str, lines: list[tuple[str, str, int, int]]) -> None:
    """(item_code, item_type, quantity, unit price) lines on 2025-03-02."""
    for code, item_type, qty, price in lines:
        b.fee(encounter_id, code, "2025-03-02 09:00:00", qty, price, item_type=item_type)


def _report(b: StoreBuilder, encounter_id: str, report_id: str, code: str, positive: bool | None) -> None:
    b.insert(
        "exam_reports",
        {
            "institution_id": "H1",
            "encounter_id": encounter_id,
            "report_id": report_id,
            "item_code": code,
            "performed_at": "2025-03-02 10:00:00",
            "positive": positive,
            "period": MARCH,
            "batch_id": "b",
        },
    )


def build_store(con: duckdb.DuckDBPyConnection) -> None:
    b = StoreBuilder(con, MARCH)
    b.institution("H1", level=2, grade="甲", ownership="公立", beds_approved=60, beds_open=50)
    b.institution("H2", level=1, ownership="民营")
    b.institution("H3", level=1)
    b.patient("P1", insurance_type="职工")
    b.patient("P2", insurance_type="居民")
    b.patient("P3", insurance_type="自费")
    b.patient("P4")
    b.item("XCT", tags="ct").item("XCT2", tags="ct|contrast").item("XMRI", tags="mri")
    b.item("XDR", tags="dr").item("XCR", tags="cr").item("XDRUG", kind="drug")

    def visit(eid: str, etype: str, patient: str, total: int, inst: str = "H1") -> None:
        b.encounter(
            eid,
            encounter_type=etype,
            admit="2025-03-02 09:00:00",
            discharge=None,
            patient_id=patient,
            total_amount=total,
            institution_id=inst,
        )

    visit("O1", "outpatient", "P1", 100)
    visit("O2", "outpatient", "P2", 50)
    visit("O3", "emergency", "P3", 80)
    visit("O4", "outpatient", "P4", 20)
    visit("C1", "chronic_outpatient", "P1", 300)
    visit("C2", "chronic_outpatient", "P2", 500)
    visit("C3", "chronic_outpatient", "P3", 1000)
    visit("O9", "outpatient", "P1", 30, inst="H2")

    def stay(eid: str, patient: str, admit: str, discharge: str | None, total: int) -> None:
        b.encounter(eid, admit=admit, discharge=discharge, patient_id=patient, total_amount=total)

    stay("I1", "P1", "2025-03-01 08:00:00", "2025-03-05 10:00:00", 1000)
    stay("I2", "P1", "2025-03-10 10:00:00", "2025-03-10 15:00:00", 500)
    stay("I3", "P2", "2025-03-02 08:00:00", "2025-03-12 08:00:00", 3000)
    stay("I4", "P3", "2025-02-20 08:00:00", "2025-03-03 08:00:00", 2000)
    stay("I5", "P4", "2025-03-20 08:00:00", None, 600)

    # Inpatient fee lines by category (drug / exam+lab / treatment+surgery / material / other):
    # I1 职工: drug 400, exam 150 + lab 50, surgery 200, material 100, nursing 100 = 1000
    _fees(
        b,
        "I1",
        [
            ("XDRUG", "drug_western", 10, 40),
            ("XCT", "exam", 1, 150),
            ("XLAB", "lab", 1, 50),
            ("XOP", "surgery", 1, 200),
            ("XMAT", "material", 2, 50),
            ("XNUR", "nursing", 4, 25),
        ],
    )
    # I2 职工: herbal pieces 100, treatment 300, bed 100; a patent drug charged and refunded nets 0.
    _fees(
        b,
        "I2",
        [
            ("XHERB", "herbal_pieces", 1, 100),
            ("XTREAT", "treatment", 3, 100),
            ("XBED", "bed", 1, 100),
            ("XPAT", "drug_chinese_patent", 1, 50),
            ("XPAT", "drug_chinese_patent", -1, 50),
        ],
    )
    # I3 居民: drug 1200, DR 2 × 70, MRI 420, lab 240 (exam+lab 800) = 2000
    _fees(
        b,
        "I3",
        [
            ("XDRUG", "drug_western", 30, 40),
            ("XDR", "exam", 2, 70),
            ("XMRI", "exam", 1, 420),
            ("XLAB", "lab", 4, 60),
        ],
    )
    # I4 自费: material 300 (counts for all inpatients only)
    _fees(b, "I4", [("XMAT", "material", 6, 50)])
    # Outpatient exams: O1 two CT items; O3 a CT charged and refunded (net 0: not used);
    # O2 DR 1 × 70, O4 DR 1 × 80.
    _fees(b, "O1", [("XCT", "exam", 1, 150), ("XCT2", "exam", 1, 250)])
    _fees(b, "O3", [("XCT", "exam", 1, 150), ("XCT", "exam", -1, 150)])
    _fees(b, "O2", [("XDR", "exam", 1, 70)])
    _fees(b, "O4", [("XDR", "exam", 1, 80)])

    # Reports: CT 1 positive of 3 (an empty `positive` is not positive), DR 2 of 3, MRI 1 of 1, CR none.
    _report(b, "I1", "R1", "XCT", True)
    _report(b, "O1", "R2", "XCT", False)
    _report(b, "O1", "R3", "XCT2", None)
    _report(b, "I3", "R4", "XDR", True)
    _report(b, "O2", "R5", "XDR", True)
    _report(b, "O4", "R6", "XDR", False)
    _report(b, "I3", "R7", "XMRI", True)

    # Outside March: April stay I6 (in the year 2025, with an MRI report that March must not count)
    # and a December 2024 visit (in neither).
    april = StoreBuilder(con, "2025-04")
    april.encounter(
        "I6", admit="2025-04-01 08:00:00", discharge="2025-04-03 08:00:00", patient_id="P1", total_amount=400
    )
    april.insert(
        "exam_reports",
        {
            "institution_id": "H1",
            "encounter_id": "I6",
            "report_id": "R8",
            "item_code": "XMRI",
            "performed_at": "2025-04-02 10:00:00",
            "positive": False,
            "period": "2025-04",
            "batch_id": "b",
        },
    )
    december = StoreBuilder(con, "2024-12")
    december.encounter("O0", encounter_type="outpatient", discharge=None, patient_id="P1", total_amount=10)


@pytest.fixture
def store(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The open store with the data above."""
    build_store(con)
    return con


@pytest.fixture
def home_with_data(ctx: Context) -> Path:
    """A data folder holding the store above (closed, for the CLI)."""
    with ctx.store() as con:
        build_store(con)
    return ctx.home
