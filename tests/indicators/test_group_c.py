"""Group C (第二十二条) on one hand-computed store, on both engines.

Store (H1, 2025-03):

| encounter | type | route / disposition | appointment | charged (net) |
|---|---|---|---|---|
| T1 | inpatient | 转入 / 1 | | HP (herbal pieces) |
| T2 | inpatient | 门诊 / 2 | | TN1 (tcm_nondrug) |
| T3 | inpatient | 转入 / 3 | | |
| T4 | inpatient | 门诊 / 1 | | |
| T5 | inpatient | — / 4 | | |
| V1 | outpatient | | true | TN1 |
| V2 | outpatient | | false | CP (Chinese patent drug) |
| V3 | outpatient | | empty | HP; TN2 charged and refunded (net 0) |
| V4 | emergency (急诊科) | | true | TN2 |
| V5 | chronic_outpatient | | true | CP |
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.indicators.conftest import RunIndicators, num_den_value, values
from tests.rules.builder import StoreBuilder

GROUP_C = (
    "two_way_referral_rate",
    "outpatient_appointment_rate",
    "outpatient_tcm_nondrug_ratio",
    "tcm_nondrug_item_count",
    "outpatient_tcm_prescription_ratio",
    "outpatient_herbal_pieces_ratio",
    "inpatient_herbal_pieces_rate",
)


def _store(build: StoreBuilder) -> None:
    build.item("TN1", tags="tcm_nondrug").item("TN2", tags="massage|tcm_nondrug")
    build.item("HP", kind="drug").item("CP", kind="drug")
    enc = build.encounter
    enc("T1", admission_route="转入", discharge_disposition="1")
    enc("T2", admission_route="门诊", discharge_disposition="2")
    enc("T3", admission_route="转入", discharge_disposition="3")
    enc("T4", admission_route="门诊", discharge_disposition="1")
    enc("T5", discharge_disposition="4")
    visit: dict[str, Any] = {"encounter_type": "outpatient", "discharge": None}
    enc("V1", appointment=True, **visit)
    enc("V2", appointment=False, **visit)
    enc("V3", **visit)
    enc("V4", encounter_type="emergency", discharge=None, appointment=True, department="急诊科")
    enc("V5", encounter_type="chronic_outpatient", discharge=None, appointment=True)
    day = "2025-03-02 08:00:00"
    build.fee("T1", "HP", day, 10, 2, item_type="herbal_pieces")
    build.fee("T2", "TN1", day, 1, 30)
    build.fee("V1", "TN1", day, 1, 30)
    build.fee("V2", "CP", day, 1, 20, item_type="drug_chinese_patent")
    build.fee("V3", "HP", day, 7, 2, item_type="herbal_pieces")
    build.fee("V3", "TN2", day, 1, 40)
    build.fee("V3", "TN2", "2025-03-03 08:00:00", -1, 40)
    build.fee("V4", "TN2", day, 1, 40)
    build.fee("V5", "CP", day, 1, 20, item_type="drug_chinese_patent")


def test_group_c(build: StoreBuilder, run_indicators: RunIndicators) -> None:
    _store(build)
    judged = run_indicators(*GROUP_C)

    # Referred in (转入) or out (disposition 2, 3), once each: T1, T2, T3 (both) of 5 → 0.6
    assert num_den_value(judged, "two_way_referral_rate", "H1") == (3, 5, Decimal("0.6"))
    # Outpatient only (not V4 emergency, not V5 chronic): V1 booked of V1 V2 V3 → 0.333333
    assert num_den_value(judged, "outpatient_appointment_rate", "H1") == (
        1,
        3,
        Decimal("0.333333333333333333"),
    )
    # Outpatients charging a tcm_nondrug item with net quantity > 0: V1 (V3's TN2 nets 0) → 1/3
    assert num_den_value(judged, "outpatient_tcm_nondrug_ratio", "H1") == (
        1,
        3,
        Decimal("0.333333333333333333"),
    )
    # Distinct tcm_nondrug items charged, any encounter type: TN1 (T2, V1), TN2 (V4) → 2, no denominator
    assert num_den_value(judged, "tcm_nondrug_item_count", "H1") == (2, None, 2)
    # 急诊科 charged TN2 only → 1; 内科 charged TN1 (TN2 only refunded to 0) → 1
    count = values(judged, "tcm_nondrug_item_count", "department")
    assert (count[("H1", "急诊科")].value.value, count[("H1", "内科")].value.value) == (
        Decimal(1),
        Decimal(1),
    )
    # Outpatients charging a Chinese patent drug or herbal pieces: V2, V3 → 2/3
    assert num_den_value(judged, "outpatient_tcm_prescription_ratio", "H1") == (
        2,
        3,
        Decimal("0.666666666666666667"),
    )
    # Outpatients charging herbal pieces: V3 → 1/3
    assert num_den_value(judged, "outpatient_herbal_pieces_ratio", "H1") == (
        1,
        3,
        Decimal("0.333333333333333333"),
    )
    # Inpatients charging herbal pieces: T1 of 5 → 0.2
    assert num_den_value(judged, "inpatient_herbal_pieces_rate", "H1") == (1, 5, Decimal("0.2"))
    # Group C has no sample targets and one institution has no peers: nothing fails.
    assert not any(j.failing for j in judged)
    assert {j.group.value for j in judged} == {"2C"}


def test_a_count_of_zero_is_a_row_of_zero(build: StoreBuilder, run_indicators: RunIndicators) -> None:
    build.item("TN1", tags="tcm_nondrug")
    build.institution("H2").institution("H3")
    build.encounter("A1", encounter_type="outpatient", discharge=None)
    build.fee("A1", "TN1", "2025-03-01 09:00:00", 1, 30, item_type="treatment")
    # H2 reported March encounters but charged no TCM technique and grouped no DRG.
    build.encounter("B1", encounter_type="outpatient", discharge=None, institution_id="H2")
    # H3 has data in February only: it reported nothing for March, so it gets no March row.
    build.encounter("C1", institution_id="H3", period="2025-02")

    judged = run_indicators("tcm_nondrug_item_count", "drg_group_count")

    assert num_den_value(judged, "tcm_nondrug_item_count", "H1") == (1, None, 1)
    assert num_den_value(judged, "tcm_nondrug_item_count", "H2") == (0, None, 0)
    assert num_den_value(judged, "drg_group_count", "H2") == (0, None, 0)
    assert set(values(judged, "drg_group_count")) == {"H1", "H2"}
    assert set(values(judged, "tcm_nondrug_item_count")) == {"H1", "H2"}
    # Zero rows are institution rows: H2 has no department row of its own.
    assert set(values(judged, "tcm_nondrug_item_count", "department")) == {("H1", "内科")}
    feb = run_indicators("tcm_nondrug_item_count", period="2025-02")
    assert num_den_value(feb, "tcm_nondrug_item_count", "H3") == (0, None, 0)


def test_a_rate_without_denominator_still_has_no_value(
    build: StoreBuilder, run_indicators: RunIndicators
) -> None:
    # H2 has only outpatients: inpatient rates have no denominator, so no row (never 0).
    build.institution("H2")
    build.encounter("I1")
    build.encounter("B1", encounter_type="outpatient", discharge=None, institution_id="H2")
    judged = run_indicators("inpatient_herbal_pieces_rate")
    assert set(values(judged, "inpatient_herbal_pieces_rate")) == {"H1"}
