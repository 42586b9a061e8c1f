"""The joint-work API end to end: plans, campaigns, referrals and feedback over HTTP, with jurisdiction."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sanjianguan.workflow_db.models import AuditEvent
from tests.cases.harness import Harness
from tests.inspections.world import add_investigators, decided_clue
from tests.web.test_api import assert_bilingual, login

API = "/api/v1"


def _audit_count(h: Harness) -> int:
    with h.database.sessions() as session:
        return int(session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def test_plan_over_http(client: TestClient, h: Harness) -> None:
    add_investigators(h, {"inv_b": "511503", "inv_c": "511500"})
    city = login(client, "city")
    body = {"year": 2026, "region_code": "511500", "seed": "api", "extra_visits": 1}
    created = client.post(f"{API}/inspections/plans", json=body, headers=city)
    assert created.status_code == 201, created.text
    plan = created.json()
    assert sorted(v["institution_id"] for v in plan["visits"] if v["round"] == "baseline") == ["H1", "H2"]
    again = client.get(f"{API}/inspections/plans/{plan['id']}", headers=city).json()
    assert again["reproducible"] is True
    assert again["seed"] == "api"
    county = login(client, "county")
    seen = client.get(f"{API}/inspections/plans/{plan['id']}", headers=county).json()
    assert [v["institution_id"] for v in seen["visits"]] == ["H1"] * len(seen["visits"])
    assert set(seen["weights"]) == {"H1"}
    h2_visit = next(v for v in plan["visits"] if v["institution_id"] == "H2")
    assert client.get(f"{API}/inspections/visits/{h2_visit['id']}", headers=county).status_code == 404
    hospital = login(client, "hospital1")  # logging in is itself audited: before counting
    before = _audit_count(h)
    refused = client.post(f"{API}/inspections/plans", json={**body, "region_code": "511503"}, headers=county)
    assert refused.status_code == 404
    assert_bilingual(refused.json())
    malformed = client.post(
        f"{API}/inspections/plans", content=b"{", headers={**city, "content-type": "application/json"}
    )
    assert malformed.status_code == 422
    assert client.post(f"{API}/inspections/plans", json=body, headers=hospital).status_code == 403
    assert _audit_count(h) == before


def test_campaign_over_http(client: TestClient, h: Harness) -> None:
    city = login(client, "city")
    phases = [
        {"phase": "deployment", "starts_on": "2026-03-01", "ends_on": "2026-03-31"},
        {"phase": "self_check", "starts_on": "2026-04-01", "ends_on": "2026-05-15"},
        {"phase": "supervision", "starts_on": "2026-04-01", "ends_on": "2026-11-30"},
        {"phase": "consolidation", "starts_on": "2026-12-01", "ends_on": "2026-12-31"},
    ]
    body = {"title": "专项治理", "region_code": "511500", "rule_ids": ["R-DUP-01"], "phases": phases}
    created = client.post(f"{API}/campaigns", json=body, headers=city)
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    assert created.json()["current_phase"] == "deployment"
    for amount in ("0.10", "0.20"):
        record = {"institution_id": "H1", "kind": "confirmed", "amount": amount, "source": "found"}
        assert client.post(f"{API}/campaigns/{cid}/records", json=record, headers=city).status_code == 201
    bad = {"institution_id": "H1", "kind": "fine", "amount": "1.005", "source": "found"}
    assert client.post(f"{API}/campaigns/{cid}/records", json=bad, headers=city).status_code == 422
    tally = client.get(f"{API}/campaigns/{cid}/tally", headers=city).json()
    assert tally["total"]["confirmed"] == "0.30"
    assert tally["by_institution"]["H2"]["confirmed"] == "0.00"
    assert client.get(f"{API}/campaigns/{cid}", headers=login(client, "other_city")).status_code == 404
    closed = client.post(f"{API}/campaigns/{cid}/close", json={"reason": "结束"}, headers=city)
    assert closed.status_code == 200
    assert closed.json()["total"]["confirmed"] == "0.30"
    late = client.post(
        f"{API}/campaigns/{cid}/records",
        json={"institution_id": "H1", "kind": "fine", "amount": "1", "source": "found"},
        headers=city,
    )
    assert late.status_code == 409
    assert_bilingual(late.json())


def test_referral_round_trip_over_http(client: TestClient, h: Harness) -> None:
    city, insurance, county = login(client, "city"), login(client, "insurance"), login(client, "county")
    sent = client.post(
        f"{API}/clues/c2/referrals", json={"department": "insurance", "reason": "涉及医保基金"}, headers=city
    )
    assert sent.status_code == 201, sent.text
    rid = sent.json()["id"]
    assert [r["id"] for r in client.get(f"{API}/referrals", headers=insurance).json()] == [rid]
    assert client.get(f"{API}/referrals/{rid}", headers=county).status_code == 404  # outside 511502
    assert client.get(f"{API}/referrals", headers=county).json() == []
    assert client.post(f"{API}/referrals/{rid}/receive", headers=insurance).json()["status"] == "received"
    feedback = {"outcome": "penalised", "explanation": "已追回", "amount_recovered": "1234.56", "fine": "0"}
    answered = client.post(f"{API}/referrals/{rid}/feedback", json=feedback, headers=insurance)
    assert answered.status_code == 200, answered.text
    assert answered.json()["amount_recovered"] == "1234.56"
    assert answered.json()["fine"] is None
    assert client.get(f"{API}/referrals/{rid}", headers=city).json()["status"] == "answered"
    again = client.post(f"{API}/referrals/{rid}/feedback", json=feedback, headers=insurance)
    assert again.status_code == 409


def test_feedback_over_http(client: TestClient, h: Harness) -> None:
    with h.database.transaction() as s:
        decided_clue(s, "f1", institution="H1", region="511502", period="2026-01", rule="R-F", amount="12.34")
        decided_clue(
            s, "f2", institution="H1", region="511502", period="2026-01", rule="R-F", decision="reasonable"
        )
    analyst = login(client, "other_city")  # an analyst of another city: sees nothing of 5115
    assert client.get(f"{API}/feedback/rules?rule_id=R-F", headers=analyst).json() == []
    rows = client.get(f"{API}/feedback/rules?rule_id=R-F&group_by=rule", headers=login(client, "city")).json()
    # f1 unreasonable (self-check 属实: agrees), f2 reasonable (self-check 属实: disagrees)
    assert rows == [
        {
            "rule_id": "R-F",
            "region_code": None,
            "period": None,
            "clues": 2,
            "decided": 2,
            "unreasonable": 1,
            "reasonable": 1,
            "precision": "0.5000",
            "self_checked": 2,
            "self_check_agreed": 1,
            "agreement": "0.5000",
            "amount_confirmed": "12.34",
            "by_basis": {"self_check": 2},
        }
    ]
    assert client.get(f"{API}/feedback/rules", headers=login(client, "hospital1")).status_code == 403
    assert (
        client.get(f"{API}/feedback/rules?region_code=511503", headers=login(client, "county")).status_code
        == 404
    )
