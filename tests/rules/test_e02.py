"""E02 特殊检查无知情同意: a requires_consent item charged without a consent record for it."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _consent(build: StoreBuilder, encounter_id: str, item: str, period: str = "2025-03") -> None:
    build.insert(
        "consents",
        {
            "institution_id": "H1",
            "encounter_id": encounter_id,
            "item_code": item,
            "signed_at": "2025-03-02 08:00:00",
            "period": period,
            "batch_id": "b",
        },
    )


def test_line_without_consent(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("ENDO", requires_consent=True).item("OTHER", requires_consent=True).item("CT")
    build.encounter("E1").encounter("E2")
    _consent(build, "E1", "OTHER")  # consent for another item only
    a = build.fee("E1", "ENDO", "2025-03-02 10:00:00", 1, "680.5", item_type="exam", ordering_doctor_id="D3")
    b = build.fee("E1", "ENDO", "2025-03-03 10:00:00", 2, "680.5", item_type="exam")
    build.fee("E1", "ENDO", "2025-03-03 11:00:00", -1, "680.5", item_type="exam")  # refund line: not a hit
    build.fee("E1", "CT", "2025-03-02 10:00:00", 1, 300, item_type="exam")  # no consent needed
    _consent(build, "E2", "ENDO")
    build.fee("E2", "ENDO", "2025-03-02 10:00:00", 1, 680, item_type="exam")

    hits = {h.hit_key: h for h in run_hits("E02")}

    assert set(hits) == {f"E1|{a}", f"E1|{b}"}
    hit = hits[f"E1|{a}"]
    assert (hit.amount_involved, hit.doctor_id, str(hit.event_date)) == (
        Decimal("680.50"),
        "D3",
        "2025-03-02",
    )
    assert json.loads(hit.evidence) == {
        "amount": "680.5",
        "consent_items": ["OTHER"],
        "item_code": "ENDO",
        "line_id": a,
        "quantity": "1",
    }
    assert hits[f"E1|{b}"].amount_involved == Decimal("1361.00")


def test_no_consents_uploaded_and_full_refund(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("ENDO", requires_consent=True).item("FREE", requires_consent=False)
    build.encounter("E1").encounter("E2").encounter("E3", period="2025-02")
    line = build.fee("E1", "ENDO", "2025-03-02 10:00:00", 1, 680, item_type="exam")
    build.fee("E1", "FREE", "2025-03-02 10:00:00", 1, 680, item_type="exam")
    build.fee("E2", "ENDO", "2025-03-02 10:00:00", 1, 680, item_type="exam")
    build.fee("E2", "ENDO", "2025-03-04 10:00:00", -1, 680, item_type="exam")  # refunded in full
    build.fee("E3", "ENDO", "2025-02-02 10:00:00", 1, 680, item_type="exam")  # another period

    [hit] = run_hits("E02")

    assert hit.hit_key == f"E1|{line}"
    assert json.loads(hit.evidence)["consent_items"] is None
