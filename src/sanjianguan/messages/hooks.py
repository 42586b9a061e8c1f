"""The workflow's messages: one function per event, called by the service that makes the event.

Each is called inside the action's transaction, after its audit event (the audit stays the
record of what happened: a message only tells the people concerned). Recipients: the
institution users of the clue's, notice's or record's institution (never another's); the
drawn experts for a panel. The subject key makes each message once per recipient and event.

Experts are told the opaque clue id and where to vote, nothing else (双盲: no institution,
doctor, patient or other expert is named; the clue id is opaque since migration 0006).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.calendar.remaining import due_zh
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date
from sanjianguan.messages.kinds import MessageKind
from sanjianguan.messages.service import notify, recipients_of_institution
from sanjianguan.workflow_db.models import Clue, Message, OfficialNotice, PointRecord, User
from sanjianguan.workflow_db.models.outcomes import ReviewResult
from sanjianguan.workflow_db.models.points import AppealResult

LISTED = 20  # clues named one by one in a push message; the rest are counted


def _due(session: Session, now: datetime, due_on: date | str | None) -> str:
    """A deadline in a message: its date and the working days left when sent (`due_zh`)."""
    if not due_on:
        return "见线索页"
    day = due_on if isinstance(due_on, date) else date.fromisoformat(due_on)
    return due_zh(calendar_for(session), china_date(now), day)


def clues_pushed(
    session: Session,
    batch_id: int,
    period: str,
    clues: Sequence[Clue],
    due: Mapping[str, str],
    *,
    now: datetime,
) -> list[Message]:
    """推送: each institution's users get one message listing that institution's new clues only."""
    by_institution: dict[str, list[str]] = defaultdict(list)
    for clue in clues:
        by_institution[clue.institution_id].append(clue.id)
    sent: list[Message] = []
    for institution_id, ids in sorted(by_institution.items()):
        lines = [f"线索 {cid}：自查反馈截止 {_due(session, now, due.get(cid))}" for cid in ids[:LISTED]]
        if len(ids) > LISTED:
            lines.append(f"……另有 {len(ids) - LISTED} 条，见机构工作台")
        body = f"{period} 推送给贵单位的线索共 {len(ids)} 条，请逐条自查并在期限内反馈：\n" + "\n".join(lines)
        sent += notify(
            session,
            recipients_of_institution(session, institution_id),
            MessageKind.NEW_CLUES,
            title=f"新推送线索 {len(ids)} 条（{period}）",
            body=body,
            link="/workbench",
            now=now,
            subject=f"push:{batch_id}",
        )
    return sent


def evidence_requested(
    session: Session, clue: Clue, *, note: str, due_on: str, now: datetime
) -> list[Message]:
    """责令限期提供证明材料 (art. 31): the clue's institution is told what and by when."""
    return notify(
        session,
        recipients_of_institution(session, clue.institution_id),
        MessageKind.MATERIALS_REQUESTED,
        title=f"请限期提供证明材料：线索 {clue.id}",
        body=f"请于 {_due(session, now, due_on)}前提供线索 {clue.id} 的证明材料。所需材料：{note}",
        link=f"/clues/{clue.id}",
        now=now,
        subject=f"evidence:{clue.id}:{due_on}",
    )


def notice_issued(session: Session, notice: OfficialNotice, *, now: datetime) -> list[Message]:
    """出具文书: the recipient institution is told the 文号 and where to download it."""
    return notify(
        session,
        recipients_of_institution(session, notice.recipient_id),
        MessageKind.NOTICE_ISSUED,
        title=f"收到文书：{notice.title}",
        body=f"{notice.title}（{notice.number}），对象 {notice.subject_id}，可在“文书”页下载。",
        link="/documents",
        now=now,
        subject=f"notice:{notice.id}",
    )


def clue_appeal_decided(
    session: Session, clue: Clue, result: ReviewResult, *, text: str, now: datetime
) -> list[Message]:
    """申诉复核 (art. 29): the appealing institution is told the result and the reasoning."""
    outcome = "维持原认定" if result is ReviewResult.UPHELD else "撤销原认定，线索认定为合理"
    return notify(
        session,
        recipients_of_institution(session, clue.institution_id),
        MessageKind.APPEAL_DECIDED,
        title=f"申诉复核结果：线索 {clue.id}（{result.label_zh}）",
        body=f"贵单位对线索 {clue.id} 的申诉已复核：{outcome}。复核意见：{text}",
        link=f"/clues/{clue.id}",
        now=now,
        subject=f"clue-appeal:{clue.id}",
    )


def points_appeal_decided(
    session: Session, row: PointRecord, result: AppealResult, *, text: str, now: datetime
) -> list[Message]:
    """记分申诉决定: the record's institution is told the result and the points now counted."""
    return notify(
        session,
        recipients_of_institution(session, row.institution_id),
        MessageKind.APPEAL_DECIDED,
        title=f"记分申诉决定：记分 {row.id}（{result.label_zh}）",
        body=(
            f"记分 {row.id}（{row.item_text}）的申诉已决定：{result.label_zh}，"
            f"现计 {row.points} 分。理由：{text}"
        ),
        link="/points",
        now=now,
        subject=f"points-appeal:{row.id}",
    )


def points_notice_served(session: Session, row: PointRecord, *, now: datetime) -> list[Message]:
    """送达《记分通知书》: the institution is told the points and the last day to appeal."""
    return notify(
        session,
        recipients_of_institution(session, row.institution_id),
        MessageKind.POINTS_NOTICE,
        title=f"记分通知：记分 {row.id}，{row.points} 分",
        body=(
            f"记分 {row.id}（{row.item_text}）的《记分通知书》已送达，记 {row.points} 分；"
            f"如有异议，可在 {_due(session, now, row.appeal_due)}前申诉。"
        ),
        link="/points",
        now=now,
        subject=f"points-notice:{row.id}",
    )


def panel_assigned(
    session: Session, clue_id: str, expert_ids: Sequence[int], *, now: datetime
) -> list[Message]:
    """抽选专家: each drawn expert is told the opaque clue id and the deadline, nothing more."""
    experts = list(session.scalars(select(User).where(User.id.in_(list(expert_ids))).order_by(User.id)))
    return notify(
        session,
        experts,
        MessageKind.PANEL_ASSIGNED,
        title=f"专家评议任务：线索 {clue_id}",
        body=f"您被抽选评议线索 {clue_id}，请在“专家评议”页查看案卷并表决。表决期限：未设定，请尽快表决。",
        link=f"/expert/packages/{clue_id}",
        now=now,
        subject=f"panel:{clue_id}",
    )
