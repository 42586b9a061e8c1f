"""The ladder over HTTP on SQLite and PostgreSQL: runs, evidence, jurisdiction, decisions, audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, CaseDecision, Clue, SelfCheck
from tests.web.test_api import assert_bilingual, login
from tests.workflow_db.fixtures import Clock, Org, sample_clue, seed_org

API = "/api/v1/accountability"


def decided(
    database: Database, clue_id: str, inst: str, region: str, period: str, rule: str, **kw: str
) -> None:
    """A level-1 clue decided unreasonable (the rows the clue workflow leaves behind)."""
    with database.transaction() as s:
        clue = sample_clue(clue_id, inst, region, period)
        clue.rule_id, clue.doctor_id = rule, kw.get("doctor", "D1")
        clue.department = kw.get("dept", "内科")
        clue.status = kw.get("status", "decided")
        s.add(clue)
        s.flush()
        s.add(
            CaseDecision(
                clue_id=clue_id,
                decision=kw.get("decision", "unreasonable"),
                basis="ruling",
                decided_at=datetime(2026, 3, 1, tzinfo=UTC),
            )
        )
        if kw.get("self_check"):
            s.add(
                SelfCheck(
                    clue_id=clue_id,
                    outcome="confirmed",
                    explanation="自查属实",
                    submitted_at=datetime(2026, 2, 1, tzinfo=UTC),
                )
            )


@pytest.fixture
def world(database: Database) -> Org:
    with database.sessions() as s:
        org = seed_org(s)
    # Doctor D1 at H1: R1 in Jan (two cases = one time), R2 and R3 in Feb → 3 times in 2026.
    decided(database, "a1", "H1", "511502", "2026-01", "R1")
    decided(database, "a2", "H1", "511502", "2026-01", "R1", self_check="y")
    decided(database, "a3", "H1", "511502", "2026-02", "R2")
    decided(database, "a4", "H1", "511502", "2026-02", "R3")
    # Not counted: under appeal, decided reasonable, another county's institution.
    decided(database, "n1", "H1", "511502", "2026-02", "R9", status="appealed")
    decided(database, "n2", "H1", "511502", "2026-02", "R8", decision="reasonable")
    decided(database, "b1", "H2", "511503", "2026-01", "R1")
    return org


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, world: Org) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, clock=clock, database=database)) as test_client:
        yield test_client


def run(client: TestClient, who: str = "county", **body: object) -> dict[str, object]:
    response = client.post(
        f"{API}/runs", json={"year": 2026, "region_code": "511502", **body}, headers=login(client, who)
    )
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def proposals(client: TestClient, who: str = "county", **params: str) -> list[dict[str, object]]:
    response = client.get(f"{API}/proposals", params=params, headers=login(client, who))
    assert response.status_code == 200, response.text
    rows: list[dict[str, object]] = response.json()
    return rows


def by_row(rows: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        out.setdefault(str(r["row_id"]), []).append(r)
    return out


def test_run_proposes_with_counted_evidence_and_is_idempotent(client: TestClient) -> None:
    first = run(client)
    rows = by_row(proposals(client))
    # art17_each: Jan (1 time), Feb (2 times); art17_year: 3 times; art19_each: Jan, Feb.
    # No art18: 3 times over 2 cycles, 3 < 5 in the year.
    assert sorted(rows) == ["art17_each", "art17_year", "art19_each"]
    assert len(first["created"]) == 5  # type: ignore[arg-type]
    (year,) = rows["art17_year"]
    assert (year["subject_id"], year["times"], year["threshold"], year["period"]) == ("H1/D1", 3, 3, "2026")
    evidence = year["evidence"]
    assert isinstance(evidence, list)
    assert [(t["cycle"], t["item"], t["refs"]) for t in evidence] == [
        ("2026-01", "R1", ["a1", "a2"]),
        ("2026-02", "R2", ["a3"]),
        ("2026-02", "R3", ["a4"]),
    ]
    assert evidence[0]["self_reported"] is False  # a1 was not self-reported
    again = run(client)
    assert (again["created"], again["updated"], again["unchanged"]) == ([], [], 5)


def test_jurisdiction_and_roles(client: TestClient) -> None:
    run(client)
    pid = proposals(client)[0]["id"]
    assert client.get(f"{API}/proposals/{pid}", headers=login(client, "hospital1")).status_code == 200
    for outsider in ("hospital2", "insurance"):
        response = client.get(f"{API}/proposals/{pid}", headers=login(client, outsider))
        assert response.status_code in (403, 404)
    response = client.get(f"{API}/proposals/{pid}", headers=login(client, "hospital2"))
    assert response.status_code == 404
    assert_bilingual(response.json())
    assert proposals(client, "hospital2") == []
    assert client.get(f"{API}/proposals", headers=login(client, "other_city")).status_code == 403
    # A county office cannot run the neighbouring county, nor confirm as an institution.
    bad = client.post(
        f"{API}/runs", json={"year": 2026, "region_code": "511503"}, headers=login(client, "county")
    )
    assert bad.status_code == 404
    assert_bilingual(bad.json())
    confirm = client.post(f"{API}/proposals/{pid}/confirm", json={}, headers=login(client, "hospital1"))
    assert confirm.status_code == 403
    # The city office sees both counties' proposals after its own run.
    run(client, "city", region_code="511500")
    assert {p["institution_id"] for p in proposals(client, "city")} == {"H1", "H2"}


def test_confirm_reject_mitigation_and_audit(client: TestClient, database: Database) -> None:
    run(client)
    rows = by_row(proposals(client))
    office = login(client, "county")
    each = rows["art17_each"][0]["id"]
    no_reason = client.post(
        f"{API}/proposals/{each}/confirm", json={"mitigation": "exempted"}, headers=office
    )
    assert no_reason.status_code == 400
    assert_bilingual(no_reason.json())
    ok = client.post(
        f"{API}/proposals/{each}/confirm",
        json={"mitigation": "exempted", "reason": "主动发现并纠正，未造成损害"},
        headers=office,
    )
    assert ok.status_code == 200
    assert ok.json()["final_action"].startswith("免予责任追究")
    twice = client.post(f"{API}/proposals/{each}/confirm", json={}, headers=office)
    assert twice.status_code == 409
    year = rows["art17_year"][0]["id"]
    assert (
        client.post(f"{API}/proposals/{year}/reject", json={"reason": ""}, headers=office).status_code == 422
    )
    rejected = client.post(f"{API}/proposals/{year}/reject", json={"reason": "重复"}, headers=office)
    assert rejected.json()["status"] == "rejected"
    bad = client.post(f"{API}/proposals/{year}/confirm", json={"mitigation": "maybe"}, headers=office)
    assert bad.status_code == 422
    with database.sessions() as s:
        names = set(
            s.scalars(select(AuditEvent.event).where(AuditEvent.subject_type == "accountability_proposal"))
        )
    assert {"accountability.proposed", "accountability.confirmed", "accountability.rejected"} <= names


def test_aggravated_art19_and_a_recorded_interview_make_art25(client: TestClient) -> None:
    run(client)
    office = login(client, "county")
    jan = next(p for p in proposals(client, article="19") if p["period"] == "2026-01")
    response = client.post(
        f"{API}/proposals/{jan['id']}/confirm",
        json={"mitigation": "aggravated", "reason": "造成不良影响"},
        headers=office,
    )
    assert response.json()["final_action"].startswith("责令限期改正；有第十二条从重情节")
    run(client)
    assert proposals(client, article="25") == []  # one interview so far
    fact = client.post(
        f"{API}/facts",
        json={
            "kind": "interview",
            "institution_id": "H1",
            "occurred_on": "2026-03-10",
            "description": "约谈院长",
        },
        headers=office,
    )
    assert fact.status_code == 201
    outside = client.post(
        f"{API}/facts",
        json={"kind": "interview", "institution_id": "H2", "occurred_on": "2026-03-10", "description": "x"},
        headers=office,
    )
    assert outside.status_code == 404
    run(client)
    (twice,) = proposals(client, article="25")
    assert (twice["row_id"], twice["times"]) == ("art25_twice", 2)  # aggravated art. 19 + the recorded one


def test_overturned_decision_withdraws_the_open_proposal(client: TestClient, database: Database) -> None:
    run(client)
    with database.transaction() as s:
        s.execute(update(CaseDecision).where(CaseDecision.clue_id == "a4").values(decision="reasonable"))
    result = run(client)
    rows = {p["row_id"]: p for p in proposals(client, status="withdrawn")}
    assert list(rows) == ["art17_year"]  # 2 times left
    assert result["withdrawn"] == [rows["art17_year"]["id"]]
    # A month-limited run never withdraws.
    assert run(client, until="2026-01")["withdrawn"] == []


def test_bad_input_is_a_bilingual_4xx(client: TestClient) -> None:
    office = login(client, "county")
    assert (
        client.post(
            f"{API}/runs", content=b"{", headers={**office, "content-type": "application/json"}
        ).status_code
        == 422
    )
    wrong = client.post(
        f"{API}/runs", json={"year": 2026, "region_code": "511502", "until": "2025-12"}, headers=office
    )
    assert wrong.status_code == 400
    assert_bilingual(wrong.json())
    assert client.get(f"{API}/proposals/999", headers=office).status_code == 404
    ladder = client.get(f"{API}/ladder", headers=office).json()
    assert len(ladder) == 18


def test_clue_rows_unchanged_by_the_ladder(client: TestClient, database: Database) -> None:
    run(client)
    with database.sessions() as s:
        assert s.get(Clue, "a1") is not None


def test_a_doctor_in_three_departments_is_one_subject(client: TestClient, database: Database) -> None:
    # Art. 17 counts the doctor's times whatever the department: one proposal per cycle, not
    # three clashing ones (this run used to fail with a UNIQUE violation, answered as a 500).
    for n, (rule, dept) in enumerate([("R1", "内科"), ("R2", "外科"), ("R3", "儿科")]):
        decided(database, f"m{n}", "H1", "511502", "2026-03", rule, doctor="D7", dept=dept)
    run(client)
    rows = [r for r in proposals(client) if r["subject_id"] == "H1/D7"]
    got = sorted((r["row_id"], r["period"], r["times"], r["department"]) for r in rows)
    assert got == [
        ("art17_each", "2026-03", 3, "儿科、内科、外科"),
        ("art17_year", "2026", 3, "儿科、内科、外科"),
    ]


def test_a_decided_proposal_says_what_became_of_it_in_chinese(client: TestClient) -> None:
    run(client)
    rows = by_row(proposals(client))
    office = login(client, "county")
    each, year = rows["art17_each"][0]["id"], rows["art17_year"][0]["id"]
    assert client.post(f"{API}/proposals/{each}/confirm", json={}, headers=office).status_code == 200
    assert (
        client.post(f"{API}/proposals/{year}/reject", json={"reason": "重复"}, headers=office).status_code
        == 200
    )
    for pid, zh, en in ((each, "已确认", "confirmed"), (year, "已驳回", "rejected")):
        again = client.post(f"{API}/proposals/{pid}/confirm", json={}, headers=office)
        assert again.status_code == 409
        assert again.json()["detail"]["message_zh"] == f"追责建议 {pid} {zh}，不能再处理"
        assert again.json()["detail"]["message_en"] == f"proposal {pid} is already {en}"
