"""Audit events of the scheduler's own acts (the system's, `audit.log.SYSTEM`).

The workflow acts of a job (a push, a reminder, a default, a flag) are audited by the
services they call; these record what happens in the analytic store on the schedule,
which the workflow chain would not otherwise see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanjianguan.audit.events import Event


@dataclass(frozen=True, kw_only=True)
class MonthAnalysed(Event):
    """月度分析（定时）: the rules and indicators of a month run, and its clues generated."""

    name = "scheduler.month_analysed"
    subject_type = "period"
    hits: int
    clues_created: int
    reason: str  # batches_in | analysis_day


@dataclass(frozen=True, kw_only=True)
class ReportingDutyRecorded(Event):
    """上报责任事件（第二十四条，定时）: a month's reporting-duty events recorded after the due day."""

    name = "scheduler.reporting_duty_recorded"
    subject_type = "period"
    events: int
    institutions: list[str] = field(default_factory=list)
