"""线索详情 · 期限与办理记录: the clue's open deadlines and its case file and history, in words.

The content is `cases.views.case_file` and `cases.views.history` for the signed-in user
(the very calls of `GET /api/v1/clues/{id}/case` and `/history`, so the page shows what
the API shows that user); this module only puts Chinese words on their values. Working
days left (剩余工作日) are counted on the workflow store's official calendar
(`calendar.table.calendar_for`), the calendar the deadlines were computed with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sanjianguan.calendar.table import calendar_for
from sanjianguan.cases.states import STATUS_ZH, ClueStatus
from sanjianguan.cases.transitions import ACTION_ZH, DEADLINES, CaseAction
from sanjianguan.workflow_db.models.outcomes import (
    DECISION_BASIS_ZH,
    DECISION_ZH,
    REVIEW_RESULT_ZH,
    SELF_CHECK_OUTCOME_ZH,
    VERIFICATION_CONCLUSION_ZH,
    Decision,
    DecisionBasis,
    ReviewResult,
    SelfCheckOutcome,
    VerificationConclusion,
)

STEP_ZH: dict[str, str] = {}
for _spec in DEADLINES.values():
    STEP_ZH.setdefault(_spec.step, _spec.zh)
NOTICE_ZH = {"decision": "不合理问题告知书", "responsibility": "责任追究通知书"}
EVENT_ZH = {
    "clue.generated": "生成线索",
    "clue.status_changed": "状态变更",
    "case.pushed": "推送",
    "case.sample_drawn": "抽查",
    "case.reminded": "催办",
    "case.self_checked": "自查反馈",
    "case.defaulted": "逾期判定不合理",
    "case.evidence_requested": "责令提供材料",
    "case.evidence_supplied": "提供材料",
    "case.verified": "调查核实",
    "case.adjudication_opened": "受理裁定",
    "case.panel_drawn": "抽选专家",
    "case.vote_cast": "专家表决",
    "case.ruled": "形成裁定意见",
    "case.decided": "认定",
    "case.notified": "告知",
    "case.appealed": "申诉",
    "case.reviewed": "复核",
    "case.responsibility_notice": "下达责任追究通知",
    "case.rectification_reported": "报送整改",
    "case.closed": "办结",
    "case.deadline_overdue": "期限逾期",
}


@dataclass(frozen=True)
class DeadlineRow:
    """An open deadline as the page shows it."""

    step: str
    label: str
    started_on: date | None
    due_on: date
    working_days_left: int  # working days after today up to the due date (0: due today or past)
    overdue: bool  # past the due date (a holiday after it may leave 0 working days overdue)
    overdue_working_days: int  # working days past the due date (0: not overdue, or only holidays since)
    calendar_days: bool  # counted in calendar days (自然日), not working days
    hard: bool
    provisional: bool


def open_deadlines(session: Session, deadlines: list[dict[str, Any]], today: date) -> list[DeadlineRow]:
    """The case file's open deadlines with working days left (or overdue) as of `today`."""
    calendar = calendar_for(session)
    rows = []
    for d in deadlines:
        if d["closed_at"] is not None:
            continue
        due: date = d["due_on"]
        spec = next((s for s in DEADLINES.values() if s.step == d["step"]), None)
        rows.append(
            DeadlineRow(
                step=d["step"],
                label=STEP_ZH.get(d["step"], d["step"]),
                started_on=d["started_on"],
                due_on=due,
                working_days_left=calendar.working_days_between(today, due),
                overdue=due < today,
                overdue_working_days=calendar.working_days_between(due, today),
                calendar_days=spec is not None and not spec.working,
                hard=d["hard"],
                provisional=d["provisional"],
            )
        )
    return rows


def _zh(table: dict[Any, str], enum: type[Any], value: Any) -> str | None:
    if value is None:
        return None
    try:
        return table[enum(value)]
    except (ValueError, KeyError):
        return str(value)


def case_labels(case: dict[str, Any]) -> dict[str, Any]:
    """Chinese words for the case file's coded values (outcomes, decisions, steps of files)."""
    self_check, verification = case.get("self_check"), case.get("verification")
    decision, appeal, adjudication = case.get("decision"), case.get("appeal"), case.get("adjudication")
    return {
        "self_check": _zh(SELF_CHECK_OUTCOME_ZH, SelfCheckOutcome, self_check and self_check["outcome"]),
        "verification": _zh(
            VERIFICATION_CONCLUSION_ZH, VerificationConclusion, verification and verification["conclusion"]
        ),
        "decision": _zh(DECISION_ZH, Decision, decision and decision["decision"]),
        "basis": _zh(DECISION_BASIS_ZH, DecisionBasis, decision and decision["basis"]),
        "ruling": _zh(DECISION_ZH, Decision, adjudication and adjudication["ruling"]),
        "review": _zh(REVIEW_RESULT_ZH, ReviewResult, appeal and appeal["result"]),
        "vote": lambda value: _zh(DECISION_ZH, Decision, value),
        "step": lambda value: _zh(ACTION_ZH, CaseAction, value),
        "notice": lambda value: NOTICE_ZH.get(value, value),
    }


@dataclass(frozen=True)
class HistoryRow:
    """One event of the clue's history (办理记录)."""

    seq: int
    occurred_at: Any
    actor: str | None
    label: str
    before: str | None
    after: str | None
    reason: str | None


def _status(state: Any) -> str | None:
    """The clue status an event's before/after names (`{"status": ...}`), in Chinese."""
    value = state.get("status") if isinstance(state, dict) else None
    return _zh(STATUS_ZH, ClueStatus, value)


def history_rows(events: list[dict[str, Any]]) -> list[HistoryRow]:
    """The history's events with their names and statuses in Chinese."""
    return [
        HistoryRow(
            seq=e["seq"],
            occurred_at=e["occurred_at"],
            actor=e["actor"],
            label=EVENT_ZH.get(e["event"], e["event"]),
            before=_status(e["before"]),
            after=_status(e["after"]),
            reason=e["reason"],
        )
        for e in events
    ]
