"""工作月报与工作通报的数字 (one source of figures): a city's or county's month, for one user.

`monthly_figures` is the one call behind the 月报 (.docx, .xlsx), the 通报, `sjg report
monthly|bulletin` and `GET /api/v1/reports/monthly|bulletin`. Its clue figures are the
dashboard's own call (`cases.statistics.clue_counts`, the service behind 首页/驾驶舱 and
`GET /api/v1/statistics/clues`), for the same user, month, today and store, so a number
in the document is the number on the page and in the API. Around them:

- 数据采集: `reports.data.collection` (the dashboard's reporting counts, the names of the
  late, missing and unconnected institutions, the quality scores of `sjg quality`);
- 工作进展 and 查处结果: `reports.data.monthly_results` (the month's clues in their state
  as of today; accountability actions and penalty points dated in the calendar month);
- 机构排名: every institution with clues in the month, by clues, then confirmed amount.

The month is the clues' settlement month (结算月), as on the dashboard. A month with
neither clues nor arrived data is refused (InvalidInputError), never an empty document.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import visible_institutions
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.regions import office_name
from sanjianguan.cases.statistics import ClueCounts, StoreFigures, StoreReader, clue_counts
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.errors import InvalidInputError
from sanjianguan.period import Period
from sanjianguan.reports.data.collection import CollectionFigures, CollectionReader
from sanjianguan.reports.data.monthly_results import (
    ActionCount,
    CaseFigures,
    InstitutionRow,
    PointFigures,
    actions_in_month,
    case_figures,
    institution_rows,
    points_in_month,
)
from sanjianguan.workflow_db.models import Region, User

RANK_TOP = 20  # institutions in the ranking tables


@dataclass(frozen=True)
class MonthlyFigures:
    """Everything the 月报 and the 通报 show, for one user's jurisdiction and one month."""

    period: str
    region_code: str
    region_name: str
    today: date
    counts: ClueCounts  # the dashboard's figures (clues, categories, rules, amounts, progress, trend)
    collection: CollectionFigures | None  # None: no analytic store
    cases: CaseFigures
    actions: list[ActionCount] | None  # None: the role may not read accountability
    points: PointFigures | None  # None: the role may not read penalty points
    institutions: list[InstitutionRow]  # ranked: clues, then confirmed amount, then id

    @property
    def issuer(self) -> str:
        """发文机关: the region's name and 医疗“三监管”办公室 (宜宾市医疗“三监管”办公室)."""
        return office_name(self.region_name)

    @property
    def month_zh(self) -> str:
        month = Period.parse(self.period)
        return f"{month.year}年{month.month}月"

    @property
    def ranking(self) -> list[InstitutionRow]:
        """The institutions with the most clues (at most RANK_TOP)."""
        return self.institutions[:RANK_TOP]

    @property
    def ranking_by_amount(self) -> list[InstitutionRow]:
        """The institutions with confirmed problems, by the confirmed amount (at most RANK_TOP)."""
        found = [row for row in self.institutions if row.confirmed > 0]
        return sorted(found, key=lambda r: (-r.confirmed_amount, -r.confirmed, r.institution_id))[:RANK_TOP]

    @property
    def late_self_checks(self) -> list[InstitutionRow]:
        """The institutions with self-checks not done on time, most first (named in 通报's 要求)."""
        found = [row for row in self.institutions if row.self_check_late > 0]
        return sorted(found, key=lambda r: (-r.self_check_late, r.institution_id))

    def summary(self) -> dict[str, object]:
        """The headline figures, label → value (printed by the CLI, the equality test reads them)."""
        rate = self.counts.self_check.rate
        return {
            "结算月 / period": self.period,
            "辖区 / region": f"{self.region_code} {self.region_name}",
            "线索数 / clues": self.counts.total,
            "涉及金额（元）/ amount": f"{self.counts.amount_total:.2f}",
            "按期自查率 / on-time self-check": "—" if rate is None else f"{rate * 100:.1f}%",
            "抽中核实 / sampled": self.counts.sampling.sampled,
            "已核实 / verified": self.counts.sampling.verified,
            "已裁定 / adjudicated": self.cases.adjudicated,
            "申诉 / appealed": self.cases.appealed,
            "查实问题 / confirmed": self.cases.confirmed,
            "查实金额（元）/ confirmed amount": f"{self.cases.confirmed_amount:.2f}",
            "整改到位 / rectified": self.cases.rectified,
            "涉及机构 / institutions": len(self.institutions),
        }


def monthly_figures(
    session: Session,
    user: User,
    period: str,
    *,
    today: date,
    rules: RuleBook,
    store: CollectionReader | None = None,
) -> MonthlyFigures:
    """The month's figures for `user`'s region (a city: its counties; a county: itself)."""
    require(user, Action.MONTHLY_REPORT)
    month = Period.parse(period).label
    region = _region(session, user)
    names = visible_institutions(session, user)
    collection = store(month, names) if store is not None else None
    counts = clue_counts(session, user, rules, month, today=today, store=_shown(collection))
    _refuse_empty(month, today, counts, collection)
    rows = institution_rows(session, user, month, today)
    return MonthlyFigures(
        period=month,
        region_code=region.code,
        region_name=region.name or region.code,
        today=today,
        counts=counts,
        collection=collection,
        cases=case_figures(session, user, month),
        actions=actions_in_month(session, user, month),
        points=points_in_month(session, user, month),
        institutions=sorted(rows, key=lambda r: (-r.clues, -r.confirmed_amount, r.institution_id)),
    )


def _region(session: Session, user: User) -> Region:
    """The user's region (a regional role always has one: MONTHLY_REPORT is only theirs)."""
    if not user.region_code:
        raise InvalidInputError(
            "该用户没有辖区，不能生成工作月报", "the user has no region to report on", code="no_region"
        )
    found = session.get(Region, user.region_code)  # not registered yet: named by its code
    return found if found is not None else Region(code=user.region_code, name="")


def _shown(collection: CollectionFigures | None) -> StoreReader | None:
    """The dashboard's store reader answering from the figures already read (one store visit)."""
    if collection is None:
        return None

    def read(_period: str, _institutions: Collection[str]) -> StoreFigures:
        return collection.store

    return read


def _refuse_empty(month: str, today: date, counts: ClueCounts, collection: CollectionFigures | None) -> None:
    if Period.parse(month).start > today:
        raise InvalidInputError(
            f"{month} 尚未开始，不能生成该月的工作月报或通报",
            f"{month} has not begun: no monthly report or bulletin for it yet",
            code="month_not_begun",
        )
    if counts.total == 0 and (collection is None or collection.arrived == 0):
        raise InvalidInputError(
            f"该月没有数据：{month} 辖区内既无线索，也无机构上报数据，不生成空白的月报或通报",
            f"no data for {month}: no clues and no institution's data in the jurisdiction",
            code="empty_month",
        )
