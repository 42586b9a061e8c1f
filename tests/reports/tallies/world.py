"""The tallies' world: penalty points, a campaign and accountability facts of the sample organisation.

Built through the API (the same calls an office makes) on `seed_org`'s organisation
(H1 in county 511502, H2 in county 511503, both in city 511500; H3 in 510104), with the
test clock starting on 2026-03-16:

- points of 2026-Q1 (approved 2026-03-16): H1 an institution record (I02) and staff DOC-X
  (S201), both registered; DOC-Y at H1 recorded but never registered (not disclosed);
  H2 staff DOC-Z registered. The clock then moves to 2026-04-05 and 511502 publishes Q1.
- a campaign of city 511500 on rule R-DUP-01 over 2026-02..2026-12: clue c1 (H1, 2026-02)
  decided unreasonable, c2 (H2) not decided; ledger: H1 confirmed 1000.00 found and 300.50
  self-reported, H1 refund 120.00 self-reported, H2 fine 200.00 and recovered 50.25 found,
  and a voided H2 confirmed 999.99 (not counted).
- accountability of 2026: proposals at H1 (art. 17 proposed; art. 19 confirmed lighter;
  art. 17 rejected: not a situation), H2 (art. 20 confirmed), H3 (art. 17 proposed: another
  city); an interview at H1 and an administrative penalty at H2, recorded by the city.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AccountabilityProposal, CaseDecision
from tests.web.test_api import login
from tests.workflow_db.fixtures import Clock

WHEN = datetime(2026, 3, 20, tzinfo=UTC)
PHASES = {
    "deployment": ("2026-02-01", "2026-02-28"),
    "self_check": ("2026-03-01", "2026-05-31"),
    "supervision": ("2026-03-01", "2026-11-30"),
    "consolidation": ("2026-12-01", "2026-12-31"),
}


@dataclass(frozen=True)
class World:
    campaign_id: int
    empty_campaign_id: int


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _score(client: TestClient, headers: dict[str, str], *, register: bool = True, **fields: Any) -> None:
    body = {
        "party_kind": "staff",
        "party_id": "DOC-X",
        "institution_id": "H1",
        "item_code": "S201",
        "responsibility": "重要",
        "event_date": "2026-03-10",
        "approved_on": "2026-03-16",
        "department": "医政医管科",
        "description": "超限定条件用药",
        **fields,
    }
    record_id = _ok(client.post("/api/v1/points/records", json=body, headers=headers), 201)["id"]
    if register:
        _ok(client.post(f"/api/v1/points/records/{record_id}/report", headers=headers))
        _ok(client.post(f"/api/v1/points/records/{record_id}/register", headers=headers))


def _points(client: TestClient) -> None:
    county, city = login(client, "county"), login(client, "city")
    _score(client, county, party_kind="institution", party_id="", item_code="I02", responsibility=None)
    _score(client, county)
    _score(client, county, party_id="DOC-Y", register=False)
    _score(client, city, party_id="DOC-Z", institution_id="H2")


def _campaign(client: TestClient, database: Database, rule: str) -> int:
    city = login(client, "city")
    body = {
        "title": f"不合理医疗检查专项治理 {rule}",
        "region_code": "511500",
        "rule_ids": [rule],
        "phases": [{"phase": p, "starts_on": s, "ends_on": e} for p, (s, e) in PHASES.items()],
    }
    return int(_ok(client.post("/api/v1/campaigns", json=body, headers=city), 201)["id"])


def _ledger(client: TestClient, cid: int) -> None:
    city, hospital = login(client, "city"), login(client, "hospital1")
    path = f"/api/v1/campaigns/{cid}/records"
    rows = [
        (city, "H1", "confirmed", "1000.00", "found"),
        (hospital, "H1", "confirmed", "300.50", "self_reported"),
        (hospital, "H1", "refund", "120.00", "self_reported"),
        (city, "H2", "fine", "200.00", "found"),
        (city, "H2", "recovered", "50.25", "found"),
        (city, "H2", "confirmed", "999.99", "found"),
    ]
    ids = []
    for headers, inst, kind, amount, source in rows:
        body = {"institution_id": inst, "kind": kind, "amount": amount, "source": source}
        ids.append(_ok(client.post(path, json=body, headers=headers), 201)["id"])
    _ok(client.post(f"{path}/{ids[-1]}/void", json={"reason": "录入错误"}, headers=city))


def proposal(
    key: str, institution: str, region: str, article: str, status: str, mitigation: str = "none"
) -> Any:
    return AccountabilityProposal(
        key=key,
        row_id=f"art{article}",
        article=article,
        subject_kind="institution",
        subject_id=institution,
        institution_id=institution,
        region_code=region,
        year=2026,
        window="cycle",
        period="2026-02",
        threshold=1,
        times=1,
        action="责令限期改正",
        evidence=[{"cycle": "2026-02", "refs": ["c1"]}],
        self_reported=False,
        status=status,
        mitigation=mitigation,
        final_action="责令限期改正" if status == "confirmed" else None,
        proposed_at=WHEN,
        updated_at=WHEN,
    )


def _accountability(client: TestClient, database: Database) -> None:
    with database.transaction() as s:
        s.add(CaseDecision(clue_id="c1", decision="unreasonable", basis="ruling", decided_at=WHEN))
        s.add_all(
            [
                proposal("k1", "H1", "511502", "17", "proposed"),
                proposal("k2", "H1", "511502", "19", "confirmed", "lighter"),
                proposal("k3", "H1", "511502", "17", "rejected"),
                proposal("k4", "H2", "511503", "20", "confirmed"),
                proposal("k5", "H3", "510104", "17", "proposed"),
            ]
        )
    city = login(client, "city")
    for kind, inst in (("interview", "H1"), ("admin_penalty", "H2")):
        body = {"kind": kind, "institution_id": inst, "occurred_on": "2026-03-12", "description": "登记"}
        _ok(client.post("/api/v1/accountability/facts", json=body, headers=city), 201)


def build(client: TestClient, database: Database, clock: Clock) -> World:
    """The world above; the clock ends on 2026-04-05 with 511502's 2026-Q1 published."""
    _points(client)
    cid = _campaign(client, database, "R-DUP-01")
    empty = _campaign(client, database, "R-NONE-99")
    _ledger(client, cid)
    _accountability(client, database)
    clock.advance(days=20)
    body = {"region_code": "511502", "quarter": "2026-Q1"}
    _ok(client.post("/api/v1/points/disclosures", json=body, headers=login(client, "county")), 201)
    client.cookies.clear()
    return World(cid, empty)
