"""Audit events of inspections (双随机一公开): the draw, findings, conflicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanjianguan.audit.events import Event


@dataclass(frozen=True, kw_only=True)
class InspectionPlanDrawn(Event):
    """检查计划抽取: every input of the draw (seed, weights, pool, exclusions) and its result."""

    name = "inspection.plan_drawn"
    subject_type = "inspection_plan"
    year: int
    region_code: str
    seed: str
    extra_visits: int
    problem_weight: int
    problem_cap: int
    inspectors_per_visit: int
    weights: dict[str, Any]
    pool: list[int]
    visits: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class InspectionFindingsRecorded(Event):
    """检查结果记录: one visit's findings, item by item."""

    name = "inspection.findings_recorded"
    subject_type = "inspection_visit"
    institution_id: str
    findings: list[dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class InspectorConflictDeclared(Event):
    """检查人员回避申报."""

    name = "inspection.conflict_declared"
    subject_type = "user"
    institution_id: str
