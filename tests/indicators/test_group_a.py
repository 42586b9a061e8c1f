"""Group A (第二十条) on one hand-computed store, at institution, department and doctor level.

Store (institution H1, 2025-03):

| stay | dept/doctor | DRG (risk) | disposition | main dx | admit → discharge | LOS |
|---|---|---|---|---|---|---|
| E1 | 内科/D1 | GL (low)  | 5 died | J18.900 | 03-01 → 03-05 | 4 |
| E2 | 内科/D1 | GL (low)  | 1      | I21.000 | 03-01 → 03-05 | 4 |
| E3 | 外科/D2 | GH (high) | 5 died | I63.900 | 03-10 → 03-20 | 10 |
| E4 | 外科/D2 | —         | 1      | K35.800 | 03-10 → 03-12 | 2 |

Procedures: E2 incision 0; E3 #1 incision I by D3 with site infection, E3 #2 incision I
without operator, complication; E4 incision II. Antibiotics: AB (ddd 2), AC (ddd 1.5).
"""

from __future__ import annotations

from decimal import Decimal

from tests.indicators.conftest import RunIndicators, add_drg, values
from tests.rules.builder import StoreBuilder


def _store(build: StoreBuilder) -> None:
    add_drg(build, "GL", "0.5", "low")
    add_drg(build, "GH", "2", "high")
    build.item("AB", kind="drug", antibiotic_grade="非限制使用级", ddd=Decimal(2))
    build.item("AC", kind="drug", antibiotic_grade="限制使用级", ddd=Decimal("1.5"))
    build.item("NA", kind="drug")
    build.encounter("E1", drg_code="GL", discharge_disposition="5")
    build.encounter("E2", drg_code="GL", discharge_disposition="1", main_diagnosis="I21.000")
    surgery = {"department": "外科", "attending_doctor_id": "D2", "admit": "2025-03-10 08:00:00"}
    build.encounter(
        "E3",
        drg_code="GH",
        discharge_disposition="5",
        main_diagnosis="I63.900",
        discharge="2025-03-20 09:00:00",
        **surgery,
    )
    build.encounter(
        "E4", discharge_disposition="1", main_diagnosis="K35.800", discharge="2025-03-12 09:00:00", **surgery
    )
    _procedures(build)
    _antibiotics(build)


def _procedures(build: StoreBuilder) -> None:
    def proc(enc: str, seq: int, incision: str, **kw: object) -> None:
        row = {
            "institution_id": "H1",
            "encounter_id": enc,
            "seq": seq,
            "icd9cm3_code": "47.0900",
            "performed_at": "2025-03-11 09:00:00",
            "incision_class": incision,
            "period": "2025-03",
            "batch_id": "b",
            **kw,
        }
        build.insert("procedures", row)

    proc("E2", 1, "0", complication=False)
    proc("E3", 1, "I", operator_id="D3", site_infection=True, complication=False)
    proc("E3", 2, "I", site_infection=False, complication=True)
    proc("E4", 1, "II", complication=False)


def _antibiotics(build: StoreBuilder) -> None:
    def order(enc: str, order_id: str, drug: str, dose: str, times: int, start: str, **kw: object) -> None:
        row = {
            "institution_id": "H1",
            "encounter_id": enc,
            "order_id": order_id,
            "drug_code": drug,
            "dose": Decimal(dose),
            "dose_unit": "g",
            "route": "静脉滴注",
            "times_per_day": times,
            "start_at": start,
            "doctor_id": "D1",
            "period": "2025-03",
            "batch_id": "b",
            **kw,
        }
        build.insert("orders", row)

    # E1: 1 g × 2/day, 03-01 → 03-03 inclusive = 3 days → 6 g ÷ 2 = 3 DDDs
    order("E1", "O1", "AB", "1", 2, "2025-03-01 08:00:00", end_at="2025-03-03 20:00:00")
    # E1: 0.5 g × 3/day × days_supply 2 = 3 g ÷ 2 = 1.5 DDDs
    order("E1", "O2", "AB", "0.5", 3, "2025-03-02 08:00:00", days_supply=2)
    # E3: 1 g × 1/day, 03-15 → discharge 03-20 = 6 days → 6 g ÷ 1.5 = 4 DDDs
    order("E3", "O3", "AC", "1", 1, "2025-03-15 08:00:00", doctor_id="D2")
    # E1 also charged AB: ordered in E1, so the charge adds nothing.
    build.fee("E1", "AB", "2025-03-02 08:00:00", 5, 3, item_type="drug_western")
    # E2 charged AB with no order: net 3 − 1 = 2 ÷ 2 = 1 DDD
    build.fee("E2", "AB", "2025-03-02 08:00:00", 3, 3, item_type="drug_western")
    build.fee("E2", "AB", "2025-03-03 08:00:00", -1, 3, item_type="drug_western")
    build.fee("E4", "NA", "2025-03-11 08:00:00", 9, 3, item_type="drug_western")  # not an antibiotic


def test_group_a(build: StoreBuilder, run_indicators: RunIndicators) -> None:
    _store(build)
    judged = run_indicators(
        "low_risk_mortality",
        "antibiotic_ddds_per_100_patient_days",
        "surgical_complication_rate",
        "class_i_ssi_rate",
        "key_disease_mortality",
    )

    def num_den_value(indicator: str, level: str, key: object) -> tuple[object, object, object]:
        v = values(judged, indicator, level)[key].value
        return v.numerator, v.denominator, v.value

    # Low-risk stays E1, E2; E1 died → 1/2; 外科 has no low-risk stay → no row.
    assert num_den_value("low_risk_mortality", "institution", "H1") == (1, 2, Decimal("0.5"))
    assert set(values(judged, "low_risk_mortality", "department")) == {("H1", "内科")}
    low = values(judged, "low_risk_mortality")["H1"]
    assert (low.failing, low.reason, low.target and low.target.value) == (True, "target", Decimal(0))

    # DDDs 3 + 1.5 + 4 + 1 = 9.5 over patient-days 4 + 4 + 10 + 2 = 20 → 100 × 9.5 / 20 = 47.5
    assert num_den_value("antibiotic_ddds_per_100_patient_days", "institution", "H1") == (
        Decimal("9.5"),
        Decimal(20),
        Decimal("47.5"),
    )
    # 内科: (3 + 1.5 + 1) / 8 × 100 = 68.75; 外科: 4 / 12 × 100 = 33.333333
    ddds = values(judged, "antibiotic_ddds_per_100_patient_days", "department")
    assert ddds[("H1", "内科")].value.value == Decimal("68.75")
    assert ddds[("H1", "外科")].value.value == Decimal("33.333333333333333333")
    assert values(judged, "antibiotic_ddds_per_100_patient_days", "doctor")[("H1", "D2")].value.value == (
        Decimal("33.333333333333333333")
    )
    assert values(judged, "antibiotic_ddds_per_100_patient_days")["H1"].failing  # 47.5 > 40

    # Inpatients with a procedure E2, E3, E4; E3 has a complication → 1/3
    assert num_den_value("surgical_complication_rate", "institution", "H1") == (
        1,
        3,
        Decimal("0.333333333333333333"),
    )
    assert num_den_value("surgical_complication_rate", "department", ("H1", "外科")) == (1, 2, Decimal("0.5"))

    # Class-I procedures: E3 #1 (infected, operator D3), E3 #2 (no operator → attending D2) → 1/2
    assert num_den_value("class_i_ssi_rate", "institution", "H1") == (1, 2, Decimal("0.5"))
    ssi = values(judged, "class_i_ssi_rate", "doctor")
    assert (ssi[("H1", "D3")].value.value, ssi[("H1", "D2")].value.value) == (Decimal(1), Decimal(0))

    # Key diseases: E1 J18 (died), E2 I21, E3 I63 (died) → 2/3; E4 K35 is not one
    assert num_den_value("key_disease_mortality", "institution", "H1") == (
        2,
        3,
        Decimal("0.666666666666666667"),
    )
    key = values(judged, "key_disease_mortality", "department")
    assert (key[("H1", "内科")].value.value, key[("H1", "外科")].value.value) == (Decimal("0.5"), Decimal(1))
