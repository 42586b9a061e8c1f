"""Level 3 (第二十三条) on one hand-computed store, on both engines.

Staff of H1: doctors D1, D3 (内科), D2 (外科); nurses N1-N3 (内科), N4 (外科); a pharmacist.
H1 has 20 open beds. H2 has one doctor and no nurse (so no 医护比 row).

Stays (2025-03): S1 内科/D1 A1 LOS 4 on a clinical pathway; S2 外科/D2 A1 LOS 10;
S3 内科/D1 B1 LOS 4; S4 内科/D3 C9 (no weight in ref_drg) LOS 2. Patient-days 20.
Visits: V1-V4 outpatient 内科/D1; V5, V6 outpatient and V7 emergency 外科/D2; a chronic
outpatient visit of D1 (not 门急诊).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sanjianguan.indicators.scope import month
from tests.indicators.conftest import RunIndicators, add_drg, add_staff, num_den_value, values
from tests.rules.builder import StoreBuilder

LEVEL_3 = (
    "doctor_nurse_ratio",
    "bed_nurse_ratio",
    "outpatient_visits_per_doctor_day",
    "inpatient_days_per_doctor_day",
    "drg_group_count",
    "cmi",
    "clinical_pathway_ratio",
)


def _store(build: StoreBuilder) -> None:
    build.con.execute("UPDATE institutions SET beds_open = 20 WHERE institution_id = 'H1'")
    build.institution("H2")
    for staff_id, dept in (("D1", "内科"), ("D3", "内科"), ("D2", "外科")):
        add_staff(build, staff_id, "doctor", dept)
    for staff_id, dept in (("N1", "内科"), ("N2", "内科"), ("N3", "内科"), ("N4", "外科")):
        add_staff(build, staff_id, "nurse", dept)
    add_staff(build, "X1", "pharmacist", "药剂科")
    add_staff(build, "D9", "doctor", "内科", institution="H2")
    add_drg(build, "A1", "0.8")
    add_drg(build, "B1", "1.5")
    surgery = {"department": "外科", "attending_doctor_id": "D2"}
    build.encounter("S1", drg_code="A1", clinical_pathway=True)
    build.encounter(
        "S2", drg_code="A1", admit="2025-03-10 08:00:00", discharge="2025-03-20 10:00:00", **surgery
    )
    build.encounter("S3", drg_code="B1")
    build.encounter("S4", drg_code="C9", discharge="2025-03-03 10:00:00", attending_doctor_id="D3")
    visit: dict[str, Any] = {"encounter_type": "outpatient", "discharge": None}
    for name in ("V1", "V2", "V3", "V4"):
        build.encounter(name, **visit)
    build.encounter("V5", **visit, **surgery)
    build.encounter("V6", **visit, **surgery)
    build.encounter("V7", encounter_type="emergency", discharge=None, **surgery)
    build.encounter("C1", encounter_type="chronic_outpatient", discharge=None)


def test_march_2025_has_21_working_and_31_calendar_days() -> None:
    scope = month("2025-03")
    assert (scope.working_days(), scope.calendar_days) == (21, 31)


def test_level3(build: StoreBuilder, run_indicators: RunIndicators) -> None:
    _store(build)
    judged = run_indicators(*LEVEL_3)

    # 医护比: 3 doctors / 4 nurses = 0.75; 内科 2/3; 外科 1/1; H2 has no nurse → no row
    assert num_den_value(judged, "doctor_nurse_ratio", "H1") == (3, 4, Decimal("0.75"))
    dept = values(judged, "doctor_nurse_ratio", "department")
    assert (dept[("H1", "内科")].value.value, dept[("H1", "外科")].value.value) == (
        Decimal("0.666666666666666667"),
        Decimal(1),
    )
    assert "H2" not in values(judged, "doctor_nurse_ratio")
    # 床护比: 20 open beds / 4 nurses = 5
    assert num_den_value(judged, "bed_nurse_ratio", "H1") == (20, 4, 5)
    # 门急诊 V1-V7 = 7 over 3 doctors × 21 working days = 63 → 0.111111
    visits = "outpatient_visits_per_doctor_day"
    assert num_den_value(judged, visits, "H1") == (7, 63, Decimal("0.111111111111111111"))
    # D1: 4 visits / 21 = 0.190476; 内科: 4 visits / (2 doctors × 21) = 0.095238
    assert values(judged, visits, "doctor")[("H1", "D1")].value.value == Decimal("0.190476190476190476")
    assert values(judged, visits, "department")[("H1", "内科")].value.value == Decimal("0.095238095238095238")
    # Patient-days 4 + 10 + 4 + 2 = 20 over 3 doctors × 31 calendar days = 93 → 0.215054
    days = "inpatient_days_per_doctor_day"
    assert num_den_value(judged, days, "H1") == (20, 93, Decimal("0.215053763440860215"))
    # D1: S1 + S3 = 8 / 31 = 0.258065
    assert values(judged, days, "doctor")[("H1", "D1")].value.value == Decimal("0.258064516129032258")
    # DRG组数: A1, B1, C9 → 3 (count, no denominator); 外科: A1 → 1
    assert num_den_value(judged, "drg_group_count", "H1") == (3, None, 3)
    assert values(judged, "drg_group_count", "department")[("H1", "外科")].value.value == 1
    # CMI over stays whose DRG has a weight (not C9): (0.8 + 0.8 + 1.5) / 3 = 1.033333
    assert num_den_value(judged, "cmi", "H1") == (Decimal("3.1"), 3, Decimal("1.033333333333333333"))
    # 临床路径: S1 of 4 → 0.25
    assert num_den_value(judged, "clinical_pathway_ratio", "H1") == (1, 4, Decimal("0.25"))
    assert {j.group.value for j in judged} == {"3"}
