"""县区月报 (附件1两个表, seed 000): a county's figures per institution, cumulative since January.

Seed 000: "在次月10日前将线索问题查实情况、附件1两个表.docx（数据为历月累计）电子文档和加盖公章的
图片传市医疗“三监管”办公室". The seed names no columns; they are the workflow's own steps
(docs/reports/county-return.md explains each). 历月累计: both tables count from January of
the period's year up to the end of the period, and as of that end:

- 表1 线索核查情况 counts the clues of the months January … period (the clue's 结算月) by the
  steps they had passed when the month ended (each step's own record time before 00:00
  China time of the next month's first day): so the March return says the same on 1 April
  and in June, and a clue of January is counted in March's return.
- 表2 责任追究及记分情况 (`county_return_actions`) counts what was decided from 1 January
  to the end of the period: confirmed accountability by type, interviews and penalties
  recorded, penalty points approved, referrals sent, rectifications reported.

Every read goes through the user's jurisdiction filters (`access.jurisdiction`) narrowed
to the county; a city office may generate any of its counties' returns, a county its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import clue_filter, within_region
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.regions import RegionCode
from sanjianguan.access.scope import require_region
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import InvalidInputError
from sanjianguan.period import Period
from sanjianguan.reports.data.county_return_actions import action_rows
from sanjianguan.reports.data.county_return_rows import ActionRow, ClueRow, Window
from sanjianguan.submissions.county_returns import due_on
from sanjianguan.workflow_db.models import (
    Appeal,
    CaseDecision,
    Clue,
    ClueStatus,
    Deadline,
    Institution,
    Region,
    RegionLevel,
    SamplingDraw,
    SamplingMember,
    SelfCheck,
    User,
    Verification,
)
from sanjianguan.workflow_db.models.outcomes import DeadlineOutcome, Decision, SelfCheckOutcome

__all__ = ["ActionRow", "ClueRow", "CountyReturn", "Window", "clue_rows", "county_return_figures"]

T = TypeVar("T", "ClueRow", "ActionRow")
TOTAL_ID = ""  # the 合计 row's institution id
TOTAL_NAME = "合计"
ANSWERED = (DeadlineOutcome.MET, DeadlineOutcome.MET_LATE)


@dataclass(frozen=True)
class CountyReturn:
    """The two tables of one county's return for one month, with their 合计 rows."""

    region_code: str
    region_name: str
    period: str
    first_month: str
    as_of: date  # the period's last day: every figure is as of its end
    due_on: date  # 次月10日
    clues: list[ClueRow]
    clue_total: ClueRow
    actions: list[ActionRow]
    action_total: ActionRow

    def figures(self) -> dict[str, object]:
        """The 合计 figures, labelled (what `sjg report county-return` prints)."""
        out: dict[str, object] = {"县区 / county": f"{self.region_name}（{self.region_code}）"}
        out["期间 / months"] = f"{self.first_month} — {self.period}（历月累计）"
        out["机构数 / institutions"] = len(self.clues)
        for f in fields(self.clue_total)[2:]:
            out[f"表1 {f.name}"] = getattr(self.clue_total, f.name)
        for f in fields(self.action_total)[2:]:
            out[f"表2 {f.name}"] = getattr(self.action_total, f.name)
        return out


def county_return_figures(
    session: Session, user: User, region_code: str, period: str, *, today: date
) -> CountyReturn:
    """The county's return for `period` (YYYY-MM), as `user` may see it, generated on `today`.

    Refused: a region that is not a county, one outside the user's jurisdiction (404),
    a month not yet over (today ≤ its last day), a county that had received (been pushed)
    no clue of the year by the end of the month (an all-zero return would look empty).
    """
    require(user, Action.COUNTY_RETURN)
    region = _county(session, user, region_code)
    window = Window.of(_month(period))
    _closed(window.period, today)
    scope = _clue_scope(user, region.code, window)
    clues = clue_rows(session, scope, window)
    if not clues:
        raise InvalidInputError(
            f"{region.code} 截至 {window.period} 月末，当年没有推送到本县（区）的线索，无需生成月报",
            f"{region.code} had received no clue of {window.period.year} by the end of {window.period}:"
            " no return to generate",
            code="no_clues_in_year",
        )
    actions = action_rows(session, user, region.code, window)
    ids = sorted(set(clues) | set(actions))
    names = _names(session, ids)
    clue_list = [_named(clues.get(i) or ClueRow(i, ""), names) for i in ids]
    action_list = [_named(actions.get(i) or ActionRow(i, ""), names) for i in ids]
    return CountyReturn(
        region_code=region.code,
        region_name=_region_name(session, region.code),
        period=str(window.period),
        first_month=str(window.first),
        as_of=window.period.last_day,
        due_on=due_on(str(window.period)),
        clues=clue_list,
        clue_total=_total(clue_list, ClueRow(TOTAL_ID, TOTAL_NAME)),
        actions=action_list,
        action_total=_total(action_list, ActionRow(TOTAL_ID, TOTAL_NAME)),
    )


def _month(period: str) -> Period:
    parsed = Period.parse(period)
    if parsed.month is None:
        raise InvalidInputError(
            f"月份应为 YYYY-MM：{period}", f"the period must be a month YYYY-MM: {period}", code="bad_period"
        )
    return parsed


def _county(session: Session, user: User, region_code: str) -> RegionCode:
    region = require_region(user, region_code)
    if region.level is not RegionLevel.COUNTY:
        raise InvalidInputError(
            f"县区月报只按县（区）生成：{region.code} 不是县级区划",
            f"a county return is for a county: {region.code} is not one",
            code="not_a_county",
        )
    return region


def _closed(period: Period, today: date) -> None:
    if today <= period.last_day:
        raise InvalidInputError(
            f"{period} 尚未结束：县区月报在次月 1 日起生成（历月累计到月末）",
            f"{period} is not over yet: a county return can be generated from the 1st of the next month",
            code="period_not_closed",
        )


def _clue_scope(user: User, region_code: str, window: Window) -> ColumnElement[bool]:
    """The clues of the return: the user's, of the county, of the months January … period."""
    return clue_filter(user) & within_region(Clue.region_code, region_code) & Clue.period.in_(window.months)


def clue_rows(session: Session, scope: ColumnElement[bool], window: Window) -> dict[str, ClueRow]:
    """表1 per institution (only institutions with a received clue)."""
    rows: dict[str, ClueRow] = {}

    def row(inst: str) -> ClueRow:
        return rows.setdefault(inst, ClueRow(inst, ""))

    for inst, started, amount in _select(session, scope, None, Deadline.started_on, Clue.amount_involved):
        if started <= window.period.last_day:
            row(inst).received += 1
            row(inst).amount_involved += _money(amount)
    for inst, at, outcome in _select(session, scope, SelfCheck, SelfCheck.submitted_at, SelfCheck.outcome):
        if window.holds(at):
            row(inst).self_checked += 1
            row(inst).self_confirmed += outcome == SelfCheckOutcome.CONFIRMED
    for inst, closed, first, outcome in _select(
        session, scope, None, Deadline.closed_at, Deadline.first_due_on, Deadline.outcome
    ):
        if window.holds(closed) and outcome in ANSWERED and china_date(closed) <= first:
            row(inst).on_time += 1
    _steps(session, scope, window, row)
    return {inst: r for inst, r in rows.items() if r.received}


def _steps(
    session: Session, scope: ColumnElement[bool], window: Window, row: Callable[[str], ClueRow]
) -> None:
    """抽中、核实、认定、办结、申诉 by the end of the window."""
    drawn = (
        select(Clue.institution_id, SamplingDraw.drawn_at)
        .join(SamplingMember, SamplingMember.clue_id == Clue.id)
        .join(SamplingDraw, SamplingDraw.id == SamplingMember.draw_id)
        .where(scope, SamplingMember.drawn.is_(True))
    )
    for inst, at in session.execute(drawn):
        row(inst).sampled += window.holds(at)
    for inst, at in _select(session, scope, Verification, Verification.verified_at):
        row(inst).verified += window.holds(at)
    for inst, at, decision, amount in _select(
        session, scope, CaseDecision, CaseDecision.decided_at, CaseDecision.decision, Clue.amount_involved
    ):
        if window.holds(at):
            row(inst).decided += 1
            if decision == Decision.UNREASONABLE:
                row(inst).unreasonable += 1
                row(inst).amount_confirmed += _money(amount)
    closed = select(Clue.institution_id, Clue.updated_at).where(scope, Clue.status == ClueStatus.CLOSED)
    for inst, at in session.execute(closed):
        row(inst).closed += window.holds(at)
    for inst, at in _select(session, scope, Appeal, Appeal.filed_at):
        row(inst).appealed += window.holds(at)


SELF_CHECK = "self_check"  # the step of the self-check deadline


def _select(session: Session, scope: ColumnElement[bool], step: Any, *columns: Any) -> list[Any]:
    """(institution, *columns) of the scoped clues joined to one step's table (None: the
    self-check deadline)."""
    query = select(Clue.institution_id, *columns).where(scope)
    if step is None:
        query = query.join(Deadline, (Deadline.clue_id == Clue.id) & (Deadline.step == SELF_CHECK))
    else:
        query = query.join(step, step.clue_id == Clue.id)
    return list(session.execute(query).all())


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _names(session: Session, ids: list[str]) -> dict[str, str]:
    found = session.execute(select(Institution.id, Institution.name).where(Institution.id.in_(ids)))
    return {str(i): str(n or i) for i, n in found}


def _named(row: T, names: dict[str, str]) -> T:
    row.name = names.get(row.institution_id, row.institution_id)
    return row


def _total(rows: list[T], total: T) -> T:
    for r in rows:
        total.add(r)
    return total


def _region_name(session: Session, code: str) -> str:
    region = session.get(Region, code)
    return region.name if region is not None and region.name else code
