"""The self-check profile computed from the hand-made store of conftest.py (numbers worked out here)."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from sanjianguan.errors import NoDataError
from sanjianguan.indicators.scope import month, year
from sanjianguan.reports.selfcheck import Profile, SelfCheckError, compute_profiles
from sanjianguan.reports.selfcheck.form import Blank, form_rows
from sanjianguan.reports.selfcheck.profile import ratio


def _d(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture
def march(store: duckdb.DuckDBPyConnection) -> dict[str, Profile]:
    return {p.institution.institution_id: p for p in compute_profiles(store, month("2025-03"))}


def test_every_institution_with_encounters_and_its_header(march: dict[str, Profile]) -> None:
    # H3 has no encounters in March, so only H1 and H2 are reported.
    assert list(march) == ["H1", "H2"]
    h1 = march["H1"].institution
    assert (h1.name, h1.level_text, h1.ownership) == ("医院H1", "二级甲等", "公立")
    assert march["H2"].institution.level_text == "一级"
    assert march["H1"].period == "2025-03"


def test_visits_and_insured_shares(march: dict[str, Profile]) -> None:
    h1 = march["H1"]
    # 门(急)诊 = O1..O4 (outpatient + emergency, not the 门特 C1..C3); insured = O1 职工, O2 居民.
    assert (h1["opd_visits"], h1["opd_insured"], h1["opd_insured_share"]) == (4, 2, _d("50.00"))
    # Inpatients I1..I5 (I6 is April); insured I1, I2 (职工), I3 (居民): 3 / 5 = 60 %.
    assert (h1["ipd_stays"], h1["ipd_insured"], h1["ipd_insured_share"]) == (5, 3, _d("60.00"))
    # 每百住院率 = 5 inpatients / 4 门(急)诊 × 100.
    assert h1["inpatients_per_100_visits"] == _d("125.00")
    # 门特 of insured patients: C1 300 + C2 500 (C3 is 自费) → 2 visits, 400 per visit.
    assert (h1["chronic_visits"], h1["chronic_cost_per_visit"]) == (2, _d("400.00"))


def test_beds_and_occupancy(march: dict[str, Profile]) -> None:
    h1 = march["H1"]
    assert (h1["beds_approved"], h1["beds_open"]) == (60, 50)
    # Patient-days = 4 + 1 (same-day stay counts 1) + 10 + 11 (admitted in February) = 26;
    # I5 has no discharge time. Occupancy = 26 / (50 beds × 31 days) × 100 = 1.6774 → 1.68.
    assert (h1["patient_days"], h1["calendar_days"]) == (26, 31)
    assert h1["bed_occupancy"] == _d("1.68")


def test_cost_per_stay_and_los_by_insurance(march: dict[str, Profile]) -> None:
    h1 = march["H1"]
    # All: (1000 + 500 + 3000 + 2000 + 600) / 5 = 1420; LOS 26 / 4 stays with a discharge = 6.5.
    assert (h1["cost_per_stay_all"], h1["los_avg_all"]) == (_d("1420.00"), _d("6.50"))
    # 职工 I1, I2: 1500 / 2 = 750, LOS (4 + 1) / 2 = 2.5.
    assert (h1["cost_per_stay_employee"], h1["los_avg_employee"]) == (_d("750.00"), _d("2.50"))
    # 居民 I3: 3000, LOS 10.
    assert (h1["cost_per_stay_resident"], h1["los_avg_resident"]) == (_d("3000.00"), _d("10.00"))


def test_cost_structure(march: dict[str, Profile]) -> None:
    h1 = march["H1"]
    # All inpatients' fee lines: drug 400 + 100 + 1200 = 1700, exam+lab 200 + 800 = 1000,
    # treatment+surgery 200 + 300 = 500, material 100 + 300 = 400, other (nursing, bed) 200; total 3800.
    all_shares = [h1[f"share_{c}_all"] for c in ("drug", "exam", "treatment", "material", "other")]
    assert all_shares == [_d("44.74"), _d("26.32"), _d("13.16"), _d("10.53"), _d("5.26")]
    # 职工 (I1 + I2, the refunded patent drug nets 0): 500, 200, 500, 100, 200 of 1500.
    employee = [h1[f"share_{c}_employee"] for c in ("drug", "exam", "treatment", "material", "other")]
    assert employee == [_d("33.33"), _d("13.33"), _d("33.33"), _d("6.67"), _d("13.33")]
    # 居民 (I3): drug 1200 and exam+lab 800 of 2000; a share with a numerator of 0 is 0, not empty.
    resident = [h1[f"share_{c}_resident"] for c in ("drug", "exam", "treatment", "material", "other")]
    assert resident == [_d("60.00"), _d("40.00"), _d("0.00"), _d("0.00"), _d("0.00")]


def test_exam_price_use_and_positive_rates(march: dict[str, Profile]) -> None:
    h1 = march["H1"]
    # 12 encounters at H1 in March (4 门急诊 + 3 门特 + 5 inpatients) are the use-rate denominator.
    # CT (XCT and XCT2): amounts 150 + 150 + 250 + 150 − 150 = 550 over quantity 3 → 183.33;
    # used by I1 and O1 (O3 refunded, net 0) → 2 / 12; reports R1 positive, R2 no, R3 empty → 1 / 3.
    assert (h1["ct_price"], h1["ct_use_rate"], h1["ct_positive_rate"]) == (
        _d("183.33"),
        _d("16.67"),
        _d("33.33"),
    )
    # DR: 140 + 70 + 80 over 4 → 72.5; used by I3, O2, O4 → 3 / 12; positive 2 of 3.
    assert (h1["dr_price"], h1["dr_use_rate"], h1["dr_positive_rate"]) == (
        _d("72.50"),
        _d("25.00"),
        _d("66.67"),
    )
    # MRI: 420 / 1; used by I3 → 1 / 12; the April report R8 is outside March → 1 / 1.
    assert (h1["mri_price"], h1["mri_use_rate"], h1["mri_positive_rate"]) == (
        _d("420.00"),
        _d("8.33"),
        _d("100.00"),
    )
    # CR never charged or reported: no price, a use rate of 0 (0 of 12), no positive rate.
    assert (h1["cr_price"], h1["cr_use_rate"], h1["cr_positive_rate"]) == (None, _d("0.00"), None)


def test_zero_denominators_are_empty_not_zero(march: dict[str, Profile]) -> None:
    h2 = march["H2"]
    # One insured outpatient visit, no inpatient, no beds recorded.
    assert (h2["opd_visits"], h2["opd_insured_share"], h2["ipd_stays"]) == (1, _d("100.00"), 0)
    assert h2["inpatients_per_100_visits"] == _d("0.00")  # 0 inpatients / 1 visit
    for key in (
        "ipd_insured_share",
        "bed_occupancy",
        "beds_open",
        "cost_per_stay_all",
        "los_avg_employee",
        "share_drug_all",
        "chronic_cost_per_visit",
        "ct_price",
        "ct_positive_rate",
    ):
        assert h2[key] is None, key


def test_every_figure_of_the_form_is_computed(march: dict[str, Profile]) -> None:
    keys = {row.key for row in form_rows() if isinstance(row, Blank) and row.key is not None}
    assert keys == set(march["H1"].values)


def test_year_is_the_twelve_months(store: duckdb.DuckDBPyConnection) -> None:
    (h1,) = compute_profiles(store, year("2025"), ["H1"])
    # Adds April's I6 (职工, LOS 2, 400); the December 2024 visit O0 stays out.
    assert (h1["opd_visits"], h1["ipd_stays"], h1["ipd_insured_share"]) == (4, 6, _d("66.67"))
    assert h1["inpatients_per_100_visits"] == _d("150.00")  # 6 / 4
    # Data in March and April only: the year covers those 2 months, 31 + 30 = 61 days (not 365):
    # 28 patient-days / (50 × 61) × 100 = 0.918 → 0.92.
    assert h1.months == ("2025-03", "2025-04")
    assert (h1["patient_days"], h1["calendar_days"], h1["bed_occupancy"]) == (28, 61, _d("0.92"))
    assert (h1["cost_per_stay_all"], h1["los_avg_all"]) == (_d("1250.00"), _d("5.60"))  # 7500/6, 28/5
    assert (h1["cost_per_stay_employee"], h1["los_avg_employee"]) == (_d("633.33"), _d("2.33"))  # 1900/3, 7/3
    # MRI: R7 positive, R8 (April) not → 50 %; used by I3 of 13 encounters → 7.69 %.
    assert (h1["mri_positive_rate"], h1["mri_use_rate"]) == (_d("50.00"), _d("7.69"))


def test_unknown_institution_and_empty_periods(store: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(SelfCheckError, match="unknown institution: HX"):
        compute_profiles(store, month("2025-03"), ["H1", "HX"])
    with pytest.raises(NoDataError, match="no encounters settled in 2025-03: H3"):
        compute_profiles(store, month("2025-03"), ["H3"])
    with pytest.raises(NoDataError, match="2025-06 无已结算的就诊数据 / no encounters settled in 2025-06"):
        compute_profiles(store, month("2025-06"))
    with pytest.raises(NoDataError, match=r"no encounters settled in 2026$"):
        compute_profiles(store, year("2026"))


def test_a_year_covers_each_institutions_own_months(store: duckdb.DuckDBPyConnection) -> None:
    h1, h2 = compute_profiles(store, year("2025"))
    # H2 has data in March only: its year is 31 days; H1's is March + April.
    assert (h1.months, h1["calendar_days"]) == (("2025-03", "2025-04"), 61)
    assert (h2.months, h2["calendar_days"]) == (("2025-03",), 31)
    (march,) = compute_profiles(store, month("2025-03"), ["H1"])
    assert (march.months, march["calendar_days"]) == (("2025-03",), 31)


def test_ratio_rounds_half_up_and_has_no_value_without_denominator() -> None:
    assert ratio(1, 8, Decimal(1)) == _d("0.13")  # 0.125 → 0.13 (half-up, not banker's 0.12)
    assert ratio(5, 0) is None
    assert ratio(None, 4) == _d("0.00")
