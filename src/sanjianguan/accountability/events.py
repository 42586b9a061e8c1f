"""Audit events of the accountability ladder (subject: the proposal, or the region and year)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sanjianguan.audit.events import Event


@dataclass(frozen=True, kw_only=True)
class LadderRun(Event):
    """运行责任追究阶梯: a year (up to a cycle) of a region, with the counts of the result."""

    name = "accountability.ladder_run"
    subject_type = "region"
    year: int
    until: str | None
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True, kw_only=True)
class ProposalEvent(Event):
    """Base of the per-proposal events; before/after carry status, times and evidence refs."""

    subject_type = "accountability_proposal"
    row_id: str
    article: str


@dataclass(frozen=True, kw_only=True)
class ProposalCreated(ProposalEvent):
    """追责建议生成."""

    name = "accountability.proposed"


@dataclass(frozen=True, kw_only=True)
class ProposalRecounted(ProposalEvent):
    """追责建议重新计次 (an open proposal whose counted times changed)."""

    name = "accountability.recounted"


@dataclass(frozen=True, kw_only=True)
class ProposalWithdrawn(ProposalEvent):
    """追责建议撤回: the condition is no longer met (e.g. a decision overturned on appeal)."""

    name = "accountability.withdrawn"


@dataclass(frozen=True, kw_only=True)
class ProposalConfirmed(ProposalEvent):
    """追责建议确认, with the mitigation (art. 12) and the action decided."""

    name = "accountability.confirmed"
    mitigation: str


@dataclass(frozen=True, kw_only=True)
class ProposalRejected(ProposalEvent):
    """追责建议驳回."""

    name = "accountability.rejected"


@dataclass(frozen=True, kw_only=True)
class FactRecorded(Event):
    """登记追责事实: an interview, administrative penalty or accountability not carried out."""

    name = "accountability.fact_recorded"
    subject_type = "accountability_event"
    kind: str
    institution_id: str
    occurred_on: str
