"""线索统计 (驾驶舱的数字): a month's clues counted for one user, and the figures around them.

The dashboard page (首页/驾驶舱) and `GET /api/v1/statistics/clues` both call
`clue_counts`, so a number on the page is the API's number for the same user: the same
jurisdiction filter (`access.jurisdiction.visible_clues`) and the same permission
(`clue.read`) as the clue list. The category (类别, article 17) of a clue is its rule's,
from the rule catalogue (`clues.rulebook`); clues raised by a failing indicator have none
and are counted under `indicator` (指标线索).

Besides the counts by status and category, one call gives: the top 10 rules and
institutions (experts: no institutions, the double-blind rule), the amounts involved
per category, the on-time self-check rate, sampling and verification progress, the
overdue items (only for a role that may read the overdue list), the failing indicators
and the data reporting status of the month (from the analytic store, `store_figures`),
and the 12 months' trend. The progress figures are `cases.progress`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import sees_identities, visible_clues, visible_institutions
from sanjianguan.access.permissions import Action, can, require
from sanjianguan.cases.progress import (
    SamplingProgress,
    SelfCheckRate,
    overdue_count,
    sampling,
    self_check_rate,
)
from sanjianguan.cases.states import ClueStatus
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.period import Period
from sanjianguan.rules.model import Category
from sanjianguan.workflow_db.models import Clue, Institution, User

INDICATOR = "indicator"  # the category key of clues without a rule category
INDICATOR_ZH = "指标线索"
TOP = 10  # rows of the top rules / institutions
TREND_MONTHS = 12


@dataclass(frozen=True)
class Count:
    """One row of a count table: the key (a status or category value), its Chinese name, the count."""

    key: str
    label_zh: str
    count: int


@dataclass(frozen=True)
class Amount:
    """涉及金额 of one category: the sum of the clues' amounts involved (yuan, exact)."""

    key: str
    label_zh: str
    amount: Decimal


@dataclass(frozen=True)
class TrendPoint:
    """One month of the trend: the clues the user may see and their amounts involved."""

    period: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class StoreFigures:
    """What the analytic store says of the month for the user's institutions."""

    failing_indicators: int  # institution-level indicator results not meeting their target
    reporting: list[Count]  # institutions per reporting status (按时上报, 迟报, 未报, 未接入, 待上报)


# Reads the store for (month, the user's institutions); None: no store in the data folder.
StoreReader = Callable[[str, Collection[str]], StoreFigures | None]


@dataclass(frozen=True)
class ClueCounts:
    """A month's clues that a user may see, and the dashboard's other figures for that month.

    `by_institution`, `failing_indicators`, `reporting`: None for an expert (no institution
    may be named to them); `overdue`: None unless the role may read the overdue list;
    `failing_indicators`/`reporting` also None when there is no analytic store.
    """

    period: str | None
    total: int
    by_status: list[Count]
    by_category: list[Count]
    by_rule: list[Count]
    by_institution: list[Count] | None
    amounts: list[Amount]
    amount_total: Decimal
    self_check: SelfCheckRate
    sampling: SamplingProgress
    overdue: int | None
    failing_indicators: int | None
    reporting: list[Count] | None
    trend: list[TrendPoint]


def latest_period(session: Session, user: User) -> str | None:
    """The latest month with a clue that `user` may see (None: no clue at all)."""
    require(user, Action.CLUE_READ)
    # Month by month from the latest of all (each step two index seeks), instead of the
    # max over every clue the user may see (at a city's year: a million rows' scan).
    month = session.execute(select(func.max(Clue.period))).scalar_one_or_none()
    while month is not None:
        seen = visible_clues(user).where(Clue.period == month).with_only_columns(Clue.id).limit(1)
        if session.execute(seen).first() is not None:
            return str(month)
        month = session.execute(select(func.max(Clue.period)).where(Clue.period < month)).scalar_one_or_none()
    return None


def clue_counts(
    session: Session,
    user: User,
    rules: RuleBook,
    period: str | None,
    *,
    today: date | None = None,
    store: StoreReader | None = None,
) -> ClueCounts:
    """The clues of `period` (None: the latest month with clues) that `user` may see, counted.

    Every status and every category is listed, zeros included, in a fixed order. `today`
    (China date; default: the last day of the month) dates the self-check rate and the
    overdue items; `store` reads the analytic store's figures (None: not shown).
    """
    require(user, Action.CLUE_READ)
    month = period if period is not None else latest_period(session, user)
    day = today or (Period.parse(month).last_day if month else date.today())
    groups = _per_status_and_rule(session, user, month) if month is not None else []
    statuses = dict.fromkeys(ClueStatus, 0)
    categories: dict[str, int] = {category.value: 0 for category in Category} | {INDICATOR: 0}
    amounts: dict[str, Decimal] = dict.fromkeys(categories, Decimal(0))
    per_rule: dict[str, int] = {}
    for status, rule_id, count, amount in groups:
        statuses[ClueStatus(status)] += count
        category = _category(rules, rule_id)
        categories[category] += count
        amounts[category] += amount
        per_rule[rule_id] = per_rule.get(rule_id, 0) + count
    blind = not sees_identities(user)
    figures = store(month, _institutions(session, user)) if store and month and not blind else None
    return ClueCounts(
        period=month,
        total=sum(statuses.values()),
        by_status=[Count(s.value, s.label_zh, n) for s, n in statuses.items()],
        by_category=[Count(key, _category_zh(key), n) for key, n in categories.items()],
        by_rule=[Count(r, _rule_zh(rules, r), n) for r, n in top(per_rule)],
        by_institution=None if blind else _top_institutions(session, user, month),
        amounts=[Amount(key, _category_zh(key), amount) for key, amount in amounts.items()],
        amount_total=sum(amounts.values(), Decimal(0)),
        self_check=self_check_rate(session, user, month, day),
        sampling=sampling(session, user, month),
        overdue=overdue_count(session, user, day) if can(user, Action.DEADLINE_READ) else None,
        failing_indicators=figures.failing_indicators if figures else None,
        reporting=figures.reporting if figures else None,
        trend=_trend(session, user, month),
    )


def top(counts: dict[str, int], size: int = TOP) -> list[tuple[str, int]]:
    """The `size` largest counts, most first; ties by key (so the cut is the same every time)."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:size]


def _per_status_and_rule(session: Session, user: User, period: str) -> list[tuple[str, str, int, Decimal]]:
    visible = visible_clues(user).where(Clue.period == period).subquery()
    query = select(
        visible.c.status,
        visible.c.rule_id,
        func.count(),
        func.coalesce(func.sum(visible.c.amount_involved), 0),
    ).group_by(visible.c.status, visible.c.rule_id)
    return [(str(s), str(r), int(n), _money(a)) for s, r, n, a in session.execute(query)]


def _top_institutions(session: Session, user: User, period: str | None) -> list[Count]:
    if period is None:
        return []
    visible = visible_clues(user).where(Clue.period == period).subquery()
    count = func.count().label("n")
    rows = session.execute(
        select(visible.c.institution_id, count)
        .group_by(visible.c.institution_id)
        .order_by(count.desc(), visible.c.institution_id)
        .limit(TOP)
    ).all()
    ids = [str(row[0]) for row in rows]
    names = dict(
        session.execute(select(Institution.id, Institution.name).where(Institution.id.in_(ids))).all()
    )
    return [Count(str(inst), names.get(inst) or str(inst), int(n)) for inst, n in rows]


def _institutions(session: Session, user: User) -> list[str]:
    """The ids of the institutions `user` may see (the store's figures are counted over them)."""
    return list(visible_institutions(session, user))


def _trend(session: Session, user: User, period: str | None) -> list[TrendPoint]:
    if period is None:
        return []
    months = [str(Period.parse(period).shift(-back)) for back in range(TREND_MONTHS - 1, -1, -1)]
    visible = visible_clues(user).where(Clue.period.in_(months)).subquery()
    query = select(
        visible.c.period, func.count(), func.coalesce(func.sum(visible.c.amount_involved), 0)
    ).group_by(visible.c.period)
    found = {str(p): (int(n), _money(a)) for p, n, a in session.execute(query)}
    return [TrendPoint(m, *found.get(m, (0, Decimal(0)))) for m in months]


def _money(value: object) -> Decimal:
    """A sum of the money column as an exact 2-place decimal (SQLite may give a float or text)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _category(rules: RuleBook, rule_id: str) -> str:
    info = rules.get(rule_id)
    return info.category.value if info is not None and info.category is not None else INDICATOR


def _rule_zh(rules: RuleBook, rule_id: str) -> str:
    info = rules.get(rule_id)
    return f"{rule_id} {info.name_zh}" if info is not None and info.name_zh else rule_id


def _category_zh(key: str) -> str:
    return INDICATOR_ZH if key == INDICATOR else Category(key).label_zh
