"""The ladder's service (责任追究): run it for a region and year, list, confirm, reject, record facts.

Every call checks the role (`require`, 403) and the jurisdiction (404 outside), and
audits every change in the caller's transaction. The engine proposes; a person decides:
confirm (with mitigation: lighter or exempted for a problem the institution found and
corrected itself, art. 12; aggravated for serious fault) or reject with a reason.
Decided proposals are never changed by a re-run; open ones are recounted or withdrawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_visible, visible, within_region
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.scope import require_region
from sanjianguan.accountability import events as ev
from sanjianguan.accountability.config import Ladder
from sanjianguan.accountability.proposals import (
    IndicatorFailure,
    InstitutionEvent,
    LadderInputs,
    Proposal,
    propose,
)
from sanjianguan.accountability.sources import (
    FACT_SOURCES,
    decided_clues,
    ladder_interviews,
    recorded_facts,
)
from sanjianguan.audit.log import SYSTEM, Actor, record
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.workflow_db.connection import serialize
from sanjianguan.workflow_db.filters import where_given
from sanjianguan.workflow_db.models import AccountabilityEvent, AccountabilityProposal, Institution, User

# Declared with the model (the database layer imports no stage), re-exported for the callers here.
from sanjianguan.workflow_db.models.accountability import MITIGATION_ZH as MITIGATION_ZH
from sanjianguan.workflow_db.models.accountability import Mitigation as Mitigation
from sanjianguan.workflow_db.models.accountability import ProposalStatus as ProposalStatus

FACT_KINDS = tuple(FACT_SOURCES)


@dataclass
class RunResult:
    """What a run did: proposal ids created, recounted, withdrawn; how many stood unchanged."""

    year: int
    region_code: str
    until: str | None
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)
    unchanged: int = 0


def _state(p: AccountabilityProposal) -> dict[str, Any]:
    return {
        "status": p.status,
        "times": p.times,
        "refs": sorted({ref for t in p.evidence for ref in t.get("refs", [])}),
        "mitigation": p.mitigation,
        "final_action": p.final_action,
    }


def _institutions(session: Session, region_code: str) -> dict[str, str | None]:
    rows = session.execute(
        select(Institution.id, Institution.region_code).where(
            within_region(Institution.region_code, region_code)
        )
    ).all()
    return {str(inst): region for inst, region in rows}


def run_ladder(
    session: Session,
    user: User | None,
    ladder: Ladder,
    year: int,
    region_code: str,
    *,
    until: str | None = None,
    failures: Sequence[IndicatorFailure] = (),
    duty_events: Sequence[InstitutionEvent] = (),
    now: datetime,
) -> RunResult:
    """Propose the ladder's actions for `region_code` and `year` (monthly cycles up to `until`).

    Decided clues, recorded facts and interviews are read here; failing indicators and
    art. 24 events come from the analytic store (see `sources`) and are filtered to the region.
    `user` None is the system (the command line's batch run).
    """
    actor: User | Actor = SYSTEM
    if user is not None:
        require(user, Action.ACCOUNTABILITY_RUN)
        require_region(user, region_code)
        actor = user
    if until is not None and not until.startswith(f"{year}-"):
        raise InvalidInputError(
            f"截止周期 {until} 不在 {year} 年内",
            f"until {until} is not a month of {year}",
            code="invalid_period",
        )
    serialize(session, "accountability-run")  # runs of overlapping regions: one at a time
    regions = _institutions(session, region_code)
    inputs = LadderInputs(
        clues=tuple(decided_clues(session, regions, year)),
        failures=tuple(f for f in failures if f.institution_id in regions),
        events=tuple(
            [e for e in duty_events if e.institution_id in regions]
            + recorded_facts(session, regions, year)
            + ladder_interviews(session, ladder, regions, year)
        ),
    )
    proposals = propose(ladder, inputs, year, until=until)
    result = RunResult(year=year, region_code=region_code, until=until)
    existing = {
        p.key: p
        for p in session.scalars(
            select(AccountabilityProposal).where(
                AccountabilityProposal.year == year,
                AccountabilityProposal.institution_id.in_(sorted(regions)),
            )
        )
    }
    found = set()
    for proposal in proposals:
        found.add(proposal.key)
        row = existing.get(proposal.key)
        if row is None:
            row = _insert(session, proposal, regions.get(proposal.institution_id), now)
            record(session, _event(ev.ProposalCreated, row, None), actor=actor, now=now)
            result.created.append(row.id)
        elif row.status == ProposalStatus.PROPOSED and row.evidence != proposal.evidence():
            before = _state(row)
            row.evidence, row.times = proposal.evidence(), len(proposal.times)
            row.department = proposal.department
            row.self_reported, row.updated_at = proposal.self_reported, now
            record(session, _event(ev.ProposalRecounted, row, before), actor=actor, now=now)
            result.updated.append(row.id)
        else:
            result.unchanged += 1
    if until is None:  # only a whole-year run can tell that a condition is no longer met
        for key, row in sorted(existing.items()):
            if key not in found and row.status == ProposalStatus.PROPOSED:
                before = _state(row)
                row.status, row.updated_at = ProposalStatus.WITHDRAWN, now
                reason = "重新计次后条件不再满足 / the condition is no longer met"
                record(
                    session, _event(ev.ProposalWithdrawn, row, before), actor=actor, reason=reason, now=now
                )
                result.withdrawn.append(row.id)
    session.flush()
    run = ev.LadderRun(
        subject_id=region_code,
        year=year,
        until=until,
        created=result.created,
        updated=result.updated,
        withdrawn=result.withdrawn,
        unchanged=result.unchanged,
    )
    record(session, run, actor=actor, now=now)
    return result


def _insert(session: Session, p: Proposal, region: str | None, now: datetime) -> AccountabilityProposal:
    row = AccountabilityProposal(
        key=p.key,
        row_id=p.row.id,
        article=p.row.article,
        subject_kind=p.subject_kind.value,
        subject_id=p.subject_id,
        institution_id=p.institution_id,
        region_code=region,
        department=p.department,
        doctor_id=p.doctor_id,
        year=p.year,
        window=p.row.window.value,
        period=p.period,
        threshold=p.row.count,
        times=len(p.times),
        action=p.row.action,
        evidence=p.evidence(),
        self_reported=p.self_reported,
        status=ProposalStatus.PROPOSED,
        mitigation=Mitigation.NONE,
        proposed_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _event(
    cls: type[ev.ProposalEvent], row: AccountabilityProposal, before: dict[str, Any] | None, **extra: Any
) -> ev.ProposalEvent:
    return cls(
        subject_id=str(row.id),
        before=before,
        after=_state(row),
        row_id=row.row_id,
        article=row.article,
        **extra,
    )


def list_proposals(
    session: Session,
    user: User,
    *,
    year: int | None = None,
    status: str | None = None,
    institution_id: str | None = None,
    article: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AccountabilityProposal]:
    """The proposals the caller may see, newest first, filtered."""
    require(user, Action.ACCOUNTABILITY_READ)
    query = where_given(
        visible(user, AccountabilityProposal),
        (AccountabilityProposal.year, year),
        (AccountabilityProposal.status, status),
        (AccountabilityProposal.institution_id, institution_id),
        (AccountabilityProposal.article, article),
    )
    query = query.order_by(AccountabilityProposal.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def get_proposal(session: Session, user: User, proposal_id: int) -> AccountabilityProposal:
    """One proposal the caller may see; NotFoundError otherwise (existence does not leak)."""
    require(user, Action.ACCOUNTABILITY_READ)
    return get_visible(session, user, AccountabilityProposal, proposal_id)


def _open(session: Session, user: User, proposal_id: int) -> AccountabilityProposal:
    require(user, Action.ACCOUNTABILITY_DECIDE)
    row = get_proposal(session, user, proposal_id)
    if row.status != ProposalStatus.PROPOSED:
        raise ConflictError(
            f"追责建议 {proposal_id} {ProposalStatus(row.status).label_zh}，不能再处理",
            f"proposal {proposal_id} is already {row.status}",
            code="proposal_decided",
        )
    return row


def _reason(reason: str, what_zh: str, what_en: str) -> str:
    text = reason.strip()
    if not text:
        raise InvalidInputError(f"{what_zh}须说明理由", f"{what_en} needs a reason", code="reason_required")
    return text


def final_action(ladder: Ladder, row: AccountabilityProposal, mitigation: Mitigation) -> str:
    """The action decided: the row's, lightened, waived, or the aggravated one (art. 12, 19)."""
    if mitigation is Mitigation.EXEMPTED:
        return "免予责任追究（第十二条）"
    if mitigation is Mitigation.LIGHTER:
        return f"{row.action}（从轻、减轻处理，第十二条）"
    if mitigation is Mitigation.AGGRAVATED:
        config = ladder.row(row.row_id)
        if config is not None and config.aggravated_action:
            return config.aggravated_action
        return f"{row.action}（从重处理，第十二条）"
    return row.action


def confirm(
    session: Session,
    user: User,
    ladder: Ladder,
    proposal_id: int,
    *,
    mitigation: Mitigation = Mitigation.NONE,
    reason: str = "",
    now: datetime,
) -> AccountabilityProposal:
    """确认: the action stands (mitigation other than none needs a reason)."""
    row = _open(session, user, proposal_id)
    if mitigation is not Mitigation.NONE:
        reason = _reason(reason, MITIGATION_ZH[mitigation], f"mitigation {mitigation.value}")
    before = _state(row)
    row.status, row.mitigation = ProposalStatus.CONFIRMED, mitigation
    row.final_action = final_action(ladder, row, mitigation)
    row.decision_reason, row.decided_at, row.decided_by, row.updated_at = (
        reason.strip() or None,
        now,
        user.id,
        now,
    )
    record(
        session,
        _event(ev.ProposalConfirmed, row, before, mitigation=mitigation.value),
        actor=user,
        reason=reason,
        now=now,
    )
    return row


def reject(
    session: Session, user: User, proposal_id: int, *, reason: str, now: datetime
) -> AccountabilityProposal:
    """驳回, with a reason."""
    row = _open(session, user, proposal_id)
    text = _reason(reason, "驳回", "rejecting")
    before = _state(row)
    row.status, row.decision_reason = ProposalStatus.REJECTED, text
    row.decided_at, row.decided_by, row.updated_at = now, user.id, now
    record(session, _event(ev.ProposalRejected, row, before), actor=user, reason=text, now=now)
    return row


def record_fact(
    session: Session,
    user: User,
    *,
    kind: str,
    institution_id: str,
    occurred_on: date,
    description: str,
    reference: str = "",
    now: datetime,
) -> AccountabilityEvent:
    """登记约谈 / 行政处罚 / 未落实追责 for an institution in the caller's jurisdiction."""
    require(user, Action.ACCOUNTABILITY_RECORD)
    if kind not in FACT_KINDS:
        raise InvalidInputError(
            f"未知事实类型：{kind}（应为 {'/'.join(FACT_KINDS)}）",
            f"unknown kind {kind!r} (one of {', '.join(FACT_KINDS)})",
            code="invalid_kind",
        )
    if occurred_on > china_date(now):
        raise InvalidInputError("日期不能晚于今天", "the date cannot be in the future", code="invalid_date")
    text = _reason(description, "登记", "recording a fact")
    inst = get_visible(session, user, Institution, institution_id)
    row = AccountabilityEvent(
        kind=kind,
        institution_id=inst.id,
        region_code=inst.region_code,
        occurred_on=occurred_on,
        description=text,
        reference=reference.strip(),
        recorded_at=now,
        recorded_by=user.id,
    )
    session.add(row)
    session.flush()
    event = ev.FactRecorded(
        subject_id=str(row.id),
        after={"description": text, "reference": row.reference},
        kind=kind,
        institution_id=inst.id,
        occurred_on=occurred_on.isoformat(),
    )
    record(session, event, actor=user, now=now)
    return row


def list_facts(session: Session, user: User, *, year: int | None = None) -> list[AccountabilityEvent]:
    """Recorded facts the caller may see."""
    require(user, Action.ACCOUNTABILITY_READ)
    query = visible(user, AccountabilityEvent)
    rows = list(session.scalars(query.order_by(AccountabilityEvent.occurred_on, AccountabilityEvent.id)))
    return [r for r in rows if year is None or r.occurred_on.year == year]
