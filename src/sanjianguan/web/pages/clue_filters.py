"""线索列表的筛选条件: the clue list's GET form read and checked, shared by the list and its export.

Every value is checked against a fixed list (status, category, grade, the rule catalogue,
the institutions the user may see) or a format (month); a bad one is named by its field
in Chinese and kept in the form (the page answers 400). The checked filter is the very
`ClueFilter` of `GET /api/v1/clues` (category/grade resolved to rule ids the same way),
plus the page's own 逾期 (overdue) filter, the order and the page number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar
from urllib.parse import urlencode

from sanjianguan.access.permissions import Action, can
from sanjianguan.cases.deadlines import overdue_clue_ids
from sanjianguan.cases.states import ClueStatus
from sanjianguan.clues.queries import SORTABLE, ClueFilter, ClueOrder
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.period import Period, PeriodError
from sanjianguan.rules.model import Category, Grade
from sanjianguan.workflow_db.models import User

T = TypeVar("T")
FIELDS = ("period", "status", "category", "rule_id", "grade", "institution_id", "overdue")
ERRORS = {
    "period": "结算月应为 YYYY-MM 格式，如 2026-03",
    "status": "请从列表中选择状态",
    "category": "请从列表中选择类别",
    "rule_id": "规则编号不在规则目录中",
    "grade": "请从列表中选择级别",
    "institution_id": "请从列表中选择本辖区的机构",
    "overdue": "逾期筛选只能勾选或不选",
    "sort": "不能按该列排序",
    "page": "页码应为正整数",
}


@dataclass
class ListQuery:
    """The list form as given (`values`, kept for the form and the links) and as checked."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    sort: str = "id"
    descending: bool = False
    page: int = 1

    def link(self, **changes: str | int | None) -> str:
        """The list's URL with these filters, order and page, some changed (None: left out)."""
        params: dict[str, str | int | None] = {key: self.values.get(key) for key in FIELDS}
        params["sort"] = None if self.sort == "id" else self.sort
        params["dir"] = "desc" if self.descending else None
        params |= changes
        kept = {key: value for key, value in params.items() if value not in (None, "")}
        return "/clues" + ("?" + urlencode(kept) if kept else "")

    def filters_only(self) -> dict[str, str]:
        return {key: value for key in FIELDS if (value := self.values.get(key))}

    @property
    def order(self) -> ClueOrder:
        return ClueOrder(self.sort, self.descending)


def read_query(raw: dict[str, str]) -> ListQuery:
    """The form's values, trimmed; the order and the page checked."""
    values = {key: raw.get(key, "").strip() for key in (*FIELDS, "sort", "dir", "page")}
    query = ListQuery(values)
    sort = values["sort"] or "id"
    if sort != "id" and sort not in SORTABLE:
        query.errors["sort"] = ERRORS["sort"]
    else:
        query.sort = sort
    query.descending = values["dir"] == "desc"
    page = values["page"] or "1"
    if not page.isdigit() or int(page) < 1 or len(page) > 6:
        query.errors["page"] = ERRORS["page"]
    else:
        query.page = int(page)
    return query


def clue_filter(
    query: ListQuery, user: User, rules: RuleBook, institutions: dict[str, str], today: date
) -> ClueFilter:
    """The checked `ClueFilter` (errors noted in `query.errors`, those fields left out)."""
    v, errors = query.values, query.errors
    period = _checked(v["period"], _month, "period", errors)
    status = _checked(v["status"], lambda s: ClueStatus(s).value, "status", errors)
    category = _checked(v["category"], Category, "category", errors)
    grade = _checked(v["grade"], Grade, "grade", errors)
    rule_id = _checked(v["rule_id"], lambda r: r if rules.get(r) else None, "rule_id", errors)
    institution = v["institution_id"] or None
    if institution is not None and institutions and institution not in institutions:
        errors["institution_id"] = ERRORS["institution_id"]
        institution = None
    if v["overdue"] not in ("", "1"):
        errors["overdue"] = ERRORS["overdue"]
    by_kind = category is not None or grade is not None
    rule_ids = tuple(rules.ids(category=category, grade=grade)) if by_kind else None
    return ClueFilter(
        period=period,
        status=status,
        rule_id=rule_id,
        institution_id=institution,  # an expert's: refused by list_clues (403), as the API does
        rule_ids=rule_ids,
        within=overdue_clue_ids(user, today) if v["overdue"] == "1" else None,
    )


def may_filter_overdue(user: User) -> bool:
    """逾期 is the office's overdue list (`GET /api/v1/deadlines/overdue`): its readers only."""
    return can(user, Action.DEADLINE_READ)


def _month(value: str) -> str:
    return str(Period.parse(value))


def _checked(value: str, parse: Callable[[str], T | None], name: str, errors: dict[str, str]) -> T | None:
    """`parse(value)`; an empty value is no filter, a bad one is noted under `name`."""
    if not value:
        return None
    try:
        parsed = parse(value)
    except (ValueError, PeriodError):
        parsed = None
    if parsed is None:
        errors[name] = ERRORS[name]
    return parsed
