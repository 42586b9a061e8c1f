"""线索统计 (驾驶舱的数字): a month's clues counted by status and by category, for one user.

The dashboard page (首页/驾驶舱) and `GET /api/v1/statistics/clues` both call
`clue_counts`, so a number on the page is the API's number for the same user: the same
jurisdiction filter (`access.jurisdiction.visible_clues`) and the same permission
(`clue.read`) as the clue list. The category (类别, article 17) of a clue is its rule's,
from the rule catalogue (`clues.rulebook`); clues raised by a failing indicator have none
and are counted under `indicator` (指标线索).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import visible_clues
from sanjianguan.access.permissions import Action, require
from sanjianguan.cases.states import ClueStatus
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.rules.model import Category
from sanjianguan.workflow_db.models import Clue, User

INDICATOR = "indicator"  # the category key of clues without a rule category
INDICATOR_ZH = "指标线索"


@dataclass(frozen=True)
class Count:
    """One row of a count table: the key (a status or category value), its Chinese name, the count."""

    key: str
    label_zh: str
    count: int


@dataclass(frozen=True)
class ClueCounts:
    """A month's clues that a user may see: the total, by status (loop order), by category."""

    period: str | None
    total: int
    by_status: list[Count]
    by_category: list[Count]


def latest_period(session: Session, user: User) -> str | None:
    """The latest month with a clue that `user` may see (None: no clue at all)."""
    require(user, Action.CLUE_READ)
    visible = visible_clues(user).subquery()
    found = session.execute(select(func.max(visible.c.period))).scalar_one_or_none()
    return str(found) if found is not None else None


def clue_counts(session: Session, user: User, rules: RuleBook, period: str | None) -> ClueCounts:
    """The clues of `period` (None: the latest month with clues) that `user` may see, counted.

    Every status and every category is listed, zeros included, in a fixed order.
    """
    require(user, Action.CLUE_READ)
    month = period if period is not None else latest_period(session, user)
    per_rule = _per_status_and_rule(session, user, month) if month is not None else {}
    statuses = dict.fromkeys(ClueStatus, 0)
    categories: dict[str, int] = {category.value: 0 for category in Category} | {INDICATOR: 0}
    for (status, rule_id), count in per_rule.items():
        statuses[ClueStatus(status)] += count
        info = rules.get(rule_id)
        category = info.category.value if info is not None and info.category is not None else INDICATOR
        categories[category] += count
    return ClueCounts(
        period=month,
        total=sum(statuses.values()),
        by_status=[Count(s.value, s.label_zh, n) for s, n in statuses.items()],
        by_category=[Count(key, _category_zh(key), n) for key, n in categories.items()],
    )


def _per_status_and_rule(session: Session, user: User, period: str) -> dict[tuple[str, str], int]:
    visible = visible_clues(user).where(Clue.period == period).subquery()
    query = select(visible.c.status, visible.c.rule_id, func.count()).group_by(
        visible.c.status, visible.c.rule_id
    )
    return {(str(row[0]), str(row[1])): int(row[2]) for row in session.execute(query)}


def _category_zh(key: str) -> str:
    return INDICATOR_ZH if key == INDICATOR else Category(key).label_zh
