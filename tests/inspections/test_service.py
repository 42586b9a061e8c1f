"""双随机一公开 on the workflow store: plans, jurisdiction, conflicts, findings (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.inspections import service
from sanjianguan.inspections.service import Finding, PlanOptions
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, InspectionPlan, InspectionVisit
from tests.cases.harness import Harness, make_harness
from tests.inspections.world import add_institutions, add_investigators, decided_clue
from tests.workflow_db.fixtures import Clock

JOINT = PlanOptions(
    extra_visits=1, departments=("health", "insurance"), items=("医疗服务行为", "医保基金使用")
)


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    harness = make_harness(database, clock, tmp_path / "home")
    # city 511500: H1, H4 in county 511502; H2, H5 in county 511503 (H3 is in another city)
    add_institutions(harness, {"H4": "511502", "H5": "511503"})
    add_investigators(harness, {"inv_a": "511502", "inv_b": "511503", "inv_c": "511500", "inv_x": "510100"})
    with database.transaction() as session:
        # H1: 3 problems in 2025; neither the reasonable clue nor the 2023 one counts
        for n in range(3):
            decided_clue(session, f"p{n}", institution="H1", region="511502", period=f"2025-0{n + 1}")
        decided_clue(
            session, "r1", institution="H1", region="511502", period="2025-05", decision="reasonable"
        )
        decided_clue(session, "old", institution="H1", region="511502", period="2023-05")
    harness.run(
        "inv_a", service.declare_conflict, institution_id="H1", reason="配偶在该院工作", now=clock.now
    )
    return harness


def _audit_count(h: Harness) -> int:
    with h.database.sessions() as session:
        return int(session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def _visits(h: Harness, plan_id: int) -> list[dict[str, object]]:
    with h.database.sessions() as session:
        rows = session.execute(
            select(InspectionVisit).where(InspectionVisit.plan_id == plan_id).order_by(InspectionVisit.id)
        )
        return [
            {
                "institution_id": v.institution_id,
                "round": v.round,
                "month": v.month,
                "inspectors": service.inspectors(session, v.id),
            }
            for v in rows.scalars()
        ]


def test_plan_covers_every_institution_excludes_conflicts_and_reproduces(h: Harness) -> None:
    plan = h.run(
        "city",
        service.draw_plan,
        year=2026,
        region_code="511500",
        seed="2026-城区",
        options=JOINT,
        now=h.clock.now,
    )
    visits = _visits(h, plan.id)
    baseline = sorted(str(v["institution_id"]) for v in visits if v["round"] == "baseline")
    assert baseline == ["H1", "H2", "H4", "H5"]  # every institution of the city once, H3 (other city) not
    assert [v["round"] for v in visits].count("weighted") == 1
    with h.database.sessions() as session:
        stored = session.get(InspectionPlan, plan.id)
        assert stored is not None
        assert stored.weights["H1"]["problems"] == 3
        assert stored.weights["H1"]["weight"] == 7
        assert stored.weights["H2"]["weight"] == 1
        conflicted = h.org.users["inv_a"].id
        assert stored.weights["H1"]["excluded"] == [conflicted]
        pool = {h.org.users[n].id for n in ("investigator", "inv_a", "inv_b", "inv_c")}
        assert set(stored.inspector_pool) == pool  # inv_x works in another city
        assert service.reproduce(stored) == visits  # the logged inputs give the same draw
        event = session.execute(
            select(AuditEvent).where(AuditEvent.event == "inspection.plan_drawn")
        ).scalar_one()
        assert event.payload["seed"] == "2026-城区"
        assert event.payload["visits"] == visits
    for visit in visits:
        assert len(visit["inspectors"]) == 2  # type: ignore[arg-type]
        if visit["institution_id"] == "H1":
            assert conflicted not in visit["inspectors"]  # type: ignore[operator]


def test_conflicted_inspector_never_on_h1_over_many_seeds(h: Harness) -> None:
    conflicted = h.org.users["inv_a"].id
    for n, year in enumerate(range(2030, 2045)):
        plan = h.run(
            "city", service.draw_plan, year=year, region_code="511500", seed=f"s{n}", now=h.clock.now
        )
        for visit in _visits(h, plan.id):
            if visit["institution_id"] == "H1":
                assert conflicted not in visit["inspectors"]  # type: ignore[operator]


def test_refusals_change_nothing(h: Harness) -> None:
    before = _audit_count(h)
    with pytest.raises(NotFoundError):  # a county drawing for its neighbour
        h.run("county", service.draw_plan, year=2026, region_code="511503", now=h.clock.now)
    with pytest.raises(PermissionDeniedError):
        h.run("investigator", service.draw_plan, year=2026, region_code="511502", now=h.clock.now)
    with pytest.raises(InvalidInputError):  # 5 extra visits for 4 institutions
        h.run(
            "city",
            service.draw_plan,
            year=2026,
            region_code="511500",
            options=PlanOptions(extra_visits=5),
            now=h.clock.now,
        )
    with pytest.raises(ConflictError, match="not enough eligible inspectors"):
        h.run(
            "county",
            service.draw_plan,
            year=2026,
            region_code="511502",
            options=PlanOptions(inspectors_per_visit=3),
            now=h.clock.now,
        )
    assert _audit_count(h) == before
    # county 511502: investigator and inv_a, who declared a conflict with H1: one each
    h.run(
        "county",
        service.draw_plan,
        year=2026,
        region_code="511502",
        options=PlanOptions(inspectors_per_visit=1),
        now=h.clock.now,
    )
    with pytest.raises(ConflictError, match="already covers"):  # the city plan would visit H1 twice
        h.run("city", service.draw_plan, year=2026, region_code="511500", now=h.clock.now)


def test_findings_by_the_drawn_inspectors_and_jurisdiction(h: Harness) -> None:
    plan = h.run(
        "city", service.draw_plan, year=2026, region_code="511500", seed="f", options=JOINT, now=h.clock.now
    )
    with h.database.sessions() as session:
        rows = list(
            session.execute(select(InspectionVisit).where(InspectionVisit.plan_id == plan.id)).scalars()
        )
        h1 = next(v for v in rows if v.institution_id == "H1")
        h2 = next(v for v in rows if v.institution_id == "H2" and v.round == "baseline")
        h1_team = service.inspectors(session, h1.id)
    names = {u.id: n for n, u in h.org.users.items()}
    outsider = next(n for n in ("investigator", "inv_c") if h.org.users[n].id not in h1_team)
    ok = [Finding("医疗服务行为", "compliant"), Finding("医保基金使用", "problem", "串换项目 3 例")]
    with pytest.raises(PermissionDeniedError, match="inspectors drawn"):
        h.run(outsider, service.record_findings, h1.id, summary="x", findings=ok, now=h.clock.now)
    with pytest.raises(NotFoundError):  # the insurance user of 511503 does not see an H1 (511502) visit
        h.run("insurance", service.record_findings, h1.id, summary="x", findings=ok, now=h.clock.now)
    inspector = names[h1_team[0]]
    with pytest.raises(InvalidInputError):  # one item missing: a joint visit records all its items
        h.run(inspector, service.record_findings, h1.id, summary="x", findings=ok[:1], now=h.clock.now)
    done = h.run(
        inspector, service.record_findings, h1.id, summary="发现问题 1 项", findings=ok, now=h.clock.now
    )
    assert done.status == "done"
    assert done.findings is not None
    assert done.findings[1]["result"] == "problem"
    with pytest.raises(ConflictError):
        h.run(inspector, service.record_findings, h1.id, summary="again", findings=ok, now=h.clock.now)
    # insurance takes part in the joint visit of H2, in its region
    h.run(
        "insurance",
        service.record_findings,
        h2.id,
        summary="联合检查未发现问题",
        findings=[Finding(i, "compliant") for i in h2.items],
        now=h.clock.now,
    )
    # the institution sees its own visits only
    own = h.run("hospital1", service.list_visits)
    assert own
    assert {v.institution_id for v in own} == {"H1"}
    with pytest.raises(NotFoundError):
        h.run("hospital1", service.get_visit, h2.id)
    # a county office sees the city plan, and only its county's visits
    assert {v.institution_id for v in h.run("county", service.list_visits, plan_id=plan.id)} == {"H1", "H4"}
    assert [p.id for p in h.run("county", service.list_plans)] == [plan.id]
    with pytest.raises(NotFoundError):
        h.run("other_city", service.get_plan, plan.id)
