"""Penalty-point service (记分管理): record, notice, report, register, appeal, returns, disclosure.

Roles and jurisdiction as everywhere: `require` (403) then the unit filter (404 outside).
The department's and office's own steps done after their deadline are accepted and
flagged late (`late` lists them); the scored party's appeal after its deadline is
refused (409 `deadline_passed`). Every change is audited in the caller's transaction.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_visible, visible, within_region
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.scope import require_region
from sanjianguan.audit.log import record
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError
from sanjianguan.points import deadlines as dl
from sanjianguan.points import events as ev
from sanjianguan.points.config import PointsConfig
from sanjianguan.points.scoring import (
    InstitutionStanding,
    Scored,
    StaffStanding,
    institution_points,
    institution_standing,
    staff_points,
    staff_standing,
)
from sanjianguan.workflow_db.models import (
    Institution,
    PointAppeal,
    PointDisclosure,
    PointMonthlyReturn,
    PointRecord,
    PointState,
    User,
)

# Declared with the model (the database layer imports no stage), re-exported for the callers here.
from sanjianguan.workflow_db.models.points import AppealResult as AppealResult


class PartyKind(enum.StrEnum):
    STAFF = "staff"  # 医务人员
    INSTITUTION = "institution"  # 医疗机构


def _bad(zh: str, en: str, code: str) -> InvalidInputError:
    return InvalidInputError(zh, en, code=code)


def _state(r: PointRecord) -> dict[str, Any]:
    return {
        "points": r.points,
        "state": r.state,
        "notified_on": r.notified_on,
        "reported_on": r.reported_on,
        "registered_on": r.registered_on,
    }


def record_points(
    session: Session,
    user: User,
    config: PointsConfig,
    *,
    party_kind: PartyKind,
    party_id: str,
    institution_id: str,
    item_code: str,
    responsibility: str | None,
    event_date: date,
    approved_on: date,
    department: str,
    description: str,
    emergency: bool = False,
    now: datetime,
) -> PointRecord:
    """记分 against the table; emergency rescue is recorded with 0 points (免予记分)."""
    require(user, Action.POINTS_RECORD)
    today = china_date(now)
    if not (event_date <= approved_on <= today):
        raise _bad(
            "日期须满足：行为日期 ≤ 审批日期 ≤ 今天",
            "dates must satisfy event_date <= approved_on <= today",
            "invalid_date",
        )
    if not description.strip() or not department.strip():
        raise _bad("须填写记分科室和事实说明", "department and description are required", "missing_field")
    inst = get_visible(session, user, Institution, institution_id)
    if party_kind is PartyKind.STAFF:
        if not party_id.strip():
            raise _bad("须填写医务人员编码", "the staff member's code is required", "missing_field")
        level, points = staff_points(config, item_code, responsibility or "")
        items = config.staff.items
        exempt = emergency and config.staff.emergency_exempt
    else:
        if party_id and party_id != institution_id:
            raise _bad(
                "机构记分的对象即该机构",
                "an institution record scores the institution itself",
                "invalid_party",
            )
        party_id = institution_id
        level, points = institution_points(config, item_code)
        items, exempt, responsibility = config.institution.items, False, None
    row = PointRecord(
        party_kind=party_kind.value,
        party_id=party_id.strip(),
        institution_id=inst.id,
        region_code=inst.region_code,
        item_code=item_code,
        item_text=items[item_code].text,
        level=level,
        responsibility=responsibility,
        points=0 if exempt else points,
        exempt=exempt,
        state=PointState.ACTIVE,
        event_date=event_date,
        approved_on=approved_on,
        year=approved_on.year,
        department=department.strip(),
        description=description.strip(),
        notice_due=dl.notice_due(config.deadlines, approved_on),
        report_due=dl.report_due(config.deadlines, approved_on),
        late=[],
        created_at=now,
        created_by=user.id,
    )
    session.add(row)
    session.flush()
    event = ev.PointsRecorded(
        subject_id=str(row.id),
        after=_state(row),
        party_kind=row.party_kind,
        party_id=row.party_id,
        institution_id=row.institution_id,
        item_code=item_code,
        points=row.points,
    )
    record(session, event, actor=user, reason="急诊抢救免予记分" if exempt else None, now=now)
    return row


def list_records(
    session: Session,
    user: User,
    *,
    year: int | None = None,
    party_kind: str | None = None,
    party_id: str | None = None,
    institution_id: str | None = None,
) -> list[PointRecord]:
    require(user, Action.POINTS_READ)
    query = visible(user, PointRecord)
    if year is not None:
        query = query.where(PointRecord.year == year)
    if party_kind is not None:
        query = query.where(PointRecord.party_kind == party_kind)
    if party_id is not None:
        query = query.where(PointRecord.party_id == party_id)
    if institution_id is not None:
        query = query.where(PointRecord.institution_id == institution_id)
    return list(session.scalars(query.order_by(PointRecord.approved_on, PointRecord.id)))


def get_record(session: Session, user: User, record_id: int) -> PointRecord:
    require(user, Action.POINTS_READ)
    return get_visible(session, user, PointRecord, record_id)


def _late(row: PointRecord, step: str, today: date, due: date) -> bool:
    late = today > due
    if late and step not in row.late:
        row.late = [*row.late, step]
    return late


def _revoked(row: PointRecord) -> None:
    if row.state != PointState.ACTIVE:
        raise ConflictError(
            f"记分 {row.id} 已撤销", f"point record {row.id} is revoked", code="record_revoked"
        )


def serve_notice(
    session: Session, user: User, config: PointsConfig, record_id: int, *, received_on: date, now: datetime
) -> PointRecord:
    """送达《记分通知书》 (due 3 days after approval); the appeal period runs from receipt."""
    require(user, Action.POINTS_RECORD)
    row = get_record(session, user, record_id)
    _revoked(row)
    today = china_date(now)
    if row.notified_on is not None:
        raise ConflictError("记分通知书已送达", "the notice was already served", code="already_done")
    if not (row.approved_on <= received_on <= today):
        raise _bad(
            "签收日期须在审批日期与今天之间",
            "received_on must lie between approval and today",
            "invalid_date",
        )
    before = _state(row)
    late = _late(row, "notice", today, row.notice_due)
    row.notified_on, row.received_on = today, received_on
    row.appeal_due = dl.appeal_due(config.deadlines, received_on)
    event = ev.NoticeServed(
        subject_id=str(row.id), before=before, after=_state(row), late=late, appeal_due=str(row.appeal_due)
    )
    record(session, event, actor=user, now=now)
    return row


def report(
    session: Session, user: User, config: PointsConfig, record_id: int, *, now: datetime
) -> PointRecord:
    """报至办公室 (due 10 days after approval); the office then has 3 days to record it."""
    require(user, Action.POINTS_RECORD)
    row = get_record(session, user, record_id)
    _revoked(row)
    if row.reported_on is not None:
        raise ConflictError("已报送办公室", "already reported to the office", code="already_done")
    today = china_date(now)
    before = _state(row)
    late = _late(row, "report", today, row.report_due)
    row.reported_on, row.register_due = today, dl.register_due(config.deadlines, today)
    event = ev.PointsReported(
        subject_id=str(row.id),
        before=before,
        after=_state(row),
        late=late,
        register_due=str(row.register_due),
    )
    record(session, event, actor=user, now=now)
    return row


def register(session: Session, user: User, record_id: int, *, now: datetime) -> PointRecord:
    """办公室登记记分 (due 3 days after the report)."""
    require(user, Action.POINTS_REGISTER)
    row = get_record(session, user, record_id)
    _revoked(row)
    if row.reported_on is None or row.register_due is None:
        raise ConflictError("尚未报送办公室", "not yet reported to the office", code="not_reported")
    if row.registered_on is not None:
        raise ConflictError("已登记", "already registered", code="already_done")
    today = china_date(now)
    before = _state(row)
    late = _late(row, "register", today, row.register_due)
    row.registered_on = today
    record(
        session,
        ev.PointsRegistered(subject_id=str(row.id), before=before, after=_state(row), late=late),
        actor=user,
        now=now,
    )
    return row


def file_appeal(
    session: Session, user: User, config: PointsConfig, record_id: int, *, reason: str, now: datetime
) -> PointAppeal:
    """申诉, within 3 days of receiving the notice (refused after)."""
    require(user, Action.POINTS_APPEAL)
    row = get_record(session, user, record_id)
    _revoked(row)
    if row.appeal_due is None:
        raise ConflictError("记分通知书尚未送达", "the notice has not been served yet", code="not_notified")
    if session.get(PointAppeal, row.id) is not None:
        raise ConflictError("已提出申诉", "an appeal was already filed", code="already_done")
    today = china_date(now)
    if today > row.appeal_due:
        raise ConflictError(
            f"申诉期限已过（{row.appeal_due}）",
            f"the appeal period ended on {row.appeal_due}",
            code="deadline_passed",
        )
    if not reason.strip():
        raise _bad("须说明申诉理由", "an appeal needs a reason", "reason_required")
    due = dl.appeal_decision_due(config.deadlines, today, calendar_for(session))
    appeal = PointAppeal(
        record_id=row.id,
        reason=reason.strip(),
        filed_on=today,
        filed_at=now,
        filed_by=user.id,
        decision_due=due.day,
        decision_due_provisional=due.provisional,
        decision_working_days=config.deadlines.appeal_decision_working_days,
        points_before=row.points,
    )
    session.add(appeal)
    session.flush()
    event = ev.AppealFiled(
        subject_id=str(row.id),
        after={"appeal": "filed"},
        decision_due=str(appeal.decision_due),
        provisional=due.provisional,
    )
    record(session, event, actor=user, reason=appeal.reason, now=now)
    return appeal


def decide_appeal(
    session: Session,
    user: User,
    record_id: int,
    *,
    result: AppealResult,
    text: str,
    points_after: int | None = None,
    now: datetime,
) -> PointAppeal:
    """申诉决定 (10 working days): upheld, amended (new points) or revoked (counts 0)."""
    require(user, Action.POINTS_APPEAL_DECIDE)
    row = get_record(session, user, record_id)
    appeal = session.get(PointAppeal, row.id)
    if appeal is None:
        raise ConflictError("没有待决定的申诉", "no appeal to decide", code="no_appeal")
    if appeal.result is not None:
        raise ConflictError("申诉已决定", "the appeal was already decided", code="already_done")
    if not text.strip():
        raise _bad("须说明决定理由", "a decision needs a reason", "reason_required")
    if result is AppealResult.AMENDED:
        if points_after is None or not (0 < points_after < row.points):
            raise _bad(
                "变更后分值须大于0且小于原分值",
                "amended points must be > 0 and below the original",
                "invalid_points",
            )
    elif points_after is not None:
        raise _bad("只有变更分值时才填写新分值", "points_after only with result amended", "invalid_points")
    today = china_date(now)
    before = _state(row)
    late = _late(row, "appeal_decision", today, appeal.decision_due)
    if result is AppealResult.REVOKED:
        row.state = PointState.REVOKED
    elif result is AppealResult.AMENDED and points_after is not None:
        row.points = points_after
    appeal.result, appeal.points_after, appeal.decision_text = result, row.points, text.strip()
    appeal.decided_at, appeal.decided_by = now, user.id
    event = ev.AppealDecided(
        subject_id=str(row.id), before=before, after=_state(row), late=late, result=result.value
    )
    record(session, event, actor=user, reason=appeal.decision_text, now=now)
    return appeal


def counted(rows: list[PointRecord]) -> list[Scored]:
    """The records that count: active (not revoked); exempt ones carry 0 points."""
    return [Scored(r.points, r.approved_on, r.id) for r in rows if r.state == PointState.ACTIVE]


def staff_status(
    session: Session, user: User, config: PointsConfig, party_id: str, year: int
) -> tuple[StaffStanding, list[PointRecord]]:
    """One doctor's standing across every institution, and the records the caller may see.

    The total is national by design (one record per doctor); 404 unless the caller sees
    at least one of the doctor's records.
    """
    visible = list_records(session, user, party_kind=PartyKind.STAFF.value, party_id=party_id)
    if not visible:
        raise NotFoundError(
            f"无此医务人员的记分：{party_id}", f"no point records for {party_id}", code="party_not_found"
        )
    every = session.scalars(
        select(PointRecord).where(
            PointRecord.party_kind == PartyKind.STAFF.value, PointRecord.party_id == party_id
        )
    ).all()
    return staff_standing(config, counted(list(every)), year), visible


def institution_status(
    session: Session, user: User, config: PointsConfig, institution_id: str, year: int
) -> tuple[InstitutionStanding, list[PointRecord]]:
    require(user, Action.POINTS_READ)
    get_visible(session, user, Institution, institution_id)
    rows = list_records(session, user, party_kind=PartyKind.INSTITUTION.value, institution_id=institution_id)
    return institution_standing(config, counted(rows), year), rows


# --- monthly returns (月度汇总，零报告) -------------------------------------------------------


def _in_region(region_code: str) -> ColumnElement[bool]:
    return within_region(PointRecord.region_code, region_code)


def _month_records(
    session: Session, region_code: str, month: str, department: str | None = None
) -> list[PointRecord]:
    start, end = dl.month_bounds(month)
    query = select(PointRecord).where(
        _in_region(region_code), PointRecord.approved_on >= start, PointRecord.approved_on < end
    )
    if department is not None:
        query = query.where(PointRecord.department == department)
    return list(session.scalars(query))


def file_return(
    session: Session,
    user: User,
    config: PointsConfig,
    *,
    region_code: str,
    month: str,
    department: str,
    signed_by: str,
    now: datetime,
) -> PointMonthlyReturn:
    """A department's monthly return (due the 10th of the next month); zero-report when none."""
    require(user, Action.POINTS_REGISTER)
    require_region(user, region_code)
    _start, end = dl.month_bounds(month)
    today = china_date(now)
    if today < end:
        raise _bad(f"{month} 尚未结束", f"{month} is not over yet", "month_not_over")
    if department not in config.departments:
        raise _bad(
            f"未知记分科室：{department}",
            f"unknown department {department!r} (see points.toml)",
            "unknown_department",
        )
    if not signed_by.strip():
        raise _bad("须由科室负责人签字确认", "the department head's signature is required", "missing_field")
    exists = session.scalars(
        select(PointMonthlyReturn).where(
            PointMonthlyReturn.region_code == region_code,
            PointMonthlyReturn.month == month,
            PointMonthlyReturn.department == department,
        )
    ).one_or_none()
    if exists is not None:
        raise ConflictError(
            "该科室本月已报送", "this department already filed the month", code="already_done"
        )
    rows = [
        r for r in _month_records(session, region_code, month, department) if r.state == PointState.ACTIVE
    ]
    due = dl.monthly_return_due(config.deadlines, month)
    ret = PointMonthlyReturn(
        region_code=region_code,
        month=month,
        department=department,
        record_count=len(rows),
        points=sum(r.points for r in rows),
        zero=not rows,
        due_on=due,
        late=today > due,
        signed_by=signed_by.strip(),
        submitted_at=now,
        submitted_by=user.id,
    )
    session.add(ret)
    session.flush()
    event = ev.MonthlyReturnFiled(
        subject_id=region_code,
        month=month,
        department=department,
        record_count=ret.record_count,
        zero=ret.zero,
        late=ret.late,
    )
    record(session, event, actor=user, now=now)
    return ret


@dataclass(frozen=True)
class MonthlySummary:
    region_code: str
    month: str
    due_on: date
    returns: list[PointMonthlyReturn]
    missing: list[str]  # departments with no return yet
    records: int
    points: int


def monthly_summary(
    session: Session, user: User, config: PointsConfig, region_code: str, month: str
) -> MonthlySummary:
    require(user, Action.POINTS_REGISTER)
    require_region(user, region_code)
    returns = list(
        session.scalars(
            select(PointMonthlyReturn)
            .where(PointMonthlyReturn.region_code == region_code, PointMonthlyReturn.month == month)
            .order_by(PointMonthlyReturn.department)
        )
    )
    filed = {r.department for r in returns}
    rows = [r for r in _month_records(session, region_code, month) if r.state == PointState.ACTIVE]
    return MonthlySummary(
        region_code=region_code,
        month=month,
        due_on=dl.monthly_return_due(config.deadlines, month),
        returns=returns,
        missing=[d for d in config.departments if d not in filed],
        records=len(rows),
        points=sum(r.points for r in rows),
    )


# --- quarterly disclosure (季度公示) -----------------------------------------------------------


def disclosure_items(session: Session, region_code: str, quarter: str) -> list[dict[str, Any]]:
    """What may be disclosed: per institution, its own points and how many staff were scored.

    Only final records: registered by the office, not revoked, no appeal pending. Staff
    appear as counts per institution, never by identity.
    """
    start, end = dl.quarter_bounds(quarter)
    rows = session.execute(
        select(PointRecord, Institution.name, PointAppeal.result, PointAppeal.record_id)
        .join(Institution, Institution.id == PointRecord.institution_id)
        .outerjoin(PointAppeal, PointAppeal.record_id == PointRecord.id)
        .where(
            _in_region(region_code),
            PointRecord.approved_on >= start,
            PointRecord.approved_on < end,
            PointRecord.state == PointState.ACTIVE,
            PointRecord.registered_on.is_not(None),
            PointRecord.exempt.is_(False),
        )
    ).all()
    per: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"institution_points": 0, "institution_events": 0, "staff": set(), "staff_points": 0}
    )
    names: dict[str, str] = {}
    for rec, name, result, appealed in rows:
        if appealed is not None and result is None:
            continue  # appeal pending: not final
        names[rec.institution_id] = name
        item = per[rec.institution_id]
        if rec.party_kind == PartyKind.INSTITUTION.value:
            item["institution_points"] += rec.points
            item["institution_events"] += 1
        else:
            item["staff"].add(rec.party_id)
            item["staff_points"] += rec.points
    return [
        {
            "institution_id": inst,
            "institution_name": names[inst],
            "institution_events": v["institution_events"],
            "institution_points": v["institution_points"],
            "staff_scored": len(v["staff"]),
            "staff_points": v["staff_points"],
        }
        for inst, v in sorted(per.items())
    ]


def publish_disclosure(
    session: Session, user: User, config: PointsConfig, *, region_code: str, quarter: str, now: datetime
) -> PointDisclosure:
    """公示: snapshot the quarter's list (due the 10th of the next quarter's first month)."""
    require(user, Action.POINTS_REGISTER)
    require_region(user, region_code)
    _start, end = dl.quarter_bounds(quarter)
    today = china_date(now)
    if today < end:
        raise _bad(f"{quarter} 尚未结束", f"{quarter} is not over yet", "quarter_not_over")
    if session.scalars(
        select(PointDisclosure).where(
            PointDisclosure.region_code == region_code, PointDisclosure.quarter == quarter
        )
    ).one_or_none():
        raise ConflictError("该季度已公示", "this quarter was already published", code="already_done")
    due = dl.disclosure_due(config.deadlines, quarter)
    items = disclosure_items(session, region_code, quarter)
    row = PointDisclosure(
        region_code=region_code,
        quarter=quarter,
        due_on=due,
        late=today > due,
        items=items,
        published_at=now,
        published_by=user.id,
    )
    session.add(row)
    session.flush()
    event = ev.DisclosurePublished(subject_id=region_code, quarter=quarter, items=len(items), late=row.late)
    record(session, event, actor=user, now=now)
    return row


def public_disclosure(session: Session, region_code: str, quarter: str) -> PointDisclosure:
    """The published list, for anyone (no login); 404 until published."""
    dl.parse_quarter(quarter)
    row = session.scalars(
        select(PointDisclosure).where(
            PointDisclosure.region_code == region_code, PointDisclosure.quarter == quarter
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError("该季度尚未公示", "not published for this quarter", code="disclosure_not_found")
    return row
