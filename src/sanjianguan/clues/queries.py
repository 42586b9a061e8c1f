"""Reading clues for a user: always through the jurisdiction filter and the role's permissions.

A list is ordered by id unless a `ClueOrder` names one of the sortable columns
(`SORTABLE`; ties are broken by id, empty values last); a `ClueFilter.within` restricts
it to the ids of a subquery (e.g. the overdue clues of `cases.deadlines.overdue_clue_ids`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, case, func, literal_column, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression

from sanjianguan.access import jurisdiction
from sanjianguan.access.jurisdiction import get_clue, sees_identities, visible_clues
from sanjianguan.access.permissions import Action, require
from sanjianguan.errors import InvalidInputError, PermissionDeniedError
from sanjianguan.workflow_db.models import Clue, ClueStatus, User
from sanjianguan.workflow_db.planner import likely

# Columns a list may be sorted by; the status sorts in the loop's order, not alphabetically.
SORTABLE: dict[str, ColumnElement[Any] | InstrumentedAttribute[Any]] = {
    "period": Clue.period,
    "event_date": Clue.event_date,
    # `+ 0`: a number on every backend (SQLite keeps amounts as text, which would sort "50" < "7");
    # written as SQL text, not a bound parameter, so that the index on (amount_involved + 0)
    # of migration 0009 matches it (largest first: a month's list from the index).
    "amount_involved": Clue.amount_involved + literal_column("0", Integer),
    "status": case({status.value: i for i, status in enumerate(ClueStatus)}, value=Clue.status, else_=99),
    "rule_id": Clue.rule_id,
    "created_at": Clue.created_at,
}


@dataclass(frozen=True)
class ClueOrder:
    """The order of a list: one of `SORTABLE` (or `id`), ascending or descending; ties by id."""

    column: str = "id"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.column != "id" and self.column not in SORTABLE:
            raise InvalidInputError(
                f"不能按 {self.column} 排序", f"cannot sort by {self.column}", code="invalid_sort"
            )

    def clauses(self) -> list[ColumnElement[Any]]:
        if self.column == "id":
            return [Clue.id.desc() if self.descending else Clue.id.asc()]
        column = SORTABLE[self.column]
        first = (column.desc() if self.descending else column.asc()).nulls_last()
        return [first, Clue.id.asc()]


BY_ID = ClueOrder()


@dataclass(frozen=True)
class ClueFilter:
    """Optional filters of a clue list; `rule_ids`: one of these (a category/grade resolved to ids)."""

    period: str | None = None
    status: str | None = None
    rule_id: str | None = None
    institution_id: str | None = None
    doctor_id: str | None = None
    rule_ids: tuple[str, ...] | None = None
    within: Select[str] | None = None  # only clues whose id this subquery yields


@dataclass(frozen=True)
class CluePage:
    items: list[Clue]
    total: int


def list_clues(
    session: Session,
    user: User,
    where: ClueFilter,
    *,
    limit: int,
    offset: int,
    order: ClueOrder = BY_ID,
    total: int | None = None,
) -> CluePage:
    """The clues `user` may see, filtered, in `order` (default: by id), one page of them and the total.

    The total needs its own COUNT only when the caller does not know it (`total`, e.g. a
    cached `count_clues`) and the page does not show them all (a first page shorter than
    `limit` is the total).
    """
    query = _filtered(user, where)
    if order.column == "amount_involved" and order.descending:
        query = _region_ranges_likely(query)
    # The page's ids first (from an index where one covers the filter and the order), then
    # only their rows: the sort does not carry every matching row's columns.
    page = query.with_only_columns(Clue.id).order_by(*order.clauses()).limit(limit).offset(offset)
    ids = list(session.execute(page).scalars())
    rows = {clue.id: clue for clue in session.execute(select(Clue).where(Clue.id.in_(ids))).scalars()}
    items = [rows[ident] for ident in ids if ident in rows]
    if total is not None:
        return CluePage(items=items, total=total)
    if offset == 0 and len(items) < limit:
        return CluePage(items=items, total=len(items))
    return CluePage(items=items, total=_count(session, query))


def count_clues(session: Session, user: User, where: ClueFilter) -> int:
    """How many clues of `where` the user may see (the total of `list_clues`)."""
    return _count(session, _filtered(user, where))


def _count(session: Session, query: Select[Any]) -> int:
    counted: int = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    return counted


def _region_ranges_likely(query: Select[Any]) -> Select[Any]:
    """The region's range conditions marked `likely` (SQLite then reads the list in the order
    of `ix_clues_list_amount`, migration 0009, and stops after the page, instead of sorting
    the month's rows of the region: 0.1 ms against 30 ms at a city's month)."""
    region = Clue.__table__.c.region_code

    def mark(element: visitors.ExternallyTraversible) -> visitors.ExternallyTraversible | None:
        if (
            isinstance(element, BinaryExpression)
            and element.operator in (operators.ge, operators.lt)
            and element.left.compare(region)
        ):
            return likely(element)
        return None

    marked = visitors.replacement_traverse(query, {}, mark)  # type: ignore[call-overload]
    assert isinstance(marked, Select)
    return marked


def _filtered(user: User, where: ClueFilter) -> Select[Any]:
    """The visible clues matching `where` (permission and 双盲 checked)."""
    require(user, Action.CLUE_READ)
    if not sees_identities(user) and (where.institution_id is not None or where.doctor_id is not None):
        # 双盲: filtering by an identity would tell the expert whose clue it is.
        raise PermissionDeniedError(
            "专家不能按机构或医生筛选线索",
            "experts may not filter clues by institution or doctor",
            code="identity_filter_forbidden",
        )
    query = visible_clues(user)
    for column, value in (
        (Clue.period, where.period),
        (Clue.status, where.status),
        (Clue.rule_id, where.rule_id),
        (Clue.institution_id, where.institution_id),
        (Clue.doctor_id, where.doctor_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if where.rule_ids is not None:
        query = query.where(Clue.rule_id.in_(where.rule_ids))
    if where.within is not None:
        query = query.where(Clue.id.in_(where.within))
    return query


def read_clue(session: Session, user: User, clue_id: str) -> Clue:
    """One clue, if `user` may see it (NotFoundError otherwise)."""
    require(user, Action.CLUE_READ)
    return get_clue(session, user, clue_id)


def visible_institutions(session: Session, user: User) -> dict[str, str]:
    """Id → name of the institutions `user` may filter clues by (experts: none, 双盲)."""
    require(user, Action.CLUE_READ)
    if not sees_identities(user):
        return {}
    return jurisdiction.visible_institutions(session, user)
