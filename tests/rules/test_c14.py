"""C14 串换收费: an exam charged as X whose encounter has a report of a cheaper Y of the same modality."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _caps(l3: str | None, l2: str | None, l1: str | None) -> dict[str, Decimal | None]:
    return {
        "price_cap_l3": None if l3 is None else Decimal(l3),
        "price_cap_l2": None if l2 is None else Decimal(l2),
        "price_cap_l1": None if l1 is None else Decimal(l1),
    }


def _items(build: StoreBuilder) -> None:
    build.item("CTE", tags="ct", item_type="exam", **_caps("260", "220", "200"))  # the dear X
    build.item("CTA", tags="ct", item_type="exam", **_caps("180", "150", "120"))
    build.item("CTB", tags="ct", item_type="exam", **_caps("180", "150", "120"))  # same caps as CTA
    build.item("CTL", tags="ct", item_type="exam", **_caps("100", "90", "80"))
    build.item("CTN", tags="ct", item_type="exam", **_caps(None, None, None))  # no cap at all
    build.item("XR", tags="dr|cr", item_type="exam", **_caps("60", "50", "40"))
    build.item("CR", tags="CR", item_type="exam", **_caps("40", "30", "20"))
    build.item("ECG", item_type="exam", **_caps("20", "15", "10"))  # no modality


def _report(
    build: StoreBuilder,
    encounter_id: str,
    item_code: str,
    *,
    institution_id: str = "H1",
    period: str = "2025-03",
) -> str:
    report_id = f"R-{encounter_id}-{item_code}"
    build.insert(
        "exam_reports",
        {
            "institution_id": institution_id,
            "encounter_id": encounter_id,
            "report_id": report_id,
            "item_code": item_code,
            "performed_at": "2025-03-02 10:00:00",
            "period": period,
            "batch_id": "b",
        },
    )
    return report_id


def _exam(
    build: StoreBuilder,
    encounter_id: str,
    item_code: str,
    quantity: int = 1,
    price: str = "260",
    at: str = "2025-03-02 09:00:00",
) -> str:
    return build.fee(encounter_id, item_code, at, quantity, price, item_type="exam")


def test_substituted_exam_items(build: StoreBuilder, run_hits: RunHits) -> None:
    _items(build)
    build.institution("H0", level=0).institution("H2", level=2)
    for n in range(1, 13):
        build.encounter(f"E{n}")
    build.encounter("E13", institution_id="H0")
    build.encounter("E14", institution_id="H2")

    one = _exam(build, "E1", "CTE")  # charged as enhanced CT, reported as plain CT
    report = _report(build, "E1", "CTA")
    two = _exam(build, "E2", "CTE", quantity=2)  # quantity 2: the difference twice
    _report(build, "E2", "CTA")
    _exam(build, "E3", "CTE")  # a report of X as well
    _report(build, "E3", "CTE")
    _report(build, "E3", "CTA")
    _exam(build, "E4", "CTE")  # Y of another modality
    _report(build, "E4", "XR")
    _exam(build, "E5", "CTE", price="180")  # Y's cap equal to X's price
    _report(build, "E5", "CTA")
    _exam(build, "E6", "CTE", price="150")  # Y dearer than X's price
    _report(build, "E6", "CTA")
    _exam(build, "E7", "CTE")  # Y without a cap
    _report(build, "E7", "CTN")
    cheapest = _exam(build, "E8", "CTE")  # three Y: the cheapest
    for y in ("CTA", "CTB", "CTL"):
        _report(build, "E8", y)
    tie = _exam(build, "E9", "CTE")  # two Y with one cap: the smaller item_code
    _report(build, "E9", "CTB")
    _report(build, "E9", "CTA")
    _exam(build, "E10", "CTE")  # refunded in full
    _exam(build, "E10", "CTE", quantity=-1, at="2025-03-02 11:00:00")
    _report(build, "E10", "CTA")
    shared = _exam(build, "E11", "XR", price="60")  # tags dr|cr share cr with CR (case ignored)
    _report(build, "E11", "CR")
    _exam(build, "E12", "ECG", price="20")  # X without a modality
    _report(build, "E12", "CTA")
    level0 = _exam(build, "E13", "CTE", price="150")  # level 0 compares with price_cap_l1 (120)
    _report(build, "E13", "CTA", institution_id="H0")
    # H2 uploads reports only in February: not checked in March.
    _exam(build, "E14", "CTE")
    _report(build, "E14", "CTA", institution_id="H2", period="2025-02")

    hits = {h.hit_key: h for h in run_hits("C14")}

    assert set(hits) == {
        f"E1|{one}",
        f"E2|{two}",
        f"E8|{cheapest}",
        f"E9|{tie}",
        f"E11|{shared}",
        f"E13|{level0}",
    }
    assert json.loads(hits[f"E1|{one}"].evidence) == {
        "line_id": one,
        "item_code": "CTE",
        "unit_price": "260",
        "quantity": "1",
        "institution_level": "3",
        "reported_item_code": "CTA",
        "reported_item_cap": "180",
        "modality": "ct",
        "report_id": report,
    }
    amounts = {k.split("|")[0]: h.amount_involved for k, h in hits.items()}
    assert amounts == {
        "E1": Decimal("80.00"),
        "E2": Decimal("160.00"),
        "E8": Decimal("160.00"),
        "E9": Decimal("80.00"),
        "E11": Decimal("20.00"),
        "E13": Decimal("30.00"),
    }
    ys = {k.split("|")[0]: json.loads(h.evidence)["reported_item_code"] for k, h in hits.items()}
    assert ys == {"E1": "CTA", "E2": "CTA", "E8": "CTL", "E9": "CTA", "E11": "CR", "E13": "CTA"}
    assert json.loads(hits[f"E11|{shared}"].evidence)["modality"] == "cr"
    assert json.loads(hits[f"E13|{level0}"].evidence)["reported_item_cap"] == "120"


def test_no_reports_at_all(build: StoreBuilder, run_hits: RunHits) -> None:
    _items(build)
    build.encounter("E1")
    _exam(build, "E1", "CTE")

    assert run_hits("C14") == []
