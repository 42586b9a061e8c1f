"""工作进展与查处结果 of a month: what happened to the month's clues, and the actions dated in it.

Two readings, both over what the user may see (`access.jurisdiction`):

- the month's clues (结算月 = `period`, as the dashboard counts them), in their state as
  of today: adjudications opened and ruled, decisions (不合理 = a confirmed problem, with
  its amount), appeals and those overturned, responsibility notices issued (art. 30),
  responsibility stage, closed with a rectification report (整改到位), and per
  institution the clues, amounts, confirmed problems and self-checks not on time
  (`cases.progress.self_check_rate` read for that institution alone, so the
  per-institution figures add up to the dashboard's);
- the actions dated within the calendar month (the office's work of that month):
  accountability proposals confirmed (by article), facts recorded (约谈、行政处罚…, by the
  day they happened), penalty points approved (记分, by the day of approval). A role that
  may not read accountability or points gets None for them (the document says so instead
  of showing zeros).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from sanjianguan.access.jurisdiction import clue_filter, visible
from sanjianguan.access.permissions import Action, can
from sanjianguan.accountability.sources import FACT_ZH
from sanjianguan.calendar.workdays import china_date, start_of_day
from sanjianguan.cases.progress import self_check_rate
from sanjianguan.cases.states import ClueStatus, Decision, ReviewResult
from sanjianguan.period import Period
from sanjianguan.workflow_db.models import (
    AccountabilityEvent,
    AccountabilityProposal,
    Adjudication,
    Appeal,
    CaseDecision,
    Clue,
    Institution,
    Notice,
    PointRecord,
    ProposalStatus,
    Rectification,
    Role,
    User,
)

RESPONSIBILITY = "responsibility"  # Notice.kind of the 责任追究通知 (art. 30)


@dataclass(frozen=True)
class CaseFigures:
    """The month's clues by what happened to them (counts of clues; amounts in yuan)."""

    adjudication_opened: int  # 提交裁定
    adjudicated: int  # 已裁定 (ruling published)
    decided: int  # 已认定
    confirmed: int  # 认定不合理（查实问题）
    confirmed_amount: Decimal
    reasonable: int  # 认定合理
    appealed: int  # 提出申诉
    overturned: int  # 申诉复核撤销
    responsibility_notices: int  # 已下达责任追究通知 (art. 30)
    in_accountability: int  # 责任追究中（待整改）
    rectified: int  # 整改到位并办结


@dataclass(frozen=True)
class ActionCount:
    """One kind of accountability action dated in the month: its label and how many."""

    key: str
    label_zh: str
    count: int


@dataclass(frozen=True)
class PointFigures:
    """记分 approved in the month (active records; exempt ones count 0 points)."""

    records: int
    points: int
    institutions: int  # records against institutions
    staff: int  # records against staff


@dataclass(frozen=True)
class InstitutionRow:
    """One institution's month: clues, amounts, confirmed problems, self-checks not on time."""

    institution_id: str
    name: str
    clues: int
    amount: Decimal
    confirmed: int
    confirmed_amount: Decimal
    self_check_due: int
    self_check_late: int  # due but not answered on time (逾期自查)


def case_figures(session: Session, user: User, period: str) -> CaseFigures:
    """What happened to the month's clues that `user` may see, as of now."""
    mine = and_(Clue.period == period, clue_filter(user))

    def count(*where: ColumnElement[bool]) -> int:
        query = select(func.count()).select_from(Clue).where(mine, *where)
        return int(session.execute(query).scalar_one())

    confirmed, amount = session.execute(
        select(func.count(), func.coalesce(func.sum(Clue.amount_involved), 0))
        .select_from(CaseDecision)
        .join(Clue, Clue.id == CaseDecision.clue_id)
        .where(mine, CaseDecision.decision == Decision.UNREASONABLE)
    ).one()
    ruled = select(Adjudication.clue_id).where(Adjudication.ruling.is_not(None))
    reasonable = select(CaseDecision.clue_id).where(CaseDecision.decision == Decision.REASONABLE)
    overturned = select(Appeal.clue_id).where(Appeal.result == ReviewResult.OVERTURNED)
    notices = select(Notice.clue_id).where(Notice.kind == RESPONSIBILITY)
    return CaseFigures(
        adjudication_opened=count(Clue.id.in_(select(Adjudication.clue_id))),
        adjudicated=count(Clue.id.in_(ruled)),
        decided=count(Clue.id.in_(select(CaseDecision.clue_id))),
        confirmed=int(confirmed),
        confirmed_amount=money(amount),
        reasonable=count(Clue.id.in_(reasonable)),
        appealed=count(Clue.id.in_(select(Appeal.clue_id))),
        overturned=count(Clue.id.in_(overturned)),
        responsibility_notices=count(Clue.id.in_(notices)),
        in_accountability=count(Clue.status == ClueStatus.ACCOUNTABILITY),
        rectified=count(Clue.status == ClueStatus.CLOSED, Clue.id.in_(select(Rectification.clue_id))),
    )


def institution_rows(session: Session, user: User, period: str, today: date) -> list[InstitutionRow]:
    """Every institution with clues in the month that `user` may see (unordered)."""
    confirmed = func.count(CaseDecision.clue_id)
    rows = session.execute(
        select(
            Clue.institution_id,
            func.coalesce(Institution.name, ""),
            func.count(),
            func.coalesce(func.sum(Clue.amount_involved), 0),
            confirmed,
            func.coalesce(func.sum(_if_decided(Clue.amount_involved)), 0),
        )
        .outerjoin(Institution, Institution.id == Clue.institution_id)
        .outerjoin(
            CaseDecision,
            and_(CaseDecision.clue_id == Clue.id, CaseDecision.decision == Decision.UNREASONABLE),
        )
        .where(Clue.period == period, clue_filter(user))
        .group_by(Clue.institution_id, Institution.name)
    ).all()
    found = []
    for inst, name, clues, amount, n_confirmed, confirmed_amount in rows:
        rate = self_check_rate(session, _institution_view(user, str(inst)), period, today)
        found.append(
            InstitutionRow(
                institution_id=str(inst),
                name=str(name or inst),
                clues=int(clues),
                amount=money(amount),
                confirmed=int(n_confirmed),
                confirmed_amount=money(confirmed_amount),
                self_check_due=rate.due,
                self_check_late=rate.due - rate.on_time,
            )
        )
    return found


def actions_in_month(session: Session, user: User, period: str) -> list[ActionCount] | None:
    """Accountability actions dated in the calendar month (None: the role may not read them)."""
    if not can(user, Action.ACCOUNTABILITY_READ):
        return None
    month = Period.parse(period)
    counts: list[ActionCount] = []
    proposals = session.execute(
        visible(user, AccountabilityProposal).where(
            AccountabilityProposal.status == ProposalStatus.CONFIRMED,
            *_around(AccountabilityProposal.decided_at, month),
        )
    ).scalars()
    articles = Counter(p.article for p in proposals if p.decided_at is not None and _in(month, p.decided_at))
    for article, n in sorted(articles.items(), key=_article):
        counts.append(ActionCount(f"art{article}", f"追责确认（第{article}条）", n))
    facts = session.execute(
        visible(user, AccountabilityEvent).where(
            AccountabilityEvent.occurred_on >= month.start, AccountabilityEvent.occurred_on < month.end
        )
    ).scalars()
    kinds = Counter(f.kind for f in facts)
    counts += [ActionCount(kind, label, kinds.get(kind, 0)) for kind, label in FACT_ZH.items()]
    return counts


def points_in_month(session: Session, user: User, period: str) -> PointFigures | None:
    """Penalty points approved in the calendar month (None: the role may not read them)."""
    if not can(user, Action.POINTS_READ):
        return None
    month = Period.parse(period)
    rows = list(
        session.execute(
            visible(user, PointRecord).where(
                PointRecord.approved_on >= month.start,
                PointRecord.approved_on < month.end,
                PointRecord.state == "active",
            )
        ).scalars()
    )
    return PointFigures(
        records=len(rows),
        points=sum(0 if r.exempt else r.points for r in rows),
        institutions=sum(1 for r in rows if r.party_kind == "institution"),
        staff=sum(1 for r in rows if r.party_kind == "staff"),
    )


def money(value: object) -> Decimal:
    """A sum of the money column as an exact 2-place decimal (as `cases.statistics` reads it)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _if_decided(column: InstrumentedAttribute[Decimal | None]) -> ColumnElement[Decimal | None]:
    return case((CaseDecision.clue_id.is_not(None), column), else_=0)


def _institution_view(user: User, institution_id: str) -> User:
    """`user` narrowed to one institution (an unsaved copy): the filters then read its clues only."""
    return User(
        username=user.username,
        role=Role.INSTITUTION,
        region_code=None,
        institution_id=institution_id,
        password_hash="!",
        is_active=True,
    )


def _around(
    column: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None], month: Period
) -> tuple[ColumnElement[bool], ...]:
    """A UTC timestamp column within a day of the month (the China date is checked after)."""
    start = month.start - timedelta(days=1)
    end = month.end + timedelta(days=1)
    return (column >= start_of_day(start), column < start_of_day(end))


def _in(month: Period, moment: datetime) -> bool:
    return Period.of_date(china_date(moment)) == month


def _article(item: tuple[str, int]) -> tuple[int, str]:
    digits = "".join(c for c in item[0] if c.isdigit())
    return (int(digits) if digits else 999, item[0])
