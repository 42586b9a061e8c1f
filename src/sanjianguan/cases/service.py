"""线索办理: one function per action of the loop, each a complete transaction step.

Every function: jurisdiction (404) → permission (403) → the transition table row, its
deadline and guard (409) → input checks (400) → the change → one typed audit event,
in the caller's session; the caller commits (the web request, the CLI command). Times
are aware UTC (`now`); deadlines are Chinese calendar dates derived from `now`.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import visible_clues, within_region
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.regions import RegionCode
from sanjianguan.audit import events as ev
from sanjianguan.audit.log import SYSTEM, record
from sanjianguan.cases import panel, sampling
from sanjianguan.cases.evidence import EvidenceStore, Upload, check
from sanjianguan.cases.states import (
    ClueStatus,
    Decision,
    DecisionBasis,
    ReviewResult,
    SelfCheckOutcome,
    VerificationConclusion,
    expected_decision,
)
from sanjianguan.cases.steps import Step, apply, begin, begin_on, finish, open_deadline, record_step
from sanjianguan.cases.transitions import CaseAction
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError
from sanjianguan.workflow_db.models import (
    Adjudication,
    Appeal,
    CaseDecision,
    Clue,
    EvidenceFile,
    ExpertAssignment,
    ExpertConflict,
    ExpertProfile,
    Institution,
    Notice,
    PushBatch,
    Rectification,
    Role,
    SamplingDraw,
    SamplingMember,
    SelfCheck,
    User,
    Verification,
    Vote,
)

A = CaseAction
MAX_TEXT = 20_000
DEFAULT_RATE = Decimal("0.2")
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


# --- input helpers -----------------------------------------------------------------


def _text(value: str | None, field_zh: str, field_en: str, *, required: bool = True) -> str:
    """A stripped text; the field is named in both languages when it is missing or too long."""
    text = (value or "").strip()
    if required and not text:
        raise InvalidInputError(f"{field_zh}不能为空", f"{field_en} is required", code="text_required")
    if len(text) > MAX_TEXT:
        raise InvalidInputError(f"{field_zh}过长", f"{field_en} is too long", code="text_too_long")
    return text


def _period(period: str) -> str:
    if not PERIOD.match(period):
        raise InvalidInputError(
            f"期间格式应为 YYYY-MM：{period!r}", f"period must be YYYY-MM: {period!r}", code="invalid_period"
        )
    return period


def _region_in_jurisdiction(user: User, region_code: str) -> RegionCode:
    region = RegionCode.parse(region_code)
    if not user.region_code or not RegionCode.parse(user.region_code).contains(region):
        raise NotFoundError(
            f"行政区划不在管辖范围内：{region_code}",
            f"region outside your jurisdiction: {region_code}",
            code="region_not_found",
        )
    return region


def _store_files(step: Step, files: Sequence[Upload], store: EvidenceStore, *, required: bool) -> list[int]:
    """Check every file first (nothing is written if one fails), then store and attach them."""
    if required and not files:
        raise InvalidInputError("请上传证明材料", "evidence files are required", code="files_required")
    store.check_count(len(files))
    checked = [check(upload, max_bytes=store.max_bytes) for upload in files]
    rows = []
    for item in checked:
        store.save(item)
        row = EvidenceFile(
            clue_id=step.clue.id,
            step=step.row.action.value,
            sha256=item.sha256,
            original_name=item.name,
            content_type=item.content_type,
            size=item.size,
            uploaded_at=step.now,
            uploaded_by=step.actor_id,
        )
        step.session.add(row)
        rows.append(row)
    step.session.flush()
    return [row.id for row in rows]


# --- 1-2 push ----------------------------------------------------------------------


@dataclass(frozen=True)
class PushResult:
    """One push: its batch id, the clues pushed and the self-check due date of each."""

    batch_id: int
    period: str
    region_code: str
    clue_ids: list[str]
    provisional: list[str] = field(default_factory=list)  # clues whose self-check deadline is 暂定


def push_period(
    session: Session, user: User | None, period: str, region_code: str, *, now: datetime
) -> PushResult:
    """推送: every generated clue of `period` inside `region_code`, as one audited action.

    `user` None: the scheduled push (`sjg cases push`), acting for the whole store.
    """
    if user is not None:
        require(user, Action.CLUE_PUSH)
        region = _region_in_jurisdiction(user, _text(region_code, "行政区划", "region code"))
        base = visible_clues(user)
    else:
        region, base = RegionCode.parse(region_code), select(Clue)
    query = (
        base.where(
            Clue.period == _period(period),
            Clue.status == ClueStatus.GENERATED,
            within_region(Clue.region_code, region.code),
        )
        .order_by(Clue.id)
        .with_for_update()
    )
    clues = list(session.execute(query).scalars())
    if not clues:
        raise ConflictError(
            f"{period} 在 {region.code} 没有待推送的线索",
            f"no generated clues to push for {period} in {region.code}",
            code="nothing_to_push",
        )
    due: dict[str, str] = {}
    provisional: list[str] = []
    for clue in clues:
        step = begin_on(session, user, clue, A.PUSH, now)
        finish(step, None)
        deadline = open_deadline(session, clue.id, "self_check")
        due[clue.id] = deadline.due_on.isoformat() if deadline else ""
        if deadline is not None and deadline.provisional:
            provisional.append(clue.id)
    event = ev.CluesPushed(
        subject_id=f"{period}/{region.code}",
        before={"status": ClueStatus.GENERATED.value},
        after={"status": ClueStatus.PUSHED.value},
        period=period,
        region_code=region.code,
        clue_ids=[c.id for c in clues],
        self_check_due=due,
        provisional=provisional,
    )
    row = record(session, event, actor=user or SYSTEM, now=now)
    batch = PushBatch(
        period=period,
        region_code=region.code,
        pushed_at=now,
        pushed_by=user.id if user else None,
        clue_count=len(clues),
        audit_seq=row.seq,
    )
    session.add(batch)
    session.flush()
    return PushResult(batch.id, period, region.code, [c.id for c in clues], provisional)


# --- 3 self-check, reminders, evidence ----------------------------------------------


def remind(
    session: Session, user: User | None, clue_id: str, *, now: datetime, reason: str | None = None
) -> str:
    """催办: a second (last) self-check deadline; returns it (ISO date). `user` None: the system."""
    step = begin(session, user, clue_id, A.REMIND, now)
    after = apply(step)  # the reminder extends the deadline: record the extended date
    second_due = _due(session, clue_id, "self_check")
    record_step(step, ev.ReminderSent, after, reason=reason, second_due=second_due)
    return second_due


def _due(session: Session, clue_id: str, step: str) -> str:
    found = open_deadline(session, clue_id, step)
    return found.due_on.isoformat() if found else ""


def self_check(
    session: Session,
    user: User,
    clue_id: str,
    *,
    outcome: SelfCheckOutcome,
    explanation: str,
    handling: str = "",
    files: Sequence[Upload] = (),
    store: EvidenceStore,
    now: datetime,
) -> SelfCheck:
    """自查反馈 (art. 28): confirmed needs the in-hospital handling; disputed needs evidence."""
    step = begin(session, user, clue_id, A.SELF_CHECK, now)
    text = _text(explanation, "自查说明", "self-check explanation")
    handled = _text(
        handling,
        "院内处理及整改情况",
        "in-hospital handling and rectification",
        required=outcome is SelfCheckOutcome.CONFIRMED,
    )
    file_ids = _store_files(step, files, store, required=outcome is SelfCheckOutcome.DISPUTED)
    row = SelfCheck(
        clue_id=clue_id,
        outcome=outcome.value,
        explanation=text,
        handling=handled,
        submitted_at=now,
        submitted_by=user.id,
    )
    session.add(row)
    finish(step, ev.SelfCheckSubmitted, after={"outcome": outcome.value}, file_ids=file_ids)
    return row


def request_evidence(session: Session, user: User, clue_id: str, *, text: str, now: datetime) -> str:
    """责令限期提供证明材料 (art. 31); returns the due date."""
    step = begin(session, user, clue_id, A.REQUEST_EVIDENCE, now)
    note = _text(text, "所需材料说明", "description of the evidence required")
    finish(step, None)
    deadline = open_deadline(session, clue_id, "evidence")
    assert deadline is not None  # the row opens it
    deadline.note = note
    record(
        session,
        ev.EvidenceRequested(
            subject_id=clue_id,
            before=step.before,
            after={"status": step.clue.status, "evidence_due": deadline.due_on.isoformat()},
            action=A.REQUEST_EVIDENCE.value,
            due_on=deadline.due_on.isoformat(),
        ),
        actor=user,
        reason=note,
        now=now,
    )
    return deadline.due_on.isoformat()


def supply_evidence(
    session: Session,
    user: User,
    clue_id: str,
    *,
    note: str = "",
    files: Sequence[Upload],
    store: EvidenceStore,
    now: datetime,
) -> list[int]:
    """提供证明材料 within the requested deadline."""
    step = begin(session, user, clue_id, A.SUPPLY_EVIDENCE, now)
    text = _text(note, "说明", "note", required=False)
    file_ids = _store_files(step, files, store, required=True)
    finish(step, ev.EvidenceSupplied, reason=text or None, file_ids=file_ids)
    return file_ids


def default_unreasonable(session: Session, clue_id: str, *, now: datetime) -> None:
    """逾期判定不合理 (art. 31), a system action: no answer after the reminder, or no evidence."""
    step = begin(session, None, clue_id, A.DEFAULT_UNREASONABLE, now)
    missed = "self_check" if step.clue.status == ClueStatus.PUSHED else "evidence"
    deadline = open_deadline(session, clue_id, missed)
    assert deadline is not None  # the guard checked it
    deadline.closed_at, deadline.outcome = now, "missed"
    decision = _set_decision(step, Decision.UNREASONABLE, DecisionBasis.ARTICLE_31, "第三十一条")
    finish(
        step,
        ev.DefaultedUnreasonable,
        reason="第三十一条：逾期未反馈或未提供证明材料",
        after={"decision": decision.decision},
        missed_step=missed,
        due_on=deadline.due_on.isoformat(),
    )


# --- 4 sampling ----------------------------------------------------------------------


@dataclass(frozen=True)
class SampleResult:
    draw_id: int
    seed: str
    population: list[str]
    drawn: list[str]
    selected: list[str]


def sample(
    session: Session,
    user: User,
    period: str,
    region_code: str,
    *,
    rate: Decimal = DEFAULT_RATE,
    seed: str | None = None,
    include: Sequence[str] = (),
    now: datetime,
) -> SampleResult:
    """抽查: a seeded, stratified draw of self-checked clues not yet in a draw, plus selected disputes."""
    require(user, Action.CLUE_SAMPLE)
    region = _region_in_jurisdiction(user, region_code)
    if not Decimal(0) < rate <= Decimal(1):
        raise InvalidInputError("抽查比例应在 0 到 1 之间", "rate must be in (0, 1]", code="invalid_rate")
    seed = seed or secrets.token_hex(8)
    clues = _sampling_population(session, user, _period(period), region.code)
    if not clues:
        raise ConflictError(
            f"{period} 在 {region.code} 没有待抽查的已自查线索",
            f"no self-checked clues to sample for {period} in {region.code}",
            code="nothing_to_sample",
        )
    by_id = {c.id: c for c in clues}
    selected = _selected_disputes(session, include, by_id)
    candidates = [sampling.Candidate(c.id, c.institution_id, c.rule_id) for c in clues]
    randomly = sampling.draw(candidates, rate, seed)
    drawn = sorted(randomly | set(selected))
    for clue_id in drawn:
        finish(begin_on(session, user, by_id[clue_id], A.SAMPLE, now), None)
    groups = sampling.strata(candidates)
    row = record(
        session,
        ev.SampleDrawn(
            subject_id=f"{period}/{region.code}",
            before={"status": ClueStatus.SELF_CHECKED.value},
            after={"status": ClueStatus.SAMPLED.value},
            period=period,
            region_code=region.code,
            rate=str(rate),
            seed=seed,
            population=sorted(by_id),
            population_sha256=sampling.population_hash(by_id),
            strata=groups,
            drawn=drawn,
            selected=sorted(selected),
        ),
        actor=user,
        now=now,
    )
    draw = SamplingDraw(
        period=period,
        region_code=region.code,
        rate=str(rate),
        seed=seed,
        population_count=len(by_id),
        population_sha256=sampling.population_hash(by_id),
        drawn_count=len(drawn),
        drawn_at=now,
        drawn_by=user.id,
        audit_seq=row.seq,
    )
    session.add(draw)
    session.flush()
    stratum_of = {c.clue_id: c.stratum for c in candidates}
    for clue_id in sorted(by_id):
        reason = "selected" if clue_id in selected else "random" if clue_id in randomly else "not_drawn"
        session.add(
            SamplingMember(
                clue_id=clue_id,
                draw_id=draw.id,
                stratum=stratum_of[clue_id],
                drawn=clue_id in drawn,
                reason=reason,
            )
        )
    session.flush()
    return SampleResult(draw.id, seed, sorted(by_id), drawn, sorted(selected))


def _sampling_population(session: Session, user: User, period: str, region: str) -> list[Clue]:
    already = select(SamplingMember.clue_id)
    query = (
        visible_clues(user)
        .where(
            Clue.period == period,
            Clue.status == ClueStatus.SELF_CHECKED,
            within_region(Clue.region_code, region),
            Clue.id.not_in(already),
        )
        .order_by(Clue.id)
        .with_for_update()
    )
    return list(session.execute(query).scalars())


def _selected_disputes(session: Session, include: Sequence[str], population: dict[str, Clue]) -> set[str]:
    chosen = set(include)
    for clue_id in sorted(chosen):
        found = session.get(SelfCheck, clue_id) if clue_id in population else None
        if found is None or found.outcome != SelfCheckOutcome.DISPUTED:
            raise InvalidInputError(
                f"选定核实的线索须为本次抽查范围内自查“不属实”的线索：{clue_id}",
                f"a selected clue must be a disputed self-check of this draw's population: {clue_id}",
                code="not_a_disputed_clue",
            )
    return chosen


# --- 5 verification ------------------------------------------------------------------


def verify(
    session: Session,
    user: User,
    clue_id: str,
    *,
    conclusion: VerificationConclusion,
    record_text: str,
    files: Sequence[Upload] = (),
    store: EvidenceStore,
    now: datetime,
) -> Verification:
    """调查核实: agree or disagree with the self-check, with the on-site record."""
    step = begin(session, user, clue_id, A.VERIFY, now)
    text = _text(record_text, "核实记录", "verification record")
    file_ids = _store_files(step, files, store, required=False)
    row = Verification(
        clue_id=clue_id, conclusion=conclusion.value, record=text, verified_at=now, verified_by=user.id
    )
    session.add(row)
    finish(step, ev.ClueVerified, after={"conclusion": conclusion.value}, file_ids=file_ids)
    return row


# --- 6 adjudication -------------------------------------------------------------------


def open_adjudication(
    session: Session, user: User, clue_id: str, *, reason: str, now: datetime
) -> Adjudication:
    """受理裁定 (art. 27): disagreement between self-check and verification, or a complex case."""
    step = begin(session, user, clue_id, A.OPEN_ADJUDICATION, now)
    row = Adjudication(
        clue_id=clue_id,
        opened_at=now,
        opened_by=user.id,
        reason=_text(reason, "提请裁定理由", "reason for adjudication"),
    )
    session.add(row)
    finish(step, ev.AdjudicationOpened, reason=row.reason)
    return row


def draw_panel(
    session: Session,
    user: User,
    clue_id: str,
    *,
    specialty: str,
    size: int,
    seed: str | None = None,
    now: datetime,
) -> list[int]:
    """抽选专家: `size` (3 or 5) experts of `specialty`, at random, excluding conflicts."""
    step = begin(session, user, clue_id, A.DRAW_PANEL, now)
    if size not in panel.PANEL_SIZES:
        raise InvalidInputError(
            "专家组人数应为 3 或 5", "the panel has 3 or 5 experts", code="invalid_panel_size"
        )
    field = _text(specialty, "专业", "specialty")
    pool = panel.eligible_pool(session, step.clue, field)
    if len(pool) < size:
        raise ConflictError(
            f"符合条件的{field}专家只有 {len(pool)} 名，不足 {size} 名",
            f"only {len(pool)} eligible {field} experts, {size} needed",
            code="panel_pool_too_small",
        )
    seed = seed or secrets.token_hex(8)
    members = panel.draw_panel(pool, size, seed)
    adjudication = session.get(Adjudication, clue_id)
    assert adjudication is not None  # the guard checked it
    adjudication.specialty, adjudication.panel_size, adjudication.seed = field, size, seed
    adjudication.pool, adjudication.drawn_at = pool, now
    for expert_id in members:
        session.add(ExpertAssignment(clue_id=clue_id, expert_user_id=expert_id, assigned_at=now))
    finish(step, ev.PanelDrawn, specialty=field, panel_size=size, seed=seed, pool=pool, panel=members)
    return members


def vote(session: Session, user: User, clue_id: str, *, value: Decision, opinion: str, now: datetime) -> None:
    """专家表决: the value is kept from everyone until the ruling (the event says only that a vote came)."""
    step = begin(session, user, clue_id, A.VOTE, now)
    session.add(
        Vote(
            clue_id=clue_id,
            expert_user_id=user.id,
            vote=value.value,
            opinion=_text(opinion, "意见", "opinion"),
            cast_at=now,
        )
    )
    finish(step, ev.VoteCast)


def rule(session: Session, user: User, clue_id: str, *, text: str, now: datetime) -> Decision:
    """形成裁定意见: the majority of the panel's votes, with the ruling's reasoning."""
    step = begin(session, user, clue_id, A.RULE, now)
    reasoning = _text(text, "裁定意见", "ruling")
    votes = session.execute(select(Vote.vote).where(Vote.clue_id == clue_id)).scalars().all()
    tally = Counter(votes)
    ruling = Decision(tally.most_common(1)[0][0])  # odd panels: a strict majority always exists
    adjudication = session.get(Adjudication, clue_id)
    assert adjudication is not None
    adjudication.ruling, adjudication.ruling_text, adjudication.tally = ruling.value, reasoning, dict(tally)
    adjudication.ruled_at, adjudication.ruled_by = now, user.id
    finish(step, ev.RulingPublished, reason=reasoning, after={"ruling": ruling.value}, tally=dict(tally))
    return ruling


# --- 7 decision and notice ------------------------------------------------------------


def _set_decision(step: Step, value: Decision, basis: DecisionBasis, reason: str) -> CaseDecision:
    row = CaseDecision(
        clue_id=step.clue.id,
        decision=value.value,
        basis=basis.value,
        reason=reason,
        decided_at=step.now,
        decided_by=step.actor_id,
    )
    step.session.add(row)
    return row


def _derived_decision(session: Session, clue: Clue) -> tuple[Decision, DecisionBasis]:
    """What the case says: the ruling if there is one, else the (verified or accepted) self-check."""
    adjudication = session.get(Adjudication, clue.id)
    if clue.status == ClueStatus.ADJUDICATING and adjudication is not None and adjudication.ruling:
        return Decision(adjudication.ruling), DecisionBasis.RULING
    found = session.get(SelfCheck, clue.id)
    assert found is not None  # every state before `decided` except `pushed` has one
    basis = DecisionBasis.VERIFICATION if clue.status == ClueStatus.VERIFIED else DecisionBasis.SELF_CHECK
    return expected_decision(SelfCheckOutcome(found.outcome)), basis


def decide(session: Session, user: User, clue_id: str, *, reason: str = "", now: datetime) -> CaseDecision:
    """认定: adopts the ruling, the agreeing verification, or (not drawn) the self-check."""
    step = begin(session, user, clue_id, A.DECIDE, now)
    value, basis = _derived_decision(session, step.clue)
    decision = _set_decision(step, value, basis, _text(reason, "说明", "note", required=False))
    finish(
        step,
        ev.ClueDecided,
        reason=decision.reason or None,
        after={"decision": value.value},
        basis=basis.value,
    )
    return decision


def notify(session: Session, user: User, clue_id: str, *, text: str, now: datetime) -> Notice:
    """告知 (art. 29): the institution learns of the unreasonable decision; the appeal period starts."""
    step = begin(session, user, clue_id, A.NOTIFY, now)
    notice = Notice(
        clue_id=clue_id,
        kind="decision",
        text=_text(text, "告知内容", "notice text"),
        issued_at=now,
        issued_by=user.id,
    )
    session.add(notice)
    decision = session.get(CaseDecision, clue_id)
    assert decision is not None
    decision.notified_at = now
    finish(step, None)
    record(
        session,
        ev.DecisionNotified(
            subject_id=clue_id,
            before=step.before,
            after={"status": step.clue.status, "notified": True},
            action=A.NOTIFY.value,
            appeal_due=_due(session, clue_id, "appeal"),
        ),
        actor=user,
        now=now,
    )
    return notice


# --- 8 appeal and review --------------------------------------------------------------


def appeal(
    session: Session,
    user: User,
    clue_id: str,
    *,
    reason: str,
    now: datetime,
    files: Sequence[Upload] = (),
    store: EvidenceStore | None = None,
) -> Appeal:
    """申诉 within 7 working days of the notice, optionally with evidence files (like a self-check)."""
    step = begin(session, user, clue_id, A.APPEAL, now)
    text = _text(reason, "申诉理由", "appeal reason")
    if files and store is None:
        raise ValueError("evidence files need an evidence store")
    file_ids = _store_files(step, files, store, required=False) if store is not None else []
    row = Appeal(clue_id=clue_id, reason=text, filed_at=now, filed_by=user.id)
    session.add(row)
    finish(step, None)
    record(
        session,
        ev.AppealFiled(
            subject_id=clue_id,
            before=step.before,
            after={"status": step.clue.status},
            action=A.APPEAL.value,
            review_due=_due(session, clue_id, "review"),
            file_ids=file_ids,
        ),
        actor=user,
        reason=row.reason,
        now=now,
    )
    return row


def review(
    session: Session, user: User, clue_id: str, *, result: ReviewResult, text: str, now: datetime
) -> CaseDecision:
    """申诉复核 (30 days): upheld keeps the decision; overturned makes the clue reasonable."""
    step = begin(session, user, clue_id, A.REVIEW, now)
    row = session.get(Appeal, clue_id)
    decision = session.get(CaseDecision, clue_id)
    assert row is not None
    assert decision is not None
    row.result, row.review_text = result.value, _text(text, "复核意见", "review opinion")
    row.reviewed_at, row.reviewed_by = now, user.id
    before = {"decision": decision.decision}
    if result is ReviewResult.OVERTURNED:
        decision.decision, decision.basis = Decision.REASONABLE.value, DecisionBasis.REVIEW.value
        decision.reason, decision.decided_at, decision.decided_by = row.review_text, now, user.id
    finish(
        step,
        ev.AppealReviewed,
        reason=row.review_text,
        before=before,
        after={"decision": decision.decision, "review": result.value},
    )
    return decision


# --- 9-10 accountability and closing --------------------------------------------------


def issue_responsibility_notice(
    session: Session, user: User, clue_id: str, *, text: str, now: datetime
) -> Notice:
    """下达责任追究通知 (art. 30); the institution reports rectification within 30 days."""
    step = begin(session, user, clue_id, A.ISSUE_RESPONSIBILITY_NOTICE, now)
    notice = Notice(
        clue_id=clue_id,
        kind="responsibility",
        text=_text(text, "通知内容", "notice text"),
        issued_at=now,
        issued_by=user.id,
    )
    session.add(notice)
    finish(step, None)
    record(
        session,
        ev.ResponsibilityNoticeIssued(
            subject_id=clue_id,
            before=step.before,
            after={"status": step.clue.status},
            action=A.ISSUE_RESPONSIBILITY_NOTICE.value,
            rectification_due=_due(session, clue_id, "rectification"),
        ),
        actor=user,
        reason=notice.text,
        now=now,
    )
    return notice


def report_rectification(
    session: Session,
    user: User,
    clue_id: str,
    *,
    report: str,
    handling: str = "",
    files: Sequence[Upload] = (),
    store: EvidenceStore,
    now: datetime,
) -> Rectification:
    """报送整改落实和院内处理情况 (may be sent more than once; the first meets the deadline)."""
    step = begin(session, user, clue_id, A.REPORT_RECTIFICATION, now)
    row = Rectification(
        clue_id=clue_id,
        report=_text(report, "整改落实情况", "rectification report"),
        handling=_text(handling, "院内处理情况", "in-hospital handling", required=False),
        reported_at=now,
        reported_by=user.id,
    )
    file_ids = _store_files(step, files, store, required=False)
    session.add(row)
    finish(step, ev.RectificationReported, file_ids=file_ids)
    return row


def close(session: Session, user: User, clue_id: str, *, reason: str = "", now: datetime) -> None:
    """办结: a reasonable clue, or an accountability case whose rectification is accepted."""
    step = begin(session, user, clue_id, A.CLOSE, now)
    finish(step, ev.ClueClosed, reason=_text(reason, "说明", "note", required=False) or None)


# --- expert pool ----------------------------------------------------------------------


def set_expert_profile(
    session: Session,
    user: User,
    expert_user_id: int,
    *,
    specialties: Sequence[str],
    institution_id: str | None,
    now: datetime,
) -> ExpertProfile:
    """专家库登记: specialties and the affiliated institution of an expert in the user's region."""
    require(user, Action.EXPERT_MANAGE)
    expert = session.get(User, expert_user_id)
    inside = expert is not None and expert.region_code and user.region_code
    if (
        not inside
        or expert is None
        or expert.role is not Role.EXPERT
        or not RegionCode.parse(user.region_code or "").contains(RegionCode.parse(expert.region_code or ""))
    ):
        raise NotFoundError(
            f"专家不存在：{expert_user_id}", f"no such expert: {expert_user_id}", code="expert_not_found"
        )
    names = sorted({_text(s, "专业", "specialty") for s in specialties})
    if not names:
        raise InvalidInputError(
            "请填写至少一个专业", "at least one specialty is required", code="text_required"
        )
    if institution_id and session.get(Institution, institution_id) is None:
        raise InvalidInputError(
            f"未知机构：{institution_id}",
            f"unknown institution: {institution_id}",
            code="unknown_institution",
        )
    profile = session.get(ExpertProfile, expert_user_id)
    before = (
        None
        if profile is None
        else {"specialties": profile.specialties, "institution_id": profile.institution_id}
    )
    profile = profile or ExpertProfile(user_id=expert_user_id)
    profile.specialties, profile.institution_id, profile.updated_at = names, institution_id or None, now
    session.add(profile)
    session.flush()
    after = {"specialties": names, "institution_id": profile.institution_id}
    record(
        session,
        ev.ExpertProfileSet(subject_id=str(expert_user_id), before=before, after=after),
        actor=user,
        now=now,
    )
    return profile


def declare_conflict(
    session: Session,
    user: User,
    *,
    institution_id: str | None = None,
    clue_id: str | None = None,
    reason: str,
    now: datetime,
) -> ExpertConflict | None:
    """回避申报: the expert declares a conflict with an institution or a clue (by id).

    The answer does not say whether the institution or clue exists (an expert must not be
    able to probe clue ids): a declaration about an unknown one is audited with
    `recorded: false` and stores nothing (None); a known one is stored and returned.
    """
    require(user, Action.EXPERT_CONFLICT_DECLARE)
    if bool(institution_id) == bool(clue_id):
        raise InvalidInputError(
            "请指定机构或线索（二选一）",
            "give an institution or a clue (one of them)",
            code="conflict_target",
        )
    text = _text(reason, "回避理由", "reason for recusal")
    known = session.get(Institution, institution_id) if institution_id else session.get(Clue, clue_id)
    row = None
    if known is not None:
        row = ExpertConflict(
            expert_user_id=user.id,
            institution_id=institution_id,
            clue_id=clue_id,
            reason=text,
            declared_at=now,
        )
        session.add(row)
        session.flush()
    record(
        session,
        ev.ExpertConflictDeclared(
            subject_id=str(user.id), institution_id=institution_id, clue_id=clue_id, recorded=row is not None
        ),
        actor=user,
        reason=text,
        now=now,
    )
    return row
