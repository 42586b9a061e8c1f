"""记分登记与送达: record points, serve the notice, report to the office, register.

The record's own steps, in the order of the rules (记分管理办法): the department records
the points against the table (记分), serves the 《记分通知书》 (送达, due 3 days after
approval), reports to the office (报送, due 10 days after approval), and the office
registers them (登记, 3 days after the report). Steps done after their deadline are
accepted and flagged late (`late` lists them). Reading a record goes through the unit
filter (404 outside the caller's jurisdiction); the appeal, standings, returns and
disclosure modules build on `get_record`, `snapshot`, `flag_late` and `require_active`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_visible, visible
from sanjianguan.access.permissions import Action, require
from sanjianguan.audit.log import record
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.messages import hooks
from sanjianguan.points import deadlines as dl
from sanjianguan.points import events as ev
from sanjianguan.points.config import PointsConfig
from sanjianguan.points.scoring import institution_points, staff_points
from sanjianguan.workflow_db.filters import where_given
from sanjianguan.workflow_db.models import Institution, PointRecord, PointState, User


class PartyKind(enum.StrEnum):
    STAFF = "staff"  # 医务人员
    INSTITUTION = "institution"  # 医疗机构


def snapshot(r: PointRecord) -> dict[str, Any]:
    """The record's state as the audit events log it (before/after)."""
    return {
        "points": r.points,
        "state": r.state,
        "notified_on": r.notified_on,
        "reported_on": r.reported_on,
        "registered_on": r.registered_on,
    }


def flag_late(row: PointRecord, step: str, today: date, due: date) -> bool:
    """Whether `step` is done after `due`; a late step is added to the record's `late` list once."""
    late = today > due
    if late and step not in row.late:
        row.late = [*row.late, step]
    return late


def require_active(row: PointRecord) -> None:
    """409 `record_revoked` once an appeal revoked the record."""
    if row.state != PointState.ACTIVE:
        raise ConflictError(
            f"记分 {row.id} 已撤销", f"point record {row.id} is revoked", code="record_revoked"
        )


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
        raise InvalidInputError(
            "日期须满足：行为日期 ≤ 审批日期 ≤ 今天",
            "dates must satisfy event_date <= approved_on <= today",
            code="invalid_date",
        )
    if not description.strip() or not department.strip():
        raise InvalidInputError(
            "须填写记分科室和事实说明", "department and description are required", code="missing_field"
        )
    inst = get_visible(session, user, Institution, institution_id)
    if party_kind is PartyKind.STAFF:
        if not party_id.strip():
            raise InvalidInputError(
                "须填写医务人员编码", "the staff member's code is required", code="missing_field"
            )
        level, points = staff_points(config, item_code, responsibility or "")
        items = config.staff.items
        exempt = emergency and config.staff.emergency_exempt
    else:
        if party_id and party_id != institution_id:
            raise InvalidInputError(
                "机构记分的对象即该机构",
                "an institution record scores the institution itself",
                code="invalid_party",
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
        after=snapshot(row),
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
    query = where_given(
        visible(user, PointRecord),
        (PointRecord.year, year),
        (PointRecord.party_kind, party_kind),
        (PointRecord.party_id, party_id),
        (PointRecord.institution_id, institution_id),
    )
    return list(session.scalars(query.order_by(PointRecord.approved_on, PointRecord.id)))


def get_record(session: Session, user: User, record_id: int) -> PointRecord:
    require(user, Action.POINTS_READ)
    return get_visible(session, user, PointRecord, record_id)


def serve_notice(
    session: Session, user: User, config: PointsConfig, record_id: int, *, received_on: date, now: datetime
) -> PointRecord:
    """送达《记分通知书》 (due 3 days after approval); the appeal period runs from receipt."""
    require(user, Action.POINTS_RECORD)
    row = get_record(session, user, record_id)
    require_active(row)
    today = china_date(now)
    if row.notified_on is not None:
        raise ConflictError("记分通知书已送达", "the notice was already served", code="already_done")
    if not (row.approved_on <= received_on <= today):
        raise InvalidInputError(
            "签收日期须在审批日期与今天之间",
            "received_on must lie between approval and today",
            code="invalid_date",
        )
    before = snapshot(row)
    late = flag_late(row, "notice", today, row.notice_due)
    row.notified_on, row.received_on = today, received_on
    row.appeal_due = dl.appeal_due(config.deadlines, received_on)
    event = ev.NoticeServed(
        subject_id=str(row.id), before=before, after=snapshot(row), late=late, appeal_due=str(row.appeal_due)
    )
    record(session, event, actor=user, now=now)
    hooks.points_notice_served(session, row, now=now)
    return row


def report(
    session: Session, user: User, config: PointsConfig, record_id: int, *, now: datetime
) -> PointRecord:
    """报至办公室 (due 10 days after approval); the office then has 3 days to record it."""
    require(user, Action.POINTS_RECORD)
    row = get_record(session, user, record_id)
    require_active(row)
    if row.reported_on is not None:
        raise ConflictError("已报送办公室", "already reported to the office", code="already_done")
    today = china_date(now)
    before = snapshot(row)
    late = flag_late(row, "report", today, row.report_due)
    row.reported_on, row.register_due = today, dl.register_due(config.deadlines, today)
    event = ev.PointsReported(
        subject_id=str(row.id),
        before=before,
        after=snapshot(row),
        late=late,
        register_due=str(row.register_due),
    )
    record(session, event, actor=user, now=now)
    return row


def register(session: Session, user: User, record_id: int, *, now: datetime) -> PointRecord:
    """办公室登记记分 (due 3 days after the report)."""
    require(user, Action.POINTS_REGISTER)
    row = get_record(session, user, record_id)
    require_active(row)
    if row.reported_on is None or row.register_due is None:
        raise ConflictError("尚未报送办公室", "not yet reported to the office", code="not_reported")
    if row.registered_on is not None:
        raise ConflictError("已登记", "already registered", code="already_done")
    today = china_date(now)
    before = snapshot(row)
    late = flag_late(row, "register", today, row.register_due)
    row.registered_on = today
    record(
        session,
        ev.PointsRegistered(subject_id=str(row.id), before=before, after=snapshot(row), late=late),
        actor=user,
        now=now,
    )
    return row
