"""O/E (observed / expected) of cost, LOS, drug and material cost, on both engines.

Stays of 2025-03 (H1 and H2 are level 3, H3 level 2):

| stay | inst | dept/doctor | DRG | main dx | LOS | total | drug lines | material lines |
|---|---|---|---|---|---|---|---|---|
| S1 | H1 | 内科/D1 | A1 | J18.900 | 4 | 6000 | western 1500 + herbal 500 | 1200 − 200 refund |
| S3 | H1 | 外科/D2 | — | K35.800 | 5 | 2500 | Chinese patent 300 | 600 |
| S2 | H2 | 内科/D1 | A1 | J18.900 | 2 | 2000 | western 1000 | — |
| S4 | H2 | 内科/D1 | — | K35.100 | 3 | 1000 | western 100 | — |
| S5 | H3 | 内科/D1 | — | K35.800 | 10 | 9000 | western 900 | — |

Treatment lines (S1: 300) count in no measure but the total.
Expected per stay: A1's regional mean (S1, S2: LOS 3, cost 4000, drug 1500, material 500);
without a DRG, the mean of K35 at the same institution level (level 3: S3, S4: LOS 4,
cost 1750, drug 200, material 300; level 2: S5 alone).
"""

from __future__ import annotations

from decimal import Decimal

from tests.indicators.conftest import RunIndicators, num_den_value, values
from tests.rules.builder import StoreBuilder

OE = ("oe_cost", "oe_los", "oe_drug_cost", "oe_material_cost")


def _store(build: StoreBuilder) -> None:
    build.institution("H2").institution("H3", level=2)
    enc = build.encounter
    enc("S1", drg_code="A1", total_amount=Decimal(6000))
    enc("S3", main_diagnosis="K35.800", discharge="2025-03-06 10:00:00", total_amount=Decimal(2500),
        department="外科", attending_doctor_id="D2")  # fmt: skip
    enc("S2", institution_id="H2", drg_code="A1", discharge="2025-03-03 10:00:00", total_amount=Decimal(2000))
    enc("S4", institution_id="H2", main_diagnosis="K35.100", discharge="2025-03-04 10:00:00",
        total_amount=Decimal(1000))  # fmt: skip
    enc("S5", institution_id="H3", main_diagnosis="K35.800", discharge="2025-03-11 10:00:00",
        total_amount=Decimal(9000))  # fmt: skip
    day, later = "2025-03-02 08:00:00", "2025-03-03 08:00:00"
    build.fee("S1", "W1", day, 1, 1500, item_type="drug_western")
    build.fee("S1", "HP", day, 1, 500, item_type="herbal_pieces")
    build.fee("S1", "M1", day, 1, 1200, item_type="material")
    build.fee("S1", "M1", later, -1, 200, item_type="material")
    build.fee("S1", "T1", day, 1, 300, item_type="treatment")
    build.fee("S3", "CP", day, 1, 300, item_type="drug_chinese_patent")
    build.fee("S3", "M1", day, 1, 600, item_type="material")
    build.fee("S2", "W1", day, 1, 1000, item_type="drug_western")
    build.fee("S4", "W1", day, 1, 100, item_type="drug_western")
    build.fee("S5", "W1", day, 1, 900, item_type="drug_western")


def test_oe(build: StoreBuilder, run_indicators: RunIndicators) -> None:
    _store(build)
    judged = run_indicators(*OE)

    # H1 cost: (6000 + 2500) / (4000 + 1750) = 8500 / 5750 = 1.478261
    assert num_den_value(judged, "oe_cost", "H1") == (8500, 5750, Decimal("1.478260869565217391"))
    # H1 LOS: (4 + 5) / (3 + 4) = 1.285714
    assert num_den_value(judged, "oe_los", "H1") == (9, 7, Decimal("1.285714285714285714"))
    # H1 drug: (1500 + 500 + 300) / (1500 + 200) = 2300 / 1700 = 1.352941
    assert num_den_value(judged, "oe_drug_cost", "H1") == (2300, 1700, Decimal("1.352941176470588235"))
    # H1 material: (1200 − 200 + 600) / (500 + 300) = 2
    assert num_den_value(judged, "oe_material_cost", "H1") == (1600, 800, 2)
    # H2 cost 3000 / 5750 = 0.521739; LOS 5 / 7 = 0.714286; drug 1100 / 1700 = 0.647059; material 0 / 800
    assert values(judged, "oe_cost")["H2"].value.value == Decimal("0.521739130434782609")
    assert values(judged, "oe_los")["H2"].value.value == Decimal("0.714285714285714286")
    assert values(judged, "oe_drug_cost")["H2"].value.value == Decimal("0.647058823529411765")
    assert values(judged, "oe_material_cost")["H2"].value.value == 0
    # H3 (level 2) is its own K35 peer: O/E 1; its expected material cost is 0 → no row
    assert values(judged, "oe_cost")["H3"].value.value == 1
    assert "H3" not in values(judged, "oe_material_cost")
    # Department and doctor: H1 外科 / D2 is S3: 2500 / 1750 = 1.428571; 内科 / D1 is S1: 6000 / 4000
    assert values(judged, "oe_cost", "department")[("H1", "外科")].value.value == Decimal(
        "1.428571428571428571"
    )
    assert values(judged, "oe_cost", "doctor")[("H1", "D1")].value.value == Decimal("1.5")
    # H1's cost O/E 1.478 > 1.3, but 2 stays < 30: not flagged (target kept for the record).
    cost = values(judged, "oe_cost")["H1"]
    assert (cost.failing, cost.target and cost.target.value, cost.target and cost.target.min_cases) == (
        False,
        Decimal("1.3"),
        30,
    )
