"""年度责任追究汇总 figures: per institution of a region, one calendar year (seed 003 art. 16-25).

Read through the jurisdiction filters (`access.jurisdiction.visible`) within `region_code`,
for a caller who may read accountability (`accountability.read`, as `GET
/api/v1/accountability/proposals`) and answers for the region (an institution is refused:
404, as for any region outside one's jurisdiction). Per institution:

- 情形 (situations) per article 16-25: the ladder's proposals of the year
  (`accountability_proposals.year`) that stand — 待确认 or 已确认; a proposal rejected
  (驳回) or withdrawn (撤回, its condition no longer met) is not a situation. One proposal
  is one subject meeting one ladder row in one window (art. 34's counting).
- 处理 (actions taken): the confirmed ones, and of them 从轻减轻 / 免予追究 / 从重 (art. 12);
  those still 待确认; the facts recorded in the year (`accountability_events` by
  `occurred_on`): 约谈机构负责人, 行政处罚 (art. 16), 拒不落实 (art. 33).
- 记分 (seed 001): penalty points of the scoring year (`point_records.year`, the year of
  approval), records in force (not revoked; 免予记分 count 0): the institution's own points,
  its staff's points and how many of its staff were scored.

A 合计 row sums every column. A year without any of these is refused (never an empty table).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import extract, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import visible, within_region
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.scope import require_region
from sanjianguan.errors import InvalidInputError, NotFoundError
from sanjianguan.workflow_db.models import (
    AccountabilityEvent,
    AccountabilityProposal,
    Institution,
    PointRecord,
    PointState,
    Region,
    User,
)
from sanjianguan.workflow_db.models.accountability import Mitigation, ProposalStatus

ARTICLES = tuple(str(n) for n in range(16, 26))
STANDING = (ProposalStatus.PROPOSED.value, ProposalStatus.CONFIRMED.value)
FACT_KINDS = ("interview", "admin_penalty", "not_carried_out")
ACTIONS = ("confirmed", "lighter", "exempted", "aggravated", "pending", *FACT_KINDS)
POINTS = ("institution_points", "staff_points", "staff_scored")


@dataclass
class YearlyRow:
    """One institution's year (or the 合计 row, institution_id "")."""

    institution_id: str
    name: str
    situations: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ARTICLES, 0))
    actions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    points: dict[str, int] = field(default_factory=lambda: dict.fromkeys(POINTS, 0))

    @property
    def situations_total(self) -> int:
        return sum(self.situations.values())

    def add(self, other: YearlyRow) -> None:
        for mine, theirs in ((self.situations, other.situations), (self.actions, other.actions)):
            for key, value in theirs.items():
                mine[key] += value
        for key, value in other.points.items():
            self.points[key] += value


@dataclass(frozen=True)
class YearlyFigures:
    region_code: str
    region_name: str
    year: int
    rows: tuple[YearlyRow, ...]
    total: YearlyRow

    def figures(self) -> dict[str, object]:
        """The figures the CLI prints."""
        t = self.total
        return {
            "区划 / region": f"{self.region_code} {self.region_name}",
            "年度 / year": self.year,
            "机构数 / institutions": len(self.rows),
            **{f"第{a}条情形 / art. {a}": t.situations[a] for a in ARTICLES},
            "情形合计 / situations": t.situations_total,
            **{f"处理 {k}": v for k, v in t.actions.items()},
            **{f"记分 {k}": v for k, v in t.points.items()},
        }


def _proposals(session: Session, user: User, region: str, year: int) -> Iterable[AccountabilityProposal]:
    query = visible(user, AccountabilityProposal).where(
        within_region(AccountabilityProposal.region_code, region),
        AccountabilityProposal.year == year,
        AccountabilityProposal.article.in_(ARTICLES),
        AccountabilityProposal.status.in_(STANDING),
    )
    return session.scalars(query)


def _facts(session: Session, user: User, region: str, year: int) -> Iterable[AccountabilityEvent]:
    query = visible(user, AccountabilityEvent).where(
        within_region(AccountabilityEvent.region_code, region),
        extract("year", AccountabilityEvent.occurred_on) == year,
    )
    return session.scalars(query)


def _points(session: Session, user: User, region: str, year: int) -> Iterable[PointRecord]:
    query = visible(user, PointRecord).where(
        within_region(PointRecord.region_code, region),
        PointRecord.year == year,
        PointRecord.state == PointState.ACTIVE.value,
    )
    return session.scalars(query)


def _count(rows: dict[str, YearlyRow], session: Session, user: User, region: str, year: int) -> None:
    for p in _proposals(session, user, region, year):
        row = rows[p.institution_id]
        row.situations[p.article] += 1
        if p.status == ProposalStatus.CONFIRMED.value:
            row.actions["confirmed"] += 1
            if p.mitigation != Mitigation.NONE.value:
                row.actions[str(p.mitigation)] += 1
        else:
            row.actions["pending"] += 1
    for fact in _facts(session, user, region, year):
        if fact.kind in FACT_KINDS:
            rows[fact.institution_id].actions[fact.kind] += 1
    staff: dict[str, set[str]] = defaultdict(set)
    for rec in _points(session, user, region, year):
        points = 0 if rec.exempt else rec.points
        if rec.party_kind == "institution":
            rows[rec.institution_id].points["institution_points"] += points
        else:
            rows[rec.institution_id].points["staff_points"] += points
            staff[rec.institution_id].add(rec.party_id)
    for inst, people in staff.items():
        rows[inst].points["staff_scored"] = len(people)


def yearly_figures(
    session: Session, user: User, region_code: str, year: int, *, today: date
) -> YearlyFigures:
    """The year's summary of `region_code` as `user` sees it."""
    require(user, Action.ACCOUNTABILITY_READ)
    region = require_region(user, region_code)
    if not 2000 <= year <= today.year:
        raise InvalidInputError(
            f"年度应在 2000 至 {today.year} 之间：{year}",
            f"year must lie between 2000 and {today.year}: {year}",
            code="invalid_year",
        )
    rows: dict[str, YearlyRow] = defaultdict(lambda: YearlyRow("", ""))
    _count(rows, session, user, region.code, year)
    if not rows:
        raise NotFoundError(
            f"{region.code} {year} 年无责任追究情形、追责事实或记分，无可汇总的内容",
            f"nothing to sum up for {region.code} in {year}: no accountability, facts or points",
            code="yearly_no_data",
        )
    names = dict(
        session.execute(select(Institution.id, Institution.name).where(Institution.id.in_(rows))).all()
    )
    ordered = tuple(
        YearlyRow(inst, names.get(inst) or inst, r.situations, r.actions, r.points)
        for inst, r in sorted(rows.items())
    )
    total = YearlyRow("", "合计")
    for row in ordered:
        total.add(row)
    found = session.get(Region, region.code)
    name = found.name if found is not None and found.name else region.code
    return YearlyFigures(region.code, name, year, ordered, total)
