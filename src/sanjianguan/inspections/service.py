"""双随机一公开: one entry point for the web routes and the CLI, gathered from its modules.

The routes and `sjg inspections draw` call `service.<action>(session, user, ...)`; this
façade keeps that while each concern lives in its own module. No logic here: read the
module for what an action does.

Every function: jurisdiction (404) → permission (403) → state (409) → input (400) →
the change → one typed audit event, in the caller's session (the caller commits).

- `inspections.options`: 检查计划参数 (extra visits, weights, items, departments)
- `inspections.pool`: 检查人员库 and 回避申报 (who may be drawn for an institution)
- `inspections.plans`: 抽取检查计划, its reproduction, and reading plans
- `inspections.visits`: 检查任务 and 记录检查结果
- `inspections.draw`: the seeded draw itself (pure)
"""

from __future__ import annotations

from sanjianguan.inspections.options import DEFAULT_ITEMS, DEPARTMENTS, PlanOptions
from sanjianguan.inspections.plans import draw_plan, get_plan, list_plans, problem_counts, reproduce
from sanjianguan.inspections.pool import declare_conflict
from sanjianguan.inspections.visits import (
    RESULTS,
    Finding,
    get_visit,
    inspectors,
    list_visits,
    read_visit,
    record_findings,
)

__all__ = [
    "DEFAULT_ITEMS",
    "DEPARTMENTS",
    "RESULTS",
    "Finding",
    "PlanOptions",
    "declare_conflict",
    "draw_plan",
    "get_plan",
    "get_visit",
    "inspectors",
    "list_plans",
    "list_visits",
    "problem_counts",
    "read_visit",
    "record_findings",
    "reproduce",
]
