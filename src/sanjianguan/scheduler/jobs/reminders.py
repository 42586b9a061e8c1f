"""The message hooks of the daily jobs: what is due soon, overdue, or to be escalated.

These return `Notification`s and send nothing (see `scheduler.hooks`). Who is meant:

- a clue's institution for its own steps (自查、补充材料、申诉、整改); the county office for
  the review (申诉复核) and, as escalation, for its institutions' lapses;
- the city office for a clue overdue `LONG_OVERDUE_DAYS` days or more, and for a county's
  missing monthly return (县区月报);
- the county office for the penalty-point steps and the missing monthly points returns.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.calendar.remaining import DueText, due_zh
from sanjianguan.calendar.table import calendar_for
from sanjianguan.cases.deadlines import WINDOWS, TickReport, past_due
from sanjianguan.cases.transitions import DEADLINES
from sanjianguan.points.overdue import STEP_ZH, MissingReturn, PointStep, due_within
from sanjianguan.scheduler.hooks import DEADLINE_SOON, ESCALATION, OVERDUE, Notification
from sanjianguan.submissions.overdue_returns import MissingCountyReturn
from sanjianguan.workflow_db.models import Clue, Deadline, Region

OFFICE_STEPS = frozenset({"review"})  # the office's own duty; every other clue step is the institution's
LONG_OVERDUE_DAYS = 10  # calendar days past due after which the city office hears of a clue


def _step_zh(step: str) -> str:
    spec = DEADLINES.get(step)
    return spec.zh if spec else step


def due_soon(session: Session, today: date, working_days: int) -> list[Notification]:
    """临期提醒: open clue and point deadlines due from today to `working_days` working days on."""
    horizon = calendar_for(session).add_working_days(today, working_days).day
    rows = session.execute(
        select(Deadline, Clue)
        .join(Clue, Clue.id == Deadline.clue_id)
        .where(Deadline.closed_at.is_(None), Deadline.due_on >= today, Deadline.due_on <= horizon)
        .order_by(Deadline.due_on, Clue.id)
    ).all()
    calendar = calendar_for(session)
    notes = [
        _clue_due_soon(deadline, clue, due_zh(calendar, today, deadline.due_on)) for deadline, clue in rows
    ]
    points = due_within(session, today, calendar, working_days)
    return notes + [_point_due_soon(step, due_zh(calendar, today, step.due_on)) for step in points]


def _clue_due_soon(deadline: Deadline, clue: Clue, due: str) -> Notification:
    """`due`: the due date with the working days left (`calendar.remaining.due_zh`)."""
    office = deadline.step in OFFICE_STEPS
    return Notification(
        kind=DEADLINE_SOON,
        title=f"{_step_zh(deadline.step)}期限临近：{due}",
        body=f"线索 {clue.id} 的{_step_zh(deadline.step)}将于 {due} 到期。",
        subject=f"deadline_soon:{clue.id}:{deadline.step}:{deadline.due_on.isoformat()}",
        institution_id=None if office else clue.institution_id,
        region_code=clue.region_code if office else None,
        link=f"/clues/{clue.id}",
    )


def _point_due_soon(step: PointStep, due: str) -> Notification:
    return Notification(
        kind=DEADLINE_SOON,
        title=f"记分{STEP_ZH[step.step]}期限临近：{due}",
        body=f"记分记录 {step.record_id} 的{STEP_ZH[step.step]}将于 {due} 到期。",
        subject=f"deadline_soon:point:{step.record_id}:{step.step}:{step.due_on.isoformat()}",
        region_code=step.region_code,
        link=f"/points/records/{step.record_id}",
    )


def tick_notifications(session: Session, report: TickReport) -> list[Notification]:
    """The day's reminders (催办), defaults (art. 31) and late soft steps of its own to the
    institution; defaults and soft lapses escalated to the county office. Each names its
    deadline with the working days left or overdue."""
    due = DueText(calendar_for(session), report.today)
    notes = []
    for clue_id in report.reminded:
        clue = _clue(session, clue_id)
        again = _due_on(session, clue_id, "self_check")  # the reminder set the second deadline
        notes.append(
            _overdue(clue, "self_check", f"自查逾期，已催办：请在新的最后期限 {due(again)} 内反馈。")
        )
    for clue_id in report.defaulted:
        clue = _clue(session, clue_id)
        notes.append(_overdue(clue, "default", "逾期未反馈，按第三十一条判定为不合理。"))
        notes.append(
            _escalate(clue, clue.region_code, "default", "所辖机构逾期未反馈，已按第三十一条判定不合理。")
        )
    for clue_id in report.flagged:
        clue = _clue(session, clue_id)
        for step in _flagged_today(session, clue_id, report.today):
            if step not in OFFICE_STEPS:  # the institution's own step (整改落实报送): it is told too
                text = f"{_step_zh(step)}期限 {due(_due_on(session, clue_id, step))}，请尽快办理并报送。"
                notes.append(_overdue(clue, step, text))
        notes.append(_escalate(clue, clue.region_code, "soft", "线索有逾期未办理的环节（见逾期事项）。"))
    return notes


def _due_on(session: Session, clue_id: str, step: str) -> date:
    due_on = session.scalar(select(Deadline.due_on).where(Deadline.clue_id == clue_id, Deadline.step == step))
    assert due_on is not None
    return due_on


def _flagged_today(session: Session, clue_id: str, today: date) -> list[str]:
    """The steps of the clue the tick flagged late today (soft deadlines: no default)."""
    query = select(Deadline.step).where(Deadline.clue_id == clue_id, Deadline.late_flagged_on == today)
    return sorted(set(session.scalars(query)))


def long_overdue(session: Session, today: date) -> list[Notification]:
    """Clues with an open step overdue `LONG_OVERDUE_DAYS` days or more: the city office hears."""
    rows = session.execute(
        select(Deadline, Clue, Region.parent_code)
        .join(Clue, Clue.id == Deadline.clue_id)
        .join(Region, Region.code == Clue.region_code)
        .where(past_due(today), Deadline.due_on <= date.fromordinal(today.toordinal() - LONG_OVERDUE_DAYS))
        .order_by(Deadline.due_on, Clue.id)
    ).all()
    due = DueText(calendar_for(session), today)
    return [
        _escalate(
            clue, city, f"long:{deadline.step}", f"{_step_zh(deadline.step)}期限 {due(deadline.due_on)}。"
        )
        for deadline, clue, city in rows
        if deadline.step not in WINDOWS and city is not None
    ]


def points_notifications(
    steps: list[PointStep], returns: list[MissingReturn], due: DueText
) -> list[Notification]:
    """Point steps past due and monthly points returns missing: the county office."""
    notes = [
        Notification(
            kind=OVERDUE,
            title=f"记分{STEP_ZH[s.step]}逾期",
            body=f"记分记录 {s.record_id} 的{STEP_ZH[s.step]}期限 {due(s.due_on)}，尚未完成。",
            subject=f"overdue:point:{s.record_id}:{s.step}",
            region_code=s.region_code,
            link=f"/points/records/{s.record_id}",
        )
        for s in steps
    ]
    notes += [
        Notification(
            kind=OVERDUE,
            title=f"{r.month} 记分月度汇总逾期未报：{r.department}",
            body=f"{r.department} {r.month} 的记分月度汇总（无记分的须零报告）"
            f"报送期限 {due(r.due_on)}，尚未报送。",
            subject=f"overdue:point_return:{r.region_code}:{r.month}:{r.department}",
            region_code=r.region_code,
        )
        for r in returns
    ]
    return notes


def county_return_notifications(missing: list[MissingCountyReturn], due: DueText) -> list[Notification]:
    """A county's missing monthly return: the county office, escalated to the city office."""
    notes = []
    for item in missing:
        text = (
            f"{item.region_code} {item.period} 的县区月报（盖章扫描件）"
            f"报送期限 {due(item.due_on)}，尚未收到。"
        )
        subject = f"county_return:{item.region_code}:{item.period}"
        notes.append(
            Notification(
                OVERDUE,
                "县区月报逾期未报",
                text,
                f"overdue:{subject}",
                region_code=item.region_code,
                link="/county-returns",
            )
        )
        if item.city_code is not None:
            notes.append(
                Notification(
                    ESCALATION,
                    "县区月报逾期未报",
                    text,
                    f"escalation:{subject}",
                    region_code=item.city_code,
                    link="/county-returns",
                )
            )
    return notes


def _clue(session: Session, clue_id: str) -> Clue:
    clue = session.get(Clue, clue_id)
    assert clue is not None
    return clue


def _overdue(clue: Clue, what: str, body: str) -> Notification:
    return Notification(
        kind=OVERDUE,
        title=f"线索 {clue.id} 逾期",
        body=body,
        subject=f"overdue:{clue.id}:{what}",
        institution_id=clue.institution_id,
        link=f"/clues/{clue.id}",
    )


def _escalate(clue: Clue, region_code: str | None, what: str, body: str) -> Notification:
    return Notification(
        kind=ESCALATION,
        title=f"逾期督办：线索 {clue.id}",
        body=f"{clue.institution_id}：{body}",
        subject=f"escalation:{clue.id}:{what}",
        region_code=region_code,
        link=f"/clues/{clue.id}",
    )
