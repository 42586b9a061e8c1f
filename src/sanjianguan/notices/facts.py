"""What a notice says, gathered from the case record: one reader per kind, with its state check.

Each reader reads its subject through the jurisdiction (`access.jurisdiction.get_visible`:
outside it, the subject does not exist: 404) and refuses a subject in a state where the
notice makes no sense (ConflictError, 409): a 告知书 needs a notified unreasonable decision,
a 责令限期改正通知书 a responsibility notice and its rectification deadline, a 调查核实报告 a
verification, a 裁定判决结果报告 a published ruling, a 责任追究通知书 a confirmed proposal, a
约谈记录 a recorded interview, a 记分通知书 an active point record.

Identities are shown as the API shows them: the clue's doctor and patient ids are the
pseudonymised codes the store keeps. The 裁定判决结果报告 names no expert (the panel is
anonymised): it reads the ruling's tally (votes counted), never the votes' authors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_clue, get_visible
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.notices.kinds import NoticeKind
from sanjianguan.workflow_db.models import (
    AccountabilityEvent,
    AccountabilityProposal,
    Adjudication,
    CaseDecision,
    Clue,
    Deadline,
    Institution,
    Notice,
    PointRecord,
    PointState,
    ProposalStatus,
    SelfCheck,
    User,
    Verification,
)
from sanjianguan.workflow_db.models.accountability import MITIGATION_ZH, Mitigation
from sanjianguan.workflow_db.models.outcomes import (
    DECISION_BASIS_ZH,
    DECISION_ZH,
    SELF_CHECK_OUTCOME_ZH,
    VERIFICATION_CONCLUSION_ZH,
    Decision,
    DecisionBasis,
    SelfCheckOutcome,
)

Row = tuple[str, str]


@dataclass(frozen=True)
class NoticeFacts:
    """The facts of one notice: recipient, the 基本情况 rows, the narrative, the deadline.

    `variant`: for a 记分通知书, `institution` (附件2) or `staff` (附件3); empty otherwise.
    `region_code`: the subject's region (the issuing office's number is the office's own).
    """

    kind: NoticeKind
    subject_id: str
    region_code: str | None
    recipient_id: str
    recipient_name: str
    rows: tuple[Row, ...]
    narrative: tuple[str, ...] = ()
    deadline: date | None = None
    variant: str = ""


def not_applicable(kind: NoticeKind, subject_id: str, why_zh: str, why_en: str) -> ConflictError:
    """The subject is not in a state where this notice makes sense (409)."""
    return ConflictError(
        f"{kind.label_zh}不能出具（{kind.spec.subject_zh} {subject_id}）：{why_zh}",
        f"no {kind.value} notice for {kind.spec.subject_en} {subject_id}: {why_en}",
        code="notice_not_applicable",
    )


def _institution_name(session: Session, institution_id: str) -> str:
    found = session.get(Institution, institution_id)
    return found.name if found is not None and found.name else institution_id


def _day(value: object) -> str:
    return f"{value:%Y年%m月%d日}" if isinstance(value, date) else "—"


def _clue_rows(clue: Clue) -> tuple[Row, ...]:
    amount = f"{clue.amount_involved:,.2f}元" if clue.amount_involved is not None else "—"
    return (
        ("线索编号", clue.id),
        ("规则/指标", clue.rule_id),
        ("监管周期", clue.period),
        ("科室", clue.department or "—"),
        ("医师（脱敏编号）", clue.doctor_id or "—"),
        ("患者（脱敏编号）", clue.patient_id or "—"),
        ("发生日期", _day(clue.event_date)),
        ("涉及金额", amount),
    )


def _clue_facts(
    session: Session,
    kind: NoticeKind,
    clue: Clue,
    rows: tuple[Row, ...],
    narrative: tuple[str, ...],
    deadline: date | None = None,
) -> NoticeFacts:
    """A clue's notice: sent to the clue's institution, the clue's facts first."""
    return NoticeFacts(
        kind=kind,
        subject_id=clue.id,
        region_code=clue.region_code,
        recipient_id=clue.institution_id,
        recipient_name=_institution_name(session, clue.institution_id),
        rows=_clue_rows(clue) + rows,
        narrative=tuple(t for t in narrative if t),
        deadline=deadline,
    )


def _deadline(session: Session, clue_id: str, step: str) -> Deadline | None:
    return session.scalar(select(Deadline).where(Deadline.clue_id == clue_id, Deadline.step == step))


def notification(session: Session, user: User, subject_id: str) -> NoticeFacts:
    """告知书 (art. 29): the unreasonable decision, notified, with the 7-working-day appeal deadline."""
    kind, clue = NoticeKind.NOTIFICATION, get_clue(session, user, subject_id)
    decision = session.get(CaseDecision, clue.id)
    appeal = _deadline(session, clue.id, "appeal")
    if decision is None or decision.decision != Decision.UNREASONABLE:
        raise not_applicable(kind, clue.id, "没有不合理的认定", "no unreasonable decision")
    if decision.notified_at is None or appeal is None:
        raise not_applicable(kind, clue.id, "认定尚未告知", "the decision is not notified yet")
    rows = (
        ("认定结论", DECISION_ZH[Decision.UNREASONABLE]),
        ("认定依据", DECISION_BASIS_ZH[DecisionBasis(decision.basis)]),
        ("认定日期", _day(china_date(decision.decided_at))),
        ("告知日期", _day(china_date(decision.notified_at))),
        ("申诉截止日期", _day(appeal.due_on)),
    )
    narrative = (decision.reason,) if decision.reason else ()
    return _clue_facts(session, kind, clue, rows, narrative, appeal.due_on)


def rectification(session: Session, user: User, subject_id: str) -> NoticeFacts:
    """责令限期改正通知书: after the responsibility notice (art. 30), rectification within its deadline."""
    kind, clue = NoticeKind.RECTIFICATION, get_clue(session, user, subject_id)
    due = _deadline(session, clue.id, "rectification")
    issued = session.scalar(select(Notice).where(Notice.clue_id == clue.id, Notice.kind == "responsibility"))
    if due is None or issued is None:
        raise not_applicable(kind, clue.id, "尚未下达责任追究通知", "no responsibility notice yet")
    rows = (
        ("责任追究通知日期", _day(china_date(issued.issued_at))),
        ("整改报送期限", _day(due.due_on)),
    )
    return _clue_facts(session, kind, clue, rows, (issued.text,), due.due_on)


def verification(session: Session, user: User, subject_id: str) -> NoticeFacts:
    """调查核实报告: the investigator's conclusion on the institution's self-check, with the record."""
    kind, clue = NoticeKind.VERIFICATION, get_clue(session, user, subject_id)
    found = session.get(Verification, clue.id)
    if found is None:
        raise not_applicable(kind, clue.id, "尚未调查核实", "not verified yet")
    check = session.get(SelfCheck, clue.id)
    outcome = SELF_CHECK_OUTCOME_ZH[SelfCheckOutcome(check.outcome)] if check is not None else "—"
    conclusion = _CONCLUSION_ZH.get(found.conclusion, found.conclusion)  # plain text column
    rows = (
        ("机构自查结论", outcome),
        ("核实结论", conclusion),
        ("核实日期", _day(china_date(found.verified_at))),
    )
    narrative = tuple(t for t in ((check.explanation if check else ""), found.record) if t)
    return _clue_facts(session, kind, clue, rows, narrative)


def adjudication(session: Session, user: User, subject_id: str) -> NoticeFacts:
    """裁定判决结果报告: the ruling and the votes counted; no expert named (the panel is anonymised)."""
    kind, clue = NoticeKind.ADJUDICATION, get_clue(session, user, subject_id)
    found = session.get(Adjudication, clue.id)
    if found is None or found.ruling is None or found.ruled_at is None:
        raise not_applicable(kind, clue.id, "裁定结果尚未公布", "no ruling published yet")
    tally = {str(k): int(v) for k, v in (found.tally or {}).items()}
    rows = (
        ("发起裁定日期", _day(china_date(found.opened_at))),
        ("专家专业", found.specialty or "—"),
        ("合议专家人数", str(found.panel_size or sum(tally.values()))),
        ("认定不合理票数", str(tally.get(Decision.UNREASONABLE.value, 0))),
        ("认定合理票数", str(tally.get(Decision.REASONABLE.value, 0))),
        ("裁定结果", DECISION_ZH[Decision(found.ruling)]),
        ("裁定日期", _day(china_date(found.ruled_at))),
    )
    narrative = tuple(t for t in (found.reason, found.ruling_text or "") if t)
    return _clue_facts(session, kind, clue, rows, narrative)


def accountability(session: Session, user: User, subject_id: str) -> NoticeFacts:
    """责任追究通知书 (art. 30): a confirmed accountability proposal and the action decided."""
    kind = NoticeKind.ACCOUNTABILITY
    proposal = get_visible(session, user, AccountabilityProposal, _int_id(kind, subject_id))
    if proposal.status != ProposalStatus.CONFIRMED or proposal.decided_at is None:
        raise not_applicable(kind, subject_id, "追责建议尚未确认", "the proposal is not confirmed")
    mitigation = MITIGATION_ZH[Mitigation(proposal.mitigation)] or "无"
    rows = (
        ("依据条款", f"《责任追究办法》{proposal.article}"),
        (
            "责任主体",
            f"{_SUBJECT_ZH.get(proposal.subject_kind, proposal.subject_kind)} {proposal.subject_id}",
        ),
        ("科室", proposal.department or "—"),
        ("统计期间", proposal.period),
        ("认定有问题次数", f"{proposal.times}次（条件：{proposal.threshold}次以上）"),
        ("追责措施", proposal.final_action or proposal.action),
        ("从轻/减轻/从重", mitigation),
        ("确认日期", _day(china_date(proposal.decided_at))),
    )
    narrative = (proposal.decision_reason,) if proposal.decision_reason else ()
    return _other_facts(
        session, kind, subject_id, proposal.region_code, proposal.institution_id, rows, narrative
    )


def interview(session: Session, user: User, subject_id: str) -> NoticeFacts:
    """约谈记录: an interview (约谈) the office recorded as an accountability fact."""
    kind = NoticeKind.INTERVIEW
    fact = get_visible(session, user, AccountabilityEvent, _int_id(kind, subject_id))
    if fact.kind != "interview":
        raise not_applicable(kind, subject_id, "该追责事实不是约谈", "the fact is not an interview")
    rows = (
        ("约谈日期", _day(fact.occurred_on)),
        ("约谈对象", _institution_name(session, fact.institution_id)),
        ("相关文号", fact.reference or "—"),
    )
    return _other_facts(
        session, kind, subject_id, fact.region_code, fact.institution_id, rows, (fact.description,)
    )


def points(session: Session, user: User, subject_id: str) -> NoticeFacts:
    """记分通知书 (seed 001 附件2 institution / 附件3 staff): an active point record."""
    kind = NoticeKind.POINTS
    record = get_visible(session, user, PointRecord, _int_id(kind, subject_id))
    if record.state != PointState.ACTIVE:
        raise not_applicable(kind, subject_id, "记分已撤销", "the points were revoked")
    staff = record.party_kind == "staff"
    counted = "0分（急诊抢救，记录不计分）" if record.exempt else f"{record.points}分"
    rows = (
        (
            "被记分人（脱敏编号）" if staff else "被记分单位",
            record.party_id if staff else _institution_name(session, record.institution_id),
        ),
        ("所在医疗机构", _institution_name(session, record.institution_id)),
        ("记分项目", f"{record.item_code} {record.item_text}"),
        ("记分分值", counted),
        *((("责任程度", record.responsibility),) if staff and record.responsibility else ()),
        ("违规行为发生日期", _day(record.event_date)),
        ("审批日期", _day(record.approved_on)),
        ("记分科室", record.department),
        ("记分周期", f"{record.year}年度"),
    )
    facts = _other_facts(
        session, kind, subject_id, record.region_code, record.institution_id, rows, (record.description,)
    )
    return dataclasses.replace(facts, deadline=record.appeal_due, variant=record.party_kind)


_CONCLUSION_ZH = {c.value: zh for c, zh in VERIFICATION_CONCLUSION_ZH.items()}
_SUBJECT_ZH = {"doctor": "医师", "department": "科室", "institution": "医疗机构"}


def _other_facts(
    session: Session,
    kind: NoticeKind,
    subject_id: str,
    region_code: str | None,
    institution_id: str,
    rows: tuple[Row, ...],
    narrative: tuple[str, ...],
) -> NoticeFacts:
    return NoticeFacts(
        kind=kind,
        subject_id=subject_id,
        region_code=region_code,
        recipient_id=institution_id,
        recipient_name=_institution_name(session, institution_id),
        rows=rows,
        narrative=tuple(t for t in narrative if t),
    )


def _int_id(kind: NoticeKind, subject_id: str) -> int:
    if not subject_id.isdigit():
        raise InvalidInputError(
            f"{kind.spec.subject_zh}编号应为数字：{subject_id}",
            f"a {kind.spec.subject_en} id is a number: {subject_id}",
            code="invalid_subject",
        )
    return int(subject_id)


READERS: dict[NoticeKind, Callable[[Session, User, str], NoticeFacts]] = {
    NoticeKind.NOTIFICATION: notification,
    NoticeKind.ACCOUNTABILITY: accountability,
    NoticeKind.RECTIFICATION: rectification,
    NoticeKind.INTERVIEW: interview,
    NoticeKind.POINTS: points,
    NoticeKind.VERIFICATION: verification,
    NoticeKind.ADJUDICATION: adjudication,
}


def gather(session: Session, user: User, kind: NoticeKind, subject_id: str) -> NoticeFacts:
    """The facts of `kind` for `subject_id`, read within the user's jurisdiction (404 outside it)."""
    return READERS[kind](session, user, subject_id)
