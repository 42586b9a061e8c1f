"""线索列表 (the clue list): the clues a user may see, filtered, sorted, paged, looked up, exported.

The rows are `clues.queries.list_clues` under the user's jurisdiction with the filter of
`GET /api/v1/clues` (checked in `clue_filters`), each shown as the API shows it to that
user (`routes.clues.clue_view`: experts get the anonymised view, no institution). The
自查期限 column and the working days left come from the store's official calendar
(`cases.deadlines.self_check_dues`). 逾期 narrows to the clues on the overdue list (its
readers only). 线索编号 looks a clue up: one the user may see opens its page, any other
answers "未找到线索" as if it did not exist. The export is every row of the same filter
(`reports.clue_export`), capped at `[web] export_max_rows`.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from sanjianguan.access.jurisdiction import sees_identities
from sanjianguan.access.permissions import Action, can
from sanjianguan.calendar.remaining import DueText, left_zh
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.deadlines import SelfCheckDue, self_check_dues
from sanjianguan.cases.states import STATUS_ZH, ClueStatus
from sanjianguan.clues.ids import resolve_clue_id
from sanjianguan.clues.queries import read_clue, visible_institutions
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.config import Settings
from sanjianguan.errors import NotFoundError
from sanjianguan.reports.clue_export import export_clues, to_xlsx
from sanjianguan.reports.document_file import MEDIA_TYPES
from sanjianguan.rules.model import Category, Grade
from sanjianguan.web.deps import Now, SessionDep, SettingsDep
from sanjianguan.web.downloads import attachment
from sanjianguan.web.pages.clue_filters import ListQuery, clue_filter, may_filter_overdue, read_query
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.web.routes.clues import Labels, Rules, clue_view, listed
from sanjianguan.web.schemas.clues import ClueExpertView, CluePublic
from sanjianguan.workflow_db.models import User

router = APIRouter(include_in_schema=False)
LIST_PAGE = "/clues"
EXPORT = "/clues/export.xlsx"
PAGE_SIZE = 50
NOT_FOUND = "未找到线索：编号不存在，或不在您的管辖范围内"
COLUMNS = (  # (header, sortable column or None, numeric)
    ("编号", None, False),
    ("结算月", "period", False),
    ("规则", "rule_id", False),
    ("类别", None, False),
    ("机构", None, False),
    ("发生日期", "event_date", False),
    ("涉及金额（元）", "amount_involved", True),
    ("状态", "status", False),
    ("自查期限", None, False),
    ("剩余工作日", None, True),
)


@router.get(LIST_PAGE)
def clue_list(
    request: Request, user: PageUser, session: SessionDep, rules: Rules, now: Now, settings: SettingsDep
) -> Response:
    """线索列表."""
    raw = dict(request.query_params)
    lookup = raw.get("id", "").strip()[:160]
    if lookup and (found := _lookup(session, user, lookup)) is not None:
        return redirect(f"{LIST_PAGE}/{quote(found, safe='')}")
    page = _list_page(request, user, session, rules, settings, read_query(raw), china_date(now), lookup)
    if lookup and page.status_code == 200:
        page.status_code = 404  # the list, with 未找到线索 next to the lookup field
    return page


@router.get(EXPORT)
def clue_export(
    request: Request, user: PageUser, session: SessionDep, rules: Rules, now: Now, settings: SettingsDep
) -> Response:
    """线索导出 (.xlsx): every clue of the list's filter, in the list's order."""
    query, today = read_query(dict(request.query_params)), china_date(now)
    where = clue_filter(query, user, rules, visible_institutions(session, user), today)
    if query.errors:
        return _list_page(request, user, session, rules, settings, query, today, "")
    export = export_clues(
        session, user, rules, where, order=query.order, today=today, max_rows=settings.web.export_max_rows
    )
    name = f"线索_{where.period or '全部'}.xlsx"
    return attachment(to_xlsx(export), name, MEDIA_TYPES["xlsx"], f"clues_{where.period or 'all'}.xlsx")


def _list_page(
    request: Request,
    user: User,
    session: SessionDep,
    rules: RuleBook,
    settings: Settings,
    query: ListQuery,
    today: date,
    lookup: str,
) -> Response:
    institutions = visible_institutions(session, user)
    where = clue_filter(query, user, rules, institutions, today)
    context = frame(session, user, page_token(request) or "", active=LIST_PAGE) | _options(user, rules)
    context |= {"q": query, "values": query.values, "institutions": institutions}
    context |= {"lookup": lookup, "lookup_error": NOT_FOUND if lookup else None}
    if query.errors:
        return render("clue_list.html", context | {"rows": None}, status=400)
    offset = (query.page - 1) * PAGE_SIZE
    page = listed(session, user, where, settings, limit=PAGE_SIZE, offset=offset, order=query.order)
    labels = Labels.of(session, rules, page.items)
    dues = self_check_dues(session, user, [clue.id for clue in page.items], today)
    calendar = DueText(calendar_for(session), today)
    rows = [_row(clue_view(user, clue, labels), rules, dues.get(clue.id), calendar) for clue in page.items]
    filters = query.filters_only() | {
        k: v for k, v in (("sort", query.values["sort"]), ("dir", query.values["dir"])) if v
    }
    context |= {
        "rows": rows,
        "total": page.total,
        "pages": max(1, -(-page.total // PAGE_SIZE)),
        "export_url": EXPORT + ("?" + urlencode(filters) if filters else ""),
    }
    return render("clue_list.html", context)


def _lookup(session: SessionDep, user: User, text: str) -> str | None:
    """The id of the clue `text` names if the user may see it (an old id resolves), else None."""
    try:
        return read_clue(session, user, resolve_clue_id(session, user, text)).id
    except NotFoundError:
        return None


def _options(user: User, rules: RuleBook) -> dict[str, Any]:
    return {
        "statuses": [(status.value, label) for status, label in STATUS_ZH.items()],
        "categories": [(c.value, c.label_zh) for c in Category],
        "grades": [(g.value, g.label_zh) for g in Grade],
        "rules": sorted((info.id, f"{info.id} {info.name_zh}") for info in rules.entries.values()),
        "columns": COLUMNS,
        "identities": sees_identities(user),
        "overdue_allowed": may_filter_overdue(user),
        "bulk_allowed": can(user, Action.CLUE_PUSH) or can(user, Action.CLUE_SAMPLE),
    }


def _row(
    view: CluePublic | ClueExpertView, rules: RuleBook, due: SelfCheckDue | None, calendar: DueText
) -> dict[str, Any]:
    info = rules.get(view.rule_id)
    category = info.category.label_zh if info and info.category else ("指标线索" if info else "")
    institution = view.institution_name or view.institution_id if isinstance(view, CluePublic) else None
    return {
        "id": view.id,
        "href": f"{LIST_PAGE}/{quote(view.id, safe='')}",
        "period": view.period,
        "rule_id": view.rule_id,
        "rule_name": view.rule_name or "",
        "category": category,
        "institution": institution,
        "event_date": view.event_date.isoformat() if view.event_date else "",
        "amount": f"{view.amount_involved:,.2f}" if view.amount_involved is not None else "",
        "status": view.status,
        "status_zh": STATUS_ZH[ClueStatus(view.status)],
        "due": due,
        "late": due is not None and due.overdue(calendar.today),
        "left": _left(due, calendar),
    }


def _left(due: SelfCheckDue | None, calendar: DueText) -> str:
    """剩余工作日 of the list's column: a number, 今日截止, 已逾期 N 个工作日, or 已结束 (self-check done)."""
    if due is None:
        return ""
    if not due.open:
        return "已结束"
    if due.overdue(calendar.today):
        return left_zh(calendar.calendar, calendar.today, due.due_on)
    return f"{due.working_days_left}" + ("（暂定）" if due.provisional else "")
