"""A year's value is the year's numerator over the year's denominator (the regulation's 年平均值).

Store (H1, doctor D1 the only staff doctor):
- 2025-01: inpatient J1 (LOS 4) with an antibiotic; outpatient visits V1, V2.
- 2025-02: inpatients F1 (LOS 2) with an antibiotic, F2 (LOS 3) and F3 (LOS 1) without; visit V3.
- 2024-12 and 2026-01: one inpatient each with an antibiotic, outside the year.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sanjianguan.indicators.model import IndicatorError
from sanjianguan.indicators.scope import month, parse_scope, year
from tests.indicators.conftest import RunIndicators, add_staff, num_den_value
from tests.rules.builder import StoreBuilder

IDS = ("inpatient_antibiotic_rate", "outpatient_visits_per_doctor_day", "inpatient_days_per_doctor_day")


def _store(build: StoreBuilder) -> None:
    build.item("AB", kind="drug", antibiotic_grade="非限制使用级", ddd=Decimal(1))
    add_staff(build, "D1", "doctor", "内科")

    def stay(name: str, period: str, admit: str, discharge: str, antibiotic: bool) -> None:
        build.encounter(name, period=period, admit=f"{admit} 08:00:00", discharge=f"{discharge} 10:00:00")
        if antibiotic:
            build.fee(name, "AB", f"{admit} 09:00:00", 1, 5, item_type="drug_western")

    stay("J1", "2025-01", "2025-01-10", "2025-01-14", True)
    stay("F1", "2025-02", "2025-02-10", "2025-02-12", True)
    stay("F2", "2025-02", "2025-02-10", "2025-02-13", False)
    stay("F3", "2025-02", "2025-02-10", "2025-02-11", False)
    stay("X1", "2024-12", "2024-12-10", "2024-12-12", True)
    stay("X2", "2026-01", "2026-01-10", "2026-01-12", True)
    visit: dict[str, Any] = {"encounter_type": "outpatient", "discharge": None}
    build.encounter("V1", period="2025-01", admit="2025-01-06 09:00:00", **visit)
    build.encounter("V2", period="2025-01", admit="2025-01-07 09:00:00", **visit)
    build.encounter("V3", period="2025-02", admit="2025-02-06 09:00:00", **visit)


def test_year_is_years_numerator_over_years_denominator(
    build: StoreBuilder, run_indicators: RunIndicators
) -> None:
    _store(build)
    january = run_indicators(*IDS, period="2025-01")
    february = run_indicators(*IDS, period="2025-02")
    whole = run_indicators(*IDS, period="2025")

    rate = "inpatient_antibiotic_rate"
    # Months: 1/1 = 1 and 1/3 = 0.333333 (their mean would be 0.666667) ...
    assert num_den_value(january, rate, "H1")[2] == 1
    assert num_den_value(february, rate, "H1")[2] == Decimal("0.333333333333333333")
    # ... the year is (1 + 1) / (1 + 3) = 0.5; 2024-12 and 2026-01 are outside it.
    assert num_den_value(whole, rate, "H1") == (2, 4, Decimal("0.5"))
    # Visits per doctor per working day: January 2 / (1 × 19) = 0.105263; the year
    # 3 / (1 × 248 working days of 2025) = 0.012097.
    visits = "outpatient_visits_per_doctor_day"
    assert num_den_value(january, visits, "H1") == (2, 19, Decimal("0.105263157894736842"))
    assert num_den_value(whole, visits, "H1") == (3, 248, Decimal("0.012096774193548387"))
    # Patient-days 4 + 2 + 3 + 1 = 10 over 1 doctor × 365 calendar days = 0.027397
    assert num_den_value(whole, "inpatient_days_per_doctor_day", "H1") == (
        10,
        365,
        Decimal("0.027397260273972603"),
    )


def test_scopes() -> None:
    assert (year("2025").first_period, year("2025").last_period, year("2025").calendar_days) == (
        "2025-01",
        "2025-12",
        365,
    )
    assert (month("2024-02").calendar_days, month("2025-12").end.isoformat()) == (29, "2026-01-01")
    assert parse_scope("2025").kind == "year"
    assert parse_scope("2025-03").kind == "month"
    for bad in ("2025-13", "25-03", "2025/03"):
        with pytest.raises(IndicatorError, match="YYYY-MM"):
            parse_scope(bad)
