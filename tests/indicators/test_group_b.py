"""Group B (第二十一条) on hand-computed stores, one store per indicator family, on both engines."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from tests.indicators.conftest import RunIndicators, values
from tests.indicators.conftest import num_den_value as _num_den_value
from tests.rules.builder import StoreBuilder


def test_readmission_31d_unplanned(build: StoreBuilder, run_indicators: RunIndicators) -> None:
    build.institution("H2")
    for patient in ("P2", "P3", "P4", "P5", "P6"):
        build.patient(patient)
    enc = build.encounter
    # P1: R1 discharged 03-05, readmitted 03-20 (15 days) → counts; R2 has no later stay.
    enc("R1")
    enc("R2", admit="2025-03-20 08:00:00", discharge="2025-03-25 10:00:00")
    # P2: R3 discharged 03-05 but flagged readmission_planned → R4 on 03-10 does not count.
    enc("R3", patient_id="P2", readmission_planned=True)
    enc("R4", patient_id="P2", admit="2025-03-10 08:00:00", discharge="2025-03-12 10:00:00")
    # P3: R5 (外科/D2) discharged 03-10, readmitted 04-10 = 31 days later, loaded in 2025-04 → counts.
    enc("R5", patient_id="P3", discharge="2025-03-10 10:00:00", department="外科", attending_doctor_id="D2")
    enc("R6", patient_id="P3", admit="2025-04-10 08:00:00", discharge="2025-04-12 10:00:00", period="2025-04")
    # P4: R7 readmitted 03-15 at another institution (H2) → does not count for H1.
    enc("R7", patient_id="P4", discharge="2025-03-10 10:00:00")
    enc(
        "R8",
        patient_id="P4",
        institution_id="H2",
        admit="2025-03-15 08:00:00",
        discharge="2025-03-18 10:00:00",
    )
    # P5: R9 died → not in the denominator.
    enc("R9", patient_id="P5", discharge_disposition="5")
    # P6: R11 discharged 03-05; an outpatient visit 03-10 is no readmission, an inpatient
    # admission on 04-06 (32 days later) is too late.
    enc("R11", patient_id="P6")
    enc("V1", patient_id="P6", encounter_type="outpatient", admit="2025-03-10 08:00:00", discharge=None)
    enc(
        "R12", patient_id="P6", admit="2025-04-06 08:00:00", discharge="2025-04-08 10:00:00", period="2025-04"
    )

    judged = run_indicators("readmission_31d_unplanned_rate")
    # H1 alive discharges: R1 R2 R3 R4 R5 R7 R11 = 7; readmitted unplanned: R1, R5 → 2/7 = 0.285714
    assert _num_den_value(judged, "readmission_31d_unplanned_rate", "H1") == (
        2,
        7,
        Decimal("0.285714285714285714"),
    )
    # H2: R8 with no later stay → 0/1
    assert _num_den_value(judged, "readmission_31d_unplanned_rate", "H2") == (0, 1, 0)
    # 外科: R5 → 1/1; 内科: R1 of 6 → 0.166667
    dept = values(judged, "readmission_31d_unplanned_rate", "department")
    assert dept[("H1", "外科")].value.value == 1
    assert dept[("H1", "内科")].value.value == Decimal("0.166666666666666667")
    # No target: one institution per peer group is no comparison → not failing.
    assert not values(judged, "readmission_31d_unplanned_rate")["H1"].failing


def test_drg_time_and_cost_indices(build: StoreBuilder, run_indicators: RunIndicators) -> None:
    build.institution("H2")
    enc = build.encounter
    # H1: G1 A1 LOS 4 ¥4000; G2 A1 LOS 6 ¥8000; G3 no DRG (not grouped); G5 B1 LOS 10 ¥10000
    enc("G1", drg_code="A1", total_amount=Decimal(4000))
    enc("G2", drg_code="A1", discharge="2025-03-07 10:00:00", total_amount=Decimal(8000))
    enc("G3", discharge="2025-03-04 10:00:00", total_amount=Decimal(900))
    enc("G5", drg_code="B1", discharge="2025-03-11 10:00:00", total_amount=Decimal(10000), department="外科")
    # H2: G4 A1 LOS 2 ¥3000; G6 B1 LOS 5 ¥5000
    h2 = {"institution_id": "H2"}
    enc("G4", drg_code="A1", discharge="2025-03-03 10:00:00", total_amount=Decimal(3000), **h2)
    enc("G6", drg_code="B1", discharge="2025-03-06 10:00:00", total_amount=Decimal(5000), **h2)

    judged = run_indicators("drg_time_index", "drg_cost_index")
    # Region: A1 mean LOS (4+6+2)/3 = 4, cost (4000+8000+3000)/3 = 5000;
    #         B1 mean LOS (10+5)/2 = 7.5, cost (10000+5000)/2 = 7500.
    # H1 time: 4/4 = 1 + 6/4 = 1.5 + 10/7.5 = 1.333333333333 (12 dp) = 3.833333333333 over 3 stays
    assert _num_den_value(judged, "drg_time_index", "H1") == (
        Decimal("3.833333333333"),
        3,
        Decimal("1.277777777777666667"),
    )
    # H1 cost: 0.8 + 1.6 + 1.333333333333 = 3.733333333333 / 3
    assert _num_den_value(judged, "drg_cost_index", "H1") == (
        Decimal("3.733333333333"),
        3,
        Decimal("1.244444444444333333"),
    )
    # H2 time: 2/4 = 0.5 + 5/7.5 = 0.666666666667 → 1.166666666667 / 2; cost 0.6 + 0.666666666667 → / 2
    assert values(judged, "drg_time_index")["H2"].value.value == Decimal("0.5833333333335")
    assert values(judged, "drg_cost_index")["H2"].value.value == Decimal("0.6333333333335")
    # 外科 of H1 is G5 only: 10/7.5 = 1.333333333333
    assert values(judged, "drg_time_index", "department")[("H1", "外科")].value.value == Decimal(
        "1.333333333333"
    )
    # Target 1 (lower is better): H1 fails both, H2 meets both.
    for indicator in ("drg_time_index", "drg_cost_index"):
        by_unit = values(judged, indicator)
        assert (by_unit["H1"].failing, by_unit["H2"].failing) == (True, False)
        assert by_unit["H1"].reason == "target"


def _exact_drg_indices(
    stays: list[tuple[str, str, int, Decimal]],
) -> dict[tuple[str, str], tuple[Fraction, int]]:
    """(institution, index) → (Σ per-stay ratio, stays), in exact fractions (the reference)."""
    groups: dict[str, list[tuple[int, Decimal]]] = {}
    for _, drg, los, cost in stays:
        groups.setdefault(drg, []).append((los, cost))
    mean_los = {d: Fraction(sum(x[0] for x in g), len(g)) for d, g in groups.items()}
    mean_cost = {d: Fraction(sum(x[1] for x in g)) / len(g) for d, g in groups.items()}
    out: dict[tuple[str, str], tuple[Fraction, int]] = {}
    for institution, drg, los, cost in stays:
        for index, ratio in (
            ("drg_time_index", Fraction(los) / mean_los[drg]),
            ("drg_cost_index", Fraction(cost) / mean_cost[drg]),
        ):
            total, n = out.get((institution, index), (Fraction(0), 0))
            out[(institution, index)] = (total + ratio, n + 1)
    return out


def test_drg_indices_match_an_exact_computation(build: StoreBuilder, run_indicators: RunIndicators) -> None:
    # Awkward LOS and costs: every per-stay ratio is a repeating fraction (÷ 3, ÷ 7, ÷ 11 ...).
    build.institution("H2")
    stays = [
        ("H1", "A1", 3, Decimal("1234.56")),
        ("H1", "A1", 7, Decimal("7890.13")),
        ("H2", "A1", 11, Decimal("333.33")),
        ("H1", "B2", 2, Decimal("999.99")),
        ("H2", "B2", 9, Decimal("12345.67")),
        ("H2", "B2", 1, Decimal("0.07")),
        ("H1", "C3", 13, Decimal("98765.43")),
        ("H1", "C3", 6, Decimal("4321.09")),
        ("H2", "C3", 5, Decimal("55555.55")),
        ("H2", "C3", 17, Decimal("1.01")),
        ("H1", "C3", 4, Decimal("777.77")),
    ]
    for n, (institution, drg, los, cost) in enumerate(stays):
        discharge = f"2025-03-{1 + los:02d} 10:00:00"
        build.encounter(
            f"S{n}", drg_code=drg, institution_id=institution, discharge=discharge, total_amount=cost
        )

    judged = run_indicators("drg_time_index", "drg_cost_index")

    for (institution, index), (total, count) in _exact_drg_indices(stays).items():
        v = values(judged, index)[institution].value
        assert v.denominator == count
        assert abs(Fraction(v.numerator) - total) <= total * Fraction(1, 10**12), (institution, index)
        # The value keeps full precision (18 decimals): as exact as its 12-decimal numerator.
        exact = total / count
        assert abs(Fraction(v.value) - exact) <= exact * Fraction(1, 10**11), (institution, index)


def _report(build: StoreBuilder, encounter: str, report: str, item: str, positive: bool | None) -> None:
    row = {
        "institution_id": "H1",
        "encounter_id": encounter,
        "report_id": report,
        "item_code": item,
        "performed_at": "2025-03-02 09:00:00",
        "positive": positive,
        "period": "2025-03",
        "batch_id": "b",
    }
    build.insert("exam_reports", row)


def test_ct_and_mri_positive_rates(build: StoreBuilder, run_indicators: RunIndicators) -> None:
    build.item("CT1", tags="ct").item("CT2", tags="contrast|ct").item("MR1", tags="mri").item("XR", tags="dr")
    build.encounter("E1")
    build.encounter(
        "O1", encounter_type="outpatient", department="外科", attending_doctor_id="D2", discharge=None
    )
    # E1 (内科/D1): CT1 positive, CT2 negative, CT1 with empty positive (not positive), MR1 positive,
    # a DR report (not CT, not MRI). O1 (外科/D2): CT1 positive.
    _report(build, "E1", "X1", "CT1", True)
    _report(build, "E1", "X2", "CT2", False)
    _report(build, "E1", "X3", "CT1", None)
    _report(build, "E1", "X4", "MR1", True)
    _report(build, "E1", "X5", "XR", True)
    _report(build, "O1", "X6", "CT1", True)

    judged = run_indicators("ct_positive_rate", "mri_positive_rate")
    # CT: positive X1, X6 of X1 X2 X3 X6 → 2/4 = 0.5 < target 0.6 (higher is better) → failing
    assert _num_den_value(judged, "ct_positive_rate", "H1") == (2, 4, Decimal("0.5"))
    ct = values(judged, "ct_positive_rate")["H1"]
    assert (ct.failing, ct.reason) == (True, "target")
    # 内科: X1 of X1 X2 X3 → 0.333333; doctor D2: X6 → 1
    assert values(judged, "ct_positive_rate", "department")[("H1", "内科")].value.value == Decimal(
        "0.333333333333333333"
    )
    assert values(judged, "ct_positive_rate", "doctor")[("H1", "D2")].value.value == 1
    # MRI: 1/1 = 1 ≥ 0.6 → not failing
    assert _num_den_value(judged, "mri_positive_rate", "H1") == (1, 1, 1)
    assert not values(judged, "mri_positive_rate")["H1"].failing


def test_antibiotic_use_rates(build: StoreBuilder, run_indicators: RunIndicators) -> None:
    build.item("AB", kind="drug", antibiotic_grade="非限制使用级", ddd=Decimal(1)).item("NA", kind="drug")
    out: dict[str, Any] = {"encounter_type": "outpatient", "discharge": None}
    for name in ("I1", "I2", "I3", "I4"):
        build.encounter(name)
    build.encounter("O1", **out)
    build.encounter("O2", encounter_type="emergency", discharge=None, department="急诊科")
    build.encounter("O3", **out)
    build.encounter("O4", **out)
    build.encounter("O5", encounter_type="chronic_outpatient", discharge=None)
    drug = {"item_type": "drug_western"}
    build.order("I1", "OR1", "AB", "2025-03-02 08:00:00")  # ordered, never charged → with antibiotic
    build.fee("I2", "AB", "2025-03-02 08:00:00", 2, 5, **drug)  # charged 2, refunded 2: net 0 → without
    build.fee("I2", "AB", "2025-03-03 08:00:00", -2, 5, **drug)
    build.fee("I3", "AB", "2025-03-02 08:00:00", 1, 5, **drug)  # charged → with
    build.fee("I4", "NA", "2025-03-02 08:00:00", 1, 5, **drug)  # not an antibiotic
    build.fee("O1", "AB", "2025-03-02 08:00:00", 1, 5, **drug)  # outpatient charged → with
    build.order("O2", "OR2", "AB", "2025-03-02 08:00:00")  # emergency ordered → with
    build.fee("O4", "NA", "2025-03-02 08:00:00", 1, 5, **drug)
    build.fee("O5", "AB", "2025-03-02 08:00:00", 1, 5, **drug)  # chronic outpatient: not 门急诊

    judged = run_indicators("inpatient_antibiotic_rate", "outpatient_emergency_antibiotic_rate")
    # Inpatients I1..I4, with an antibiotic I1, I3 → 2/4 = 0.5 ≤ target 0.6 → not failing
    assert _num_den_value(judged, "inpatient_antibiotic_rate", "H1") == (2, 4, Decimal("0.5"))
    assert not values(judged, "inpatient_antibiotic_rate")["H1"].failing
    # Outpatient + emergency O1..O4 (O5 is chronic), with an antibiotic O1, O2 → 2/4 = 0.5 > 0.2 → failing
    rate = "outpatient_emergency_antibiotic_rate"
    assert _num_den_value(judged, rate, "H1") == (2, 4, Decimal("0.5"))
    assert values(judged, rate)["H1"].failing
    # 急诊科: O2 → 1/1; 内科: O1 of O1 O3 O4 → 0.333333
    dept = values(judged, rate, "department")
    assert (dept[("H1", "急诊科")].value.value, dept[("H1", "内科")].value.value) == (
        Decimal(1),
        Decimal("0.333333333333333333"),
    )


def test_high_value_material_share(build: StoreBuilder, run_indicators: RunIndicators) -> None:
    build.item("HV", kind="material", high_value=True).item("M2", kind="material")
    material = {"item_type": "material"}
    build.encounter("I1", total_amount=Decimal(10000))
    build.encounter("O1", encounter_type="outpatient", discharge=None, total_amount=Decimal(500))
    build.encounter("M1", encounter_type="emergency", discharge=None, total_amount=Decimal(1500))
    build.encounter("C1", encounter_type="chronic_outpatient", discharge=None, total_amount=Decimal(3000))
    # I1: HV 2 × 1500 then 1 refunded → net 1500; M2 is not high-value.
    build.fee("I1", "HV", "2025-03-02 08:00:00", 2, 1500, **material)
    build.fee("I1", "HV", "2025-03-03 08:00:00", -1, 1500, **material)
    build.fee("I1", "M2", "2025-03-02 08:00:00", 1, 800, **material)
    build.fee("M1", "HV", "2025-03-02 08:00:00", 1, 300, **material)

    judged = run_indicators("high_value_material_share")
    # (1500 + 300) / (10000 + 500 + 1500 + 3000) of every encounter type = 1800 / 15000 = 0.12
    assert _num_den_value(judged, "high_value_material_share", "H1") == (1800, 15000, Decimal("0.12"))
    share = values(judged, "high_value_material_share")["H1"]
    assert (share.target, share.failing) == (None, False)  # no sample target, no peers
