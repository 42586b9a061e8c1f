"""The plan and its audit event carry the same draw inputs, built once (DRAW_INPUTS)."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import select

from sanjianguan.inspections.events import InspectionPlanDrawn
from sanjianguan.inspections.options import PlanOptions
from sanjianguan.inspections.plans import DRAW_INPUTS, draw_plan, reproduce
from sanjianguan.workflow_db.models import AuditEvent, InspectionPlan
from tests.cases.harness import Harness
from tests.inspections.world import add_institutions, add_investigators


def test_draw_inputs_are_fields_of_the_event_and_columns_of_the_plan() -> None:
    assert set(DRAW_INPUTS) <= {f.name for f in fields(InspectionPlanDrawn)}
    assert set(DRAW_INPUTS) <= set(InspectionPlan.__table__.columns.keys())


def test_the_event_logs_the_plan_as_stored(h: Harness) -> None:
    add_institutions(h, {"H4": "511502", "H5": "511503"})
    add_investigators(h, {"inv_a": "511502", "inv_b": "511503", "inv_c": "511500"})
    options = PlanOptions(extra_visits=2, problem_weight=3, problem_cap=4, inspectors_per_visit=2)
    plan = h.run(
        "city", draw_plan, year=2027, region_code="511500", seed="同一", options=options, now=h.clock.now
    )
    with h.database.sessions() as session:
        stored = session.get(InspectionPlan, plan.id)
        assert stored is not None
        event = session.execute(
            select(AuditEvent).where(AuditEvent.event == "inspection.plan_drawn")
        ).scalar_one()
        assert stored.audit_seq == event.seq
        assert event.subject_id == "2027/511500"
        for name in DRAW_INPUTS:
            assert event.payload[name] == getattr(stored, name), name
        assert (stored.year, stored.seed, stored.extra_visits, stored.problem_cap) == (2027, "同一", 2, 4)
        assert event.payload["weights"] == stored.weights
        assert event.payload["pool"] == stored.inspector_pool
        assert event.payload["visits"] == reproduce(stored)
        assert len(event.payload["visits"]) == len(stored.weights) + 2
