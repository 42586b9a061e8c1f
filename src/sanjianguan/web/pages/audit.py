"""审计 (the audit log page): a searchable, paged audit log of the user's jurisdiction, and the chain's state.

For the roles with `audit.read` (auditor, office). The events are `cases.audit_log.audit_log`:
those whose subject (clue, user, institution, region, ...) the user may see, each shown as
the case history shows it. Filters (time range in China dates, actor, event type, object
id) are a GET form: the page changes nothing. At the top, the hash chain's verification
(`audit.status.chain_status`, what `sjg audit verify` checks: intact, or the first broken
link, and the signed checkpoints if the data folder has them), run when the page is opened.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from sanjianguan.audit.chain import canonical
from sanjianguan.audit.search import AuditQuery, event_labels
from sanjianguan.audit.status import chain_status
from sanjianguan.calendar.workdays import start_of_day
from sanjianguan.cases.audit_log import audit_log
from sanjianguan.web.deps import HomeDep, Now, SessionDep
from sanjianguan.web.pages.display import when
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import PageUser, page_token
from sanjianguan.web.pages.templating import render

router = APIRouter(include_in_schema=False)
AUDIT_PAGE = "/audit"
DATE_ERROR = "日期应为 YYYY-MM-DD 格式，如 2026-03-01"
ORDER_ERROR = "结束日期不能早于开始日期"
FIELDS = ("since", "until", "actor", "event", "subject")
Text = Annotated[str | None, Query(max_length=160)]


def _day(value: str, field: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = DATE_ERROR
        return None


def _query(values: dict[str, str], page: int, errors: dict[str, str]) -> AuditQuery:
    since, until = _day(values["since"], "since", errors), _day(values["until"], "until", errors)
    if since and until and until < since:
        errors["until"] = ORDER_ERROR
    return AuditQuery(
        since=start_of_day(since) if since else None,
        until=start_of_day(until + timedelta(days=1)) if until else None,  # the end date included
        actor=values["actor"] or None,
        event=values["event"] or None,
        subject_id=values["subject"] or None,
        page=page,
    )


def _shown(item: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    detail = {key: item[key] for key in ("before", "after", "payload") if item[key]}
    return item | {
        "when": when(item["occurred_at"]),
        "event_zh": labels.get(item["event"], ""),
        "detail": canonical(detail) if detail else "",
    }


@router.get(AUDIT_PAGE)
def audit_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    now: Now,
    home: HomeDep,
    since: Text = None,
    until: Text = None,
    actor: Text = None,
    event: Text = None,
    subject: Text = None,
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    """审计日志: search the log of the user's jurisdiction; the chain's verification on top."""
    raw = {"since": since, "until": until, "actor": actor, "event": event, "subject": subject}
    values = {key: (value or "").strip() for key, value in raw.items()}
    errors: dict[str, str] = {}
    query = _query(values, page, errors)
    found = audit_log(session, user, query if not errors else AuditQuery(page=1))
    labels = event_labels()
    kept = {key: value for key, value in values.items() if value}
    context = frame(session, user, page_token(request) or "", active=AUDIT_PAGE) | {
        "chain": chain_status(session, home, now=now),
        "when": when,
        "log": found,
        "items": [_shown(item, labels) for item in found.items] if not errors else [],
        "event_choices": [(name, labels.get(name, "")) for name in found.event_types],
        "values": values,
        "errors": errors,
        "prev_url": f"{AUDIT_PAGE}?{urlencode(kept | {'page': found.page - 1})}",
        "next_url": f"{AUDIT_PAGE}?{urlencode(kept | {'page': found.page + 1})}",
    }
    return render("audit.html", context, status=400 if errors else 200)
